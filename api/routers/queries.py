"""The named query library over HTTP: list, describe and run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field

from api.collections import (
    FormatParam,
    LimitParam,
    OffsetParam,
    answer,
    collection_responses,
    paging,
)
from api.deps import ReadBackendDep, SettingsDep
from api.models import QueryInfo, QueryList
from api.problems import error_responses
from api.results import QueryLimitParam, QueryRows, rows_answer
from cypher import get_registry
from cypher.registry import CONTROLS
from graph.schema import get_schema

router = APIRouter(tags=["queries"])
INFO_COLUMNS = ["name", "title", "description", "example", "cypher"]
CONTROL_DOC = (" `limit`, `offset` and `format` page and format the answer (no named query "
               "takes a parameter of these names).")


@router.get("/v1/queries", response_model=QueryList, summary="List the named queries",
            responses={**collection_responses(), **error_responses(422)})
def list_queries(request: Request, response: Response, limit: LimitParam = 100,
                 offset: OffsetParam = 0, format: FormatParam = None) -> Any:  # noqa: A002
    """Every named query with its title, description and JSON Schema of parameters."""
    reg = get_registry()
    names = reg.names()
    items = [QueryInfo.model_validate(reg.get(n).describe()) for n in names[offset:offset + limit]]
    body = QueryList(items=items, **paging(request, response, len(names), limit, offset))
    rows = ([getattr(i, c) for c in INFO_COLUMNS] for i in items)
    return answer(request, response, body, format, INFO_COLUMNS, rows, "queries")


@router.get("/v1/queries/{name}", response_model=QueryRows, summary="Run a named query (GET)",
            responses={**collection_responses(), **error_responses(400, 404, 409, 422, 504)})
def run_get(name: str, request: Request, response: Response, backend: ReadBackendDep,
            settings: SettingsDep, limit: QueryLimitParam = None, offset: OffsetParam = 0,
            format: FormatParam = None) -> Any:  # noqa: A002
    """Parameters come as query-string values; unknown or missing ones are refused (400)."""
    params = {k: v for k, v in request.query_params.items() if k not in CONTROLS}
    res = get_registry().run(backend, name, params, settings)
    return rows_answer(request, response, res, settings, limit, offset, format, name)


run_get.__doc__ = (run_get.__doc__ or "") + CONTROL_DOC


@router.post("/v1/queries/{name}", response_model=QueryRows, summary="Run a named query (POST)",
             responses={**collection_responses(), **error_responses(400, 404, 409, 422, 504)})
def run_post(
    name: str, request: Request, response: Response, backend: ReadBackendDep, settings: SettingsDep,
    params: Annotated[dict[str, Any] | None, Body(examples=[{"country": "Serbia"}])] = None,
    limit: QueryLimitParam = None, offset: OffsetParam = 0,
    format: FormatParam = None,  # noqa: A002
) -> Any:
    """Parameters come as a JSON object; `limit`, `offset` and `format` in the query string."""
    res = get_registry().run(backend, name, params or {}, settings)
    return rows_answer(request, response, res, settings, limit, offset, format, name)


class RelationshipWords(BaseModel):
    label: str = Field(description="The type in words.", examples=["Party to"])
    outgoing: str = Field(description="How it reads from its source.", examples=["Party to"])
    incoming: str = Field(description="How it reads from its target.", examples=["Parties"])


class Vocabulary(BaseModel):
    """The schema's words for the codes the data stores."""

    values: dict[str, str] = Field(description="Each enum value's label (one per value, the same in "
                                               "every property that has it).",
                                   examples=[{"to_be_signed": "To be signed", "ngo": "NGO"}])
    relationships: dict[str, RelationshipWords] = Field(description="Each relationship type's words.")


@router.get("/v1/vocabulary", response_model=Vocabulary, tags=["schema"],
            summary="Labels for the stored codes")
def vocabulary() -> Any:
    """The labels the explorer shows in place of enum values (`to_be_signed`: "To be signed")
    and relationship types (`PARTY_TO`: "Party to", read from its target "Parties"), from
    the schema (`graph/schema.py`). It depends on the code alone, not on the graph."""
    return get_schema().vocabulary()
