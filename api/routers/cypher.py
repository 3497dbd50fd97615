"""Ad-hoc read-only Cypher for analysts."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from api.answers import BoundedResponse, read_cypher
from api.collections import FormatParam, collection_responses, wants_csv
from api.deps import BackendDep, SettingsDep
from api.fairness import query_slot
from api.models import Rows
from api.problems import error_responses
from graph.budget import Budget

router = APIRouter(tags=["cypher"])


class CypherIn(BaseModel):
    model_config = {"extra": "forbid"}
    query: str = Field(min_length=1, max_length=20_000,
                       examples=["MATCH (c:Country)<-[:COVERS]-(a:Agreement) RETURN c.name, a.name"])
    params: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")], Any] = (
        Field(default_factory=dict, description="Values for `$name` parameters."))


@router.post("/v1/cypher", response_model=Rows, summary="Run read-only Cypher",
             responses={**collection_responses(), **error_responses(400, 422, 429, 503, 504)})
async def run_cypher(body: CypherIn, request: Request, response: Response, backend: BackendDep,
                     settings: SettingsDep, format: FormatParam = None) -> Any:  # noqa: A002
    """The statement runs read-only, so the engine itself refuses writes.

    It is checked first (size; nesting of brackets, CASE, NOT and signs;
    parameters) and then runs apart from the rest of the service: on the embedded
    engine in a FalkorDB process of its own, which is killed if the query overruns
    its deadline. A timeout (`MIGKG_QUERY_TIMEOUT_MS`, answered with 504), a memory
    cap and a row cap (`MIGKG_ROW_CAP`, applied while the result is built) hold;
    `truncated` says when the cap cut the result. At most
    `MIGKG_CONSOLE_CONCURRENCY` statements run at once, and at most
    `MIGKG_CONSOLE_PER_CLIENT` (by default half of them) from one client address;
    a statement that finds no slot free within 50 ms is answered 429 with
    `Retry-After`, never queued. Syntax errors return 400
    with the engine's message parsed into `line`, `column` and `offset`, and the
    statement's offending line with a caret under the position (`context`, `caret`).

    The answer has the shape of every collection, all rows on one page (`limit` is
    the row cap); a POST result is not a resource to page through, so it has no
    `next`, `prev` or Link header. `?format=csv` answers CSV.

    Rows alone do not bound an answer, so it is also held to a budget while it is
    read: at most `MIGKG_CONSOLE_MAX_BYTES` bytes (as the engine sends it, and as
    encoded here) and `MIGKG_CONSOLE_MAX_CELLS` values (every list element, map
    entry and property counts one), nested at most 32 deep. The first byte over it
    stops the read and ends the engine's work, and the answer is **422** `Answer too
    large`, naming the budget (`budget`, `limit`, `setting`) and how to narrow the
    query: return fewer or smaller values, add `LIMIT`, aggregate. Never a silently
    cut answer. The timeout covers the whole answer, from the request to its last
    byte: reading, decoding, encoding and sending (a client that has not read the
    answer by then, or within a second of it being ready, is cut off).
    """
    budget = Budget.for_console(settings)
    as_csv = wants_csv(request, format)
    async with query_slot(request, "console", "ad-hoc Cypher queries"):
        encoded, media, headers = await anyio.to_thread.run_sync(functools.partial(
            read_cypher, backend, body.query, body.params, budget,
            timeout_ms=settings.query_timeout_ms, row_cap=settings.row_cap, as_csv=as_csv))
    return BoundedResponse(encoded, budget, media_type=media, headers=headers)
