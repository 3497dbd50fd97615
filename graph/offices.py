"""Office titles as names of the people who hold them ("Prime Minister" -> Keir Starmer).

The sources give offices as `HOLDS_OFFICE` relationships with a `title` and, where
known, `as_of`, `start_date` and `end_date`. Resolution reads them all once per graph
digest (they are few: one per person and office) and matches what was typed against
their titles in Python, with the office, its holder's country or organisation and the
date as the reason.
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
    """One person in one office, as a source names them."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    title: str
    of: str  # the country or organisation the office is of
    date: str | None  # as_of, else the start of the term
    title_key: str
    words: tuple[str, ...]  # stems of the title's words
    of_words: tuple[str, ...]  # stems of the words of what it is of

    def reason(self) -> str:
        when = f", as of {self.date}" if self.date else ""
        return f"holds the office of {self.title} ({self.of}{when})"


def _statement() -> str:
    schema = get_schema()
    person = schema.node("Person").label
    rel = schema.relationships["HOLDS_OFFICE"].label
    return (f"MATCH (p:{person})-[r:{rel}]->(o) RETURN p.id AS id, p.name AS name, "
            "p.aliases AS aliases, r.title AS title, r.as_of AS as_of, "
            "r.start_date AS start_date, o.name AS of ORDER BY id, title")


def offices(backend: GraphBackend) -> tuple[Office, ...]:
    """Every office holder of the graph, read once per digest of the loaded facts."""
    if not backend.exists():
        return ()
    meta = backend.read(READ_META, {"id": META_ID}).scalar()
    digest = str(meta.get("digest") or "") if isinstance(meta, dict) else ""
    found = _CACHE.get(digest) if digest else None
    if found is not None:
        return found
    rows = backend.read(_statement()).records()
    found = tuple(_office(r) for r in rows if isinstance(r.get("title"), str))
    if digest:
        with _LOCK:
            if len(_CACHE) >= _KEEP:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[digest] = found
    return found


def _office(r: dict[str, Any]) -> Office:
    title_key = key(str(r["title"]))
    of = str(r.get("of") or "")
    date = r.get("as_of") or r.get("start_date")
    aliases = tuple(a for a in r.get("aliases") or [] if isinstance(a, str))
    return Office(str(r["id"]), "Person", str(r.get("name") or r["id"]), aliases,
                  str(r["title"]), of, str(date) if date else None, title_key,
                  tuple(stems(tokens(title_key))), tuple(stems(tokens(key(of)))))


def expand(folded: str) -> str:
    """A typed key with office abbreviations spelt out ("pm" -> "prime minister")."""
    return OFFICE_ABBREVIATIONS.get(folded, folded)
