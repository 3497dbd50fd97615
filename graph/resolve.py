"""Entity resolution and search: from what a user types to the entity they mean.

One ranking serves `/v1/entities/{ref}`, every entity parameter of the named
queries (API and `migkg query --param`) and `/v1/search`. Each tier is one
statement of indexed lookups, one branch per node kind:

0. an id as typed (`n.id = $raw`, through the id index of every engine), when what
   was typed looks like an id;
1. exact: the id as typed, or the key (graph/names.py) of a name, alias, label,
   reference name or id (`$key IN n.names_folded`); then the same without "the" and
   a final "route" or "agreement", which must then name a route or an agreement;
2. words: every word typed is a word of one of the entity's names
   (`$word IN n.name_tokens`, anchored on the longest word), which also finds
   acronyms ("EPC") and people by surname ("Cooper");
3. prefixes (search and suggestions only): the last word typed starts a word
   (`"ser*" IN n.name_tokens`).

A single clear winner resolves: an exact id, or a best score ahead of the next by
`MARGIN`. Otherwise 409 lists the ranked candidates, or 404 suggests only names
that really are close.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graph.backend import GraphBackend
from graph.names import (
    PREFIX,
    acronym,
    core,
    key,
    names_of,
    prefix_marker,
    query_core,
    tokens,
)
from graph.schema import get_schema
from migkg.exc import Ambiguous, NotFound

fold = key  # the one folding used for names everywhere (kept under its old name)

KindFilter = str | Sequence[str] | None

EXACT_SCORE = {"name": 95.0, "aliases": 94.0, "label": 94.0, "reference_names": 93.0}
ID_AS_TYPED, ID_FOLDED, CORE = 100.0, 92.0, 85.0
SURNAME = ACRONYM = 80.0
WORDS_BASE, WORDS_SPAN = 50.0, 40.0  # + share of the name's words that were typed
PREFIX_BASE, PREFIX_SPAN = 30.0, 20.0
MARGIN = 10.0  # how far a winner must lead the next candidate
# Rows per kind in the word and prefix tiers: enough to rank, few enough that a word
# shared by thousands of entities stays cheap. The rows are the first the index gives,
# not the best: sorting every match first costs a scan of them (70 ms for a word in
# 28k of 100k names), so beyond this many per kind the ranking is of a sample.
BRANCH_LIMIT = 25
SUGGEST_LIMIT = 8  # rows per kind and typed word for suggestions
SUGGEST_CUTOFF = 0.75  # similarity of typed words to a name's words
MAX_CANDIDATES = 10
# What an id may look like (loaders/models.py: slugs, and the kinds' own patterns).
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_COLUMNS = ("n.id AS id, labels(n)[0] AS kind, n.name AS name, n.aliases AS aliases, "
            "n.label AS label, n.reference_names AS reference_names")


@dataclass(frozen=True)
class Query:
    """What was typed, folded every way the tiers need."""

    raw: str
    key: str
    core: str  # without "the" and a final kind word
    kind: str | None  # the kind that final word asks for
    words: tuple[str, ...]
    core_words: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> Query:
        k = key(raw)
        c, kind = query_core(k)
        return cls(raw.strip(), k, c, kind, tuple(tokens(k)), tuple(tokens(c)))


@dataclass(frozen=True)
class Candidate:
    id: str
    kind: str
    name: str
    score: float
    match: str  # id, name, aliases, label, reference_names, core, words, surname, acronym, prefix
    aliases: tuple[str, ...] = ()

    def ref(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "name": self.name}

    def ranked(self) -> dict[str, Any]:
        return {**self.ref(), "match": self.match, "score": round(self.score, 1)}


# -- statements ------------------------------------------------------------------------

def _kinds(kind: KindFilter) -> tuple[str, ...]:
    schema = get_schema()
    if kind is None:
        return tuple(schema.nodes)
    wanted = (kind,) if isinstance(kind, str) else tuple(kind)
    return tuple(k for k in schema.nodes if k in wanted)


@lru_cache(maxsize=256)
def _statement(kinds: tuple[str, ...], where: str, limit: int | None = None) -> str:
    """One indexed branch per kind; labels come from the schema's allow-list."""
    schema = get_schema()
    tail = f" LIMIT {int(limit)}" if limit else ""
    return " UNION ALL ".join(f"MATCH (n:{schema.node(k).label}) WHERE {where} RETURN {_COLUMNS}{tail}"
                              for k in kinds)


EXACT = "$key IN n.names_folded"
WORDS = "$anchor IN n.name_tokens AND all(w IN $words WHERE w IN n.name_tokens)"
PREFIXED = ("$anchor IN n.name_tokens AND all(w IN $words WHERE w IN n.name_tokens) "
            "AND any(t IN n.name_tokens WHERE t STARTS WITH $fragment)")


def _read(backend: GraphBackend, kinds: tuple[str, ...], where: str, params: dict[str, Any],
          limit: int | None = None) -> list[dict[str, Any]]:
    if not kinds:
        return []
    return backend.read(_statement(kinds, where, limit), params).records()


def _exact_rows(backend: GraphBackend, q: Query, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = _read(backend, kinds, EXACT, {"key": q.key})
    if q.core and q.core != q.key:
        narrowed = tuple(k for k in kinds if q.kind in (None, k))
        seen = {r["id"] for r in rows}
        rows += [r for r in _read(backend, narrowed, EXACT, {"key": q.core}) if r["id"] not in seen]
    return rows


def _word_rows(backend: GraphBackend, words: Sequence[str], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    if not words:
        return []
    anchor = max(words, key=len)
    return _read(backend, kinds, WORDS, {"anchor": anchor, "words": list(words)}, BRANCH_LIMIT)


def _prefix_rows(backend: GraphBackend, q: Query, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    fragment = q.words[-1] if q.words else ""
    if len(fragment) < PREFIX:
        return []
    params = {"anchor": prefix_marker(fragment), "words": list(q.words[:-1]), "fragment": fragment}
    return _read(backend, kinds, PREFIXED, params, BRANCH_LIMIT)


# -- scoring ---------------------------------------------------------------------------

def score(q: Query, row: Mapping[str, Any], prefixes: bool = False) -> Candidate | None:
    """How well `row` (an entity's id, kind and names) matches what was typed; None if not at all."""
    kind, ident = str(row["kind"]), str(row["id"])
    best, how = 0.0, ""
    if ident == q.raw:
        best, how = ID_AS_TYPED, "id"
    elif key(ident) == q.key:
        best, how = ID_FOLDED, "id"
    last = q.words[-1] if q.words else ""
    for prop, text in names_of(row):
        k, c, words = _analysed(text, kind)
        s, m = 0.0, ""
        if k == q.key:
            s, m = EXACT_SCORE.get(prop, 93.0), prop
        elif c == q.key or (q.core and c == q.core and q.kind in (None, kind)):
            s, m = CORE, "core"
        else:
            s, m = _word_score(q, kind, words)
            if s < ACRONYM and len(q.words) == 1 and len(words) >= 3 and acronym(k) == q.words[0]:
                s, m = ACRONYM, "acronym"
            if not s and prefixes and last and set(q.words[:-1]) <= set(words) \
                    and any(w.startswith(last) for w in words):
                s, m = PREFIX_BASE + PREFIX_SPAN * len(q.words) / len(words), "prefix"
        if s > best:
            best, how = s, m
    if not best:
        return None
    aliases = tuple(a for a in row.get("aliases") or [] if isinstance(a, str))
    return Candidate(ident, kind, str(row.get("name") or ident), best, how, aliases)


@lru_cache(maxsize=65536)
def _analysed(text: str, kind: str) -> tuple[str, str, tuple[str, ...]]:
    """A name's key, core and words (names recur across lookups: computed once)."""
    k = key(text)
    return k, core(k, kind), tuple(tokens(k))


def _word_score(q: Query, kind: str, words: Sequence[str]) -> tuple[float, str]:
    """Every typed word is a word of the name: more so the more of the name was typed."""
    typed = q.words
    if q.kind == kind and not set(typed) <= set(words):
        typed = q.core_words  # "Aegean route": the kind word may be left out of the name
    if not typed or not words or not set(typed) <= set(words):
        return 0.0, ""
    s = WORDS_BASE + WORDS_SPAN * len(typed) / len(words)
    if kind == "Person" and len(typed) < len(words) and tuple(words[-len(typed):]) == typed:
        return max(s, SURNAME), "surname"
    return s, "words"


def rank(q: Query, rows: Iterable[Mapping[str, Any]], prefixes: bool = False) -> list[Candidate]:
    """Candidates best first (then shorter names, then by name and id); one per entity."""
    by_id: dict[str, Candidate] = {}
    for row in rows:
        c = score(q, row, prefixes)
        if c and (c.id not in by_id or c.score > by_id[c.id].score):
            by_id[c.id] = c
    return sorted(by_id.values(), key=lambda c: (-c.score, len(c.name), c.name.casefold(), c.id))


def _winner(cands: list[Candidate]) -> Candidate | None:
    if not cands:
        return None
    best = cands[0]
    if best.score == ID_AS_TYPED or len(cands) == 1 or best.score - cands[1].score >= MARGIN:
        return best
    return None


# -- the public functions --------------------------------------------------------------

def resolve(backend: GraphBackend, ref: str, kind: KindFilter = None) -> str:
    """The id of the one entity `ref` names; Ambiguous (409) or NotFound (404) otherwise."""
    return resolve_ref(backend, ref, kind)["id"]


def resolve_ref(backend: GraphBackend, ref: str, kind: KindFilter = None) -> dict[str, str]:
    """Like `resolve`, returning the entity's id, kind and name."""
    q = Query.parse(ref)
    kinds = _kinds(kind)
    what = _what(kind)
    if not q.key:
        raise NotFound(f"no {what}entity is called {ref!r}", suggestions=[])
    if _looks_like_id(q.raw, kinds):  # ids are unique across kinds (the loader checks)
        rows = _read(backend, kinds, "n.id = $raw", {"raw": q.raw})
        if rows:
            return {"id": rows[0]["id"], "kind": rows[0]["kind"], "name": rows[0]["name"]}
    for tier in (_exact_rows(backend, q, kinds), _tier_words(backend, q, kinds)):
        cands = rank(q, tier)
        if cands:
            winner = _winner(cands)
            if winner:
                return winner.ref()
            raise Ambiguous(f"{ref!r} could name {len(cands)} {what}entities; use an id or a "
                            "fuller name", candidates=[c.ranked() for c in cands[:MAX_CANDIDATES]])
    raise NotFound(f"no {what}entity is called {ref!r}", suggestions=suggest(backend, ref, kind))


def _looks_like_id(raw: str, kinds: tuple[str, ...]) -> bool:
    schema = get_schema()
    return any(re.fullmatch(schema.node(k).id_pattern or _SLUG, raw) for k in kinds)


def _tier_words(backend: GraphBackend, q: Query, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = _word_rows(backend, q.words, kinds)
    if q.kind and q.core_words != q.words:
        seen = {r["id"] for r in rows}
        narrowed = tuple(k for k in kinds if k == q.kind)
        rows += [r for r in _word_rows(backend, q.core_words, narrowed) if r["id"] not in seen]
    return rows


def _what(kind: KindFilter) -> str:
    if kind is None:
        return ""
    return f"{kind} " if isinstance(kind, str) else f"{' or '.join(kind)} "


def search(backend: GraphBackend, text: str, kind: KindFilter = None, limit: int = 20) -> list[Candidate]:
    """Entities matching `text`, best first: exact names, then all words, then the last
    word as a prefix ("western bal"). The ranking `resolve` uses."""
    q = Query.parse(text)
    if not q.key:
        return []
    kinds = _kinds(kind)
    rows = _exact_rows(backend, q, kinds) + _tier_words(backend, q, kinds)
    if len({r["id"] for r in rows}) < limit:
        rows += _prefix_rows(backend, q, kinds)
    return rank(q, rows, prefixes=True)[:limit]


def search_all(backend: GraphBackend, text: str, kind: KindFilter = None) -> list[Candidate]:
    """Every candidate the search tiers find for `text`, best first, prefixes included,
    so that paging over them sees the same list (and `total`) on every page. Bounded by
    `BRANCH_LIMIT` rows per kind and tier."""
    q = Query.parse(text)
    if not q.key:
        return []
    kinds = _kinds(kind)
    rows = _exact_rows(backend, q, kinds) + _tier_words(backend, q, kinds)
    return rank(q, rows + _prefix_rows(backend, q, kinds), prefixes=True)


def suggest(backend: GraphBackend, ref: str, kind: KindFilter = None, n: int = 5) -> list[dict[str, Any]]:
    """Names close to `ref` for a helpful 404: prefix matches, then similar words (typos).

    Words are compared after dropping "the" and a final "route" or "agreement", so
    "Aegaen route" is never close to the Western Balkans route merely for "route".
    """
    q = Query.parse(ref)
    typed = q.core_words or q.words
    longest = sorted((w for w in typed if len(w) >= PREFIX), key=len, reverse=True)
    anchors = list(dict.fromkeys(prefix_marker(w) for w in longest))[:2]
    if not anchors:
        return []
    kinds = _kinds(kind)
    rows: dict[str, dict[str, Any]] = {}
    for anchor in anchors:
        for r in _read(backend, kinds, "$anchor IN n.name_tokens", {"anchor": anchor}, SUGGEST_LIMIT):
            rows.setdefault(r["id"], r)
    scored: list[tuple[float, str, dict[str, Any]]] = []
    for r in rows.values():
        similarity = max((_similarity(typed, tokens(key(t))) for _, t in names_of(r)), default=0.0)
        if similarity >= SUGGEST_CUTOFF:
            scored.append((similarity, str(r["name"]), r))
    scored.sort(key=lambda s: (-s[0], len(s[1]), s[1]))
    return [{"id": r["id"], "kind": r["kind"], "name": r["name"]} for _, _, r in scored[:n]]


def _similarity(typed: Sequence[str], words: Sequence[str]) -> float:
    """Mean over typed words of the best match among a name's words that start with the
    same three letters, as the lookup did (1.0 = all present)."""
    if not typed or not words:
        return 0.0
    total = 0.0
    for t in typed:
        total += max((_ratio(t, w) for w in words if w[:PREFIX] == t[:PREFIX]), default=0.0)
    return total / len(typed)


@lru_cache(maxsize=65536)
def _ratio(typed: str, word: str) -> float:
    """difflib's similarity of two words, 0.0 below the cutoff (its cheap bounds first)."""
    m = difflib.SequenceMatcher(None, typed, word)
    if m.real_quick_ratio() < SUGGEST_CUTOFF or m.quick_ratio() < SUGGEST_CUTOFF:
        return 0.0
    ratio = m.ratio()
    return ratio if ratio >= SUGGEST_CUTOFF else 0.0
