"""FastAPI dependencies, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

from graph.backend import GraphBackend
from graph.schema import Schema, get_schema
from loaders.releases import Releases
from migkg.settings import Settings

RELEASE_HEADER = "Migkg-Release"
AS_OF_DOC = ("Answer as the graph stood in a release: its version, or a date (YYYY-MM-DD) for "
             "the latest release on or before it (`/v1/releases` lists them). The answer's "
             "`release` and its `Migkg-Release` header name the release.")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_backend(request: Request) -> GraphBackend:
    backend: GraphBackend = request.app.state.backend
    return backend


def get_releases(request: Request) -> Releases:
    releases: Releases = request.app.state.releases  # made with the app (api/app.py)
    return releases


def get_read_backend(
    request: Request, response: Response,
    as_of: Annotated[str | None, Query(min_length=1, max_length=40, description=AS_OF_DOC,
                                       examples=["2026-12-07"])] = None,
) -> GraphBackend:
    """The live graph, or with `as_of` the graph of that release (loaders/timetravel.py)."""
    if as_of is None:
        return get_backend(request)
    from loaders.timetravel import TimeTravel

    releases = get_releases(request)
    release = releases.get(as_of, "as_of")
    state = request.app.state
    travel: TimeTravel | None = getattr(state, "time_travel", None)
    if travel is None:
        travel = state.time_travel = TimeTravel(state.settings, releases)
    response.headers[RELEASE_HEADER] = release.version
    request.state.release = release_ref(release)
    return travel.backend(release)


def release_ref(release: Any) -> dict[str, Any]:
    return {"version": release.version, "date": release.date}


def answered_release(request: Request) -> dict[str, Any] | None:
    """The release an answer is from (`as_of`), or None for the live graph."""
    return getattr(request.state, "release", None)


SettingsDep = Annotated[Settings, Depends(get_settings)]
BackendDep = Annotated[GraphBackend, Depends(get_backend)]
ReadBackendDep = Annotated[GraphBackend, Depends(get_read_backend)]
ReleasesDep = Annotated[Releases, Depends(get_releases)]
SchemaDep = Annotated[Schema, Depends(get_schema)]
