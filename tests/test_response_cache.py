"""The response cache (api/caching.py): answers kept by request and graph digest, on the real engine.

Whether an answer came from the cache is seen from the engine's side: the backend's
statement hook counts every statement the engine ran for the request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.caching import ResponseCache
from conftest import MINI, Counted
from graph.falkor import FalkorBackend
from loaders.facts import Facts
from loaders.pipeline import load_facts, read_facts
from migkg.settings import Settings

SIGNATURE = "/v1/countries/RS/agreements"


@pytest.fixture(scope="module")
def http(counted_graph: FalkorBackend) -> Iterator[TestClient]:
    # digest_check_ms is an hour: only a load in this process may refresh the digest here.
    app = create_app(Settings(digest_check_ms=3_600_000), backend=counted_graph)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def statements_for(http: TestClient, counted: Counted, url: str,
                   **headers: str) -> tuple[int, object]:
    before = counted.statements
    res = http.get(url, headers=headers)
    return counted.statements - before, res


def test_a_repeated_request_does_not_reach_the_engine(http: TestClient, counted: Counted) -> None:
    first, a = statements_for(http, counted, SIGNATURE)
    again, b = statements_for(http, counted, SIGNATURE)
    assert a.status_code == b.status_code == 200  # type: ignore[attr-defined]
    assert first > 0 and again == 0
    assert a.content == b.content  # type: ignore[attr-defined]
    assert a.headers["etag"] == b.headers["etag"]  # type: ignore[attr-defined]
    assert b.headers["x-content-type-options"] == "nosniff"  # type: ignore[attr-defined]
    n, res = statements_for(http, counted, SIGNATURE, **{"If-None-Match": a.headers["etag"]})  # type: ignore[attr-defined]
    assert res.status_code == 304 and res.content == b"" and n == 0  # type: ignore[attr-defined]
    assert res.headers["etag"] == a.headers["etag"]  # type: ignore[attr-defined]
    head = http.head(SIGNATURE)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(a.content))  # type: ignore[attr-defined]


def test_answers_are_kept_per_accept_and_query(http: TestClient, counted: Counted) -> None:
    url = "/id/country/RS"
    n_ttl, ttl = statements_for(http, counted, url, accept="text/turtle")
    n_json, js = statements_for(http, counted, url, accept="application/ld+json")
    assert n_ttl > 0 and n_json > 0
    assert ttl.headers["content-type"].startswith("text/turtle")  # type: ignore[attr-defined]
    assert js.headers["content-type"].startswith("application/ld+json")  # type: ignore[attr-defined]
    assert statements_for(http, counted, url, accept="text/turtle")[0] == 0
    n_html, html = statements_for(http, counted, url + "?format=html")
    assert n_html > 0 and html.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    assert "content-security-policy" in html.headers  # type: ignore[attr-defined]
    assert statements_for(http, counted, url + "?format=html")[0] == 0


def test_errors_and_ad_hoc_queries_are_not_kept(http: TestClient, counted: Counted) -> None:
    for url in ("/v1/countries/Narnia/agreements", "/v1/cypher?query=RETURN%201"):
        first, a = statements_for(http, counted, url)
        again, b = statements_for(http, counted, url)
        assert a.status_code == b.status_code  # type: ignore[attr-defined]
        if a.status_code == 404:  # type: ignore[attr-defined]
            assert first > 0 and again == first
    body = {"query": "MATCH (c:`Country`) WHERE c.id = $id RETURN c.name AS name",
            "params": {"id": "RS"}}
    before = counted.statements
    for _ in range(2):
        assert http.post("/v1/cypher", json=body).status_code == 200
    assert counted.statements - before == 2


def test_a_load_invalidates_the_cache(http: TestClient, counted: Counted,
                                      counted_graph: FalkorBackend, facts: Facts) -> None:
    url = "/v1/countries?limit=200"
    _, before = statements_for(http, counted, url)
    assert statements_for(http, counted, url)[0] == 0
    load_facts(read_facts(MINI), counted_graph, full=True)
    try:
        n, after = statements_for(http, counted, url)
        assert n > 0
        assert after.json()["total"] != before.json()["total"]  # type: ignore[attr-defined]
        assert statements_for(http, counted, url)[0] == 0
    finally:
        load_facts(facts, counted_graph, full=True)
    n, back = statements_for(http, counted, url)
    assert back.json() == before.json()  # type: ignore[attr-defined]


def test_the_cache_is_bounded_in_bytes() -> None:
    cache = ResponseCache(max_bytes=10_000)
    for i in range(100):
        cache.put((i,), ([(b"content-type", b"text/plain")], bytes(1000), f'"{i}"'))
        assert cache.size <= 10_000
    assert cache.get((0,)) is None and cache.get((99,)) is not None
    assert 0 < len(cache) < 10
    cache.put(("big",), ([], bytes(5000), '"big"'))  # over a quarter of the budget: not kept
    assert cache.get(("big",)) is None


def test_the_cache_can_be_turned_off(counted_graph: FalkorBackend, counted: Counted) -> None:
    app = create_app(Settings(response_cache_bytes=0), backend=counted_graph)
    with TestClient(app) as c:
        c.get(SIGNATURE)
        assert statements_for(c, counted, SIGNATURE)[0] > 0
