"""The JSON API against the real embedded engine."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


@pytest.mark.parametrize("ref", ["Serbia", "RS", "serbia", "SERBIA", "rs"])
def test_signature_question(client: TestClient, ref: str) -> None:
    res = client.get(f"/v1/countries/{ref}/agreements")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["country"] == {"id": "RS", "name": "Serbia", "kind": "Country"}
    by_id = {a["agreement"]["id"]: a for a in body["items"]}
    assert {"uk-serbia-agreement", "uk-kosovo-agreement", "uk-north-macedonia-agreement"} <= set(by_id)
    serbia = {h["how"] for h in by_id["uk-serbia-agreement"]["how"]}
    assert {"party", "coverage"} <= serbia
    for agreement in body["items"]:
        for how in agreement["how"]:
            assert how["evidence"] and all(e["quote"] for e in how["evidence"])
    kosovo = by_id["uk-kosovo-agreement"]["how"]
    assert kosovo[0]["via"] == {"id": "western-balkans-route", "name": "Western Balkans route",
                                "kind": "Route"}


def test_problem_body_is_locked(client: TestClient) -> None:
    res = client.get("/v1/countries/Narnia/agreements")
    assert res.status_code == 404
    assert res.headers["content-type"] == "application/problem+json"
    body = res.json()
    assert PROBLEM_KEYS <= set(body)
    assert body["type"] == "https://w3id.org/migkg/problems/not-found"
    assert body["instance"] == "/v1/countries/Narnia/agreements"
    assert isinstance(body["suggestions"], list)
    for url, status in [("/v1/nothing-here", 404), ("/v1/countries?limit=0", 422),
                        ("/v1/queries/nope", 404), ("/v1/queries/search", 400),
                        ("/v1/countries?sort=colour", 422)]:
        res = client.get(url)
        assert res.status_code == status, (url, res.text)
        assert res.headers["content-type"] == "application/problem+json"
        assert PROBLEM_KEYS <= set(res.json())
        assert res.json()["status"] == status


def test_unknown_country_suggests_close_names(client: TestClient) -> None:
    res = client.get("/v1/countries/Serbistan/agreements")  # "Serbie" is a typo it resolves
    assert res.status_code == 404
    assert "RS" in [s["id"] for s in res.json()["suggestions"]]


def test_ambiguous_name_returns_candidates(client: TestClient) -> None:
    rows = client.post("/v1/cypher", json={"query": (
        "MATCH (n) UNWIND n.names_folded AS name WITH name, count(DISTINCT n) AS k "
        "WHERE k > 1 RETURN name ORDER BY name LIMIT 1")}).json()["items"]
    res = client.get(f"/v1/entities/{rows[0]['name']}")
    assert res.status_code == 409
    assert len(res.json()["candidates"]) > 1


def test_entity_lists_page_sort_and_count(client: TestClient) -> None:
    first = client.get("/v1/countries", params={"limit": 10, "sort": "id"}).json()
    assert first["total"] == 25 and len(first["items"]) == 10
    nxt = client.get(first["next"]).json()
    assert nxt["offset"] == 10
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in nxt["items"]}
    ids = [i["id"] for i in first["items"]]
    assert ids == sorted(ids)
    agreed = client.get("/v1/agreements", params={"status": "to_be_signed"}).json()
    assert {i["properties"]["status"] for i in agreed["items"]} == {"to_be_signed"}
    assert client.get("/v1/countries", params={"q": "bRiTaIn"}).json()["items"][0]["id"] == "GB"
    events = client.get("/v1/events", params={"sort": "-date", "date_from": "2025"}).json()
    dates = [e["properties"]["date"] for e in events["items"] if e["properties"].get("date")]
    assert dates == sorted(dates, reverse=True)  # undated items whose range overlaps 2025 too
    assert client.get("/v1/countries", params={"status": "signed"}).status_code == 422


def test_entity_detail_has_links_evidence_and_documents(client: TestClient) -> None:
    body = client.get("/v1/agreements/UK-Germany Joint Action Plan").json()
    assert body["id"] == "uk-germany-joint-action-plan"
    assert body["iri"].endswith("/id/agreement/uk-germany-joint-action-plan")
    signed = [r for r in body["relationships"] if r["type"] == "SIGNED"]
    assert {r["other"]["id"] for r in signed} == {"yvette-cooper", "nancy-faeser"}
    assert all(r["direction"] == "in" and r["evidence"] for r in signed)
    assert set(body["documents"]) >= {e["doc"] for e in body["evidence"]}
    assert "names_folded" not in body["properties"]


def test_named_queries_listed_and_run_by_get_and_post(client: TestClient) -> None:
    listed = client.get("/v1/queries").json()["items"]
    names = {q["name"] for q in listed}
    assert "agreements_covering_country" in names
    acc = next(q for q in listed if q["name"] == "agreements_covering_country")
    assert acc["parameters"]["required"] == ["country"]
    got = client.get("/v1/queries/agreements_covering_country", params={"country": "RS"}).json()
    posted = client.post("/v1/queries/agreements_covering_country", json={"country": "Serbia"}).json()
    assert got == posted and got["items"]


def test_cypher_is_read_only_capped_and_reports_syntax(client: TestClient) -> None:
    res = client.post("/v1/cypher", json={"query": "MATCH (n) DETACH DELETE n"})
    assert res.status_code == 400 and "write" in res.json()["detail"]
    assert client.post("/v1/cypher", json={"query": "MATCH (n) RETURN count(n) AS n"}).json()["items"][0]["n"] > 100
    res = client.post("/v1/cypher", json={"query": "MATCH (n RETURN n"})
    assert res.status_code == 400 and "Invalid input" in res.json()["detail"]
    assert "errMsg" not in res.json()["detail"] and "errCtx" not in res.json()["detail"]
    assert {k: res.json()[k] for k in ("line", "column", "offset", "context", "caret")} == {
        "line": 1, "column": 10, "offset": 9, "context": "MATCH (n RETURN n", "caret": " " * 9 + "^"}
    res = client.post("/v1/cypher", json={"query": "UNWIND range(1, 5000) AS x RETURN x"})
    assert res.json()["truncated"] is True and len(res.json()["items"]) == 1000
    res = client.post("/v1/cypher", json={"query": "RETURN $x AS x", "params": {"x": "é"}})
    assert res.json()["items"] == [{"x": "é"}]


def test_timeout_is_enforced_by_the_engine(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    old = settings.query_timeout_ms
    settings.query_timeout_ms = 10
    try:
        res = client.post("/v1/cypher", json={"query": (
            "UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b "
            "WITH a, b WHERE a * b = -1 RETURN count(*)")})
    finally:
        settings.query_timeout_ms = old
    assert res.status_code == 504, res.text
    assert res.headers["content-type"] == "application/problem+json"


def test_etag_cache_control_and_cors(client: TestClient) -> None:
    res = client.get("/v1/countries/RS", headers={"Origin": "https://example.org"})
    assert res.headers["cache-control"].startswith("public, max-age=")
    assert res.headers["access-control-allow-origin"] == "https://example.org"
    again = client.get("/v1/countries/RS", headers={"If-None-Match": res.headers["etag"]})
    assert again.status_code == 304
    other = client.get("/v1/countries/RS", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["nodes"] > 100


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary") and op.get("description"), (method, path)
    assert "/v1/countries/{country}/agreements" in spec["paths"]
