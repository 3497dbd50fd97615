"""The backend protocol: the one small surface through which the project reaches a graph."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Params = Mapping[str, Any]


@dataclass
class Result:
    """Rows of plain Python values.

    Nodes become `{"_kind", "_labels", **props}`, relationships
    `{"_type", "_start", "_end", **props}` (start/end are entity ids) and paths
    `{"_path": True, "nodes": [...], "relationships": [...]}`, so results look
    the same whichever engine produced them.
    """

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


@dataclass
class Stats:
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)


class Writer(Protocol):
    """Write access to a graph being built, handed to `GraphBackend.replace_graph`."""

    def create_indexes(self, labels: list[str], properties: list[str]) -> None:
        """Create indexes (or uniqueness constraints) on `properties` for every label."""

    def run(self, cypher: str, params: Params | None = None) -> None:
        """Run one write statement."""


class GraphBackend(Protocol):
    """What the loader, the query library and the API need from a graph engine."""

    name: str

    def read(
        self,
        cypher: str,
        params: Params | None = None,
        *,
        timeout_ms: int | None = None,
        row_cap: int | None = None,
    ) -> Result:
        """Run a read-only statement; the engine itself refuses writes."""

    def console_read(self, cypher: str, params: Params | None = None, *, timeout_ms: int,
                     row_cap: int) -> Result:
        """Run an analyst's ad-hoc statement: checked first (graph/guard.py), read-only,
        under a hard deadline and a memory cap, and cut at `row_cap` while it runs."""

    def replace_graph(self, build: Callable[[Writer], None]) -> None:
        """Build a new graph with `build` and swap it in atomically.

        If `build` raises, the previous graph stays as it was.
        """

    def update_graph(self, build: Callable[[Writer], None]) -> None:
        """Apply `build`'s statements to the loaded graph atomically.

        Readers see the graph before or after all of them, never a part; if
        `build` or a statement fails, the graph stays as it was.
        """

    def exists(self) -> bool:
        """Whether a loaded graph is present."""

    def close(self) -> None:
        """Release connections and any child process."""


StatementHook = Callable[[str], None]
