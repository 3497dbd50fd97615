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

    @property
    def labels(self) -> dict[str, str]:
        """Each enum value's words for people (`to_be_signed` -> "To be signed")."""
        return {v: value_label(v) for v in self.values}


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

    @property
    def phrase(self) -> tuple[str, str]:
        """How the relationship reads from each end: (from the source, from the target)."""
        return REL_PHRASES.get(self.name) or (value_label(self.name), f"{value_label(self.name)} (incoming)")

    @property
    def title(self) -> str:
        """The type in words (`PARTY_TO` -> "Party to"): its reading from the source."""
        return self.phrase[0]


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

    def vocabulary(self) -> dict[str, Any]:
        """Words for every code the data stores: enum values (one label per value, the
        same in every property that has it) and relationship types (label, and how each
        reads from its source and from its target)."""
        values: dict[str, str] = {}
        props = [*self.common.values(), *(p for k in self.nodes.values() for p in k.properties.values()),
                 *(p for r in self.relationships.values() for p in r.properties.values())]
        for spec in props:
            values.update(spec.labels)
        rels = {r.name: {"label": r.title, "outgoing": r.phrase[0], "incoming": r.phrase[1]}
                for r in self.relationships.values()}
        return {"values": dict(sorted(values.items())), "relationships": rels}

    def date_properties(self) -> set[str]:
        names = {p.name for k in self.nodes.values() for p in k.properties.values() if p.type == "date"}
        names |= {
            p.name for r in self.relationships.values() for p in r.properties.values()
            if p.type == "date"
        }
        return names


# The words of a code where capitalising its first word is not enough (acronyms, terms).
VALUE_WORDS: dict[str, str] = {
    "eu_institution": "EU institution",
    "ngo": "NGO",
    "from_text": "Inferred from the text",
    "reference_geography": "Reference geography (not stated in the text)",
    "intending_adopter": "Intends to adopt",
    "agreement_size": "Size of an agreement",
}

# How a relationship reads from one end: (from its source, from its target). The explorer
# and the /id pages use this one wording.
REL_PHRASES: dict[str, tuple[str, str]] = {
    "PARTY_TO": ("Party to", "Parties"),
    "SIGNED": ("Signed", "Signed by"),
    "COVERS": ("Covers", "Covered by"),
    "ADDRESSES": ("Addresses", "Addressed by"),
    "PART_OF": ("Part of", "Has parts"),
    "ALIGNS_WITH": ("Aligns with", "Aligned with it"),
    "BUILDS_ON": ("Builds on", "Built on by"),
    "COMMITTED_IN": ("Committed in", "Commitments made in it"),
    "REFORMS": ("Reforms", "Reformed by"),
    "ANNOUNCED_AT": ("Announced at", "Announced here"),
    "MEMBER_OF": ("Member of", "Members"),
    "PASSES_THROUGH": ("Passes through", "Routes passing through"),
    "HOLDS_OFFICE": ("Holds office in", "Office holders"),
    "OFFICE_OF": ("Office of", "Offices"),
    "HELD_IN": ("Held in", "Events held here"),
    "LOCATED_IN": ("Located in", "Places within it"),
    "ATTENDED": ("Attended", "Attended by"),
    "ABOUT": ("About", "Figures about it"),
    "ADOPTED": ("Adopted", "Adopted by"),
    "COOPERATES_WITH": ("Cooperates with", "Cooperation from"),
    "PUBLISHED_BY": ("Published by", "Publishes"),
    "CALLED_FOR": ("Called for", "Called for by"),
    "IMPLEMENTS": ("Implements", "Implemented by"),
    "INVOLVES": ("Involves", "Named in"),
}


def value_label(code: str) -> str:
    """A stored code in words: `to_be_signed` -> "To be signed", `PARTY_TO` -> "Party to"."""
    if code in VALUE_WORDS:
        return VALUE_WORDS[code]
    words = code.replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:]


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
