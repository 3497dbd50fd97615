"""GeoJSON (RFC 7946) for the entities that have a place on a map: a country as a Point
(its representative point), a route as a LineString through its places when the sources
fix their order, or else a MultiPoint of them, unordered; a page of either as a
FeatureCollection. Asked for with `?format=geojson` or `Accept: application/geo+json`.

Coordinates are [longitude, latitude] (WGS 84), as RFC 7946 requires. What a geometry
cannot say goes in `properties`: a route's places in order, each with its role, `order`
and point; whether the order is stated; an organisation on a route (the EU), which has
no point and is listed with `point: null`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from graph.backend import GraphBackend
from graph.geo import country_points, ordered, route_places
from migkg.exc import NotAcceptable

GEOJSON = "application/geo+json"
GEO_KINDS = ("Country", "Route")
ListFormatParam = Annotated[Literal["json", "csv", "geojson"] | None, Query(description=(
    "`csv` answers this page as CSV (RFC 4180; also `Accept: text/csv`); `geojson` as a "
    "GeoJSON FeatureCollection (RFC 7946; also `Accept: application/geo+json`), for "
    "countries and routes only. JSON otherwise."))]
DetailFormat = Literal["json", "geojson"]
DetailFormatParam: Any = Query(None, description=(
    "`geojson` answers a country as a GeoJSON Point and a route as a LineString, or a "
    "MultiPoint when the sources state no order (also `Accept: application/geo+json`)."))
UNORDERED = ("Order along the route not stated: the sources name these places but not the "
             "sequence between them, so no line is drawn through them.")


def wants_geojson(request: Request, fmt: str | None) -> bool:
    """`format` decides; without it, an Accept header that names GeoJSON."""
    if fmt is not None:
        return fmt == "geojson"
    return GEOJSON in request.headers.get("accept", "").lower()


def refuse(kind: str, plural: str) -> NotAcceptable:
    return NotAcceptable(f"{plural} have no geometry: GeoJSON is answered for countries "
                         "and routes", kind=kind, available=["application/json", GEOJSON])


def geo_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, media_type=GEOJSON, headers={"Vary": "Accept", **(headers or {})})


def country_feature(item: dict[str, Any]) -> dict[str, Any]:
    """A country (its summary or detail: `id`, `name`, `properties`) as a Point Feature."""
    props = item.get("properties") or {}
    lon, lat = props.get("longitude"), props.get("latitude")
    geometry = ({"type": "Point", "coordinates": [lon, lat]}
                if lon is not None and lat is not None else None)
    return {"type": "Feature", "id": item["id"], "geometry": geometry,
            "properties": {"kind": "Country", "id": item["id"], "name": item.get("name"),
                           "point_basis": props.get("point_basis"),
                           "href": f"/v1/countries/{item['id']}"}}


def route_feature(route: dict[str, Any]) -> dict[str, Any]:
    """A route from `graph.geo.route_places`: a LineString when its order is stated, a
    MultiPoint otherwise (none when no place has a point)."""
    places = route["places"]
    points = [p["point"] for p in places if p["point"] is not None]
    is_ordered = ordered(places)
    geometry: dict[str, Any] | None = None
    if is_ordered:
        geometry = {"type": "LineString", "coordinates": points}
    elif points:
        geometry = {"type": "MultiPoint", "coordinates": points}
    return {"type": "Feature", "id": route["id"], "geometry": geometry,
            "properties": {"kind": "Route", "id": route["id"], "name": route["name"],
                           "ordered": is_ordered, "order_note": None if is_ordered else UNORDERED,
                           "places": places, "href": f"/v1/routes/{route['id']}"}}


def collection(features: Iterable[dict[str, Any]], **members: Any) -> dict[str, Any]:
    """A FeatureCollection; paging members (`total`, `next` ...) ride as foreign members."""
    return {"type": "FeatureCollection", "features": list(features), **members}


def routes_features(backend: GraphBackend, ids: list[str]) -> list[dict[str, Any]]:
    """The routes of `ids` as Features, in the order of `ids` (one read)."""
    found = route_places(backend, ids)
    return [route_feature(found[i]) for i in ids if i in found]


def geo_entity(backend: GraphBackend, kind: str, plural: str, ident: str) -> JSONResponse:
    """One country or route (already resolved to `ident`) as a GeoJSON Feature."""
    if kind == "Country":
        found = country_points(backend, [ident])
        return geo_response(country_feature(found[0]))
    if kind == "Route":
        return geo_response(routes_features(backend, [ident])[0])
    raise refuse(kind, plural)


def geo_page(backend: GraphBackend, kind: str, plural: str, items: list[dict[str, Any]],
             paging: dict[str, Any], link: str | None) -> JSONResponse:
    """A page of countries or routes as a FeatureCollection, with the page's paging."""
    if kind == "Country":
        features = [country_feature(it) for it in items]
    elif kind == "Route":
        features = routes_features(backend, [it["id"] for it in items])
    else:
        raise refuse(kind, plural)
    members = {k: paging.get(k) for k in ("total", "limit", "offset", "next", "prev")}
    return geo_response(collection(features, **members), {"Link": link} if link else None)
