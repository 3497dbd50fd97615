"""The scale matrix of issue 11, in one run: every figure beside its baseline, with peak RSS.

    bash bench/matrix.sh 10000 100000          # sizes in entities (default 10000)
    RUNS=3 API_SECONDS=5 bash bench/matrix.sh 10000
    API_DATA=dir API_HOME=home bash bench/matrix.sh 100000   # only the API rows, over a
                                                              # folder already loaded in home

Per size it generates a synthetic data folder (bench/synthetic_data.py) and measures,
each command a real `migkg` process under `/usr/bin/time -v` (peak RSS):

- `migkg validate`, cold (an empty MIGKG_HOME) and warm (its file cache filled):
  entities/s and items (entities + relationships)/s;
- the raw floor: the loader's rows (prepared untimed) written straight through
  the falkordb client, indexes first, `UNWIND $rows ... CREATE` in batches of 5,000,
  plus a raw pyoxigraph `bulk_load` of the same N-Triples;
- `migkg load --full` end to end (validation, graph and SPARQL store), against that floor;
- `migkg load` of the unchanged folder, after renaming one entity, after removing one
  relationship, after editing one source text (every quote in it moves) and after a
  change of three facts, each against the full load;
- `migkg export --format nt` (triples/s), and at sizes <= RDFLIB_MAX the rdflib
  baseline (the same triples in an rdflib Graph, serialized); Turtle at <= TTL_MAX;
- the API with its response cache off, under wrk (32 connections) cycling through up to
  1,000 URLs per family, beside bench/bare_app.py sending the same statements
  (bench/api_uncached.py).

Medians of RUNS runs (default 1) are printed as a Markdown table and written to
bench/results/matrix-<size>.json.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
RUNS = int(os.environ.get("RUNS", "1"))
API_SECONDS = int(os.environ.get("API_SECONDS", "5"))
RDFLIB_MAX = int(os.environ.get("RDFLIB_MAX", "10000"))
# Turtle is still quadratic in the number of evidence owners (docs/performance.md): 11 min
# did not finish 10,000 entities, so it is measured only up to this size.
TTL_MAX = int(os.environ.get("TTL_MAX", "1000"))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Free ports, not fixed ones: other servers may run on a shared machine.
PORT, BARE_PORT = _free_port(), _free_port()
ROWS: list[dict[str, Any]] = []


def timed(cmd: list[str], env: dict[str, str] | None = None, check: bool = True) -> dict[str, Any]:
    """Run `cmd` under /usr/bin/time -v: seconds, peak RSS in MiB, and its output."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=ROOT)
    seconds = time.perf_counter() - started
    if check and proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    return {"s": seconds, "cpu": cpu, "rss_mib": int(rss.group(1)) / 1024 if rss else None,
            "out": proc.stdout, "err": proc.stderr}


def median(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    runs = [fn() for _ in range(RUNS)]
    out = dict(runs[len(runs) // 2])
    out["s"] = statistics.median(r["s"] for r in runs)
    out["cpu"] = statistics.median(r["cpu"] for r in runs)
    return out


def row(size: int, work: str, ours: str, baseline: str = "—", ratio: str = "—",
        rss: float | None = None) -> None:
    ROWS.append({"size": size, "work": work, "ours": ours, "baseline": baseline, "ratio": ratio,
                 "rss": f"{rss:,.0f} MiB" if rss else "—"})
    print(f"| {size:,} | {work} | {ours} | {baseline} | {ratio} | {ROWS[-1]['rss']} |", flush=True)


def prepare_rows(data: Path, out: Path) -> int:
    """The loader's own rows for `data`, pickled for the raw baseline (not timed)."""
    code = f"""
import pickle, sys
from pathlib import Path
from graph.schema import get_schema
from loaders.pipeline import read_facts
from loaders.write import group_entities, group_relationships, node_row, rel_row
schema = get_schema(); dates = schema.date_properties()
facts = read_facts(Path({str(data)!r}))
kinds = {{e.id: e.kind for e in facts.entities}}
nodes = {{schema.node(k).label: [node_row(e, dates) for e in es]
          for k, es in group_entities(facts.entities).items()}}
rels = {{(schema.rel(t).label, schema.node(s).label, schema.node(o).label): [rel_row(r, dates) for r in rs]
         for (t, s, o), rs in group_relationships(facts.relationships, kinds).items()}}
pickle.dump((nodes, rels), open({str(out)!r}, "wb"), protocol=5)
print(len(facts.entities) + len(facts.relationships))
"""
    proc = subprocess.run([str(VENV / "python"), "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return int(proc.stdout.strip())


def _raw(rows_file: Path, home: Path) -> dict[str, Any]:
    """The raw baseline's own write time (its server start and unpickling are not timed)."""
    shutil.rmtree(home, ignore_errors=True)
    out = timed([str(VENV / "python"), "bench/raw_load.py", str(rows_file), str(home)])
    out["s"] = float(re.search(r"raw write ([\d.]+)s", out["out"]).group(1))  # type: ignore[union-attr]
    return out


def change_three_facts(data: Path) -> None:
    """Rename one entity, add a note to a relationship and drop the last relationship."""
    first = sorted(data.glob("organisation-*.yaml"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace('name: "Organisation 0"', 'name: "Organisation zero"', 1),
                     encoding="utf-8")
    rels = sorted(data.glob("relationships-*.yaml"))[-1]
    head, *items = rels.read_text(encoding="utf-8").split("\n  - type: ")
    plain = next(i for i, item in enumerate(items) if "\n    note:" not in item)
    items[plain] = items[plain].replace("\n    sources:\n", "\n    note: A changed note.\n    sources:\n", 1)
    rels.write_text("\n  - type: ".join([head, *items[:-1]]) + "\n", encoding="utf-8")


def rename_one(data: Path) -> None:
    first = sorted(data.glob("organisation-*.yaml"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace('name: "Organisation 1"', 'name: "Organisation one"', 1),
                     encoding="utf-8")


def remove_one_relationship(data: Path) -> None:
    rels = sorted(data.glob("relationships-*.yaml"))[0]
    head, *items = rels.read_text(encoding="utf-8").split("\n  - type: ")
    rels.write_text("\n  - type: ".join([head, *items[1:]]), encoding="utf-8")


def edit_one_text(data: Path) -> None:
    """A line added at the top of one source text: every quote in it moves (its manifest's
    sha256 follows)."""
    import hashlib

    text = sorted((data / "sources").glob("*.txt"))[0]
    body = "An added first line.\n" + text.read_text(encoding="utf-8")
    text.write_text(body, encoding="utf-8")
    manifest = text.with_suffix(".yaml")
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    manifest.write_text(re.sub(r"(?m)^sha256: .*$", f"sha256: {digest}",
                               manifest.read_text(encoding="utf-8")), encoding="utf-8")


def raw_store(nt: Path, work: Path) -> dict[str, Any]:
    """The raw floor for the SPARQL store: pyoxigraph `bulk_load` of the N-Triples file."""
    db = work / "raw-store"
    shutil.rmtree(db, ignore_errors=True)
    code = ("import sys, time, pyoxigraph as ox; s = ox.Store(sys.argv[2]); t = time.perf_counter(); "
            "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES); s.flush(); "
            "print(f'raw store {time.perf_counter() - t:.3f}s')")
    out = timed([str(VENV / "python"), "-c", code, str(nt), str(db)])
    out["s"] = float(re.search(r"raw store ([\d.]+)s", out["out"]).group(1))  # type: ignore[union-attr]
    shutil.rmtree(db, ignore_errors=True)
    return out


def api(size: int, data: Path, env: dict[str, str], work: Path) -> None:
    """The uncached API over many URLs per family, beside its fair floor (bench/api_uncached.py)."""
    from api_uncached import rows as api_rows

    for family, ours, p99, floor, floor_p99, urls in api_rows(
            data, Path(env["MIGKG_HOME"]), env["MIGKG_GRAPH"], PORT, BARE_PORT, work):
        row(size, f"API uncached, {family} ({urls:,} URLs), wrk 32 conns",
            f"{ours:,.0f} req/s, p99 {p99:.1f} ms",
            f"fair floor {floor:,.0f} req/s, p99 {floor_p99:.1f} ms",
            f"×{ours / floor:.2f} (goal ≥ 0.5), p99 ×{p99 / floor_p99:.2f} (goal ≤ 2)")


def measure(size: int, keep_api: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"migkg-matrix-{size}-"))
    data, home = work / "data", work / "home"
    env = {"MIGKG_HOME": str(home), "MIGKG_GRAPH": "matrix"}
    migkg = str(VENV / "migkg")
    try:
        gen = timed([str(VENV / "python"), "bench/synthetic_data.py", str(size), str(data)])
        print(f"<!-- generated {size:,} entities in {gen['s']:.1f}s: {gen['err'].strip().splitlines()[0]} -->")
        cold_home = work / "validate-home"

        def cold() -> dict[str, Any]:
            shutil.rmtree(cold_home, ignore_errors=True)
            return timed([migkg, "validate", "--data", str(data)], {"MIGKG_HOME": str(cold_home)})

        v = median(cold)
        items = int(re.search(r"(\d+) entities, (\d+) relationships", v["out"]).group(2)) + size  # type: ignore[union-attr]
        row(size, "`migkg validate`, cold", f"{v['s']:.2f} s (CPU {v['cpu']:.2f} s) = "
            f"{size / v['s']:,.0f} entities/s ({items / v['s']:,.0f} items/s)",
            "goal 50,000 entities/s", f"×{size / v['s'] / 50_000:.2f} of goal", v["rss_mib"])
        warm = median(lambda: timed([migkg, "validate", "--data", str(data)],
                                    {"MIGKG_HOME": str(cold_home)}))
        row(size, "`migkg validate`, warm (file cache)", f"{warm['s']:.2f} s = "
            f"{size / warm['s']:,.0f} entities/s", f"cold {v['s']:.2f} s",
            f"{warm['s'] / v['s']:.1%}", warm["rss_mib"])
        rows_file = work / "rows.pickle"
        n_rows = prepare_rows(data, rows_file)
        raw = median(lambda: _raw(rows_file, work / "raw-home"))
        full = median(lambda: timed([migkg, "load", "--full", "--data", str(data)], env))
        subprocess.run([migkg, "export", "--format", "nt", "-o", str(work / "dump.nt")],
                       env={**os.environ, **env}, cwd=ROOT, check=True, capture_output=True)
        store = median(lambda: raw_store(work / "dump.nt", work))
        floor = raw["s"] + store["s"]
        row(size, "`migkg load --full` end to end (validation, graph, SPARQL store)",
            f"{full['s']:.2f} s (CPU {full['cpu']:.2f} s) = {n_rows / full['s']:,.0f} items/s",
            f"raw falkordb UNWIND CREATE, indexes first, {raw['s']:.2f} s + raw pyoxigraph "
            f"bulk_load {store['s']:.2f} s = {floor:.2f} s", f"×{floor / full['s']:.2f} (goal ≥ 0.5)",
            full["rss_mib"])
        write = re.search(r"full write ([\d.]+)s, SPARQL store ([\d.]+)s", full["out"])
        if write:
            row(size, "its graph write alone", f"{float(write.group(1)):.2f} s",
                f"raw falkordb: {raw['s']:.2f} s", f"×{raw['s'] / float(write.group(1)):.2f}")
            row(size, "its SPARQL store alone", f"{float(write.group(2)):.2f} s",
                f"raw bulk_load: {store['s']:.2f} s", f"×{store['s'] / float(write.group(2)):.2f}")
        same = median(lambda: timed([migkg, "load", "--data", str(data)], env))
        row(size, "`migkg load`, unchanged data/", f"{same['s']:.2f} s", f"full load {full['s']:.2f} s",
            f"{same['s'] / full['s']:.1%} (goal ≤ 3 %)", same["rss_mib"])
        for what, change in (("one entity renamed", rename_one),
                             ("one relationship removed", remove_one_relationship),
                             ("one source text edited (its quotes move)", edit_one_text),
                             ("three facts changed", change_three_facts)):
            change(data)
            diff = timed([migkg, "load", "--data", str(data)], env)
            how = "diff" if "changes applied" in diff["out"] else "full"
            row(size, f"`migkg load`, {what} ({how})", f"{diff['s']:.2f} s",
                f"full load {full['s']:.2f} s", f"{diff['s'] / full['s']:.1%} (goal ≤ 5 %)",
                diff["rss_mib"])
        nt = median(lambda: timed([migkg, "export", "--format", "nt", "-o", str(work / "dump.nt")], env))
        with (work / "dump.nt").open("rb") as f:
            triples = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
        rdflib_s = None
        if size <= RDFLIB_MAX:
            rdf = timed([str(VENV / "python"), "bench/rdflib_export.py", str(work / "rdflib.nt")], env)
            rdflib_s = rdf["s"]
            row(size, "rdflib baseline: Graph + serialize nt", f"{rdf['s']:.2f} s (CPU {rdf['cpu']:.2f} s)",
                rss=rdf["rss_mib"])
        row(size, f"`migkg export --format nt` ({triples:,} triples)",
            f"{nt['s']:.2f} s (CPU {nt['cpu']:.2f} s) = {triples / nt['s']:,.0f} triples/s",
            f"rdflib {rdflib_s:.2f} s" if rdflib_s else "goal 200,000 triples/s",
            f"×{rdflib_s / nt['s']:.1f} rdflib" if rdflib_s else f"×{triples / nt['s'] / 200_000:.2f} of goal",
            nt["rss_mib"])
        if size <= TTL_MAX:
            ttl = timed([migkg, "export", "--format", "ttl", "-o", str(work / "dump.ttl")], env)
            row(size, "`migkg export --format ttl`", f"{ttl['s']:.2f} s = {triples / ttl['s']:,.0f} triples/s",
                rss=ttl["rss_mib"])
        if keep_api:
            api(size, data, env, work)
        out = ROOT / "bench" / "results" / f"matrix-{size}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "machine": machine(),
                                   "rows": [r for r in ROWS if r["size"] == size]}, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 2**20
    return (f"{cpu}, {os.cpu_count()} cores, {mem} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def api_only(size: int, data: Path, home: Path) -> None:
    """Only the API rows, over a data folder already loaded into `home` (API_DATA, API_HOME)."""
    work = Path(tempfile.mkdtemp(prefix=f"migkg-matrix-api-{size}-"))
    try:
        api(size, data, {"MIGKG_HOME": str(home), "MIGKG_GRAPH": os.environ.get("API_GRAPH", "matrix")},
            work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    sizes = [int(float(a)) for a in argv] or [10_000]
    print(f"<!-- {time.strftime('%Y-%m-%d %H:%M')} on {machine()}; medians of {RUNS} run(s) -->")
    print("| entities | work | ours | baseline | ratio | peak RSS |\n|---|---|---|---|---|---|")
    if os.environ.get("API_DATA"):  # API_DATA=folder API_HOME=loaded-home bash bench/matrix.sh 100000
        api_only(sizes[0], Path(os.environ["API_DATA"]), Path(os.environ["API_HOME"]))
        return 0
    for size in sizes:
        measure(size, keep_api=os.environ.get("API", "1") == "1")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
