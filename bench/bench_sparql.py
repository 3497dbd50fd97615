"""SPARQL beside Cypher, through the API, in one run; and the SPARQL store's build cost.

    .venv/bin/python bench/bench_sparql.py            # 100,000 synthetic nodes
    BENCH_NODES=20000 .venv/bin/python bench/bench_sparql.py

A real uvicorn server (tests/conftest.py's `serving`) over the curated graph on
the embedded FalkorDB answers, alternately, the signature question "which
agreements cover Serbia" as the named Cypher query
(`GET /v1/queries/agreements_covering_country?country=RS`) and as its SPARQL twin
(`POST /sparql`, `ontology/queries/agreements_covering_country.rq`); both answers
are checked equal first. Medians of ROUNDS requests each, and their ratio (above
1: SPARQL is slower). Then the store's build time (export streamed into Oxigraph,
median of 5 for the curated data, one build for the synthetic graph of
BENCH_NODES nodes from bench/synthetic_graph.py) and its size on disk. Results go
to `bench/results/sparql.json`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))  # before bench/: its conftest.py is the tests' one

import httpx  # noqa: E402
from sparql_twins import cypher_rows, multiset, sparql_rows  # noqa: E402

from api.app import create_app  # noqa: E402
from conftest import serving  # noqa: E402
from graph.embedded import EmbeddedServer  # noqa: E402
from graph.falkor import FalkorBackend  # noqa: E402
from graph.schema import get_schema  # noqa: E402
from loaders.pipeline import load_facts, read_facts  # noqa: E402
from migkg.settings import Settings  # noqa: E402
from sparql.examples import examples  # noqa: E402
from sparql.store import build, graph_stamp, store_root  # noqa: E402
from synthetic_graph import generate  # noqa: E402

N_NODES = int(os.environ.get("BENCH_NODES", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))
BASE = "https://w3id.org/migkg"


def timed(fn: Any, rounds: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def api_case(backend: FalkorBackend, home: Path) -> dict[str, Any]:
    example = next(e for e in examples() if e.name == "agreements_covering_country")
    twin = example.twin
    settings = Settings(home=home, cache_max_age=0)
    with serving(create_app(settings, backend=backend)) as url, httpx.Client(base_url=url,
                                                                                timeout=30) as http:
        def cypher() -> httpx.Response:
            return http.get(f"/v1/queries/{twin['query']}", params=twin["params"])

        def sparql() -> httpx.Response:
            return http.post("/sparql", data={"query": example.query},
                             headers={"Accept": "application/sparql-results+json"})

        c, s = cypher().json(), sparql().json()
        records = c["items"]
        assert multiset(cypher_rows(records, None)) == multiset(sparql_rows(s)), "answers differ"
        cy, sp = [], []
        for _ in range(ROUNDS // 50):  # interleaved, so both see the same machine load
            cy += timed(cypher, 50, warmup=5)
            sp += timed(sparql, 50, warmup=5)
    return {"cypher_median_s": statistics.median(cy), "sparql_median_s": statistics.median(sp),
            "ratio_sparql_over_cypher": statistics.median(sp) / statistics.median(cy),
            "rounds": len(cy), "rows": len(c["items"]), "sparql_rows": len(s["results"]["bindings"])}


def build_case(backend: FalkorBackend, home: Path, rounds: int) -> dict[str, Any]:
    root = store_root(home, backend)
    stamp = graph_stamp(backend, BASE)
    assert stamp is not None
    gens = [build(backend, BASE, root, stamp) for _ in range(rounds)]
    return {"build_median_s": statistics.median(g.seconds for g in gens),
            "triples": gens[-1].triples, "bytes": gens[-1].bytes, "rounds": rounds}


def main() -> int:
    results: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                               "nodes": N_NODES}
    with tempfile.TemporaryDirectory(prefix="bench-sparql-") as tmp:
        home = Path(tmp)
        server = EmbeddedServer(home / "falkordb")
        server.ensure()
        try:
            curated = FalkorBackend(server, "curated")
            load_facts(read_facts(ROOT / "data"), curated)
            results["signature"] = api_case(curated, home / "api")
            results["store curated"] = build_case(curated, home / "curated", 5)
            synthetic = FalkorBackend(server, "synthetic")
            synthetic.replace_graph(generate(get_schema(), N_NODES, digest=f"synthetic-{N_NODES}"))
            results["store synthetic"] = build_case(synthetic, home / "synthetic", 1)
            for backend in (curated, synthetic):
                backend.close()
        finally:
            server.stop()
    out = ROOT / "bench" / "results" / "sparql.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    sig = results["signature"]
    print(f"signature query through the API, median of {sig['rounds']}: Cypher "
          f"{sig['cypher_median_s'] * 1000:.2f} ms, SPARQL {sig['sparql_median_s'] * 1000:.2f} ms, "
          f"ratio SPARQL/Cypher {sig['ratio_sparql_over_cypher']:.2f}")
    for case in ("store curated", "store synthetic"):
        r = results[case]
        print(f"{case}: {r['triples']:,} triples built in {r['build_median_s']:.2f} s "
              f"(median of {r['rounds']}), {r['bytes'] / 2**20:.1f} MiB on disk")
    return 0


if __name__ == "__main__":
    sys.exit(main())
