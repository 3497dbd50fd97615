"""A reader's check of the curated relationships: does each quote name both ends?

`python -m loaders.review [--data DIR] [-o FILE] [--only-unmentioned]` writes a
Markdown report listing every relationship with its quotes, for a person to read,
and flags those whose quotes do not mention an endpoint. tests/test_mentions.py
runs the same check and fails on any flagged relationship that is not on its
commented allow-list.

An entity is mentioned by a quote (words compared after graph/names.py folding) when
the quote holds one of:
- its name, an alias, a reference name, its label, or its name without a final
  "route" / "agreement";
- for a person, the surname or the title of an office the data says they hold
  ("Home Secretary", or its initials: "PM"); for a country, its adjective ("German", from DEMONYMS);
- for a figure, its value as written ("100,000", "19%", "£75 million");
- a run of `SHARED_RUN` words from one of the entity's own quotes (the words the
  sources use to describe it, such as a principle's text), or all of a shorter one;
- for a document, anything: a quote from a document is about that document.

`changes_by_document` says, per source document, which facts it supports were added,
removed or changed since a release (`migkg review --changes [--since RELEASE]`): the
release's statements against the statements of the facts as they are now
(loaders/statements.py), a removed and an added statement of one slot being one change.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graph.names import core, key, names_of
from graph.schema import Schema
from loaders.facts import Entity, Facts, Relationship
from loaders.pipeline import read_facts
from loaders.releases import Release, Releases
from loaders.statements import Statement, facts_statements, slot
from migkg.exc import NotFound

# Adjectives the sources use for countries ("German Interior Minister").
DEMONYMS = {
    "AL": ("albanian",), "BE": ("belgian",), "DE": ("german",), "DK": ("danish",),
    "FR": ("french",), "GB": ("british",), "GR": ("greek",), "HU": ("hungarian",),
    "IT": ("italian",), "NL": ("dutch",), "RS": ("serbian",), "TR": ("turkish",),
    "UA": ("ukrainian",),
}
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                 8: "eight", 9: "nine", 10: "ten", 12: "twelve", 17: "seventeen"}
SHARED_RUN = 5  # words in a row shared with one of an entity's own quotes


@dataclass(frozen=True)
class Check:
    rel: Relationship
    source_mentioned: bool
    target_mentioned: bool

    @property
    def ok(self) -> bool:
        return self.source_mentioned and self.target_mentioned


def _padded(text: str) -> str:
    return f" {key(text)} "


def figure_forms(value: float, unit: str) -> set[str]:
    """How a figure's value may be written: 100000 -> "100,000", "100000"; 19 % -> "19%"."""
    forms: set[str] = set()
    if value == int(value):
        n = int(value)
        forms |= {f"{n:,}", str(n)}
        if n in _NUMBER_WORDS:
            forms.add(_NUMBER_WORDS[n])
        if n >= 1_000_000 and n % 1_000_000 == 0:
            forms.add(f"{n // 1_000_000} million")
    return {key(f) for f in forms}


class Mentions:
    """Mention terms for every entity of a set of facts."""

    def __init__(self, facts: Facts) -> None:
        self.entities = {e.id: e for e in facts.entities}
        self.terms: dict[str, set[str]] = defaultdict(set)
        self.quotes: dict[str, list[str]] = {}
        for e in facts.entities:
            self.terms[e.id] |= self._own_terms(e)
            self.quotes[e.id] = [key(s["quote"]) for s in e.sources]
        for r in facts.relationships:
            if r.type == "HOLDS_OFFICE" and r.props.get("title"):
                title = key(str(r.props["title"]))
                self.terms[r.source].add(title)
                if len(title.split()) > 1:
                    self.terms[r.source].add("".join(w[0] for w in title.split()))

    @staticmethod
    def _own_terms(e: Entity) -> set[str]:
        terms: set[str] = set()
        for _, text in names_of(e.props):
            k = key(text)
            terms |= {k, core(k, e.kind)}
        if e.kind == "Person":
            terms.add(key(str(e.props["name"])).split()[-1])
        if e.kind == "Country":
            terms.update(DEMONYMS.get(e.id, ()))
        if e.kind == "Figure":
            terms |= figure_forms(float(e.props["value"]), str(e.props.get("unit", "")))
        terms.discard("")
        return terms

    def mentioned(self, ident: str, quotes: Iterable[tuple[str, str]]) -> bool:
        """Whether any of the (doc, quote) pairs mentions the entity `ident`."""
        entity = self.entities[ident]
        for doc, quote in quotes:
            if entity.kind == "Document" and doc == ident:
                return True
            padded = f" {key(quote)} "
            if any(f" {t} " in padded for t in self.terms[ident]):
                return True
            if any(_shares_run(key(quote), own) for own in self.quotes[ident]):
                return True
        return False

    def check(self, rel: Relationship) -> Check:
        quotes = [(s["doc"], s["quote"]) for s in rel.sources]
        return Check(rel, self.mentioned(rel.source, quotes), self.mentioned(rel.target, quotes))


def _runs(folded: str) -> set[tuple[str, ...]]:
    words = folded.split()
    return {tuple(words[i:i + SHARED_RUN]) for i in range(len(words) - SHARED_RUN + 1)}


def _shares_run(a: str, b: str) -> bool:
    """Whether two folded quotes share `SHARED_RUN` words in a row (or one holds the other)."""
    if f" {a} " in f" {b} " or f" {b} " in f" {a} ":
        return True
    return bool(_runs(a) & _runs(b))


def check_all(facts: Facts) -> list[Check]:
    """The mention check for every relationship, in file order."""
    m = Mentions(facts)
    return [m.check(r) for r in facts.relationships]


def _label(facts_by_id: dict[str, Entity], ident: str) -> str:
    e = facts_by_id.get(ident)
    return f"{e.props.get('name', ident)} (`{ident}`, {e.kind})" if e else f"`{ident}`"


_PROPS_SKIPPED = {"note", "confidence"}


def render(facts: Facts, only_unmentioned: bool = False) -> str:
    """The review report as Markdown."""
    by_id = {e.id: e for e in facts.entities}
    checks = check_all(facts)
    flagged = [c for c in checks if not c.ok]
    lines = ["# Relationships and their quotes", "",
             f"{len(checks)} relationships; {len(flagged)} with a quote that does not name both "
             "ends (marked **check**). Read each quote: does it say exactly this?", ""]
    for rtype in sorted({c.rel.type for c in checks}):
        group = [c for c in checks if c.rel.type == rtype and (c.ok is False or not only_unmentioned)]
        if not group:
            continue
        lines += [f"## {rtype}", ""]
        for c in group:
            r = c.rel
            extra = ", ".join(f"{k}: {v}" for k, v in sorted(r.props.items()) if k not in _PROPS_SKIPPED)
            flag = "" if c.ok else " **check:** " + " and ".join(
                w for w, ok in (("from", c.source_mentioned), ("to", c.target_mentioned)) if not ok
            ) + " not named"
            lines.append(f"- {_label(by_id, r.source)} → {_label(by_id, r.target)}"
                         f"{f' ({extra})' if extra else ''} — {r.file}:{r.line}{flag}")
            for s in r.sources:
                lines.append(f"  - {s['doc']}: “{s['quote']}”")
            if r.props.get("note"):
                lines.append(f"  - note: {r.props['note']}")
        lines.append("")
    return "\n".join(lines)


# -- what changed since a release, per document ---------------------------------------------

def _rel_key(s: Statement) -> str:
    """The key of the relationship a relationship statement states (loaders/facts.py)."""
    return "|".join(str(x) for x in slot(s)[1:])


def _docs_by_owner(statements: Iterable[Statement]) -> dict[tuple[str, str | None], set[str]]:
    """The documents cited by each entity (owner, None) and relationship (owner, key)."""
    out: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for s in statements:
        if "doc" in s:
            out[(s["entity"], s["of"])].add(s["doc"])
    return out


def _describe(s: Statement, names: dict[str, str]) -> str:
    """What a statement is about, in a line: `Serbia (RS): name`, `GB -[PARTY_TO]-> RS`."""
    def who(ident: str) -> str:
        return f"{names.get(ident, ident)} (`{ident}`)"

    if "relationship" in s:
        return f"{who(s['entity'])} -[{s['relationship']}]-> {who(s['target'])}"
    if "doc" in s:
        of = f" of {s['of'].split('|')[0]} -> {s['of'].split('|')[2]}" if s["of"] else ""
        return f"evidence of {who(s['entity'])}{of}: “{s['quote']}”"
    if "property" in s:
        return f"{who(s['entity'])}: {s['property']}"
    return f"{who(s['entity'])}, a {s['kind']}"


def _value(s: Statement) -> str:
    if "doc" in s or "kind" in s:
        return ""
    value = s["value"] if "property" in s else s["qualifiers"]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def changes_by_document(facts: Facts, schema: Schema, releases: Releases,
                        since: str | None = None) -> tuple[Release, dict[str, list[dict[str, str]]]]:
    """Per document id, the facts it supports that were added, removed or changed since
    release `since` (a version or a date; default the latest release). Each change is
    `{"change", "about", "old", "new"}`; a change is listed under every document that
    supports it (now, or in the release for what was removed)."""
    release = releases.get(since, "since") if since else releases.latest()
    if release is None:
        raise NotFound("no release has been recorded yet (`migkg release --version V`), "
                       "so there is nothing to compare with")
    old = releases.snapshot(release.version)
    new = {s["id"]: s for s in facts_statements(facts, schema)}
    by_slot: dict[tuple[object, ...], list[Statement | None]] = {}
    for ident, s in old.items():
        if ident not in new:
            by_slot.setdefault(slot(s), [None, None])[0] = s
    for ident, s in new.items():
        if ident not in old:
            by_slot.setdefault(slot(s), [None, None])[1] = s
    docs_new, docs_old = _docs_by_owner(new.values()), _docs_by_owner(old.values())
    names = {s["entity"]: str(s["value"]) for s in (*old.values(), *new.values())
             if s.get("property") == "name"}
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for before, after in by_slot.values():
        about = after or before
        assert about is not None
        how = "changed" if before and after else "added" if after else "removed"
        if "doc" in about:
            docs = {about["doc"]} | ({before["doc"]} if before else set())
        else:
            owner = (about["entity"], _rel_key(about) if "relationship" in about else None)
            docs = docs_new.get(owner, set()) | (docs_old.get(owner, set()) if before else set())
        change = {"change": how, "about": _describe(about, names),
                  "old": _value(before) if before else "", "new": _value(after) if after else ""}
        for doc in docs:
            out[doc].append(change)
    for changes in out.values():
        changes.sort(key=lambda c: (c["change"], c["about"]))
    return release, dict(out)


def render_changes(release: Release, by_doc: dict[str, list[dict[str, str]]],
                   titles: dict[str, str]) -> str:
    """The per-document changes as Markdown, documents in id order."""
    lines = [f"# Changes since release {release.version} ({release.date}), per document", ""]
    if not by_doc:
        lines.append("No fact has changed since this release.")
    for doc in sorted(by_doc):
        changes = by_doc[doc]
        counts = ", ".join(f"{sum(1 for c in changes if c['change'] == how)} {how}"
                           for how in ("added", "removed", "changed"))
        lines += [f"## {titles.get(doc, doc)} (`{doc}`): {counts}", ""]
        for c in changes:
            values = (f": {c['old']} → {c['new']}" if c["change"] == "changed"
                      else f": {c['new'] or c['old']}" if c["new"] or c["old"] else "")
            lines.append(f"- {c['change']}: {c['about']}{values}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders.review",
                                     description="List every relationship with its quotes.")
    parser.add_argument("--data", type=Path, default=Path("data"), help="folder of YAML facts")
    parser.add_argument("-o", "--output", default="-", help="Markdown file (- for stdout)")
    parser.add_argument("--only-unmentioned", action="store_true",
                        help="only relationships whose quotes do not name both ends")
    args = parser.parse_args(argv)
    text = render(read_facts(args.data), args.only_unmentioned)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
