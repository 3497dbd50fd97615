"""Read and check the curated facts in `data/*.yaml`: all problems at once, or valid facts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.schema import SCHEMA_PATH, Schema, get_schema
from loaders.models import models
from loaders.yamlsource import LocatedDoc, YamlSyntaxError, parse
from migkg.exc import InvalidFacts, Problem

TOP_KEYS = {"entities", "relationships"}
# Properties that hold references to other entities, with the kinds they may name.
REFERENCE_PROPERTIES = {
    ("Principle", "framework"): ("Agreement", "Policy"),
    ("SIGNED", "on_behalf_of"): ("Country", "Organisation"),
}
# Relationship properties that tell two edges of one type between one pair apart.
DISCRIMINATORS = ("role", "title", "action")


def relationship_key(rtype: str, source: str, target: str, props: Mapping[str, Any]) -> str:
    """The `key` that tells two edges of one type between one pair apart."""
    extra = [str(props.get(k, "")) for k in DISCRIMINATORS]
    return "|".join([rtype, source, target, *extra])


class _Located:
    """Where a fact was declared: its file, its line and the line of each field."""

    line: int
    lines: dict[str, int]

    def line_of(self, fld: str) -> int:
        return self.lines.get(fld, self.line)


@dataclass(frozen=True)
class Entity(_Located):
    kind: str
    id: str
    props: dict[str, Any]
    sources: list[dict[str, str]]
    file: str
    line: int
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Relationship(_Located):
    type: str
    source: str
    target: str
    props: dict[str, Any]
    sources: list[dict[str, str]]
    file: str
    line: int
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        return relationship_key(self.type, self.source, self.target, self.props)


@dataclass
class Facts:
    entities: list[Entity] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    digest: str = ""

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        nodes: dict[str, int] = {}
        rels: dict[str, int] = {}
        for e in self.entities:
            nodes[e.kind] = nodes.get(e.kind, 0) + 1
        for r in self.relationships:
            rels[r.type] = rels.get(r.type, 0) + 1
        return nodes, rels


def _field(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field_lines(doc: LocatedDoc, path: tuple[str | int, ...], item: dict[str, Any]) -> dict[str, int]:
    lines = {str(k): doc.line_of((*path, k)) for k in item}
    for j, _ in enumerate(item.get("sources") or []):
        lines[f"sources[{j}].doc"] = doc.line_of((*path, "sources", j, "doc"))
    return lines


def data_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.glob("*.y*ml") if p.suffix in {".yaml", ".yml"})


class _Reader:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.node_models, self.rel_models = models(schema)
        self.problems: list[Problem] = []
        self.facts = Facts()
        # Every id declared with a known kind, valid or not, so that one bad entity
        # does not cascade into "unknown reference" problems elsewhere.
        self.declared: list[tuple[str, str, str, int]] = []

    def problem(self, file: str, line: int, fld: str, msg: str) -> None:
        self.problems.append(Problem(file, line, fld, msg))

    def read_file(self, path: Path, name: str) -> None:
        try:
            doc = parse(path.read_text(encoding="utf-8"))
        except YamlSyntaxError as err:
            self.problem(name, err.line, "", err.message)
            return
        except UnicodeDecodeError as err:
            self.problem(name, 1, "", f"not UTF-8: {err}")
            return
        if doc.data is None:
            return
        if not isinstance(doc.data, dict):
            self.problem(name, 1, "", "top level must be a mapping with entities/relationships")
            return
        for key in doc.data:
            if key not in TOP_KEYS:
                self.problem(name, doc.line_of((key,)), str(key), "unknown top-level key")
        for section, handler in (("entities", self.entity), ("relationships", self.relationship)):
            items = doc.data.get(section) or []
            if not isinstance(items, list):
                self.problem(name, doc.line_of((section,)), section, "must be a list")
                continue
            for i, item in enumerate(items):
                handler(name, doc, (section, i), item)

    def _validate(self, model: Any, item: dict[str, Any], name: str, doc: LocatedDoc,
                  path: tuple[str | int, ...]) -> Any:
        try:
            return model.model_validate(item)
        except ValidationError as err:
            for e in err.errors():
                loc = (*path, *e["loc"])
                self.problem(name, doc.line_of(loc), _field(loc), e["msg"])
            return None

    def entity(self, name: str, doc: LocatedDoc, path: tuple[str | int, ...], item: Any) -> None:
        line = doc.line_of(path)
        if not isinstance(item, dict):
            self.problem(name, line, _field(path), "must be a mapping")
            return
        kind = item.get("kind")
        if kind not in self.node_models:
            self.problem(name, doc.line_of((*path, "kind")), _field((*path, "kind")),
                         f"unknown kind {kind!r}; expected one of {sorted(self.node_models)}")
            return
        if isinstance(item.get("id"), str):
            self.declared.append((item["id"], kind, name, doc.line_of((*path, "id"))))
        model = self._validate(self.node_models[kind], item, name, doc, path)
        if model is None:
            return
        data = model.model_dump(exclude_none=True)
        data.pop("kind")
        sources = data.pop("sources")
        self.facts.entities.append(Entity(kind, data.pop("id"), data, sources, name, line,
                                          _field_lines(doc, path, item)))

    def relationship(self, name: str, doc: LocatedDoc, path: tuple[str | int, ...],
                     item: Any) -> None:
        line = doc.line_of(path)
        if not isinstance(item, dict):
            self.problem(name, line, _field(path), "must be a mapping")
            return
        rtype = item.get("type")
        if rtype not in self.rel_models:
            self.problem(name, doc.line_of((*path, "type")), _field((*path, "type")),
                         f"unknown relationship type {rtype!r}")
            return
        model = self._validate(self.rel_models[rtype], item, name, doc, path)
        if model is None:
            return
        data = model.model_dump(exclude_none=True)
        data.pop("type")
        sources = data.pop("sources")
        self.facts.relationships.append(Relationship(
            rtype, data.pop("from_"), data.pop("to"), data, sources, name, line,
            _field_lines(doc, path, item),
        ))

    def cross_check(self) -> None:
        seen: dict[str, tuple[str, str, int]] = {}
        for ident, kind, file, line in self.declared:
            if ident in seen:
                _, first_file, first_line = seen[ident]
                self.problem(file, line, "id", f"duplicate id {ident!r} "
                             f"(first declared at {first_file}:{first_line})")
            else:
                seen[ident] = (kind, file, line)
        docs = {i for i, (kind, _, _) in seen.items() if kind == "Document"}

        def ref(file: str, line: int, fld: str, target: str, kinds: Iterable[str]) -> None:
            kinds = tuple(kinds)
            if target not in seen:
                self.problem(file, line, fld, f"unknown reference {target!r}")
            elif seen[target][0] not in kinds:
                self.problem(file, line, fld, f"{target!r} is a {seen[target][0]}; "
                             f"expected {' or '.join(kinds)}")

        items: list[Entity | Relationship] = [*self.facts.entities, *self.facts.relationships]
        for item in items:
            for j, s in enumerate(item.sources):
                if s["doc"] not in docs:
                    self.problem(item.file, item.line_of(f"sources[{j}].doc"), f"sources[{j}].doc",
                                 f"unknown document {s['doc']!r}")
        for e in self.facts.entities:
            for (kind, prop), kinds in REFERENCE_PROPERTIES.items():
                if e.kind == kind and prop in e.props:
                    ref(e.file, e.line_of(prop), prop, e.props[prop], kinds)
        keys: dict[str, Relationship] = {}
        for r in self.facts.relationships:
            spec = self.schema.relationships[r.type]
            ref(r.file, r.line_of("from"), "from", r.source, spec.source)
            ref(r.file, r.line_of("to"), "to", r.target, spec.target)
            for (rtype, prop), kinds in REFERENCE_PROPERTIES.items():
                if r.type == rtype and prop in r.props:
                    ref(r.file, r.line_of(prop), prop, r.props[prop], kinds)
            if r.key in keys:
                first = keys[r.key]
                self.problem(r.file, r.line, "type", f"duplicate relationship {r.key!r} "
                             f"(first declared at {first.file}:{first.line})")
            keys[r.key] = r


def facts_digest(data_dir: Path) -> str:
    """A digest of the schema and every YAML file: it changes when the facts may have."""
    digest = hashlib.sha256(SCHEMA_PATH.read_bytes())
    for path in data_files(data_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_facts(data_dir: Path, schema: Schema | None = None) -> Facts:
    """Read every YAML file in `data_dir`; raise InvalidFacts listing every problem."""
    reader = _Reader(schema or get_schema())
    if not data_dir.is_dir():
        raise InvalidFacts([Problem(str(data_dir), 0, "", "not a directory")])
    files = data_files(data_dir)
    if not files:
        raise InvalidFacts([Problem(str(data_dir), 0, "", "no *.yaml files")])
    for path in files:
        reader.read_file(path, str(path))
    reader.cross_check()
    if reader.problems:
        raise InvalidFacts(reader.problems)
    reader.facts.digest = facts_digest(data_dir)
    return reader.facts
