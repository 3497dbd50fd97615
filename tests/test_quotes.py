"""Every quote in data/ stands in its document's stored text and is anchored to its span.

The texts ship in data/sources/ with a manifest each; `../shared/seeds` (or
`MIGKG_TEST_SEEDS`) is the reference they are compared with when it is present, and
without it the manifests' SHA-256 are: nothing here skips.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from conftest import DATA, MINI, SEEDS
from loaders.facts import Facts
from loaders.pipeline import read_facts
from loaders.texts import FoldedText, fold, manifest_path, read_manifest
from migkg.exc import InvalidFacts

SOURCES = DATA / "sources"


def test_every_quote_anchors_to_a_span_equal_to_it(facts: Facts) -> None:
    texts = {e.id: (SOURCES / e.props["file"]).read_text(encoding="utf-8")
             for e in facts.entities if e.kind == "Document"}
    bad = []
    checked = 0
    for item in (*facts.entities, *facts.relationships):
        for source in item.sources:
            checked += 1
            start, end = source.get("start"), source.get("end")
            span = texts[source["doc"]][start:end] if start is not None else ""
            if fold(span) != fold(source["quote"]):
                bad.append(f"{item.file}:{item.line}: {source['quote']!r} -> {start}-{end} {span!r}")
    assert not bad, "\n".join(bad)
    assert checked > 300


def test_source_texts_match_their_manifests_and_the_reference(facts: Facts) -> None:
    docs = [e for e in facts.entities if e.kind == "Document"]
    assert len(docs) == 5
    origins = set()
    for e in docs:
        text = SOURCES / e.props["file"]
        assert e.props["file"] == f"{e.id}.txt"
        manifest, _ = read_manifest(manifest_path(text))
        assert manifest["sha256"] == hashlib.sha256(text.read_bytes()).hexdigest(), e.id
        assert manifest["licence"] == "Open Government Licence v3.0", e.id
        assert "Open Government Licence" in manifest["attribution"], e.id
        origins.add(manifest["origin"])
        if SEEDS.is_dir():  # the reference copy, where it sits beside the clone
            assert text.read_bytes() == (SEEDS / manifest["origin"]).read_bytes(), e.id
    if SEEDS.is_dir():
        assert origins == {p.name for p in SEEDS.glob("*.txt")}
    ein = read_manifest(SOURCES / "ein-home-secretary-new-agreements.yaml")[0]
    assert "republished by EIN" in ein["attribution"]


def test_folding_maps_back_to_the_stored_text() -> None:
    text = "Intro\u00a0 \n\tthe UK\u2019s  PLAN \u0130stanbul end"
    ft = FoldedText(text)
    anchor = ft.find("the uk's plan")
    assert anchor is not None
    assert text[anchor.start:anchor.end] == "the UK\u2019s  PLAN"
    assert anchor.exact == "the UK\u2019s  PLAN" and anchor.prefix.startswith("Intro")
    after = ft.find("stanbul end")  # \u0130 before it lowers to two code points
    assert after is not None and text[after.start:after.end] == "stanbul end"
    assert ft.find("not there") is None
    twice = FoldedText("a cat, a cat").find("a cat")
    assert twice is not None and (twice.start, twice.end, twice.repeated) == (0, 5, True)


def _copy(tmp: Path, src: Path = MINI) -> Path:
    data = tmp / "data"
    shutil.copytree(src, data)
    return data


def _problems(data: Path) -> list[str]:
    with pytest.raises(InvalidFacts) as err:
        read_facts(data)
    return [str(p) for p in err.value.problems]


def test_a_quote_not_in_its_document_is_reported_at_its_line(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    facts = (data / "facts.yaml").read_text()
    (data / "facts.yaml").write_text(facts.replace('quote: "a new agreement"',
                                                   'quote: "an old agreement"'))
    problems = _problems(data)
    line = next(i for i, ln in enumerate(facts.splitlines(), 1) if '"a new agreement"' in ln)
    assert problems == [f"{data}/facts.yaml:{line}: sources[0].quote: quote not found "
                        "in doc-a (sources/test.txt): 'an old agreement'"]


def test_the_real_data_rejects_a_changed_quote(tmp_path: Path) -> None:
    data = _copy(tmp_path, DATA)
    events = (data / "events.yaml").read_text()
    old = 'quote: "Today, at the European Political Community Summit in Copenhagen"'
    assert old in events
    (data / "events.yaml").write_text(events.replace(old, old.replace("Today", "Tomorrow"), 1))
    problems = _problems(data)
    assert len(problems) == 1
    assert re.match(rf"{data}/events.yaml:\d+: sources\[0\].quote: quote not found", problems[0])


def test_an_edited_text_is_caught_by_its_hash(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    text = data / "sources" / "test.txt"
    text.write_text(text.read_text().replace("Serbia will", "Serbia shall"))
    problems = _problems(data)
    assert len(problems) == 1
    assert problems[0].startswith(f"{data}/sources/test.yaml:8: sha256: test.txt has changed")


def test_a_moved_text_is_reported_at_its_document(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    (data / "sources" / "test.txt").rename(data / "sources" / "moved.txt")
    problems = _problems(data)
    assert problems == [f"{data}/documents.yaml:6: file: 'test.txt': no such file sources/test.txt"]


def test_a_text_swapped_for_another_is_caught(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    (data / "sources" / "test.txt").write_text("Something else entirely.\n")
    assert "sha256: test.txt has changed" in _problems(data)[0]


def test_a_quote_found_twice_warns_and_anchors_to_the_first(facts: Facts) -> None:
    warned = [w for w in facts.warnings if "more than once" in w.message]
    assert warned and all(w.file.endswith(".yaml") and w.line > 0 for w in warned)
    text = (SOURCES / "cabinet-office-joint-migration-statement.txt").read_text(encoding="utf-8")
    quote = "the European Political Community Summit in Copenhagen"
    first = text.find(quote)
    assert text.find(quote, first + 1) > first
    anchors = {(s["start"], s["end"]) for e in (*facts.entities, *facts.relationships)
               for s in e.sources if s["quote"] == quote}
    assert anchors == {(first, first + len(quote))}


def test_a_folder_without_sources_loads_with_a_warning(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    shutil.rmtree(data / "sources")
    facts = read_facts(data, allow_unchecked_quotes=True)  # refused without: test_unchecked_quotes.py
    assert [w.message for w in facts.warnings] == ["no sources/ folder: quotes were not checked"]
    assert all("start" not in s for e in facts.entities for s in e.sources)
