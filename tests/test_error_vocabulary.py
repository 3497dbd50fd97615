"""One error vocabulary: every refused request is problem+json with `type`, `title`,
`detail`, and the members a client acts on (`allowed`, `example`, `see`, `suggestions`).
A bad parameter is always 422, in our words: never a regex, never pydantic's own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.neo4j_backend import Neo4jBackend
from graph.schema import get_schema

P = "https://w3id.org/migkg/problems/"
KINDS = [k.plural for k in get_schema().nodes.values()]
AGREEMENT_STATUS = ["proposed", "announced", "to_be_signed", "agreed", "signed", "in_force",
                    "operational"]
DATE_DETAIL = "is not a date; write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-10-02"

# (case, url, status, type, members that must be equal (a set: held), words the detail holds)
CASES: list[tuple[str, str, int, str, dict[str, Any], str]] = [
    ("bad enum", "/v1/agreements?status=signedd", 422, "invalid-value",
     {"parameter": "status", "value": "signedd", "allowed": AGREEMENT_STATUS},
     "status: 'signedd' is not one of proposed"),
    ("bad type enum", "/v1/agreements?type=pact", 422, "invalid-value",
     {"parameter": "type", "value": "pact"}, "type: 'pact' is not one of"),
    ("bad facet", "/v1/agreements?facets=colour", 422, "invalid-value",
     {"parameter": "facets", "value": "colour"}, "facets: 'colour' is not one of"),
    ("bad sort", "/v1/agreements?sort=colour", 422, "invalid-value",
     {"parameter": "sort", "value": "colour"},
     "sort: 'colour' is not a property of agreements; sort by one of id, name"),
    ("bad descending sort", "/v1/countries?sort=-colour", 422, "invalid-value",
     {"parameter": "sort", "value": "-colour"}, "sort: 'colour' is not a property of countries"),
    ("sort not a name", "/v1/countries?sort=Name!", 422, "invalid-value",
     {"parameter": "sort"}, "is not a property of countries"),
    ("filter the kind lacks", "/v1/countries?status=signed", 422, "invalid-value",
     {"parameter": "status", "allowed": []}, "status: countries have no status to filter on"),
    ("type filter the kind lacks", "/v1/countries?type=x", 422, "invalid-value",
     {"parameter": "type", "allowed": []}, "type: countries have no type to filter on"),
    ("bad collection format", "/v1/agreements?format=xml", 422, "invalid-value",
     {"parameter": "format", "value": "xml", "allowed": {"json", "csv"}},
     "format: 'xml' is not one of json, csv"),
    ("bad IRI format", "/id/country/RS?format=turtle", 422, "invalid-value",
     {"parameter": "format", "allowed": {"ttl", "nt", "jsonld", "rdf", "json", "html"}},
     "format: 'turtle' is not one of ttl, nt"),
    ("month 13", "/v1/agreements?date_from=2025-13-01", 422, "invalid-value",
     {"parameter": "date_from", "value": "2025-13-01", "example": "2025-10-02"},
     f"date_from: '2025-13-01' {DATE_DETAIL}"),
    ("30 February", "/v1/events?date_to=2025-02-30", 422, "invalid-value",
     {"parameter": "date_to", "value": "2025-02-30"}, f"date_to: '2025-02-30' {DATE_DETAIL}"),
    ("date as words", "/v1/events?date_from=yesterday", 422, "invalid-value",
     {"parameter": "date_from", "example": "2025-10-02"}, DATE_DETAIL),
    ("date with a time", "/v1/events?date_from=2025-10-02T10:00", 422, "invalid-value",
     {"parameter": "date_from"}, DATE_DETAIL),
    ("date on a kind without dates", "/v1/countries?date_from=2024", 422, "invalid-value",
     {"parameter": "date_from", "allowed": []}, "date_from: countries have no date"),
    ("negative limit", "/v1/agreements?limit=-1", 422, "invalid-request",
     {"parameter": "limit", "value": "-1"},
     "limit: -1 is less than 1; give a whole number from 1 to 200"),
    ("limit too large", "/v1/agreements?limit=1000", 422, "invalid-request",
     {"parameter": "limit"}, "limit: 1000 is more than 200"),
    ("limit not a number", "/v1/agreements?limit=ten", 422, "invalid-request",
     {"parameter": "limit", "value": "ten"}, "limit: 'ten' is not a whole number"),
    ("missing search text", "/v1/search", 422, "invalid-request",
     {"parameter": "q"}, "q: missing; give a value"),
    ("unknown kind", "/v1/widgets", 404, "not-found",
     {"parameter": "kind", "value": "widgets", "allowed": KINDS},
     "no kind 'widgets'; the kinds are documents, countries"),
    ("unknown kind with an id", "/v1/widgets/RS", 404, "not-found",
     {"value": "widgets", "allowed": KINDS}, "no kind 'widgets'"),
    ("a kind's singular", "/v1/country/RS", 404, "not-found",
     {"value": "country", "see": "/v1/countries/RS"}, "did you mean countries?"),
    ("id of another kind", "/v1/countries/uk-serbia-agreement", 404, "other-kind",
     {"kind": "Agreement", "see": "/v1/agreements/uk-serbia-agreement"},
     "uk-serbia-agreement is an Agreement, not a Country"),
    ("a person's id as a route", "/v1/routes/yvette-cooper", 404, "other-kind",
     {"kind": "Person", "see": "/v1/people/yvette-cooper"},
     "yvette-cooper is a Person, not a Route"),
    ("unknown entity", "/v1/entities/qwxzv", 404, "not-found", {}, "qwxzv"),
]
GRAPH_READING = {"bad enum", "bad sort", "filter the kind lacks", "month 13", "unknown kind",
                 "id of another kind", "a person's id as a route", "unknown entity"}


def check(client: TestClient, case: str, url: str, status: int, slug: str,
          members: dict[str, Any], words: str) -> None:
    res = client.get(url)
    assert res.status_code == status, (case, res.text)
    assert res.headers["content-type"] == "application/problem+json", case
    body = res.json()
    assert body["type"] == P + slug, (case, body)
    assert body["title"] and body["detail"] and body["status"] == status, (case, body)
    for key, value in members.items():  # a set: at least these (more may be added)
        got = set(body.get(key) or ()) if isinstance(value, set) else body.get(key)
        assert got >= value if isinstance(value, set) else got == value, (case, key, body)
    assert words in body["detail"], (case, body["detail"])
    assert "^" not in body["detail"] and "\\d" not in body["detail"], (case, body["detail"])
    if slug == "other-kind":
        assert "suggestions" in body, case
        assert client.get(body["see"]).status_code == 200, case
    for err in body.get("errors", []):  # every error in our words too
        assert {"loc", "msg", "parameter", "type"} <= set(err) and "^" not in err["msg"], err


@pytest.mark.parametrize(("case", "url", "status", "slug", "members", "words"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_request(client: TestClient, case: str, url: str, status: int, slug: str,
                     members: dict[str, Any], words: str) -> None:
    check(client, case, url, status, slug, members, words)


def test_good_dates_and_sorts_still_answer(client: TestClient) -> None:
    for url in ("/v1/events?date_from=2024&date_to=2025-10", "/v1/events?date_to=2024-02-29",
                "/v1/agreements?sort=-date", "/v1/countries?sort=id"):
        assert client.get(url).status_code == 200, url


def test_openapi_documents_the_values(client: TestClient) -> None:
    params = {p["name"]: p["schema"] for p in
              client.get("/openapi.json").json()["paths"]["/v1/agreements"]["get"]["parameters"]}
    assert {"date", "-date", "name", "-name"} <= set(params["sort"]["enum"])
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in params["date_from"]["description"]


@pytest.fixture
def neo_client(neo_loaded: Neo4jBackend) -> Iterator[TestClient]:
    from api.app import create_app
    from migkg.settings import Settings

    with TestClient(create_app(Settings(), backend=neo_loaded),
                    raise_server_exceptions=False) as c:
        yield c


@pytest.mark.neo4j
def test_bad_requests_that_read_the_graph_on_neo4j(neo_client: TestClient) -> None:
    cases = [c for c in CASES if c[0] in GRAPH_READING]
    assert len(cases) == len(GRAPH_READING)
    for case in cases:
        check(neo_client, *case)
