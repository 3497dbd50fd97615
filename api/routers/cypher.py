"""Ad-hoc read-only Cypher for analysts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from api.deps import BackendDep, SettingsDep
from api.models import Table
from api.problems import error_responses

router = APIRouter(tags=["cypher"])


class CypherIn(BaseModel):
    model_config = {"extra": "forbid"}
    query: str = Field(min_length=1, max_length=20_000,
                       examples=["MATCH (c:Country)<-[:COVERS]-(a:Agreement) RETURN c.name, a.name"])
    params: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")], Any] = (
        Field(default_factory=dict, description="Values for `$name` parameters."))


@router.post("/v1/cypher", response_model=Table, summary="Run read-only Cypher",
             responses=error_responses(400, 422, 504))
def run_cypher(body: CypherIn, backend: BackendDep, settings: SettingsDep) -> Table:
    """The statement runs as a read-only query, so the engine itself refuses writes.

    A server-side timeout (`MIGKG_QUERY_TIMEOUT_MS`) and a row cap (`MIGKG_ROW_CAP`)
    apply; `truncated` says when the cap cut the result. Syntax errors return 400
    with the engine's message.
    """
    res = backend.read(body.query, body.params, timeout_ms=settings.query_timeout_ms,
                       row_cap=settings.row_cap)
    return Table.of(res)
