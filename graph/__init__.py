"""Graph access: the schema, the backend protocol and its implementations.

Nothing outside this package imports a database driver.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graph.backend import GraphBackend, Result, StatementHook
from graph.embedded import EmbeddedServer
from migkg.settings import Settings

__all__ = ["GraphBackend", "Result", "open_backend", "open_embedded", "own_engine"]


def open_backend(settings: Settings, statement_hook: StatementHook | None = None) -> GraphBackend:
    """Open the backend that `settings.backend` names."""
    if settings.backend == "neo4j":
        from graph.neo4j_backend import Neo4jBackend

        return Neo4jBackend(settings, statement_hook)
    from graph.falkor import FalkorBackend

    return FalkorBackend(_server(str(settings.home.resolve())), settings.graph, statement_hook)


def open_embedded(settings: Settings, graph: str) -> GraphBackend:
    """A graph of the embedded engine in `settings.home`, whatever `settings.backend` is
    (a release's graph for time travel, loaders/timetravel.py)."""
    from graph.falkor import FalkorBackend

    return FalkorBackend(_server(str(settings.home.resolve())), graph)


def own_engine(settings: Settings) -> EmbeddedServer:
    """Own the embedded engine for this process's life, supervised (`migkg serve`).

    Staging graphs left by interrupted loads are removed.
    """
    from graph.falkor import FalkorBackend

    server = _server(str(settings.home.resolve()))
    server.own()
    backend = FalkorBackend(server, settings.graph)
    try:
        backend.remove_staging()
    finally:
        backend.close()
    return server


@cache
def _server(home: str) -> EmbeddedServer:
    """One embedded server per MIGKG_HOME in this process."""
    return EmbeddedServer(Path(home))

