"""Releases and what changed between them (loaders/releases.py, loaders/changes.py).

- `/v1/releases`: every release, oldest first, in the one collection shape;
- `/v1/releases/{version}`: one release, with the links to its delta;
- `/v1/releases/{version}/delta.jsonl`: the statements it added and removed, JSON Lines;
- `/v1/changes?since=V&until=W`: the changed statements grouped by entity;
- `/v1/entities/{ref}/history`: what each release changed about one entity.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from api.collections import (
    FormatParam,
    LimitParam,
    OffsetParam,
    answer,
    collection_responses,
    paging,
)
from api.deps import BackendDep, ReleasesDep
from api.models import ChangePage, EntityHistory, ReleaseInfo, ReleaseList
from api.problems import error_responses
from graph.resolve import resolve
from loaders.changes import CSV_COLUMNS, Changes, csv_rows, entity_history
from loaders.releases import Release, Releases

router = APIRouter(tags=["releases"])
RELEASE_COLUMNS = ["version", "date", "previous", "statements", "added", "removed", "notes"]
REF_DOC = "A release version, or a date (YYYY-MM-DD): the latest release on or before it."
JSONL = "application/x-ndjson"


def _info(release: Release) -> ReleaseInfo:
    base = f"/v1/releases/{release.version}"
    links = {"self": base, "delta": f"{base}/delta.jsonl", "rdf_patch": f"{base}/delta.rdfp",
             "dump": f"{base}/dump.nt"}
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


def _changes(releases: Releases, request: Request) -> Changes:
    state = request.app.state
    found: Changes | None = getattr(state, "changes", None)
    if found is None or found.releases is not releases:
        found = state.changes = Changes(releases)
    return found


@router.get("/v1/changes", response_model=ChangePage,
            summary="What changed between two releases, grouped by entity",
            responses={**collection_responses(), **error_responses(404, 422)})
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
def get_history(ref: str, releases: ReleasesDep, backend: BackendDep) -> EntityHistory:
    """Per release, oldest first, the entity's added, removed and changed statements
    (its kind, properties, relationships and evidence, and the relationships that point
    at it). Releases that did not touch it are left out."""
    ident = resolve(backend, ref)
    return EntityHistory(entity=ident, items=entity_history(releases, ident))
