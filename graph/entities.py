"""Entity reads shared by the API and the explorer: lists with filters, one entity in full."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from graph.backend import GraphBackend
from graph.resolve import fold
from graph.schema import NodeKind, Schema
from migkg.dates import today
from migkg.exc import InvalidValue, NotFound, check_date

# A status in the future tense ("planned" in a text of its day) whose date is past today:
# `status` keeps the source's tense, `status_now` says the date has passed.
PLANNED, DATE_PASSED = "planned", "date_passed"
INTERNAL = {"names_folded", "name_tokens", "evidence_docs", "evidence_quotes", "evidence_starts",
            "evidence_ends", "key"}


@dataclass(frozen=True)
class ListFilter:
    q: str | None = None
    status: str | None = None
    type: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "name"
    limit: int = 50
    offset: int = 0
    facets: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListPage:
    total: int
    items: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]


def passage(doc: str, start: int | None, end: int | None) -> str | None:
    """The API path of a quote's passage in its document's text (None when not anchored)."""
    if start is None or end is None:
        return None
    return f"/v1/documents/{quote(doc, safe='')}/text?start={start}&end={end}"


def with_passage(item: dict[str, Any]) -> dict[str, Any]:
    """An evidence item from a named query, with its passage link."""
    return {**item, "passage": passage(item["doc"], item.get("start"), item.get("end"))}


def evidence(props: dict[str, Any], link: str | None = None) -> list[dict[str, Any]]:
    """Each quote with its document, anchor (start, end) and passage link."""
    docs, quotes = props.get("evidence_docs") or [], props.get("evidence_quotes") or []
    starts, ends = props.get("evidence_starts") or [], props.get("evidence_ends") or []
    out = []
    for i, (d, q) in enumerate(zip(docs, quotes, strict=False)):
        start = starts[i] if i < len(starts) else None
        end = ends[i] if i < len(ends) else None
        out.append({"doc": d, "quote": q, "start": start, "end": end, "link": link,
                    "passage": passage(d, start, end)})
    return out


def public(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in INTERNAL and not k.startswith("_")}


def type_property(kind: NodeKind) -> str | None:
    return next((p for p in kind.properties if p.endswith("_type")), None)


def enum_properties(kind: NodeKind) -> list[str]:
    """The kind's enum properties: what can be faceted."""
    return [p.name for p in kind.properties.values() if p.type == "enum"]


def _check_value(kind: NodeKind, prop: str, param: str, value: str) -> None:
    spec = kind.properties[prop]
    allowed = [*spec.values, DATE_PASSED] if prop == "status" and dated_status(kind) else spec.values
    if spec.type == "enum" and value not in allowed:
        raise InvalidValue(param, value, list(allowed))


def dated_status(kind: NodeKind) -> bool:
    """Whether `kind` has a planned status that its date can overtake (events)."""
    spec = kind.properties.get("status")
    return spec is not None and PLANNED in spec.values and "date_latest" in kind.properties


# The status now, in Cypher: the source's status, or date_passed for a planned item whose
# latest possible day is before $today (an item with no latest day stays planned).
STATUS_NOW = (f"CASE WHEN n.status = '{PLANNED}' AND n.date_latest < $today "
              f"THEN '{DATE_PASSED}' ELSE n.status END")


def status_now(props: dict[str, Any], on: str | None = None) -> str | None:
    """`status_now` of an item's stored properties, as STATUS_NOW computes it."""
    status, latest = props.get("status"), props.get("date_latest")
    if status == PLANNED and isinstance(latest, str) and latest < (on or today()):
        return DATE_PASSED
    return status if isinstance(status, str) else None


def sort_keys(kind: NodeKind) -> list[str]:
    """What a list of `kind` sorts by: id, name and the kind's own properties."""
    return list(dict.fromkeys(["id", "name", *kind.properties]))


def _check_sort(kind: NodeKind, sort: str) -> None:
    keys = sort_keys(kind)
    if sort.removeprefix("-") not in keys:
        raise InvalidValue("sort", sort, keys, detail=(
            f"sort: {sort.removeprefix('-')!r} is not a property of {kind.plural}; sort by one of "
            f"{', '.join(keys)} (a `-` before it for descending)"))


def _check_facets(kind: NodeKind, facets: tuple[str, ...]) -> None:
    allowed = enum_properties(kind)
    for name in facets:
        if name not in allowed:
            raise InvalidValue("facets", name, allowed)


def list_entities(backend: GraphBackend, kind: NodeKind, f: ListFilter) -> ListPage:
    """One page of entities of `kind`, the total and the facet counts, in two queries:
    the total and every facet in one statement (one UNION ALL branch each), then the page."""
    _check_facets(kind, f.facets)
    _check_sort(kind, f.sort)
    # The text filter only when asked for: `$q IS NULL OR ...` is evaluated per node.
    conditions = ["true"]
    params: dict[str, Any] = {}
    if f.q:
        conditions = ["all(w IN split($q, ' ') WHERE w = '' "
                      "OR any(x IN n.names_folded WHERE x CONTAINS w))"]
        params["q"] = fold(f.q)
    if f.status is not None:
        _require(kind, "status", "status", f.status)
        _check_value(kind, "status", "status", f.status)
        conditions.append(f"{STATUS_NOW} = $status" if dated_status(kind) else "n.status = $status")
        params["status"] = f.status
    if f.type is not None:
        prop = type_property(kind)
        if prop is None:
            raise InvalidValue("type", f.type, [],
                               detail=f"type: {kind.plural} have no type to filter on")
        _check_value(kind, prop, "type", f.type)
        conditions.append(f"n.`{prop}` = $type")
        params["type"] = f.type
    if f.date_from is not None or f.date_to is not None:
        for param, value in (("date_from", f.date_from), ("date_to", f.date_to)):
            if value is not None:
                check_date(param, value)
                _require(kind, "date", param, value)
        # The range the text allows overlaps the window: its first day is not after the
        # window's end (a prefix: 2024-11 ends on its last day) and its last day is not
        # before the window's start; a side the text leaves open does not exclude.
        conditions.append(
            "(n.date_earliest IS NOT NULL OR n.date_latest IS NOT NULL) AND "
            "($to IS NULL OR n.date_earliest IS NULL OR n.date_earliest <= $to "
            "OR n.date_earliest STARTS WITH $to) AND "
            "($from IS NULL OR n.date_latest IS NULL OR n.date_latest >= $from)")
        params.update({"from": f.date_from, "to": f.date_to})
    if dated_status(kind):
        params["today"] = today()
    descending = f.sort.startswith("-")
    sort_key = f.sort.removeprefix("-")
    where = " AND ".join(conditions)
    match = f"MATCH (n:{kind.label}) WHERE {where}"
    counts = [f"{match} RETURN '' AS facet, null AS value, count(n) AS n"]
    counts += [f"{match} RETURN '{name}' AS facet, "
               f"{STATUS_NOW if name == 'status' and dated_status(kind) else f'n.`{name}`'} "
               "AS value, count(n) AS n"
               for name in f.facets]  # names from the schema's allow-list (checked above)
    total = 0
    facets: dict[str, list[dict[str, Any]]] = {name: [] for name in f.facets}
    for facet, value, n in backend.read(" UNION ALL ".join(counts), params).rows:
        if not facet:
            total = n
        elif value is not None:
            facets[facet].append({"value": str(value), "count": n})
    for values in facets.values():
        values.sort(key=lambda v: (-v["count"], v["value"]))
    order = f"n.`{sort_key}` {'DESC' if descending else 'ASC'}, n.id"
    rows = backend.read(
        f"{match} RETURN n AS n ORDER BY {order} SKIP $offset LIMIT $limit",
        {**params, "offset": f.offset, "limit": f.limit},
    ).rows
    return ListPage(int(total), [summary(kind.name, r[0]) for r in rows], facets)


def _require(kind: NodeKind, prop: str, param: str, value: str) -> None:
    """A filter on a property the kind lacks: no value is allowed (422, `allowed` empty)."""
    if prop not in kind.properties:
        raise InvalidValue(param, value, [],
                           detail=f"{param}: {kind.plural} have no {prop} to filter on")


def summary(kind: str, node: dict[str, Any]) -> dict[str, Any]:
    props = public(node)
    if "status" in props:
        props["status_now"] = status_now(props)
    return {
        "id": props.pop("id"), "name": props.pop("name", None), "kind": kind,
        "aliases": props.pop("aliases", []) or [], "summary": props.pop("summary", None),
        "properties": props,
    }


@lru_cache(maxsize=64)
def _union_by_id(labels: tuple[str, ...]) -> str:
    """One entity by id through each given kind's id index: a label-free `MATCH (n {id: $id})`
    scans every node (55 ms at 100k entities), one indexed branch per kind does not."""
    return " UNION ALL ".join(f"MATCH (n:{label}) WHERE n.id = $id RETURN n, labels(n)[0] AS kind"
                              for label in labels)


def kind_of(backend: GraphBackend, schema: Schema, ident: str) -> str | None:
    """The kind of the entity whose id is `ident`, if any (one indexed branch per kind)."""
    rows = backend.read(_union_by_id(tuple(k.label for k in schema.nodes.values())),
                        {"id": ident}).rows
    return str(rows[0][1]) if rows else None


def get_entity(backend: GraphBackend, schema: Schema, ident: str,
               kind: str | None = None) -> dict[str, Any]:
    """One entity with its relationships, evidence and the documents they cite (3 queries).

    `kind`, when the caller knows it (a kind's own route), reads the node through that
    kind's id index alone instead of one branch per kind."""
    labels = (schema.node(kind).label,) if kind else tuple(k.label for k in schema.nodes.values())
    rows = backend.read(_union_by_id(labels), {"id": ident}).rows
    if not rows:
        raise NotFound(f"no entity with id {ident!r}")
    node, kind = rows[0]
    links = backend.read(
        f"MATCH (n:{schema.node(kind).label} {{id: $id}})-[r]-(x) "
        "RETURN type(r) AS type, startNode(r).id = $id AS outgoing, properties(r) AS props, "
        "x.id AS id, x.name AS name, labels(x)[0] AS kind ORDER BY type, id, props.key",
        {"id": ident},
    ).rows
    out = summary(kind, node)
    out["evidence"] = evidence(node)
    out["relationships"] = [
        {"type": t, "direction": "out" if outgoing else "in", "key": props.get("key"),
         "other": {"id": oid, "name": oname, "kind": okind},
         "properties": public(props), "evidence": evidence(props, t)}
        for t, outgoing, props, oid, oname, okind in links
    ]
    cited = sorted({e["doc"] for e in out["evidence"]}
                   | {e["doc"] for link in out["relationships"] for e in link["evidence"]})
    docs = backend.read(
        "MATCH (d:`Document`) WHERE d.id IN $ids "
        "RETURN d.id AS id, d.title AS title, d.publisher AS publisher, d.date AS date, "
        "d.url AS url ORDER BY id", {"ids": cited},
    ).records()
    out["documents"] = {d["id"]: d for d in docs}
    out["slug"] = schema.node(kind).slug
    return out
