"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import problems
from api.answers import return_memory_to_the_system
from api.caching import CachingMiddleware
from api.middleware import GuardMiddleware, HeadMiddleware, SecurityHeadersMiddleware
from api.routers import (
    cypher,
    docs,
    documents,
    entities,
    explorer,
    health,
    match,
    queries,
    rdf,
    reconcile,
    releases,
    search,
    sparql,
)
from api.startup import ensure_loaded, load_in_background
from graph import open_backend, own_engine
from graph.backend import GraphBackend
from graph.sandbox import console_of
from loaders.releases import Releases
from migkg import __version__
from migkg.settings import Settings, get_settings

if TYPE_CHECKING:
    from loaders.facts import Facts

log = logging.getLogger(__name__)
__all__ = ["create_app", "ensure_loaded"]

DESCRIPTION = """
A knowledge graph of the actors, routes and agreements of European cooperation
against irregular migration and people smuggling. Every node and relationship
carries its evidence: the source document and a short verbatim quote.

Entities can be named by id, ISO code, name or alias, ignoring case and accents.
Errors are RFC 9457 `application/problem+json`.
"""


def create_app(settings: Settings | None = None, backend: GraphBackend | None = None,
               facts: Facts | None = None) -> FastAPI:
    """Build the app; `backend` lets tests hand in their own graph.

    With its own embedded engine the app loads `settings.data` in the background when the
    graph is missing or stale (`facts`, when given, are that folder already validated):
    `/ready` answers 503 with the progress until then.
    """
    settings = settings or get_settings()
    pending = [facts]  # handed to the first load and dropped, not held for the app's life

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        return_memory_to_the_system()  # after large ad-hoc answers (api/answers.py)
        own = backend is None
        if own and settings.backend == "embedded":
            own_engine(settings)
        app.state.backend = backend or open_backend(settings)
        if own and settings.backend == "embedded":
            handed, pending[0] = pending[0], None  # a second start-up reads data/ itself
            app.state.first_load = load_in_background(app.state.backend, settings, handed)
        server = getattr(app.state.backend, "server", None)
        if server is not None:
            console_of(server).warm()
        try:
            yield
        finally:
            if server is not None:  # in-flight ad-hoc queries end now, not at their deadline
                console_of(server).stop()
            if own:
                app.state.backend.close()

    app = FastAPI(
        title="migration-kg API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api/routers/docs.py, with its own CSP
        redoc_url=None,
        responses=problems.error_responses(400, 413, 422, 500),
        openapi_tags=[
            {"name": "entities", "description": "Entities by kind, one entity, search."},
            {"name": "queries", "description": "The named Cypher query library."},
            {"name": "cypher", "description": "Ad-hoc read-only Cypher."},
            {"name": "sparql", "description": "SPARQL 1.1 over the RDF export, read-only."},
            {"name": "linked data", "description": "RDF dumps, the ontology and dereferenceable IRIs."},
            {"name": "releases", "description": "Releases, what changed between them, and "
                                                "each entity's history."},
            {"name": "reconciliation", "description": "W3C Reconciliation Service API 0.2 "
                                                      "(OpenRefine)."},
            {"name": "health", "description": "Liveness and readiness."},
        ],
    )
    app.state.settings = settings
    app.state.releases = Releases(settings.data)  # read when first asked for
    problems.install(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["*"])
    # Pure ASGI, outermost last: guard, HEAD, security headers, caching, CORS, app.
    app.add_middleware(CachingMiddleware, max_age=settings.cache_max_age,
                       cache_bytes=settings.response_cache_bytes,
                       digest_check_ms=settings.digest_check_ms)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes)
    for router in (health.router, search.router, entities.router, queries.router,
                   cypher.router, sparql.router, rdf.router, explorer.router, docs.router,
                   documents.router, releases.router, match.router, reconcile.router):
        app.include_router(router)
    return app
