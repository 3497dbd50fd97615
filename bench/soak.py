"""Soak: `migkg serve` under wrk at 64 connections while hostile queries and faults hit it.

    .venv/bin/python bench/soak.py [--seconds 30] [--connections 64]

Starts `migkg serve` on a free port with a home of its own, then runs three
phases with wrk (apt-get install wrk), each for `--seconds`:

1. `steady`: wrk on the signature endpoint alone (the baseline);
2. `hostile`: the same wrk load while a client fires the hostile console
   queries of tests/test_sandbox.py one after another (each killed at its
   deadline, on the console's own engine);
3. `size-bomb`: the same wrk load while clients send answers that are big inside
   their rows (10M integers in 1,000 rows, a string grown by `reduce`, a SPARQL
   string grown by 24 chained CONCATs): each is refused or capped, never a 5xx,
   and `/health` is timed meanwhile;
4. `fairness`: the same wrk load while one client floods the console from four
   threads with queries that run to their deadline, and a second client (from
   127.0.0.2) sends a simple MATCH every 0.2 s: it must be answered;
5. `engine-kill`: wrk on /ready (which reaches the engine on every request)
   while the main engine is killed with SIGKILL once; the supervisor restarts
   it from graph.rdb.

For each phase it prints requests/s, p50/p99 latency, socket errors and non-2xx
answers. Phases 1 to 4 must show 0 errors; phase 5 shows how many requests
were answered 503 while the engine restarted, and that serving resumed.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_sandbox import HOSTILE  # noqa: E402

PATH = "/v1/countries/RS/agreements"
SIZE_BOMBS = [
    ("/v1/cypher", {"query": "UNWIND range(1,1000) AS i RETURN range(1,10000) AS l"}),
    ("/v1/cypher", {"query": "RETURN reduce(s = '', x IN range(1, 200000) | s + 'xxxxxxxxxx') AS s"}),
    ("/v1/cypher", {"query": "UNWIND range(1, 200) AS i RETURN [j IN range(1, 2000) | "
                             "{k: j, v: [j, [j, [j]]]}] AS deep"}),
    ("/sparql", {"query": "SELECT ?s WHERE { BIND(\"0123456789abcdef\" AS ?s0) "
                          + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(24))
                          + " BIND(?s24 AS ?s) }"}),
]
SLOW = "UNWIND range(1, 100000000) AS i RETURN count(i)"  # runs to its deadline
SIMPLE = "MATCH (c:Country) RETURN c.id ORDER BY c.id LIMIT 3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", str(ROOT / "bench" / "wrk_report.lua"), url],
        capture_output=True, text=True, check=True).stdout
    stats: dict[str, float] = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)",
                                                                  out).group(1))}  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    stats["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    stats["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    for name in ("p50", "p99"):
        found = re.search(rf"{name} ([\d.]+) ms", out)
        if found:
            stats[f"{name}_ms"] = float(found.group(1))
    return stats


def beside(stop: threading.Event, targets: list[Callable[[], None]],
           run: Callable[[], dict[str, float]]) -> dict[str, float]:
    """`run()` (a wrk phase) while `targets` run on threads; then `stop` them and wait."""
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    try:
        return run()
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="migkg-soak-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MIGKG_HOME": str(home), "MIGKG_QUERY_TIMEOUT_MS": "1000"}
    serve = subprocess.Popen([str(ROOT / ".venv" / "bin" / "migkg"), "serve", "--port", str(port)],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=open(home / "serve.log", "w"))  # noqa: SIM115
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        results = {"steady": wrk(base + PATH, args.seconds, args.connections)}

        stop = threading.Event()
        fired: list[int] = []

        def hostile() -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                while not stop.is_set():
                    for query in HOSTILE.values():
                        fired.append(http.post("/v1/cypher", json={"query": query}).status_code)

        thread = threading.Thread(target=hostile, daemon=True)
        thread.start()
        results["hostile"] = wrk(base + PATH, args.seconds, args.connections)
        stop.set()
        thread.join(30)

        # Size bombs: refused or capped, never a 5xx; /health timed meanwhile.
        stop = threading.Event()
        bombs: list[int] = []
        health: list[float] = []

        def bomb() -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                while not stop.is_set():
                    for path, body in SIZE_BOMBS:
                        if path == "/sparql":
                            r = http.post(path, data=body, headers={"Accept": "application/sparql-results+json"})
                        else:
                            r = http.post(path, json=body)
                        bombs.append(r.status_code)

        def probe() -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                while not stop.is_set():
                    began = time.monotonic()
                    http.get("/health")
                    health.append(time.monotonic() - began)
                    time.sleep(0.2)

        results["size-bomb"] = beside(stop, [bomb, bomb, probe],
                                      lambda: wrk(base + PATH, args.seconds, args.connections))

        # Fairness: one client floods the console; another's simple query is still answered.
        stop = threading.Event()
        flood: list[int] = []
        other: list[int] = []

        def flooder() -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                while not stop.is_set():
                    flood.append(http.post("/v1/cypher", json={"query": SLOW}).status_code)

        def second_client() -> None:
            transport = httpx.HTTPTransport(local_address="127.0.0.2")
            with httpx.Client(base_url=base, timeout=60, transport=transport) as http:
                while not stop.is_set():
                    other.append(http.post("/v1/cypher", json={"query": SIMPLE}).status_code)
                    time.sleep(0.2)

        results["fairness"] = beside(stop, [flooder] * 4 + [second_client],
                                     lambda: wrk(base + PATH, args.seconds, args.connections))

        def kill_engine() -> None:
            time.sleep(args.seconds / 3)
            pids = subprocess.run(["pgrep", "-f", f"unixsocket:{home}/falkordb.sock"],
                                  capture_output=True, text=True).stdout.split()
            for pid in pids:
                os.kill(int(pid), signal.SIGKILL)

        killer = threading.Thread(target=kill_engine, daemon=True)
        killer.start()
        # /ready reaches the engine on every request: the outage shows there.
        results["engine-kill"] = wrk(base + "/ready", args.seconds, args.connections)
        killer.join()
        ready = httpx.get(f"{base}/ready", timeout=5).status_code
        restarts = (home / "serve.log").read_text().count("restarting it")
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)
    print(f"wrk -c{args.connections} -d{args.seconds}s {PATH}")
    print("| phase | req/s | p50 ms | p99 ms | socket errors | non-2xx |")
    print("|---|---|---|---|---|---|")
    for phase, s in results.items():
        print(f"| {phase} | {s['requests_per_s']:.0f} | {s.get('p50_ms', 0):.1f} | "
              f"{s.get('p99_ms', 0):.1f} | {s['socket_errors']:.0f} | {s['non_2xx']:.0f} |")
    print(f"hostile console queries fired during the hostile phase: {len(fired)} "
          f"(statuses {sorted(set(fired))}); engine restarts: {restarts}; "
          f"/ready after the engine kill: {ready}")
    health.sort()
    print(f"size bombs sent: {len(bombs)} (statuses {sorted(set(bombs))}); /health while they ran: "
          f"{len(health)} probes, median {1000 * health[len(health) // 2]:.0f} ms, "
          f"max {1000 * health[-1]:.0f} ms" if health else "no /health probe ran")
    print(f"fairness: flooding client {len(flood)} answers (statuses {sorted(set(flood))}); "
          f"second client {other.count(200)} of {len(other)} answered 200 "
          f"(statuses {sorted(set(other))})")
    clean = all(results[p]["socket_errors"] == 0 and results[p]["non_2xx"] == 0
                for p in ("steady", "hostile", "size-bomb", "fairness"))
    fair = bool(other) and set(other) == {200}
    # The flooding client's own queries overrun and end with the console engine (504,
    # or 503 for those of its queries the kill took along); the others never see a 5xx.
    no_5xx = all(code < 500 for code in bombs)
    return 0 if clean and fair and no_5xx and ready == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
