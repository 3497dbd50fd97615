"""Cheap checks on untrusted statements and parameters, before any engine sees them.

An engine's parser can take exponential time on deeply nested input, and a
parameter can be arbitrarily large; neither is covered by the engine's query
timeout. These checks run in linear time on bounded input and reject what no
analyst needs: they bound the statement's size and nesting, and the parameters'
size, depth and list lengths.

Nesting is more than brackets. FalkorDB's parser backtracks: its time doubles
with each level of expression nesting, and a level is a bracket, a `CASE`, a
`NOT` or a unary sign alike (measured: 16 levels of any mix parse in 0.1 to
0.4 s, 20 levels in 1 to 4 s, and each further level doubles that; 24 NOTs in
a row ran to the deadline). Its cost also adds up over
sibling expressions (64 side-by-side expressions 14 levels deep take 3 s), so
besides the deepest level the checks bound the total weight of nesting: 2^d
for each level entered at depth d, what the parser spends on it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migkg.exc import QueryRejected

MAX_QUERY_CHARS = 20_000
MAX_NESTING = 16
MAX_CASE_NESTING = 8
MAX_PREFIX_RUN = 8
MAX_EXPRESSION_DEPTH = 16
# One chain MAX_EXPRESSION_DEPTH deep weighs 2^17 - 2: a statement may hold about one.
MAX_NESTING_WEIGHT = 2**17
MAX_PARAMS = 64
MAX_PARAM_DEPTH = 8
MAX_PARAM_ITEMS = 10_000
MAX_PARAM_CHARS = 256 * 1024
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Strings, backticked names and comments: brackets inside them do not nest.
_SKIP = re.compile(r"""'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|`[^`]*`?|//[^\n]*|/\*.*?(?:\*/|$)""",
                   re.S)
_OPEN, _CLOSE = "([{", ")]}"
# The deadline a console query gets beyond its engine timeout: a query the engine
# itself stops in time answers with the engine's own timeout error.
GRACE = 0.1
GRACE_FACTOR = 1.1


def deadline_seconds(timeout_ms: int) -> float:
    """The wall-clock limit after which an ad-hoc query is abandoned (and killed)."""
    return timeout_ms / 1000 * GRACE_FACTOR + GRACE


def bracket_depth(code: str) -> int:
    """The deepest nesting of brackets in `code`, whose strings and comments are blanked."""
    depth = deepest = 0
    for ch in code:
        if ch in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def nesting_depth(cypher: str) -> int:
    """The deepest nesting of brackets outside strings, names and comments."""
    return bracket_depth(_SKIP.sub(" ", cypher))


# Tokens of a statement whose strings, names and comments are blanked (`_blank`).
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\w*|\$?\w+|<>|<=|>=|=~|\S")
# Words and signs that end every prefix operator's reach: clauses and separators.
_SEPARATORS = frozenset({
    "AND", "OR", "XOR", ",", "|", ";", "WHEN", "THEN", "ELSE", "MATCH", "OPTIONAL", "WHERE",
    "WITH", "RETURN", "UNWIND", "ORDER", "BY", "SKIP", "LIMIT", "AS", "CALL", "YIELD", "UNION",
    "DISTINCT", "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "FOREACH", "ON", "USE",
    "ASC", "DESC", "ASCENDING", "DESCENDING"})
# Binary operators: they end a unary sign's reach, not NOT's (`NOT a = b` is `NOT (a = b)`).
_BINARY = frozenset({"=", "<>", "<", ">", "<=", ">=", "=~", "+", "-", "*", "/", "%", "IN",
                     "STARTS", "ENDS", "CONTAINS", "IS", ":"})
_MAX_EXPONENT = 62  # past it a weight is over any limit anyway


def _blank(match: re.Match[str]) -> str:
    # a string or a backticked name is an operand; a comment is nothing
    return " " if match.group().startswith("/") else " _ "


@dataclass
class Nesting:
    """How deeply a statement's expressions nest, and what that costs a backtracking parser."""

    depth: int = 0  # deepest level: brackets, CASE, NOT and unary signs together
    case: int = 0  # deepest CASE inside CASE
    prefix_run: int = 0  # longest run of prefix operators (NOT NOT …, - - …)
    weight: int = 0  # sum of 2^d over every level entered, d its depth


class _Frame:
    __slots__ = ("base", "kind", "nots", "signs")

    def __init__(self, kind: str, base: int) -> None:
        self.kind, self.base, self.nots, self.signs = kind, base, 0, 0

    def here(self) -> int:
        return self.base + self.nots + self.signs


def expression_nesting(cypher: str) -> Nesting:
    """Measure the nesting of `cypher`'s expressions in one pass over its tokens.

    A bracket or a CASE opens a level that lasts until it closes. A prefix operator
    adds a level that lasts until the end of its operand, taken generously: a
    NOT until the next separator (AND, OR, a comma, a clause) or the end of its
    bracket; a unary sign until the next binary operator too. Overcounting only
    refuses what no real query writes; undercounting would let the parser loose.
    """
    out = Nesting()
    frames = [_Frame("", 0)]
    cases = run = 0
    unary = True  # the next token starts an operand (so + and - are signs)
    prev = ""

    def enter(level: int) -> None:
        out.depth = max(out.depth, level)
        out.weight += 1 << min(level, _MAX_EXPONENT)

    for m in _TOKEN.finditer(_SKIP.sub(_blank, cypher)):
        tok = m.group()
        word = tok.upper()
        top = frames[-1]
        # a property, label or relationship type, whatever its name
        name = (tok[0].isalpha() or tok[0] == "_") and (
            prev == "." or (prev == ":" and top.kind != "{"))
        if name or tok.startswith("$"):
            run, unary = 0, False
        elif tok in _OPEN or word == "CASE":
            level = top.here() + 1
            enter(level)
            frames.append(_Frame(tok if tok in _OPEN else "CASE", level))
            if word == "CASE":
                cases += 1
                out.case = max(out.case, cases)
            run, unary = 0, True
        elif tok in _CLOSE:
            while len(frames) > 1:
                kind = frames.pop().kind
                if kind != "CASE":
                    break
                cases -= 1
            run, unary = 0, False
        elif word == "END":
            if top.kind == "CASE":
                frames.pop()
                cases -= 1
            run, unary = 0, False
        elif (word == "NOT" and prev.upper() != "IS") or (tok in "+-" and unary):
            if word == "NOT":
                top.nots += 1
            else:
                top.signs += 1
            run += 1
            out.prefix_run = max(out.prefix_run, run)
            enter(top.here())
            unary = True
        elif word in _SEPARATORS and not (word == "WITH" and prev.upper() in ("STARTS", "ENDS")):
            top.nots = top.signs = 0
            run, unary = 0, True
        elif word in _BINARY or tok in _BINARY or tok == "^" or word == "WITH":
            if tok != "^":
                top.signs = 0
            run, unary = 0, True
        else:  # an operand: a name, a number, a literal, NULL …
            run, unary = 0, word == "NOT"  # IS NOT NULL: NOT is no prefix here
        prev = tok
    return out


def check_statement(cypher: str) -> None:
    """Reject a statement that is too long, too deeply nested or holds control characters."""
    if not cypher.strip():
        raise QueryRejected("the statement is empty")
    if len(cypher) > MAX_QUERY_CHARS:
        raise QueryRejected(f"the statement has {len(cypher):,} characters; "
                            f"at most {MAX_QUERY_CHARS:,} are allowed")
    bad = CONTROL_CHARS.search(cypher)
    if bad:
        line = cypher.count("\n", 0, bad.start()) + 1
        raise QueryRejected(f"the statement holds a control character "
                            f"(U+{ord(bad.group()):04X}) on line {line}")
    depth = nesting_depth(cypher)
    if depth > MAX_NESTING:
        raise QueryRejected(f"the statement nests brackets {depth} deep; "
                            f"at most {MAX_NESTING} levels are allowed", limit="bracket-nesting")
    check_expressions(cypher)


def check_expressions(cypher: str) -> None:
    """Reject a statement whose expressions nest deeper, or weigh more, than the parser can
    take: CASE in CASE, chains of NOT or unary signs, and all levels together."""
    n = expression_nesting(cypher)
    if n.case > MAX_CASE_NESTING:
        raise QueryRejected(f"the statement nests CASE expressions {n.case} deep; "
                            f"at most {MAX_CASE_NESTING} levels are allowed", limit="case-nesting")
    if n.prefix_run > MAX_PREFIX_RUN:
        raise QueryRejected(f"the statement chains {n.prefix_run} prefix operators (NOT, unary - "
                            f"or +) in a row; at most {MAX_PREFIX_RUN} are allowed",
                            limit="prefix-run")
    if n.depth > MAX_EXPRESSION_DEPTH:
        raise QueryRejected(f"the statement nests expressions {n.depth} deep (each bracket, CASE, "
                            f"NOT and unary - or + is a level); at most {MAX_EXPRESSION_DEPTH} "
                            "levels are allowed", limit="expression-depth")
    if n.weight > MAX_NESTING_WEIGHT:
        raise QueryRejected(f"the statement holds too many deeply nested expressions: their "
                            f"nesting weighs {n.weight:,} (2^d for each level entered at depth d); "
                            f"at most {MAX_NESTING_WEIGHT:,} is allowed", limit="nesting-weight")


def check_params(params: Mapping[str, Any]) -> None:
    """Reject parameters that are too many, too large or too deep."""
    if len(params) > MAX_PARAMS:
        raise QueryRejected(f"{len(params)} parameters given; at most {MAX_PARAMS} are allowed")
    budget = _Budget()
    for name, value in params.items():
        if not isinstance(name, str) or not PARAM_NAME.match(name):
            raise QueryRejected(f"bad parameter name {str(name)[:70]!r}: use letters, digits "
                                "and _, starting with a letter or _")
        budget.walk(name, value, 1)


class _Budget:
    def __init__(self) -> None:
        self.items = 0
        self.chars = 0

    def walk(self, name: str, value: Any, depth: int) -> None:
        if depth > MAX_PARAM_DEPTH:
            raise QueryRejected(f"parameter ${name} nests more than {MAX_PARAM_DEPTH} levels")
        self.items += 1
        if self.items > MAX_PARAM_ITEMS:
            raise QueryRejected(f"the parameters hold more than {MAX_PARAM_ITEMS:,} values")
        if isinstance(value, str):
            self.chars += len(value)
            if self.chars > MAX_PARAM_CHARS:
                raise QueryRejected(f"the parameters hold more than {MAX_PARAM_CHARS:,} "
                                    "characters of text")
            if "\x00" in value:
                raise QueryRejected(f"parameter ${name} holds a NUL character")
        elif isinstance(value, list | tuple):
            for item in value:
                self.walk(name, item, depth + 1)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                self.chars += len(str(key))
                self.walk(name, item, depth + 1)
        elif not (value is None or isinstance(value, bool | int | float)):
            raise QueryRejected(f"parameter ${name} has an unsupported type "
                                f"{type(value).__name__}")
        if isinstance(value, float) and not math.isfinite(value):
            raise QueryRejected(f"parameter ${name} is not a finite number")
        if isinstance(value, int) and not isinstance(value, bool) and not (
                -(2**63) <= value < 2**63):
            raise QueryRejected(f"parameter ${name} is outside the 64-bit integer range")
