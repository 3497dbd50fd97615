"""Linked data: RDF dumps, the ontology, and dereferenceable entity IRIs.

`/id/{kind}/{id}` answers with content negotiation over Turtle, JSON-LD,
N-Triples, RDF/XML, JSON and HTML (`?format=` overrides Accept); every answer
varies on Accept. IRIs are minted under `settings.base_iri`. Its RDF carries
`migkg:firstSeen`/`lastSeen` from the releases (ontology/seen.py), and
`/.well-known/void` describes the dataset with its releases: both change when a
release is recorded, without a load, which the response cache follows (its key holds
the release files' stamp, api/caching.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from rdflib import Graph

from api.caching import etag_matches
from api.deps import BackendDep, ReleasesDep, SettingsDep
from api.entity_page import entity_page_html
from api.export_files import dump_file
from api.ontology_page import ontology_html, relationship_html
from api.problems import error_responses
from api.routers.entities import entity_detail
from api.routers.explorer import PAGE_HEADERS
from graph.backend import GraphBackend
from graph.entities import get_entity
from graph.meta import read_meta
from graph.schema import get_schema
from loaders.releases import Releases
from migkg import __version__
from migkg.exc import BackendUnavailable, NotAcceptable, NotFound
from migkg.settings import Settings
from ontology.context import context_json, context_url, referencing
from ontology.describe import (
    Description,
    Link,
    description_graph,
    description_json,
    read_description,
    read_relationship,
    relationship_graph,
    relationship_json,
)
from ontology.export import FORMATS, Format, export_bytes, serialize
from ontology.mapping import Mapper
from ontology.negotiate import negotiate
from ontology.owl import bind, build_ontology, ontology_turtle
from ontology.releases import describe_releases
from ontology.seen import seen_triples
from ontology.shapes import shapes_turtle
from sparql.store import current, graph_stamp, store_root

router = APIRouter(tags=["linked data"])

HTML, JSON = "text/html", "application/json"
RDF_MEDIA = {f.media_type: f for f in FORMATS.values()}
# Server preference when the client accepts several equally: RDF first, since
# browsers ask for text/html explicitly and `*/*` is a generic client. One rule for
# every negotiated document (`/id`, `/ontology`, `/dataset`): `*/*` or no Accept is Turtle.
ENTITY_OFFERS = [*RDF_MEDIA, JSON, HTML]
ONTOLOGY_OFFERS = [*RDF_MEDIA, HTML]
FORMAT_PARAM = {**{f.extension: f.media_type for f in FORMATS.values()},
                "json": JSON, "html": HTML}
FormatQuery = Annotated[str | None, Query(
    pattern=f"^({'|'.join(FORMAT_PARAM)})$",
    description="Overrides the Accept header: " + ", ".join(FORMAT_PARAM))]
ContextQuery = Annotated[Literal["inline"] | None, Query(
    description="JSON-LD only: `inline` puts the whole context in the document instead of "
    "referencing it by URL (`{base}/ontology/context.jsonld`)")]
_CHARSET = {"text/turtle", HTML}


def _content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media in _CHARSET else media


def _alternates(path: str, offers: list[str]) -> list[tuple[str, str]]:
    by_media = {m: ext for ext, m in FORMAT_PARAM.items()}
    return [(m, f"{path}?format={by_media[m]}") for m in offers]


def _negotiated(request: Request, fmt: str | None, offers: list[str]) -> str:
    if fmt is None:
        return negotiate(request.headers.get("accept"), offers)
    if FORMAT_PARAM[fmt] not in offers:
        raise NotAcceptable(f"format {fmt!r} is not available here", available=offers)
    return FORMAT_PARAM[fmt]


def _headers(alternates: list[tuple[str, str]]) -> dict[str, str]:
    link = ", ".join(f'<{href}>; rel="alternate"; type="{media}"' for media, href in alternates)
    return {"Vary": "Accept", "Link": link}


def _rdf_body(graph: Graph, media: str, base: str, context: str | None) -> bytes:
    """`graph` in an RDF format; JSON-LD references the context by URL unless asked inline."""
    body = serialize(graph, RDF_MEDIA[media].name)
    if RDF_MEDIA[media].name == "jsonld" and context != "inline":
        return referencing(body, context_url(base))
    return body


@lru_cache(maxsize=4)
def _mapper(base: str) -> Mapper:
    return Mapper(base)


def _content(media: list[str]) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": "OK", "content": {m: {} for m in media}}}


# -- dumps ------------------------------------------------------------------------------


def _export_etag(backend: GraphBackend, base_iri: str, fmt: Format) -> str:
    """An ETag from the loaded graph's digest and load time (the dump carries it), the
    base IRI, the format and the code version; BackendUnavailable when nothing is loaded."""
    meta = read_meta(backend)
    if not meta.get("digest"):
        raise BackendUnavailable("the graph is not loaded")
    key = "|".join([str(meta["digest"]), str(meta.get("loaded_at")), base_iri, fmt.name,
                    __version__])
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _export_endpoint(fmt: Format) -> Callable[..., Response]:
    def export(request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
        etag = _export_etag(backend, settings.base_iri, fmt)
        cache_headers = {"ETag": etag, "Cache-Control": f"public, max-age={settings.cache_max_age}"}
        if etag_matches(etag, request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=cache_headers)
        path = _dump_path(backend, settings, fmt, etag)  # one read of the digest, not two
        headers = {"Content-Disposition": f'attachment; filename="migkg.{fmt.extension}"',
                   **cache_headers}
        return FileResponse(path, media_type=_content_type(fmt.media_type), headers=headers)

    export.__name__ = f"export_{fmt.name}"
    return export


for _fmt in FORMATS.values():
    router.add_api_route(
        f"/v1/export.{_fmt.extension}", _export_endpoint(_fmt), methods=["GET"],
        response_class=Response, summary=f"The whole graph as {_fmt.media_type}",
        description="Every entity and relationship with its properties and evidence, and a "
        "VoID/DCAT description of the dataset. Built once per graph digest into a file under "
        "`MIGKG_HOME/exports` and served from it, with an `ETag` from the graph's digest "
        "(`If-None-Match` answers 304) and byte ranges (`Range` answers 206).",
        responses={**_content([_fmt.media_type]), 206: {"description": "Partial content"},
                   304: {"description": "Not modified"},
                   416: {"description": "Range not satisfiable"}, **error_responses(503)},
    )


# -- the dataset and its releases (VoID / DCAT) -----------------------------------------

VOID_OFFERS = list(RDF_MEDIA)


def _dump_path(backend: GraphBackend, settings: Settings, fmt: Format,
               etag: str | None = None) -> Path:
    """The dump's file (built when missing); `etag`, when the caller read it already."""
    etag = etag or _export_etag(backend, settings.base_iri, fmt)
    return dump_file(settings.home, etag, fmt.extension,
                     lambda: export_bytes(backend, settings.base_iri, fmt.name))


def dump_description(path: Path, base: str) -> str:
    """The N-Triples dump's dataset description: its last lines, after the last data triple
    (every data triple's subject is under `{base}/id/`); read from the end of the file."""
    data = f"<{base}/id/".encode()
    size, block = path.stat().st_size, 1 << 16
    with path.open("rb") as f:
        while True:
            start = max(0, size - block)
            f.seek(start)
            lines = f.read().split(b"\n")[1 if start else 0:]  # the first may be cut
            tail: list[bytes] = []
            for line in reversed(lines):
                if line.startswith(data):
                    return b"".join(x + b"\n" for x in reversed(tail)).decode("utf-8")
                if line:
                    tail.append(line)
            if not start:
                return b"".join(x + b"\n" for x in reversed(tail)).decode("utf-8")
            block *= 4


def _dataset_description(backend: GraphBackend, settings: Settings) -> str:
    """The live dataset's VoID/DCAT as the dumps end with it: kept by the SPARQL store when
    it holds the loaded graph, else read from the N-Triples dump's file (built once per
    graph, as `/v1/export.nt` serves it)."""
    generation = current(store_root(settings.home, backend))
    if (generation is not None and generation.dataset
            and generation.stamp == graph_stamp(backend, settings.base_iri)):
        return generation.dataset
    return dump_description(_dump_path(backend, settings, FORMATS["nt"]), settings.base_iri)


_VOID_RESPONSES = {**_content(VOID_OFFERS), 304: {"description": "Not modified"},
                   **error_responses(406, 503)}


@router.get("/.well-known/void", response_class=Response,
            summary="The dataset and its releases (VoID / DCAT)", responses=_VOID_RESPONSES)
def well_known_void(request: Request, backend: BackendDep, settings: SettingsDep,
                    releases: ReleasesDep, format: FormatQuery = None,  # noqa: A002
                    context: ContextQuery = None) -> Response:
    """The VoID/DCAT description the dumps end with (`{base}/dataset`: counts,
    partitions, dumps, SPARQL endpoint), and each release as a DCAT 3 version of it
    (`dcat:hasVersion`; `dcat:version`, `dcterms:issued`, `migkg:releaseDigest`,
    `dcat:previousVersion`, and its `dump.nt`, `delta.rdfp` and `delta.jsonl`
    distributions). Turtle unless Accept (or `?format=`) asks for another RDF format."""
    media = _negotiated(request, format, VOID_OFFERS)
    graph = bind(Graph())
    graph.parse(data=_dataset_description(backend, settings), format="nt")
    for triple in describe_releases(settings.base_iri, releases.index()):
        graph.add(triple)
    return Response(_rdf_body(graph, media, settings.base_iri, context),
                    media_type=_content_type(media),
                    headers=_headers(_alternates(request.url.path, VOID_OFFERS)))


@router.get("/dataset", response_class=Response,
            summary="The dataset IRI: its VoID / DCAT description", responses=_VOID_RESPONSES)
def dataset(request: Request, backend: BackendDep, settings: SettingsDep,
            releases: ReleasesDep, format: FormatQuery = None,  # noqa: A002
            context: ContextQuery = None) -> Response:
    """`{base}/dataset` dereferenced: the same description as `/.well-known/void`."""
    return well_known_void(request, backend, settings, releases, format, context)


@router.get("/dataset/{version}", response_class=Response,
            summary="A release of the dataset (DCAT 3 version)",
            responses={**_content(VOID_OFFERS), **error_responses(404, 406)})
def dataset_version(version: str, request: Request, settings: SettingsDep,
                    releases: ReleasesDep, format: FormatQuery = None,  # noqa: A002
                    context: ContextQuery = None) -> Response:
    """`{base}/dataset/{version}` dereferenced: the release as `/.well-known/void` describes
    it (version, date, digest, notes, previous version, its three distributions)."""
    media = _negotiated(request, format, VOID_OFFERS)
    index = releases.index()
    chosen = [r for r in index if r.version == version]
    if not chosen:
        raise NotFound(f"no release {version!r}; the releases are "
                       + (", ".join(r.version for r in index) or "none yet"))
    graph = bind(Graph())
    for triple in describe_releases(settings.base_iri, chosen):
        graph.add(triple)
    return Response(_rdf_body(graph, media, settings.base_iri, context),
                    media_type=_content_type(media),
                    headers=_headers(_alternates(request.url.path, VOID_OFFERS)))


# -- ontology ---------------------------------------------------------------------------

@lru_cache(maxsize=3)
def _generated(name: str) -> str:
    """A generated file's text, rendered from the running schema once."""
    return {"ontology": ontology_turtle, "shapes": shapes_turtle, "context": context_json}[name]()


@router.get("/ontology", response_class=Response, summary="The ontology (HTML or RDF)",
            responses={**_content(ONTOLOGY_OFFERS), **error_responses(406)})
def ontology(request: Request, settings: SettingsDep, format: FormatQuery = None,  # noqa: A002
             context: ContextQuery = None) -> Response:
    """Classes and properties generated from the schema: Turtle for `*/*` (as `/id`), HTML
    when the client asks for it (a browser does), or another RDF format."""
    media = _negotiated(request, format, ONTOLOGY_OFFERS)
    alternates = _alternates(request.url.path, ONTOLOGY_OFFERS)
    if media == HTML:
        return HTMLResponse(_ontology_html(), headers=_headers(alternates))
    body = _rdf_body(build_ontology(), media, settings.base_iri, context)
    return Response(body, media_type=_content_type(media), headers=_headers(alternates))


@lru_cache(maxsize=1)
def _ontology_html() -> str:
    return ontology_html(build_ontology(), _alternates("/ontology", list(RDF_MEDIA)))


@router.get("/ontology.ttl", response_class=Response, summary="The ontology in Turtle",
            responses=_content(["text/turtle"]))
def ontology_ttl() -> Response:
    """The OWL ontology generated from `ontology/schema.yaml` (`ontology/migkg.ttl`)."""
    return Response(_generated("ontology"), media_type=_content_type("text/turtle"))


@router.get("/ontology/shapes.ttl", response_class=Response,
            summary="SHACL shapes for the exported data", responses=_content(["text/turtle"]))
def shapes_ttl() -> Response:
    """Closed SHACL shapes, generated from the schema, that every export conforms to."""
    return Response(_generated("shapes"), media_type=_content_type("text/turtle"))


@router.get("/ontology/context.jsonld", response_class=Response,
            summary="The JSON-LD context", responses=_content(["application/ld+json"]))
def context_jsonld() -> Response:
    """The JSON-LD context used by `/v1/export.jsonld`: the schema's names as terms."""
    return Response(_generated("context"), media_type="application/ld+json")


# -- entity IRIs ------------------------------------------------------------------------

@router.get("/id/{kind}/{ident}", response_class=Response,
            summary="Dereference an entity or relationship IRI",
            responses={**_content(ENTITY_OFFERS), **error_responses(404, 406)},
            openapi_extra={"responses": {"200": {"content": {JSON: {"schema": {"anyOf": [
                {"$ref": "#/components/schemas/EntityDetail"},
                {"type": "object", "description": "A relationship (`/id/rel/...`)."}]}}}}}})
def entity(kind: str, ident: str, request: Request, backend: BackendDep,
           settings: SettingsDep, releases: ReleasesDep, format: FormatQuery = None,  # noqa: A002
           context: ContextQuery = None) -> Response:
    """`{base}/id/{kind}/{id}` described in the negotiated format.

    RDF: the entity's triples, its relationships both ways (direct triple and
    qualified node with evidence) and the far ends' classes and labels, and the
    releases (`migkg:firstSeen`, `migkg:lastSeen`) that first and last held the
    entity, each relationship and each quotation as they stand now. JSON: the entity
    as `/v1/{kind}/{ref}` answers it (`EntityDetail`), a relationship in its own
    shape. HTML: the explorer's entity page, rendered on the server (readable without
    JavaScript) and linking the alternates. `kind` `rel` names a qualified
    relationship node.

    A suffix names the format instead of Accept: `/id/country/RS.ttl` (`.nt`, `.jsonld`,
    `.rdf`, `.json`, `.html`), when the rest is an existing id; otherwise the whole
    segment is the id. A negotiated answer names its suffixed URL in `Content-Location`.
    """
    mapper = _mapper(settings.base_iri)
    schema = get_schema()
    found: Link | Description | None = None
    suffix: str | None = None
    for name, ext in _suffix_candidates(ident):
        found = _lookup(backend, mapper, kind, name)
        if found is not None:
            ident, suffix = name, ext
            break
    if found is None:
        raise NotFound(f"no relationship {ident!r}" if kind == "rel" else f"no {kind} {ident!r}")
    path = request.url.path.removesuffix(f".{suffix}") if suffix else request.url.path
    alternates = _alternates(path, ENTITY_OFFERS)
    headers = _headers(alternates)
    if suffix is None:
        media = _negotiated(request, format, ENTITY_OFFERS)
        headers["Content-Location"] = f"{path}.{_EXTENSION[media]}"
    else:
        media = FORMAT_PARAM[suffix]
        if format is not None and FORMAT_PARAM[format] != media:
            raise NotAcceptable(f"the `.{suffix}` suffix asks for {media} and `?format={format}` "
                                f"for {FORMAT_PARAM[format]}: give one", available=[media])
        del headers["Vary"]  # the suffix fixes the format
    as_graph: Callable[[], Graph]
    as_json: Callable[[], dict[str, Any]]
    seen: Callable[[Releases, Mapper], list[Any]]
    if isinstance(found, Link):
        link = found
        as_graph = partial(relationship_graph, link, mapper)
        seen = partial(_seen, link=link)
        as_json = partial(relationship_json, link, mapper)
        if media == HTML:
            return HTMLResponse(relationship_html(as_json(), schema, alternates), headers=headers)
    else:
        desc = found
        as_graph = partial(description_graph, desc, mapper)
        seen = partial(_seen, desc=desc)
        as_json = partial(description_json, desc, mapper)
        if media == HTML:
            page = get_entity(backend, schema, ident)
            page["iri"] = str(mapper.iri(desc.kind.name, ident))
            return HTMLResponse(entity_page_html(page, schema, alternates),
                                headers={**headers, **PAGE_HEADERS})
        if media == JSON:  # the one entity shape, as /v1/{kind}/{ref} answers it
            detail = entity_detail(request, backend, releases, settings.base_iri, ident,
                                   desc.kind.name)
            return Response(orjson.dumps(detail.model_dump(mode="json")), media_type=JSON,
                            headers=headers)
    if media in RDF_MEDIA:
        graph = as_graph()
        for triple in seen(releases, mapper):
            graph.add(triple)
        return Response(_rdf_body(graph, media, settings.base_iri, context),
                        media_type=_content_type(media), headers=headers)
    return Response(orjson.dumps(as_json()), media_type=JSON, headers=headers)


_EXTENSION = {media: ext for ext, media in FORMAT_PARAM.items()}


def _suffix_candidates(ident: str) -> list[tuple[str, str | None]]:
    """`RS.ttl` may be RS in Turtle (tried first) or an id `RS.ttl`; `RS` is only RS."""
    stem, dot, ext = ident.rpartition(".")
    if dot and stem and ext in FORMAT_PARAM:
        return [(stem, ext), (ident, None)]
    return [(ident, None)]


def _lookup(backend: GraphBackend, mapper: Mapper, kind: str,
            ident: str) -> Link | Description | None:
    """The relationship (`kind` `rel`) or the entity `/id/{kind}/{ident}` names, if any."""
    if kind == "rel":
        return read_relationship(backend, mapper, f"{mapper.base}/id/rel/{ident}")
    schema = get_schema()
    spec = schema.kind_by_slug(kind)
    if spec is None or spec.slug != kind:  # IRIs use the slug, not the plural
        return None
    return read_description(backend, spec, ident, schema)


def _seen(releases: Releases, mapper: Mapper, **described: Any) -> list[Any]:
    """firstSeen/lastSeen of what an `/id/` answer describes (ontology/seen.py)."""
    by_version = {r.version: r for r in releases.index()}
    if not by_version:
        return []
    return seen_triples(mapper, releases.history(), by_version, **described)
