"""FastAPI dependencies, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph.backend import GraphBackend
from graph.schema import Schema, get_schema
from migkg.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_backend(request: Request) -> GraphBackend:
    backend: GraphBackend = request.app.state.backend
    return backend


SettingsDep = Annotated[Settings, Depends(get_settings)]
BackendDep = Annotated[GraphBackend, Depends(get_backend)]
SchemaDep = Annotated[Schema, Depends(get_schema)]
