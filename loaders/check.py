"""The check stage: each parsed file's items validated (pydantic), then references cross-checked.

`Checker` reads, parses and checks files one at a time and collects every
problem with its file, line and field; `locate=False` is the lean pass for valid
data (see `Checker`). `read_lean_file` is the lean pass over one file, for the
worker processes of loaders/pool.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.schema import SCHEMA_PATH, Schema, get_schema
from loaders.dating import check_dates
from loaders.facts import NO_LINES, Entity, Facts, Relationship
from loaders.files import Unreadable, read_regular
from loaders.models import models
from loaders.rules import check_rules
from loaders.yamlsource import LocatedDoc, YamlError, parse
from migkg.exc import Problem

TOP_KEYS = {"entities", "relationships"}
# Properties that hold references to other entities, with the kinds they may name.
REFERENCE_PROPERTIES = {
    ("Principle", "framework"): ("Agreement", "Policy"),
    ("SIGNED", "on_behalf_of"): ("Country", "Organisation"),
}
# The kind of an id declared with a kind the schema lacks: that problem is reported
# once, at the declaration, not again at every reference to the id.
UNKNOWN_KIND = "?"


def _field(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field_lines(doc: LocatedDoc, path: tuple[str | int, ...], item: dict[str, Any]) -> dict[str, int]:
    lines = {str(k): doc.line_of((*path, k)) for k in item}
    sources = item.get("sources")
    for j in range(len(sources) if isinstance(sources, list) else 0):
        lines[f"sources[{j}].doc"] = doc.line_of((*path, "sources", j, "doc"))
        lines[f"sources[{j}].quote"] = doc.line_of((*path, "sources", j, "quote"))
    return lines




class Retry(Exception):
    """A problem met by the lean pass: read again with a line for every value."""


class Checker:
    """Reads and checks files; `locate=False` is the lean pass for valid data.

    The lean pass keeps only each fact's own line and stops at the first problem
    (`Retry`); the located pass then finds every problem with its line and field.
    So valid data never pays for line bookkeeping, and the report is the same.
    """

    def __init__(self, schema: Schema, *, locate: bool = True) -> None:
        self.schema = schema
        self.locate = locate
        self.node_models, self.rel_models = models(schema)
        self.problems: list[Problem] = []
        self.facts = Facts()
        # Every id declared with a known kind, valid or not, so that one bad entity
        # does not cascade into "unknown reference" problems elsewhere.
        self.declared: list[tuple[str, str, str, int]] = []
        # Files whose facts are unknown: references into them cannot be checked.
        self.unread: list[str] = []
        self.digest = hashlib.sha256(SCHEMA_PATH.read_bytes())

    def problem(self, file: str, line: int, fld: str, msg: str) -> None:
        if not self.locate:
            raise Retry
        self.problems.append(Problem(file, line, fld, msg))

    def read_file(self, path: Path, name: str) -> None:
        """Read, parse and check one file; every failure becomes a problem, never an exception."""
        try:
            data = read_regular(path)
            digest_file(self.digest, path, data)
            self.read_doc(parse(data, locate=self.locate), name)
        except Retry:
            raise
        except Unreadable as err:
            self.unread.append(name)
            self.problem(name, 1, "", str(err))
        except YamlError as err:
            self.unread.append(name)
            self.problem(name, err.line, "", err.message)
        except Exception as err:  # noqa: BLE001 - a bug must still name the file, not crash
            self.unread.append(name)
            self.problem(name, 1, "", f"internal error while reading: {type(err).__name__}: {err}")

    def read_doc(self, doc: LocatedDoc, name: str) -> None:
        if doc.data is None:
            return
        if not isinstance(doc.data, dict):
            self.unread.append(name)
            self.problem(name, 1, "", "top level must be a mapping with entities/relationships")
            return
        for key in doc.data:
            if key not in TOP_KEYS:
                self.problem(name, doc.line_of((key,)), str(key), "unknown top-level key")
        for section, handler in (("entities", self.entity), ("relationships", self.relationship)):
            items = doc.data.get(section) or []
            if not isinstance(items, list):
                self.unread.append(name)  # its facts are unknown
                self.problem(name, doc.line_of((section,)), section, "must be a list")
                continue
            for i, item in enumerate(items):
                handler(name, doc, (section, i), item)

    def _validate(self, model: Any, item: dict[str, Any], name: str, doc: LocatedDoc,
                  path: tuple[str | int, ...], key: str
                  ) -> tuple[dict[str, Any], list[Any]] | None:
        """The item's fields as `model` checks them, without `key` (its kind or type), and
        its sources apart; None once its problems are recorded."""
        try:
            data = model.model_validate(item).model_dump(exclude_none=True)
        except ValidationError as err:
            for e in err.errors():
                loc = (*path, *e["loc"])
                self.problem(name, doc.line_of(loc), _field(loc), e["msg"])
            return None
        data.pop(key)
        return data, data.pop("sources")

    def entity(self, name: str, doc: LocatedDoc, path: tuple[str | int, ...], item: Any) -> None:
        line = doc.line_of(path)
        if not isinstance(item, dict):
            self.unread.append(name)  # the id it meant to declare is unknown
            self.problem(name, line, _field(path), "must be a mapping")
            return
        kind = item.get("kind")
        if not isinstance(kind, str) or kind not in self.node_models:
            self.problem(name, doc.line_of((*path, "kind")), _field((*path, "kind")),
                         f"unknown kind {kind!r}; expected one of {sorted(self.node_models)}")
            if isinstance(item.get("id"), str):  # declared, of a kind we cannot check
                self.declared.append((item["id"], UNKNOWN_KIND, name, doc.line_of((*path, "id"))))
            return
        if isinstance(item.get("id"), str):
            self.declared.append((item["id"], kind, name, doc.line_of((*path, "id"))))
        checked = self._validate(self.node_models[kind], item, name, doc, path, "kind")
        if checked is None:
            return
        data, sources = checked
        self.facts.entities.append(Entity(kind, data.pop("id"), data, sources, name, line,
                                          _field_lines(doc, path, item) if self.locate else NO_LINES))

    def relationship(self, name: str, doc: LocatedDoc, path: tuple[str | int, ...],
                     item: Any) -> None:
        line = doc.line_of(path)
        if not isinstance(item, dict):
            self.problem(name, line, _field(path), "must be a mapping")
            return
        rtype = item.get("type")
        if not isinstance(rtype, str) or rtype not in self.rel_models:
            self.problem(name, doc.line_of((*path, "type")), _field((*path, "type")),
                         f"unknown relationship type {rtype!r}")
            return
        checked = self._validate(self.rel_models[rtype], item, name, doc, path, "type")
        if checked is None:
            return
        data, sources = checked
        self.facts.relationships.append(Relationship(
            rtype, data.pop("from_"), data.pop("to"), data, sources, name, line,
            _field_lines(doc, path, item) if self.locate else NO_LINES,
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

        # When a file could not be read, its ids are unknown: an "unknown reference"
        # would most likely be one of them, so say nothing rather than cascade.
        unknown_ok = bool(self.unread)

        def ref(file: str, line: int, fld: str, target: str, kinds: Iterable[str]) -> None:
            kinds = tuple(kinds)
            if target not in seen:
                if not unknown_ok:
                    self.problem(file, line, fld, f"unknown reference {target!r}")
            elif seen[target][0] not in (*kinds, UNKNOWN_KIND):
                self.problem(file, line, fld, f"{target!r} is a {seen[target][0]}; "
                             f"expected {' or '.join(kinds)}")

        items: list[Entity | Relationship] = [*self.facts.entities, *self.facts.relationships]
        for item in items:
            for j, s in enumerate(item.sources):
                if s["doc"] not in docs and not (unknown_ok and s["doc"] not in seen):
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
        check_rules(self.facts.entities, self.facts.relationships, self.problem)
        check_dates(self.facts.entities, self.problem)


def digest_file(digest: Any, path: Path, data: bytes) -> None:
    """Feed one data file into the facts digest: its name and its bytes."""
    digest.update(path.name.encode() + b"\0" + data + b"\0")


LeanResult = tuple[bytes, list[Entity], list[Relationship], list[tuple[str, str, str, int]]]


def read_lean_file(path: str) -> LeanResult | None:
    """One file's bytes, facts and declared ids by the lean pass; None on any problem
    (the located pass then reports it). Runs in loaders/pool.py's worker processes."""
    checker = Checker(get_schema(), locate=False)
    try:
        data = read_regular(Path(path))
        checker.read_doc(parse(data, locate=False), path)
    except Exception:  # noqa: BLE001 - Retry or any other: the located pass reports it
        return None
    return data, checker.facts.entities, checker.facts.relationships, checker.declared
