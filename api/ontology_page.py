"""The plain HTML pages of the linked data: the ontology reference (`/ontology`) and one
qualified relationship (`/id/rel/{key}`).

Entity IRIs answer the explorer's own page (`api/entity_page.py`) instead. The values come
from `ontology/` (the ontology graph, a relationship's description) and the templates
`api/templates/ontology.html` and `relationship.html` lay them out, escaping every one.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph

from api.pages import id_path, render
from graph.schema import Schema
from ontology.reference import ontology_reference
from ontology.vocab import VOCAB_IRI


def ontology_html(graph: Graph, alternates: list[tuple[str, str]]) -> str:
    """The ontology's classes and properties, with labels, comments, domains and ranges."""
    return render("ontology.html", alternates=alternates, vocab_iri=VOCAB_IRI,
                  sections=ontology_reference(graph))


def relationship_html(data: dict[str, Any], schema: Schema,
                      alternates: list[tuple[str, str]]) -> str:
    """A plain page for one qualified relationship (`ontology.describe.relationship_json`)."""
    def end(e: dict[str, Any]) -> dict[str, str]:
        return {"href": id_path(schema, e["kind"], e["id"]),
                "name": str(e["name"] or e["id"]), "kind": e["kind"]}

    def text(value: Any) -> str:
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)

    return render(
        "relationship.html", alternates=alternates, type=data["type"], iri=data["iri"],
        title=f"{data['type']}: {data['source']['id']} -> {data['target']['id']}",
        source=end(data["source"]), target=end(data["target"]),
        properties=[(k, text(v)) for k, v in data["properties"].items()],
        evidence=[{**e, "href": id_path(schema, "Document", e["document"])} for e in data["evidence"]])
