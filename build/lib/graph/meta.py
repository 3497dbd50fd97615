"""The `_Meta` node: one per graph, written by the loader, recording what was loaded."""

from __future__ import annotations

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
