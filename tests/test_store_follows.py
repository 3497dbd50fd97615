"""The SPARQL store follows each reload's change, and stays exact.

On both engines (Neo4j marked `neo4j`): a graph and its store go through a series of
edits, each reloaded without `full`, so the store is updated from the reload's change
(sparql/store.py's `derive`). After each, the store holds exactly the triples of a
full export of the graph, its stamp is the graph's, and the graph equals a full load
of the same facts. Then a load killed with SIGKILL in the middle of updating the store
leaves the previous store current, and the next refresh repairs it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from conftest import MINI, ROOT, snapshot
from graph.backend import GraphBackend
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from loaders.pipeline import load_facts, read_facts
from ontology.export import export_bytes
from sparql.store import current, graph_stamp, load_and_refresh, refresh, store_root

BASE_IRI = "https://example.org/kg"
SRC = "    sources:\n      - doc: doc-a\n        quote: \"{quote}\"\n"


def _entity(kind: str, ident: str, name: str, extra: str = "", quote: str = "about Serbia") -> str:
    return f"  - kind: {kind}\n    id: {ident}\n    name: {name}\n{extra}" + SRC.format(quote=quote)


def _rel(rtype: str, source: str, target: str, extra: str = "", quote: str = "the UK") -> str:
    return f"  - type: {rtype}\n    from: {source}\n    to: {target}\n{extra}" + SRC.format(quote=quote)


AGREEMENT = "    agreement_type: agreement\n    status: to_be_signed\n"
PRINCIPLE = "    framework: uk-serbia-agreement\n    position: 1\n"


def _facts(**change: Any) -> dict[str, str]:
    """The files of one state of the facts: the base, with `change`'s edits."""
    gb = change.get("gb", "United Kingdom")
    role = change.get("role", "party")
    entities = [_entity("Country", "RS", "Serbia"),
                _entity("Country", "GB", gb, "    aliases: [UK]\n", quote="the UK"),
                _entity("Agreement", "uk-serbia-agreement", "UK-Serbia agreement", AGREEMENT,
                        quote="a new agreement")]
    rels = [_rel("PARTY_TO", "GB", "uk-serbia-agreement", f"    role: {role}\n"),
            _rel("COVERS", "uk-serbia-agreement", "RS", quote="a new agreement")]
    if not change.get("drop_covers_gb"):
        rels.append(_rel("COVERS", "uk-serbia-agreement", "GB", quote="a new agreement"))
    if change.get("france"):
        entities.append(_entity("Country", "FR", "France"))
        rels.append(_rel("PARTY_TO", "FR", "uk-serbia-agreement", "    role: party\n"))
    kind, extra = ("Organisation", "    org_type: taskforce\n") if change.get("xy_org") else ("Person", "")
    entities.append(_entity(kind, "x-y", "X Y", extra))
    rels.append(_rel("PARTY_TO", "x-y", "uk-serbia-agreement", "    role: endorser\n"))
    files = {"facts.yaml": "entities:\n" + "".join(entities) + "relationships:\n" + "".join(rels)}
    if not change.get("no_principles"):
        files["principles.yaml"] = (
            "entities:\n" + _entity("Principle", "p-one", "Principle one", PRINCIPLE,
                                    quote="smuggling gangs")
            + "relationships:\n" + _rel("PART_OF", "p-one", "uk-serbia-agreement",
                                        quote="smuggling gangs"))
    return files


# Each kind of change the store must follow, in order; each state differs from the one before.
STATES = [
    ("base", {}, ""),
    ("rename", {"gb": "Great Britain"}, ""),
    ("removed relationship", {"gb": "Great Britain", "drop_covers_gb": True}, ""),
    ("changed qualifier", {"gb": "Great Britain", "drop_covers_gb": True, "role": "signatory"}, ""),
    ("new entity", {"gb": "Great Britain", "drop_covers_gb": True, "france": True}, ""),
    ("changed kind", {"france": True, "xy_org": True}, ""),
    ("edited text", {"france": True, "xy_org": True}, "A preface that moves every quote.\n"),
    ("deleted file", {"france": True, "xy_org": True, "no_principles": True},
     "A preface that moves every quote.\n"),
]


def _write(folder: Path, change: dict[str, Any], preface: str) -> Path:
    """Rewrite `folder` to hold this state (the text's manifest gets the text's new digest)."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(MINI / "sources", folder / "sources")
    shutil.copy(MINI / "documents.yaml", folder / "documents.yaml")
    text = preface + (MINI / "sources" / "test.txt").read_text(encoding="utf-8")
    (folder / "sources" / "test.txt").write_text(text, encoding="utf-8")
    manifest = folder / "sources" / "test.yaml"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines = [f"sha256: {digest}" if line.startswith("sha256:") else line
             for line in manifest.read_text(encoding="utf-8").splitlines()]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, body in _facts(**change).items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def _triples(db: Path) -> set[str]:
    return {str(q.triple) for q in ox.Store.read_only(str(db))}


def _export(backend: GraphBackend) -> set[str]:
    """A full export of the graph, through an Oxigraph store as the store holds triples
    (Oxigraph keeps xsd:nonNegativeInteger as xsd:integer)."""
    store = ox.Store()
    store.bulk_load(b"".join(export_bytes(backend, BASE_IRI, "nt")), ox.RdfFormat.N_TRIPLES)
    return {str(q.triple) for q in store}


def _follow(backend: GraphBackend, fresh: GraphBackend, tmp_path: Path) -> None:
    """Each state in turn; the graph's item digests kept between loads, as `migkg load` does."""
    root, data, kept = tmp_path / "store", tmp_path / "data", tmp_path / "graph.state"
    how, gen, _ = load_and_refresh(read_facts(_write(data, *STATES[0][1:])), backend, BASE_IRI,
                                   root, full=True, kept=kept)
    assert how == "full"
    assert _triples(gen.db) == _export(backend)
    for name, change, preface in STATES[1:]:
        before = gen
        facts = read_facts(_write(data, change, preface))
        how, gen, _ = load_and_refresh(facts, backend, BASE_IRI, root, full=False, kept=kept)
        assert how == "diff", name
        assert gen.path != before.path and current(root) == gen, name
        assert gen.stamp == graph_stamp(backend, BASE_IRI), name
        assert _triples(gen.db) == _export(backend), name
        assert gen.triples == len(_triples(gen.db)), name
        assert load_facts(facts, fresh) == "full"
        assert snapshot(backend) == snapshot(fresh), name
    # Unchanged: the same generation, nothing rewritten.
    how, again, _ = load_and_refresh(facts, backend, BASE_IRI, root, full=False)
    assert (how, again.path) == ("unchanged", gen.path)


@pytest.fixture
def fresh(server: Any) -> Iterator[FalkorBackend]:
    """A graph of its own, for full loads to compare with."""
    graph = FalkorBackend(server, "test_store_follows_fresh")
    yield graph
    graph.drop()
    graph.close()


def test_store_follows_every_kind_of_change(backend: FalkorBackend, fresh: FalkorBackend,
                                            tmp_path: Path) -> None:
    _follow(backend, fresh, tmp_path)


@pytest.mark.neo4j
def test_store_follows_every_kind_of_change_on_neo4j(neo: Neo4jBackend, fresh: FalkorBackend,
                                                     tmp_path: Path) -> None:
    _follow(neo, fresh, tmp_path)


def test_kept_digests_of_another_load_are_not_used(backend: FalkorBackend, fresh: FalkorBackend,
                                                    tmp_path: Path) -> None:
    """The kept item digests belong to one load: after a load elsewhere (another home, no
    kept file), the next reload reads the graph's own, and is still exact."""
    data, kept = tmp_path / "data", tmp_path / "graph.state"
    root = tmp_path / "store"
    load_and_refresh(read_facts(_write(data, {}, "")), backend, BASE_IRI, root, full=True,
                     kept=kept)
    assert load_facts(read_facts(_write(data, {"gb": "Great Britain"}, "")), backend,
                      full=False) == "diff"  # not through `kept`
    facts = read_facts(_write(data, {"france": True}, ""))
    how, gen, _ = load_and_refresh(facts, backend, BASE_IRI, root, full=False, kept=kept)
    assert how == "diff"
    assert load_facts(facts, fresh) == "full"
    assert snapshot(backend) == snapshot(fresh)
    assert _triples(gen.db) == _export(backend)


# The child: a `migkg load` whose store update stops half-way, to be killed there.
CHILD = """
import sys, time
from pathlib import Path
import pyoxigraph
Real = pyoxigraph.Store
class Stuck:  # the real store, stuck in its last step (its removals are written)
    read_only = staticmethod(Real.read_only)
    def __init__(self, *args):
        self._store = Real(*args)
    def __getattr__(self, name):
        return getattr(self._store, name)
    def __contains__(self, quad):
        return quad in self._store
    def extend(self, quads):
        self._store.extend(list(quads)[:1])
        self._store.flush()
        Path(sys.argv[1]).write_text("in the update")
        time.sleep(600)
pyoxigraph.Store = Stuck
from cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_killed_update_leaves_the_old_store_and_is_repaired(server: Any, backend: FalkorBackend,
                                                              tmp_path: Path) -> None:
    data, flag = tmp_path / "data", tmp_path / "flag"
    env = {**os.environ, "MIGKG_HOME": str(server.home), "MIGKG_GRAPH": backend.graph_name,
           "MIGKG_DATA": str(data), "MIGKG_BASE_IRI": BASE_IRI,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    root = store_root(server.home, backend)  # the one `migkg load` uses for this graph
    shutil.rmtree(root, ignore_errors=True)
    _, old, _ = load_and_refresh(read_facts(_write(data, {}, "")), backend, BASE_IRI, root,
                                 full=True)
    old_triples = _triples(old.db)
    _write(data, {"gb": "Great Britain", "france": True}, "")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(flag), "load"], env=env,
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never reached the store update"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    # The graph holds the new facts; the store is still the old generation, whole.
    assert current(root) == old
    assert _triples(old.db) == old_triples != _export(backend)
    half = [p for p in root.glob("gen-*") if p != old.path]
    assert half, "the killed update left its half-written generation"
    # The next refresh (as `migkg serve` or `migkg sparql` does) sees it stale and repairs it.
    repaired = refresh(backend, BASE_IRI, root)
    assert repaired.stamp == graph_stamp(backend, BASE_IRI)
    assert _triples(repaired.db) == _export(backend)
    assert not any(p.exists() for p in half if p != repaired.path)


def test_a_full_load_builds_the_store_beside_the_graph(backend: FalkorBackend, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A big full load fills the new store in a worker process while the graph is written;
    if the graph's write fails, the half-built store goes and the old one stays current."""
    import sparql.store

    monkeypatch.setattr(sparql.store, "BESIDE_MIN", 0)  # the mini facts count as big
    data, root = tmp_path / "data", tmp_path / "store"
    how, gen, _ = load_and_refresh(read_facts(_write(data, {}, "")), backend, BASE_IRI, root,
                                   full=True)
    assert how == "full" and current(root) == gen
    assert gen.stamp == graph_stamp(backend, BASE_IRI)
    assert _triples(gen.db) == _export(backend)

    def failing(stage: str, done: int, total: int) -> None:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        load_and_refresh(read_facts(_write(data, {"france": True}, "")), backend, BASE_IRI, root,
                         full=True, progress=failing)
    assert current(root) == gen and sorted(root.glob("gen-*")) == [gen.path]
    assert _triples(gen.db) == _export(backend)  # the graph too is as it was
