"""The JSON-LD context, generated from `ontology/schema.yaml`.

Terms are the schema's own names (`agreement_type`, `party_to`, `Country`), so
a JSON-LD document reads like the API's JSON. Integers and doubles are coerced;
dates are not (their datatype depends on the precision, so each value carries
its own `@type`), except a date range's bounds, always days (xsd:date).
"""

from __future__ import annotations

import json
from typing import Any

from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from graph.schema import Schema
from migkg.dates import RANGE
from ontology.vocab import (
    ENTITY,
    EVIDENCE,
    KEY,
    OBJECT,
    PREFIXES,
    QUOTATION,
    RELATIONSHIP,
    SUBJECT,
    Vocabulary,
    pascal,
)

_COERCE = {"int": "xsd:integer", "float": "xsd:double"}
# Standard terms the export uses, under short JSON names.
_STANDARD = {
    "derived_from": PROV.wasDerivedFrom, "quote": PROV.value, "source": DCTERMS.source,
    "same_as": OWL.sameAs, "in_scheme": SKOS.inScheme,
}


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and prefix != "wd":
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def build_context(schema: Schema | None = None) -> dict[str, Any]:
    """The context document: `{"@context": {...}}`; raises when two terms collide."""
    v = Vocabulary(schema)
    ctx: dict[str, Any] = dict(PREFIXES)

    def add(term: str, iri: str, definition: dict[str, str] | None = None) -> None:
        if term in ctx:
            raise ValueError(f"JSON-LD context term {term!r} is defined twice")
        ctx[term] = _compact(iri) if definition is None else {"@id": _compact(iri), **definition}

    link = {"@type": "@id"}
    for name in (ENTITY, RELATIONSHIP, QUOTATION, *v.schema.nodes):
        add(name, v.term(name))
    for rtype in v.schema.relationships:
        add(pascal(rtype), v.qualified(rtype))
        add(rtype.lower(), v.relation(rtype), link)
    for name in v.property_names:
        spec = v.holders(name)[0][1]
        definition = {"@type": _COERCE[spec.type]} if spec.type in _COERCE else {}
        if name in RANGE:
            definition = {"@type": "xsd:date"}  # a range's bounds are days (migkg/dates.py)
        if spec.type == "list[string]":
            definition["@container"] = "@set"
        add(name, v.prop(name), definition)
    for name in (SUBJECT, OBJECT, EVIDENCE):
        add(name, v.term(name), link)
    add(KEY, v.term(KEY), {})
    for name, iri in _STANDARD.items():
        add(name, iri, {} if name == "quote" else link)
    return {"@context": ctx}


def context_json(schema: Schema | None = None) -> str:
    return json.dumps(build_context(schema), indent=2, sort_keys=False) + "\n"


CONTEXT_PATH = "/ontology/context.jsonld"


def context_url(base: str) -> str:
    """Where the context is published: `{base}/ontology/context.jsonld`, as the dumps and the
    SPARQL endpoint are under `{base}` in the dataset description."""
    return base + CONTEXT_PATH


def referencing(jsonld: bytes, url: str) -> bytes:
    """A JSON-LD document compacted with the context, its inline `@context` replaced by the
    context's URL: the same triples for a reader that loads the URL (the served context is
    the one it was compacted with), without repeating the whole context in every answer."""
    document = json.loads(jsonld)
    if not isinstance(document, dict) or not isinstance(document.get("@context"), dict):
        return jsonld
    document["@context"] = url
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode()
