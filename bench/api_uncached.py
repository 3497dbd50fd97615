"""The uncached API against its fair floor, over many different URLs (issue 20, item 4).

    .venv/bin/python bench/api_uncached.py DATA HOME [GRAPH]   # DATA loaded into HOME

With `MIGKG_RESPONSE_CACHE_BYTES=0`, `migkg serve` answers families of up to `PER_FAMILY`
different URLs each (entity pages by id, a country's agreements, search terms, list
pages, a named query), which wrk cycles through (bench/wrk_report.lua), so no answer
is ever served twice from anything but the graph. Beside it, bench/bare_app.py
answers the same URLs by sending the statements migkg sent for each (recorded here,
in process, by wrapping the backend's `read`) to the same FalkorDB through the same
client, and returning the rows as JSON: the floor. Each family is measured on both
servers in turn, in the same run; `rows()` gives req/s and p99 beside the floor's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

PER_FAMILY = 1_000
SECONDS = int(os.environ.get("API_SECONDS", "5"))
CONNECTIONS = 32


def _get(base: str, path: str) -> Any:
    with urllib.request.urlopen(base + path, timeout=60) as res:  # noqa: S310 - loopback only
        return json.loads(res.read())


def _ids(base: str, plural: str, most: int) -> list[str]:
    out: list[str] = []
    while len(out) < most:
        page = _get(base, f"/v1/{plural}?limit=200&offset={len(out)}")["items"]
        out += [item["id"] for item in page]
        if len(page) < 200:
            break
    return out[:most]


def families(base: str) -> dict[str, list[str]]:
    """Up to PER_FAMILY distinct URLs per family, from the graph `base` serves."""
    from graph.schema import get_schema

    q = urllib.parse.quote
    countries = _ids(base, "countries", PER_FAMILY)
    others: list[str] = []
    for kind in get_schema().nodes.values():
        if kind.plural != "countries" and len(others) < PER_FAMILY - len(countries):
            others += _ids(base, kind.plural, (PER_FAMILY - len(countries)) // 4 + 1)
    names = [item["name"] for item in _get(base, "/v1/organisations?limit=200")["items"]]
    names += [item["name"] for item in _get(base, "/v1/agreements?limit=200")["items"]]
    words = list(dict.fromkeys(w.lower() for n in names for w in n.split() if len(w) > 2))
    terms = list(dict.fromkeys([*words, *(n.lower() for n in names)]))[:PER_FAMILY]
    total = _get(base, "/v1/agreements?limit=1")["total"]
    return {
        "entity by id": [f"/v1/countries/{c}" for c in countries]
                        + [f"/v1/entities/{i}" for i in others][:PER_FAMILY - len(countries)],
        "a country's agreements": [f"/v1/countries/{c}/agreements" for c in countries],
        "search": [f"/v1/search?q={q(t)}" for t in terms],
        "a list page": [f"/v1/agreements?limit=20&offset={o}"
                        for o in range(0, min(total, PER_FAMILY * 20), 20)],
        "a named query": [f"/v1/queries/agreements_covering_country?country={c}" for c in countries],
    }


def record(home: Path, graph: str, urls: list[str]) -> dict[str, Any]:
    """The statements migkg sends for each URL: the app in process, its backend's reads kept."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph import open_backend
    from migkg.settings import Settings

    # A long digest check: the stamp read it makes now and then is not part of an answer.
    settings = Settings(home=home, graph=graph, response_cache_bytes=0, digest_check_ms=3_600_000)
    backend: Any = open_backend(settings)
    sent: list[tuple[str, dict[str, Any], int]] = []
    read = backend.read

    def recording(cypher: str, params: Any = None, *, timeout_ms: int | None = None,
                  row_cap: int | None = None) -> Any:
        sent.append((cypher, dict(params or {}), timeout_ms or 10_000))
        return read(cypher, params, timeout_ms=timeout_ms, row_cap=row_cap)

    backend.read = recording
    out: dict[str, list[tuple[str, dict[str, Any], int]]] = {}
    with TestClient(create_app(settings, backend=backend)) as client:
        for url in urls:
            sent.clear()
            res = client.get(url)
            if res.status_code != 200:
                raise SystemExit(f"{url} answered {res.status_code}: {res.text[:300]}")
            out[url] = list(sent)
    backend.close()
    return {"socket": str(backend.server.socket_path), "graph": graph, "urls": out}


def wrk(base: str, paths: Path) -> tuple[float, float]:
    import re

    proc = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s", "-s",
                           str(ROOT / "bench" / "wrk_report.lua"), base, "--", str(paths)],
                          capture_output=True, text=True, check=True)
    m = re.search(r"p99 ([\d.]+) ms .*?([\d.]+) req/s\s+errors (\d+)", proc.stdout)
    if not m or int(m.group(3)):
        raise SystemExit(f"wrk said: {proc.stdout}")
    return float(m.group(2)), float(m.group(1))


def _ready(url: str, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as res:  # noqa: S310 - loopback only
                if res.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} never answered")


@contextmanager
def _running(argv: list[str], env: dict[str, str], ready: str) -> Iterator[None]:
    proc = subprocess.Popen(argv, env={**os.environ, **env}, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _ready(ready)
        yield
    finally:
        proc.terminate()
        proc.wait(30)


def rows(data: Path, home: Path, graph: str, port: int, bare_port: int,
         work: Path) -> Iterator[tuple[str, float, float, float, float, int]]:
    """(family, ours req/s, ours p99 ms, floor req/s, floor p99 ms, URLs) per family."""
    env = {"MIGKG_HOME": str(home), "MIGKG_GRAPH": graph, "MIGKG_RESPONSE_CACHE_BYTES": "0"}
    serve = [str(VENV / "migkg"), "serve", "--port", str(port), "--data", str(data)]
    base = f"http://127.0.0.1:{port}"
    bare = [str(VENV / "uvicorn"), "--app-dir", "bench", "bare_app:app", "--port", str(bare_port),
            "--no-access-log", "--log-level", "warning"]
    with _running(serve, env, f"{base}/ready"):
        urls = families(base)
        # Recorded beside the running serve, on its engine (as `migkg load` would reach it).
        spec = record(home, graph, [u for family in urls.values() for u in family])
        (work / "statements.json").write_text(json.dumps(spec), encoding="utf-8")
        first = next(iter(urls.values()))[0]
        with _running(bare, {"BARE_MANIFEST": str(work / "statements.json")},
                      f"http://127.0.0.1:{bare_port}{first}"):
            for i, (family, paths) in enumerate(urls.items()):
                listed = work / f"paths-{i}.txt"
                listed.write_text("\n".join(paths) + "\n", encoding="utf-8")
                ours, ours_p99 = wrk(base, listed)
                floor, floor_p99 = wrk(f"http://127.0.0.1:{bare_port}", listed)
                yield family, ours, ours_p99, floor, floor_p99, len(paths)


def main(argv: list[str]) -> int:
    from matrix import _free_port  # noqa: PLC0415 - bench/ is on the path when run as a script

    data, home, graph = Path(argv[0]), Path(argv[1]), argv[2] if len(argv) > 2 else "matrix"
    print("| family | URLs | ours | fair floor | ratio | p99 ratio |\n|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="migkg-api-") as work:
        for family, ours, p99, floor, floor_p99, n in rows(data, home, graph, _free_port(),
                                                           _free_port(), Path(work)):
            print(f"| {family} | {n:,} | {ours:,.0f} req/s, p99 {p99:.1f} ms | {floor:,.0f} req/s, "
                  f"p99 {floor_p99:.1f} ms | ×{ours / floor:.2f} | ×{p99 / floor_p99:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
