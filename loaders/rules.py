"""Curation rules that span facts: inferred edges, positions and departments.

Run by the check stage once every file is read (`Checker.cross_check`), so a rule
may look at both ends of an edge. Each problem names the edge's file, line and the
field to change; docs/curation.md states the rules in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from loaders.facts import Entity, Relationship

ProblemSink = Callable[[str, int, str, str], None]
# The org_type of a government department: its minister acts, the department does not.
DEPARTMENT = "government_body"


def check_rules(entities: Iterable[Entity], relationships: Iterable[Relationship],
                problem: ProblemSink) -> None:
    """Report every breach of the rules below through `problem(file, line, field, message)`."""
    ents = {e.id: e for e in entities}
    rels = list(relationships)
    holders: dict[str, list[Entity]] = {}
    for r in rels:
        if r.type == "HOLDS_OFFICE" and r.source in ents:
            holders.setdefault(r.target, []).append(ents[r.source])
    for r in rels:
        _inferred(r, problem)
        _ambiguous(r, problem)
        source = ents.get(r.source)
        if source is None:
            continue
        if r.type == "ATTENDED" and source.kind == "Organisation" \
                and source.props.get("org_type") == DEPARTMENT:
            problem(r.file, r.line_of("from"), "from",
                    f"{r.source!r} is a government department: a department does not attend "
                    "an event; link the person the text names, or the Position (an office "
                    "such as the Foreign Secretary) where it names none")
        if source.kind == "Position" and r.type != "OFFICE_OF":
            for person in holders.get(r.source, []):
                named = _named(person, (s["quote"] for s in r.sources))
                if named:
                    problem(r.file, r.line_of("from"), "from",
                            f"the quote names the holder of {r.source!r} ({named!r}): link "
                            f"the person {person.id!r}; a Position stands only for a holder "
                            "the text does not name")


def _inferred(r: Relationship, problem: ProblemSink) -> None:
    inferred, basis = r.props.get("inferred"), r.props.get("basis")
    if inferred and not basis:
        problem(r.file, r.line_of("inferred"), "basis",
                f"an inferred edge (inferred: {inferred}) needs basis: the words it rests on "
                "and the reasoning from them")
    if basis and not inferred:
        problem(r.file, r.line_of("basis"), "inferred",
                "basis is for an inferred edge: add inferred (from_text or reference_geography)")
    if inferred == "from_text" and r.props.get("confidence") != "low":
        problem(r.file, r.line_of("inferred"), "confidence",
                "an edge inferred from the text has confidence: low")


def _ambiguous(r: Relationship, problem: ProblemSink) -> None:
    if r.props.get("ambiguity") and r.props.get("confidence") not in ("low", "medium"):
        problem(r.file, r.line_of("ambiguity"), "confidence",
                "an edge the texts leave open (ambiguity) is one reading: give it "
                "confidence: low or medium")


def _named(person: Entity, quotes: Iterable[str]) -> str:
    """The name of `person` that one of `quotes` contains (whole words), or ''."""
    names = [person.props.get("name", ""), *person.props.get("aliases", [])]
    words = str(names[0]).split()
    if len(words) > 1 and len(words[-1]) >= 4:
        names.append(words[-1])  # the surname alone ("Cooper said")
    for quote in quotes:
        for name in names:
            if name and re.search(rf"(?<!\w){re.escape(str(name))}(?!\w)", quote, re.IGNORECASE):
                return str(name)
    return ""
