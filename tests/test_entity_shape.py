"""One entity shape: `/v1/{kind}/{ref}`, `/v1/entities/{ref}` and `/id/{kind}/{id}` as JSON
answer the same body, described by one model (`EntityDetail`) in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from graph.neo4j_backend import Neo4jBackend
from graph.schema import get_schema

# (kind, id, a name that resolves to it): one entity of each of several kinds
ENTITIES = [
    ("Country", "RS", "Serbia"),
    ("Agreement", "uk-serbia-agreement", "UK-Serbia agreement on organised immigration crime"),
    ("Person", "yvette-cooper", "Yvette Cooper"),
    ("Route", "western-balkans-route", "Western Balkans route"),
    ("Figure", "fig-uk-returns", "fig-uk-returns"),
    ("Document", "cabinet-office-joint-migration-statement", "cabinet-office-joint-migration-statement"),
    ("Place", "budapest", "Budapest"),
]
REF = "#/components/schemas/EntityDetail"


def _validator(client: TestClient) -> Draft202012Validator:
    spec = client.get("/openapi.json").json()
    return Draft202012Validator({"$ref": REF, "components": spec["components"]})


def answers(client: TestClient, kind: str, ident: str, name: str) -> dict[str, Any]:
    spec = get_schema().node(kind)
    urls = {
        "kind route by id": f"/v1/{spec.plural}/{ident}",
        "kind route by name": f"/v1/{spec.plural}/{name}",
        "entities by id": f"/v1/entities/{ident}",
        "entities by name": f"/v1/entities/{name}",
        "IRI, format=json": f"/id/{spec.slug}/{ident}?format=json",
        "IRI, .json suffix": f"/id/{spec.slug}/{ident}.json",
    }
    out = {}
    for label, url in urls.items():
        res = client.get(url)
        assert res.status_code == 200, (label, res.text)
        out[label] = res.json()
    res = client.get(f"/id/{spec.slug}/{ident}", headers={"Accept": "application/json"})
    assert res.status_code == 200 and res.headers["content-type"] == "application/json"
    out["IRI, Accept: application/json"] = res.json()
    return out


def assert_one_shape(client: TestClient) -> None:
    validator = _validator(client)
    for kind, ident, name in ENTITIES:
        bodies = answers(client, kind, ident, name)
        first = next(iter(bodies.values()))
        for label, body in bodies.items():
            errors = [e.message for e in validator.iter_errors(body)]
            assert not errors, (kind, label, errors[:3])
            assert body == first, (kind, label)
        assert first["id"] == ident and first["kind"] == kind and first["name"]
        assert first["iri"].endswith(f"/id/{get_schema().node(kind).slug}/{ident}")
        for link in first["relationships"]:
            assert "/id/rel/" in link["iri"]
            for item in link["evidence"]:
                assert {"doc", "quote", "start", "end", "passage"} <= set(item)


def test_one_entity_shape_on_every_face(client: TestClient) -> None:
    assert_one_shape(client)


def test_a_relationship_iri_from_the_shape_dereferences(client: TestClient) -> None:
    body = client.get("/v1/countries/RS").json()
    covers = next(r for r in body["relationships"] if r["type"] == "COVERS")
    path = covers["iri"].removeprefix(body["iri"].split("/id/")[0])
    res = client.get(path, headers={"Accept": "application/json"})
    assert res.status_code == 200, res.text
    assert res.json()["type"] == "COVERS"


def test_openapi_has_one_entity_model(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    refs = {path: paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            for path in ("/v1/countries/{ref}", "/v1/agreements/{ref}", "/v1/entities/{ref}",
                         "/id/{kind}/{ident}")}
    assert refs["/v1/countries/{ref}"] == refs["/v1/entities/{ref}"] == {"$ref": REF}
    assert refs["/v1/agreements/{ref}"] == {"$ref": REF}
    assert {"$ref": REF} in refs["/id/{kind}/{ident}"]["anyOf"]
    assert not [name for name in spec["components"]["schemas"]
                if name != "EntityDetail" and name.startswith("EntityDetail")]


@pytest.fixture
def neo_client(neo_loaded: Neo4jBackend) -> Iterator[TestClient]:
    from api.app import create_app
    from migkg.settings import Settings

    with TestClient(create_app(Settings(), backend=neo_loaded),
                    raise_server_exceptions=False) as c:
        yield c


@pytest.mark.neo4j
def test_one_entity_shape_on_neo4j(neo_client: TestClient, client: TestClient) -> None:
    assert_one_shape(neo_client)
    for kind, ident, _ in ENTITIES:
        url = f"/v1/{get_schema().node(kind).plural}/{ident}"
        assert neo_client.get(url).json() == client.get(url).json(), kind
