"""Pydantic input models, generated from the schema declaration."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from graph.schema import NodeKind, PropertySpec, RelType, Schema, get_schema

SLUG = r"^[a-z0-9][a-z0-9-]*$"
# ASCII digits only (`\d` would take Arabic-Indic ones) and nothing after the day:
# fullmatch, because `$` also matches before a trailing newline.
_ISO_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")

# Bounds that keep every value storable as it was written, with a clear message.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what both engines store as an integer
MAX_ID = 100  # characters in an id or a reference
MAX_STRING = 1_000  # a name, title, label, URL ...
MAX_TEXT = 10_000  # a summary or note
MAX_LIST = 200  # items in a list property (aliases)


def _iso_date(value: Any) -> str:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD (YAML may hand us a date or an int)."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date, not a date-time")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("expected an ISO-8601 date string")
    m = _ISO_DATE.fullmatch(value)
    if not m:
        raise ValueError(f"{value!r} is not an ISO-8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as err:
        raise ValueError(f"{value!r} is not a real date: {err}") from None
    return value


def date_precision(value: str) -> str:
    return {4: "year", 7: "month", 10: "day"}[len(value)]


IsoDate = Annotated[str, BeforeValidator(_iso_date)]


class Source(BaseModel):
    """A citation: the document id and a short verbatim quote."""

    model_config = ConfigDict(extra="forbid", strict=True)
    doc: str = Field(min_length=1, max_length=MAX_ID)
    quote: str = Field(min_length=3, max_length=200)


def _annotation(spec: PropertySpec) -> Any:
    base: Any
    if spec.type == "enum":
        base = Literal[spec.values]
    elif spec.type == "date":
        base = IsoDate
    elif spec.type == "int":
        low = INT_MIN if spec.minimum is None else max(INT_MIN, int(spec.minimum))
        high = INT_MAX if spec.maximum is None else min(INT_MAX, int(spec.maximum))
        base = Annotated[int, Field(strict=True, ge=low, le=high)]
    elif spec.type == "float":
        base = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=spec.minimum,
                                      le=spec.maximum)]
    elif spec.type == "list[string]":
        item = Annotated[str, Field(min_length=1, max_length=MAX_STRING, strict=True)]
        base = Annotated[list[item], Field(max_length=MAX_LIST)]
    else:
        longest = MAX_TEXT if spec.type == "text" else MAX_STRING
        base = Annotated[str, Field(min_length=1, max_length=longest, strict=True,
                                    pattern=spec.pattern)]
    return base


def _fields(props: dict[str, PropertySpec], skip: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in props.items():
        if name in skip:
            continue
        ann = _annotation(spec)
        out[name] = (ann, ...) if spec.required else (ann | None, None)
    return out


_STRICT = ConfigDict(extra="forbid", populate_by_name=True)


def entity_model(kind: NodeKind) -> type[BaseModel]:
    fields = _fields(kind.properties, {"id"})
    fields["kind"] = (Literal[kind.name], ...)
    fields["id"] = (Annotated[str, Field(strict=True, max_length=MAX_ID,
                                         pattern=kind.id_pattern or SLUG)], ...)
    fields["sources"] = (list[Source], Field(min_length=1, max_length=MAX_LIST))
    return create_model(f"{kind.name}In", __config__=_STRICT, **fields)


def relationship_model(rel: RelType) -> type[BaseModel]:
    fields = _fields(rel.properties, set())
    fields["type"] = (Literal[rel.name], ...)
    fields["from_"] = (Annotated[str, Field(strict=True, alias="from", min_length=1,
                                            max_length=MAX_ID)], ...)
    fields["to"] = (Annotated[str, Field(strict=True, min_length=1, max_length=MAX_ID)], ...)
    fields["sources"] = (list[Source], Field(min_length=1, max_length=MAX_LIST))
    return create_model(f"{rel.name}In", __config__=_STRICT, **fields)


Models = tuple[dict[str, type[BaseModel]], dict[str, type[BaseModel]]]
_cache: dict[int, tuple[Schema, Models]] = {}


def models(schema: Schema | None = None) -> Models:
    """Input models per node kind and per relationship type (built once per schema)."""
    schema = schema or get_schema()
    if id(schema) not in _cache:
        _cache[id(schema)] = (schema, _build(schema))
    return _cache[id(schema)][1]


def _build(schema: Schema) -> Models:
    return (
        {name: entity_model(kind) for name, kind in schema.nodes.items()},
        {name: relationship_model(rel) for name, rel in schema.relationships.items()},
    )
