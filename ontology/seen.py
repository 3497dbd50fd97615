"""`migkg:firstSeen` / `migkg:lastSeen` of an entity's RDF description, from the releases.

The entity, each qualified relationship node and each quotation node of a description
(ontology/describe.py) is a statement (loaders/statements.py): its id, looked up in the
releases' history (`Releases.history()`: id -> first and last release), gives the two
releases, named by their IRIs (`{base}/dataset/{version}`), each with its version and
date so a reader needs no second request. A statement no release holds (new since the
latest, or no release at all) gets neither.

Computed at request time, never put in the dump or the SPARQL store: every release
changes `lastSeen` without a load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rdflib import URIRef

from graph.entities import evidence
from loaders.releases import Release
from loaders.statements import Statement, evidence_statements, node_statements, relationship_statements
from ontology.describe import Description, Link
from ontology.mapping import Mapper, Triple
from ontology.releases import release_iri, release_summary
from ontology.vocab import FIRST_SEEN, LAST_SEEN

History = Mapping[str, tuple[str, str]]


class Seen:
    """The firstSeen/lastSeen triples of the nodes of one description."""

    def __init__(self, mapper: Mapper, history: History,
                 releases: Mapping[str, Release]) -> None:
        self.m, self.history, self.releases = mapper, history, releases
        self.first, self.last = mapper.v.term(FIRST_SEEN), mapper.v.term(LAST_SEEN)
        self.triples: list[Triple] = []
        self.named: set[str] = set()  # the releases named so far

    def _add(self, node: URIRef, statement: Statement) -> None:
        found = self.history.get(statement["id"])
        if found is None:
            return
        for term, version in zip((self.first, self.last), found, strict=True):
            self.triples.append((node, term, release_iri(self.m.base, version)))
            if version not in self.named and version in self.releases:
                self.named.add(version)
                self.triples += release_summary(self.m.base, self.releases[version])

    def _quotations(self, owner: URIRef, statements: list[Statement]) -> None:
        for i, statement in enumerate(statements, start=1):  # as Mapper.evidence numbers them
            self._add(URIRef(f"{owner}.evidence-{i}"), statement)

    def entity(self, desc: Description) -> None:
        ident, props = desc.props["id"], desc.props
        iri = self.m.iri(desc.kind.name, ident)
        self._add(iri, next(node_statements(desc.kind.name, ident, {}, [])))
        self._quotations(iri, list(evidence_statements(ident, None, evidence(props))))
        for link in desc.links:
            self.link(link)

    def link(self, link: Link) -> None:
        props: dict[str, Any] = link.props
        key = str(props["key"])
        rel, *quotes = relationship_statements(link.type, link.source, link.target, props,
                                               evidence(props), key)
        iri = self.m.rel_iri(key)
        self._add(iri, rel)
        self._quotations(iri, quotes)


def seen_triples(mapper: Mapper, history: History, releases: Mapping[str, Release],
                 desc: Description | None = None, link: Link | None = None) -> list[Triple]:
    """firstSeen/lastSeen of an entity's description (itself, its relationships and their
    quotations), or of one relationship's, with the releases they name."""
    seen = Seen(mapper, history, releases)
    if desc is not None:
        seen.entity(desc)
    if link is not None:
        seen.link(link)
    return seen.triples
