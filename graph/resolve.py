"""Entity resolution and search: from what a user types to the entity they mean.

One ranking (graph/scoring.py) serves `/v1/entities/{ref}`, `/v1/{kind}/{ref}`, every
entity parameter of the named queries (API and `migkg query --param`), `/v1/search`,
batch matching (`/v1/match`) and reconciliation (`/reconcile`). Each tier is one
statement of indexed lookups, one branch per node kind:

0. an id as typed (`n.id = $raw`, through the id index of every engine), when what
   was typed looks like an id;
1. exact: the key (graph/names.py) of a name, alias, label, reference name or id
   (`$key IN n.names_folded`); then the same without "the" and a final "route" or
   "agreement", which must then name a route or an agreement; and office titles,
   which name the Position and, behind it, the people who hold it (graph/offices.py: "PM");
2. words: every word typed, by stem, is a word or acronym of one of the entity's
   names (`$word IN n.name_tokens`, anchored on the longest word): surnames
   ("Cooper"), acronyms ("EPC summit"), plurals ("small boat");
3. typos: the entities sharing a fuzzy marker with the longest words typed
   (`UNWIND $markers ... $m IN n.name_tokens`, at most `BRANCH_LIMIT` per kind),
   ranked by rapidfuzz;
4. prefixes (search and suggestions only): the last word typed starts a word.

A single clear winner resolves: an exact id, or a best score ahead of the next by
`MARGIN` (a typo also needs `FUZZY_RESOLVES`). Otherwise 409 lists the ranked
candidates, or 404 suggests names of any kind that really are close.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graph.backend import GraphBackend
from graph.names import PREFIX, fuzzy_markers, key, prefix_marker
from graph.offices import offices
from graph.schema import get_schema
from graph.scoring import (
    ID_AS_TYPED,
    ID_FOLDED,
    PREFERRED_KIND,
    Candidate,
    Query,
    office_candidate,
    rank,
    rank_rows,
)
from migkg.exc import Ambiguous, NotFound

fold = key  # the one folding used for names everywhere (kept under its old name)
__all__ = ["ID_FOLDED", "Candidate", "Query", "Ranked", "candidates", "decide", "fold", "resolve",
           "resolve_ref", "search", "search_all", "suggest"]

KindFilter = str | Sequence[str] | None

MARGIN = 10.0  # how far a winner must lead the next candidate
FUZZY_RESOLVES = 70.0  # the least score of a typo that may resolve on its own
# Rows per kind in the word, typo and prefix tiers: enough to rank, few enough that a
# word shared by thousands of entities stays cheap. The rows are the first the index
# gives, not the best: beyond this many per kind the ranking is of a sample.
BRANCH_LIMIT = 25
FUZZY_WHEN_FEWER = 5  # search adds typos when the other tiers found fewer candidates
SUGGEST_FLOOR = 60.0  # suggestions score at least this (before a kind preference)
MAX_CANDIDATES = 10
# What an id may look like (loaders/models.py: slugs, and the kinds' own patterns).
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_COLUMNS = ("n.id AS id, labels(n)[0] AS kind, n.name AS name, n.aliases AS aliases, "
            "n.label AS label, n.reference_names AS reference_names")


# -- statements ------------------------------------------------------------------------

def _kinds(kind: KindFilter) -> tuple[str, ...]:
    schema = get_schema()
    if kind is None:
        return tuple(schema.nodes)
    wanted = (kind,) if isinstance(kind, str) else tuple(kind)
    return tuple(k for k in schema.nodes if k in wanted)


@lru_cache(maxsize=256)
def _statement(kinds: tuple[str, ...], where: str, limit: int | None = None,
               unwind: str = "") -> str:
    """One indexed branch per kind; labels come from the schema's allow-list."""
    schema = get_schema()
    tail = f" LIMIT {int(limit)}" if limit else ""
    head = f"UNWIND {unwind} AS m " if unwind else ""
    ret = "RETURN DISTINCT" if unwind else "RETURN"
    return " UNION ALL ".join(
        f"{head}MATCH (n:{schema.node(k).label}) WHERE {where} {ret} {_COLUMNS}{tail}"
        for k in kinds)


EXACT = "$key IN n.names_folded"
WORDS = "$anchor IN n.name_tokens AND all(w IN $words WHERE w IN n.name_tokens)"
PREFIXED = ("$anchor IN n.name_tokens AND all(w IN $words WHERE w IN n.name_tokens) "
            "AND any(t IN n.name_tokens WHERE t STARTS WITH $fragment)")
FUZZY = "m IN n.name_tokens"


def _read(backend: GraphBackend, kinds: tuple[str, ...], where: str, params: dict[str, Any],
          limit: int | None = None, unwind: str = "") -> list[dict[str, Any]]:
    if not kinds:
        return []
    return backend.read(_statement(kinds, where, limit, unwind), params).records()


def _id_rows(backend: GraphBackend, q: Query, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    if not _looks_like_id(q.raw, kinds):
        return []
    return _read(backend, kinds, "n.id = $raw", {"raw": q.raw})


def _looks_like_id(raw: str, kinds: tuple[str, ...]) -> bool:
    schema = get_schema()
    return any(re.fullmatch(schema.node(k).id_pattern or _SLUG, raw) for k in kinds)


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


def _tier_words(backend: GraphBackend, q: Query, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = _word_rows(backend, q.stems, kinds)
    if q.kind and q.core_stems != q.stems:
        seen = {r["id"] for r in rows}
        narrowed = tuple(k for k in kinds if k == q.kind)
        rows += [r for r in _word_rows(backend, q.core_stems, narrowed) if r["id"] not in seen]
    return rows


def _fuzzy_rows(backend: GraphBackend, q: Query, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    longest = sorted({*q.words, *q.core_words}, key=len, reverse=True)[:2]
    markers = list(dict.fromkeys(m for w in longest for m in fuzzy_markers(w)))
    if not markers:
        return []
    return _read(backend, kinds, FUZZY, {"markers": markers}, BRANCH_LIMIT, "$markers")


def _prefix_rows(backend: GraphBackend, q: Query, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    fragment = q.stems[-1] if q.stems else ""
    if len(fragment) < PREFIX:
        return []
    params = {"anchor": prefix_marker(fragment), "words": list(q.stems[:-1]), "fragment": fragment}
    return _read(backend, kinds, PREFIXED, params, BRANCH_LIMIT)


# -- tiers -----------------------------------------------------------------------------

@dataclass
class _Lookup:
    """One lookup: what was typed, where to look, and the kinds preferred."""

    backend: GraphBackend
    q: Query
    kinds: tuple[str, ...]
    prefer: tuple[str, ...] = ()

    def office_cands(self, fuzzy: bool = False) -> list[Candidate]:
        found = (office_candidate(self.q, o, fuzzy, self.prefer)
                 for o in offices(self.backend) if o.kind in self.kinds)
        return [c for c in found if c]

    def exact(self) -> list[Candidate]:
        rows = _id_rows(self.backend, self.q, self.kinds) + _exact_rows(self.backend, self.q, self.kinds)
        cands = rank_rows(self.q, rows, prefer=self.prefer)
        return rank(cands + [c for c in self.office_cands() if c.match == "office"])

    def words(self) -> list[Candidate]:
        cands = rank_rows(self.q, _tier_words(self.backend, self.q, self.kinds), prefer=self.prefer)
        return rank(cands + [c for c in self.office_cands() if c.match == "words"])

    def fuzzy(self, prefixes: bool = False) -> list[Candidate]:
        rows = _fuzzy_rows(self.backend, self.q, self.kinds)
        return rank(rank_rows(self.q, rows, prefixes, fuzzy=True, prefer=self.prefer)
                    + self.office_cands(fuzzy=True))

    def everything(self, fuzzy_when_fewer: int = FUZZY_WHEN_FEWER) -> list[Candidate]:
        """Every tier, prefixes included, ranked together (search, suggestions, matching)."""
        rows = (_id_rows(self.backend, self.q, self.kinds) + _exact_rows(self.backend, self.q, self.kinds)
                + _tier_words(self.backend, self.q, self.kinds)
                + _prefix_rows(self.backend, self.q, self.kinds))
        found = rank_rows(self.q, rows, prefixes=True, prefer=self.prefer) + self.office_cands()
        if len(found) < fuzzy_when_fewer:
            found += self.fuzzy(prefixes=True)
        return rank(found)


def _winner(cands: list[Candidate], floor: float = 0.0) -> Candidate | None:
    if not cands or cands[0].score < floor:
        return None
    best, lead = cands[0], cands[0].score - cands[1].score if len(cands) > 1 else MARGIN
    if dict(best.features).get("id") == ID_AS_TYPED or lead >= MARGIN:
        return best
    if lead > 0 and PREFERRED_KIND in dict(best.features) \
            and PREFERRED_KIND not in dict(cands[1].features):
        return best  # a kind asked for breaks a tie
    return None


# -- the public functions --------------------------------------------------------------

def resolve(backend: GraphBackend, ref: str, kind: KindFilter = None) -> str:
    """The id of the one entity `ref` names; Ambiguous (409) or NotFound (404) otherwise."""
    return resolve_ref(backend, ref, kind)["id"]


def resolve_ref(backend: GraphBackend, ref: str, kind: KindFilter = None) -> dict[str, str]:
    """Like `resolve`, returning the entity's id, kind and name."""
    q = Query.parse(ref)
    what = _what(kind)
    if not q.key:
        raise NotFound(f"no {what}entity is called {ref!r}", suggestions=[])
    look = _Lookup(backend, q, _kinds(kind))
    for tier in (look.exact, look.words):
        cands = tier()
        if cands:
            winner = _winner(cands)
            if winner:
                return winner.ref()
            raise Ambiguous(f"{ref!r} could name {len(cands)} {what}entities; use an id or a "
                            "fuller name", candidates=[c.ranked() for c in cands[:MAX_CANDIDATES]])
    winner = _winner(look.fuzzy(), FUZZY_RESOLVES)
    if winner:
        return winner.ref()
    raise NotFound(f"no {what}entity is called {ref!r}", suggestions=suggest(backend, ref, kind))


def _what(kind: KindFilter) -> str:
    if kind is None:
        return ""
    return f"{kind} " if isinstance(kind, str) else f"{' or '.join(kind)} "


def search(backend: GraphBackend, text: str, kind: KindFilter = None, limit: int = 20) -> list[Candidate]:
    """Entities matching `text`, best first: the ranking `resolve` uses, with prefixes
    ("western bal") and, when little else is found, typos ("serbai")."""
    return search_all(backend, text, kind)[:limit]


def search_all(backend: GraphBackend, text: str, kind: KindFilter = None) -> list[Candidate]:
    """Every candidate the search tiers find for `text`, best first, so that paging
    over them sees the same list (and `total`) on every page. Bounded by
    `BRANCH_LIMIT` rows per kind and tier."""
    q = Query.parse(text)
    if not q.key:
        return []
    return _Lookup(backend, q, _kinds(kind)).everything()


@dataclass(frozen=True)
class Ranked:
    """The answer to one query of a batch: ranked candidates and whether one matches."""

    candidates: list[Candidate]
    match: Candidate | None


def candidates(backend: GraphBackend, text: str, prefer: Sequence[str] = (),
               kind: KindFilter = None, limit: int = MAX_CANDIDATES) -> Ranked:
    """Ranked candidates for `text` across `kind` (all kinds when None), the kinds in
    `prefer` first among equals; `match` is the one candidate `resolve` would choose."""
    q = Query.parse(text)
    if not q.key:
        return Ranked([], None)
    found = _Lookup(backend, q, _kinds(kind), tuple(prefer)).everything(limit)
    return Ranked(found[:limit], decide(found))


def decide(found: list[Candidate]) -> Candidate | None:
    """The candidate a ranked list resolves to, as `resolve` decides: a clear winner
    (prefixes never win; a typo only from `FUZZY_RESOLVES`)."""
    best = _winner([c for c in found if c.match != "prefix"])
    if best is None or (best.match == "fuzzy" and best.score < FUZZY_RESOLVES):
        return None
    return best


def suggest(backend: GraphBackend, ref: str, kind: KindFilter = None, n: int = 5) -> list[dict[str, Any]]:
    """Names of any kind close to `ref`, for a helpful 404: ids, names, words, prefixes
    and typos, the kinds asked for first among equals. Each has its score and why."""
    q = Query.parse(ref)
    if not q.key:
        return []
    prefer = _kinds(kind) if kind is not None else ()
    look = _Lookup(backend, q, _kinds(None), prefer)
    found = [c for c in look.everything(fuzzy_when_fewer=n)
             if c.score - (5.0 if c.kind in prefer else 0.0) >= SUGGEST_FLOOR]
    return [{**c.ref(), "score": round(c.score, 1), "why": c.why} for c in found[:n]]
