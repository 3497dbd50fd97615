"""What a map needs from the graph: the places each route passes through, with their
role, order and representative point (a Country's `longitude`/`latitude`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.backend import GraphBackend

_ROUTE_PLACES = """
MATCH (r:`Route`)
WHERE $ids IS NULL OR r.id IN $ids
OPTIONAL MATCH (r)-[p:`PASSES_THROUGH`]->(x)
RETURN r.id AS route, r.name AS name, x.id AS id, x.name AS place, labels(x)[0] AS kind,
       x.longitude AS lon, x.latitude AS lat, p.role AS role, p.order AS ord, p.note AS note
ORDER BY route, id
"""


def route_places(backend: GraphBackend, ids: Sequence[str] | None = None
                 ) -> dict[str, dict[str, Any]]:
    """Each route (all, or those of `ids`) with its places: origin first, then transit,
    then destination; within a role by `order` where the sources give one, else by id.
    One read. A place without a point (an organisation such as the EU) has none."""
    rows = backend.read(_ROUTE_PLACES, {"ids": list(ids) if ids is not None else None}).rows
    routes: dict[str, dict[str, Any]] = {}
    for route, name, ident, place, kind, lon, lat, role, order, note in rows:
        entry = routes.setdefault(route, {"id": route, "name": name, "places": []})
        if ident is None:
            continue
        point = [lon, lat] if lon is not None and lat is not None else None
        entry["places"].append({"id": ident, "name": place, "kind": kind, "role": role,
                                "order": order, "note": note, "point": point})
    for entry in routes.values():
        entry["places"].sort(key=_place_key)
    return routes


_ROLE = {"origin": 0, "transit": 1, "destination": 2}


def _place_key(place: dict[str, Any]) -> tuple[int, int, str]:
    order = place["order"]
    return (_ROLE.get(place["role"], 1), order if order is not None else 10_001, place["id"])


def ordered(places: Sequence[dict[str, Any]]) -> bool:
    """Whether the sources fix the order of the places that have a point: every one of
    them has an `order` (two or more of them). Roles alone (origin, transit, destination)
    do not order several transit countries among themselves."""
    located = [p for p in places if p["point"] is not None]
    return len(located) >= 2 and all(p["order"] is not None for p in located)


_COUNTRY_POINTS = """
MATCH (c:`Country`) WHERE c.id IN $ids
RETURN c.id AS id, c.name AS name, c.longitude AS lon, c.latitude AS lat,
       c.point_basis AS basis
ORDER BY id
"""


def country_points(backend: GraphBackend, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The countries of `ids` with their representative point and its basis (one read)."""
    return [{"id": i, "name": n, "properties": {"longitude": lon, "latitude": lat,
                                                "point_basis": basis}}
            for i, n, lon, lat, basis in backend.read(_COUNTRY_POINTS, {"ids": list(ids)}).rows]
