"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import BackendDep
from api.problems import error_responses
from graph.meta import read_meta
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
    meta = read_meta(backend)
    if not meta:
        raise BackendUnavailable("the graph is not loaded")
    return {"status": "ready", "backend": backend.name, "loaded_at": meta.get("loaded_at"),
            "nodes": meta.get("node_count"), "relationships": meta.get("relationship_count")}
