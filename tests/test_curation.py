"""Edges say only what their quotes say; names from outside the sources are kept apart.

Each test here would fail if an edge fixed for issue 12 came back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import DATA
from cypher import get_registry
from graph.falkor import FalkorBackend
from graph.names import key
from loaders.facts import Facts
from loaders.pipeline import read_facts
from migkg.exc import InvalidFacts
from migkg.settings import Settings

SETTINGS = Settings()
STATEMENT = "joint-migration-statement-2025-10-02"
SEVENTEEN = {"AD", "AT", "BE", "BG", "CY", "CZ", "DK", "DE", "GR", "IT", "MT", "NL", "PL", "PT",
             "RO", "SE", "GB"}


def run(backend: FalkorBackend, name: str, **params: Any) -> list[dict[str, Any]]:
    return get_registry().run(backend, name, params, SETTINGS).records()


def rels(facts: Facts, rtype: str, source: str | None = None, target: str | None = None) -> list[Any]:
    return [r for r in facts.relationships if r.type == rtype
            and source in (None, r.source) and target in (None, r.target)]


# -- the edge fixes ----------------------------------------------------------------------

def test_france_is_not_covered_by_the_uk_germany_plan(loaded: FalkorBackend, client: TestClient,
                                                      facts: Facts) -> None:
    rows = run(loaded, "agreements_covering_country", country="France")
    assert "uk-germany-joint-action-plan" not in {r["agreement"] for r in rows}
    assert not [r for r in rows if r["how"] == "route"]  # France is on no route
    body = client.get("/v1/countries/FR/agreements").json()
    assert "uk-germany-joint-action-plan" not in {a["agreement"]["id"] for a in body["items"]}
    # being returned to France does not make France the Channel route's origin
    assert rels(facts, "PASSES_THROUGH", "channel-small-boats-route", "FR") == []
    assert {r.props["role"] for r in rels(facts, "PASSES_THROUGH", "channel-small-boats-route")} == {
        "destination"}


def test_the_joint_statement_has_exactly_seventeen_parties(loaded: FalkorBackend,
                                                           client: TestClient) -> None:
    rows = run(loaded, "agreement_parties", agreement=STATEMENT)
    parties = [r for r in rows if r["relation"] == "PARTY_TO"]
    assert len(parties) == 17 and {r["actor"] for r in parties} == SEVENTEEN
    assert {r["role"] for r in parties} == {"party"}
    present = {(r["actor"], r["role"], r["event"]) for r in rows if r["relation"] == "ATTENDED"}
    assert present == {("european-commission", "present", "epc-summit-copenhagen-2025"),
                       ("european-parliament", "present", "epc-summit-copenhagen-2025")}
    body = client.get("/v1/agreements/joint statement/parties").json()
    assert sum(1 for r in body["items"] if r["relation"] == "PARTY_TO") == 17


def test_epc_resolves_to_the_forum(client: TestClient, facts: Facts) -> None:
    res = client.get("/v1/entities/EPC")
    assert res.status_code == 200, res.text
    assert res.json()["id"] == "european-political-community"
    holders = [e.id for e in facts.entities if "EPC" in (e.props.get("aliases") or [])]
    assert holders == ["european-political-community"]


def test_conveners_and_observers_are_linked_to_meetings_not_plans(facts: Facts) -> None:
    plan = "calais-group-priority-plan-2025"
    parties = {r.source for r in rels(facts, "PARTY_TO", target=plan)}
    assert not parties & {"DE", "yvette-cooper", "nancy-faeser", "european-commission", "frontex",
                          "europol"}
    conveners = {r.source for r in rels(facts, "ATTENDED", target="calais-group-london-meeting")
                 if r.props["role"] == "convener"}
    assert conveners == {"GB", "DE", "yvette-cooper", "nancy-faeser"}
    assert {r.props["role"] for r in rels(facts, "PARTY_TO")} <= {"party", "signatory", "endorser"}


def test_observer_and_convener_roles_are_refused_on_party_to(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text(
        "entities:\n"
        "- {kind: Document, id: d, name: D, title: D, file: d.txt, sources: [{doc: d, quote: \"the text\"}]}\n"
        "- {kind: Country, id: GB, name: United Kingdom, sources: [{doc: d, quote: \"the UK\"}]}\n"
        "- {kind: Agreement, id: a, name: A, agreement_type: treaty, status: agreed,\n"
        "   sources: [{doc: d, quote: \"a treaty\"}]}\n"
        "relationships:\n"
        "- {type: PARTY_TO, from: GB, to: a, role: present, sources: [{doc: d, quote: \"present\"}]}\n",
        encoding="utf-8")
    with pytest.raises(InvalidFacts) as err:
        read_facts(tmp_path)
    assert "role" in str(err.value.problems[0])


def test_no_organiser_is_named_where_no_source_names_one(facts: Facts) -> None:
    for org in ("interpol", "european-political-community"):
        assert rels(facts, "ATTENDED", org) == []
    meetings = {r.source for r in rels(facts, "PART_OF", target="european-political-community")}
    assert meetings == {"epc-summit-copenhagen-2025", "epc-meeting-budapest"}
    assert rels(facts, "ADOPTED", "european-commission", "eu-people-smuggling-sanctions-regime") == []
    assert [r.props["role"] for r in rels(facts, "ADOPTED", target="eu-people-smuggling-sanctions-regime")
            ] == ["explorer"]


def test_putin_has_no_first_name_the_source_does_not_give(facts: Facts) -> None:
    putin = next(e for e in facts.entities if e.id == "vladimir-putin")
    assert putin.props["name"] == "Putin"
    assert "Vladimir" not in " ".join(putin.props.get("aliases") or [])
    assert putin.props["reference_names"] == ["Vladimir Putin"] and putin.props["wikidata"] == "Q7747"
    assert putin.props["reference_basis"]


def test_the_border_security_command_principles_are_the_commands(loaded: FalkorBackend) -> None:
    rows = loaded.read("MATCH (p:`Principle`)-[:`PART_OF`]->(:`Organisation` {id: 'border-security-command'}) "
                       "RETURN p.id ORDER BY p.id").rows
    assert [r[0] for r in rows] == ["bsc-prepare", "bsc-prevent", "bsc-protect", "bsc-pursue"]


# -- places ------------------------------------------------------------------------------

def test_what_happened_in_budapest_is_one_query(loaded: FalkorBackend) -> None:
    rows = run(loaded, "events_at_place", place="Budapest")
    assert [r["event"] for r in rows] == ["epc-budapest-migration-meeting", "epc-meeting-budapest"]
    announced = {i["id"] for r in rows for i in r["instruments"]}
    assert announced == {"uk-serbia-agreement", "uk-north-macedonia-agreement", "uk-kosovo-agreement"}
    london = {r["event"] for r in run(loaded, "events_at_place", place="London")}
    assert london == {"calais-group-london-meeting", "illicit-finance-summit"}  # the venue is in London
    uk = {r["event"] for r in run(loaded, "events_at_place", place="UK")}
    assert {"interpol-conference-glasgow", "illicit-finance-summit"} <= uk


def test_every_city_and_venue_is_linked_to_an_event_and_a_country(loaded: FalkorBackend) -> None:
    rows = loaded.read(
        "MATCH (p:`Place`) OPTIONAL MATCH (e:`Event`)-[:`HELD_IN`]->(p) "
        "OPTIONAL MATCH (p)-[:`LOCATED_IN`*1..2]->(c:`Country`) "
        "RETURN p.id, count(DISTINCT e), collect(DISTINCT c.id) ORDER BY p.id").rows
    assert {r[0] for r in rows} == {"brussels", "budapest", "copenhagen", "glasgow", "lancaster-house",
                                    "london"}
    for place, events, countries in rows:
        assert events >= 1 and len(countries) == 1, place


# -- names from outside the sources ---------------------------------------------------------

def _texts(facts: Facts) -> dict[str, str]:
    files = {e.id: e.props["file"] for e in facts.entities if e.kind == "Document"}
    return {d: f" {key((DATA / 'sources' / f).read_text(encoding='utf-8'))} "
            for d, f in files.items()}


def test_aliases_are_names_the_cited_sources_use(facts: Facts) -> None:
    texts = _texts(facts)
    bad = [f"{e.file}:{e.line}: {e.id}: alias {a!r} is in none of its documents; "
           "a standard name belongs in reference_names"
           for e in facts.entities for a in e.props.get("aliases") or []
           if not any(f" {key(a)} " in texts[s["doc"]] for s in e.sources)]
    assert not bad, "\n".join(bad)


def test_reference_names_say_where_they_come_from(facts: Facts) -> None:
    with_refs = [e for e in facts.entities if e.props.get("reference_names")]
    assert len(with_refs) >= 30
    missing = [e.id for e in with_refs if not e.props.get("reference_basis")]
    assert not missing


def test_summaries_are_in_our_own_words(facts: Facts) -> None:
    """No summary repeats ten words in a row from any source document."""
    run_len = 10
    texts = _texts(facts)
    runs = set()
    for text in texts.values():
        words = text.split()
        runs |= {tuple(words[i:i + run_len]) for i in range(len(words) - run_len + 1)}
    copied = []
    for e in facts.entities:
        words = key(str(e.props.get("summary") or "")).split()
        hits = [w for w in (tuple(words[i:i + run_len]) for i in range(len(words) - run_len + 1))
                if w in runs]
        if hits:
            copied.append(f"{e.id}: {' '.join(hits[0])}")
    assert not copied, "\n".join(copied)
