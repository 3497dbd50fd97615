"""Office titles as names of Positions and of the people who hold them.

A Position ("UK Prime Minister") is `OFFICE_OF` a country or organisation, and people
`HOLDS_OFFICE` it with a `title` as the text gives it and, where a text attests it,
`as_of`, `start_date` and `end_date`. A title typed ("Prime Minister", "PM") names the
Position first; its holders follow, each with the dates the texts give, a little
behind (graph/scoring.py), so that asking for a Person finds them. Resolution reads
all of it once per graph digest (there are few offices) and matches titles in Python.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from graph.backend import GraphBackend
from graph.meta import META_ID, READ_META
from graph.names import OFFICE_ABBREVIATIONS, key, stems, tokens
from graph.schema import get_schema

_CACHE: dict[str, tuple[Office, ...]] = {}
_LOCK = threading.Lock()
_KEEP = 8  # graphs (digests) whose offices are kept: the live one and a few releases


@dataclass(frozen=True)
class Office:
    """One title of one Position, for the Position itself or for one of its holders."""

    id: str
    kind: str  # Position, or Person for a holder
    name: str
    aliases: tuple[str, ...]
    title: str
    of: str  # the country or organisation the office is of
    date: str | None  # a holder's as_of, else the start of the term
    title_key: str
    words: tuple[str, ...]  # stems of the title's words
    of_words: tuple[str, ...]  # stems of the words of what it is of
    position: str = ""  # the Position's name
    holders: str = ""  # for a Position: who held it, with dates

    @property
    def holder(self) -> bool:
        return self.kind != "Position"

    def reason(self) -> str:
        of = f" ({self.of})" if self.of else ""
        if self.holder:
            when = f", as of {self.date}" if self.date else ""
            return f"holds the office of {self.position}{of}{when}"
        held = f"held by {self.holders}" if self.holders else "no holder named in the sources"
        return f"the office of {self.title}{of}; {held}"


def _statement() -> str:
    schema = get_schema()
    position, person = schema.node("Position").label, schema.node("Person").label
    holds, of = schema.relationships["HOLDS_OFFICE"].label, schema.relationships["OFFICE_OF"].label
    return (f"MATCH (p:{position}) OPTIONAL MATCH (p)-[:{of}]->(o) "
            f"OPTIONAL MATCH (h:{person})-[r:{holds}]->(p) "
            "RETURN p.id AS id, p.name AS name, p.aliases AS aliases, o.name AS of, "
            "h.id AS holder, h.name AS holder_name, h.aliases AS holder_aliases, "
            "r.title AS title, r.as_of AS as_of, r.start_date AS start_date, "
            "r.end_date AS end_date ORDER BY id, holder")


def offices(backend: GraphBackend) -> tuple[Office, ...]:
    """Every title of every Position and of its holders, read once per digest of the loaded facts."""
    if not backend.exists():
        return ()
    meta = backend.read(READ_META, {"id": META_ID}).scalar()
    digest = str(meta.get("digest") or "") if isinstance(meta, dict) else ""
    found = _CACHE.get(digest) if digest else None
    if found is not None:
        return found
    found = _build(backend.read(_statement()).records())
    if digest:
        with _LOCK:
            if len(_CACHE) >= _KEEP:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[digest] = found
    return found


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(a for a in value or [] if isinstance(a, str))


def _dates(r: dict[str, Any]) -> str:
    if r.get("as_of"):
        return f"as of {r['as_of']}"
    span = [f"from {r['start_date']}" if r.get("start_date") else "",
            f"to {r['end_date']}" if r.get("end_date") else ""]
    return " ".join(s for s in span if s)


def _build(rows: list[dict[str, Any]]) -> tuple[Office, ...]:
    by_position: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_position.setdefault(str(r["id"]), []).append(r)
    out: list[Office] = []
    for pid, group in by_position.items():
        first = group[0]
        name, aliases, of = str(first.get("name") or pid), _strings(first.get("aliases")), str(first.get("of") or "")
        held = [r for r in group if r.get("holder")]
        titles = dict.fromkeys([name, *aliases, *(str(r["title"]) for r in held if r.get("title"))])
        holders = ", ".join(f"{r.get('holder_name') or r['holder']}"
                            + (f" ({_dates(r)})" if _dates(r) else "") for r in held)
        for title in titles:
            tk = key(title)
            words, of_words = tuple(stems(tokens(tk))), tuple(stems(tokens(key(of))))
            out.append(Office(pid, "Position", name, aliases, title, of, None, tk, words,
                              of_words, name, holders))
            for r in held:
                date = r.get("as_of") or r.get("start_date")
                out.append(Office(str(r["holder"]), "Person", str(r.get("holder_name") or r["holder"]),
                                  _strings(r.get("holder_aliases")), title, of,
                                  str(date) if date else None, tk, words, of_words, name))
    return tuple(out)


def expand(folded: str) -> str:
    """A typed key with office abbreviations spelt out ("pm" -> "prime minister")."""
    return OFFICE_ABBREVIATIONS.get(folded, folded)
