"""One table of typed names (tests/fixtures/names.csv), run against every entry point.

Each row gives what was typed, an optional kind, and what is expected: an id, or
`409` with the candidates, or `404` with the first suggestion(s). The resolver runs
on FalkorDB and on Neo4j; `/v1/search`, `/v1/entities/{ref}` (or `/v1/{kind}/{ref}`),
`/v1/match`, `/reconcile` and `migkg query --param` on FalkorDB.
"""

from __future__ import annotations

import csv
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from conftest import run_cli
from graph.backend import GraphBackend
from graph.falkor import FalkorBackend
from graph.resolve import resolve
from graph.schema import get_schema
from migkg.exc import Ambiguous, NotFound

TABLE = list(csv.DictReader((Path(__file__).parent / "fixtures" / "names.csv").open(encoding="utf-8")))
ROWS = [(r["name"], r["kind"] or None, r["expect"]) for r in TABLE]
IDS = [f"{n}|{k or ''}" for n, k, _ in ROWS]


def _expect(expect: str) -> tuple[int, list[str]]:
    head, *ids = expect.split()
    return (int(head), ids) if head in ("404", "409") else (200, [head])


def _outcome(backend: GraphBackend, name: str, kind: str | None) -> tuple[int, list[str]]:
    try:
        return 200, [resolve(backend, name, kind)]
    except Ambiguous as err:
        return 409, [c["id"] for c in err.extra["candidates"]]
    except NotFound as err:
        return 404, [s["id"] for s in err.extra["suggestions"]]


def _check(got: tuple[int, list[str]], expect: str) -> None:
    status, ids = _expect(expect)
    assert got[0] == status, got
    if status == 200:
        assert got[1] == ids
    elif status == 409:
        assert set(got[1]) == set(ids)
    else:
        assert got[1][:len(ids)] == ids


def test_the_table_is_large_and_varied() -> None:
    assert len(ROWS) >= 80
    assert len(set(IDS)) == len(IDS)
    statuses = {_expect(e)[0] for _, _, e in ROWS}
    assert statuses == {200, 404, 409}


@pytest.mark.parametrize(("name", "kind", "expect"), ROWS, ids=IDS)
def test_resolver(loaded: FalkorBackend, name: str, kind: str | None, expect: str) -> None:
    _check(_outcome(loaded, name, kind), expect)


@pytest.mark.neo4j
def test_resolver_on_neo4j(neo_loaded: GraphBackend) -> None:
    wrong = []
    for name, kind, expect in ROWS:
        got = _outcome(neo_loaded, name, kind)
        try:
            _check(got, expect)
        except AssertionError:
            wrong.append((name, kind, expect, got))
    assert not wrong


@pytest.mark.parametrize(("name", "kind", "expect"), ROWS, ids=IDS)
def test_search(client: TestClient, name: str, kind: str | None, expect: str) -> None:
    status, ids = _expect(expect)
    params = {"q": name, **({"kind": kind} if kind and status != 404 else {})}
    items = client.get("/v1/search", params=params).json()["items"]
    found = [it["id"] for it in items]
    if status == 200:
        assert found[:1] == ids, items[:3]
    else:
        assert set(ids) <= set(found), items[:3]


@pytest.mark.parametrize(("name", "kind", "expect"), ROWS, ids=IDS)
def test_entity_endpoints(client: TestClient, name: str, kind: str | None, expect: str) -> None:
    status, ids = _expect(expect)
    plural = get_schema().node(kind).plural if kind else "entities"
    res = client.get(f"/v1/{plural}/{quote(name, safe='')}")
    assert res.status_code == status, res.text
    body = res.json()
    if status == 200:
        assert body["id"] == ids[0]
    elif status == 409:
        cands = body["candidates"]
        assert {c["id"] for c in cands} == set(ids)
        assert all({"id", "kind", "name", "score", "why"} <= c.keys() for c in cands)
        assert [c["score"] for c in cands] == sorted((c["score"] for c in cands), reverse=True)
    else:
        assert [s["id"] for s in body["suggestions"]][:len(ids)] == ids


def test_match_and_reconcile(client: TestClient) -> None:
    queries = {str(i): {"name": n, **({"kind": k} if k else {})} for i, (n, k, _) in enumerate(ROWS)}
    matched = client.post("/v1/match", json={"queries": queries}).json()["responses"]
    recon = {str(i): {"query": n, **({"type": k} if k else {})} for i, (n, k, _) in enumerate(ROWS)}
    reconciled = client.post("/reconcile", data={"queries": json.dumps(recon)}).json()
    for i, (name, kind, expect) in enumerate(ROWS):
        status, ids = _expect(expect)
        m, r = matched[str(i)], reconciled[str(i)]["result"]
        r_match = [c["id"] for c in r if c["match"]]
        if status == 200:
            assert m["match"] == ids[0], (name, m["results"][:3])
            assert r_match == ids, (name, r[:3])
        elif status == 409:
            assert m["match"] is None and r_match == [], name
            assert set(ids) <= {c["id"] for c in m["results"]}, name
        elif kind is None:  # nothing of any kind is called that
            assert m["match"] is None and r_match == [], (name, m["results"][:2])
        else:  # a kind hint prefers but does not exclude (/v1/match); a type filters (/reconcile)
            assert m["results"][0]["id"] == ids[0], (name, m["results"][:2])
            assert r_match == [], name


def _cli(home: Path, graph: str, name: str) -> tuple[int, str, str]:
    out = run_cli("query", "--json", "--name", "shortest_connection", "--param", f"from={name}",
                  "--param", "to=GB" if "GB" not in name else "to=RS", home=home, graph=graph)
    return out.returncode, out.stdout, out.stderr


def test_cli(loaded: FalkorBackend) -> None:
    """`migkg query --param` resolves each name of the table (without a kind: the query's
    parameter takes any entity). Where the graph has a path to GB, its first node is the
    entity the name resolved to; otherwise the exit status shows it resolved."""
    every = [(n, e) for n, k, e in ROWS if k is None]
    # A CLI process per name costs about a second: every third name, and the first name of
    # each expected outcome (resolved, 404, 409), so each way through the CLI is run. The
    # other entry points run the whole table on the same resolver.
    rows = every[::3]
    for outcome in {_expect(e)[0] for _, e in every}:
        if not any(_expect(e)[0] == outcome for _, e in rows):
            rows.append(next((n, e) for n, e in every if _expect(e)[0] == outcome))
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda r: _cli(loaded.server.home, loaded.graph_name, r[0]), rows))
    for (name, expect), (code, stdout, stderr) in zip(rows, outs, strict=True):
        status, ids = _expect(expect)
        if status == 200:
            assert code == 0, (name, stderr)
            body = json.loads(stdout)
            if body["rows"] and ids[0] != "GB":
                assert body["rows"][0][1][0]["id"] == ids[0], name
        else:
            assert code == 1, (name, stdout)
            assert all(i in stderr for i in ids), (name, stderr)
