"""The named query library: one `.cypher` file per query, with a YAML header in comments.

    // title: Agreements covering a country
    // description: ...
    // params:
    //   country: {type: entity, kind: Country, example: Serbia}
    //   limit: {type: int, default: 100}
    MATCH ...

Parameter types: string, int, float, bool, date, enum (with `values`), entity
(resolved by graph/resolve.py from an id, ISO code, name, alias or reference name,
optionally of one `kind` or a list of kinds) and search (folded by graph/names.py:
lower-case words without accents or punctuation, to match `names_folded` and
`name_tokens`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.backend import GraphBackend, Result
from graph.resolve import fold, resolve
from loaders.models import _iso_date
from migkg.exc import QueryRejected
from migkg.settings import Settings

QUERY_DIR = Path(__file__).resolve().parent
PARAM_TYPES = {"string", "int", "float", "bool", "date", "enum", "entity", "search"}
# Query-string names that page or format an answer (api/collections.py), not parameters.
CONTROLS = frozenset({"limit", "offset", "format", "as_of"})
JSON_TYPES = {"string": "string", "int": "integer", "float": "number", "bool": "boolean",
              "date": "string", "enum": "string", "entity": "string", "search": "string"}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str = ""
    default: Any = None
    required: bool = True
    example: Any = None
    kind: str | tuple[str, ...] | None = None
    values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": JSON_TYPES[self.type], "description": self.description}
        if self.values:
            schema["enum"] = list(self.values)
        if self.type == "date":
            schema["pattern"] = r"^\d{4}(-\d{2}(-\d{2})?)?$"
        for key in ("default", "example", "minimum", "maximum"):
            if getattr(self, key) is not None:
                schema[key] = getattr(self, key)
        if self.kind:
            schema["x-entity-kind"] = self.kind if isinstance(self.kind, str) else ",".join(self.kind)
        return schema

    def coerce(self, raw: Any, backend: GraphBackend) -> Any:
        """Turn a raw value (a string from a URL or the CLI, or JSON) into the query value."""
        try:
            value = self._convert(raw)
        except (TypeError, ValueError) as err:
            raise QueryRejected(f"parameter {self.name!r}: {err}") from None
        if self.type == "entity":
            return resolve(backend, str(value), self.kind)
        return value

    def _convert(self, raw: Any) -> Any:
        if self.type == "int":
            if isinstance(raw, bool) or not isinstance(raw, int | str) or (
                    isinstance(raw, str) and not raw.strip().lstrip("-").isdigit()):
                raise ValueError(f"expected an integer, got {raw!r}")
            value = int(raw)
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"must be at least {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"must be at most {self.maximum}")
            return value
        if self.type == "float":
            if isinstance(raw, bool):
                raise ValueError(f"expected a number, got {raw!r}")
            return float(raw)
        if self.type == "bool":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in {"true", "1", "yes"}:
                return True
            if str(raw).lower() in {"false", "0", "no"}:
                return False
            raise ValueError(f"expected true or false, got {raw!r}")
        if not isinstance(raw, str):
            raise ValueError(f"expected a string, got {raw!r}")
        if self.type == "date":
            return _iso_date(raw)
        if self.type == "enum" and raw not in self.values:
            raise ValueError(f"expected one of {', '.join(self.values)}, got {raw!r}")
        if self.type == "search":
            if not raw.strip():
                raise ValueError("must not be empty")
            return fold(raw)
        if not raw.strip():
            raise ValueError("must not be empty")
        return raw


# The parameter that cuts a named query's rows at the engine (see NamedQuery.capped).
ROW_LIMIT = "row_limit"
_OWN_LIMIT = re.compile(r"\bLIMIT\s+(\d+|\$\w+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    cypher: str
    params: dict[str, Param] = field(default_factory=dict)
    example: str = ""

    @property
    def capped(self) -> str:
        """The statement as sent: cut at the engine at `$row_limit` rows (the row cap and
        one more, to tell that it was cut), unless it ends with a LIMIT of its own."""
        if _OWN_LIMIT.search(self.cypher):
            return self.cypher
        return f"{self.cypher}\nLIMIT ${ROW_LIMIT}"

    def bind(self, raw: dict[str, Any], backend: GraphBackend) -> dict[str, Any]:
        """Check and convert parameters: unknown ones and missing required ones are refused."""
        unknown = sorted(set(raw) - set(self.params))
        if unknown:
            raise QueryRejected(
                f"query {self.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"it takes {', '.join(sorted(self.params)) or 'none'}", allowed=sorted(self.params)
            )
        bound: dict[str, Any] = {}
        for name, param in self.params.items():
            if name in raw and raw[name] is not None and raw[name] != "":
                bound[name] = param.coerce(raw[name], backend)
            elif param.required:
                raise QueryRejected(f"query {self.name!r} needs parameter {name!r} "
                                    f"({param.type}), e.g. {param.example!r}")
            else:
                bound[name] = param.default
        return bound

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "example": self.example,
            "parameters": {
                "type": "object",
                "properties": {n: p.json_schema() for n, p in self.params.items()},
                "required": [n for n, p in self.params.items() if p.required],
                "additionalProperties": False,
            },
            "cypher": self.cypher,
        }


def parse_query(name: str, text: str) -> NamedQuery:
    header: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        if not body and line.startswith("//"):
            header.append(line[2:].removeprefix(" "))
        elif body or line.strip():
            body.append(line)
    meta = yaml.safe_load("\n".join(header)) or {}
    for key in ("title", "description"):
        if not meta.get(key):
            raise ValueError(f"cypher/{name}.cypher: header lacks {key!r}")
    params: dict[str, Param] = {}
    for pname, spec in (meta.get("params") or {}).items():
        if pname in CONTROLS or pname == ROW_LIMIT:
            raise ValueError(f"cypher/{name}.cypher: parameter name {pname!r} is reserved "
                             f"for paging and formats ({', '.join(sorted(CONTROLS))})")
        if spec.get("type") not in PARAM_TYPES:
            raise ValueError(f"cypher/{name}.cypher: parameter {pname!r} has bad type")
        params[pname] = Param(
            name=pname, type=spec["type"], description=spec.get("description", ""),
            default=spec.get("default"), required="default" not in spec and not spec.get("optional"),
            example=spec.get("example"),
            kind=tuple(spec["kind"]) if isinstance(spec.get("kind"), list) else spec.get("kind"),
            values=tuple(spec.get("values", ())), minimum=spec.get("minimum"),
            maximum=spec.get("maximum"),
        )
    cypher = "\n".join(body).strip()
    for pname in params:
        if f"${pname}" not in cypher:
            raise ValueError(f"cypher/{name}.cypher: declared parameter ${pname} is unused")
    return NamedQuery(name, meta["title"], meta["description"].strip(), cypher, params,
                      meta.get("example", ""))


class Registry:
    def __init__(self, queries: dict[str, NamedQuery]) -> None:
        self.queries = queries

    def names(self) -> list[str]:
        return sorted(self.queries)

    def get(self, name: str) -> NamedQuery:
        from migkg.exc import NotFound

        if name not in self.queries:
            raise NotFound(f"no named query {name!r}; known: {', '.join(self.names())}")
        return self.queries[name]

    def run(self, backend: GraphBackend, name: str, raw: dict[str, Any],
            settings: Settings) -> Result:
        """Run a named query with checked parameters and the configured timeout."""
        return self.execute(backend, name, self.get(name).bind(raw, backend), settings)

    def execute(self, backend: GraphBackend, name: str, bound: dict[str, Any],
                settings: Settings) -> Result:
        """Run a named query with parameters already checked and resolved (ids, not names)."""
        return backend.read(self.get(name).capped, {**bound, ROW_LIMIT: settings.row_cap + 1},
                            timeout_ms=settings.query_timeout_ms, row_cap=settings.row_cap)


def load_registry(directory: Path = QUERY_DIR) -> Registry:
    return Registry({p.stem: parse_query(p.stem, p.read_text(encoding="utf-8"))
                     for p in sorted(directory.glob("*.cypher"))})


@lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The query library, loaded once at start."""
    return load_registry()
