"""Dates follow from the documents' own words: dates and ranges with their basis, relative
dates resolved against their anchor, the order the texts state, overlap filters on both
engines, and a status kept as of its source."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph, Literal
from rdflib import namespace as ns  # not SH and XSD by name: pytest probes module names

from conftest import DATA
from cypher import get_registry
from graph.entities import ListFilter, list_entities
from graph.falkor import FalkorBackend
from graph.schema import get_schema
from loaders.facts import Facts
from loaders.pipeline import read_facts
from loaders.write import node_row
from migkg.dates import today
from migkg.exc import InvalidFacts
from migkg.settings import Settings
from ontology.mapping import Mapper
from ontology.shapes import build_shapes

DATED = ("Document", "Agreement", "Policy", "Event")
# Dates inferred from the documents' words (not stated as dates), with their precision.
INFERRED = {
    "pm-epc-budapest-western-balkans": ("2024-11-07", "medium"),  # "today (7 November)" + "the same period in 2023"
    "epc-meeting-budapest": ("2024-11-07", "medium"),
    "epc-budapest-migration-meeting": ("2024-11-07", "medium"),
    "uk-serbia-agreement": ("2024-11-07", "medium"),
    "uk-north-macedonia-agreement": ("2024-11-07", "medium"),
    "uk-kosovo-agreement": ("2024-11-07", "medium"),
    "interpol-conference-glasgow": ("2024-11", "medium"),  # "this week" of Thursday 7 November 2024
    "border-security-command-funding": ("2024-11", "medium"),
}
# No anchor fixes a day, month or year: the words are kept, no date is guessed (a range may
# still bound them).
UNDATED = ["calais-group-london-meeting", "written-statement-calais-group",
           "written-statement-uk-germany-joint-action-plan", "foreign-secretary-brussels-visit",
           "cabinet-office-minister-brussels-visit", "illicit-finance-summit",
           "uk-germany-joint-action-plan", "calais-group-priority-plan-2025",
           "delivering-border-security", "uk-people-smuggling-sanctions-regime",
           "eu-people-smuggling-sanctions-regime", "ein-home-secretary-new-agreements",
           "foreign-secretary-brussels-press-release", "uk-statement-on-irregular-migration"]

EIN, FS, PM = ("ein-home-secretary-new-agreements", "foreign-secretary-brussels-press-release",
               "pm-epc-budapest-western-balkans")
CALAIS_2025 = "agreed to jointly deliver the Calais Group Priority Plan in 2025"
SPRING = "Council of Europe member states are expected to meet in Spring 2026"
# Each range as stored (first day, last day; None: open), its anchor and relation, and the
# words of its text that bound it (in its date_basis, and verbatim in the source text).
RANGES: dict[str, tuple[str | None, str | None, str | None, str | None, str, str]] = {
    FS: (None, "2026-06-30", "council-of-europe-meeting-spring-2026", "before", FS, SPRING),
    EIN: (None, "2026-01-01", None, None, EIN, CALAIS_2025),
    "uk-statement-on-irregular-migration": (
        "2015-01-01", None, None, None, "uk-statement-on-irregular-migration",
        "Since 2015 the UK's Border Force has maintained at least one of its cutters"),
    "council-of-europe-meeting-spring-2026": ("2026-03-01", "2026-06-30", None, None, FS, "Spring 2026"),
    "calais-group-london-meeting": (None, "2025-12-31", "written-statement-calais-group", "same_day",
                                    EIN, CALAIS_2025),
    "written-statement-calais-group": (None, "2025-12-31", EIN, "day_before", EIN,
                                       "yesterday delivered two updates to Parliament"),
    "written-statement-uk-germany-joint-action-plan": (None, "2025-12-31", EIN, "day_before", EIN,
                                                       "also made a written statement yesterday"),
    "uk-germany-joint-action-plan": (None, "2025-12-30", "written-statement-uk-germany-joint-action-plan",
                                     "day_before", EIN, "Yesterday, I signed a landmark agreement"),
    "calais-group-priority-plan-2025": (None, "2025-12-31", "calais-group-london-meeting", "same_day",
                                        EIN, CALAIS_2025),
    "delivering-border-security": (None, "2025-12-31", "written-statement-calais-group", "same_day",
                                   EIN, "the Government is also today publishing a statement"),
    "germany-smuggling-law-clarification": (None, "2025-12-30", "uk-germany-joint-action-plan",
                                            "same_day", EIN, "Germany confirm its intention"),
    "foreign-secretary-brussels-visit": (None, "2026-06-30", FS, "same_day", FS,
                                         "Foreign Secretary travels to Brussels today"),
    "cabinet-office-minister-brussels-visit": (None, "2026-06-30", FS, "same_day", FS,
                                               "will also be in Brussels today"),
    "illicit-finance-summit": (None, "2027-06-30", FS, "after", FS, "Next June"),
    "uk-people-smuggling-sanctions-regime": (None, "2026-06-30", FS, "before", FS,
                                             "Earlier this year, Britain introduced"),
    "eu-people-smuggling-sanctions-regime": (None, "2025-09-30", FS, "before", FS,
                                             "In September, EU Commissioner Ursula von der Leyen stressed the need"),
    "uk-asylum-reforms": (None, "2026-06-30", FS, "before", FS, "the recent announcements of further reforms"),
    "uk-france-migration-treaty": (None, "2026-06-30", FS, "before", FS,
                                   "has shown how it is possible and practical to operate returns"),
    "uk-italy-partnership": (None, "2026-06-30", FS, "before", FS, "This partnership is providing"),
    "uk-albania-partnership": (None, "2024-11-07", PM, "before", PM,
                               "the existing partnership between the UK and Albania"),
    "interpol-conference-glasgow": ("2024-11-04", "2024-11-07", PM, "before", PM,
                                    "Intervention follows speech to Interpol Conference in Glasgow this week"),
    "border-security-command-funding": ("2024-11-04", "2024-11-07", "interpol-conference-glasgow",
                                        "same_day", PM, "As part of this, he announced"),
    "epc-meeting-budapest": ("2024-11-07", "2024-11-07", PM, "same_day", PM, "today (7 November)"),
    "uk-small-boat-returns-to-france": (None, "2025-09-10", None, None, "cabinet-office-joint-migration-statement",
                                        "What is the government doing to tackle illegal immigration?10/09/2025"),
    "uk-eu-strategic-partnership": (None, "2026-06-30", FS, "before", FS,
                                    "meeting to drive forward the UK-EU strategic partnership"),
    "echr-interpretation-reforms": (None, "2026-06-30", FS, "before", FS,
                                    "to discuss reforms to the interpretation of the EHCR"),
    "whole-of-route-approach": (None, "2025-10-02", "joint-migration-statement-2025-10-02", "before",
                                "cabinet-office-joint-migration-statement", "They underlined the need for a"),
    "european-convention-on-human-rights": (
        None, "2025-10-02", "joint-migration-statement-2025-10-02", "before",
        "cabinet-office-joint-migration-statement", "implemented in a way that safeguards against abuse"),
}
# Where the texts leave a planned event: its latest possible day (status_now compares it).
PLANNED = {"foreign-secretary-brussels-visit": "2026-06-30",
           "cabinet-office-minister-brussels-visit": "2026-06-30",
           "council-of-europe-meeting-spring-2026": "2026-06-30", "illicit-finance-summit": "2027-06-30",
           "epc-meeting-budapest": "2024-11-07", "epc-budapest-migration-meeting": "2024-11-07"}


def by_id(facts: Facts) -> dict[str, dict[str, Any]]:
    return {e.id: e.props for e in facts.entities}


def words(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def test_inferred_dates_carry_precision_confidence_and_basis(facts: Facts) -> None:
    props = by_id(facts)
    for ident, (date, confidence) in INFERRED.items():
        p = props[ident]
        assert (p.get("date"), p.get("date_confidence")) == (date, confidence), ident
        assert p.get("date_text") and p.get("date_basis"), ident
        assert "2023" in p["date_basis"] or "7 November 2024" in p["date_basis"], ident


def test_every_date_range_and_relative_date_says_how_it_was_read(facts: Facts) -> None:
    for e in facts.entities:
        if e.kind not in DATED:
            continue
        p = e.props
        if p.get("date_text") and "date" in p or any(k in p for k in (
                "date_earliest", "date_latest", "date_relative_to")):
            assert p.get("date_basis") and p.get("date_confidence"), e.id


def test_no_date_is_guessed_without_an_anchor(facts: Facts) -> None:
    props = by_id(facts)
    for ident in UNDATED:
        assert "date" not in props[ident], ident


def test_each_range_is_pinned_to_the_words_that_bound_it(facts: Facts) -> None:
    dates = get_schema().date_properties()
    entities = {e.id: e for e in facts.entities}
    for ident, (earliest, latest, anchor, relation, doc, quote) in RANGES.items():
        e = entities[ident]
        row = node_row(e, dates)
        assert (row.get("date_earliest"), row.get("date_latest")) == (earliest, latest), ident
        assert (e.props.get("date_relative_to"), e.props.get("date_relation")) == (anchor, relation), ident
        assert words(quote) in words(e.props.get("date_basis", "")) or quote in (
            e.props.get("date_text") or ""), (ident, quote)
        assert words(quote) in words((DATA / "sources" / f"{doc}.txt").read_text("utf-8")), (ident, quote)
    # a date of month precision spans its month; one of a day is its own range
    assert node_row(entities["joint-migration-statement-2025-10-02"], dates)["date_latest"] == "2025-10-02"


def test_the_stated_order_holds_without_a_date(facts: Facts) -> None:
    """The Joint Action Plan was signed the day before the London meeting and the written
    statements, which were the day before the article: offsets from the article."""
    props = by_id(facts)
    step = {"day_before": -1, "same_day": 0, "day_after": 1}

    def offset(ident: str) -> int:
        p = props[ident]
        return 0 if ident == EIN else step[p["date_relation"]] + offset(p["date_relative_to"])

    assert {i: offset(i) for i in ("uk-germany-joint-action-plan", "calais-group-london-meeting",
                                   "written-statement-calais-group",
                                   "written-statement-uk-germany-joint-action-plan",
                                   "calais-group-priority-plan-2025", "delivering-border-security")} == {
        "uk-germany-joint-action-plan": -2, "calais-group-london-meeting": -1,
        "written-statement-calais-group": -1, "written-statement-uk-germany-joint-action-plan": -1,
        "calais-group-priority-plan-2025": -1, "delivering-border-security": -1}


def _ids(backend: Any, kind: str, **f: Any) -> set[str]:
    page = list_entities(backend, get_schema().node(kind), ListFilter(limit=200, **f))
    return {x["id"] for x in page.items}


@pytest.mark.neo4j
def test_date_filters_match_ranges_that_overlap_the_window(engine: Any) -> None:
    open_before_2026 = {"calais-group-london-meeting", "written-statement-calais-group",
                        "written-statement-uk-germany-joint-action-plan",
                        "foreign-secretary-brussels-visit", "cabinet-office-minister-brussels-visit",
                        "illicit-finance-summit"}
    budapest = {"epc-meeting-budapest", "epc-budapest-migration-meeting", "interpol-conference-glasgow"}
    for window in (("2024-11", "2024-11"), ("2024-11-01", "2024-11-30"), ("2024", "2024")):
        assert _ids(engine, "Event", date_from=window[0], date_to=window[1]) == budapest | open_before_2026
    # a range that ends before the window, or starts after it, is left out
    assert _ids(engine, "Event", date_from="2024-11-08", date_to="2024-12") == open_before_2026
    assert _ids(engine, "Event", date_from="2026-07") == {"illicit-finance-summit"}
    assert _ids(engine, "Event", date_to="2024-11-03") == open_before_2026
    assert "council-of-europe-meeting-spring-2026" in _ids(engine, "Event", date_from="2026-06-30")
    assert "council-of-europe-meeting-spring-2026" not in _ids(engine, "Event", date_to="2026-02")
    assert _ids(engine, "Document", date_from="2026-01") == {
        FS, EIN, "uk-statement-on-irregular-migration"}
    assert _ids(engine, "Document", date_to="2014") == {FS, EIN}
    assert _ids(engine, "Policy", date_from="2025-10", date_to="2025-10") >= {
        "uk-people-smuggling-sanctions-regime", "delivering-border-security"}
    assert "eu-people-smuggling-sanctions-regime" not in _ids(engine, "Policy", date_from="2025-10")
    rows = get_registry().run(engine, "events_in_range", {"from": "2024-11", "to": "2024-11"},
                              Settings(query_timeout_ms=120_000)).records()  # a cold JVM plans it slowly
    assert {r["event"]["id"] for r in rows} == budapest | open_before_2026
    agreements = get_registry().run(engine, "agreements_by_status", {"from": "2026-06"},
                                    Settings(query_timeout_ms=120_000)).records()
    assert {r["agreement"]["id"] for r in agreements} == {  # each known only to exist by June 2026
        "uk-france-migration-treaty", "uk-italy-partnership", "uk-eu-strategic-partnership"}
    dated = [r for r in rows if r["date_earliest"]]
    assert [r["event"]["id"] for r in dated] == ["interpol-conference-glasgow", "epc-budapest-migration-meeting",
                                           "epc-meeting-budapest"]
    assert all(r["date_confidence"] == "medium" and r["date_basis"] for r in dated)


@pytest.mark.neo4j
def test_planned_is_as_of_the_source_and_a_passed_date_says_so(engine: Any, client: TestClient) -> None:
    passed = {i for i, latest in PLANNED.items() if latest < today()}
    assert _ids(engine, "Event", status="planned") == set(PLANNED) - passed
    assert _ids(engine, "Event", status="date_passed") == passed
    assert "epc-meeting-budapest" in passed  # held two years ago: not "planned" today
    if engine.__class__ is not FalkorBackend:
        return
    items = {x["id"]: x["properties"] for x in client.get("/v1/events", params={"limit": 200}).json()["items"]}
    budapest = items["epc-meeting-budapest"]
    assert (budapest["status"], budapest["status_as_of"], budapest["status_now"]) == (
        "planned", "2024-11-07", "date_passed")
    assert budapest["event_type"] == "meeting"  # its own note: "a meeting", not a summit
    assert items["illicit-finance-summit"]["status_now"] == (
        "planned" if today() <= "2027-06-30" else "date_passed")
    assert items["epc-summit-copenhagen-2025"]["status_now"] == "held"
    facet = client.get("/v1/events", params={"facets": "status", "limit": 1}).json()["facets"]["status"]
    assert {f["value"]: f["count"] for f in facet}.get("date_passed") == len(passed)
    bad = client.get("/v1/events", params={"status": "soon"})
    assert bad.status_code == 422 and "date_passed" in bad.json()["allowed"]
    spec = client.get("/openapi.json").json()["paths"]["/v1/events"]["get"]["parameters"]
    status = next(p for p in spec if p["name"] == "status")
    assert "date_passed" in str(status["schema"]) and "status_as_of" in status["description"]


def test_the_range_is_exported_as_xsd_dates_checked_by_shacl(facts: Facts) -> None:
    entities = {e.id: e for e in facts.entities}
    triples = Mapper("https://example.org").node(
        "Event", node_row(entities["council-of-europe-meeting-spring-2026"], get_schema().date_properties()))
    values = {str(p).rsplit("#", 1)[-1]: o for _, p, o in triples}
    assert values["dateEarliest"] == Literal("2026-03-01", datatype=ns.XSD.date)
    assert values["dateLatest"] == Literal("2026-06-30", datatype=ns.XSD.date)
    assert values["date"] == Literal("2026", datatype=ns.XSD.gYear)
    shapes = (Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl").read_text("utf-8")
    assert re.search(r"sh:lessThanOrEquals migkg:dateLatest", shapes)
    # SHACL refuses a range whose earliest day is after its latest
    row = node_row(entities["council-of-europe-meeting-spring-2026"], get_schema().date_properties())
    row["date_earliest"], row["date_latest"] = row["date_latest"], row["date_earliest"]
    broken = Graph()
    for t in Mapper("https://example.org").node("Event", row):
        broken.add(t)
    _, report, _ = validate(broken, shacl_graph=build_shapes(), inference="none")
    assert (None, ns.SH.sourceConstraintComponent, ns.SH.LessThanOrEqualsConstraintComponent) in report


RULE_HEAD = (
    "entities:\n"
    "- {kind: Document, id: d, name: D, title: D, file: d.txt, sources: [{doc: d, quote: \"the text\"}]}\n"
    "- {kind: Event, id: e, name: E, event_type: meeting, date: \"2025-10\", date_latest: \"2025-12\",\n"
    "   date_basis: the words, sources: [{doc: d, quote: \"a meeting\"}]}\n"
)


@pytest.mark.parametrize(("entity", "line", "fld", "message"), [
    ("- {kind: Event, id: f, name: F, event_type: meeting, date_latest: \"2025\",\n"
     "   sources: [{doc: d, quote: \"a meeting\"}]}", 5, "date_basis", "needs date_basis"),
    ("- {kind: Event, id: f, name: F, event_type: meeting, date_basis: b,\n"
     "   date_earliest: \"2025-06\",\n   date_latest: \"2025-05-31\",\n"
     "   sources: [{doc: d, quote: \"a meeting\"}]}", 7, "date_latest", "before date_earliest"),
    ("- {kind: Event, id: f, name: F, event_type: meeting, date_basis: b,\n"
     "   date: \"2024\",\n   date_earliest: \"2025-06\",\n"
     "   sources: [{doc: d, quote: \"a meeting\"}]}", 6, "date", "outside its range"),
    ("- {kind: Event, id: f, name: F, event_type: meeting, date_basis: b,\n"
     "   date_relative_to: nowhere, date_relation: same_day,\n"
     "   sources: [{doc: d, quote: \"a meeting\"}]}", 6, "date_relative_to", "is not the id"),
    ("- {kind: Event, id: f, name: F, event_type: meeting, date_basis: b,\n"
     "   date_relative_to: e,\n   date_relation: day_before, date_latest: \"2025-12-31\",\n"
     "   sources: [{doc: d, quote: \"a meeting\"}]}", 7, "date_latest", "is 2025-10-30"),
    ("- {kind: Event, id: f, name: F, event_type: meeting, date_basis: b,\n"
     "   date_relation: before,\n   sources: [{doc: d, quote: \"a meeting\"}]}",
     6, "date_relative_to", "go together"),
    ("- {kind: Event, id: f, name: F, event_type: meeting, date_basis: b,\n"
     "   date_relative_to: e, date_relation: before,\n   date_latest: \"2026\",\n"
     "   sources: [{doc: d, quote: \"a meeting\"}]}", 7, "date_latest", "at most 2025-10-31"),
    ("- {kind: Event, id: f, name: F, event_type: meeting,\n   status_as_of: \"2025-01-02\",\n"
     "   sources: [{doc: d, quote: \"a meeting\"}]}", 6, "status", "add the status"),
])
def test_the_date_rules_refuse_a_bad_file(tmp_path: Path, entity: str, line: int, fld: str,
                                          message: str) -> None:
    (tmp_path / "facts.yaml").write_text(RULE_HEAD + entity + "\n", encoding="utf-8")
    with pytest.raises(InvalidFacts) as err:
        read_facts(tmp_path, allow_unchecked_quotes=True)
    found = [p for p in err.value.problems if message in p.message]
    assert len(found) == 1, err.value.problems
    assert str(found[0]).endswith(f"facts.yaml:{line}: {fld}: {found[0].message}") or \
        f"facts.yaml:{line}: {fld}: " in str(found[0]), str(found[0])


def test_the_date_rules_pass_a_good_file(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text(RULE_HEAD + (
        "- {kind: Event, id: f, name: F, event_type: meeting, date_basis: the day before,\n"
        "   date_relative_to: e, date_relation: day_before, date_earliest: \"2025-09-30\",\n"
        "   date_latest: \"2025-10-30\", status: held, status_as_of: \"2026-01-01\",\n"
        "   sources: [{doc: d, quote: \"a meeting\"}]}\n"), encoding="utf-8")
    facts = read_facts(tmp_path, allow_unchecked_quotes=True)
    assert len(facts.entities) == 3
