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

import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.schema import get_schema
from ontology.export import build_graph, iter_ntriples
from synthetic_graph import generate

BASE = "https://w3id.org/migkg"
N_NODES, N_RELS = 20_000, 50_000
RESULTS: dict[str, tuple[float, int, float]] = {}


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorBackend]:
    server = EmbeddedServer(tmp_path_factory.mktemp("bench-home"))
    server.ensure()
    backend = FalkorBackend(server, "bench_rdf_export")
    started = time.perf_counter()
    backend.replace_graph(generate(get_schema(), N_NODES, N_RELS))
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
