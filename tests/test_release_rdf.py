"""Releases as linked data: dumps, RDF Patch, the VoID of the releases, firstSeen/lastSeen.

A copy of data/ (without its releases) is recorded as release "1"; then an entity is
renamed, a relationship removed, a qualifier changed, an entity added and a source
text edited (its quotes re-anchor), and it is recorded as "2". The graph holds "2".
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic
from test_ontology import diff

from api.app import create_app
from api.routers.rdf import dump_description
from conftest import DATA, RECORDED, graph_name
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.schema import get_schema
from loaders.pipeline import load_facts, read_facts
from loaders.releases import Releases
from migkg.settings import Settings
from ontology.export import iter_ntriples
from ontology.releases import apply_patch, describe_releases, dump_lines
from ontology.vocab import DCAT3

BASE = "https://example.org/kg"
M = ns.Namespace("https://w3id.org/migkg/ontology#")
DS = URIRef(f"{BASE}/dataset")
R1, R2 = URIRef(f"{BASE}/dataset/1"), URIRef(f"{BASE}/dataset/2")
EDITED = "pm-epc-budapest-western-balkans"  # its text gains a first line in "2"
CHANGED = "UK bilateral support to the Greek Government"
NEW_ENTITY = """
  - kind: Country
    id: LI
    name: Liechtenstein
    sources:
      - doc: cabinet-office-joint-migration-statement
        quote: "the leaders of Andorra, Austria, Belgium"
"""


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _edit(data: Path) -> None:
    countries = data / "countries.yaml"
    _replace(countries, "    id: RS\n    name: Serbia\n", "    id: RS\n    name: Serbia (renamed)\n")
    _replace(countries, CHANGED, "Changed, " + CHANGED)
    text = countries.read_text(encoding="utf-8")
    head, rels = text.split("\nrelationships:\n", 1)
    items = rels.split("  - type: ")
    assert "to: UA" in items[-1]  # the last relationship: GB COOPERATES_WITH UA
    countries.write_text(head + NEW_ENTITY + "\nrelationships:\n" + "  - type: ".join(items[:-1]),
                         encoding="utf-8")
    source = data / "sources" / f"{EDITED}.txt"
    body = "An added first line.\n" + source.read_text(encoding="utf-8")
    source.write_text(body, encoding="utf-8")
    manifest = source.with_suffix(".yaml")
    manifest.write_text(re.sub(r"(?m)^sha256: .*$",
                               f'sha256: "{hashlib.sha256(body.encode()).hexdigest()}"',
                               manifest.read_text(encoding="utf-8")), encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("release-rdf") / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("releases"))
    releases = Releases(data)
    releases.record("1", read_facts(data), get_schema(), when="2026-11-01", notes="first")
    _edit(data)
    releases.record("2", read_facts(data), get_schema(), when="2026-12-01")
    return data


@pytest.fixture(scope="module")
def graph(server: EmbeddedServer, folder: Path,
          request: pytest.FixtureRequest) -> Iterator[FalkorBackend]:
    backend = FalkorBackend(server, graph_name(request), statement_hook=RECORDED.add)
    load_facts(read_facts(folder), backend)
    yield backend
    backend.drop()
    backend.close()


@pytest.fixture(scope="module")
def client(graph: FalkorBackend, folder: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # digest_check_ms=0: the response cache reads the graph's digest and the releases'
    # stamp on every request, so a release recorded by a test shows at once.
    settings = Settings(data=folder, home=tmp_path_factory.mktemp("home"), base_iri=BASE,
                        digest_check_ms=0)
    with TestClient(create_app(settings, backend=graph), raise_server_exceptions=False) as c:
        yield c


def _get(client: TestClient, path: str, **headers: str) -> bytes:
    r = client.get(path, headers=headers)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    return r.content


def _graph(lines: str | bytes) -> Graph:
    return Graph().parse(data=lines, format="nt")


# -- dumps ---------------------------------------------------------------------------------------

def test_a_dump_is_sorted_deterministic_and_cached(client: TestClient, folder: Path,
                                                   tmp_path: Path) -> None:
    r = client.get("/v1/releases/1/dump.nt")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/n-triples"
    assert 'filename="migkg-1.nt"' in r.headers["content-disposition"]
    lines = r.text.splitlines(keepends=True)
    assert lines == sorted(set(lines)) and len(lines) > 5000
    assert r.content == _get(client, "/v1/releases/1/dump.nt")  # again, from the cached file
    assert r.text == "".join(dump_lines(Releases(folder).snapshot("1").values(), BASE))
    cached = list((Path(client.app.state.settings.home) / "cache" / "releases").glob("1-*.nt"))
    assert len(cached) == 1 and cached[0].read_bytes() == r.content
    assert not list(cached[0].parent.glob(".*"))  # no temporary file left behind
    assert client.get("/v1/releases/1/dump.nt",
                      headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    # A date names the latest release on or before it; an unknown version is a 404 problem.
    assert _get(client, "/v1/releases/2026-11-15/dump.nt") == r.content
    missing = client.get("/v1/releases/9/dump.nt")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_dump_of_the_loaded_release_is_the_graphs_export(client: TestClient,
                                                              graph: FalkorBackend) -> None:
    export = _graph("".join(iter_ntriples(graph, BASE)))
    export.remove((DS, None, None))  # the description: not in a release's dump
    for s in {s for s in export.subjects() if not str(s).startswith(f"{BASE}/id/")}:
        export.remove((s, None, None))
    dump = _graph(_get(client, "/v1/releases/2/dump.nt"))
    assert isomorphic(dump, export), diff(export, dump)
    assert (None, M.firstSeen, None) not in dump and (None, M.lastSeen, None) not in dump


# -- RDF Patch -----------------------------------------------------------------------------------

def _rows(client: TestClient, version: str) -> list[str]:
    r = client.get(f"/v1/releases/{version}/delta.rdfp")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/rdf-patch")
    assert f'filename="migkg-{version}.rdfp"' in r.headers["content-disposition"]
    return r.text.splitlines(keepends=True)


def test_the_patch_of_2_turns_the_dump_of_1_into_the_dump_of_2(client: TestClient) -> None:
    first, second = _rows(client, "1"), _rows(client, "2")
    dump1 = _get(client, "/v1/releases/1/dump.nt").decode().splitlines(keepends=True)
    dump2 = _get(client, "/v1/releases/2/dump.nt").decode()
    patched, headers = apply_patch(dump1, second)  # strict: every row fits dump 1
    expected = _graph(dump2)
    assert isomorphic(_graph("".join(patched)), expected), diff(expected, _graph("".join(patched)))
    # The header chains the patches: "2" follows "1"; ids are urn:uuid and stable.
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", headers["id"])
    assert headers["prev"] == apply_patch([], first)[1]["id"]
    assert _rows(client, "2") == second
    # One transaction: deletions, then additions, each sorted; the edits are in it.
    ops = [row.split(" ", 1)[0] for row in second]
    assert ops[:3] == ["H", "H", "TX"] and ops[-1] == "TC"
    body = second[3:-1]
    deletes = [row for row in body if row.startswith("D ")]
    adds = [row for row in body if row.startswith("A ")]
    assert body == deletes + adds and deletes == sorted(deletes) and adds == sorted(adds)
    rs = f"<{BASE}/id/country/RS>"
    assert f'D {rs} <{ns.RDFS.label}> "Serbia"@en .\n' in deletes
    assert f'A {rs} <{ns.RDFS.label}> "Serbia (renamed)"@en .\n' in adds
    assert f"A <{BASE}/id/country/LI> <{ns.RDF.type}> <{M.Country}> .\n" in adds
    assert any(row.startswith(f"D <{BASE}/id/country/GB> <{M.cooperatesWith}> <{BASE}/id/country/UA>")
               for row in deletes)
    assert any(f"<{M.description}> \"Changed, {CHANGED}" in row for row in adds)
    assert any("<http://www.w3.org/ns/oa#start>" in row for row in deletes)  # re-anchored


def test_the_first_patch_applied_to_nothing_gives_its_dump(client: TestClient) -> None:
    rows = _rows(client, "1")
    assert [row.split(" ", 1)[0] for row in rows[:2]] == ["H", "TX"]  # no `H prev`
    assert not [row for row in rows if row.startswith("D ")]
    patched, _ = apply_patch([], rows)
    # Line for line (so isomorphic too: a dump has no blank nodes), and in the dump's order.
    dump = _get(client, "/v1/releases/1/dump.nt").decode()
    assert sorted(patched) == dump.splitlines(keepends=True)
    assert [row[2:] for row in rows if row.startswith("A ")] == dump.splitlines(keepends=True)


# -- VoID ----------------------------------------------------------------------------------------

def test_the_void_lists_both_releases(client: TestClient, folder: Path) -> None:
    r = client.get("/.well-known/void")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/turtle")
    void = Graph().parse(data=r.text, format="turtle")
    assert (DS, ns.RDF.type, ns.VOID.Dataset) in void
    assert (DS, ns.VOID.triples, None) in void and (DS, ns.VOID.sparqlEndpoint, None) in void
    assert set(void.objects(DS, DCAT3.hasVersion)) == {R1, R2}
    assert (R2, DCAT3.previousVersion, R1) in void
    assert (R1, DCAT3.previousVersion, None) not in void
    first, second = Releases(folder).index()
    for iri, release in ((R1, first), (R2, second)):
        assert (iri, DCAT3.version, Literal(release.version)) in void
        assert (iri, ns.DCTERMS.issued, Literal(release.date, datatype=ns.XSD.date)) in void
        assert (iri, M.releaseDigest, Literal(release.digest)) in void
        assert (iri, ns.DCTERMS.isVersionOf, DS) in void
        root = f"{BASE}/v1/releases/{release.version}"
        dists = set(void.objects(iri, ns.DCAT.distribution))
        assert dists == {URIRef(f"{root}/{name}") for name in ("dump.nt", "delta.rdfp",
                                                               "delta.jsonl")}
        assert (iri, ns.VOID.dataDump, URIRef(f"{root}/dump.nt")) in void
    # The dataset itself is described as the dumps end with it, and releases besides.
    export = _graph(_get(client, "/v1/export.nt"))
    live = Graph()
    for triple in export:
        if not str(triple[0]).startswith(f"{BASE}/id/"):
            live.add(triple)
    rest = Graph()
    for triple in void:
        rest.add(triple)
    for triple in describe_releases(BASE, Releases(folder).index()):
        rest.remove(triple)
    assert len(live) > 50 and isomorphic(rest, live), diff(live, rest)
    # The links lead somewhere: each distribution of "2" answers.
    for dist in void.objects(R2, ns.DCAT.distribution):
        assert client.get(str(dist).removeprefix(BASE)).status_code == 200, dist
    # Content negotiation as for the other RDF documents.
    nt = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert isomorphic(_graph(nt.content), void)
    assert client.get("/.well-known/void", headers={"Accept": "text/html"}).status_code == 406
    assert client.get("/.well-known/void",
                      headers={"If-None-Match": r.headers["etag"]}).status_code == 304


# -- firstSeen / lastSeen ------------------------------------------------------------------------

def _turtle(client: TestClient, path: str) -> Graph:
    return Graph().parse(data=_get(client, path, Accept="text/turtle"), format="turtle")


def _seen(g: Graph, node: URIRef) -> tuple[URIRef | None, URIRef | None]:
    return g.value(node, M.firstSeen), g.value(node, M.lastSeen)  # type: ignore[return-value]


def test_an_entity_added_in_2_is_first_and_last_seen_in_2(client: TestClient) -> None:
    g = _turtle(client, "/id/country/LI")
    li = URIRef(f"{BASE}/id/country/LI")
    assert _seen(g, li) == (R2, R2)
    assert _seen(g, URIRef(f"{li}.evidence-1")) == (R2, R2)
    assert (R2, DCAT3.version, Literal("2")) in g  # the release is named in the document
    assert (R2, ns.DCTERMS.issued, Literal("2026-12-01", datatype=ns.XSD.date)) in g
    for fmt, parser in (("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")):  # every RDF format
        inline = "&context=inline" if fmt == "jsonld" else ""  # else it names the context's URL
        other = Graph().parse(data=_get(client, f"/id/country/LI?format={fmt}{inline}"),
                              format=parser)
        assert isomorphic(other, g), (fmt, diff(g, other))


def test_facts_kept_since_1_are_first_seen_in_1(client: TestClient) -> None:
    g = _turtle(client, "/id/country/GB")
    gb = URIRef(f"{BASE}/id/country/GB")
    assert _seen(g, gb) == (R1, R2)
    quotes = {str(g.value(q, ns.DCTERMS.source)).rsplit("/", 1)[-1]: _seen(g, q)
              for q in g.objects(gb, M.evidence)}
    assert quotes[EDITED] == (R2, R2)  # its text was edited: the quote moved
    assert quotes["cabinet-office-joint-migration-statement"] == (R1, R2)
    links = {(str(g.value(r, M.subject)), str(g.value(r, M.object)), str(g.value(r, M.key))): r
             for r in g.subjects(M.subject, None)}
    greece = next(r for (s, o, _), r in links.items() if s == str(gb) and o.endswith("/GR"))
    assert _seen(g, greece) == (R2, R2)  # its description changed
    kept = [r for r in links.values() if EDITED not in {
        str(d).rsplit("/", 1)[-1] for d in g.objects(r, ns.PROV.wasDerivedFrom)}
        and r != greece]
    assert kept and all(_seen(g, r) == (R1, R2) for r in kept)
    assert not [k for k in links if k[1].endswith("/UA")]  # removed in "2"
    rs = _turtle(client, "/id/country/RS")
    assert _seen(rs, URIRef(f"{BASE}/id/country/RS")) == (R1, R2)  # renamed, not new


def test_a_relationship_iri_carries_them_too(client: TestClient) -> None:
    g = _turtle(client, "/id/country/GB")
    rel = next(r for r in g.subjects(M.subject, None) if _seen(g, r) == (R1, R2))
    alone = _turtle(client, str(rel).removeprefix(BASE))
    assert _seen(alone, rel) == (R1, R2)
    assert (R1, DCAT3.version, Literal("1")) in alone


def test_the_description_is_read_from_the_end_of_a_large_dump(tmp_path: Path) -> None:
    data = "".join(f"<{BASE}/id/country/X{i}> <{M.name}> \"x\" .\n" for i in range(10))
    described = "".join(f"<{DS}> <{M.name}> \"{'d' * 100}{i}\" .\n" for i in range(2000))
    path = tmp_path / "dump.nt"
    path.write_text(data + described, encoding="utf-8")  # 200 KB after the last data line
    assert dump_description(path, BASE) == described
    path.write_text(described, encoding="utf-8")  # no data line at all
    assert dump_description(path, BASE) == described


def test_a_new_release_shows_without_a_load(client: TestClient, folder: Path) -> None:
    """firstSeen/lastSeen and the VoID follow the releases, which change without a load:
    the response cache keeps them, but under the release files' stamp too."""
    li = URIRef(f"{BASE}/id/country/LI")
    assert _seen(_turtle(client, "/id/country/LI"), li) == (R2, R2)
    _get(client, "/.well-known/void")
    releases = Releases(folder)
    releases.record("3", read_facts(folder), get_schema(), when="2026-12-02")
    try:
        r3 = URIRef(f"{BASE}/dataset/3")
        assert _seen(_turtle(client, "/id/country/LI"), li) == (R2, r3)
        void = Graph().parse(data=_get(client, "/.well-known/void"), format="turtle")
        assert (r3, DCAT3.previousVersion, R2) in void
    finally:
        (folder / "releases" / "3.jsonl").unlink()
