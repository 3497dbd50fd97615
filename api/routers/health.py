"""Liveness and readiness."""

from __future__ import annotations

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request

from api.deps import BackendDep
from api.problems import error_responses
from api.startup import LoadState
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
async def ready(request: Request, backend: BackendDep) -> dict[str, object]:
    """200 with the load's time and counts once the graph is loaded and answering; else 503.

    While `migkg serve`'s first load runs, 503 says how far it is: `loading` holds the
    stage (validating, nodes, relationships), rows done and total. It waits at most two
    seconds for the engine: a slow or restarting engine is not ready.
    """
    first: LoadState | None = getattr(request.app.state, "first_load", None)
    if first is not None and not first.finished:
        what = "the first load failed" if first.error else "the graph is loading"
        raise BackendUnavailable(what, headers={"Retry-After": "2"}, loading=first.body())
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
