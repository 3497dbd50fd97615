"""Cheap checks on an untrusted SPARQL string before the engine parses it.

They run in linear time on bounded input. Besides size and nesting they refuse
two things the engine would otherwise do: SPARQL Update (the endpoint is
read-only, and the store is opened read-only anyway) and `SERVICE`, which would
make the server fetch arbitrary URLs.

Oxigraph's parser takes linear time however deep a query nests (measured: 256
nested groups, subqueries, OPTIONALs or function calls parse in milliseconds),
so nesting is bounded only against its recursion. What costs is evaluation:
a chain of assignments each using the one before (`BIND(CONCAT(?s0, ?s0) AS
?s1) BIND(CONCAT(?s1, ?s1) AS ?s2) …`) doubles a value at every step (24 steps:
1.5 s and 160 MB from a 10-character string, 26: 8 s), and inline `VALUES`
data is held whole. A chain of independent BINDs costs nothing, so what is
bounded is the longest chain of assignments that feed one another, and the
values (rows × variables) in `VALUES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.guard import CONTROL_CHARS, bracket_depth
from migkg.exc import QueryRejected

MAX_QUERY_CHARS = 20_000
MAX_NESTING = 32
MAX_ASSIGNMENT_CHAIN = 8
MAX_VALUES_CELLS = 1_000
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                   "WITH")
# Strings (long ones first), IRIs and comments: nothing inside them is a keyword or a bracket.
_SKIP = re.compile(r'''"""(?:[^\\]|\\.)*?(?:"""|$)|\'\'\'(?:[^\\]|\\.)*?(?:\'\'\'|$)'''
                   r'''|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|<[^<>"{}|^`\\\s]*>|#[^\n]*''', re.S)
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)", re.I)
_WORD = re.compile(r"[A-Za-z]+")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.I)


def blank_code(query: str) -> str:
    """The query with strings, IRIs and comments blanked (each replaced by one space)."""
    return _SKIP.sub(" ", query)


def blank_in_place(query: str) -> str:
    """The query with strings, IRIs and comments blanked character for character (newlines
    kept), so that a position in it is the same position in the query."""
    return _SKIP.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), query)


def literal_spans(query: str) -> list[tuple[int, str]]:
    """Where each string, IRI or comment starts, and its text."""
    return [(m.start(), m.group()) for m in _SKIP.finditer(query)]


def first_keyword(code: str) -> str:
    """The first keyword after the prologue (PREFIX and BASE declarations), upper-cased, of a
    query whose strings, IRIs and comments are blanked (`blank_code`)."""
    while True:
        m = _PROLOGUE.match(code)
        if not m:
            break
        code = code[m.end():]
    word = _WORD.match(code.lstrip())
    return word.group(0).upper() if word else ""


def check_query(query: str) -> None:
    """Refuse an empty, oversized, deeply nested or control-character query, an update or SERVICE."""
    if not query.strip():
        raise QueryRejected("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRejected(f"the query has {len(query):,} characters; at most "
                            f"{MAX_QUERY_CHARS:,} are accepted")
    if CONTROL_CHARS.search(query):
        raise QueryRejected("the query holds control characters")
    code = blank_code(query)
    if (depth := bracket_depth(code)) > MAX_NESTING:
        raise QueryRejected(f"the query nests brackets {depth} deep; at most {MAX_NESTING} "
                            "levels are accepted")
    keyword = first_keyword(code)
    if keyword in UPDATE_KEYWORDS:
        raise QueryRejected(f"this endpoint is read-only: SPARQL Update ({keyword}) is refused "
                            "and nothing was changed", operation="update")
    if _SERVICE.search(code):
        raise QueryRejected("SERVICE (federated query) is not allowed here")
    check_expressions(query)


def check_expressions(query: str) -> None:
    """Refuse a query whose assignments chain too long or whose VALUES hold too much."""
    sizes = measure(query)
    if sizes.assignment_chain > MAX_ASSIGNMENT_CHAIN:
        raise QueryRejected(f"the query chains {sizes.assignment_chain} assignments (BIND or "
                            "`(… AS ?v)`), each using the one before; at most "
                            f"{MAX_ASSIGNMENT_CHAIN} are accepted", limit="assignment-chain")
    if sizes.values_cells > MAX_VALUES_CELLS:
        raise QueryRejected(f"the query's VALUES hold {sizes.values_cells:,} values (rows × "
                            f"variables); at most {MAX_VALUES_CELLS:,} are accepted",
                            limit="values-size")


@dataclass
class Sizes:
    """What a query asks of the evaluator, counted before it runs."""

    assignment_chain: int = 0  # longest chain of assignments, each using the one before
    values_cells: int = 0  # rows × variables, over every VALUES block


# A blanked string or IRI is a term: `_`; a datatype follows `^^`; a language tag is `@…`.
_TERM_TOKEN = re.compile(r"[?$]\w+|@[A-Za-z][\w-]*|\^\^|[\w.:-]*[\w:]|\S")


def _terms(query: str) -> str:
    return _SKIP.sub(lambda m: " " if m.group().startswith("#") else " _ ", query)


def measure(query: str) -> Sizes:
    """Count the longest assignment chain and the VALUES cells of `query`, in one pass."""
    out = Sizes()
    deps: dict[str, set[str]] = {}
    seen: list[list[str]] = [[]]  # variables used in each open bracket, innermost last
    tokens = _TERM_TOKEN.findall(_terms(query))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("(", "{", "["):
            seen.append([])
        elif tok in (")", "}", "]") and len(seen) > 1:
            inner = seen.pop()
            seen[-1].extend(inner)
        elif tok[0] in "?$" and len(tok) > 1:
            seen[-1].append(tok[1:])
        elif tok.upper() == "AS" and i + 1 < len(tokens) and tokens[i + 1][0] in "?$" \
                and len(tokens[i + 1]) > 1:
            assigned = tokens[i + 1][1:]
            deps.setdefault(assigned, set()).update(seen[-1])
            # `(expr AS ?v)`: one assignment per bracket, so what it used is spent (which
            # keeps this linear); the bracket now stands for ?v
            seen[-1] = [assigned]
            i += 1
        elif tok.upper() == "VALUES":
            i, cells = _values_block(tokens, i + 1)
            out.values_cells += cells
            continue
        i += 1
    out.assignment_chain = _longest_chain(deps)
    return out


def _values_block(tokens: list[str], i: int) -> tuple[int, int]:
    """Skip the VALUES block starting at `tokens[i]`; its end and its rows × variables."""
    variables = 0
    listed = i < len(tokens) and tokens[i] == "("  # VALUES (?a ?b) { (1 2) … }
    if listed:
        i += 1
        while i < len(tokens) and tokens[i] != ")":
            variables += 1
            i += 1
        i += 1
    elif i < len(tokens):  # VALUES ?a { 1 2 … }
        variables, i = 1, i + 1
    if i >= len(tokens) or tokens[i] != "{":
        return i, 0
    rows, i = 0, i + 1
    while i < len(tokens) and tokens[i] != "}":
        tok = tokens[i]
        if tok == "^^":
            i += 1  # the datatype belongs to the literal before it
        elif tok == "(" if listed else not tok.startswith("@"):
            rows += 1
        i += 1
    return i + 1, rows * max(variables, 1)


def _longest_chain(deps: dict[str, set[str]]) -> int:
    """The longest path through assignments (variable -> variables its expression uses);
    a cycle (one name assigned in two scopes) is cut where it closes."""
    depth: dict[str, int] = {}
    for root in deps:
        if root in depth:
            continue
        stack = [(root, iter(deps[root]))]
        on_path = {root}
        while stack:
            var, pending = stack[-1]
            for used in pending:
                if used in deps and used not in depth and used not in on_path:
                    on_path.add(used)
                    stack.append((used, iter(deps[used])))
                    break
            else:
                stack.pop()
                on_path.discard(var)
                depth[var] = 1 + max((depth.get(u, 0) for u in deps[var]), default=0)
    return max(depth.values(), default=0)
