"""Minimal human-readable HTML: the ontology reference and an entity's page.

Generated from the ontology graph and the entity description, so it never
drifts from them. The explorer (`/`) serves the richer, interactive entity pages.
"""

from __future__ import annotations

from html import escape
from typing import Any

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from graph.schema import Schema
from ontology.vocab import PREFIXES, VOCAB_IRI

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
          "line-height:1.45}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
          "padding:.25rem .5rem;text-align:left;vertical-align:top}code{font-size:.9em}"
          "dt{font-weight:600;margin-top:1rem}dd{margin-left:1rem}")


def _page(title: str, body: str, alternates: list[tuple[str, str]]) -> str:
    links = "".join(f'<link rel="alternate" type="{escape(t)}" href="{escape(h)}">'
                    for t, h in alternates)
    alt = " | ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in alternates)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title>{links}<style>{_STYLE}</style></head><body>"
            f"{body}<hr><p>Also as: {alt}</p></body></html>")


def _curie(node: Node) -> str:
    text = str(node)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def _ref(graph: Graph, node: Node) -> str:
    """A term as HTML: a local anchor for our own terms, `A or B` for unions."""
    if isinstance(node, URIRef):
        if node.startswith(VOCAB_IRI):
            local = node[len(VOCAB_IRI):]
            return f'<a href="#{escape(local)}"><code>migkg:{escape(local)}</code></a>'
        return f"<code>{escape(_curie(node))}</code>"
    members = graph.value(node, OWL.unionOf)
    if members is not None:
        return " or ".join(_ref(graph, m) for m in Collection(graph, members))
    return "<code>(anonymous)</code>"


def _term(graph: Graph, term: URIRef, facts: list[tuple[str, URIRef]]) -> str:
    local = term[len(VOCAB_IRI):]
    rows = [f'<dt id="{escape(local)}"><code>migkg:{escape(local)}</code> - '
            f"{escape(str(graph.value(term, RDFS.label) or local))}</dt>",
            f"<dd>{escape(str(graph.value(term, RDFS.comment) or ''))}"]
    for label, pred in facts:
        values = sorted(graph.objects(term, pred), key=str)
        if values:
            rows.append(f"<br>{label}: " + ", ".join(_ref(graph, v) for v in values))
    return "".join(rows) + "</dd>"


def ontology_html(graph: Graph, alternates: list[tuple[str, str]]) -> str:
    """The ontology's classes and properties, with labels, comments, domains and ranges."""
    def ours(kind: URIRef) -> list[URIRef]:
        return sorted(t for t in graph.subjects(RDF.type, kind)
                      if isinstance(t, URIRef) and t.startswith(VOCAB_IRI))

    cls_facts = [("Subclass of", RDFS.subClassOf), ("Equivalent to", OWL.equivalentClass),
                 ("Qualifies", URIRef(VOCAB_IRI + "qualifies"))]
    prop_facts = [("Domain", RDFS.domain), ("Range", RDFS.range),
                  ("Subproperty of", RDFS.subPropertyOf)]
    sections = [("Classes", OWL.Class, cls_facts),
                ("Object properties", OWL.ObjectProperty, prop_facts),
                ("Datatype properties", OWL.DatatypeProperty, prop_facts),
                ("Annotation properties", OWL.AnnotationProperty, prop_facts)]
    body = ["<h1>migration-kg ontology</h1>",
            f"<p>Namespace <code>{escape(VOCAB_IRI)}</code>. Generated from "
            "<code>ontology/schema.yaml</code>. Every relationship is exported both as a "
            "direct triple (an object property) and as a qualified node (a class) carrying "
            "its properties and evidence. See also the "
            '<a href="/ontology/shapes.ttl">SHACL shapes</a> and the '
            '<a href="/ontology/context.jsonld">JSON-LD context</a>.</p><ul>']
    body += [f'<li><a href="#{escape(title)}">{escape(title)}</a></li>'
             for title, _, _ in sections]
    body.append("</ul>")
    for title, kind, facts in sections:
        body.append(f'<h2 id="{escape(title)}">{escape(title)}</h2><dl>')
        body += [_term(graph, t, facts) for t in ours(kind)]
        body.append("</dl>")
    return _page("migration-kg ontology", "".join(body), alternates)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(escape(str(v)) for v in value)
    return escape(str(value))


def _evidence(items: list[dict[str, str]], schema: Schema) -> str:
    slug = schema.node("Document").slug
    return "<ul>" + "".join(
        f'<li>&ldquo;{escape(e["quote"])}&rdquo; - '
        f'<a href="/id/{slug}/{escape(e["document"])}">{escape(e["document"])}</a></li>'
        for e in items) + "</ul>"


def entity_html(data: dict[str, Any], schema: Schema,
                alternates: list[tuple[str, str]]) -> str:
    """A plain page for one entity: properties, evidence and relationships."""
    props = data["properties"]
    title = f"{props.get('name', data['id'])} ({data['kind']})"
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{_value(v)}</td></tr>" for k, v in props.items())
    rels = []
    for rel in data["relationships"]:
        other = rel["other"]
        href = f"/id/{schema.node(other['kind']).slug}/{other['id']}"
        arrow = "&rarr;" if rel["direction"] == "out" else "&larr;"
        extra = "; ".join(f"{k}: {_value(v)}" for k, v in rel["properties"].items())
        rels.append(f"<tr><td>{arrow} {escape(rel['type'])}</td>"
                    f'<td><a href="{escape(href)}">{escape(str(other["name"] or other["id"]))}'
                    f"</a> ({escape(other['kind'])})</td><td>{extra}</td>"
                    f"<td>{_evidence(rel['evidence'], schema)}</td></tr>")
    explorer = f"/#/entity/{schema.node(data['kind']).slug}/{data['id']}"
    body = (f"<h1>{escape(title)}</h1><p>IRI: <code>{escape(data['iri'])}</code> &middot; "
            f'<a href="{escape(explorer)}">open in the explorer</a></p>'
            f"<table>{rows}</table><h2>Evidence</h2>{_evidence(data['evidence'], schema)}"
            "<h2>Relationships</h2><table><tr><th>relationship</th><th>with</th>"
            f"<th>properties</th><th>evidence</th></tr>{''.join(rels)}</table>")
    return _page(title, body, alternates)


def relationship_html(data: dict[str, Any], schema: Schema,
                      alternates: list[tuple[str, str]]) -> str:
    """A plain page for one qualified relationship."""
    def end(e: dict[str, Any]) -> str:
        href = f"/id/{schema.node(e['kind']).slug}/{e['id']}"
        return (f'<a href="{escape(href)}">{escape(str(e["name"] or e["id"]))}</a> '
                f"({escape(e['kind'])})")

    title = f"{data['type']}: {data['source']['id']} -> {data['target']['id']}"
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{_value(v)}</td></tr>"
                   for k, v in data["properties"].items())
    body = (f"<h1>{escape(data['type'])}</h1><p>IRI: <code>{escape(data['iri'])}</code></p>"
            f"<p>{end(data['source'])} &rarr; {end(data['target'])}</p><table>{rows}</table>"
            f"<h2>Evidence</h2>{_evidence(data['evidence'], schema)}")
    return _page(title, body, alternates)
