"""SPARQL 1.1 Protocol endpoint over the graph's RDF (sparql/), and its example queries.

`/sparql` answers GET `?query=`, POST `application/sparql-query` and POST
form-encoded `query=`, read-only: an update is refused with 400 and never
reaches the store, which the workers open read-only anyway. The result format is
negotiated from Accept (`?format=` overrides it, as many clients send). `GET /sparql`
without a query answers the SPARQL 1.1 Service Description (sparql/description.py).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.answers import BoundedResponse, release_memory
from api.caching import etag_of
from api.fairness import query_slot
from api.problems import error_responses
from api.sparql_fields import MAX_VALUE_CHARS, parse_form, read_fields
from graph.budget import Budget
from migkg.exc import AnswerTooLarge, BadRequest, NotAcceptable, QueryRejected, QueryTimeout
from ontology.negotiate import negotiate
from sparql.description import CONTEXT, service_description
from sparql.examples import examples
from sparql.results import GRAPH_FORMATS, TABLE_FORMATS
from sparql.service import Answer, SparqlService

QUERY_MEDIA, UPDATE_MEDIA, FORM_MEDIA = ("application/sparql-query", "application/sparql-update",
                                         "application/x-www-form-urlencoded")
# Offers per kind of result: the standard media types first, then generic aliases.
TABLE_OFFERS = {**{f.media_type: f.name for f in TABLE_FORMATS},
                "application/json": "json", "application/xml": "xml", "text/xml": "xml"}
GRAPH_OFFERS = {**{f.media_type: f.name for f in GRAPH_FORMATS},
                "application/json": "jsonld", "application/xml": "rdfxml", "text/xml": "rdfxml"}
# `?format=` (or `output=`) names: the format for each kind of result.
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None),
    "tsv": ("tsv", None), "ttl": (None, "ttl"), "turtle": (None, "ttl"), "nt": (None, "nt"),
    "ntriples": (None, "nt"), "n-triples": (None, "nt"), "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"), "rdfxml": (None, "rdfxml"), "rdf": (None, "rdfxml"),
    "srj": ("json", "jsonld"), "srx": ("xml", "rdfxml"),  # the CLI's names (cli/formats.py)
}
_TEXT = ("text/",)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Bring the store up to date (in the background) and end the workers at shutdown."""
    service = SparqlService(app.state.backend, app.state.settings)
    app.state.sparql = service
    service.start()
    try:
        yield
    finally:
        service.stop()


router = APIRouter(tags=["sparql"], lifespan=lifespan)


def _service(request: Request) -> SparqlService:
    state = request.app.state
    if getattr(state, "sparql", None) is None:  # an app started without the router's lifespan
        state.sparql = SparqlService(state.backend, state.settings)
    service: SparqlService = state.sparql
    return service


def _formats(request: Request, fmt: str | None) -> tuple[str | None, str | None]:
    if fmt and fmt.lower() in FORMAT_NAMES:
        return FORMAT_NAMES[fmt.lower()]
    accept = request.headers.get("accept")
    chosen: list[str | None] = []
    for offers in (TABLE_OFFERS, GRAPH_OFFERS):
        try:
            chosen.append(offers[negotiate(accept, list(offers))])
        except NotAcceptable:
            chosen.append(None)
    if chosen == [None, None]:
        raise NotAcceptable(f"none of the requested media types is available ({accept})",
                            available=[*TABLE_OFFERS, *GRAPH_OFFERS][:8])
    return chosen[0], chosen[1]


_RDFLIB = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def _description(request: Request, fmt: str | None) -> Response:
    """The Service Description, in the RDF format asked for (Turtle for `*/*`)."""
    if fmt and fmt.lower() in FORMAT_NAMES:
        name = FORMAT_NAMES[fmt.lower()][1]
        if name is None:
            raise NotAcceptable(f"the service description is RDF, not {fmt}",
                                available=list(GRAPH_OFFERS)[:4])
    else:
        name = GRAPH_OFFERS[negotiate(request.headers.get("accept"), list(GRAPH_OFFERS))]
    graph = service_description(request.app.state.settings.base_iri)
    if name == "jsonld":
        body = graph.serialize(format="json-ld", encoding="utf-8", context=CONTEXT,
                               auto_compact=True)
    else:
        body = graph.serialize(format=_RDFLIB[name], encoding="utf-8")
    media = next(f.media_type for f in GRAPH_FORMATS if f.name == name)
    return Response(body, headers={"Vary": "Accept"},
                    media_type=f"{media}; charset=utf-8" if media.startswith(_TEXT) else media)


def _refuse_update() -> QueryRejected:
    return QueryRejected("this endpoint is read-only: SPARQL Update is refused and nothing was "
                         "changed", operation="update")


async def _answer(request: Request, query: str | None, fmt: str | None) -> Response:
    if query is None or not query.strip():
        raise BadRequest("missing `query`: send ?query=… (GET), a form field `query` or an "
                         f"{QUERY_MEDIA} body (POST)")
    table, graph = _formats(request, fmt)
    service, settings = _service(request), request.app.state.settings
    budget = Budget.for_console(settings)
    get = request.method in ("GET", "HEAD")
    answer, etag = await anyio.to_thread.run_sync(functools.partial(
        _run, service, query, table=table, graph=graph, timeout_ms=settings.query_timeout_ms,
        row_cap=settings.row_cap, budget=budget, etag=get))
    media = answer.media_type
    headers = {"Vary": "Accept"}
    if get:  # as the caching middleware would; it lets an answer with an ETag pass as it is
        headers["Cache-Control"] = f"public, max-age={settings.cache_max_age}"
    if answer.truncated:
        headers["X-Truncated"] = f"cut at {answer.count} (MIGKG_ROW_CAP)"
    return BoundedResponse(answer.body, budget, headers=headers, etag=etag,
                           media_type=f"{media}; charset=utf-8" if media.startswith(_TEXT) else media)


def _run(service: SparqlService, query: str, *, table: str | None, graph: str | None,
         timeout_ms: int, row_cap: int, budget: Budget, etag: bool) -> tuple[Answer, str | None]:
    """In a worker thread: the answer, and its ETag when asked (hashing a large one takes time)."""
    try:
        answer = service.query(query, table=table, graph=graph, timeout_ms=timeout_ms,
                               row_cap=row_cap, budget=budget)
    except (AnswerTooLarge, QueryTimeout):
        release_memory()
        raise
    return answer, etag_of(answer.body) if etag else None


RESULT_MEDIA = [*(f.media_type for f in TABLE_FORMATS), *(f.media_type for f in GRAPH_FORMATS)]
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "SELECT and ASK: SPARQL results (JSON, XML, CSV, TSV); CONSTRUCT and "
          "DESCRIBE: RDF (Turtle, N-Triples, JSON-LD, RDF/XML), by Accept. GET without a "
          "query: the SPARQL 1.1 Service Description, in RDF (Turtle unless Accept or "
          "`format` asks for N-Triples, JSON-LD or RDF/XML).",
          "content": {m: {} for m in RESULT_MEDIA}},
    **error_responses(400, 406, 422, 429, 503, 504),
}
DESCRIPTION = """A SPARQL 1.1 Protocol query endpoint over exactly the triples of
`/v1/export.nt` (same IRIs, qualified relationships, quotations). Read-only: an
update is refused (400). `GET /sparql` with no query answers the endpoint's SPARQL 1.1
Service Description (`sd:Service`: endpoint, language, result formats, the default
dataset linked to its VoID at `/dataset`), content-negotiated. The `migkg`, `rdf`, `rdfs`, `owl`, `xsd`, `prov`,
`dcterms`, `skos`, … prefixes are predeclared. Each query runs in a worker
process killed at `MIGKG_QUERY_TIMEOUT_MS` (504); results stop at `MIGKG_ROW_CAP`
rows or triples (`X-Truncated` says so); at most `MIGKG_CONSOLE_CONCURRENCY` queries
run at once, at most `MIGKG_CONSOLE_PER_CLIENT` from one client address (429 with
`Retry-After` beyond). A syntax error answers 400, "SPARQL syntax error at line L,
column C: …" in plain words, with `line` and `column` members; an unknown or repeated
field, 400 naming it. `SELECT *` lists its columns in the order the variables first
appear in the query.

An answer is also held to a budget while the worker reads it: at most
`MIGKG_CONSOLE_MAX_BYTES` bytes (its text as read, and as serialized) and
`MIGKG_CONSOLE_MAX_CELLS` values (bound terms). Past either the worker stops and the
answer is **422** `Answer too large` (problem+json naming the budget, its `limit`
and `setting`): narrow the query (fewer or shorter values, `LIMIT`, aggregates),
never a silently cut answer. The timeout covers the whole answer, from the request
to its last byte (a client that has not read it by then, or within a second of it
being ready, is cut off)."""
FormatQuery = Annotated[str | None, Query(
    max_length=MAX_VALUE_CHARS, description="Overrides Accept: " + ", ".join(FORMAT_NAMES))]


@router.get("/sparql", response_class=Response, summary="SPARQL query (GET)",
            description=DESCRIPTION, responses=RESPONSES)
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(max_length=20_000, description="The SPARQL query",
                                       examples=["SELECT * WHERE { ?s ?p ?o } LIMIT 10"])] = None,
    format: FormatQuery = None,  # noqa: A002
    output: FormatQuery = None,
) -> Response:
    if "update" in request.query_params:
        raise _refuse_update()
    fields = read_fields(request.query_params.multi_items(), FORMAT_NAMES)
    if fields.query is None:  # no query: the endpoint describes itself
        return _description(request, fields.format)
    async with query_slot(request, "sparql", "SPARQL queries"):
        return await _answer(request, fields.query, fields.format)


@router.post("/sparql", response_class=Response, summary="SPARQL query (POST)",
             description=DESCRIPTION, responses=RESPONSES, openapi_extra={"requestBody": {
                 "content": {
                     QUERY_MEDIA: {"schema": {"type": "string", "maxLength": 20_000}},
                     FORM_MEDIA: {"schema": {"type": "object", "required": ["query"],
                                             "properties": {"query": {"type": "string"}}}},
                 }, "required": True}})
async def sparql_post(request: Request, format: FormatQuery = None,  # noqa: A002
                      output: FormatQuery = None) -> Response:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8") from None
    if media == UPDATE_MEDIA:
        raise _refuse_update()
    if media == QUERY_MEDIA:
        fields = read_fields(request.query_params.multi_items(), FORMAT_NAMES, query_in_body=True)
        async with query_slot(request, "sparql", "SPARQL queries"):
            return await _answer(request, text, fields.format)
    if media == FORM_MEDIA:
        form = parse_form(text)
        if any(name == "update" for name, _ in form):
            raise _refuse_update()
        fields = read_fields([*request.query_params.multi_items(), *form], FORMAT_NAMES)
        async with query_slot(request, "sparql", "SPARQL queries"):
            return await _answer(request, fields.query, fields.format)
    raise BadRequest(f"unsupported content type {media or '(none)'!r}: send {QUERY_MEDIA} or "
                     f"{FORM_MEDIA}")


class SparqlExample(BaseModel):
    name: str
    title: str
    description: str
    query: str


@router.get("/v1/sparql/examples", response_model=list[SparqlExample],
            summary="Example SPARQL queries")
def list_examples() -> list[SparqlExample]:
    """The example queries of `ontology/queries/`, each the SPARQL twin of a named Cypher query."""
    return [SparqlExample(name=e.name, title=e.title, description=e.description, query=e.query)
            for e in examples()]
