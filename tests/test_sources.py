"""Anchors wherever the evidence goes (graph, JSON API, RDF) and the curator's CLI."""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from conftest import DATA, MINI, RECORDED, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from loaders.facts import Facts
from loaders.texts import fold
from ontology.export import build_graph
from ontology.shapes import build_shapes
from ontology.vocab import OA

NON_NEGATIVE = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
TEXT = {p.stem: p.read_text(encoding="utf-8") for p in (DATA / "sources").glob("*.txt")}


def _anchors(facts: Facts) -> dict[str, list[tuple[str, int, int]]]:
    return {e.id: [(s["doc"], s["start"], s["end"]) for s in e.sources] for e in facts.entities}


def test_graph_evidence_carries_anchors(loaded: FalkorBackend, facts: Facts) -> None:
    rows = loaded.read("MATCH (n) WHERE n.evidence_docs IS NOT NULL RETURN n.id, n.evidence_docs, "
                       "n.evidence_starts, n.evidence_ends").rows
    expected = _anchors(facts)
    assert len(rows) == len(expected)
    for ident, docs, starts, ends in rows:
        assert list(zip(docs, starts, ends, strict=True)) == expected[ident], ident
    missing = loaded.read("MATCH ()-[r]->() WHERE r.evidence_starts IS NULL "
                          "OR size(r.evidence_starts) <> size(r.evidence_docs) RETURN count(r)").scalar()
    assert missing == 0


def test_neo4j_evidence_carries_the_same_anchors(neo_loaded: Neo4jBackend, facts: Facts) -> None:
    rows = neo_loaded.read("MATCH (n) WHERE n.evidence_docs IS NOT NULL RETURN n.id, "
                           "n.evidence_docs, n.evidence_starts, n.evidence_ends").rows
    expected = _anchors(facts)
    assert {r[0]: list(zip(r[1], r[2], r[3], strict=True)) for r in rows} == expected
    rels = neo_loaded.read("MATCH ()-[r]->() RETURN sum(size(r.evidence_starts))").scalar()
    assert rels == sum(len(r.sources) for r in facts.relationships)


def _check_item(item: dict[str, Any], client: TestClient) -> None:
    assert set(item) >= {"doc", "quote", "start", "end", "passage"}
    span = TEXT[item["doc"]][item["start"]:item["end"]]
    assert fold(span) == fold(item["quote"])
    assert item["passage"] == (f"/v1/documents/{item['doc']}/text?start={item['start']}"
                               f"&end={item['end']}")


def test_api_evidence_items_carry_doc_quote_anchor_and_passage(client: TestClient) -> None:
    body = client.get("/v1/entities/RS").json()
    items = body["evidence"] + [e for link in body["relationships"] for e in link["evidence"]]
    assert len(items) > 5
    for item in items:
        _check_item(item, client)
    passage = client.get(items[0]["passage"] + "&context=40").json()["passage"]
    assert fold(passage["exact"]) == fold(items[0]["quote"])
    assert len(passage["before"]) <= 40 and len(passage["after"]) <= 40
    assert passage["line"] >= 1
    covering = client.get("/v1/countries/RS/agreements").json()["items"]
    named = [e for a in covering for how in a["how"] for e in how["evidence"]]
    assert named
    for item in named:
        _check_item(item, client)


def test_document_text_lists_every_quoted_span(client: TestClient, facts: Facts) -> None:
    doc = "pm-epc-budapest-western-balkans"
    body = client.get(f"/v1/documents/{doc}/text").json()
    assert body["text"] == TEXT[doc]
    assert body["sha256"] == hashlib.sha256(TEXT[doc].encode()).hexdigest()
    assert body["licence"] == "Open Government Licence v3.0"
    spans = {(a["start"], a["end"]) for a in body["annotations"]}
    cited = {(s["start"], s["end"]) for item in (*facts.entities, *facts.relationships)
             for s in item.sources if s["doc"] == doc}
    assert spans == cited
    serbia = next(a for a in body["annotations"] if any(f.get("id") == "RS" for f in a["facts"]))
    assert "Serbia" in TEXT[doc][serbia["start"]:serbia["end"]]


def test_document_text_bounds_and_errors(client: TestClient) -> None:
    doc = "/v1/documents/pm-epc-budapest-western-balkans/text"
    for params, status in (({"start": 5}, 400), ({"start": 5, "end": 2}, 400),
                           ({"start": 0, "end": 10**7}, 400), ({"start": 0, "end": 5, "context": 5000}, 422),
                           ({"start": -1, "end": 5}, 422)):
        res = client.get(doc, params=params)
        assert res.status_code == status, (params, res.text)
        assert res.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/documents/no-such-doc/text").status_code == 404
    by_title = client.get("/v1/documents/UK statement on irregular migration/text")
    assert by_title.status_code == 200 and by_title.json()["id"] == "uk-statement-on-irregular-migration"


def test_rdf_quotations_carry_selectors_that_pass_shacl(loaded: FalkorBackend) -> None:
    g = build_graph(loaded, "https://example.org/kg")
    quotations = set(g.subjects(RDF.type, URIRef("https://w3id.org/migkg/ontology#Quotation")))
    assert len(quotations) > 300
    for q in list(quotations)[:50]:
        assert (q, RDF.type, OA.SpecificResource) in g
        selectors = set(g.objects(q, OA.hasSelector))
        kinds = {k for s in selectors for k in g.objects(s, RDF.type)}
        assert kinds == {OA.TextQuoteSelector, OA.TextPositionSelector}
        position = next(s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in g)
        start, end = g.value(position, OA.start), g.value(position, OA.end)
        assert isinstance(start, Literal) and start.datatype == NON_NEGATIVE
        doc = str(g.value(q, OA.hasSource)).rsplit("/", 1)[-1]
        exact = next(g.objects(next(s for s in selectors if s != position), OA.exact))
        assert fold(TEXT[doc][int(start):int(end)]) == fold(str(exact))
    conforms, _, report = validate(g, shacl_graph=build_shapes(), inference="none")
    assert conforms, report


def test_cli_sources_find_check_and_review(tmp_path: Path, server: EmbeddedServer,
                                           backend: FalkorBackend) -> None:
    def cli(*args: str) -> Any:
        return run_cli(*args, home=server.home, graph=backend.graph_name)

    found = cli("sources", "find", "pm-epc-budapest-western-balkans", "serbia,  north macedonia")
    assert found.returncode == 0, found.stderr
    assert "sources/pm-epc-budapest-western-balkans.txt:7: 1234-1257:" in found.stdout
    assert 'quote: "Serbia, North Macedonia"' in found.stdout
    assert cli("sources", "find", "pm-epc-budapest-western-balkans", "not in it").returncode == 1
    assert cli("sources", "check").returncode == 0
    review = cli("review", "--doc", "uk-statement-on-irregular-migration")
    assert review.returncode == 0 and "- Country `GB` (United Kingdom)" in review.stdout

    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "sources" / "test.txt").write_text("edited\n")
    (data / "sources" / "stray.txt").write_text("no manifest, no document\n")
    check = cli("sources", "check", "--data", str(data))
    assert check.returncode == 1
    assert f"{data}/sources/test.yaml:8: sha256: test.txt has changed" in check.stdout
    assert "stray.yaml:1: manifest: no such file" in check.stdout
    assert f"{data}/sources/stray.txt:1: orphaned text" in check.stdout

    new = tmp_path / "note.txt"
    new.write_text("A short note on the Serbia agreement.\n")
    add = cli("sources", "add", str(new), "--data", str(data), "--id", "note", "--title", "Note",
              "--licence", "CC0-1.0", "--date", "2025-13-01")
    assert add.returncode == 1 and "--date" in add.stderr
    add = cli("sources", "add", str(new), "--data", str(data), "--id", "note", "--title", "Note",
              "--licence", "CC0-1.0", "--date", "2025-11-01")
    assert add.returncode == 0, add.stderr
    assert f"sha256 {hashlib.sha256(new.read_bytes()).hexdigest()}" in add.stdout
    assert (data / "sources" / "note.txt").read_bytes() == new.read_bytes()
    again = cli("sources", "add", str(new), "--data", str(data), "--id", "note", "--title", "N",
                "--licence", "CC0-1.0")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_entity_description_evidence_carries_anchors(client: TestClient) -> None:
    body = client.get("/id/country/RS", headers={"Accept": "application/json"}).json()
    items = body["evidence"] + [e for r in body["relationships"] for e in r["evidence"]]
    assert items
    for e in items:
        assert fold(TEXT[e["doc"]][e["start"]:e["end"]]) == fold(e["quote"])


def test_a_re_anchored_text_reloads_as_a_diff(tmp_path: Path, server: EmbeddedServer) -> None:
    """A text edited in front of the quotes (its hash updated) moves every anchor: a
    reload rewrites the items, and the unchanged-folder shortcut does not skip it."""
    from loaders.pipeline import facts_digest, load_facts, loaded_digest, read_facts

    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    graph = FalkorBackend(server, f"test_sources_reload_{secrets.token_hex(3)}",
                          statement_hook=RECORDED.add)
    try:
        assert load_facts(read_facts(data), graph) == "full"
        before = facts_digest(data)
        text = data / "sources" / "test.txt"
        text.write_text("Preface.\n" + text.read_text())
        manifest = data / "sources" / "test.yaml"
        new_hash = hashlib.sha256(text.read_bytes()).hexdigest()
        manifest.write_text(re.sub(r"sha256: \w+", f"sha256: {new_hash}", manifest.read_text()))
        assert facts_digest(data) != before == loaded_digest(graph)
        assert load_facts(read_facts(data), graph, full=False) == "diff"
        starts = graph.read("MATCH (n {id: 'doc-a'}) RETURN n.evidence_starts").scalar()
        assert starts == [len("Preface.\n")]
    finally:
        graph.drop()
        graph.close()
