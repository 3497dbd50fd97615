"""A valid load is exact and idempotent, and a failed one leaves the old graph readable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import MINI, snapshot
from graph.falkor import FalkorBackend
from graph.stats import graph_stats
from loaders.facts import Facts
from loaders.pipeline import load_facts, loaded_digest, read_facts


def test_counts_equal_the_yaml(loaded: FalkorBackend, facts: Facts) -> None:
    stats = graph_stats(loaded)
    nodes, rels = facts.counts()
    assert {k: v for k, v in stats.nodes.items() if v} == nodes
    assert {k: v for k, v in stats.relationships.items() if v} == rels
    assert sum(nodes.values()) > 100


def test_every_node_and_edge_carries_its_evidence(loaded: FalkorBackend) -> None:
    missing = loaded.read(
        "MATCH (n) WHERE NOT n:`_Meta` AND (size(n.evidence_quotes) = 0 "
        "OR size(n.evidence_docs) <> size(n.evidence_quotes)) RETURN n.id"
    ).rows
    assert missing == []
    missing = loaded.read(
        "MATCH ()-[r]->() WHERE size(r.evidence_quotes) = 0 RETURN r.key"
    ).rows
    assert missing == []


def test_reload_is_a_no_op(loaded: FalkorBackend, facts: Facts) -> None:
    before = snapshot(loaded)
    load_facts(facts, loaded)
    assert snapshot(loaded) == before
    assert loaded_digest(loaded) == facts.digest


def test_removed_fact_disappears_on_reload(tmp_path: Path, backend: FalkorBackend) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    load_facts(read_facts(data), backend)
    assert graph_stats(backend).relationships["COVERS"] == 1
    text = (data / "facts.yaml").read_text()
    cut = text.index("  - type: COVERS")
    (data / "facts.yaml").write_text(text[:cut])
    load_facts(read_facts(data), backend)
    stats = graph_stats(backend)
    assert stats.relationships["COVERS"] == 0
    assert stats.relationships["PARTY_TO"] == 1
    assert stats.nodes["Country"] == 2


def test_failed_load_leaves_previous_graph(tmp_path: Path, backend: FalkorBackend) -> None:
    load_facts(read_facts(MINI), backend)
    before = snapshot(backend)

    class Boom(RuntimeError):
        pass

    def exploding(stage: str, done: int, total: int) -> None:
        if stage == "relationships":
            raise Boom("disk on fire")

    with pytest.raises(Boom):
        load_facts(read_facts(MINI), backend, progress=exploding)
    assert snapshot(backend) == before
    leftovers = [g for g in backend._db.list_graphs() if g.startswith(backend.graph_name + "__")]
    assert leftovers == []
