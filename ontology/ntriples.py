"""N-Triples lines for graph records, written as text without building rdflib terms.

The same statements as `ontology/mapping.py`'s `Mapper` (tests/test_rdf.py checks
that both give the same triples), for the streamed dump: building an rdflib
`Literal` or `URIRef` per term, then formatting it, was most of the export's time.
Constant terms (classes, properties) are formatted once, entity IRIs once per entity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ontology.mapping import (
    _QID,
    CONCEPT_SCHEME,
    DERIVED_FROM,
    END,
    EXACT,
    HAS_SELECTOR,
    HAS_SOURCE,
    IN_SCHEME,
    LABEL,
    POSITION_SELECTOR,
    QUOTE_SELECTOR,
    SAME_AS,
    SOURCE,
    SPECIFIC,
    START,
    VALUE,
    A,
    Mapper,
    Triple,
    relationship_key,
)
from ontology.vocab import (
    EVIDENCE,
    KEY,
    LABEL_PROPERTY,
    OBJECT,
    QUOTATION,
    SAME_AS_PROPERTY,
    SCHEME,
    SUBJECT,
    WIKIDATA,
    literals,
)

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_PLAIN = {"string", "text", "enum"}  # plain literals: `"text"`, no datatype


def _iri(term: URIRef | str) -> str:
    return f"<{term}>"


def _text(value: Any) -> str:
    return '"' + str(value).translate(_ESCAPES) + '"'


def nt_term(term: URIRef | Literal | BNode) -> str:
    """One term in N-Triples syntax."""
    if type(term) is URIRef:  # most terms: the fast path
        return f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"


def nt_lines(triples: list[Triple]) -> str:
    return "".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in triples)


class NTriples:
    """`Mapper`'s node, direct and qualified statements as N-Triples lines."""

    def __init__(self, mapper: Mapper) -> None:
        self.m, v, schema = mapper, mapper.v, mapper.schema
        self._nt_term = nt_term  # the one formatter for typed literals
        self._a, self._label, self._same = _iri(A), _iri(LABEL), _iri(SAME_AS)
        self._derived, self._value, self._source = _iri(DERIVED_FROM), _iri(VALUE), _iri(SOURCE)
        self._evidence, self._quotation = _iri(v.term(EVIDENCE)), _iri(v.term(QUOTATION))
        self._oa_specific, self._oa_source, self._oa_selector, self._oa_exact = (
            _iri(SPECIFIC), _iri(HAS_SOURCE), _iri(HAS_SELECTOR), _iri(EXACT))
        self._oa_quote, self._oa_position, self._oa_start, self._oa_end = (
            _iri(QUOTE_SELECTOR), _iri(POSITION_SELECTOR), _iri(START), _iri(END))
        self._nonneg = _iri(XSD.nonNegativeInteger)
        self._subject, self._object, self._key = (_iri(v.term(SUBJECT)), _iri(v.term(OBJECT)),
                                                  _iri(v.term(KEY)))
        self._in_scheme, self._concept_scheme = _iri(IN_SCHEME), _iri(CONCEPT_SCHEME)
        self._cls = {k: _iri(v.cls(k)) for k in schema.nodes}
        self._node_props = {k: [(name, spec, _iri(v.prop(name)))
                                for name, spec in kind.properties.items()]
                            for k, kind in schema.nodes.items()}
        self._relation = {r: _iri(v.relation(r)) for r in schema.relationships}
        self._qualified = {r: _iri(v.qualified(r)) for r in schema.relationships}
        self._rel_props = {r: [(name, spec, _iri(v.prop(name)))
                               for name, spec in rel.properties.items()]
                           for r, rel in schema.relationships.items()}
        self._iris: dict[tuple[str, str], str] = {}

    def iri(self, kind: str, ident: str) -> str:
        key = (kind, ident)
        out = self._iris.get(key)
        if out is None:
            if len(self._iris) > 200_000:  # bounded: flat memory on any graph
                self._iris.clear()
            out = self._iris[key] = _iri(self.m.iri(kind, ident))
        return out

    def _props(self, s: str, specs: list[tuple[str, Any, str]], props: Mapping[str, Any]) -> list[str]:
        out: list[str] = []
        for name, spec, p in specs:
            value = props.get(name)
            if value is None:
                continue
            if spec.type in _PLAIN:
                out.append(f"{s} {p} {_text(value)} .\n")
            elif spec.type == "list[string]":
                items = value if isinstance(value, list) else [value]
                out += [f"{s} {p} {_text(item)} .\n" for item in items]
            else:
                out += [f"{s} {p} {self._nt_term(lit)} .\n" for lit in literals(spec, value)]
        return out

    def node(self, kind: str, props: Mapping[str, Any], scheme: bool = False) -> list[str]:
        s = self.iri(kind, props["id"])
        out = [f"{s} {self._a} {self._cls[kind]} .\n"]
        if scheme:
            out.append(self.scheme(kind, props["id"]))
        out += self._props(s, self._node_props[kind], props)
        label = props.get(LABEL_PROPERTY)
        if label is not None:
            out.append(f"{s} {self._label} {_text(label)}@en .\n")
        qid = props.get(SAME_AS_PROPERTY)
        if isinstance(qid, str) and _QID.match(qid):
            out.append(f"{s} {self._same} {_iri(WIKIDATA[qid])} .\n")
        out += [f"{nt_term(a)} {nt_term(b)} {nt_term(c)} .\n"
                for a, b, c in self.m.geometry(self.m.iri(kind, props["id"]), props)]
        return out + self.evidence(s, props)

    def scheme(self, kind: str, ident: str) -> str:
        """The entity is a framework with principles: a skos:ConceptScheme."""
        return f"{self.iri(kind, ident)} {self._a} {self._concept_scheme} .\n"

    def direct(self, rtype: str, source_kind: str, source: str, target_kind: str,
               target: str) -> list[str]:
        s, o = self.iri(source_kind, source), self.iri(target_kind, target)
        out = [f"{s} {self._relation[rtype]} {o} .\n"]
        if (source_kind, rtype) == SCHEME:
            out.append(f"{s} {self._in_scheme} {o} .\n")
        return out

    def qualified(self, rtype: str, source_kind: str, source: str, target_kind: str,
                  target: str, props: Mapping[str, Any]) -> list[str]:
        key = relationship_key(rtype, source, target, props)
        r = f"<{self.m.base}/id/rel/{hashlib.sha1(key.encode()).hexdigest()}>"  # noqa: S324
        out = [f"{r} {self._a} {self._qualified[rtype]} .\n",
               f"{r} {self._subject} {self.iri(source_kind, source)} .\n",
               f"{r} {self._object} {self.iri(target_kind, target)} .\n",
               f"{r} {self._key} {_text(key)} .\n"]
        out += self._props(r, self._rel_props[rtype], props)
        return out + self.evidence(r, props)

    def evidence(self, owner: str, props: Mapping[str, Any]) -> list[str]:
        docs = [str(d) for d in props.get("evidence_docs") or []]
        quotes = [str(q) for q in props.get("evidence_quotes") or []]
        starts, ends = props.get("evidence_starts") or [], props.get("evidence_ends") or []
        out = [f"{owner} {self._derived} {self.iri('Document', d)} .\n" for d in dict.fromkeys(docs)]
        stem = owner[:-1]  # `<iri` without its closing bracket
        for i, (doc, quote) in enumerate(zip(docs, quotes, strict=False), start=1):
            q = f"{stem}.evidence-{i}>"
            out += [f"{owner} {self._evidence} {q} .\n",
                    f"{q} {self._a} {self._quotation} .\n",
                    f"{q} {self._value} {_text(quote)} .\n",
                    f"{q} {self._source} {self.iri('Document', doc)} .\n"]
            if i <= len(starts) and i <= len(ends):
                out += self.selectors(q, self.iri("Document", doc), quote, starts[i - 1],
                                      ends[i - 1])
        return out

    def selectors(self, q: str, doc: str, quote: str, start: Any, end: Any) -> list[str]:
        """As `Mapper.selectors`: the quotation's Web Annotation selectors."""
        sq, sp = f"{q[:-1]}.quote>", f"{q[:-1]}.position>"
        return [f"{q} {self._a} {self._oa_specific} .\n", f"{q} {self._oa_source} {doc} .\n",
                f"{q} {self._oa_selector} {sq} .\n", f"{sq} {self._a} {self._oa_quote} .\n",
                f"{sq} {self._oa_exact} {_text(quote)} .\n",
                f"{q} {self._oa_selector} {sp} .\n", f"{sp} {self._a} {self._oa_position} .\n",
                f'{sp} {self._oa_start} "{int(start)}"^^{self._nonneg} .\n',
                f'{sp} {self._oa_end} "{int(end)}"^^{self._nonneg} .\n']
