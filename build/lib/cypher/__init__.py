"""The named Cypher query library."""

from cypher.registry import NamedQuery, Registry, get_registry

__all__ = ["NamedQuery", "Registry", "get_registry"]
