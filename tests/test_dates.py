"""Dates follow from the documents' own words, with their precision, confidence and basis."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cypher import get_registry
from graph.falkor import FalkorBackend
from loaders.facts import Facts
from migkg.settings import Settings

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
# No anchor in the text: the words are kept, no date is guessed.
UNDATED = ["calais-group-london-meeting", "written-statement-calais-group",
           "written-statement-uk-germany-joint-action-plan", "foreign-secretary-brussels-visit",
           "cabinet-office-minister-brussels-visit", "illicit-finance-summit",
           "uk-germany-joint-action-plan", "calais-group-priority-plan-2025",
           "delivering-border-security", "uk-people-smuggling-sanctions-regime",
           "eu-people-smuggling-sanctions-regime", "ein-home-secretary-new-agreements",
           "foreign-secretary-brussels-press-release"]


def by_id(facts: Facts) -> dict[str, dict[str, Any]]:
    return {e.id: e.props for e in facts.entities}


def test_inferred_dates_carry_precision_confidence_and_basis(facts: Facts) -> None:
    props = by_id(facts)
    for ident, (date, confidence) in INFERRED.items():
        p = props[ident]
        assert (p.get("date"), p.get("date_confidence")) == (date, confidence), ident
        assert p.get("date_text") and p.get("date_basis"), ident
        assert "2023" in p["date_basis"], ident  # the anchor: the comparison with 2023


def test_every_relative_or_partial_date_says_how_it_was_read(facts: Facts) -> None:
    for e in facts.entities:
        if e.kind not in DATED or "date" not in e.props:
            continue
        if e.props.get("date_text") or e.id in INFERRED:
            assert e.props.get("date_basis") and e.props.get("date_confidence"), e.id
    for e in facts.entities:
        assert not (e.props.get("date_basis") and "date" not in e.props), e.id


def test_no_date_is_guessed_without_an_anchor(facts: Facts) -> None:
    props = by_id(facts)
    for ident in UNDATED:
        assert "date" not in props[ident], ident


def test_events_in_november_2024(loaded: FalkorBackend) -> None:
    reg, settings = get_registry(), Settings()
    for frm, to in (("2024-11-01", "2024-11-30"), ("2024-11", "2024-11"), ("2024", "2024")):
        rows = reg.run(loaded, "events_in_range", {"from": frm, "to": to}, settings).records()
        assert [r["event"] for r in rows] == ["interpol-conference-glasgow", "epc-budapest-migration-meeting",
                                              "epc-meeting-budapest"], (frm, to)
        assert [r["precision"] for r in rows] == ["month", "day", "day"]
        assert all(r["date_confidence"] == "medium" and r["date_basis"] for r in rows)


def test_every_event_the_documents_date_is_on_the_timeline(client: TestClient, facts: Facts) -> None:
    events = client.get("/v1/events", params={"limit": 200}).json()["items"]
    agreements = client.get("/v1/agreements", params={"limit": 200}).json()["items"]
    dated = sorted(x["id"] for x in events + agreements if x["properties"].get("date"))
    assert dated == sorted([
        "council-of-europe-meeting-spring-2026", "epc-budapest-migration-meeting", "epc-meeting-budapest",
        "epc-summit-copenhagen-2025", "interpol-conference-glasgow", STATEMENT,
        "uk-kosovo-agreement", "uk-north-macedonia-agreement", "uk-serbia-agreement"])
    props = by_id(facts)
    assert sum(1 for p in props.values() if p.get("date_basis")) >= len(INFERRED)


STATEMENT = "joint-migration-statement-2025-10-02"
