"""Liveness and readiness."""

from __future__ import annotations

import anyio
import anyio.to_thread
from fastapi import APIRouter

from api.deps import BackendDep
from api.problems import error_responses
from graph.meta import read_meta
from migkg.exc import BackendUnavailable

router = APIRouter(tags=["health"])


READY_TIMEOUT = 2.0


@router.get("/health", summary="Liveness: the process answers")
async def health() -> dict[str, str]:
    """Answers 200 while the process is up; it touches neither the graph nor a worker thread."""
    return {"status": "ok"}


@router.get("/ready", summary="Readiness: the graph is loaded and answering",
            responses=error_responses(503))
async def ready(backend: BackendDep) -> dict[str, object]:
    """200 with the load's time and counts once the graph is loaded and answering; else 503.

    It waits at most two seconds for the engine: a slow or restarting engine is not ready.
    """
    try:
        with anyio.fail_after(READY_TIMEOUT):
            meta = await anyio.to_thread.run_sync(read_meta, backend, abandon_on_cancel=True)
    except TimeoutError:
        raise BackendUnavailable(
            f"the graph engine did not answer within {READY_TIMEOUT:.0f} s") from None
    if not meta:
        raise BackendUnavailable("the graph is not loaded")
    return {"status": "ready", "backend": backend.name, "loaded_at": meta.get("loaded_at"),
            "nodes": meta.get("node_count"), "relationships": meta.get("relationship_count")}
