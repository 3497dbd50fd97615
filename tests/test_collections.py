"""One API shape (issue 13): every collection is the same envelope with a Link header,
answers CSV, pages with `offset`, counts facets and refuses enum values it does not know,
listing the allowed ones. Against the real embedded engine."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from graph.schema import get_schema

ENVELOPE = {"items", "total", "limit", "offset", "next", "prev"}
# A value for each path parameter of the collection endpoints.
PATH_VALUES = {"ref": {"agreements": "uk-germany-joint-action-plan", "routes": "western-balkans-route",
                       "frameworks": "calais-group-priority-plan-2025", "actors": "GB"},
               "country": "Serbia"}


def _schema_of(openapi: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    content = op["responses"]["200"]["content"]["application/json"].get("schema", {})
    ref = content.get("$ref", "")
    return dict(openapi["components"]["schemas"].get(ref.rsplit("/", 1)[-1], content))


def collection_endpoints(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every operation whose 200 answer is a collection envelope."""
    openapi = client.get("/openapi.json").json()
    found = []
    for path, ops in openapi["paths"].items():
        for method, op in ops.items():
            if "200" not in op.get("responses", {}) or "application/json" not in op["responses"]["200"].get(
                    "content", {}):
                continue
            if ENVELOPE <= set(_schema_of(openapi, op).get("properties", {})):
                found.append((method.upper(), path))
    return found


def _url(path: str) -> str:
    if path == "/v1/queries/{name}":
        return "/v1/queries/events_at_place?place=Budapest"
    if path == "/v1/search":
        return "/v1/search?q=ser"
    if path == "/v1/changes":  # between the first two real releases (data/releases/)
        return "/v1/changes?since=2026.12.1&until=2026.12.2"
    area = path.split("/")[2]
    out = path.replace("{country}", str(PATH_VALUES["country"]))
    if "{ref}" in out:
        out = out.replace("{ref}", PATH_VALUES["ref"][area])  # type: ignore[index]
    return out


def _call(client: TestClient, method: str, path: str, **kwargs: Any) -> Any:
    if method == "POST" and path == "/v1/cypher":
        return client.post("/v1/cypher", json={"query": "MATCH (c:`Country`) RETURN c.id AS id, "
                                               "c.name AS name ORDER BY id LIMIT 3"}, **kwargs)
    if method == "POST":
        return client.post("/v1/queries/events_at_place", json={"place": "Budapest"}, **kwargs)
    return client.get(_url(path), **kwargs)


def expected_collections() -> set[tuple[str, str]]:
    kinds = {("GET", f"/v1/{k.plural}") for k in get_schema().nodes.values()}
    return kinds | {("GET", "/v1/search"), ("GET", "/v1/queries"), ("GET", "/v1/queries/{name}"),
                    ("POST", "/v1/queries/{name}"), ("POST", "/v1/cypher"),
                    ("GET", "/v1/countries/{country}/agreements"),
                    ("GET", "/v1/agreements/{ref}/parties"), ("GET", "/v1/routes/{ref}/path"),
                    ("GET", "/v1/frameworks/{ref}/principles"), ("GET", "/v1/actors/{ref}/profile"),
                    ("GET", "/v1/releases"), ("GET", "/v1/changes")}


def test_every_collection_is_discovered(client: TestClient) -> None:
    assert set(collection_endpoints(client)) == expected_collections()


def test_every_collection_answers_the_envelope_with_link(client: TestClient) -> None:
    endpoints = collection_endpoints(client)
    assert len(endpoints) == len(expected_collections())  # the walk below is not vacuous
    for method, path in endpoints:
        res = _call(client, method, path)
        assert res.status_code == 200, (path, res.text)
        body = res.json()
        assert ENVELOPE <= set(body), path
        assert isinstance(body["items"], list) and body["items"], path
        assert all(isinstance(i, dict) for i in body["items"]), path
        assert body["total"] >= len(body["items"]) and body["offset"] == 0, path
        assert "rows" not in body, path
        if path == "/v1/cypher":  # a POST result: one page, nothing to link to
            assert body["next"] is None and body["prev"] is None
            continue
        link = res.headers["link"]
        assert 'rel="first"' in link and 'rel="last"' in link, (path, link)


def test_every_collection_answers_csv(client: TestClient) -> None:
    endpoints = collection_endpoints(client)
    assert len(endpoints) == len(expected_collections())
    for method, path in endpoints:
        as_json = _call(client, method, path).json()
        for how in ({"params": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
            if method == "POST":
                res = (client.post(f"{path.replace('{name}', 'events_at_place')}?format=csv",
                                   json={"place": "Budapest"}) if "queries" in path else
                       client.post("/v1/cypher?format=csv", json={
                           "query": "MATCH (c:`Country`) RETURN c.id AS id, c.name AS name ORDER BY id LIMIT 3"}))
            elif "params" in how:
                url = _url(path)
                res = client.get(url + ("&" if "?" in url else "?") + "format=csv")
            else:
                res = client.get(_url(path), headers=how["headers"])
            assert res.status_code == 200, (path, res.text)
            assert res.headers["content-type"] == "text/csv; charset=utf-8", path
            assert re.match(r'attachment; filename="[\w.-]+\.csv"$', res.headers["content-disposition"])
            assert res.text.endswith("\r\n"), path  # RFC 4180 line ends
            table = list(csv.reader(io.StringIO(res.text)))
            assert len(table[0]) >= 2 and len(set(table[0])) == len(table[0]), path
            if path == "/v1/changes":  # one CSV row per change of each entity
                assert len(table) - 1 == sum(len(i["changes"]) for i in as_json["items"]), path
            elif path != "/v1/countries/{country}/agreements":  # one CSV row per way it covers
                assert len(table) - 1 == len(as_json["items"]), path
            text = res.text
            assert "{'" not in text and "[{" not in text, (path, text[:300])


def test_csv_flattens_evidence_and_paths(client: TestClient) -> None:
    res = client.get("/v1/countries/RS/agreements?format=csv")
    rows = list(csv.DictReader(io.StringIO(res.text)))
    assert {"agreement", "how", "evidence"} <= set(rows[0])
    serbia = [r for r in rows if r["agreement"] == "uk-serbia-agreement"]
    assert serbia and all(r["evidence"].startswith("“") for r in serbia)
    assert "”" in serbia[0]["evidence"] and "(" in serbia[0]["evidence"]
    path = client.get("/v1/queries/shortest_connection?from=GB&to=RS&format=csv")
    row = next(csv.DictReader(io.StringIO(path.text)))
    assert re.search(r"United Kingdom (<-|-)\[[A-Z_]+\]->? .* Serbia$", row["path"]), row["path"]
    listed = client.get("/v1/countries?format=csv&limit=200")
    header = next(csv.reader(io.StringIO(listed.text)))
    assert header[:5] == ["id", "name", "kind", "aliases", "summary"] and "wikidata" in header


def test_csv_paths_point_each_arrow_the_way_its_relationship_goes(client: TestClient) -> None:
    res = client.get("/v1/queries/shortest_connection?from=RS&to=DE&format=csv")
    path = next(csv.DictReader(io.StringIO(res.text)))["path"]
    # The agreement COVERS Serbia and the United Kingdom is PARTY_TO it: both point back.
    assert path.startswith("Serbia <-[COVERS]- UK-Serbia agreement on organised immigration crime "
                           "<-[PARTY_TO]- United Kingdom -["), path
    # then both the UK and Germany point to what joins them (a meeting both attended, or
    # the Calais Group: paths of one length, the engine picks one)
    assert re.search(r"United Kingdom -\[([A-Z_]+)\]-> .+ <-\[\1\]- Germany$", path), path


def test_paging_follows_next_and_prev_and_link(client: TestClient) -> None:
    everything = client.get("/v1/agreements?limit=200").json()
    assert everything["next"] is None and everything["prev"] is None
    seen: list[str] = []
    url: str | None = "/v1/agreements?limit=4"
    pages = 0
    while url:
        res = client.get(url)
        body = res.json()
        seen += [i["id"] for i in body["items"]]
        links = dict((rel, u) for u, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', res.headers["link"]))
        assert links.get("next") == body["next"]
        assert links.get("prev") == body["prev"]
        if body["prev"]:
            assert parse_qs(urlsplit(body["prev"]).query)["offset"] == [str(body["offset"] - 4)]
        url = body["next"]
        pages += 1
    assert seen == [i["id"] for i in everything["items"]] and pages == -(-everything["total"] // 4)
    last = client.get("/v1/agreements?limit=4").headers["link"]
    assert f'offset={(everything["total"] - 1) // 4 * 4}' in re.search(r'<([^>]+)>; rel="last"', last)[1]


def test_paging_links_of_a_non_ascii_path_are_uris(client: TestClient) -> None:
    """A name outside Latin-1 in the path (found by the fuzz: it crashed the Link header)
    comes back percent-encoded, in the header and the body alike."""
    res = client.get("/v1/actors/%C3%80l%ED%9F%BC/profile")
    assert res.status_code == 200, res.text
    first = re.search(r'<([^>]+)>; rel="first"', res.headers["link"])
    assert first is not None and first[1].isascii()
    assert "/v1/actors/%C3%80l%ED%9F%BC/profile?" in first[1]


def test_search_honours_offset(client: TestClient) -> None:
    full = client.get("/v1/search?q=joint&limit=10").json()
    assert full["total"] >= 3
    page = client.get("/v1/search?q=joint&limit=2&offset=1").json()
    assert page["offset"] == 1 and page["prev"] is not None
    assert [i["id"] for i in page["items"]] == [i["id"] for i in full["items"][1:3]]
    assert page["total"] == full["total"]


@pytest.mark.parametrize(("url", "parameter", "prop"), [
    ("/v1/agreements?status=signedd", "status", ("Agreement", "status")),
    ("/v1/agreements?type=treatyy", "type", ("Agreement", "agreement_type")),
    ("/v1/organisations?type=agencyy", "type", ("Organisation", "org_type")),
    ("/v1/events?status=cancelled", "status", ("Event", "status")),
    ("/v1/agreements?facets=status,colour", "facets", None),
])
def test_enum_values_outside_the_schema_are_422_listing_allowed(
        client: TestClient, url: str, parameter: str, prop: tuple[str, str] | None) -> None:
    res = client.get(url)
    assert res.status_code == 422, res.text
    assert res.headers["content-type"] == "application/problem+json"
    body = res.json()
    kind = get_schema().node(prop[0] if prop else "Agreement")
    allowed = (list(kind.properties[prop[1]].values) if prop else
               [p.name for p in kind.properties.values() if p.type == "enum"])
    if prop == ("Event", "status"):
        allowed = [*allowed, "date_passed"]  # it filters on the status now (docs/schema.md)
    assert body["parameter"] == parameter and body["allowed"] == allowed
    assert all(v in body["detail"] for v in allowed) and body["detail"].startswith(parameter)


def test_enum_filters_in_openapi_come_from_the_schema(client: TestClient) -> None:
    params = {p["name"]: p for p in client.get("/openapi.json").json()["paths"]["/v1/agreements"]["get"]["parameters"]}
    assert params["status"]["schema"]["enum"] == list(get_schema().node("Agreement").properties["status"].values)
    assert "format" in params and "facets" in params


def test_facets_count_every_match_and_follow_filters(client: TestClient) -> None:
    body = client.get("/v1/agreements?facets=status,agreement_type&limit=1").json()
    assert set(body["facets"]) == {"status", "agreement_type"} and len(body["items"]) == 1
    for value in body["facets"]["status"]:
        alone = client.get(f"/v1/agreements?status={value['value']}&limit=1").json()
        assert alone["total"] == value["count"], value
    counts = [v["count"] for v in body["facets"]["status"]]
    assert counts == sorted(counts, reverse=True) and sum(counts) <= body["total"]
    narrowed = client.get("/v1/agreements?status=signed&facets=status").json()
    assert narrowed["facets"]["status"] == [{"value": "signed", "count": narrowed["total"]}]
    assert client.get("/v1/agreements").json()["facets"] == {}  # opt-in
