"""The explorer's entity page rendered on the server, for `/id/{kind}/{id}` as text/html.

A person following an IRI lands on the same page, with the same header, navigation
and styles, as the explorer's `#/entity/{kind}/{id}` view. The content is readable
without JavaScript (name, properties, evidence with its sources' titles, relationships);
when the explorer's script loads it renders the interactive view in its place.
Every value from the graph is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from api.routers.explorer import PHRASES, render_page
from graph.schema import Schema

# Properties shown first, in this order; the rest follow as stored.
ORDER = ["id", "title", "agreement_type", "policy_type", "org_type", "event_type", "doc_type",
         "place_type", "status", "date", "date_text", "period", "location", "value", "unit",
         "qualifier", "measures", "topic", "label", "framework", "position", "publisher", "url",
         "reference_names", "reference_basis", "wikidata", "pages", "confidence", "note", "file"]


def humanize(key: str) -> str:
    """`agreement_type` -> `Agreement type`."""
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def rel_phrase(rel_type: str, direction: str) -> str:
    """How a relationship reads from this side: `Covered by`, `Party to`."""
    if rel_type in PHRASES:
        return PHRASES[rel_type][0 if direction == "out" else 1]
    return humanize(rel_type.lower()) + (" (incoming)" if direction == "in" else "")


def code_text(text: str) -> str:
    """Escaped help text with its `backticked` words as <code>."""
    parts = escape(text).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: keep the text as it is
        return escape(text)
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _scalar(key: str, value: Any) -> str:
    text = str(value)
    if key == "wikidata":
        href = f"https://www.wikidata.org/wiki/{quote(text)}"
        return f'<a href="{escape(href)}" rel="noopener noreferrer">{escape(text)}</a>'
    if text.startswith(("https://", "http://")):
        return f'<a href="{escape(text)}" rel="noopener noreferrer">{escape(text)}</a>'
    return escape(text)


def _value(key: str, value: Any) -> str:
    """One value per line: a list becomes a list, never a joined string."""
    if isinstance(value, list):
        items = "".join(f"<li>{_scalar(key, v)}</li>" for v in value)
        return f'<ul class="values">{items}</ul>'
    return _scalar(key, value)


def _props(props: dict[str, Any]) -> str:
    keys = [k for k in ORDER if k in props] + [k for k in props if k not in ORDER]
    rows = "".join(f"<dt>{escape(humanize(k))}</dt><dd>{_value(k, props[k])}</dd>"
                   for k in keys if props[k] not in (None, "", []))
    return f'<dl class="props">{rows}</dl>' if rows else ""


def _href(schema: Schema, kind: str, ident: str) -> str:
    return f"/id/{schema.node(kind).slug}/{quote(ident, safe='')}"


def evidence_html(evidence: list[dict[str, Any]], documents: dict[str, dict[str, Any]],
                  schema: Schema, seen: set[tuple[str, str]]) -> str:
    """One figure per source document with its quotes and the source's title; a quote in
    `seen` (shown higher up the page) is not repeated."""
    by_doc: dict[str, list[str]] = {}
    for item in evidence:
        key = (item["doc"], item["quote"])
        if key not in seen:
            seen.add(key)
            by_doc.setdefault(item["doc"], []).append(item["quote"])
    if evidence and not by_doc:
        return '<p class="muted small evidence-seen">Evidence quoted above.</p>'
    out = []
    for doc, quotes in by_doc.items():
        info = documents.get(doc) or {}
        title = info.get("title") or doc
        extra = ", ".join(escape(str(info[k])) for k in ("publisher", "date") if info.get(k))
        original = (f' · <a href="{escape(info["url"])}" rel="noopener noreferrer">original ↗</a>'
                    if info.get("url") else "")
        body = "".join(f"<p>“{escape(q)}”</p>" for q in quotes)
        out.append(f'<figure class="evidence"><blockquote>{body}</blockquote><figcaption>'
                   f'Source: <a href="{escape(_href(schema, "Document", doc))}">'
                   f"{escape(str(title))}</a>{', ' + extra if extra else ''}{original}"
                   "</figcaption></figure>")
    return "".join(out)


def _badge(schema: Schema, kind: str) -> str:
    return f'<span class="badge kind-{escape(schema.node(kind).slug)}">{escape(kind)}</span>'


def _relationships(data: dict[str, Any], schema: Schema, seen: set[tuple[str, str]]) -> str:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rel in data["relationships"]:
        groups.setdefault((rel["type"], rel["direction"]), []).append(rel)
    out = []
    for (rtype, direction), rels in sorted(groups.items()):
        hid = f"rel-{rtype}-{direction}"
        arrow = f"{rtype} →" if direction == "out" else f"← {rtype}"
        desc = schema.relationships[rtype].description if rtype in schema.relationships else ""
        items = []
        for rel in rels:
            other = rel["other"]
            props = {k: v for k, v in rel["properties"].items()
                     if v not in (None, "", []) and k != "note"}
            chips = "".join(f'<span class="chip"><span class="chip-key">{escape(humanize(k))}: '
                            f"</span>{_value(k, v)}</span>" for k, v in props.items())
            note = rel["properties"].get("note")
            chip_list = f'<span class="chips">{chips}</span>' if chips else ""
            items.append(
                '<li class="rel-item"><div class="rel-head"><span class="entity-ref">'
                f'<a href="{escape(_href(schema, other["kind"], other["id"]))}">'
                f'{escape(str(other["name"] or other["id"]))}</a> {_badge(schema, other["kind"])}'
                f"</span>{chip_list}</div>"
                + (f'<p class="note small"><span class="note-label">Note: </span>{escape(note)}</p>'
                   if note else "")
                + (f'<div class="rel-evidence">{evidence_html(rel["evidence"], data["documents"], schema, seen)}</div>'
                   if rel["evidence"] else "")
                + "</li>")
        out.append(
            f'<section class="rel-group" aria-labelledby="{escape(hid)}"><h3 id="{escape(hid)}">'
            f'{escape(rel_phrase(rtype, direction))} <span class="rel-type">{escape(arrow)}</span>'
            f'<span class="count"> ({len(rels)})</span></h3>'
            + (f'<p class="muted small">{code_text(desc)}</p>' if desc else "")
            + f'<ul class="rel-list">{"".join(items)}</ul></section>')
    return "".join(out)


def _section(title: str, body: str) -> str:
    sid = "sec-" + "".join(c if c.isalnum() else "-" for c in title.lower())
    return (f'<section class="card" aria-labelledby="{escape(sid)}"><h2 id="{escape(sid)}">'
            f"{escape(title)}</h2>{body}</section>")


def entity_page_html(data: dict[str, Any], schema: Schema,
                     alternates: list[tuple[str, str]]) -> str:
    """The explorer page for one entity (`graph.entities.get_entity`'s answer plus `iri`)."""
    kind = schema.node(data["kind"])
    name = str(data["name"] or data["id"])
    path = _href(schema, data["kind"], data["id"])
    route = f"/entity/{kind.slug}/{quote(data['id'], safe='')}"
    head = '<base href="/">' + "".join(
        f'<link rel="alternate" type="{escape(t)}" href="{escape(h)}">' for t, h in alternates)
    links = [("Open in the explorer", f"/#{route}"), ("JSON", f"/v1/{kind.plural}/{quote(data['id'], safe='')}")]
    links += [(label, f"{path}?format={fmt}") for label, fmt in
              (("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt"), ("RDF/XML", "rdf"))]
    link_list = "".join(f'<li><a class="api-link" href="{escape(h)}">{escape(t)}</a></li>'
                        for t, h in links)
    status = data["properties"].get("status")
    header = (
        '<header class="entity-header"><nav class="breadcrumbs" aria-label="Breadcrumb"><ol>'
        f'<li><a href="/#/">Home</a></li><li><a href="/#/kind/{escape(kind.plural)}">'
        f"{escape(humanize(kind.plural))}</a></li>"
        f'<li><span aria-current="page">{escape(name)}</span></li></ol></nav>'
        f"<h1>{escape(name)} {_badge(schema, data['kind'])}"
        + (f' <span class="badge status status-{escape(str(status))}">'
           f"{escape(humanize(str(status)))}</span>" if status else "")
        + "</h1>"
        + (f'<p class="aliases">Also known as {escape(", ".join(data["aliases"]))}</p>'
           if data.get("aliases") else "")
        + (f'<p class="lede">{escape(data["summary"])}</p>' if data.get("summary") else "")
        + f'<ul class="api-links" aria-label="This entity as data">{link_list}</ul>'
        f'<p class="iri small">IRI: <a href="{escape(path)}">{escape(data["iri"])}</a></p></header>')
    main_col = ""
    seen: set[tuple[str, str]] = set()  # quotes shown so far: each is quoted once
    if data["evidence"]:
        main_col += _section("Evidence", '<p class="muted small">Verbatim quotes that support '
                             "this entity.</p>"
                             + evidence_html(data["evidence"], data["documents"], schema, seen))
    rels = data["relationships"]
    main_col += _section(f"Relationships ({len(rels)})",
                         _relationships(data, schema, seen) if rels else "<p>No relationships.</p>")
    side = _section("Properties", _props({"id": data["id"], **data["properties"]}))
    docs = list(data["documents"].values())
    if docs:
        side += _section("Sources cited", '<ul class="doc-list">' + "".join(
            f'<li><a href="{escape(_href(schema, "Document", d["id"]))}">'
            f'{escape(str(d.get("title") or d["id"]))}</a></li>' for d in docs) + "</ul>")
    main = (f'<div class="view ssr" data-route="{escape(route)}">{header}<div class="entity-layout">'
            f'<div class="entity-main">{main_col}</div><aside class="entity-side" '
            f'aria-label="Properties and sources">{side}</aside></div></div>')
    return render_page(title=f"{name} ({data['kind']}) · migration-kg explorer", main=main,
                       head=head, body=f' data-route="{escape(route)}"', skip=f"{path}#main")
