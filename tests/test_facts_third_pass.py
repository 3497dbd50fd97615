"""The facts issue 24 (section 4) found missing, each pinned to its quote, and the
check that every number, date and name of the five texts is in the data or
deliberately left out (docs/curation.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import DATA, MINI, ROOT, run_cli
from cypher import get_registry
from graph.backend import GraphBackend
from graph.schema import get_schema
from loaders.facts import Facts
from migkg.settings import Settings

SETTINGS = Settings()
CALAIS = "calais-group-priority-plan-2025"


def rels(facts: Facts, rtype: str, source: str | None = None, target: str | None = None) -> list[Any]:
    return [r for r in facts.relationships if r.type == rtype
            and source in (None, r.source) and target in (None, r.target)]


def quotes(item: Any) -> list[str]:
    return [s["quote"] for s in item.sources]


# -- the new facts -----------------------------------------------------------------------

def test_von_der_leyen_called_for_the_eu_regime_and_proposed_nothing(facts: Facts) -> None:
    [call] = rels(facts, "CALLED_FOR", "ursula-von-der-leyen")
    assert call.target == "eu-people-smuggling-sanctions-regime"
    assert any("Ursula von der Leyen stressed the need for a new EU sanctions regime" in q
               for q in quotes(call))
    adopters = {(r.source, r.props["role"]) for r in rels(facts, "ADOPTED", target=call.target)}
    assert adopters == {("european-union", "explorer")}  # nobody is recorded as proposer


def test_returns_to_france_are_a_measure_tied_to_the_treaty_by_inference(facts: Facts) -> None:
    measure = "uk-small-boat-returns-to-france"
    [entity] = [e for e in facts.entities if e.id == measure]
    assert entity.props["policy_type"] == "returns_measure"
    assert ("For the first time, small boat migrants arriving in the UK face being detained and "
            "returned to France.") in quotes(entity)
    [tie] = rels(facts, "IMPLEMENTS", measure)
    assert tie.target == "uk-france-migration-treaty"
    assert (tie.props["inferred"], tie.props["confidence"]) == ("from_text", "low")
    assert {s["doc"] for s in tie.sources} == {"cabinet-office-joint-migration-statement",
                                              "foreign-secretary-brussels-press-release"}
    assert any("operate returns to neighbouring European countries" in q for q in quotes(tie))
    assert {r.source for r in rels(facts, "ADOPTED", target=measure)} == {"GB"}


def test_the_calais_priorities_name_europol_and_frontex(facts: Facts) -> None:
    found = {(r.source, r.target, r.props["role"]): quotes(r) for r in rels(facts, "INVOLVES")}
    assert set(found) == {("calais-priority-enforcement-europol", "europol", "channel"),
                          ("calais-priority-operational-cooperation", "frontex", "partner")}
    assert "through Europol" in found[("calais-priority-enforcement-europol", "europol", "channel")][0]
    assert "such as Frontex" in found[("calais-priority-operational-cooperation", "frontex",
                                       "partner")][0]


@pytest.mark.parametrize(("figure", "value", "about", "words"), [
    ("fig-calais-priorities", 5, CALAIS, "the following five priorities"),
    ("fig-bsc-principles", 4, "delivering-border-security", "the following four key principles"),
    ("fig-foreign-office-migration-unit-doubling", 2, "foreign-office-migration-unit",
     "the Foreign Office doubles the migration unit"),
])
def test_the_counts_the_texts_state_are_figures(facts: Facts, figure: str, value: int, about: str,
                                                words: str) -> None:
    [entity] = [e for e in facts.entities if e.id == figure]
    assert entity.props["value"] == value
    assert any(words in q for q in quotes(entity))
    assert [r.target for r in rels(facts, "ABOUT", figure)] == [about]


def test_every_relationship_type_has_words_from_the_schema(facts: Facts) -> None:
    from graph.schema import REL_PHRASES

    schema = get_schema()
    assert set(REL_PHRASES) == set(schema.relationships)  # none falls back to its code
    assert schema.rel("OFFICE_OF").phrase == ("Office of", "Offices")
    assert schema.rel("CALLED_FOR").phrase == ("Called for", "Called for by")
    assert schema.rel("INVOLVES").phrase[1] == "Named in"
    assert {"CALLED_FOR", "IMPLEMENTS", "INVOLVES"} <= {r.type for r in facts.relationships}


# -- the coverage answer carries the ambiguity, on both engines ---------------------------

def _id(value: Any) -> Any:
    """An id, whether a column holds it or an entity reference `{kind, id, name}`."""
    return value["id"] if isinstance(value, dict) else value


def _calais_rows(backend: GraphBackend, country: str) -> list[dict[str, Any]]:
    rows = get_registry().run(backend, "agreements_covering_country", {"country": country},
                              SETTINGS).records()
    return [r for r in rows if _id(r["agreement"]) == CALAIS]


@pytest.mark.neo4j
def test_germany_is_covered_by_the_calais_plan_only_on_an_open_reading(engine: GraphBackend) -> None:
    [row] = _calais_rows(engine, "DE")
    assert row["how"] == "group" and _id(row["via"]) == "calais-group"
    [member] = [q for q in row["qualifiers"] if q["link"] == "MEMBER_OF"]
    assert "without Germany" in member["ambiguity"]
    assert (member["inferred"], member["confidence"]) == ("from_text", "low")
    # Belgium is a named partner and party: nothing qualifies its share in the plan
    belgium = _calais_rows(engine, "BE")
    assert {r["how"] for r in belgium} == {"party", "group"}
    assert all(r["qualifiers"] == [] for r in belgium)


def test_the_api_and_csv_carry_the_qualifiers(client: TestClient) -> None:
    body = client.get("/v1/countries/DE/agreements").json()
    [plan] = [a for a in body["items"] if a["agreement"]["id"] == CALAIS]
    [how] = plan["how"]
    assert how["confidence"] == "low"
    [q] = how["qualifiers"]
    assert q["link"] == "MEMBER_OF" and "without Germany" in q["ambiguity"]
    jap = next(a for a in body["items"] if a["agreement"]["id"] == "uk-germany-joint-action-plan")
    assert {h["confidence"] for h in jap["how"]} == {"high"}
    csv = client.get("/v1/countries/DE/agreements", params={"format": "csv"}).text
    assert csv.splitlines()[0].split(",")[8:10] == ["confidence", "qualifiers"]
    assert "without Germany" in csv


# -- every number and name of the texts is in the data or deliberately left out -----------

NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|hundred|thousand|"
                "million|billion|first|second|third|half|doubles?")
NUMBER = re.compile(rf"£?\d(?:[\d,.:/%-]*\d)?%?|\b(?:{NUMBER_WORDS})\b", re.IGNORECASE)
WORD = r"[A-Z][\w’'\-–]*"
# A name: capitalised words, joined by the small words names contain ("Council of Europe").
NAME = re.compile(rf"{WORD}(?:[ \t]+(?:(?:of|for|the|on|in|von|der)[ \t]+)*{WORD})*")
PROSE = {"summary", "note", "basis", "ambiguity", "date_basis", "reference_basis", "point_basis"}


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'").replace("–", "-"))


def text_tokens(text: str) -> set[str]:
    found = {m.group(0).rstrip(".,:") for m in NUMBER.finditer(text)}
    found |= {re.sub(r"'s$", "", fold(m.group(0))) for m in NAME.finditer(text)}
    return found


def data_text(facts: Facts) -> str:
    """The data's own words: every quote, name and value (not our prose about them)."""
    parts: list[str] = []

    def add(value: Any) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list | tuple):
            for v in value:
                add(v)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{value:g}")

    for item in [*facts.entities, *facts.relationships]:
        for name, value in item.props.items():
            if name not in PROSE:
                add(value)
        parts += quotes(item)
    return fold("\n".join(parts))


def contains(haystack: str, token: str) -> bool:
    """`token` as whole words in `haystack`; names keep their case, numbers and words not."""
    flags = 0 if token[:1].isupper() else re.IGNORECASE
    before, after = (r"(?<![\d£.,])", r"(?![\d])") if token[:1].isdigit() else (r"(?<![\w£])", r"(?!\w)")
    return re.search(before + re.escape(fold(token)) + after, haystack, flags) is not None


def left_out() -> dict[str, list[tuple[str, str]]]:
    """docs/curation.md's "Deliberately left out" table: per document, (words, why)."""
    text = (ROOT / "docs" / "curation.md").read_text(encoding="utf-8")
    section = text.split("## Deliberately left out", 1)[1].split("\n## ", 1)[0]
    out: dict[str, list[tuple[str, str]]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0] or set(cells[0]) <= {"-"} or cells[0] == "Document":
            continue
        for words in re.findall(r"`([^`]+)`", cells[1]):
            out.setdefault(cells[0], []).append((words, cells[2]))
    return out


def test_every_number_and_name_is_in_the_data_or_left_out_with_a_reason(facts: Facts) -> None:
    data = data_text(facts)
    listed = left_out()
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((DATA / "sources").glob("*.txt"))}
    assert len(texts) == 5 and set(listed) <= set(texts)
    missing = []
    for doc, text in texts.items():
        entries = listed.get(doc, [])
        for words, why in entries:  # an entry is in its text, and says why
            assert fold(words) in fold(text), f"{doc}: left-out {words!r} is not in the text"
            assert len(why) > 20, f"{doc}: {words!r} needs a reason"
        for token in sorted(text_tokens(text)):
            bare = token.removeprefix("The ")
            if contains(data, token) or contains(data, bare):
                continue
            if not any(contains(fold(words), token) for words, _ in entries):
                missing.append(f"{doc}: {token!r}")
    assert not missing, "neither in the data nor in docs/curation.md's left-out list:\n" + \
        "\n".join(missing)


def test_the_check_would_catch_a_number_nobody_recorded(facts: Facts) -> None:
    data = data_text(facts)
    assert "9,400" in text_tokens("returned 9,400 people") and contains(data, "9,400")
    assert not contains(data, "9,401")
    assert {"Fiona Ryland", "£480", "twelve"} <= text_tokens(
        "Fiona Ryland said £480 million over twelve months")
    assert not contains(data, "Fiona Ryland")


# -- migkg review --changes: per document, what changed since a release --------------------

def test_review_changes_lists_per_document_what_changed_since_a_release(tmp_path: Path) -> None:
    from graph.schema import get_schema
    from loaders.pipeline import read_facts
    from loaders.releases import Releases
    from loaders.review import changes_by_document

    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    Releases(data).record("1", read_facts(data), get_schema(), when="2026-01-01")
    facts_file = data / "facts.yaml"
    text = facts_file.read_text(encoding="utf-8")
    text = text.replace("aliases: [UK, Britain]", "aliases: [UK]")  # a property changed
    text = text.replace("    status: to_be_signed\n", "    status: signed\n")
    facts_file.write_text(text + "\n".join([
        "  - type: PARTY_TO", "    from: RS", "    to: uk-serbia-agreement", "    role: party",
        "    sources:", "      - doc: doc-a", '        quote: "about Serbia"', ""]),
        encoding="utf-8")
    release, by_doc = changes_by_document(read_facts(data), get_schema(), Releases(data))
    assert release.version == "1" and set(by_doc) == {"doc-a"}
    found = {(c["change"], c["about"], c["old"], c["new"]) for c in by_doc["doc-a"]}
    assert ("changed", "UK-Serbia agreement (`uk-serbia-agreement`): status", "to_be_signed",
            "signed") in found
    assert ("changed", "United Kingdom (`GB`): aliases", '["UK", "Britain"]', '["UK"]') in found
    assert ("added", "Serbia (`RS`) -[PARTY_TO]-> UK-Serbia agreement (`uk-serbia-agreement`)", "",
            '{"role": "party"}') in found

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("review", "--data", str(data), *args, home=tmp_path / "home", graph="unused")

    run = cli("--changes")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("# Changes since release 1 (2026-01-01), per document")
    assert re.search(r"^## Test document \(`doc-a`\): \d+ added, 0 removed, 2 changed$", run.stdout,
                     re.MULTILINE), run.stdout
    assert "- changed: UK-Serbia agreement (`uk-serbia-agreement`): status: to_be_signed → signed" \
        in run.stdout
    other = cli("--changes", "--doc", "doc-b")
    assert other.returncode == 1 and "no document 'doc-b'" in other.stderr
    missing = cli("--changes", "--since", "9")
    assert missing.returncode == 1 and "no release '9'" in missing.stderr
