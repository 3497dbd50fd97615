"""Every quote in data/ stands verbatim (whitespace folded) in the source it cites."""

from __future__ import annotations

import re

import pytest

from conftest import SEEDS
from loaders.facts import Facts


def fold(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


def test_every_quote_is_verbatim_in_its_document(facts: Facts) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"source documents not found at {SEEDS}")
    files = {e.id: e.props["file"] for e in facts.entities if e.kind == "Document"}
    texts = {doc: fold((SEEDS / name).read_text(encoding="utf-8")) for doc, name in files.items()}
    bad = []
    checked = 0
    for item in (*facts.entities, *facts.relationships):
        for source in item.sources:
            checked += 1
            if fold(source["quote"]) not in texts[source["doc"]]:
                bad.append(f"{item.file}:{item.line}: {source['quote']!r} not in {source['doc']}")
    assert not bad, "\n".join(bad)
    assert checked > 300


def test_documents_name_existing_seed_files(facts: Facts) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"source documents not found at {SEEDS}")
    docs = [e for e in facts.entities if e.kind == "Document"]
    assert len(docs) == 5
    assert {e.props["file"] for e in docs} == {p.name for p in SEEDS.glob("*.txt")}
