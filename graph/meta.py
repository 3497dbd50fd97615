"""The `_Meta` node: one per graph, written by the loader, recording what was loaded."""

from __future__ import annotations

import itertools
from typing import Any

from graph.backend import GraphBackend

META_LABEL = "_Meta"
META_ID = "dataset"
READ_META = f"MATCH (m:`{META_LABEL}`) WHERE m.id = $id RETURN properties(m) AS meta"


def read_meta(backend: GraphBackend) -> dict[str, Any]:
    """The load's metadata (digest, loaded_at, counts), or {} when no graph is loaded."""
    if not backend.exists():
        return {}
    row = backend.read(READ_META, {"id": META_ID}).scalar()
    return row if isinstance(row, dict) else {}


_writes = itertools.count(1)
_generation = 0


def writes_seen() -> int:
    """How many graph writes (loads, reloads) this process has finished: a cheap way for
    readers that cache by the graph's digest to notice a load at once."""
    return _generation


def wrote() -> None:
    """Called by the backends after a load or reload swapped a new graph in."""
    global _generation
    _generation = next(_writes)
