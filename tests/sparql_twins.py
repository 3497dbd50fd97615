"""Compare a SPARQL example's answer with its Cypher twin's (shared by tests and the benchmark).

A Cypher row with lists of maps (evidence, places) becomes one row per item, its
keys as `<column>_<key>` columns, as SPARQL returns them; unbound and null are
the same; rows are compared as multisets.
"""

from __future__ import annotations

import json
from typing import Any

NUMERIC = ("#integer", "#int", "#long", "#decimal", "#double", "#float")


def sparql_value(term: dict[str, str] | None) -> Any:
    if term is None:
        return None
    datatype = term.get("datatype", "")
    if datatype.endswith(("#integer", "#int", "#long")):
        return int(term["value"])
    if datatype.endswith(("#decimal", "#double", "#float")):
        return float(term["value"])
    if datatype.endswith("#boolean"):
        return term["value"] == "true"
    return term["value"]


def sparql_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    names = results["head"]["vars"]
    return [{v: sparql_value(b.get(v)) for v in names} for b in results["results"]["bindings"]]


def explode(row: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{}]
    for key, value in row.items():
        if isinstance(value, dict):  # an entity cell {kind, id, name}: key_kind, key_id, key_name
            value = [value]
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            items = value or [{}]
            out = [{**o, **{f"{key}_{k}": v for k, v in item.items()}} for o in out for item in items]
        else:
            out = [{**o, key: value} for o in out]
    return out


def multiset(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps({k: v for k, v in r.items() if v is not None}, sort_keys=True)
                  for r in rows)


def cypher_rows(records: list[dict[str, Any]], columns: list[str] | None) -> list[dict[str, Any]]:
    if columns:
        records = [{c: r[c] for c in columns} for r in records]
    return [x for r in records for x in explode(r)]
