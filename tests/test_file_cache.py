"""Read only what changed: each clean file's checked facts are kept (loaders/cache.py).

An unchanged file is not parsed again; a changed one is; the checks across files
still run over all of them; a corrupt or truncated entry is read again from its
file, never trusted; and facts read through the cache equal facts read without it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import MINI
from loaders import check
from loaders.pipeline import read_facts
from migkg.exc import InvalidFacts

EXTRA = """entities:
  - kind: Country
    id: FR
    name: France
    sources:
      - doc: doc-a
        quote: "about Serbia"
relationships:
  - type: COVERS
    from: uk-serbia-agreement
    to: FR
    sources:
      - doc: doc-a
        quote: "a new agreement"
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    (folder / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    return folder


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the lean pass parses, in order."""
    seen: list[str] = []
    real = check.read_lean_file

    def counting(path: str) -> check.LeanResult | None:
        seen.append(Path(path).name)
        return real(path)

    monkeypatch.setattr("loaders.pipeline.read_lean_file", counting)
    return seen


def _facts(folder: Path, cache: Path | None) -> tuple[object, ...]:
    facts = read_facts(folder, cache=cache)
    return (facts.digest, [(e.kind, e.id, e.props, e.sources, e.file, e.line) for e in facts.entities],
            [(r.type, r.source, r.target, r.props, r.sources, r.file, r.line)
             for r in facts.relationships])


def test_unchanged_files_are_not_read_again(data: Path, tmp_path: Path, parsed: list[str]) -> None:
    cache = tmp_path / "cache"
    first = _facts(data, cache)
    assert sorted(parsed) == ["documents.yaml", "extra.yaml", "facts.yaml"]
    parsed.clear()
    assert _facts(data, cache) == first
    assert parsed == []  # the second read: all from the cache
    assert first == _facts(data, None)  # the same facts as without it, anchored alike
    parsed.clear()
    text = (data / "extra.yaml").read_text(encoding="utf-8").replace("France", "French Republic")
    (data / "extra.yaml").write_text(text, encoding="utf-8")
    changed = _facts(data, cache)
    assert parsed == ["extra.yaml"]  # only the changed file
    parsed.clear()
    assert changed == _facts(data, None) != first


def test_checks_across_files_still_run(data: Path, tmp_path: Path) -> None:
    """A file kept in the cache refers to an entity another file no longer declares."""
    cache = tmp_path / "cache"
    read_facts(data, cache=cache)
    facts = (data / "facts.yaml").read_text(encoding="utf-8")
    start = facts.index("  - kind: Agreement")
    end = facts.index("relationships:")
    (data / "facts.yaml").write_text(facts[:start] + facts[end:].split("\n", 1)[0] + "\n",
                                     encoding="utf-8")
    with pytest.raises(InvalidFacts) as err:
        read_facts(data, cache=cache)
    assert any(p.file.endswith("extra.yaml") and "unknown reference 'uk-serbia-agreement'" in p.message
               for p in err.value.problems), err.value.problems


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty"])
def test_a_damaged_entry_is_read_again(data: Path, tmp_path: Path, parsed: list[str],
                                       damage: str) -> None:
    cache = tmp_path / "cache"
    first = _facts(data, cache)
    entries = sorted(cache.glob("*.facts"))
    assert len(entries) == 3
    for entry in entries:
        raw = entry.read_bytes()
        entry.write_bytes({"truncated": raw[: len(raw) // 2],
                           "flipped": raw[:-5] + bytes([raw[-5] ^ 0x01]) + raw[-4:],
                           "garbage": b"\x80\x04not an entry",
                           "empty": b""}[damage])
    parsed.clear()
    assert _facts(data, cache) == first
    assert sorted(parsed) == ["documents.yaml", "extra.yaml", "facts.yaml"]  # all read again
    parsed.clear()
    assert _facts(data, cache) == first and parsed == []  # and kept again, whole


def test_a_file_with_a_problem_is_not_kept(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (data / "extra.yaml").write_text(EXTRA.replace("kind: Country", "kind: Planet"),
                                     encoding="utf-8")
    with pytest.raises(InvalidFacts) as err:
        read_facts(data, cache=cache)
    assert [(Path(p.file).name, p.line) for p in err.value.problems] == [("extra.yaml", 2)]
    assert len(list(cache.glob("*.facts"))) <= 2  # the clean files at most
