"""Ad-hoc read-only Cypher for analysts."""

from __future__ import annotations

import functools
import threading
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from api.collections import FormatParam, answer, collection_responses
from api.deps import BackendDep, SettingsDep
from api.models import Rows
from api.problems import error_responses
from migkg.exc import TooBusy
from migkg.settings import Settings

router = APIRouter(tags=["cypher"])


class CypherIn(BaseModel):
    model_config = {"extra": "forbid"}
    query: str = Field(min_length=1, max_length=20_000,
                       examples=["MATCH (c:Country)<-[:COVERS]-(a:Agreement) RETURN c.name, a.name"])
    params: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")], Any] = (
        Field(default_factory=dict, description="Values for `$name` parameters."))


def _slots(request: Request, settings: Settings) -> threading.BoundedSemaphore:
    state = request.app.state
    if getattr(state, "console_slots", None) is None:
        state.console_slots = threading.BoundedSemaphore(settings.console_concurrency)
    slots: threading.BoundedSemaphore = state.console_slots
    return slots


@router.post("/v1/cypher", response_model=Rows, summary="Run read-only Cypher",
             responses={**collection_responses(), **error_responses(400, 422, 429, 503, 504)})
async def run_cypher(body: CypherIn, request: Request, response: Response, backend: BackendDep,
                     settings: SettingsDep, format: FormatParam = None) -> Any:  # noqa: A002
    """The statement runs read-only, so the engine itself refuses writes.

    It is checked first (size, bracket nesting, parameters) and then runs apart
    from the rest of the service: on the embedded engine in a FalkorDB process of
    its own, which is killed if the query overruns its deadline. A timeout
    (`MIGKG_QUERY_TIMEOUT_MS`, answered with 504), a memory cap and a row cap
    (`MIGKG_ROW_CAP`, applied while the result is built) hold; `truncated` says
    when the cap cut the result. At most `MIGKG_CONSOLE_CONCURRENCY` statements
    run at once; more are answered with 429. Syntax errors return 400 with the
    engine's message parsed into `line`, `column` and `offset`, and the statement's
    offending line with a caret under the position (`context`, `caret`).

    The answer has the shape of every collection, all rows on one page (`limit` is
    the row cap); a POST result is not a resource to page through, so it has no
    `next`, `prev` or Link header. `?format=csv` answers CSV.
    """
    slots = _slots(request, settings)
    if not slots.acquire(blocking=False):
        raise TooBusy(f"{settings.console_concurrency} ad-hoc queries are already running; "
                      "try again in a moment", headers={"Retry-After": "1"})
    try:
        res = await anyio.to_thread.run_sync(functools.partial(
            backend.console_read, body.query, body.params,
            timeout_ms=settings.query_timeout_ms, row_cap=settings.row_cap))
    finally:
        slots.release()
    out = Rows(columns=res.columns, truncated=res.truncated, total=len(res.rows),
               limit=settings.row_cap, offset=0,
               items=[dict(zip(res.columns, row, strict=True)) for row in res.rows])
    return answer(request, response, out, format, res.columns, res.rows, "cypher")
