"""Broken YAML is reported with file:line and field, exits 1 and writes nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import MINI, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.stats import graph_stats
from loaders.pipeline import read_facts
from migkg.exc import InvalidFacts

# (name, file to edit, old text, new text, expected file:line, expected message fragment)
CASES = [
    ("syntax", "facts.yaml", "    aliases: [UK, Britain]", "    aliases: [UK, Britain",
     "facts.yaml:13", "started at line 12"),
    ("unknown-reference", "facts.yaml", "    from: GB\n", "    from: XX\n",
     "facts.yaml:26", "from: unknown reference 'XX'"),
    ("wrong-kinds", "facts.yaml", "    to: RS\n", "    to: uk-serbia-agreement\n",
     "facts.yaml:34", "to: 'uk-serbia-agreement' is a Agreement; expected Country"),
    ("duplicate-id", "facts.yaml", "    id: GB\n", "    id: RS\n",
     "facts.yaml:10", "id: duplicate id 'RS' (first declared at"),
    ("no-source", "facts.yaml",
     "    status: to_be_signed\n    sources:\n      - doc: doc-a\n        quote: \"a new agreement\"\n",
     "    status: to_be_signed\n    sources: []\n",
     "facts.yaml:21", "entities[2].sources: List should have at least 1 item"),
    ("bad-date", "documents.yaml", "    date: 2025-10-03", "    date: 2025-13-03",
     "documents.yaml:7", "entities[0].date: Value error, '2025-13-03' is not a real date"),
]


def broken_copy(tmp: Path, file: str, old: str, new: str) -> Path:
    data = tmp / "data"
    shutil.copytree(MINI, data)
    text = (data / file).read_text()
    assert old in text, f"fixture changed: {old!r} not in {file}"
    (data / file).write_text(text.replace(old, new, 1))
    return data


@pytest.mark.parametrize(("name", "file", "old", "new", "where", "message"), CASES,
                         ids=[c[0] for c in CASES])
def test_broken_input_is_reported_and_writes_nothing(
    name: str, file: str, old: str, new: str, where: str, message: str,
    tmp_path: Path, server: EmbeddedServer, backend: FalkorBackend,
) -> None:
    run = run_cli("load", "--data", str(MINI), home=server.home, graph=backend.graph_name)
    assert run.returncode == 0, run.stderr
    before = graph_stats(backend)
    data = broken_copy(tmp_path, file, old, new)

    run = run_cli("load", "--data", str(data), home=server.home, graph=backend.graph_name)

    assert run.returncode == 1
    lines = run.stderr.splitlines()
    expected = f"{data / where}: "
    hit = [ln for ln in lines if ln.startswith(expected) and message in ln]
    assert hit, f"no line starting {expected!r} containing {message!r} in:\n{run.stderr}"
    assert "nothing was written" in lines[-1]
    after = graph_stats(backend)
    assert after == before
    assert before.nodes["Country"] == 2


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    data = broken_copy(tmp_path, "facts.yaml", "    from: GB\n", "    from: XX\n")
    text = (data / "documents.yaml").read_text().replace("2025-10-03", "2025-02-30")
    (data / "documents.yaml").write_text(text)
    with pytest.raises(InvalidFacts) as err:
        read_facts(data)
    messages = [str(p) for p in err.value.problems]
    assert len(messages) == 2, messages
    assert any("documents.yaml:7: entities[0].date" in m for m in messages)
    assert any(re.search(r"facts.yaml:\d+: from: unknown reference 'XX'", m) for m in messages)


def test_unknown_property_and_enum_are_named(tmp_path: Path) -> None:
    data = broken_copy(tmp_path, "facts.yaml", "    role: party\n", "    role: boss\n    colour: red\n")
    with pytest.raises(InvalidFacts) as err:
        read_facts(data)
    fields = {p.field for p in err.value.problems}
    assert fields == {"relationships[0].role", "relationships[0].colour"}
    assert all(p.line > 25 for p in err.value.problems)
