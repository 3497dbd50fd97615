"""A W3C Reconciliation Service API 0.2 endpoint at `/reconcile`, for OpenRefine.

The manifest (GET with no queries), batch reconciliation (`queries=` as a form field
or in the query string, or a JSON body), types (the node kinds) and type filtering,
property constraints, `preview`, `suggest/entity`, and data extension (`extend=`,
with `/reconcile/properties` proposing the properties). Candidates, scores and
`match` are those of `/v1/match` (graph/matching.py). The answers follow the spec's
JSON Schemas, vendored in vendor/reconciliation-api-0.2/ and checked by the tests.
"""

from __future__ import annotations

import html
import json
from functools import partial
from typing import Annotated, Any
from urllib.parse import parse_qs

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import ReadBackendDep
from api.problems import error_responses
from graph.matching import match, properties_of
from graph.resolve import search_all
from graph.schema import get_schema
from migkg import __version__
from migkg.exc import BadRequest, InvalidValue

router = APIRouter(tags=["reconciliation"])
MAX_QUERIES = 500
MAX_FORM_BYTES = 1_000_000
DEFAULT_LIMIT = 5
ANSWER = {200: {"description": "A manifest, a result batch or a data extension",
                "content": {"application/json": {"schema": {"type": "object"}}}},
          **error_responses(400, 404, 413, 422)}  # 404: an `as_of` that names no release


def _types() -> list[dict[str, str]]:
    return [{"id": k.name, "name": k.name} for k in get_schema().nodes.values()]


def manifest(base: str) -> dict[str, Any]:
    return {
        "versions": ["0.2"],
        "name": "migration-kg: European cooperation against irregular migration",
        "identifierSpace": f"{base}/id/",
        "schemaSpace": f"{base}/ontology#",
        "documentation": f"{base}/docs",
        "serviceVersion": __version__,
        "defaultTypes": _types(),
        "view": {"url": f"{base}/v1/entities/{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 400, "height": 160},
        "suggest": {"entity": {"service_url": base, "service_path": "/reconcile/suggest/entity"}},
        "extend": {"propose_properties": {"service_url": base,
                                          "service_path": "/reconcile/properties"},
                   "property_settings": []},
    }


def _parse(raw: str | None, what: str) -> Any:
    if raw is None:
        return None
    if len(raw) > MAX_FORM_BYTES:
        raise BadRequest(f"{what}: more than {MAX_FORM_BYTES} bytes")
    try:
        return json.loads(raw)
    except ValueError as err:
        raise BadRequest(f"{what} is not JSON: {err}") from err


def _kinds(value: Any) -> list[str]:
    wanted = value if isinstance(value, list) else [value] if value else []
    names = [str(t.get("id") if isinstance(t, dict) else t) for t in wanted]
    known = get_schema().nodes
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BadRequest(f"unknown type {unknown[0]!r}; the types are {', '.join(known)}")
    return names


def _constraints(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in value if isinstance(value, list) else []:
        if isinstance(p, dict) and isinstance(p.get("pid"), str):
            v = p.get("v")
            items = v if isinstance(v, list) else [v]
            out[p["pid"]] = [i.get("id", i.get("name")) if isinstance(i, dict) else i for i in items]
    return out


def reconcile_one(backend: Any, q: Any) -> dict[str, Any]:
    if not isinstance(q, dict) or not isinstance(q.get("query"), str):
        raise BadRequest("each query must be an object with a `query` string")
    kinds = _kinds(q.get("type"))
    strict = q.get("type_strict") in (None, "any", "should", "all") and kinds
    given = q.get("limit")
    limit = given if isinstance(given, int) and given > 0 else DEFAULT_LIMIT
    found = match(backend, q["query"][:200], kinds, kinds if strict else None,
                  _constraints(q.get("properties")), min(limit, 25))
    return {"result": [
        {"id": c.id, "name": c.name, "type": [{"id": c.kind, "name": c.kind}],
         "score": round(c.score, 1), "match": found.match is not None and c.id == found.match.id,
         "description": c.why,
         "features": [{"id": k, "value": v} for k, v in c.features]}
        for c in found.candidates]}


def extend(backend: Any, spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict) or not isinstance(spec.get("ids"), list):
        raise BadRequest("extend must be an object with `ids` and `properties`")
    ids = [str(i) for i in spec["ids"]][:MAX_QUERIES]
    wanted = [str(p.get("id")) for p in spec.get("properties") or [] if isinstance(p, dict)]
    props = properties_of(backend, ids)
    rows = {i: {p: _cells(props.get(i, {}).get(p)) for p in wanted} for i in ids}
    return {"meta": [{"id": p, "name": p} for p in wanted], "rows": rows}


def _cells(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    out: list[dict[str, Any]] = []
    for v in items:
        if isinstance(v, bool):
            out.append({"str": str(v).lower()})
        elif isinstance(v, int):
            out.append({"int": v})
        elif isinstance(v, float):
            out.append({"float": v})
        else:
            out.append({"str": str(v)})
    return out


async def _form(request: Request) -> dict[str, Any]:
    """`queries` / `extend` from the query string, a form, or a JSON body."""
    found: dict[str, Any] = {k: request.query_params.get(k) for k in ("queries", "extend")}
    if request.method == "POST":
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            body = _parse((await request.body()).decode("utf-8", "replace"), "the body")
            if isinstance(body, dict) and ("queries" in body or "extend" in body):
                return {"queries": body.get("queries"), "extend": body.get("extend")}
            return {"queries": body, "extend": None}
        # OpenRefine posts application/x-www-form-urlencoded: parsed here, as it is the
        # one form this service takes (Starlette's form parser needs python-multipart).
        form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
        for k in ("queries", "extend"):
            if form.get(k):
                found[k] = form[k][0]
    return {k: _parse(v, k) if isinstance(v, str) else v for k, v in found.items()}


def _answer(backend: Any, given: dict[str, Any], base: str) -> Any:
    if given["extend"] is not None:
        return extend(backend, given["extend"])
    queries = given["queries"]
    if queries is None:
        return manifest(base)
    if not isinstance(queries, dict) or len(queries) > MAX_QUERIES:
        raise BadRequest(f"queries must be a JSON object of at most {MAX_QUERIES} queries")
    return {k: reconcile_one(backend, q) for k, q in queries.items()}


async def _reconcile(request: Request, backend: Any) -> Any:
    """No `queries` and no `extend`: the service manifest. `queries`: a JSON object of
    queries (`{"q0": {"query": "Srbia", "type": "Country"}}`), answered by a result batch.
    `extend`: `{"ids": [...], "properties": [{"id": "wikidata"}]}`, answered by the rows.
    The body is read on the event loop; the graph is read on a worker thread."""
    given = await _form(request)
    base = str(request.base_url).rstrip("/")
    return await anyio.to_thread.run_sync(partial(_answer, backend, given, base))


@router.get("/reconcile", responses=ANSWER, summary="W3C Reconciliation Service API 0.2 (GET)")
async def reconcile_get(request: Request, backend: ReadBackendDep) -> Any:
    """The manifest, or `queries` / `extend` in the query string."""
    return await _reconcile(request, backend)


@router.post("/reconcile", responses=ANSWER, summary="W3C Reconciliation Service API 0.2 (POST)")
async def reconcile_post(request: Request, backend: ReadBackendDep) -> Any:
    """`queries` / `extend` as form fields or a JSON body."""
    return await _reconcile(request, backend)


@router.get("/reconcile/suggest/entity", summary="Suggest entities as a name is typed",
            responses=error_responses(400, 404, 422))
def suggest_entity(backend: ReadBackendDep,
                   prefix: Annotated[str, Query(min_length=1, max_length=200)],
                   type: Annotated[str | None, Query(max_length=40)] = None,  # noqa: A002
                   cursor: Annotated[int, Query(ge=0, le=10_000)] = 0) -> dict[str, Any]:
    """The spec's entity auto-complete: up to ten entities for what is typed so far
    (`prefix`), optionally of one `type` (a node kind), from `cursor` on."""
    kinds = _kinds(type) or None
    found = search_all(backend, prefix, kinds)[cursor:cursor + 10]
    return {"result": [{"id": c.id, "name": c.name, "description": c.why,
                        "notable": [{"id": c.kind, "name": c.kind}]} for c in found]}


@router.get("/reconcile/properties", summary="Properties to extend data with",
            responses=error_responses(422))
def propose_properties(type: Annotated[str, Query(max_length=40)],  # noqa: A002
                       limit: Annotated[int, Query(ge=1, le=100)] = 50) -> dict[str, Any]:
    """The properties an OpenRefine user may add as columns for entities of `type` (a node
    kind), for `extend`."""
    kind = get_schema().nodes.get(type)
    if kind is None:
        raise InvalidValue("type", type, list(get_schema().nodes))
    names = ["name", "aliases", "reference_names", "summary", *kind.properties]
    props = [{"id": p, "name": p} for p in dict.fromkeys(names)][:limit]
    return {"type": type, "limit": limit, "properties": props}


@router.get("/reconcile/preview", response_class=HTMLResponse, summary="An entity's preview card",
            responses=error_responses(404, 422))
def preview(backend: ReadBackendDep, id: Annotated[str, Query(max_length=200)]) -> HTMLResponse:  # noqa: A002
    """A small HTML card of one entity (its name, id and summary), for OpenRefine's preview."""
    props = properties_of(backend, [id]).get(id)
    if props is None:
        from migkg.exc import NotFound

        raise NotFound(f"no entity has the id {id!r}", suggestions=[])
    name, summary = html.escape(str(props.get("name") or id)), html.escape(str(props.get("summary") or ""))
    return HTMLResponse(f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{name}</title>'
                        f'<body style="font:14px sans-serif;margin:8px"><strong>{name}</strong> '
                        f'<code>{html.escape(id)}</code><p>{summary}</p></body></html>')
