"""Batch matching against single searches, on the curated graph (not a timed test).

Answers a batch of 100 names (tests/fixtures/names.csv and messy_names.csv) through
`POST /v1/match` and `POST /reconcile`, and the same 100 names as 100 `GET /v1/search`
calls, in the same run, over the app in-process with the response cache off
(`response_cache_bytes=0`). Prints the median of `--rounds` rounds of each. The
figure at a 100k synthetic graph is not measured here yet.

    .venv/bin/python bench/bench_match.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.embedded import EmbeddedServer
    from graph.falkor import FalkorBackend
    from loaders.pipeline import load_facts, read_facts
    from migkg.settings import Settings

    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    fixtures = ROOT / "tests" / "fixtures"
    names = [r["name"] for f in ("names.csv", "messy_names.csv")
             for r in csv.DictReader((fixtures / f).open(encoding="utf-8"))][:100]
    with tempfile.TemporaryDirectory() as home:
        server = EmbeddedServer(Path(home))
        server.ensure()
        backend = FalkorBackend(server, "bench")
        load_facts(read_facts(ROOT / "data"), backend)
        with TestClient(create_app(Settings(response_cache_bytes=0), backend=backend)) as c:
            match_body = {"queries": {str(i): {"name": n} for i, n in enumerate(names)}}
            recon = {"queries": json.dumps({str(i): {"query": n} for i, n in enumerate(names)})}
            runs: dict[str, list[float]] = {"match": [], "reconcile": [], "100 searches": []}
            for _ in range(args.rounds):
                t = time.perf_counter()
                assert c.post("/v1/match", json=match_body).status_code == 200
                runs["match"].append(time.perf_counter() - t)
                t = time.perf_counter()
                assert c.post("/reconcile", data=recon).status_code == 200
                runs["reconcile"].append(time.perf_counter() - t)
                t = time.perf_counter()
                for n in names:
                    assert c.get("/v1/search", params={"q": n, "limit": 5}).status_code == 200
                runs["100 searches"].append(time.perf_counter() - t)
        server.stop()
    base = statistics.median(runs["100 searches"])
    for what, times in runs.items():
        med = statistics.median(times)
        print(f"{what:14} {len(names)} names: median {med * 1000:7.1f} ms  ({med / base:.2f}x the searches)")


if __name__ == "__main__":
    main()
