"""Hostile ad-hoc queries cannot hurt the service, on either engine.

Each query below once hung or slowed the whole service (issue 10). Now each runs
on a real uvicorn server with a 1 s limit while other requests keep coming:
/health and a named query must keep answering while it runs, and the hostile
query must be stopped (504) or refused (400). No bound here is about speed: the
only one, STOPPED_WITHIN, is ten times the limit and tells "stopped" from "left
to run" (these queries take minutes when nobody stops them).
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import httpx
import pytest

from conftest import serving, while_probing
from graph.falkor import FalkorBackend
from graph.guard import MAX_NESTING, check_params, check_statement, nesting_depth
from graph.neo4j_backend import Neo4jBackend
from graph.sandbox import console_of
from migkg.exc import QueryRejected
from migkg.settings import Settings

LIMIT_MS = 1000
STOPPED_WITHIN = 10 * LIMIT_MS / 1000  # seconds; generous: a busy machine answers late
HOSTILE = {
    "exponential parse": "RETURN " + "(" * 40 + "1" + ")" * 40,
    "quadratic string": "RETURN size(reduce(s = '', x IN range(1, 1000000) | s + 'xxxxxxxxxx'))",
    "collect 1e8": "UNWIND range(1, 100000000) AS x RETURN size(collect(x))",
    "count 1e8": "UNWIND range(1, 100000000) AS i RETURN count(i)",
    "3M rows": "UNWIND range(1, 3000000) AS x RETURN x, toString(x)",
    "cartesian": "MATCH (a), (b), (c), (d), (e) RETURN count(*)",
}


def _app(backend: FalkorBackend | Neo4jBackend, **settings: Any) -> Any:
    from api.app import create_app

    return create_app(Settings(**{"query_timeout_ms": LIMIT_MS, **settings}), backend=backend)



@pytest.mark.neo4j
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_query_is_stopped_and_the_service_keeps_answering(
    engine: FalkorBackend | Neo4jBackend, name: str
) -> None:
    with serving(_app(engine)) as url:
        if name == "3M rows":  # answered, not stopped: its plan is made first, with time to spare
            engine.console_read(HOSTILE[name], timeout_ms=120_000, row_cap=Settings().row_cap)
        res, rounds, seconds = while_probing(
            url, lambda c: c.post("/v1/cypher", json={"query": HOSTILE[name]}))
        after = httpx.post(f"{url}/v1/cypher", timeout=30, json={
            "query": "MATCH (c:`Country` {id: 'RS'}) RETURN c.name AS name"})
    assert seconds < STOPPED_WITHIN, (name, seconds, res.text)
    if res.status_code == 504:  # it ran for its whole limit: the service answered meanwhile
        assert rounds >= 1, (name, seconds)
    if name == "3M rows":  # the cap is applied while the result is built
        assert res.status_code == 200 and res.json()["truncated"] is True
    elif name == "cartesian" and res.status_code == 200:  # Neo4j counts from its count store
        assert next(iter(res.json()["items"][0].values())) > 10**9
    else:
        assert res.status_code in {400, 504}, res.text
        assert res.headers["content-type"] == "application/problem+json"
    # the console works again at once, on a fresh engine where one was killed
    assert after.status_code == 200 and after.json()["items"] == [{"name": "Serbia"}], after.text


def test_overrunning_query_kills_the_console_engine_not_the_main_one(
    loaded: FalkorBackend,
) -> None:
    console = console_of(loaded.server)
    main_pid = loaded.server.pid
    kills = console.kills
    with pytest.raises(Exception, match="did not finish within 500 ms"):
        loaded.console_read(HOSTILE["quadratic string"], timeout_ms=500, row_cap=10)
    assert console.kills == kills + 1
    assert loaded.server.pid == main_pid
    assert loaded.read("MATCH (c:`Country` {id: 'RS'}) RETURN c.name").scalar() == "Serbia"
    # on a fresh console engine; a limit with room to spare: speed is not the point here
    assert loaded.console_read("RETURN 1 AS one", timeout_ms=10_000, row_cap=10).scalar() == 1


def test_console_sees_a_new_load_at_once(loaded: FalkorBackend, facts: Any) -> None:
    from loaders.pipeline import load_facts

    before = loaded.console_read("MATCH (m:`_Meta`) RETURN m.loaded_at", timeout_ms=10_000,
                                 row_cap=10).scalar()
    time.sleep(1.1)  # loaded_at has a resolution of one second
    load_facts(facts, loaded)
    after = loaded.console_read("MATCH (m:`_Meta`) RETURN m.loaded_at", timeout_ms=10_000,
                                row_cap=10).scalar()
    assert after != before
    assert after == loaded.read("MATCH (m:`_Meta`) RETURN m.loaded_at").scalar()


class _Gated:
    """The real backend, except that a console query waits at a gate first.

    The gate makes "a query is still running" a fact of the test rather than a
    bet on how slow some statement is on the machine at hand.
    """

    def __init__(self, backend: FalkorBackend) -> None:
        self._backend = backend
        self.entered = threading.Event()
        self.gate = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def console_read(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        assert self.gate.wait(30), "the test never opened the gate"
        return self._backend.console_read(*args, **kwargs)


def test_console_concurrency_is_bounded_with_429(loaded: FalkorBackend) -> None:
    gated = _Gated(loaded)
    app = _app(gated, console_concurrency=1)  # type: ignore[arg-type]
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http, \
            httpx.Client(base_url=url, timeout=30) as other:
        answers: list[httpx.Response] = []
        slow = threading.Thread(target=lambda: answers.append(
            other.post("/v1/cypher", json={"query": "RETURN 1 AS one"})))
        slow.start()
        assert gated.entered.wait(60), "the first query never reached the engine"
        busy = http.post("/v1/cypher", json={"query": "RETURN 2 AS two"})
        health = http.get("/health")
        gated.gate.set()
        slow.join()
        free = http.post("/v1/cypher", json={"query": "RETURN 3 AS three"})
    assert busy.status_code == 429, busy.text
    assert busy.headers["retry-after"] == "1"
    assert busy.headers["content-type"] == "application/problem+json"
    assert health.status_code == 200
    assert answers[0].status_code == 200 and answers[0].json()["items"] == [{"one": 1}]
    assert free.status_code == 200 and free.json()["items"] == [{"three": 3}]


def test_huge_parameter_is_refused_before_the_engine(loaded: FalkorBackend) -> None:
    from fastapi.testclient import TestClient

    with TestClient(_app(loaded)) as client:
        big = client.post("/v1/cypher", json={"query": "RETURN size($s)",
                                               "params": {"s": "x" * (2 * 2**20)}})
        assert big.status_code == 413
        deep: Any = 1
        for _ in range(12):
            deep = [deep]
        nested = client.post("/v1/cypher", json={"query": "RETURN $d", "params": {"d": deep}})
        assert nested.status_code == 400 and "nests more than" in nested.json()["detail"]


@pytest.mark.parametrize(("cypher", "depth"), [
    ("RETURN 1", 0),
    ("MATCH (a)-[r]->(b) RETURN [x IN range(0, 3) | {k: (x)}]", 3),
    ("RETURN '((((((((' AS s, `(((` AS t // ((((((\n", 0),
    ("RETURN " + "(" * 30 + "1" + ")" * 30, 30),
])
def test_nesting_depth_ignores_strings_names_and_comments(cypher: str, depth: int) -> None:
    assert nesting_depth(cypher) == depth


@pytest.mark.parametrize(("cypher", "message"), [
    ("", "empty"),
    ("RETURN 1 AS " + "x" * 20_000, "at most 20,000"),
    ("RETURN 1\x00", "control character (U+0000) on line 1"),
    ("RETURN " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), "levels are allowed"),
])
def test_statement_checks(cypher: str, message: str) -> None:
    with pytest.raises(QueryRejected, match=re.escape(message)):
        check_statement(cypher)


@pytest.mark.parametrize(("params", "message"), [
    ({f"p{i}": i for i in range(65)}, "at most 64"),
    ({"bad name": 1}, "bad parameter name"),
    ({"s": "x" * (256 * 1024 + 1)}, "characters of text"),
    ({"l": list(range(10_001))}, "more than 10,000 values"),
    ({"n": float("nan")}, "not a finite number"),
    ({"i": 2**63}, "64-bit integer range"),
    ({"z": "a\x00b"}, "NUL"),
])
def test_parameter_checks(params: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryRejected, match=message):
        check_params(params)
