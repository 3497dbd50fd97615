"""Releases and changes, on both engines (Neo4j marked `neo4j`).

Release "1" of a small folder; then a rename, a removed relationship, a changed
qualifier, a new entity and an edited source text (every quote re-anchors); release
"2". The changes list exactly those statements; `as_of` answers from the release while
the live graph stays as it was; `first_seen`/`last_seen` follow the statements; a
corrupt, hand-edited or newer release file is refused naming its path; two `release`
commands at once serialise.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from conftest import MINI, MINI_AGREEMENT, ROOT, mini_entity, mini_rel, run_cli, snapshot
from graph.backend import GraphBackend
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from graph.schema import get_schema
from loaders.changes import Changes
from loaders.pipeline import load_facts, read_facts
from loaders.releases import BadRelease, ReleaseRefused, Releases
from migkg.settings import Settings

PREFACE = "A preface added later.\n"
_entity, _rel, AGREEMENT = mini_entity, mini_rel, MINI_AGREEMENT
FIRST = ("entities:\n"
         + _entity("Country", "RS", "Serbia")
         + _entity("Country", "GB", "United Kingdom", "    aliases: [UK]\n")
         + _entity("Agreement", "uk-serbia-agreement", "UK-Serbia agreement", AGREEMENT)
         + "relationships:\n"
         + _rel("PARTY_TO", "GB", "uk-serbia-agreement", "    role: party\n")
         + _rel("COVERS", "uk-serbia-agreement", "RS")
         + _rel("COVERS", "uk-serbia-agreement", "GB"))
SECOND = ("entities:\n"
          + _entity("Country", "RS", "Republic of Serbia")  # renamed
          + _entity("Country", "GB", "United Kingdom", "    aliases: [UK]\n")
          + _entity("Country", "FR", "France")  # new
          + _entity("Agreement", "uk-serbia-agreement", "UK-Serbia agreement", AGREEMENT)
          + "relationships:\n"
          + _rel("PARTY_TO", "GB", "uk-serbia-agreement", "    role: party\n")
          + _rel("COVERS", "uk-serbia-agreement", "RS", "    note: A changed qualifier.\n"))
          # COVERS GB removed


def _write(data: Path, facts: str, preface: bool) -> None:
    (data / "facts.yaml").write_text(facts, encoding="utf-8")
    text = (MINI / "sources" / "test.txt").read_text(encoding="utf-8")
    body = (PREFACE + text) if preface else text
    (data / "sources" / "test.txt").write_text(body, encoding="utf-8")
    manifest = (MINI / "sources" / "test.yaml").read_text(encoding="utf-8")
    digest = hashlib.sha256(body.encode()).hexdigest()
    lines = [f"sha256: {digest}" if line.startswith("sha256:") else line
             for line in manifest.splitlines()]
    (data / "sources" / "test.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with releases "1" and "2", holding the second release's facts."""
    folder = tmp_path_factory.mktemp("releases") / "data"
    folder.mkdir()
    shutil.copy(MINI / "documents.yaml", folder / "documents.yaml")
    shutil.copytree(MINI / "sources", folder / "sources")
    releases = Releases(folder)
    _write(folder, FIRST, preface=False)
    releases.record("1", read_facts(folder), get_schema(), when="2026-11-01", notes="first")
    _write(folder, SECOND, preface=True)
    releases.record("2", read_facts(folder), get_schema(), when="2026-12-01")
    return folder


def _summary(groups: list[dict[str, Any]]) -> set[tuple[str, ...]]:
    """(entity, change, what, about) of every change but the re-anchored quotes."""
    out = set()
    for g in groups:
        for c in g["changes"]:
            if c["what"] == "evidence" and c["change"] == "changed":
                continue
            rel = c.get("relationship") or {}
            about = (c.get("property") or (rel.get("type") and
                     f"{rel['type']}->{rel['target']['id']}") or rel.get("key") or "")
            out.add((g["entity"]["id"], c["change"], c["what"], about))
    return out


EXPECTED = {
    ("RS", "changed", "property", "name"),
    ("uk-serbia-agreement", "removed", "relationship", "COVERS->GB"),
    ("uk-serbia-agreement", "removed", "evidence", "COVERS->GB"),
    ("uk-serbia-agreement", "changed", "relationship", "COVERS->RS"),
    ("FR", "added", "entity", ""),
    ("FR", "added", "property", "name"),
    ("FR", "added", "evidence", ""),
}


def test_changes_list_exactly_the_edited_statements(data: Path) -> None:
    found = Changes(Releases(data)).between("1", "2")
    assert (found.since.version, found.until.version) == ("1", "2")
    assert _summary(found.groups) == EXPECTED
    changes = {(g["entity"]["id"], c["what"], c.get("property")): c
               for g in found.groups for c in g["changes"]}
    rename = changes[("RS", "property", "name")]
    assert (rename["old"], rename["new"]) == ("Serbia", "Republic of Serbia")
    assert rename["evidence"] and rename["evidence"][0]["quote"] == "about Serbia"
    covers = next(c for g in found.groups for c in g["changes"]
                  if c["what"] == "relationship" and c["change"] == "changed")
    assert covers["old"] == {} and covers["new"] == {"note": "A changed qualifier."}
    # The edited text moved every quote that stayed: each is a changed evidence item
    # whose span moved by the preface, nothing else.
    moved = [c for g in found.groups for c in g["changes"]
             if c["what"] == "evidence" and c["change"] == "changed"]
    assert moved
    for c in moved:
        assert c["new"]["quote"] == c["old"]["quote"]
        assert c["new"]["start"] == c["old"]["start"] + len(PREFACE)
    # Grouped by entity, in id order; the same answer by date.
    assert [g["entity"]["id"] for g in found.groups] == sorted(g["entity"]["id"] for g in found.groups)
    assert _summary(Changes(Releases(data)).between("2026-11-15").groups) == EXPECTED
    assert Changes(Releases(data)).between("2", "2").groups == []


def test_snapshots_give_back_the_facts_of_each_release(data: Path) -> None:
    releases = Releases(data)
    first, second = releases.index()
    assert (first.previous, second.previous) == (None, "1")
    assert second.facts_digest == read_facts(data).digest
    assert len(releases.snapshot("2")) == second.statements
    assert (second.added, second.removed) == (len(releases.delta("2")[0]), len(releases.delta("2")[1]))


def test_first_and_last_seen(data: Path) -> None:
    releases = Releases(data)
    history = releases.history()
    snapshot_1, snapshot_2 = releases.snapshot("1"), releases.snapshot("2")
    old_name = next(s for s in snapshot_1.values() if s.get("property") == "name" and s["entity"] == "RS")
    new_name = next(s for s in snapshot_2.values() if s.get("property") == "name" and s["entity"] == "RS")
    kept = next(s for s in snapshot_2.values() if s.get("property") == "name" and s["entity"] == "GB")
    assert history[old_name["id"]] == ("1", "1")
    assert history[new_name["id"]] == ("2", "2")
    assert history[kept["id"]] == ("1", "2")


def _app(settings: Settings, backend: GraphBackend) -> TestClient:
    return TestClient(create_app(settings, backend=backend), raise_server_exceptions=False)


def _check_time_travel(client: TestClient, live: GraphBackend) -> None:
    before = snapshot(live)
    old = client.get("/v1/countries/RS", params={"as_of": "1"})
    assert old.status_code == 200, old.text
    body = old.json()
    assert body["name"] == "Serbia"
    assert body["release"] == {"version": "1", "date": "2026-11-01"}
    assert old.headers["migkg-release"] == "1"
    assert client.get("/v1/countries/FR", params={"as_of": "1"}).status_code == 404
    by_date = client.get("/v1/countries", params={"as_of": "2026-11-20", "limit": 10}).json()
    assert by_date["release"]["version"] == "1"
    assert sorted(item["id"] for item in by_date["items"]) == ["GB", "RS"]
    covering = client.get("/v1/countries/GB/agreements", params={"as_of": "1"}).json()
    assert covering["release"]["version"] == "1"
    assert any(h["how"] == "coverage" for item in covering["items"] for h in item["how"])
    now = client.get("/v1/countries/GB/agreements").json()
    assert now["release"] is None
    assert not any(h["how"] == "coverage" for item in now["items"] for h in item["how"])
    rows = client.get("/v1/queries/agreements_covering_country",
                      params={"country": "GB", "as_of": "1"}).json()
    assert rows["release"]["version"] == "1" and rows["total"] >= 2
    unknown = client.get("/v1/countries/RS", params={"as_of": "9"})
    assert unknown.status_code == 404 and unknown.json()["versions"] == ["1", "2"]
    live_page = client.get("/v1/countries/RS").json()
    assert live_page["name"] == "Republic of Serbia" and live_page["release"] is None
    assert live_page["seen"]["name"] == {"first_seen": "2", "last_seen": "2"}
    assert (live_page["first_seen"], live_page["last_seen"]) == ("1", "2")
    assert snapshot(live) == before  # the live graph is untouched


@pytest.fixture(scope="module")
def embedded_live(server: EmbeddedServer, data: Path) -> Iterator[FalkorBackend]:
    live = FalkorBackend(server, "test_releases_live")
    load_facts(read_facts(data), live)
    yield live
    live.drop()
    live.close()


def _settings(server: EmbeddedServer, data: Path, graph: str) -> Settings:
    return Settings(data=data, home=server.home, graph=graph)


def test_as_of_answers_from_the_release_on_falkordb(server: EmbeddedServer, data: Path,
                                                    embedded_live: FalkorBackend) -> None:
    with _app(_settings(server, data, "test_releases_live"), embedded_live) as client:
        _check_time_travel(client, embedded_live)


@pytest.mark.neo4j
def test_as_of_answers_from_the_release_on_neo4j(server: EmbeddedServer, data: Path,
                                                 neo: Neo4jBackend) -> None:
    load_facts(read_facts(data), neo)
    with _app(_settings(server, data, "test_releases_neo4j"), neo) as client:
        _check_time_travel(client, neo)


def test_changes_over_http_are_the_cli_changes(server: EmbeddedServer, data: Path,
                                               embedded_live: FalkorBackend) -> None:
    with _app(_settings(server, data, "test_releases_live"), embedded_live) as client:
        page = client.get("/v1/changes", params={"since": "1", "limit": 2})
        assert page.status_code == 200
        body = page.json()
        assert body["total"] == 5 and len(body["items"]) == 2 and body["next"]  # and the re-anchored
        assert 'rel="next"' in page.headers["link"]
        whole = client.get("/v1/changes", params={"since": "1", "until": "2", "limit": 50}).json()
        as_csv = client.get("/v1/changes", params={"since": "1", "format": "csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert "Republic of Serbia" in as_csv.text
        one = client.get("/v1/changes", params={"since": "1", "entity": "Republic of Serbia"}).json()
        assert [g["entity"]["id"] for g in one["items"]] == ["RS"]
        missing = client.get("/v1/changes", params={"since": "0.9"})
        assert missing.status_code == 404 and missing.json()["versions"] == ["1", "2"]
        history = client.get("/v1/entities/RS/history").json()
        assert [h["release"]["version"] for h in history["items"]] == ["1", "2"]
        pointing = [c for c in history["items"][1]["changes"] if c["what"] == "relationship"]
        assert [(c["change"], c["relationship"]["source"]["name"]) for c in pointing] == [
            ("changed", "UK-Serbia agreement")]  # the edge that points at RS, its source named
        listed = client.get("/v1/releases").json()
        assert [r["version"] for r in listed["items"]] == ["1", "2"]
    cli = run_cli("changes", "--since", "1", "--json", "--data", str(data),
                  home=server.home, graph="test_releases_live")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["items"] == whole["items"]
    table = run_cli("changes", "--since", "1", "--data", str(data), home=server.home,
                    graph="test_releases_live")
    assert "Republic of Serbia" in table.stdout and "changed" in table.stdout


# -- refusals and bad files -------------------------------------------------------------------------

@pytest.fixture
def scratch(data: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    return copy


def test_an_existing_version_or_bad_facts_write_nothing(scratch: Path, server: EmbeddedServer) -> None:
    path = scratch / "releases" / "2.jsonl"
    before = path.read_bytes()
    with pytest.raises(ReleaseRefused, match="not a plain name"):
        Releases(scratch).record("../x", read_facts(scratch), get_schema())
    again = run_cli("release", "--version", "2", "--data", str(scratch), home=server.home,
                    graph="test_releases_refused")
    assert again.returncode == 1
    assert again.stderr.strip().splitlines()[-1].startswith("migkg release: Release refused: "
                                                            "release 2 exists already")
    assert path.read_bytes() == before
    (scratch / "facts.yaml").write_text(SECOND.replace("from: GB", "from: NOWHERE"), encoding="utf-8")
    bad = run_cli("release", "--version", "3", "--data", str(scratch), home=server.home,
                  graph="test_releases_refused")
    assert bad.returncode == 1 and "unknown reference 'NOWHERE'" in bad.stderr
    assert sorted(p.name for p in (scratch / "releases").glob("*.jsonl")) == ["1.jsonl", "2.jsonl"]


def test_a_hand_edited_release_is_named(scratch: Path, server: EmbeddedServer) -> None:
    path = scratch / "releases" / "1.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace('"Serbia"', '"Serbie"'),
                    encoding="utf-8")
    with pytest.raises(BadRelease, match=f"{path}: its digest does not match"):
        Releases(scratch).index()
    listed = run_cli("releases", "--data", str(scratch), home=server.home, graph="x")
    assert listed.returncode == 1 and str(path) in listed.stderr and "Traceback" not in listed.stderr


def test_a_truncated_release_is_named(scratch: Path) -> None:
    path = scratch / "releases" / "2.jsonl"
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(BadRelease, match="2.jsonl"):
        Releases(scratch).snapshot("2")


def test_a_release_of_a_newer_format_is_refused(scratch: Path) -> None:
    path = scratch / "releases" / "2.jsonl"
    head, _, body = path.read_bytes().partition(b"\n")
    header = json.loads(head)
    header["format"] = 99
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    with pytest.raises(BadRelease, match="format 99 is newer than this migkg reads"):
        Releases(scratch).index()


def test_two_releases_at_once_serialise(scratch: Path, server: EmbeddedServer) -> None:
    env = {"MIGKG_HOME": str(server.home), "MIGKG_GRAPH": "test_releases_race",
           "PYTHONPATH": str(ROOT)}
    import os

    def start(version: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "cli", "release", "--version", version,
                                 "--data", str(scratch)], cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, **env})

    same = [start("3"), start("3")]
    codes = sorted(p.wait(timeout=300) for p in same)
    assert codes == [0, 1]
    both = [start("4"), start("5")]
    assert [p.wait(timeout=300) for p in both] == [0, 0]
    releases = Releases(scratch).index()
    assert [r.version for r in releases][:3] == ["1", "2", "3"]
    assert sorted(r.version for r in releases[3:]) == ["4", "5"]
    assert releases[4].previous == releases[3].version  # one chain, not a fork
