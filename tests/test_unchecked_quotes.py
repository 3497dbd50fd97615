"""A data folder whose documents' texts are missing is refused (issue 19, item 7.1).

A copy of `data/` without its `sources/` folder used to validate and load with exit 0 and
a warning, none of its quotes checked. Now it is one problem (exit 1, nothing written)
unless `--allow-unchecked-quotes` is given, and then the output says the quotes were not
checked. Real `migkg` processes against the session's embedded engine.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest

from conftest import DATA, MINI, _free_port, migkg_serve, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from loaders.pipeline import read_facts
from loaders.quotes import UNCHECKED
from migkg.exc import InvalidFacts

FLAG = "--allow-unchecked-quotes"


@pytest.fixture(scope="module")
def without_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("unchecked") / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("sources"))
    assert not (data / "sources").exists()
    return data


def _refusal(stderr: str, data: Path, verb: str) -> None:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 2, stderr  # the problem, then the summary
    assert lines[0].startswith(f"{data / 'sources'}:0: no sources/ folder: the texts of 5 "
                               "documents are missing"), stderr
    assert FLAG in lines[0]
    assert lines[1] == f"migkg {verb}: 1 problem(s) in the curated facts; nothing was written"


def test_read_facts_refuses_and_allows(without_sources: Path) -> None:
    with pytest.raises(InvalidFacts) as err:
        read_facts(without_sources)
    assert [p.file for p in err.value.problems] == [str(without_sources / "sources")]
    facts = read_facts(without_sources, allow_unchecked_quotes=True)
    assert [w.message for w in facts.warnings] == [UNCHECKED]
    assert all("start" not in s for e in facts.entities for s in e.sources)


def test_a_folder_naming_no_text_needs_no_sources(tmp_path: Path) -> None:
    """Only documents name texts: facts citing none (here: refused for their unknown
    document) get no word about a missing sources/ folder."""
    (tmp_path / "facts.yaml").write_text(
        "entities:\n- {kind: Country, id: GB, name: United Kingdom, "
        "sources: [{doc: d, quote: \"the UK\"}]}\n", encoding="utf-8")
    with pytest.raises(InvalidFacts) as err:
        read_facts(tmp_path)
    assert not any("sources/" in p.message for p in err.value.problems), err.value.problems


def test_validate_and_load_refuse_a_folder_without_sources(
        without_sources: Path, server: EmbeddedServer, backend: FalkorBackend) -> None:
    for verb in ("validate", "load"):
        run = run_cli(verb, "--data", str(without_sources), home=server.home,
                      graph=backend.graph_name)
        assert run.returncode == 1, run.stdout + run.stderr
        _refusal(run.stderr, without_sources, verb)
    assert not backend.exists(), "a refused load wrote a graph"


def test_the_flag_reads_it_and_says_the_quotes_were_not_checked(
        without_sources: Path, server: EmbeddedServer, backend: FalkorBackend) -> None:
    run = run_cli("validate", "--data", str(without_sources), FLAG, home=server.home,
                  graph=backend.graph_name)
    assert run.returncode == 0, run.stderr
    assert "quotes NOT checked" in run.stdout.splitlines()[0]
    assert f"{without_sources / 'sources'}:0: {UNCHECKED}" in run.stderr.splitlines()

    run = run_cli("load", "--data", str(without_sources), FLAG, home=server.home,
                  graph=backend.graph_name)
    assert run.returncode == 0, run.stderr
    assert (f"migkg load: {without_sources} has no sources/ folder: its quotes were not "
            "checked (--allow-unchecked-quotes)") in run.stderr.splitlines()
    assert backend.exists()

    # The graph now holds that folder: without the flag, a reload is still refused, not
    # waved through as "unchanged".
    run = run_cli("load", "--data", str(without_sources), home=server.home,
                  graph=backend.graph_name)
    assert run.returncode == 1
    _refusal(run.stderr, without_sources, "load")
    # The setting does what the flag does.
    run = run_cli("load", "--data", str(without_sources), home=server.home,
                  graph=backend.graph_name, MIGKG_ALLOW_UNCHECKED_QUOTES="true")
    assert run.returncode == 0, run.stderr
    assert "unchanged" in run.stdout
    assert "its quotes were not checked" in run.stderr  # said even when nothing is read


def test_serve_refuses_a_folder_without_sources_before_it_listens(
        without_sources: Path, server: EmbeddedServer, backend: FalkorBackend) -> None:
    run = run_cli("serve", "--data", str(without_sources), "--port", str(_free_port()), home=server.home,
                  graph=backend.graph_name)
    assert run.returncode == 1
    _refusal(run.stderr, without_sources, "serve")
    assert "migration-kg: explorer" not in run.stdout


def test_serve_with_the_flag_loads_it_in_the_background(without_sources: Path, tmp_path: Path) -> None:
    """serve hands the flag to its first load, which runs once serving (`/ready` then 200)."""
    port = _free_port()
    env = {**os.environ, "MIGKG_HOME": str(tmp_path / "home"), "MIGKG_GRAPH": "unchecked"}
    log = tmp_path / "serve.log"
    with migkg_serve(port, env, log, "--data", str(without_sources), FLAG), \
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        assert http.get("/v1/countries/RS").status_code == 200
    assert (f"migkg serve: {without_sources} has no sources/ folder: its quotes were not "
            "checked") in log.read_text()


def test_mini_with_its_sources_needs_no_flag(server: EmbeddedServer, backend: FalkorBackend) -> None:
    run = run_cli("validate", "--data", str(MINI), home=server.home, graph=backend.graph_name)
    assert run.returncode == 0, run.stderr
    assert "NOT checked" not in run.stdout and "sources/" not in run.stderr
