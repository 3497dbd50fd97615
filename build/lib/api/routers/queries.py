"""The named query library over HTTP: list, describe and run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from api.deps import BackendDep, SettingsDep
from api.models import QueryInfo, Table
from api.problems import error_responses
from cypher import get_registry

router = APIRouter(tags=["queries"])


@router.get("/v1/queries", response_model=list[QueryInfo], summary="List the named queries")
def list_queries() -> list[QueryInfo]:
    """Every named query with its title, description and JSON Schema of parameters."""
    reg = get_registry()
    return [QueryInfo.model_validate(reg.get(n).describe()) for n in reg.names()]


@router.get("/v1/queries/{name}", response_model=Table, summary="Run a named query (GET)",
            responses=error_responses(400, 404, 409, 504))
def run_get(name: str, request: Request, backend: BackendDep, settings: SettingsDep) -> Table:
    """Parameters come as query-string values; unknown or missing ones are refused (400)."""
    params = dict(request.query_params)
    res = get_registry().run(backend, name, params, settings)
    return Table.of(res)


@router.post("/v1/queries/{name}", response_model=Table, summary="Run a named query (POST)",
             responses=error_responses(400, 404, 409, 504))
def run_post(
    name: str, backend: BackendDep, settings: SettingsDep,
    params: Annotated[dict[str, Any] | None, Body(examples=[{"country": "Serbia"}])] = None,
) -> Table:
    """Parameters come as a JSON object."""
    res = get_registry().run(backend, name, params or {}, settings)
    return Table.of(res)
