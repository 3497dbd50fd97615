"""The one Jinja2 environment for the server's HTML pages, whose templates are in `api/templates/`.

Autoescaping is on for every template: a value reaches the page as text unless the code
wraps it in `Markup` itself (and only code that builds the markup does). An undefined name
raises (`StrictUndefined`) instead of rendering as an empty string, so a template and its
caller cannot drift apart silently. Named `pages`, not `templates`, because `api/templates/`
is the folder the templates live in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from graph.schema import Schema

# Built once: the environment caches compiled templates, so a page renders without reparsing.
ENV = Environment(
    loader=PackageLoader("api", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # templates ship with the code; no stat() per render
)


def render(template: str, **context: Any) -> str:
    """`template` (a file in `api/templates/`) rendered with `context`, values escaped."""
    return ENV.get_template(template).render(**context)


def id_path(schema: Schema, kind: str, ident: str) -> str:
    """The path of an entity's IRI page, the id percent-encoded: `/id/country/RS`."""
    return f"/id/{schema.node(kind).slug}/{quote(ident, safe='')}"
