"""Slots for ad-hoc queries are shared fairly between clients (issue 19).

Four clients looping on queries that ran to their deadline once held every
console slot, and an analyst's simple MATCH was refused with 429 in 11 of 39
tries. Now one client (one address) holds at most its share of the slots
(`MIGKG_CONSOLE_PER_CLIENT`, by default half), and a client that already runs
a query cannot take the last free one. Here one address floods the endpoint
from more threads than there are slots with queries that run to the deadline,
on a real uvicorn server, while a second address (127.0.0.2) asks simple
questions: every one of them is answered, and the flood is told 429 with
`Retry-After`. Nothing here is about speed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
import pytest

from api.app import create_app
from api.fairness import FairShare, per_client
from conftest import serving
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from migkg.exc import TooBusy
from migkg.settings import Settings

SLOTS = 4
# The console engine runs two queries at a time (graph/sandbox.py); a query beyond that
# waits inside it and the wait counts against its deadline. Two console slots keep the
# test about the shares, not about that queue.
CONSOLE_SLOTS = 2
FLOOD_THREADS = 6  # more than every slot: under one global cap the flood took them all
ASKS = 10
# 10^10 rows of almost no memory: runs to MIGKG_QUERY_TIMEOUT_MS on either engine
SLOW_CYPHER = "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*) AS n"
SERBIA = "MATCH (c:`Country` {id: 'RS'}) RETURN c.name AS name"
SLOW_SPARQL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
OTHER_ADDRESS = "127.0.0.2"


# ---------------------------------------------------------------- the limiter itself


def _refusal(share: FairShare, client: str) -> TooBusy:
    with pytest.raises(TooBusy) as err:
        share.acquire(client)
    assert err.value.status == 429 and err.value.headers == {"Retry-After": "1"}
    return err.value


def test_one_client_never_takes_every_slot() -> None:
    share = FairShare("queries", total=4, share=2)
    share.acquire("a")
    share.acquire("a")
    assert _refusal(share, "a").extra["limit"] == "per-client"
    share.acquire("b")  # another client still gets in
    # three of four taken: the last is kept for a client that holds none
    assert _refusal(share, "b").extra["limit"] == "last-slot"
    share.acquire("c")
    assert _refusal(share, "d").extra["limit"] == "total"
    share.release("a")
    share.acquire("d")
    assert share.running() == 4 and share.running("a") == 1 and share.running("d") == 1
    for client in ("a", "a", "b", "c", "d"):
        share.release(client)
    assert share.running() == 0


def test_a_slot_is_given_back_when_the_query_fails() -> None:
    share = FairShare("queries", total=1, share=1)
    with pytest.raises(RuntimeError), share.slot("a"):
        raise RuntimeError("the engine said no")
    with share.slot("b"):
        assert share.running("b") == 1
    assert share.running() == 0


def test_a_slot_that_frees_within_the_grace_is_given_not_refused() -> None:
    share = FairShare("queries", total=1, share=1)

    async def scenario() -> list[str]:
        order: list[str] = []
        share.acquire("a")  # a short query, ending while the next one waits

        async def finish() -> None:
            await anyio.sleep(0)
            order.append("a ends")
            share.release("a")

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(finish)
            await share.acquire_soon("b", grace=60)
            order.append("b runs")
        with pytest.raises(TooBusy):  # b's query still runs: c waits the grace, then 429
            await share.acquire_soon("c", grace=0.01)
        order.append("c refused")
        return order

    assert anyio.run(scenario) == ["a ends", "b runs", "c refused"]


@pytest.mark.parametrize(("slots", "setting", "expected"), [
    (4, 0, 2), (5, 0, 2), (1, 0, 1), (2, 0, 1), (64, 0, 32), (4, 3, 3), (4, 9, 4)])
def test_the_default_share_is_half_the_slots(slots: int, setting: int, expected: int) -> None:
    settings = Settings(console_concurrency=slots, console_per_client=setting)
    assert per_client(settings) == expected


# ---------------------------------------------------------------- a flood against an analyst


@contextmanager
def _flood(send: Callable[[httpx.Client], httpx.Response]) -> Iterator[list[httpx.Response]]:
    """FLOOD_THREADS threads from 127.0.0.1, each sending until the block ends; the answers
    are collected. Entered once the flood has been refused at least once: its share is full."""
    answers: list[httpx.Response] = []
    stop = threading.Event()
    refused = threading.Event()

    def loop(client: httpx.Client) -> None:
        while not stop.is_set():
            res = send(client)
            answers.append(res)
            if res.status_code == 429:
                refused.set()

    clients = [httpx.Client(timeout=60) for _ in range(FLOOD_THREADS)]
    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    try:
        assert refused.wait(120), [r.status_code for r in answers]
        yield answers
        assert all(t.is_alive() for t in threads), "the flood ended before the analyst did"
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        for client in clients:
            client.close()


def _analyst(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60,
                        transport=httpx.HTTPTransport(local_address=OTHER_ADDRESS))


def _check_flood(answers: list[httpx.Response], deadline_status: set[int]) -> None:
    refused = [r for r in answers if r.status_code == 429]
    assert refused, [r.status_code for r in answers]
    for res in refused:
        assert res.headers["retry-after"] == "1"
        assert res.headers["content-type"] == "application/problem+json"
    body = refused[0].json()
    assert body["limit"] in {"per-client", "last-slot"}, body
    assert "127.0.0.1" in body["detail"], body
    # what the flood did run ran to its deadline
    assert {r.status_code for r in answers} <= {429, *deadline_status}, [
        (r.status_code, r.text[:120]) for r in answers if r.status_code not in {429, 504}]



def _settings(tmp_path: Any, slots: int) -> Settings:
    return Settings(home=tmp_path, query_timeout_ms=1000, console_concurrency=slots)


@pytest.mark.neo4j
def test_a_flooding_client_cannot_keep_another_out_of_the_console(
        engine: FalkorBackend | Neo4jBackend, tmp_path: Any) -> None:
    app = create_app(_settings(tmp_path, CONSOLE_SLOTS), backend=engine)
    with serving(app) as base, _analyst(base) as me:
        first = me.post("/v1/cypher", json={"query": SERBIA})  # plans cached, JVM warm
        assert first.status_code == 200, first.text
        with _flood(lambda c: c.post(f"{base}/v1/cypher", json={"query": SLOW_CYPHER})) as flood:
            asked = [me.post("/v1/cypher", json={"query": SERBIA}) for _ in range(ASKS)]
    for res in asked:
        assert res.status_code == 200, res.text
        assert res.json()["items"] == [{"name": "Serbia"}]
    _check_flood(flood, {504})


def test_a_flooding_client_cannot_keep_another_out_of_sparql(loaded: FalkorBackend,
                                                              tmp_path: Any) -> None:
    app = create_app(_settings(tmp_path, SLOTS), backend=loaded)
    with serving(app) as base, _analyst(base) as me:
        ask = {"query": "ASK { ?a <https://w3id.org/migkg/ontology#covers> ?c }"}
        assert me.get("/sparql", params=ask).status_code == 200  # the store is built
        with _flood(lambda c: c.get(f"{base}/sparql", params={"query": SLOW_SPARQL})) as flood:
            asked = [me.get("/sparql", params=ask) for _ in range(ASKS)]
    for res in asked:
        assert res.status_code == 200, res.text
        assert res.json()["boolean"] is True
    _check_flood(flood, {504})
