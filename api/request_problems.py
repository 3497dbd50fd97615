"""Refusals that FastAPI and Starlette make before our code runs, in our words.

A request that fails validation (a number out of range, a value outside a `Literal`
or a pattern, a missing parameter) and a path no route answers are worded here the
way `migkg.exc.InvalidValue` words ours: which parameter, what was wrong, and the
allowed values (`allowed`) or an example. A regex is never shown: an alternation
such as `^(ttl|nt)$` is a set of values and is listed; any other pattern is
described by the parameter's example from the OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from graph.schema import get_schema
from migkg.exc import shown

_ALTERNATION = re.compile(r"^\^?\(?((?:[\w.+-]+\|)*[\w.+-]+)\)?\$?$")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_WHERE = {"query": "query parameter", "path": "path segment", "header": "header",
          "cookie": "cookie", "body": "body"}


def _parameter_schema(app: Any, scope: Mapping[str, Any], where: str, name: str) -> dict[str, Any]:
    """The OpenAPI description of one parameter of the route that refused the request:
    its schema (the non-null branch of an optional one) and its examples."""
    route = scope.get("route")
    path = getattr(route, "path_format", None)
    if path is None:
        return {}
    operation = app.openapi().get("paths", {}).get(path, {}).get(scope["method"].lower(), {})
    for param in operation.get("parameters", []):
        if param.get("name") == name and param.get("in") == where:
            schema = dict(param.get("schema") or {})
            for branch in schema.pop("anyOf", []):
                if branch.get("type") != "null":
                    schema = {**branch, **schema}
            examples = schema.get("examples") or param.get("examples") or []
            if isinstance(examples, dict):
                examples = [e.get("value") for e in examples.values()]
            return {**schema, "examples": [e for e in examples if e is not None]}
    return {}


def _allowed(error: dict[str, Any], schema: dict[str, Any]) -> list[str] | None:
    """The set of values a refused value had to be in, when there is one."""
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    if error["type"] in {"literal_error", "enum"}:
        return _QUOTED.findall(str(error.get("ctx", {}).get("expected", ""))) or None
    if error["type"] == "string_pattern_mismatch":
        found = _ALTERNATION.match(str(error.get("ctx", {}).get("pattern", "")))
        return found.group(1).split("|") if found else None
    return None


def _what_was_wrong(error: dict[str, Any], name: str, value: Any, schema: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    text = shown(str(value)) if value is not None else ""
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        text = str(value)  # a number, as typed
    bounds = ""
    if "minimum" in schema and "maximum" in schema:
        bounds = f"; give a whole number from {schema['minimum']} to {schema['maximum']}"
    words = {
        "missing": f"{name}: missing; give a value",
        "int_parsing": f"{name}: {text} is not a whole number{bounds}",
        "int_from_float": f"{name}: {text} is not a whole number{bounds}",
        "float_parsing": f"{name}: {text} is not a number",
        "bool_parsing": f"{name}: {text} is not true or false",
        "greater_than_equal": f"{name}: {text} is less than {ctx.get('ge')}{bounds}",
        "greater_than": f"{name}: {text} is not more than {ctx.get('gt')}{bounds}",
        "less_than_equal": f"{name}: {text} is more than {ctx.get('le')}{bounds}",
        "less_than": f"{name}: {text} is not less than {ctx.get('lt')}{bounds}",
        "string_too_long": f"{name}: too long ({len(str(value or ''))} characters); "
                           f"at most {ctx.get('max_length')}",
        "string_too_short": f"{name}: too short; at least {ctx.get('min_length')} characters",
        "string_pattern_mismatch": f"{name}: {text} is not in the expected form",
        "string_type": f"{name}: expected text",
        "json_invalid": f"{name}: not valid JSON ({ctx.get('error', 'a syntax error')})",
        "model_attributes_type": f"{name}: expected a JSON object",
        "dict_type": f"{name}: expected a JSON object",
        "list_type": f"{name}: expected a list",
    }.get(kind)
    if words is None:  # pydantic's own words: plain English, never a pattern
        words = f"{name}: {error['msg'][:1].lower()}{error['msg'][1:]}"
    return words


def _one(app: Any, scope: Mapping[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    """One validation error in our words, with the members a client can act on."""
    loc = [str(part) for part in error.get("loc", ())]
    where = loc[0] if loc else "body"
    name = ".".join(loc[1:]) or where
    if error["type"] == "json_invalid":  # its loc is (body, character position)
        name = where
    value = error.get("input") if error["type"] != "missing" else None
    if isinstance(value, dict | list):
        value = None  # a whole body or object is not repeated back
    schema = _parameter_schema(app, scope, where, name) if len(loc) == 2 else {}
    out: dict[str, Any] = {"loc": loc, "parameter": name, "in": _WHERE.get(where, where),
                           "type": error["type"]}
    if value is not None:
        out["value"] = value
    allowed = _allowed(error, schema)
    if allowed is not None and error["type"] in {"literal_error", "enum",
                                                 "string_pattern_mismatch"}:
        out["allowed"] = allowed
        out["detail"] = f"{name}: {shown(str(value))} is not one of {', '.join(allowed)}"
        return out
    out["detail"] = _what_was_wrong(error, name, value, schema)
    examples = schema.get("examples") or []
    if examples and error["type"] not in {"greater_than_equal", "less_than_equal",
                                          "greater_than", "less_than", "string_too_long"}:
        out["example"] = examples[0]
        out["detail"] += f", e.g. {examples[0]}"
    return out


def validation_problem(app: Any, scope: Mapping[str, Any], errors: Sequence[Any]
                       ) -> tuple[str, str, str, dict[str, Any]]:
    """`(slug, title, detail, members)` of a refused request: the first error in our
    words and its members at the top (`parameter`, `value`, `allowed` or `example`),
    every error in `errors`. A value outside a set is `invalid-value`, as ours are."""
    worded = [_one(app, scope, dict(e)) for e in errors] or [
        {"loc": [], "parameter": "request", "in": "body", "type": "invalid",
         "detail": "invalid request"}]
    first = worded[0]
    members: dict[str, Any] = {k: first[k] for k in ("parameter", "value", "allowed", "example")
                               if k in first}
    members["errors"] = [{"msg": e["detail"], **{k: v for k, v in e.items() if k != "detail"}}
                         for e in worded]
    if "allowed" in first:
        return "invalid-value", "Invalid value", str(first["detail"]), members
    return "invalid-request", "Invalid request", str(first["detail"]), members


def no_route(app: Any, path: str) -> dict[str, Any]:
    """The detail and members of a 404 for a path no route answers. Under `/v1/` an
    unknown first segment is an unknown kind: the kinds are listed in `allowed`, and a
    kind's singular (`/v1/country/RS`) is pointed to its plural (`see`)."""
    parts = path.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "v1" or not parts[1]:
        return {"detail": f"nothing is at {path}; the endpoints are listed at /docs"}
    kinds = [k.plural for k in get_schema().nodes.values()]
    # The documented endpoints' first segments (the OpenAPI document is built once).
    known = {p.split("/")[2] for p in app.openapi().get("paths", {}) if p.startswith("/v1/")}
    segment = parts[1]
    if segment in known or segment in kinds:
        return {"detail": f"nothing is at {path}; the endpoints are listed at /docs"}
    out: dict[str, Any] = {"parameter": "kind", "value": segment, "allowed": kinds}
    for kind in get_schema().nodes.values():
        if segment.lower() in {kind.slug, kind.name.lower(), kind.plural}:  # Country, country
            out["see"] = "/" + "/".join(["v1", kind.plural, *parts[2:]])
            out["detail"] = f"no kind {segment!r}; did you mean {kind.plural}? ({out['see']})"
            return out
    out["detail"] = f"no kind {segment!r}; the kinds are {', '.join(kinds)}"
    return out
