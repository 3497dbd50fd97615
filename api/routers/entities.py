"""Entities by kind (filters, facets, paging, sorting, CSV) and one entity with its links."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from api.collections import (
    LimitParam,
    OffsetParam,
    answer,
    collection_responses,
    paging,
)
from api.deps import ReadBackendDep, ReleasesDep, SettingsDep, answered_release
from api.geo import (
    GEO_KINDS,
    GEOJSON,
    DetailFormat,
    DetailFormatParam,
    ListFormatParam,
    geo_entity,
    geo_page,
    wants_geojson,
)
from api.models import EntityDetail, Page
from api.problems import error_responses
from graph.backend import GraphBackend
from graph.entities import (
    DATE_PASSED,
    ListFilter,
    dated_status,
    enum_properties,
    get_entity,
    kind_of,
    list_entities,
    sort_keys,
    type_property,
)
from graph.resolve import resolve
from graph.schema import NodeKind, get_schema
from loaders.history import annotate
from loaders.releases import Releases
from migkg.exc import DATE_EXAMPLE, DATE_FORMS, NotFound, OtherKind
from ontology.mapping import Mapper, relationship_key

router = APIRouter(tags=["entities"])
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"  # documented; check_date checks the calendar too
Q_DOC = "Text in name or aliases (ignores case and accents)"
SORT_DOC = "Property to sort by; `-` before it for descending"
DATE_DOC = f"{{}} date: {DATE_FORMS} (a real date), e.g. {DATE_EXAMPLE}"
FIXED = ["id", "name", "kind", "aliases", "summary"]


def _enum_doc(kind: NodeKind, prop: str | None, what: str) -> dict[str, Any]:
    """Query() arguments for an enum filter: its allowed values in the OpenAPI schema."""
    spec = kind.properties.get(prop) if prop else None
    if spec is None or spec.type != "enum":
        return {"description": f"{what} ({kind.plural} have none: any value is refused)"}
    values = list(spec.values)
    if prop == "status" and dated_status(kind):
        values.append(DATE_PASSED)
        what = (f"{what} now: the source's status (`status`, as of `status_as_of`), except "
                f"`{DATE_PASSED}` for a planned one whose latest possible day is before today")
    return {"description": f"{what}: one of {', '.join(values)}",
            "json_schema_extra": {"enum": values}}


def _list_endpoint(kind: NodeKind) -> Callable[..., Any]:
    facetable = enum_properties(kind)
    status_q: Any = Query(None, max_length=40, **_enum_doc(kind, "status", "Status"))
    type_prop = type_property(kind)
    type_q: Any = Query(None, max_length=40, **_enum_doc(kind, type_prop,
                                              f"Type (`{type_prop}`)" if type_prop else "Type"))
    facets_q: Any = Query(None, max_length=400, description=(
        "Comma-separated enum properties to count values of, over all matches: "
        + ", ".join(facetable)), examples=[",".join(facetable[:2])])
    columns = FIXED + [p for p in kind.properties if p not in FIXED]
    keys = sort_keys(kind)
    sort_q: Any = Query("name", max_length=41, description=f"{SORT_DOC}: one of {', '.join(keys)}",
                        examples=["-date" if "date" in keys else "-name"],
                        json_schema_extra={"enum": [*keys, *(f"-{k}" for k in keys)]})
    date_from_q: Any = Query(None, max_length=40, description=DATE_DOC.format("Earliest"),
                             examples=[DATE_EXAMPLE], json_schema_extra={"pattern": DATE})
    date_to_q: Any = Query(None, max_length=40, description=DATE_DOC.format("Latest"),
                           examples=[DATE_EXAMPLE], json_schema_extra={"pattern": DATE})

    def list_kind(
        request: Request,
        response: Response,
        backend: ReadBackendDep,
        q: Annotated[str | None, Query(max_length=200, description=Q_DOC)] = None,
        status: str | None = status_q,
        type: str | None = type_q,  # noqa: A002
        date_from: str | None = date_from_q,
        date_to: str | None = date_to_q,
        sort: str = sort_q,
        facets: str | None = facets_q,
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
        format: ListFormatParam = None,  # noqa: A002
    ) -> Any:
        wanted = tuple(dict.fromkeys(f.strip() for f in (facets or "").split(",") if f.strip()))
        f = ListFilter(q, status, type, date_from, date_to, sort, limit, offset, wanted)
        found = list_entities(backend, kind, f)
        body = Page(kind=kind.name, items=found.items, facets=found.facets,
                    **paging(request, response, found.total, limit, offset))
        rows = ([it["id"], it["name"], it["kind"], it["aliases"], it["summary"],
                 *(it["properties"].get(c) for c in columns[len(FIXED):])] for it in found.items)
        if wants_geojson(request, format):
            return geo_page(backend, kind.name, kind.plural, found.items, body.model_dump(),
                            response.headers.get("Link"))
        return answer(request, response, body, format, columns, rows, kind.plural)

    list_kind.__name__ = f"list_{kind.plural}"
    return list_kind


def _detail_endpoint(kind: NodeKind) -> Callable[..., EntityDetail]:
    def one(ref: str, request: Request, backend: ReadBackendDep, settings: SettingsDep,
            releases: ReleasesDep,
            format: DetailFormat | None = DetailFormatParam) -> Any:  # noqa: A002
        if wants_geojson(request, format):
            return geo_entity(backend, kind.name, kind.plural, resolve(backend, ref, kind.name))
        return entity_detail(request, backend, releases, settings.base_iri,
                             resolve_in_kind(backend, ref, kind), kind.name)

    one.__name__ = f"get_{kind.slug}"
    return one


def resolve_in_kind(backend: GraphBackend, ref: str, kind: NodeKind) -> str:
    """`ref` resolved among `kind`'s entities; an id of another kind is a 404 that says
    which kind it is and links it (`see`), keeping the resolver's `suggestions`."""
    try:
        return resolve(backend, ref, kind.name)
    except NotFound as exc:
        other = kind_of(backend, get_schema(), ref)
        if other is None or other == kind.name:
            raise
        spec = get_schema().node(other)
        raise OtherKind(f"{ref} is {_a(other)}, not {_a(kind.name)}",
                        **{**exc.extra, "kind": other,
                           "see": f"/v1/{spec.plural}/{quote(ref, safe='')}"}) from exc


def _a(word: str) -> str:
    return ("an " if word[:1] in "AEIOU" else "a ") + word


@lru_cache(maxsize=4)
def _mapper(base: str) -> Mapper:
    return Mapper(base)


def entity_detail(request: Request, backend: GraphBackend, releases: Releases, base_iri: str,
                  ident: str, kind: str | None = None) -> EntityDetail:
    """One entity in the one shape every face answers (`/v1/{kind}/{ref}`,
    `/v1/entities/{ref}`, `/id/{kind}/{id}` as JSON): its properties, evidence, links
    with their IRIs, cited documents, and when each was released."""
    data = annotate(get_entity(backend, get_schema(), ident, kind), releases.history())
    mapper = _mapper(base_iri)
    data.pop("slug")
    data["iri"] = str(mapper.iri(data["kind"], ident))
    for link in data["relationships"]:
        ends = (ident, link["other"]["id"])
        source, target = ends if link["direction"] == "out" else ends[::-1]
        key = link["key"] or relationship_key(link["type"], source, target, link["properties"])
        link["iri"] = str(mapper.rel_iri(key))
    data["release"] = answered_release(request)
    return EntityDetail.model_validate(data)


@router.get("/v1/entities/{ref}", response_model=EntityDetail,
            summary="Any entity by id, name or alias",
            responses=error_responses(404, 409, 422))
def get_any(ref: str, request: Request, backend: ReadBackendDep, settings: SettingsDep,
            releases: ReleasesDep) -> EntityDetail:
    """Resolve `ref` across all kinds; 409 lists the candidates when it is ambiguous."""
    return entity_detail(request, backend, releases, settings.base_iri, resolve(backend, ref))


def _geo_content(kind: NodeKind, responses: dict[int | str, dict[str, Any]]
                 ) -> dict[int | str, dict[str, Any]]:
    """A kind with a geometry also answers RFC 7946 GeoJSON (api/geo.py)."""
    if kind.name in GEO_KINDS:
        ok = dict(responses.get(200, {}))
        ok["content"] = {**ok.get("content", {}), GEOJSON: {"schema": {"type": "object"}}}
        responses = {**responses, 200: ok}
    return responses


for _kind in get_schema().nodes.values():
    router.add_api_route(
        f"/v1/{_kind.plural}", _list_endpoint(_kind), methods=["GET"], response_model=Page,
        summary=f"List {_kind.plural}",
        description=f"{_kind.description} Filter, facet, sort and page; `total` counts all "
                    "matches. An enum filter outside its values is refused with 422 listing them.",
        # 406: GeoJSON asked of a kind with no geometry (api/geo.py)
        responses=_geo_content(_kind, {**collection_responses(),
                                       **error_responses(400, 404, 406, 422)}),
    )
    router.add_api_route(
        f"/v1/{_kind.plural}/{{ref}}", _detail_endpoint(_kind), methods=["GET"],
        response_model=EntityDetail, summary=f"One {_kind.slug} with its links and evidence",
        description=f"`ref` is the {_kind.slug}'s id, name or alias (case and accents ignored).",
        responses=_geo_content(_kind, error_responses(404, 406, 409, 422)),
    )
