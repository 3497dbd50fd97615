"""What changed between two releases, grouped by entity: one shape for the CLI, the API
and the explorer.

Each change says what it is about (the entity's kind, a property, a relationship with
its qualifiers, or an evidence item), its old and new values, the evidence behind it
(as the later release has it, or the earlier one for what was removed) and the ids of
the statements involved. A removed and an added statement of one slot
(loaders/statements.py) are one "changed" statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from loaders.releases import Release, Releases
from loaders.statements import Statement, slot

WHAT_ORDER = {"entity": 0, "property": 1, "relationship": 2, "evidence": 3}
CSV_COLUMNS = ["entity", "kind", "name", "change", "what", "property", "relationship", "target",
               "old", "new", "evidence", "statement"]


@dataclass
class _Index:
    """A snapshot's lookups: each entity's kind and name, each item's evidence."""

    kinds: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    evidence: dict[tuple[str, str | None], list[Statement]] = field(
        default_factory=lambda: defaultdict(list))


def _index(statements: Mapping[str, Statement]) -> _Index:
    out = _Index()
    for s in statements.values():
        if "doc" in s:
            out.evidence[(s["entity"], s["of"])].append(s)
        elif s.get("property") == "name":
            out.names[s["entity"]] = str(s["value"])
        elif "kind" in s:
            out.kinds[s["entity"]] = s["kind"]
    for items in out.evidence.values():
        items.sort(key=lambda s: s["position"])
    return out


def _quote(s: Mapping[str, Any]) -> dict[str, Any]:
    return {"doc": s["doc"], "quote": s["quote"], "start": s.get("start"), "end": s.get("end")}


def _key(s: Statement) -> str | None:
    """The relationship key a statement is about (its own, or its evidence's), else None."""
    if "relationship" in s:
        return "|".join(str(x) for x in slot(s)[1:])
    return s.get("of")


@dataclass
class ChangeSet:
    """The changes from `since` to `until`, one group per entity, in id order."""

    since: Release
    until: Release
    groups: list[dict[str, Any]]

    @property
    def statements(self) -> int:
        return sum(len(g["changes"]) for g in self.groups)


class Changes:
    """Changes between releases, with the lookups of the snapshots they need kept."""

    def __init__(self, releases: Releases) -> None:
        self.releases = releases
        self._indexes: dict[str, _Index] = {}

    def _index_of(self, version: str) -> _Index:
        found = self._indexes.get(version)
        if found is None:
            if len(self._indexes) >= 4:
                self._indexes.pop(next(iter(self._indexes)))
            found = self._indexes[version] = _index(self.releases.snapshot(version))
        return found

    def between(self, since: str, until: str | None = None) -> ChangeSet:
        """`since` and `until`: versions or dates (the latest release on or before it);
        `until` defaults to the latest release."""
        first = self.releases.get(since, "since")
        last = self.releases.get(until, "until") if until else self.releases.latest()
        assert last is not None  # `since` was found
        added, removed = self.releases.between(first.version, last.version)
        old, new = self._index_of(first.version), self._index_of(last.version)
        by_slot: dict[tuple[Any, ...], list[Statement | None]] = {}
        for s in removed.values():
            by_slot.setdefault(slot(s), [None, None])[0] = s
        for s in added.values():
            by_slot.setdefault(slot(s), [None, None])[1] = s
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for before, after in by_slot.values():
            about = after or before
            assert about is not None
            groups[about["entity"]].append(_change(before, after, old if after is None else new))
        out = []
        for ident in sorted(groups):
            changes = sorted(groups[ident], key=lambda c: (WHAT_ORDER[c["what"]],
                                                           str(c.get("property") or ""),
                                                           str(c.get("relationship") or "")))
            kind = new.kinds.get(ident) or old.kinds.get(ident)
            name = new.names.get(ident) or old.names.get(ident)
            _name_ends(changes, new, old)
            out.append({"entity": {"id": ident, "kind": kind, "name": name}, "changes": changes})
        return ChangeSet(first, last, out)


def _of(key: str) -> dict[str, Any]:
    """The relationship an evidence item belongs to, from its key (loaders/facts.py)."""
    rtype, source, target, *_ = [*key.split("|"), "", ""]
    return {"type": rtype, "source": {"id": source}, "target": {"id": target}, "key": key}


def _name_ends(changes: list[dict[str, Any]], *indexes: _Index) -> None:
    """Give each relationship's source and target their kind and name (from the first
    snapshot that has them)."""
    for c in changes:
        rel = c.get("relationship")
        for end in (rel["source"], rel["target"]) if rel else ():
            ident = end["id"]
            end["kind"] = next((i.kinds[ident] for i in indexes if ident in i.kinds), None)
            end["name"] = next((i.names[ident] for i in indexes if ident in i.names), None)


def _change(before: Statement | None, after: Statement | None, index: _Index) -> dict[str, Any]:
    s = after or before
    assert s is not None
    how = "changed" if before and after else "added" if after else "removed"
    ids = {"old": before["id"] if before else None, "new": after["id"] if after else None}
    if "relationship" in s:
        key = _key(s)
        return {"change": how, "what": "relationship", "property": None,
                "relationship": {"type": s["relationship"], "source": {"id": s["entity"]},
                                 "target": {"id": s["target"]}},
                "old": before["qualifiers"] if before else None,
                "new": after["qualifiers"] if after else None,
                "evidence": [_quote(e) for e in index.evidence.get((s["entity"], key), [])],
                "statement": ids}
    if "doc" in s:
        of = s["of"]
        return {"change": how, "what": "evidence", "property": None,
                "relationship": _of(of) if of else None,
                "old": _quote(before) if before else None, "new": _quote(after) if after else None,
                "evidence": [], "statement": ids}
    evidence = [_quote(e) for e in index.evidence.get((s["entity"], None), [])]
    if "property" in s:
        return {"change": how, "what": "property", "property": s["property"], "relationship": None,
                "old": before["value"] if before else None,
                "new": after["value"] if after else None, "evidence": evidence, "statement": ids}
    return {"change": how, "what": "entity", "property": None, "relationship": None,
            "old": before["kind"] if before else None, "new": after["kind"] if after else None,
            "evidence": evidence, "statement": ids}


def csv_rows(groups: list[dict[str, Any]]) -> list[list[Any]]:
    """One row per change (`CSV_COLUMNS`), for spreadsheets."""
    rows = []
    for g in groups:
        e = g["entity"]
        for c in g["changes"]:
            rel = c.get("relationship") or {}
            target = rel.get("target") or {}
            rows.append([e["id"], e["kind"], e["name"], c["change"], c["what"], c.get("property"),
                         rel.get("type") or rel.get("key"), target.get("id"), c["old"], c["new"],
                         c["evidence"], c["statement"]["new"] or c["statement"]["old"]])
    return rows


def entity_history(changes: Changes, ident: str) -> list[dict[str, Any]]:
    """Per release (oldest first), what it changed about entity `ident`: its own statements
    and the relationships that point at it. Replays only that entity's statements; the
    other ends are named from the latest release."""
    releases = changes.releases
    latest = releases.latest()
    names = [changes._index_of(latest.version)] if latest else []
    out: list[dict[str, Any]] = []
    state: dict[str, Statement] = {}
    for release in releases.index():
        added, removed = releases.delta(release.version)
        mine_removed = [s for s in removed if s["entity"] == ident or s.get("target") == ident]
        mine_added = [s for s in added if s["entity"] == ident or s.get("target") == ident]
        if not mine_added and not mine_removed:
            continue
        before = _index(state)
        for s in mine_removed:
            state.pop(s["id"], None)
        for s in mine_added:
            state[s["id"]] = s
        after = _index(state)
        by_slot: dict[tuple[Any, ...], list[Statement | None]] = {}
        for s in mine_removed:
            by_slot.setdefault(slot(s), [None, None])[0] = s
        for s in mine_added:
            by_slot.setdefault(slot(s), [None, None])[1] = s
        found = [_change(b, a, before if a is None else after) for b, a in by_slot.values()]
        found.sort(key=lambda c: (WHAT_ORDER[c["what"]], str(c.get("property") or ""),
                                  str(c.get("relationship") or "")))
        _name_ends(found, after, before, *names)
        out.append({"release": {"version": release.version, "date": release.date},
                    "changes": found})
    return out
