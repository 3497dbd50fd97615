"""Reloads cost what changed, and stay exact: a diff reload gives the graph a full load gives.

On both engines (Neo4j marked `neo4j`): load a base set of facts, change a few
(a property, a relationship's discriminator and another's note, a new entity, an
entity that changes kind with a relationship attached, a removed entity and a
removed relationship), reload without `full`, and compare every node and
relationship, property for property, with a full load of the changed facts.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI, MINI_AGREEMENT, mini_entity, mini_rel, run_cli, snapshot
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from loaders.pipeline import load_facts, read_facts

_entity, _rel, AGREEMENT = mini_entity, mini_rel, MINI_AGREEMENT
BASE = ("entities:\n"
        + _entity("Country", "RS", "Serbia")
        + _entity("Country", "GB", "United Kingdom", "    aliases: [UK]\n")
        + _entity("Agreement", "uk-serbia-agreement", "UK-Serbia agreement", AGREEMENT)
        + _entity("Person", "x-y", "X Y")
        + _entity("Organisation", "old-org", "Old org", "    org_type: group\n")
        + "relationships:\n"
        + _rel("PARTY_TO", "GB", "uk-serbia-agreement", "    role: party\n")
        + _rel("PARTY_TO", "x-y", "uk-serbia-agreement", "    role: endorser\n")
        + _rel("COVERS", "uk-serbia-agreement", "RS")
        + _rel("COVERS", "uk-serbia-agreement", "GB")
        + _rel("MEMBER_OF", "GB", "old-org"))
CHANGED = ("entities:\n"
           + _entity("Country", "RS", "Serbia")
           + _entity("Country", "GB", "United Kingdom", "    aliases: [UK, Britain]\n")
           + _entity("Country", "FR", "France")
           + _entity("Agreement", "uk-serbia-agreement", "UK-Serbia agreement", AGREEMENT)
           + _entity("Organisation", "x-y", "X Y", "    org_type: taskforce\n")
           + "relationships:\n"
           + _rel("PARTY_TO", "GB", "uk-serbia-agreement", "    role: signatory\n")
           + _rel("PARTY_TO", "FR", "uk-serbia-agreement", "    role: party\n")
           + _rel("PARTY_TO", "x-y", "uk-serbia-agreement", "    role: endorser\n")
           + _rel("COVERS", "uk-serbia-agreement", "RS", "    note: Now with a note.\n"))


def _folder(root: Path, name: str, facts: str) -> Path:
    data = root / name
    data.mkdir()
    shutil.copy(MINI / "documents.yaml", data / "documents.yaml")
    shutil.copytree(MINI / "sources", data / "sources")
    (data / "facts.yaml").write_text(facts, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("reload")
    return _folder(root, "base", BASE), _folder(root, "changed", CHANGED)


@pytest.fixture(scope="module")
def expected(server: Any, folders: tuple[Path, Path]) -> tuple[list[Any], list[Any]]:
    """The changed facts, loaded in full into a graph of their own."""
    fresh = FalkorBackend(server, "test_reload_expected")
    try:
        assert load_facts(read_facts(folders[1]), fresh) == "full"
        return snapshot(fresh)
    finally:
        fresh.drop()
        fresh.close()


def test_diff_reload_equals_a_full_load(backend: FalkorBackend, folders: tuple[Path, Path],
                                       expected: tuple[list[Any], list[Any]]) -> None:
    base, changed = folders
    assert load_facts(read_facts(base), backend) == "full"
    assert load_facts(read_facts(base), backend, full=False) == "unchanged"
    assert load_facts(read_facts(changed), backend, full=False) == "diff"
    assert snapshot(backend) == expected
    assert load_facts(read_facts(changed), backend, full=False) == "unchanged"
    assert load_facts(read_facts(base), backend, full=False) == "diff"  # and back again
    assert load_facts(read_facts(changed), backend, full=False) == "diff"
    assert snapshot(backend) == expected


def test_failed_diff_leaves_the_graph(backend: FalkorBackend, folders: tuple[Path, Path]) -> None:
    base, changed = folders
    load_facts(read_facts(base), backend)
    before = snapshot(backend)

    def exploding(stage: str, done: int, total: int) -> None:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        load_facts(read_facts(changed), backend, progress=exploding, full=False)
    assert snapshot(backend) == before
    leftovers = [g for g in backend._db.list_graphs() if g.startswith(backend.graph_name + "__")]
    assert leftovers == []


def test_cli_reload_says_what_it_did(server: Any, folders: tuple[Path, Path],
                                     backend: FalkorBackend) -> None:
    base, changed = folders
    args = {"home": server.home, "graph": backend.graph_name}
    assert "full" in run_cli("load", "--full", "--data", str(base), **args).stdout
    unchanged = run_cli("load", "--data", str(base), **args)
    assert unchanged.returncode == 0, unchanged.stderr
    assert "unchanged" in unchanged.stdout
    diff = run_cli("load", "--data", str(changed), **args)
    assert diff.returncode == 0, diff.stderr
    assert "changes applied" in diff.stdout
    assert "full" in run_cli("load", "--full", "--data", str(changed), **args).stdout


@pytest.mark.neo4j
def test_diff_reload_equals_a_full_load_on_neo4j(neo: Neo4jBackend, folders: tuple[Path, Path],
                                                expected: tuple[list[Any], list[Any]]) -> None:
    base, changed = folders
    assert load_facts(read_facts(base), neo) == "full"
    assert load_facts(read_facts(base), neo, full=False) == "unchanged"
    assert load_facts(read_facts(changed), neo, full=False) == "diff"
    assert snapshot(neo) == expected
    assert load_facts(read_facts(base), neo, full=False) == "diff"
    assert load_facts(read_facts(changed), neo, full=False) == "diff"
    assert snapshot(neo) == expected
