"""The explorer's entity page rendered on the server, for `/id/{kind}/{id}` as text/html.

A person following an IRI lands on the same page, with the same header, navigation
and styles, as the explorer's `#/entity/{kind}/{id}` view. The content is readable
without JavaScript (name, properties, evidence with its sources' titles, relationships);
when the explorer's script loads it renders the interactive view in its place.

This module turns the entity into plain values (text and URLs, never markup); the
template `api/templates/entity.html` lays them out and escapes every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from api.pages import id_path, render
from api.routers.explorer import PHRASES, shell_context
from graph.entities import DATE_PASSED
from graph.schema import Schema, value_label

# Properties shown first, in this order; the rest follow as stored.
ORDER = ["id", "title", "agreement_type", "policy_type", "org_type", "event_type", "doc_type",
         "place_type", "status", "date", "date_text", "period", "location", "value", "unit",
         "qualifier", "measures", "topic", "label", "framework", "position", "publisher", "url",
         "reference_names", "reference_basis", "wikidata", "pages", "confidence", "note", "file"]


@dataclass(frozen=True, slots=True)
class Scalar:
    """One value as text, a link when `href` is set."""

    text: str
    href: str | None = None
    code: str | None = None  # a stored code shown in words: the code is the tooltip


@dataclass(frozen=True, slots=True)
class Value:
    """A property's value: one scalar, or a list shown one item per line."""

    items: tuple[Scalar, ...]
    is_list: bool


@dataclass(frozen=True, slots=True)
class Figure:
    """The quotes taken from one source document, with the source's title and links."""

    quotes: list[str]
    title: str
    href: str
    extra: str  # publisher and date
    url: str | None


@dataclass(frozen=True, slots=True)
class Evidence:
    """The quotes for one claim (the entity itself, or one relationship), per source."""

    figures: list[Figure]


@dataclass(frozen=True, slots=True)
class RelItem:
    """One relationship seen from this entity: the other end, its properties and evidence."""

    href: str
    name: str
    kind: str
    slug: str
    chips: list[tuple[str, Value]]
    note: str | None
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class RelGroup:
    """The relationships of one type and direction."""

    hid: str
    phrase: str
    arrow: str
    description: list[tuple[str, bool]]
    items: list[RelItem] = field(default_factory=list)


def humanize(key: str) -> str:
    """`agreement_type` -> `Agreement type`."""
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def rel_phrase(rel_type: str, direction: str) -> str:
    """How a relationship reads from this side: `Covered by`, `Party to`."""
    if rel_type in PHRASES:
        return PHRASES[rel_type][0 if direction == "out" else 1]
    return humanize(rel_type.lower()) + (" (incoming)" if direction == "in" else "")


def code_parts(text: str) -> list[tuple[str, bool]]:
    """Help text cut at its backticks: `(part, is_code)` pairs, code every other part."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: keep the text as it is
        return [(text, False)]
    return [(p, bool(i % 2)) for i, p in enumerate(parts)]


def section_id(title: str) -> str:
    """The id of a page section's heading, from its title."""
    return "sec-" + "".join(c if c.isalnum() else "-" for c in title.lower())


# Each enum property's words for its codes (graph/schema.py), as the explorer shows them.
Words = dict[str, dict[str, str]]


def _words(schema: Schema) -> Words:
    props = [*schema.common.values(), *(p for k in schema.nodes.values() for p in k.properties.values()),
             *(p for r in schema.relationships.values() for p in r.properties.values())]
    words: Words = {}
    for spec in props:
        if spec.values:
            words.setdefault(spec.name, {}).update(spec.labels)
    # status_now (graph/entities.py) is the source's status, or date_passed
    words["status_now"] = {**words.get("status", {}), DATE_PASSED: value_label(DATE_PASSED)}
    return words


def _scalar(key: str, value: Any, words: Words) -> Scalar:
    text = str(value)
    if text in words.get(key, {}):
        return Scalar(words[key][text], code=text)
    if key == "wikidata":
        return Scalar(text, f"https://www.wikidata.org/wiki/{quote(text)}")
    if text.startswith(("https://", "http://")):
        return Scalar(text, text)
    return Scalar(text)


def _value(key: str, value: Any, words: Words) -> Value:
    """One value per line: a list becomes a list, never a joined string."""
    if isinstance(value, list):
        return Value(tuple(_scalar(key, v, words) for v in value), True)
    return Value((_scalar(key, value, words),), False)


def _props(props: dict[str, Any], words: Words) -> list[tuple[str, Value]]:
    keys = [k for k in ORDER if k in props] + [k for k in props if k not in ORDER]
    return [(humanize(k), _value(k, props[k], words)) for k in keys if props[k] not in (None, "", [])]


def _evidence(evidence: list[dict[str, Any]], documents: dict[str, dict[str, Any]],
              schema: Schema) -> Evidence:
    """One figure per source document with the claim's quotes and the source's title. Each
    claim shows all of its own quotes, even when another claim cites the same words."""
    by_doc: dict[str, list[str]] = {}
    for item in evidence:
        quotes = by_doc.setdefault(item["doc"], [])
        if item["quote"] not in quotes:
            quotes.append(item["quote"])
    figures = []
    for doc, quotes in by_doc.items():
        info = documents.get(doc) or {}
        figures.append(Figure(
            quotes=quotes, title=str(info.get("title") or doc), href=id_path(schema, "Document", doc),
            extra=", ".join(str(info[k]) for k in ("publisher", "date") if info.get(k)),
            url=info.get("url") or None))
    return Evidence(figures)


def _relationships(data: dict[str, Any], schema: Schema, words: Words) -> list[RelGroup]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rel in data["relationships"]:
        groups.setdefault((rel["type"], rel["direction"]), []).append(rel)
    out = []
    for (rtype, direction), rels in sorted(groups.items()):
        desc = schema.relationships[rtype].description if rtype in schema.relationships else ""
        group = RelGroup(hid=f"rel-{rtype}-{direction}", phrase=rel_phrase(rtype, direction),
                         arrow=f"{rtype} →" if direction == "out" else f"← {rtype}",
                         description=code_parts(desc) if desc else [])
        for rel in rels:
            other = rel["other"]
            chips = [(humanize(k), _value(k, v, words)) for k, v in rel["properties"].items()
                     if v not in (None, "", []) and k != "note"]
            group.items.append(RelItem(
                href=id_path(schema, other["kind"], other["id"]), name=str(other["name"] or other["id"]),
                kind=other["kind"], slug=schema.node(other["kind"]).slug, chips=chips,
                note=rel["properties"].get("note") or None,
                evidence=(_evidence(rel["evidence"], data["documents"], schema)
                          if rel["evidence"] else None)))
        out.append(group)
    return out


def entity_page_html(data: dict[str, Any], schema: Schema,
                     alternates: list[tuple[str, str]]) -> str:
    """The explorer page for one entity (`graph.entities.get_entity`'s answer plus `iri`)."""
    kind = schema.node(data["kind"])
    ident = quote(data["id"], safe="")
    path = id_path(schema, data["kind"], data["id"])
    links = [("Open in the explorer", f"/#/entity/{kind.slug}/{ident}"),
             ("JSON", f"/v1/{kind.plural}/{ident}")]
    links += [(label, f"{path}?format={fmt}") for label, fmt in
              (("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt"), ("RDF/XML", "rdf"))]
    status = data["properties"].get("status")
    evidence = _evidence(data["evidence"], data["documents"], schema) if data["evidence"] else None
    words = _words(schema)  # once per page: the property list and the relationships use it
    relationships = _relationships(data, schema, words)
    return render(
        "entity.html", **shell_context(),
        name=str(data["name"] or data["id"]), kind=data["kind"], slug=kind.slug,
        plural=kind.plural, plural_label=humanize(kind.plural),
        route=f"/entity/{kind.slug}/{ident}", path=path, iri=data["iri"], alternates=alternates,
        links=links, status=str(status) if status else None,
        status_label=_scalar("status", status, words).text if status else None,
        aliases=data.get("aliases") or [], summary=data.get("summary") or None,
        evidence=evidence, relationships=relationships, rel_count=len(data["relationships"]),
        props=_props({"id": data["id"], **data["properties"]}, words),
        documents=[(id_path(schema, "Document", d["id"]), str(d.get("title") or d["id"]))
                   for d in data["documents"].values()],
        section_id=section_id)
