"""Geography: each Country's representative point (reference data, its source named and
reproducible), and GeoJSON (RFC 7946) for countries, routes and their collections, on
both engines."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from conftest import ROOT
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from loaders.facts import Facts
from migkg.settings import Settings

GEOJSON = "application/geo+json"
SHAPE = re.compile(r"Natural Earth 1:50m admin-0 shape '([^']+)'")


def _countries(facts: Facts) -> list[Any]:
    return [e for e in facts.entities if e.kind == "Country"]


def test_every_country_has_a_point_with_its_basis(facts: Facts) -> None:
    countries = _countries(facts)
    assert len(countries) >= 25
    for c in countries:
        lon, lat = c.props.get("longitude"), c.props.get("latitude")
        assert isinstance(lon, float) and isinstance(lat, float), c.id
        assert -180 <= lon <= 180 and -90 <= lat <= 90, c.id
        assert SHAPE.search(c.props.get("point_basis", "")), c.id


def test_the_points_are_those_the_script_computes_from_the_vendored_shapes(facts: Facts) -> None:
    """Not guessed: scripts/country_points.js gives each point again from the shape its
    point_basis names (the centroid of its largest polygon, inside the shape)."""
    node = shutil.which("node")
    assert node, "node is needed to check the points (scripts/test.sh installs it)"
    countries = _countries(facts)
    args = [f"{c.id}={SHAPE.search(c.props['point_basis']).group(1)}"  # type: ignore[union-attr]
            for c in countries]
    run = subprocess.run([node, str(ROOT / "scripts" / "country_points.js"), *args],
                         capture_output=True, text=True, timeout=120, check=True)
    computed = {line.split()[0]: (float(line.split()[1]), float(line.split()[2]))
                for line in run.stdout.splitlines()}
    for c in countries:
        assert computed[c.id] == (c.props["longitude"], c.props["latitude"]), c.id


def test_a_point_out_of_range_is_refused(tmp_path: Path) -> None:
    from loaders.pipeline import read_facts
    from migkg.exc import InvalidFacts
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "countries.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("longitude: 20.806", "longitude: 200.806", 1), encoding="utf-8")
    with pytest.raises(InvalidFacts) as err:
        read_facts(data)
    found = repr(err.value.problems)
    assert "longitude" in found and "180" in found, found


# ---------------------------------------------------------------- GeoJSON, both engines


@pytest.fixture
def api(engine: FalkorBackend | Neo4jBackend, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path), backend=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _is_position(p: Any) -> bool:
    """[longitude, latitude], in that order (RFC 7946, 3.1.1)."""
    return (isinstance(p, list) and len(p) == 2 and all(isinstance(x, float) for x in p)
            and -180 <= p[0] <= 180 and -90 <= p[1] <= 90)


def _feature(f: dict[str, Any]) -> None:
    assert f["type"] == "Feature" and isinstance(f["properties"], dict)
    g = f["geometry"]
    if g is None:
        return
    if g["type"] == "Point":
        assert _is_position(g["coordinates"])
    else:
        assert g["type"] in {"LineString", "MultiPoint"}
        assert g["coordinates"] and all(_is_position(p) for p in g["coordinates"])


@pytest.mark.neo4j
def test_a_country_is_a_point(api: TestClient) -> None:
    for res in (api.get("/v1/countries/Serbia", headers={"Accept": GEOJSON}),
                api.get("/v1/countries/RS?format=geojson")):
        assert res.status_code == 200, res.text
        assert res.headers["content-type"] == GEOJSON
        f = res.json()
        _feature(f)
        assert f["id"] == "RS" and f["geometry"] == {"type": "Point", "coordinates": [20.806, 44.211]}
        assert f["properties"]["name"] == "Serbia" and "Natural Earth" in f["properties"]["point_basis"]
    assert api.get("/v1/countries/RS").headers["content-type"] == "application/json"


@pytest.mark.neo4j
def test_an_ordered_route_is_a_line_from_origin_to_destination(api: TestClient) -> None:
    f = api.get("/v1/routes/turkey-greek-islands-route?format=geojson").json()
    _feature(f)
    tr, gr = (api.get(f"/v1/countries/{c}?format=geojson").json()["geometry"]["coordinates"]
              for c in ("TR", "GR"))
    assert f["geometry"] == {"type": "LineString", "coordinates": [tr, gr]}
    props = f["properties"]
    assert props["ordered"] is True and props["order_note"] is None
    assert [(p["id"], p["role"], p["order"]) for p in props["places"]] == [
        ("TR", "origin", 1), ("GR", "destination", 2)]


@pytest.mark.neo4j
def test_an_unordered_route_is_points_and_says_so(api: TestClient) -> None:
    f = api.get("/v1/routes/Western Balkans route", headers={"Accept": GEOJSON}).json()
    _feature(f)
    props = f["properties"]
    assert f["geometry"]["type"] == "MultiPoint" and props["ordered"] is False
    assert "not stated" in props["order_note"]
    places = {p["id"]: p for p in props["places"]}
    assert {p["role"] for i, p in places.items() if i in {"RS", "MK", "XK"}} == {"transit"}
    assert places["GB"]["role"] == "destination"
    assert places["european-union"]["point"] is None  # an organisation: listed, not drawn
    assert len(f["geometry"]["coordinates"]) == 4
    # transit before destination, never an invented order among the transit countries
    assert [p["role"] for p in props["places"]].index("destination") > 2


@pytest.mark.neo4j
def test_collections_are_feature_collections(api: TestClient) -> None:
    res = api.get("/v1/countries?format=geojson&limit=200")
    assert res.status_code == 200 and res.headers["content-type"] == GEOJSON
    body = res.json()
    assert body["type"] == "FeatureCollection" and body["total"] == len(body["features"])
    for f in body["features"]:
        _feature(f)
        assert f["geometry"]["type"] == "Point"
    routes = api.get("/v1/routes", headers={"Accept": GEOJSON}).json()
    assert {f["id"]: f["geometry"]["type"] for f in routes["features"]} == {
        "channel-small-boats-route": "MultiPoint", "turkey-greek-islands-route": "LineString",
        "western-balkans-route": "MultiPoint"}
    page = api.get("/v1/countries?format=geojson&limit=2")
    assert len(page.json()["features"]) == 2 and 'rel="next"' in page.headers["link"]


@pytest.mark.neo4j
def test_other_kinds_have_no_geometry(api: TestClient) -> None:
    for url in ("/v1/agreements?format=geojson", "/v1/agreements/uk-serbia-agreement?format=geojson"):
        res = api.get(url)
        assert res.status_code == 406, res.text
        assert res.headers["content-type"] == "application/problem+json"
    assert api.get("/v1/countries?format=kml").status_code == 422


# ---------------------------------------------------------------- GeoSPARQL


def test_the_rdf_carries_geosparql_points(client: TestClient) -> None:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import GEO, RDF

    rs = URIRef("https://w3id.org/migkg/id/country/RS")
    geometry = URIRef(f"{rs}.geometry")
    wkt = Literal("POINT(20.806 44.211)", datatype=GEO.wktLiteral)
    described = Graph().parse(data=client.get("/id/country/RS?format=ttl").text, format="turtle")
    exported = Graph().parse(data=client.get("/v1/export.nt").text, format="nt")
    for g in (described, exported):
        assert (rs, GEO.hasGeometry, geometry) in g
        assert (geometry, RDF.type, GEO.Geometry) in g
        assert list(g.objects(geometry, GEO.asWKT)) == [wkt]
    # every country has one; nothing else does
    holders = set(exported.subjects(GEO.hasGeometry, None))
    assert len(holders) >= 25 and all("/id/country/" in str(s) for s in holders)


def test_the_ontology_and_shapes_declare_the_geometry() -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import GEO, OWL, RDF, RDFS, SH

    owl = Graph().parse(ROOT / "ontology" / "migkg.ttl")
    assert (GEO.hasGeometry, RDF.type, OWL.ObjectProperty) in owl
    assert (GEO.asWKT, RDF.type, OWL.DatatypeProperty) in owl
    assert (URIRef("https://w3id.org/migkg/ontology#Country"), RDFS.subClassOf, GEO.Feature) in owl
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    paths = set(shapes.objects(None, SH.path))
    assert GEO.hasGeometry in paths and GEO.asWKT in paths
