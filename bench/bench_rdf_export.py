"""Export throughput on a large synthetic graph: our N-Triples stream vs rdflib's serializer.

    .venv/bin/python -m pytest bench/bench_rdf_export.py --benchmark-only

Generates 20,000 nodes and 50,000 relationships (every node and relationship with
two pieces of evidence) into a fresh FalkorDB graph with the loader's own batched
`UNWIND` statements, then times, in the same run:

- ours: `iter_ntriples`, pages read and written as N-Triples lines as they come;
- rdflib: the same triples added to an rdflib Graph, then `serialize(format="nt")`.

Prints triples/s (from the median round) and the peak Python memory of one run of each.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graph.backend import Writer
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.schema import Schema, get_schema
from loaders.load import BATCH, META_STATEMENT, node_statement, rel_statement
from ontology.export import build_graph, iter_ntriples

BASE = "https://w3id.org/migkg"
N_NODES, N_RELS = 20_000, 50_000
SHARE = {"Document": 500, "Country": 600, "Organisation": 2900, "Person": 3000,
         "Agreement": 3000, "Policy": 1500, "Route": 500, "Principle": 3000, "Event": 3000,
         "Figure": 2000}
RESULTS: dict[str, tuple[float, int, float]] = {}


def _value(spec: Any, rng: random.Random, i: int) -> Any:
    if spec.values:
        return rng.choice(spec.values)
    return {"int": i % 50 + 1, "float": rng.random() * 1000, "date": f"2025-{i % 12 + 1:02d}",
            "list[string]": [f"alias {i}", f"other name {i}"]}.get(spec.type, f"text {i}")


def _ident(kind: str, i: int) -> str:
    if kind == "Country":
        return chr(65 + i // 26) + chr(65 + i % 26)
    return f"{kind.lower()}-{i}"


def _evidence(rng: random.Random, docs: list[str]) -> dict[str, list[str]]:
    return {"evidence_docs": rng.sample(docs, 2),
            "evidence_quotes": ["a verbatim quote from the source", "another short quote"]}


def generate(schema: Schema, seed: int = 42) -> Callable[[Writer], None]:
    """A build function writing the synthetic graph with the loader's statements."""
    assert sum(SHARE.values()) == N_NODES
    rng = random.Random(seed)
    ids = {kind: [_ident(kind, i) for i in range(n)] for kind, n in SHARE.items()}
    docs = ids["Document"]
    nodes: dict[str, list[dict[str, Any]]] = {}
    for kind, idents in ids.items():
        specs = [p for p in schema.node(kind).properties.values() if p.name != "id"]
        nodes[kind] = [{"id": ident, "props": {
            **{p.name: _value(p, rng, i) for p in specs if p.required or rng.random() < 0.5},
            "name": f"{kind} {i}", **_evidence(rng, docs)}} for i, ident in enumerate(idents)]
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    keys: set[str] = set()
    types = list(schema.relationships.values())
    while len(keys) < N_RELS:
        rel = rng.choice(types)
        sk, tk = rng.choice(rel.source), rng.choice(rel.target)
        s, t = rng.choice(ids[sk]), rng.choice(ids[tk])
        props = {p.name: _value(p, rng, len(keys)) for p in rel.properties.values()
                 if p.required or rng.random() < 0.3}
        key = "|".join([rel.name, s, t, *(str(props.get(k, "")) for k in
                                          ("role", "title", "action"))])
        if key in keys:
            continue
        keys.add(key)
        rels.setdefault((rel.name, sk, tk), []).append(
            {"from": s, "to": t, "key": key, "props": {**props, "key": key,
                                                       **_evidence(rng, docs)}})

    def build(writer: Writer) -> None:
        writer.create_indexes([schema.node(k).label for k in schema.nodes], ["id"])
        for kind, rows in nodes.items():
            for i in range(0, len(rows), BATCH):
                writer.run(node_statement(schema, kind), {"rows": rows[i:i + BATCH]})
        for (rtype, sk, tk), rows in rels.items():
            for i in range(0, len(rows), BATCH):
                writer.run(rel_statement(schema, rtype, sk, tk), {"rows": rows[i:i + BATCH]})
        writer.run(META_STATEMENT, {"props": {"loaded_at": "2025-01-01T00:00:00+00:00"}})

    return build


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorBackend]:
    server = EmbeddedServer(tmp_path_factory.mktemp("bench-home"))
    server.ensure()
    backend = FalkorBackend(server, "bench_rdf_export")
    started = time.perf_counter()
    backend.replace_graph(generate(get_schema()))
    print(f"\ngenerated {N_NODES} nodes and {N_RELS} relationships "
          f"in {time.perf_counter() - started:.1f}s")
    yield backend
    backend.drop()
    backend.close()
    server.stop()


def ours(backend: FalkorBackend) -> int:
    """Stream N-Triples (to nowhere); return the number of triples written."""
    return sum(chunk.count("\n") for chunk in iter_ntriples(backend, BASE))


def rdflib_nt(backend: FalkorBackend) -> int:
    """Build the rdflib Graph, serialize it as N-Triples; return the number of triples."""
    data = build_graph(backend, BASE).serialize(format="nt", encoding="utf-8")
    return data.count(b"\n")


def _peak_mib(fn: Callable[[FalkorBackend], int], backend: FalkorBackend) -> float:
    tracemalloc.start()
    try:
        fn(backend)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name, fn", [("ours (streamed N-Triples)", ours),
                                      ("rdflib (Graph + serialize nt)", rdflib_nt)])
def test_export_throughput(benchmark: Any, big: FalkorBackend, name: str,
                           fn: Callable[[FalkorBackend], int],
                           capsys: pytest.CaptureFixture[str]) -> None:
    triples = benchmark.pedantic(fn, args=(big,), rounds=3, iterations=1, warmup_rounds=0)
    median = benchmark.stats.stats.median
    peak = _peak_mib(fn, big)
    benchmark.extra_info.update(triples=triples, triples_per_s=triples / median, peak_mib=peak)
    RESULTS[name] = (median, triples, peak)
    with capsys.disabled():
        print(f"\n{name}: {triples} triples, median {median:.2f}s, "
              f"{triples / median:,.0f} triples/s, peak Python memory {peak:,.0f} MiB")
        if len(RESULTS) == 2:
            (a, (ta, na, _)), (b, (tb, nb, _)) = RESULTS.items()
            assert na == nb, "both exports must write the same triples"
            print(f"{a} is {tb / ta:.1f}x the speed of {b}")
