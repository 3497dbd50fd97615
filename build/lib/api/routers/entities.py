"""Entities by kind (filters, paging, sorting) and one entity with its links and evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import BackendDep, SettingsDep
from api.models import EntityDetail, Page
from api.problems import error_responses
from graph.entities import ListFilter, get_entity, list_entities
from graph.resolve import resolve
from graph.schema import NodeKind, get_schema

router = APIRouter(tags=["entities"])
SORT_PATTERN = r"^-?[a-z_]{1,40}$"
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
Q_DOC = "Text in name or aliases (ignores case and accents)"
STATUS_DOC = "Status (agreements, policies, events)"
TYPE_DOC = "The kind's `*_type` property, such as `agreement_type`"
SORT_DOC = "Property to sort by; `-` for descending"


def _list_endpoint(kind: NodeKind) -> Callable[..., Page]:
    def list_kind(
        request: Request,
        backend: BackendDep,
        q: Annotated[str | None, Query(max_length=200, description=Q_DOC)] = None,
        status: Annotated[str | None, Query(max_length=40, description=STATUS_DOC)] = None,
        type: Annotated[str | None, Query(max_length=40, description=TYPE_DOC)] = None,  # noqa: A002
        date_from: Annotated[str | None, Query(pattern=DATE, description="Earliest date")] = None,
        date_to: Annotated[str | None, Query(pattern=DATE, description="Latest date")] = None,
        sort: Annotated[str, Query(pattern=SORT_PATTERN, description=SORT_DOC, examples=["-date"])] = "name",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> Page:
        f = ListFilter(q, status, type, date_from, date_to, sort, limit, offset)
        total, items = list_entities(backend, kind, f)
        nxt = None
        if offset + limit < total:
            nxt = str(request.url.include_query_params(offset=offset + limit))
        return Page(kind=kind.name, total=total, limit=limit, offset=offset, next=nxt,
                    items=items)

    list_kind.__name__ = f"list_{kind.plural}"
    return list_kind


def _detail_endpoint(kind: NodeKind) -> Callable[..., EntityDetail]:
    def one(ref: str, backend: BackendDep, settings: SettingsDep) -> EntityDetail:
        return _detail(backend, settings.base_iri, resolve(backend, ref, kind.name))

    one.__name__ = f"get_{kind.slug}"
    return one


def _detail(backend: Any, base_iri: str, ident: str) -> EntityDetail:
    data = get_entity(backend, get_schema(), ident)
    data["iri"] = f"{base_iri}/id/{data.pop('slug')}/{ident}"
    return EntityDetail.model_validate(data)


@router.get("/v1/entities/{ref}", response_model=EntityDetail,
            summary="Any entity by id, name or alias",
            responses=error_responses(404, 409))
def get_any(ref: str, backend: BackendDep, settings: SettingsDep) -> EntityDetail:
    """Resolve `ref` across all kinds; 409 lists the candidates when it is ambiguous."""
    return _detail(backend, settings.base_iri, resolve(backend, ref))


for _kind in get_schema().nodes.values():
    router.add_api_route(
        f"/v1/{_kind.plural}", _list_endpoint(_kind), methods=["GET"], response_model=Page,
        summary=f"List {_kind.plural}",
        description=f"{_kind.description} Filter, sort and page; `total` counts all matches.",
        responses=error_responses(400, 422),
    )
    router.add_api_route(
        f"/v1/{_kind.plural}/{{ref}}", _detail_endpoint(_kind), methods=["GET"],
        response_model=EntityDetail, summary=f"One {_kind.slug} with its links and evidence",
        description=f"`ref` is the {_kind.slug}'s id, name or alias (case and accents ignored).",
        responses=error_responses(404, 409),
    )
