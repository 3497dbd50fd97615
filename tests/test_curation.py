"""Edges say only what their quotes say; names from outside the sources are kept apart.

Each test here would fail if an edge fixed for issue 12 or issue 24 came back.
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
    assert "uk-germany-joint-action-plan" not in {r["agreement"]["id"] for r in rows}
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
    assert len(parties) == 17 and {r["actor"]["id"] for r in parties} == SEVENTEEN
    assert {r["role"] for r in parties} == {"party"}
    present = {(r["actor"]["id"], r["role"], r["event"]["id"]) for r in rows if r["relation"] == "ATTENDED"}
    # the text names the Presidents' offices, not the institutions (issue 24)
    assert present == {("president-of-the-european-commission", "present", "epc-summit-copenhagen-2025"),
                       ("president-of-the-european-parliament", "present", "epc-summit-copenhagen-2025")}
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
    assert [r["event"]["id"] for r in rows] == ["epc-budapest-migration-meeting", "epc-meeting-budapest"]
    announced = {i["id"] for r in rows for i in r["instruments"]}
    assert announced == {"uk-serbia-agreement", "uk-north-macedonia-agreement", "uk-kosovo-agreement"}
    london = {r["event"]["id"] for r in run(loaded, "events_at_place", place="London")}
    assert london == {"calais-group-london-meeting", "illicit-finance-summit"}  # the venue is in London
    uk = {r["event"]["id"] for r in run(loaded, "events_at_place", place="UK")}
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


# -- issue 24: positions held, not departments as stand-ins ------------------------------

def quotes(r: Any) -> list[str]:
    return [s["quote"] for s in r.sources]


@pytest.mark.parametrize(("person", "position", "title", "as_of", "quote"), [
    ("keir-starmer", "uk-prime-minister", "Prime Minister", "2024-11-07",
     "Prime Minister Keir Starmer said"),
    ("yvette-cooper", "uk-home-secretary", "Home Secretary", "2024-11-07",
     "Home Secretary Yvette Cooper said"),
    ("nancy-faeser", "german-interior-minister", "Federal Minister of the Interior and Community", None,
     "the German Federal Minister of the Interior and Community Nancy Faeser"),
    ("nick-thomas-symonds", "uk-minister-constitution-eu-relations",
     "Minister for the Constitution and European Union Relations", "2025-08-28",
     "Minister for the Constitution and European Union Relations Nick Thomas-Symonds"),
])
def test_people_hold_positions_dated_by_the_text(facts: Facts, person: str, position: str,
                                                 title: str, as_of: str | None, quote: str) -> None:
    [held] = rels(facts, "HOLDS_OFFICE", person)
    assert (held.target, held.props["title"], held.props.get("as_of")) == (position, title, as_of)
    assert quote in quotes(held)
    assert as_of is None or held.props["date_basis"]  # a date says how the text gives it


def test_every_position_is_an_office_of_a_country_or_organisation(facts: Facts) -> None:
    positions = {e.id for e in facts.entities if e.kind == "Position"}
    assert {"uk-prime-minister", "uk-home-secretary", "uk-foreign-secretary",
            "uk-minister-for-the-cabinet-office", "german-interior-minister"} <= positions
    assert {r.source for r in rels(facts, "OFFICE_OF")} == positions
    assert {r.target for r in rels(facts, "OFFICE_OF", "uk-foreign-secretary")} == {"GB"}
    assert "the UK Foreign Secretary is calling on European partners" in quotes(
        rels(facts, "OFFICE_OF", "uk-foreign-secretary")[0])


@pytest.mark.parametrize(("actor", "event", "role", "quote"), [
    ("uk-foreign-secretary", "foreign-secretary-brussels-visit", "visitor",
     "Foreign Secretary travels to Brussels today"),
    ("uk-foreign-secretary", "illicit-finance-summit", "host",
     "the Foreign Secretary will host the Illicit Finance Summit at Lancaster House in London"),
    ("uk-minister-for-the-cabinet-office", "cabinet-office-minister-brussels-visit", "visitor",
     "Minister for the Cabinet Office will also be in Brussels today"),
    ("uk-deputy-prime-minister", "council-of-europe-justice-ministers-meeting", "attendee",
     "The Deputy Prime Minister and Attorney General attend a meeting of Council of Europe justice ministers"),
    ("uk-attorney-general", "council-of-europe-justice-ministers-meeting", "attendee",
     "The Deputy Prime Minister and Attorney General attend a meeting of Council of Europe justice ministers"),
])
def test_unnamed_office_holders_act_through_their_position(facts: Facts, actor: str, event: str,
                                                           role: str, quote: str) -> None:
    [edge] = rels(facts, "ATTENDED", actor, event)
    assert edge.props["role"] == role and quote in quotes(edge)
    attendees = {r.source for r in rels(facts, "ATTENDED", target=event)}
    assert not attendees & {"foreign-office", "cabinet-office", "home-office"}


def test_no_department_attends_and_no_holder_is_guessed(facts: Facts) -> None:
    departments = {e.id for e in facts.entities if e.props.get("org_type") == "government_body"}
    assert not {r.source for r in rels(facts, "ATTENDED")} & departments
    assert rels(facts, "HOLDS_OFFICE", target="uk-foreign-secretary") == []  # "She", never named
    assert rels(facts, "HOLDS_OFFICE", target="president-of-the-european-commission") == []
    assert rels(facts, "ATTENDED", "GB", "council-of-europe-justice-ministers-meeting") == []


def test_office_titles_resolve_to_the_position_then_its_holders(client: TestClient) -> None:
    assert client.get("/v1/entities/Prime Minister").json()["id"] == "uk-prime-minister"
    assert client.get("/v1/entities/PM").json()["id"] == "uk-prime-minister"
    assert client.get("/v1/people/Prime Minister").json()["id"] == "keir-starmer"
    assert client.get("/v1/entities/Home Secretary").json()["id"] == "uk-home-secretary"
    hits = client.get("/v1/search", params={"q": "Home Secretary"}).json()["items"]
    ids = [h["id"] for h in hits]
    assert ids[0] == "uk-home-secretary" and "yvette-cooper" in ids


def test_positions_in_the_actor_profile(loaded: FalkorBackend) -> None:
    rows = run(loaded, "actor_profile", actor="UK Foreign Secretary")
    got = {(r["relation"], r["direction"], r["other"]["id"]) for r in rows}
    assert {("OFFICE_OF", "out", "GB"), ("ATTENDED", "out", "illicit-finance-summit")} <= got
    rows = run(loaded, "actor_profile", actor="GB")
    assert ("OFFICE_OF", "in", "uk-prime-minister") in {
        (r["relation"], r["direction"], r["other"]["id"]) for r in rows}


# -- issue 24: edges that stretched their quotes -----------------------------------------

def test_the_german_law_change_is_a_commitment_in_the_plan(facts: Facts) -> None:
    law, plan = "germany-smuggling-law-clarification", "uk-germany-joint-action-plan"
    assert rels(facts, "BUILDS_ON", law) == []
    [edge] = rels(facts, "COMMITTED_IN", law, plan)
    assert "the joint agreement sees Germany confirm its intention to clarify their law" in quotes(edge)
    [adopted] = rels(facts, "ADOPTED", "DE", law)
    assert adopted.props["role"] == "intending_adopter"  # "confirms its intention"


def test_the_echr_reforms_reform_the_convention_and_are_only_discussed(facts: Facts) -> None:
    reforms = "echr-interpretation-reforms"
    assert rels(facts, "BUILDS_ON", reforms) == []
    [edge] = rels(facts, "REFORMS", reforms, "european-convention-on-human-rights")
    assert "reforms to the interpretation of the EHCR" in quotes(edge)
    assert rels(facts, "ADOPTED", "council-of-europe", reforms) == []
    assert {r.props["action"] for r in rels(facts, "ANNOUNCED_AT", reforms)} == {"discussed"}


def test_the_aegean_rescues_are_not_credited_to_border_force(facts: Facts) -> None:
    assert rels(facts, "ABOUT", "fig-aegean-rescues", "border-force") == []
    [fig] = [e for e in facts.entities if e.id == "fig-aegean-rescues"]
    assert "Border Force" not in fig.props["name"]
    assert "over 16,000 migrants have been rescued" in quotes(fig)


def test_frontex_and_europol_are_not_part_of_the_commission(facts: Facts) -> None:
    assert rels(facts, "PART_OF", "frontex", "european-commission") == []
    assert rels(facts, "PART_OF", "europol", "european-commission") == []


@pytest.mark.parametrize(("rtype", "source", "target", "inferred"), [
    ("HELD_IN", "calais-group-london-meeting", "GB", "reference_geography"),
    ("HELD_IN", "illicit-finance-summit", "GB", "reference_geography"),
    ("HELD_IN", "written-statement-calais-group", "GB", "from_text"),
    ("HELD_IN", "written-statement-uk-germany-joint-action-plan", "GB", "from_text"),
    ("HELD_IN", "foreign-secretary-brussels-visit", "BE", "reference_geography"),
    ("HELD_IN", "interpol-conference-glasgow", "GB", "reference_geography"),
    ("ADDRESSES", "uk-france-migration-treaty", "channel-small-boats-route", "from_text"),
    ("ADDRESSES", "germany-smuggling-law-clarification", "channel-small-boats-route", "from_text"),
    ("ALIGNS_WITH", "whole-of-route-approach", "jms-whole-of-route-approach", "from_text"),
])
def test_inferred_edges_are_marked_the_same_way(facts: Facts, rtype: str, source: str,
                                                target: str, inferred: str) -> None:
    [edge] = rels(facts, rtype, source, target)
    assert edge.props["inferred"] == inferred and edge.props["basis"]
    if inferred == "from_text":
        assert edge.props["confidence"] == "low"


# -- issue 24: the validator rules -------------------------------------------------------

RULE_HEAD = (
    "entities:\n"
    "- {kind: Document, id: d, name: D, title: D, file: d.txt, sources: [{doc: d, quote: \"the text\"}]}\n"
    "- {kind: Country, id: GB, name: United Kingdom, sources: [{doc: d, quote: \"the UK\"}]}\n"
    "- {kind: Organisation, id: fo, name: Foreign Office, org_type: government_body,\n"
    "   sources: [{doc: d, quote: \"the Foreign Office\"}]}\n"
    "- {kind: Person, id: ann, name: Ann Smith, sources: [{doc: d, quote: \"Ann Smith\"}]}\n"
    "- {kind: Position, id: fs, name: Foreign Secretary, sources: [{doc: d, quote: \"the Foreign Secretary\"}]}\n"
    "- {kind: Event, id: e, name: E, event_type: visit, sources: [{doc: d, quote: \"a visit\"}]}\n"
    "relationships:\n"
    "- {type: HOLDS_OFFICE, from: ann, to: fs, title: Foreign Secretary,\n"
    "   sources: [{doc: d, quote: \"Foreign Secretary Ann Smith\"}]}\n"
)


@pytest.mark.parametrize(("edge", "line", "fld", "words"), [
    ("- {type: ATTENDED, from: fo, to: e, role: visitor, sources: [{doc: d, quote: \"visits\"}]}",
     12, "from", "government department"),
    ("- {type: ATTENDED, from: fs, to: e, role: visitor,\n"
     "   sources: [{doc: d, quote: \"Smith visits\"}]}", 12, "from", "names the holder"),
    ("- {type: HELD_IN, from: e, to: GB, inferred: from_text, confidence: low,\n"
     "   sources: [{doc: d, quote: \"in London\"}]}", 12, "basis", "needs basis"),
    ("- {type: HELD_IN, from: e, to: GB, inferred: from_text, basis: London is in the UK,\n"
     "   sources: [{doc: d, quote: \"in London\"}]}", 12, "confidence", "confidence: low"),
    ("- {type: HELD_IN, from: e, to: GB, basis: London is in the UK,\n"
     "   sources: [{doc: d, quote: \"in London\"}]}", 12, "inferred", "add inferred"),
    ("- {type: HELD_IN, from: e, to: GB, ambiguity: or London in Ontario,\n"
     "   sources: [{doc: d, quote: \"in London\"}]}", 12, "confidence", "one reading"),
])
def test_the_curation_rules_refuse_a_bad_file(tmp_path: Path, edge: str, line: int, fld: str,
                                              words: str) -> None:
    (tmp_path / "facts.yaml").write_text(RULE_HEAD + edge + "\n", encoding="utf-8")
    with pytest.raises(InvalidFacts) as err:
        read_facts(tmp_path, allow_unchecked_quotes=True)
    found = [p for p in err.value.problems if words in p.message]
    assert len(found) == 1, err.value.problems
    assert str(found[0]).startswith(f"{tmp_path / 'facts.yaml'}:{line}: {fld}: ") or \
        str(found[0]).startswith(f"facts.yaml:{line}: {fld}: "), str(found[0])


def test_the_curation_rules_pass_a_good_file(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text(RULE_HEAD + (
        "- {type: ATTENDED, from: fs, to: e, role: visitor, sources: [{doc: d, quote: \"She visits\"}]}\n"
        "- {type: HELD_IN, from: e, to: GB, inferred: reference_geography, basis: London is in the UK,\n"
        "   sources: [{doc: d, quote: \"in London\"}]}\n"), encoding="utf-8")
    facts = read_facts(tmp_path, allow_unchecked_quotes=True)
    assert len(facts.relationships) == 3
