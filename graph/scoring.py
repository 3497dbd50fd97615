"""How well an entity's names match what was typed: one score (0-100) with its reason.

Used by graph/resolve.py for every tier. Exact names score highest, then names
holding every word typed (compared by stem, acronyms counting for their words), then
names whose last word starts with what was typed, then typos, scored by rapidfuzz
(edit distance over the whole name, or word by word). Descriptive kinds (figures and
documents, whose "names" are sentences) lose `DESCRIPTIVE` points on anything short
of an exact name, so a route outranks a figure for the route's own words; a kind the
caller prefers gains `PREFERRED`, which breaks ties without overturning a clear match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from graph.names import acronym, core, key, names_of, query_core, run_acronyms, stems, tokens
from graph.offices import Office, expand

EXACT_SCORE = {"name": 95.0, "aliases": 94.0, "label": 94.0, "reference_names": 93.0}
ID_AS_TYPED, ID_FOLDED, CORE, OFFICE = 100.0, 92.0, 85.0, 90.0
SURNAME = ACRONYM = 80.0
WORDS_BASE, WORDS_SPAN = 50.0, 40.0  # + share of the name's words that were typed
PREFIX_BASE, PREFIX_SPAN = 30.0, 20.0
FUZZY_WEIGHT = 0.85  # a typo of a whole name: its rapidfuzz ratio times this
FUZZY_CUTOFF = 80.0  # rapidfuzz ratio below which two texts or words are not alike
OFFICE_FUZZY_CUTOFF = 88.0  # a title is short: a typo of one must be closer
HOLDER_BEHIND = 18.0  # a holder found by a title trails the Position by more than a winning margin
DESCRIPTIVE = {"Figure": 12.0, "Document": 8.0, "Position": 6.0}  # a Position's name holds its organisation's
PREFERRED = 5.0
PREFERRED_KIND = "kind asked for"  # the feature a preferred kind adds
EXACT_MATCHES = frozenset({"id", "name", "aliases", "label", "reference_names", "core", "office"})
_PROP_WORDS = {"name": "name", "aliases": "alias", "label": "label",
               "reference_names": "reference name"}


@dataclass(frozen=True)
class Query:
    """What was typed, folded every way the tiers need."""

    raw: str
    key: str
    core: str  # without "the" and a final kind word
    kind: str | None  # the kind that final word asks for
    words: tuple[str, ...]
    core_words: tuple[str, ...]
    stems: tuple[str, ...]
    core_stems: tuple[str, ...]
    office: str  # the key with office abbreviations spelt out ("pm" -> "prime minister")

    @classmethod
    def parse(cls, raw: str) -> Query:
        k = key(raw)
        c, kind = query_core(k)
        words, core_words = tuple(tokens(k)), tuple(tokens(c))
        return cls(raw.strip(), k, c, kind, words, core_words, tuple(stems(words)),
                   tuple(stems(core_words)), expand(k))


@dataclass(frozen=True)
class Candidate:
    id: str
    kind: str
    name: str
    score: float
    match: str  # id, name, aliases, label, reference_names, core, office, words, surname,
    # acronym, prefix, fuzzy
    why: str = ""
    aliases: tuple[str, ...] = ()
    features: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    def ref(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "name": self.name}

    def ranked(self) -> dict[str, Any]:
        return {**self.ref(), "match": self.match, "score": round(self.score, 1), "why": self.why}

    @property
    def exact(self) -> bool:
        return self.match in EXACT_MATCHES


@lru_cache(maxsize=65536)
def analysed(text: str, kind: str) -> tuple[str, str, tuple[str, ...], frozenset[str]]:
    """A name's key, core, stems and acronyms (names recur across lookups: computed once)."""
    k = key(text)
    found = set(run_acronyms(text))
    whole = acronym(k)
    if whole:
        found.add(whole)
    return k, core(k, kind), tuple(stems(tokens(k))), frozenset(found)


def score(q: Query, row: Mapping[str, Any], prefixes: bool = False, fuzzy: bool = False,
          prefer: Sequence[str] = ()) -> Candidate | None:
    """How well `row` (an entity's id, kind and names) matches what was typed; None if not at all."""
    kind, ident = str(row["kind"]), str(row["id"])
    best, how, why = 0.0, "", ""
    if ident == q.raw:
        best, how, why = ID_AS_TYPED, "id", f"the id of a {kind}"
    elif key(ident) == q.key:
        best, how, why = ID_FOLDED, "id", f"the id of a {kind}, ignoring case"
    for prop, text in names_of(row):
        s, m, w = _name_score(q, kind, prop, text, prefixes, fuzzy)
        if s > best:
            best, how, why = s, m, w
    if not best:
        return None
    return _candidate(row, best, how, why, prefer)


def _name_score(q: Query, kind: str, prop: str, text: str, prefixes: bool,
                fuzzy: bool) -> tuple[float, str, str]:
    k, c, words, acronyms = analysed(text, kind)
    said = f"{_PROP_WORDS.get(prop, prop)} {text!r}"
    if k == q.key:
        return EXACT_SCORE.get(prop, 93.0), prop, said
    if c == q.key or (q.core and c == q.core and q.kind in (None, kind)):
        return CORE, "core", f"{said} without {'its kind word' if c != k else 'the'}"
    s, m = _word_score(q, kind, words, acronyms)
    if s < ACRONYM and len(q.words) == 1 and q.words[0] in acronyms and len(words) >= 3:
        s, m = ACRONYM, "acronym"
    if s:
        return s, m, f"{'every word typed is in' if m == 'words' else m + ' of'} {said}"
    last = q.stems[-1] if q.stems else ""
    if prefixes and last and set(q.stems[:-1]) <= set(words) \
            and any(w.startswith(last) for w in words):
        return PREFIX_BASE + PREFIX_SPAN * len(q.words) / len(words), "prefix", f"starts {said}"
    if fuzzy:
        s = _fuzzy_score(q, kind, k, c, words)
        if s:
            return s, "fuzzy", f"close to {said} ({round(s / FUZZY_WEIGHT)}% alike)"
    return 0.0, "", ""


def _covers(typed: Sequence[str], words: Sequence[str], acronyms: frozenset[str]) -> float:
    """How many of the name's words the typed words cover (0 unless they all belong)."""
    if not typed or not words:
        return 0.0
    covered = 0
    for t in typed:
        if t in words:
            covered += 1
        elif t in acronyms:
            covered += len(t)
        else:
            return 0.0
    return min(covered, len(words)) / len(words)


def _word_score(q: Query, kind: str, words: Sequence[str],
                acronyms: frozenset[str]) -> tuple[float, str]:
    """Every typed word is a word of the name: more so the more of the name was typed."""
    typed = q.stems
    share = _covers(typed, words, acronyms)
    if not share and q.kind == kind:
        typed = q.core_stems  # "Aegean route": the kind word may be left out of the name
        share = _covers(typed, words, acronyms)
    if not share:
        return 0.0, ""
    s = WORDS_BASE + WORDS_SPAN * share
    if kind == "Person" and len(typed) < len(words) and tuple(words[-len(typed):]) == typed:
        return max(s, SURNAME), "surname"
    return s, "words"


def _fuzzy_score(q: Query, kind: str, k: str, c: str, words: Sequence[str]) -> float:
    """A typo of the whole name, or of each word typed (rapidfuzz ratios, 0-100)."""
    own = q.kind in (None, kind)  # "... route" drops its kind word for a route only
    whole = max(fuzz.ratio(q.key, k), fuzz.ratio(q.core, c) if own and q.core else 0.0)
    if whole >= FUZZY_CUTOFF:
        return FUZZY_WEIGHT * whole
    typed = (q.core_stems if own else ()) or q.stems
    if not typed or not words or len(typed) > len(words):
        return 0.0
    ratios = []
    for t in typed:
        r = max((fuzz.ratio(t, w) for w in words if len(t) >= 4 or t == w), default=0.0)
        if r < FUZZY_CUTOFF:
            return 0.0
        ratios.append(r)
    mean = sum(ratios) / len(ratios) / 100
    base = WORDS_BASE + WORDS_SPAN * len(typed) / len(words)
    if kind == "Person" and len(typed) < len(words) and fuzz.ratio(typed[-1], words[-1]) >= FUZZY_CUTOFF:
        base = max(base, SURNAME)  # a surname with a typo
    return base * mean


def office_score(q: Query, office: Office, fuzzy: bool = False) -> tuple[float, str]:
    """An office title typed for its holder: exactly, by all its words (a country or
    organisation may qualify it: "German Interior Minister"), or with a typo."""
    if q.office == office.title_key or q.key == office.title_key:
        return OFFICE, "office"
    typed = stems(tokens(q.office))
    title = [t for t in typed if t in office.words]
    enough = len(title) >= 2 or set(title) == set(office.words)
    if enough and all(t in office.words or _alike(t, office.of_words) for t in typed):
        return WORDS_BASE + WORDS_SPAN * len(title) / max(len(office.words), 1), "words"
    if fuzzy:
        whole = fuzz.ratio(q.office, office.title_key)
        if whole >= OFFICE_FUZZY_CUTOFF:
            return FUZZY_WEIGHT * whole, "fuzzy"
    return 0.0, ""


def _alike(word: str, words: Sequence[str]) -> bool:
    return any(word == w or (len(word) >= 4 and fuzz.ratio(word, w) >= 85) for w in words)


def office_candidate(q: Query, office: Office, fuzzy: bool = False,
                     prefer: Sequence[str] = ()) -> Candidate | None:
    s, m = office_score(q, office, fuzzy)
    if not s:
        return None
    if office.holder:
        s -= HOLDER_BEHIND  # a title names the Position; its holders follow it
    typed = f"{q.raw!r}: " if q.office != q.key else ""
    row = {"id": office.id, "kind": office.kind, "name": office.name, "aliases": list(office.aliases)}
    return _candidate(row, s, m, typed + office.reason(), prefer)


def _candidate(row: Mapping[str, Any], s: float, how: str, why: str,
               prefer: Sequence[str]) -> Candidate:
    kind = str(row["kind"])
    features: list[tuple[str, float]] = [(how, round(s, 1))]
    if how not in EXACT_MATCHES and kind in DESCRIPTIVE:
        s -= DESCRIPTIVE[kind]
        features.append((f"descriptive {kind.lower()} name", -DESCRIPTIVE[kind]))
    if kind in prefer:
        s += PREFERRED
        features.append((PREFERRED_KIND, PREFERRED))
    aliases = tuple(a for a in row.get("aliases") or [] if isinstance(a, str))
    return Candidate(str(row["id"]), kind, str(row.get("name") or row["id"]), s, how, why,
                     aliases, tuple(features))


def rank(cands: Iterable[Candidate]) -> list[Candidate]:
    """Candidates best first (then shorter names, then by name and id); one per entity."""
    by_id: dict[str, Candidate] = {}
    for c in cands:
        if c.id not in by_id or c.score > by_id[c.id].score:
            by_id[c.id] = c
    return sorted(by_id.values(), key=lambda c: (-c.score, len(c.name), c.name.casefold(), c.id))


def rank_rows(q: Query, rows: Iterable[Mapping[str, Any]], prefixes: bool = False,
              fuzzy: bool = False, prefer: Sequence[str] = ()) -> list[Candidate]:
    """Score every row and rank the candidates."""
    return rank(c for c in (score(q, r, prefixes, fuzzy, prefer) for r in rows) if c)
