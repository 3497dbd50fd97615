"""The schema, loaded from the single declaration in `ontology/schema.yaml`.

It is the allow-list for labels and relationship types: statements only ever
interpolate names that come from here, and always backticked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "ontology" / "schema.yaml"
PROPERTY_TYPES = {"string", "text", "int", "float", "date", "enum", "list[string]"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class PropertySpec:
    name: str
    type: str
    description: str = ""
    required: bool = False
    values: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None


@dataclass(frozen=True)
class NodeKind:
    name: str
    slug: str
    plural: str
    description: str
    properties: dict[str, PropertySpec]
    id_pattern: str | None = None

    @property
    def label(self) -> str:
        """The backticked label, safe to place in a statement."""
        return f"`{self.name}`"


@dataclass(frozen=True)
class RelType:
    name: str
    description: str
    source: tuple[str, ...]
    target: tuple[str, ...]
    properties: dict[str, PropertySpec]

    @property
    def label(self) -> str:
        """The backticked relationship type, safe to place in a statement."""
        return f"`{self.name}`"


@dataclass(frozen=True)
class Schema:
    nodes: dict[str, NodeKind]
    relationships: dict[str, RelType]
    common: dict[str, PropertySpec] = field(default_factory=dict)

    def node(self, name: str) -> NodeKind:
        """The node kind called `name`; KeyError when it is not in the allow-list."""
        return self.nodes[name]

    def rel(self, name: str) -> RelType:
        """The relationship type called `name`; KeyError when it is not in the allow-list."""
        return self.relationships[name]

    def kind_by_slug(self, slug: str) -> NodeKind | None:
        return next((k for k in self.nodes.values() if slug in (k.slug, k.plural)), None)

    def date_properties(self) -> set[str]:
        names = {p.name for k in self.nodes.values() for p in k.properties.values() if p.type == "date"}
        names |= {
            p.name for r in self.relationships.values() for p in r.properties.values()
            if p.type == "date"
        }
        return names


def _props(raw: dict[str, Any] | None, where: str) -> dict[str, PropertySpec]:
    out: dict[str, PropertySpec] = {}
    for name, spec in (raw or {}).items():
        if not _NAME.match(name):
            raise ValueError(f"{where}: bad property name {name!r}")
        unknown = set(spec) - {"type", "required", "values", "pattern", "description",
                               "minimum", "maximum"}
        if unknown:  # e.g. an unquoted comma in a flow mapping splits a description
            raise ValueError(f"{where}.{name}: unknown keys {sorted(unknown)}")
        if spec["type"] not in PROPERTY_TYPES:
            raise ValueError(f"{where}.{name}: unknown type {spec['type']!r}")
        if spec["type"] == "enum" and not spec.get("values"):
            raise ValueError(f"{where}.{name}: enum without values")
        if ({"minimum", "maximum"} & set(spec)) and spec["type"] not in {"int", "float"}:
            raise ValueError(f"{where}.{name}: minimum and maximum apply to int and float only")
        out[name] = PropertySpec(
            name=name,
            type=spec["type"],
            description=spec.get("description", ""),
            required=bool(spec.get("required", False)),
            values=tuple(spec.get("values", ())),
            pattern=spec.get("pattern"),
            minimum=spec.get("minimum"),
            maximum=spec.get("maximum"),
        )
    return out


def parse_schema(raw: dict[str, Any]) -> Schema:
    """Build a Schema from its YAML form, checking names and references."""
    common = _props(raw["common"]["properties"], "common")
    common_rel = _props(raw["common"].get("relationship_properties"), "common")
    nodes: dict[str, NodeKind] = {}
    for name, spec in raw["nodes"].items():
        if not _NAME.match(name):
            raise ValueError(f"bad node kind name {name!r}")
        nodes[name] = NodeKind(
            name=name,
            slug=spec["slug"],
            plural=spec["plural"],
            description=spec["description"],
            properties={**common, **_props(spec.get("properties"), name)},
            id_pattern=spec.get("id_pattern"),
        )
    rels: dict[str, RelType] = {}
    for name, spec in raw["relationships"].items():
        if not re.match(r"^[A-Z][A-Z_]*$", name):
            raise ValueError(f"bad relationship type name {name!r}")
        for end in (*spec["source"], *spec["target"]):
            if end not in nodes:
                raise ValueError(f"{name}: unknown node kind {end!r}")
        rels[name] = RelType(
            name=name,
            description=spec["description"],
            source=tuple(spec["source"]),
            target=tuple(spec["target"]),
            properties={**common_rel, **_props(spec.get("properties"), name)},
        )
    return Schema(nodes=nodes, relationships=rels, common=common)


@lru_cache(maxsize=1)
def get_schema() -> Schema:
    """The project's schema, parsed once."""
    return parse_schema(yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8")))
