"""Releases as linked data: a release's dump, the RDF Patch between two, their DCAT/VoID.

- `dump_lines`: the N-Triples of a release's statements (loaders/releases.py), the
  export of the facts they give back (loaders/statements.py's `statements_facts`), as
  `ontology/export.py` writes the graph's data triples: unique and sorted, so one
  release always gives the same bytes. No dataset description: it is about the dataset
  at a time, and `describe_releases` says it.
- `patch_rows` / `apply_patch`: RDF Patch (https://afs.github.io/rdf-patch/) between two
  such dumps: `H id`, `H prev`, one transaction of `D` rows then `A` rows. Our dumps
  have no blank nodes, so a row is a dump line and applying a patch is set arithmetic.
- `describe_releases`: DCAT 3 versions of `{base}/dataset`, one per release.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from graph.schema import Schema, get_schema
from loaders.releases import Release
from loaders.statements import statements_facts
from ontology.delta import FactsRows
from ontology.export import Export
from ontology.mapping import Triple
from ontology.ntriples import NTriples
from ontology.vocab import (
    DCAT3,
    JSON_LINES,
    LICENSE,
    ONTOLOGY_IRI,
    RDF_PATCH,
    RELEASE_DIGEST,
    VOCAB_IRI,
    Vocabulary,
)

PATCH_MEDIA = "application/rdf-patch"
NT_MEDIA = "application/n-triples"
# The patch ids' namespace: a patch is named by its release's digest and its dump's bytes.
_PATCH_NS = uuid.UUID("5b0c3c1e-4d0e-5a57-9f3c-6d69676b6701")
_DATA_OPS = ("A", "D")
_TRANSACTION_OPS = ("TX", "TC")
_SKIPPED_OPS = ("PA", "PD")  # prefixes: our rows are full IRIs


def release_iri(base: str, version: str) -> URIRef:
    """`{base}/dataset/{version}`: the release as a version of `{base}/dataset`."""
    return URIRef(f"{base}/dataset/{version}")


def release_paths(version: str) -> dict[str, str]:
    """The API paths of a release's distributions."""
    root = f"/v1/releases/{version}"
    return {"dump": f"{root}/dump.nt", "rdf_patch": f"{root}/delta.rdfp",
            "delta": f"{root}/delta.jsonl"}


# -- dumps and patches ---------------------------------------------------------------------------

def dump_lines(statements: Iterable[Mapping[str, Any]], base: str,
               schema: Schema | None = None) -> list[str]:
    """The data triples of these statements' facts as N-Triples lines, unique and sorted."""
    schema = schema or get_schema()
    facts = statements_facts(statements)
    export = Export(None, base, schema, rows=FactsRows(facts, schema, None))
    lines: set[str] = set()
    for batch in export.data(NTriples(export.mapper)):
        lines.update(batch)
    return sorted(lines)


def patch_id(release_digest: str, dump_sha256: str) -> str:
    """The patch's `urn:uuid:`: from the release's digest and the bytes of the dump it
    gives, so a new base IRI or a change to the export names a new patch."""
    return f"urn:uuid:{uuid.uuid5(_PATCH_NS, f'{release_digest}:{dump_sha256}')}"


def dump_sha256(lines: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def patch_rows(old: Iterable[str], new: Iterable[str], ident: str,
               prev: str | None) -> Iterator[str]:
    """The RDF Patch that turns dump `old` into dump `new`: its header, then one
    transaction deleting what went (sorted), then adding what came (sorted)."""
    before, after = set(old), set(new)
    yield f"H id <{ident}> .\n"
    if prev is not None:
        yield f"H prev <{prev}> .\n"
    yield "TX .\n"
    for line in sorted(before - after):
        yield f"D {line}"
    for line in sorted(after - before):
        yield f"A {line}"
    yield "TC .\n"


class PatchError(ValueError):
    """A patch that does not apply: a row we cannot read, or (strict) one that does not
    fit the lines it is applied to."""


def apply_patch(lines: Iterable[str], rows: Iterable[str], *,
                strict: bool = True) -> tuple[set[str], dict[str, str]]:
    """The lines after the patch, and its headers (`id`, `prev` without their brackets).

    Strict: deleting a line that is not there, or adding one that is, is a PatchError
    (the patch was made against other lines). An aborted transaction (`TA`) is undone.
    """
    state = set(lines)
    headers: dict[str, str] = {}
    done: list[tuple[str, str]] = []  # the open transaction's changes, undone by TA
    for n, row in enumerate(rows, start=1):
        text = row.rstrip("\n")
        op, _, rest = text.partition(" ")
        if not text.endswith(" ."):
            raise PatchError(f"row {n} does not end with ' .': {text[:80]!r}")
        if op == "H":
            name, _, value = rest.removesuffix(" .").partition(" ")
            headers[name] = value.strip().removeprefix("<").removesuffix(">")
        elif op in _DATA_OPS:
            line, adds = rest + "\n", op == "A"
            if (line in state) != adds:
                (state.add if adds else state.discard)(line)
                done.append((op, line))
            elif strict:
                raise PatchError(f"row {n}: {'adds' if adds else 'deletes'} a triple "
                                 f"{'already there' if adds else 'not there'}: {rest[:120]}")
        elif op == "TA":
            for undo, line in reversed(done):
                (state.discard if undo == "A" else state.add)(line)
            done = []
        elif op in _TRANSACTION_OPS:
            done = []
        elif op not in _SKIPPED_OPS:
            raise PatchError(f"row {n}: unknown operation {op!r}")
    return state, headers


# -- DCAT / VoID ---------------------------------------------------------------------------------

def release_summary(base: str, release: Release) -> list[Triple]:
    """What names a release to a reader: a dcat:Dataset with its version and date."""
    iri = release_iri(base, release.version)
    return [(iri, RDF.type, DCAT.Dataset), (iri, DCAT3.version, Literal(release.version)),
            (iri, DCTERMS.issued, Literal(release.date, datatype=XSD.date))]


def describe_releases(base: str, releases: Sequence[Release]) -> list[Triple]:
    """Each release as a DCAT 3 version of `{base}/dataset`: its version, date, digest,
    notes, previous version, and three distributions (the N-Triples dump, the RDF Patch
    from the previous release's dump, the statements' delta as JSON Lines)."""
    ds = URIRef(f"{base}/dataset")
    digest_term = Vocabulary().term(RELEASE_DIGEST)
    nt_media = URIRef(f"https://www.iana.org/assignments/media-types/{NT_MEDIA}")
    out: list[Triple] = []
    for r in releases:
        iri = release_iri(base, r.version)
        out += release_summary(base, r)
        out += [
            (ds, DCAT3.hasVersion, iri), (iri, DCTERMS.isVersionOf, ds),
            (iri, RDF.type, VOID.Dataset),
            (iri, DCTERMS.title, Literal(f"migration-kg {r.version}", lang="en")),
            (iri, digest_term, Literal(r.digest)),
            (iri, DCTERMS.license, LICENSE), (iri, DCTERMS.conformsTo, ONTOLOGY_IRI),
            (iri, VOID.uriSpace, Literal(f"{base}/id/")),
            (iri, VOID.vocabulary, URIRef(VOCAB_IRI)),
        ]
        if r.notes:
            out.append((iri, DCTERMS.description, Literal(r.notes, lang="en")))
        if r.previous:
            out.append((iri, DCAT3.previousVersion, release_iri(base, r.previous)))
        paths = release_paths(r.version)
        dump, patch, delta = (URIRef(base + paths[k]) for k in ("dump", "rdf_patch", "delta"))
        out += [(iri, VOID.dataDump, dump), (dump, DCAT.mediaType, nt_media),
                (patch, DCTERMS.conformsTo, RDF_PATCH), (delta, DCTERMS.conformsTo, JSON_LINES)]
        for dist, title in ((dump, "N-Triples dump"), (patch, "RDF Patch from the previous "
                                                                "release's dump"),
                            (delta, "Added and removed statements, JSON Lines")):
            out += [(iri, DCAT.distribution, dist), (dist, RDF.type, DCAT.Distribution),
                    (dist, DCAT.downloadURL, dist), (dist, DCTERMS.title, Literal(title, lang="en"))]
    return out
