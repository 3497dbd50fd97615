"""The backend protocol: the one small surface through which the project reaches a graph."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from graph.budget import Budget

Params = Mapping[str, Any]

# A read whose caller sets no timeout is stopped by the engine after this long (ms), on
# both engines: no read waits forever on a graph that is slow or busy.
READ_TIMEOUT_MS = 30_000


@dataclass
class Result:
    """Rows of plain Python values.

    Nodes become `{"_eid", "_labels", **props}`, relationships
    `{"_eid", "_type", "_start", "_end", **props}` (start/end are the nodes' `_eid`s) and paths
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



def path_text(path: Mapping[str, Any]) -> str:
    """A path value (see `Result`) as `A -[TYPE]-> B <-[TYPE]- C`, by names (ids without)."""
    nodes = list(path.get("nodes", []))
    if not nodes:
        return "(empty path)"
    by_eid = {n.get("_eid"): n for n in nodes}
    parts = [str(nodes[0].get("name") or nodes[0].get("id"))]
    for i, rel in enumerate(path.get("relationships", [])):
        here, there = nodes[i], nodes[i + 1] if i + 1 < len(nodes) else {}
        forward = rel.get("_start") == here.get("_eid") or rel.get("_start") not in by_eid
        arrow = f" -[{rel.get('_type')}]-> " if forward else f" <-[{rel.get('_type')}]- "
        parts.append(arrow + str(there.get("name") or there.get("id")))
    return "".join(parts)

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
                     row_cap: int, budget: Budget | None = None) -> Result:
        """Run an analyst's ad-hoc statement: checked first (graph/guard.py), read-only,
        under a hard deadline and a memory cap, and cut at `row_cap` while it runs.

        The answer is read under `budget` (bytes, values, nesting, and the deadline that
        began with the request; graph/budget.py): past it the read stops, the engine's
        work on it ends, and `AnswerTooLarge` (422) or `QueryTimeout` (504) is raised.
        Without one, the default budget applies from the call on."""

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
