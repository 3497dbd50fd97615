"""Name keys: how names, aliases and what a user types are compared.

- `key` folds a text to lower-case words without accents or punctuation:
  "Prévot" -> "prevot", "UK–Italy" -> "uk italy", "U.K." -> "uk", "Putin's" -> "putin",
  "Foreign, Commonwealth & Development Office" -> "foreign commonwealth and development office".
- `core` also drops "the" and, for a route or an agreement, the kind word its name
  ends with: "The Western Balkans route" -> "western balkans".
- `tokens` are a key's words without stop words; `acronym` the initials of a name
  of three words or more ("European Political Community" -> "epc"), and
  `run_acronyms` those of its runs of capitalised words ("European Political
  Community Summit, Copenhagen 2025" -> "epc", "epcs"), so "EPC summit" finds it.
- `stem` drops an English plural ("boats" -> "boat", "islands" -> "island"), so
  "small boat" finds the small boats route.
- `fuzzy_markers` are the first four letters of a word with one letter left out
  ("serb" -> "erb~", "srb~", "seb~", "ser~"): a word and a typo of it within one edit
  in those letters share one ("srbia" -> "srb~"), so typos are found through the
  same index as words (symmetric deletion, as SymSpell does), and ranked by rapidfuzz.

The loader stores two internal list properties per entity (see `name_properties`):
`names_folded`, the keys and cores of its name, aliases, reference names, label and
id, and `name_tokens`, the words, stems and acronyms of those names (not of the id)
with each word's three-letter prefix marked by a trailing `*` ("ser*"), so that a
word being typed can be looked up through the same index, and its fuzzy markers
(a trailing `~`). Both are indexed where the
engine indexes the items of a list (FalkorDB).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

# Combining marks left by NFKD: accents and other diacritics.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019\u02bc]s\b")
_DROPPED = re.compile(r"[.'\u2018\u2019\u02bc]")  # "U.K." -> "uk", "d'Ivoire" -> "divoire"
_SEPARATOR = re.compile(r"[\W_]+")

STOP_WORDS = frozenset({"the", "a", "an", "of", "and", "for", "on", "in", "to", "at", "by",
                        "with", "from"})
# A name of this kind may be written without the word it ends with.
KIND_WORDS = {"route": "Route", "agreement": "Agreement"}
PREFIX = 3  # letters of a word indexed as its prefix
PREFIX_MARK = "*"
FUZZY = 4  # letters of a word whose one-deletions are its fuzzy markers
FUZZY_MARK = "~"
# Abbreviations of office titles that users type ("PM"): words, not facts of the data.
OFFICE_ABBREVIATIONS = {"pm": "prime minister", "dpm": "deputy prime minister",
                        "fm": "foreign minister", "home sec": "home secretary",
                        "foreign sec": "foreign secretary"}
_RUN_BREAK = re.compile(r"[,;:()\[\]–—/]|\s-\s")
_RAW_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Properties whose values are names of the entity, in order of preference.
NAME_PROPERTIES = ("name", "aliases", "label", "reference_names")
# The internal lookup properties, and the engines whose range indexes answer
# `$x IN n.list` from the list's items (FalkorDB's do; Neo4j's hold a list as one
# value, so there the lookups scan the kind's nodes).
LIST_INDEXED = ("names_folded", "name_tokens")
LIST_INDEX_ENGINES = frozenset({"embedded"})


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """Lower-case words without accents, punctuation or extra spaces."""
    folded = text.lower() if text.isascii() else _COMBINING.sub(
        "", unicodedata.normalize("NFKD", text.casefold()))
    folded = _DROPPED.sub("", _POSSESSIVE.sub("", folded.replace("&", " and ")))
    return " ".join(_SEPARATOR.sub(" ", folded).split())


def core(folded: str, kind: str | None = None) -> str:
    """A key without "the" and, for a Route or Agreement, its final kind word."""
    words = [w for w in folded.split() if w != "the"]
    if kind and len(words) > 1 and KIND_WORDS.get(words[-1]) == kind:
        words.pop()
    return " ".join(words)


def query_core(folded: str) -> tuple[str, str | None]:
    """What a user typed without "the" and a final "route" or "agreement", with the
    kind that word asks for ("aegean route" -> ("aegean", "Route"))."""
    words = [w for w in folded.split() if w != "the"]
    if len(words) > 1 and words[-1] in KIND_WORDS:
        return " ".join(words[:-1]), KIND_WORDS[words[-1]]
    return " ".join(words), None


def tokens(folded: str) -> list[str]:
    """The words of a key that are not stop words, in order, without repeats."""
    return list(dict.fromkeys(w for w in folded.split() if w not in STOP_WORDS))


def acronym(folded: str) -> str | None:
    """Initials of a name of three words or more, numbers left out ("epc")."""
    words = [w for w in tokens(folded) if not w.isdigit()]
    return "".join(w[0] for w in words) if len(words) >= 3 else None


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word without an English plural ending ("boats" -> "boat", "countries" -> "country")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stems(words: Iterable[str]) -> list[str]:
    """The stems of words, in order, without repeats."""
    return list(dict.fromkeys(stem(w) for w in words))


def fuzzy_markers(word: str) -> list[str]:
    """The first `FUZZY` letters of a word with one left out, marked; none for short words."""
    if len(word) < FUZZY or word.isdigit():
        return []
    head = word[:FUZZY]
    return list(dict.fromkeys(head[:i] + head[i + 1:] + FUZZY_MARK for i in range(FUZZY)))


def run_acronyms(text: str) -> set[str]:
    """Initials of each run of three capitalised words or more in a name, and of the
    run's leading three words and more ("Organised Immigration Crime Taskforce" ->
    "oic", "oict"); stop words may sit inside a run and give no letter."""
    found: set[str] = set()
    for segment in _RUN_BREAK.split(text):
        run: list[str] = []
        for word in [*_RAW_WORD.findall(segment), "."]:
            folded = key(word)
            if word[:1].isupper() and not folded.isdigit():
                run.append(folded[:1])
            elif folded in STOP_WORDS and run:
                continue
            else:
                found.update("".join(run[:n]) for n in range(3, len(run) + 1))
                run = []
    return found


def prefix_marker(word: str) -> str:
    """The marker under which every word starting like `word` is indexed ("ser*")."""
    return word[:PREFIX] + PREFIX_MARK


def names_of(props: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(property, text) for every name of an entity: name, aliases, label, reference names."""
    for prop in NAME_PROPERTIES:
        value = props.get(prop)
        if isinstance(value, str):
            yield prop, value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    yield prop, item


def name_properties(ident: str, kind: str, props: Mapping[str, Any]) -> dict[str, list[str]]:
    """The internal lookup properties the loader writes on a node: `names_folded`, `name_tokens`."""
    folded: set[str] = set()
    words: set[str] = set()
    for _, text in names_of(props):
        k = key(text)
        folded.update((k, core(k, kind)))
        toks = tokens(k)
        words.update(toks)
        words.update(stems(toks))
        words.update(prefix_marker(w) for w in toks if len(w) >= PREFIX)
        for w in toks:
            words.update(fuzzy_markers(w))
        initials = acronym(k)
        if initials:
            words.add(initials)
        words.update(run_acronyms(text))
    folded.add(key(ident))
    folded.discard("")
    return {"names_folded": sorted(folded), "name_tokens": sorted(words)}
