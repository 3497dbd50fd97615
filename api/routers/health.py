"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import BackendDep
from api.problems import error_responses
from migkg.exc import BackendUnavailable

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers")
def health() -> dict[str, str]:
    """Answers 200 while the process is up; it does not touch the graph."""
    return {"status": "ok"}


@router.get("/ready", summary="Readiness: the graph is loaded and answering",
            responses=error_responses(503))
def ready(backend: BackendDep) -> dict[str, object]:
    """200 with the load's time and counts once the graph is loaded and answering; else 503."""
    if not backend.exists():
        raise BackendUnavailable("the graph is not loaded")
    res = backend.read("MATCH (m:`_Meta` {id: 'dataset'}) RETURN m.loaded_at AS loaded_at, "
                       "m.node_count AS nodes, m.relationship_count AS relationships")
    if not res.rows:
        raise BackendUnavailable("the graph is not loaded")
    return {"status": "ready", "backend": backend.name, **res.records()[0]}
