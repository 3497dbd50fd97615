"""The analyst explorer: a small single-page app over the JSON API.

`GET /` answers one HTML page (plain ES modules, no build step) and `GET /static/...`
its scripts, styles and the vendored Cytoscape.js. The page only reads the public
JSON API (`/v1/...`), so every view it shows also answers as JSON. None of these
routes are in the OpenAPI document, which stays JSON-only.
"""

from __future__ import annotations

import json
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from markupsafe import Markup

from api.pages import render
from cypher import get_registry
from graph.entities import type_property
from graph.schema import get_schema
from migkg import __version__
from migkg.exc import NotFound

HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "static"

# The page loads only its own files and talks only to its own origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HTML_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin"}
# Server-rendered pages under other paths (`/id/...`) set `<base href="/">` so the
# explorer's `#/...` links lead to the explorer.
PAGE_HEADERS = {**HTML_HEADERS, "Content-Security-Policy": CSP.replace("base-uri 'none'",
                                                                        "base-uri 'self'")}
STATIC_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/css", ".css")

router = APIRouter(include_in_schema=False)

# How a relationship reads from one entity's side: (outgoing, incoming). The explorer's
# script reads this table from its config, and /id pages use it too: one wording, the
# schema's (graph/schema.py).
PHRASES: dict[str, tuple[str, str]] = {r.name: r.phrase for r in get_schema().relationships.values()}


def explorer_config() -> dict[str, Any]:
    """What the page needs to know about the schema: kinds, their slugs and relationship types."""
    schema = get_schema()
    kinds = [
        {"name": k.name, "slug": k.slug, "plural": k.plural, "description": k.description,
         "properties": list(k.properties), "type_property": type_property(k),
         "status_values": list(k.properties["status"].values) if "status" in k.properties else [],
         "has_date": "date" in k.properties}
        for k in schema.nodes.values()
    ]
    rels = [{"name": r.name, "label": r.title, "description": r.description, "source": list(r.source),
             "target": list(r.target)} for r in schema.relationships.values()]
    # The registry's own parameter types (JSON Schema says only "string" for entity,
    # search and date), so the query forms can offer suggestions for entities.
    reg = get_registry()
    params = {n: {p.name: p.type for p in reg.get(n).params.values()} for n in reg.names()}
    titles = {n: reg.get(n).title for n in reg.names()}
    return {"version": __version__, "kinds": kinds, "relationships": rels, "query_params": params,
            "query_titles": titles, "rel_phrases": PHRASES, "vocabulary": schema.vocabulary(),
            "date_properties": sorted(schema.date_properties())}


def _script_json(data: Any) -> str:
    """JSON safe to place inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=1)
def _config_json() -> str:
    return _script_json(explorer_config())


def shell_context() -> dict[str, Any]:
    """What `api/templates/index.html` needs from the code, for the explorer and every page
    extending it: the config as JSON already made safe for a <script> element (hence Markup:
    HTML-escaping it would corrupt the JSON) and the version."""
    return {"config": Markup(_config_json()), "version": __version__}


@lru_cache(maxsize=1)
def index_html() -> str:
    """The explorer's page: the shell with none of its blocks filled."""
    return render("index.html", **shell_context())


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def explorer_page() -> HTMLResponse:
    """The explorer; its views are hash routes such as `/#/entity/country/RS`."""
    return HTMLResponse(index_html(), headers=HTML_HEADERS)


@router.api_route("/static/{path:path}", methods=["GET", "HEAD"])
def static_file(path: str) -> FileResponse:
    """A file under `api/static`; nothing outside it, and no hidden files."""
    target = (STATIC / path).resolve()
    if (not target.is_relative_to(STATIC) or not target.is_file()
            or any(part.startswith(".") for part in target.relative_to(STATIC).parts)):
        raise NotFound(f"no static file {path!r}")
    return FileResponse(target, headers=STATIC_HEADERS)


def mount(app: FastAPI) -> None:
    """Add the explorer to `app` unless it is there already."""
    if not any(getattr(r, "path", "") == "/" for r in app.routes):
        app.include_router(router)
