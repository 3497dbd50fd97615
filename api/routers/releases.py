"""Releases and what changed between them (loaders/releases.py, loaders/changes.py).

- `/v1/releases`: every release, oldest first, in the one collection shape;
- `/v1/releases/{version}`: one release, with the links to its delta;
- `/v1/releases/{version}/delta.jsonl`: the statements it added and removed, JSON Lines;
- `/v1/releases/{version}/dump.nt`: its data as N-Triples, sorted (api/release_files.py);
- `/v1/releases/{version}/delta.rdfp`: the RDF Patch from the previous release's dump;
- `/v1/changes?since=V&until=W`: the changed statements grouped by entity;
- `/v1/entities/{ref}/history`: what each release changed about one entity.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse

from api import release_files
from api.caching import etag_matches
from api.collections import (
    FormatParam,
    LimitParam,
    OffsetParam,
    answer,
    collection_responses,
    paging,
)
from api.deps import BackendDep, ReleasesDep, SettingsDep
from api.models import ChangePage, EntityHistory, ReleaseInfo, ReleaseList
from api.problems import error_responses
from graph.resolve import resolve
from loaders.changes import CSV_COLUMNS, Changes, csv_rows, entity_history
from loaders.releases import Release, Releases
from migkg.settings import Settings
from ontology.releases import NT_MEDIA, PATCH_MEDIA, release_paths

router = APIRouter(tags=["releases"])
RELEASE_COLUMNS = ["version", "date", "previous", "statements", "added", "removed", "notes"]
REF_DOC = "A release version, or a date (YYYY-MM-DD): the latest release on or before it."
JSONL = "application/x-ndjson"


def _info(release: Release) -> ReleaseInfo:
    links = {"self": f"/v1/releases/{release.version}", **release_paths(release.version)}
    if release.previous:
        links["changes"] = f"/v1/changes?since={release.previous}&until={release.version}"
    return ReleaseInfo(**release.describe(), links=links)


@router.get("/v1/releases", response_model=ReleaseList, summary="Every release, oldest first",
            responses={**collection_responses(), **error_responses(422)})
def list_releases(request: Request, response: Response, releases: ReleasesDep,
                  limit: LimitParam = 100, offset: OffsetParam = 0,
                  format: FormatParam = None) -> Any:  # noqa: A002
    """The releases recorded with `migkg release`, each with its date, counts, notes and
    the links to its delta and to the changes since the release before it."""
    found = releases.index()
    items = [_info(r) for r in found[offset:offset + limit]]
    body = ReleaseList(items=items, **paging(request, response, len(found), limit, offset))
    rows = ([getattr(i, c) for c in RELEASE_COLUMNS] for i in items)
    return answer(request, response, body, format, RELEASE_COLUMNS, rows, "releases")


@router.get("/v1/releases/{version}", response_model=ReleaseInfo, summary="One release",
            responses=error_responses(404))
def get_release(version: str, releases: ReleasesDep) -> ReleaseInfo:
    """`version` may also be a date: the latest release on or before it."""
    return _info(releases.get(version))


def _lines(added: list[dict[str, Any]], removed: list[dict[str, Any]]) -> Iterator[bytes]:
    for op, statements in (("-", removed), ("+", added)):
        for s in statements:
            yield (json.dumps({"op": op, **s}, ensure_ascii=False) + "\n").encode()


@router.get("/v1/releases/{version}/delta.jsonl", summary="A release's delta as JSON Lines",
            response_class=StreamingResponse,
            responses={200: {"content": {JSONL: {}}, "description": "One statement per line"},
                       **error_responses(404)})
def release_delta(version: str, releases: ReleasesDep) -> StreamingResponse:
    """The statements this release removed (`"op": "-"`) and added (`"op": "+"`) against
    the release before it; the first release adds all of its statements."""
    release = releases.get(version)
    added, removed = releases.delta(release.version)
    return StreamingResponse(_lines(added, removed), media_type=JSONL, headers={
        "Content-Disposition": f'attachment; filename="migkg-{release.version}-delta.jsonl"'})


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    206: {"description": "Partial content"}, 304: {"description": "Not modified"},
    416: {"description": "Range not satisfiable"}, **error_responses(404)}


def _release_file(request: Request, releases: Releases, settings: Settings, version: str,
                  extension: str, media_type: str,
                  build: Callable[[Path, Releases, Release, str], Path]) -> Response:
    """A release's file, built once (api/release_files.py), with an ETag of the release's
    digest and of the code it follows from; `If-None-Match` answers 304."""
    release = releases.get(version)
    etag = release_files.etag(release, settings.base_iri, extension)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={settings.cache_max_age}"}
    if etag_matches(etag, request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    path = build(settings.home, releases, release, settings.base_iri)
    headers["Content-Disposition"] = (
        f'attachment; filename="migkg-{release.version}.{extension}"')
    return FileResponse(path, media_type=media_type, headers=headers)


@router.get("/v1/releases/{version}/dump.nt", summary="A release's data as N-Triples",
            response_class=Response,
            responses={200: {"content": {NT_MEDIA: {}}, "description": "Sorted N-Triples"},
                       **FILE_RESPONSES})
def release_dump(version: str, request: Request, releases: ReleasesDep,
                 settings: SettingsDep) -> Response:
    """Every data triple of the release (its statements exported as `/v1/export.nt`
    exports the graph, without the dataset description), one per line, sorted: the same
    release always gives the same bytes. Built once into `MIGKG_HOME/cache/releases`;
    answers `Range` (206) and `If-None-Match` (304). `/.well-known/void` describes it."""
    return _release_file(request, releases, settings, version, "nt", NT_MEDIA,
                         release_files.dump_file)


@router.get("/v1/releases/{version}/delta.rdfp",
            summary="A release's change to the previous release's dump, as RDF Patch",
            response_class=Response,
            responses={200: {"content": {PATCH_MEDIA: {}}, "description": "RDF Patch"},
                       **FILE_RESPONSES})
def release_patch(version: str, request: Request, releases: ReleasesDep,
                  settings: SettingsDep) -> Response:
    """RDF Patch (https://afs.github.io/rdf-patch/) that turns the previous release's
    `dump.nt` into this one's: `H id` (a `urn:uuid:` from the release's digest and its
    dump), `H prev` (the previous release's patch id), then one transaction, `TX .`, a
    `D` row per triple removed and an `A` row per triple added (each sorted), `TC .`.
    The first release's patch adds its whole dump."""
    return _release_file(request, releases, settings, version, "rdfp", PATCH_MEDIA,
                         release_files.patch_file)


def _changes(releases: Releases, request: Request) -> Changes:
    state = request.app.state
    found: Changes | None = getattr(state, "changes", None)
    if found is None or found.releases is not releases:
        found = state.changes = Changes(releases)
    return found


@router.get("/v1/changes", response_model=ChangePage,
            summary="What changed between two releases, grouped by entity",
            responses={**collection_responses(), **error_responses(404, 409, 422)})
def list_changes(
    request: Request, response: Response, releases: ReleasesDep, backend: BackendDep,
    since: Annotated[str, Query(max_length=40, description=REF_DOC, examples=["2026.12.1"])],
    until: Annotated[str | None, Query(max_length=40, description=REF_DOC + " Default: the "
                                       "latest release.")] = None,
    entity: Annotated[str | None, Query(max_length=200, description=(
        "Only this entity's changes (an id, name or alias)"))] = None,
    limit: LimitParam = 50, offset: OffsetParam = 0, format: FormatParam = None,  # noqa: A002
) -> Any:
    """Each item is one entity with its added, removed and changed statements: a property,
    a relationship with its qualifiers, an evidence item or the entity itself, each with
    its old and new values and the evidence behind it. Paged by entity; as CSV, one row
    per change. An unknown version answers 404 with the list of versions."""
    found = _changes(releases, request).between(since, until)
    groups = found.groups
    if entity is not None:
        ident = _entity_id(backend, entity, groups)
        groups = [g for g in groups if g["entity"]["id"] == ident]
    page = groups[offset:offset + limit]
    body = ChangePage(since=_info(found.since), until=_info(found.until), items=page,
                      statements=sum(len(g["changes"]) for g in groups),
                      **paging(request, response, len(groups), limit, offset))
    return answer(request, response, body, format, CSV_COLUMNS, csv_rows(page),
                  f"changes-{found.since.version}-{found.until.version}")


def _entity_id(backend: Any, ref: str, groups: list[dict[str, Any]]) -> str:
    """An id of the changes (an entity no longer in the graph), else resolved in the graph."""
    if any(g["entity"]["id"] == ref for g in groups):
        return ref
    return resolve(backend, ref)


@router.get("/v1/entities/{ref}/history", response_model=EntityHistory,
            summary="What each release changed about one entity",
            responses=error_responses(404, 409))
def get_history(ref: str, request: Request, releases: ReleasesDep,
                backend: BackendDep) -> EntityHistory:
    """Per release, oldest first, the entity's added, removed and changed statements
    (its kind, properties, relationships and evidence, and the relationships that point
    at it, with both ends named). Releases that did not touch it are left out."""
    ident = resolve(backend, ref)
    return EntityHistory(entity=ident, items=entity_history(_changes(releases, request), ident))
