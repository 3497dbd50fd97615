"""Engine errors in one wording, so users see the same problem from either engine.

The backends translate their driver's exceptions here. Texts that only one
engine's parser can produce (a syntax error's wording) pass through; everything
else, such as a timeout or a missing parameter, is worded once, here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from migkg.exc import BackendUnavailable, QueryRejected, QueryTimeout

WRITE_REFUSED = "writes are not allowed here: the engine refused a write query"

# Skips string literals, backticked names and comments; captures `$name` and `$`name``.
_TOKENS = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`]|``)*`|//[^\n]*|/\*.*?\*/"""
    r"""|\$(?:([A-Za-z_][A-Za-z0-9_]*)|`((?:[^`]|``)*)`)""",
    re.S,
)


def parameter_names(cypher: str) -> list[str]:
    """The `$parameters` a statement uses, in order of first use."""
    names: dict[str, None] = {}
    for match in _TOKENS.finditer(cypher):
        name = match.group(1) or (match.group(2).replace("``", "`") if match.group(2) else None)
        if name:
            names[name] = None
    return list(names)


def not_loaded() -> BackendUnavailable:
    return BackendUnavailable("the graph is not loaded; run `migkg load` first")


def timed_out(timeout_ms: int | None) -> QueryTimeout:
    limit = f"{timeout_ms} ms" if timeout_ms else "the time limit"
    return QueryTimeout(f"the query did not finish within {limit}")


def memory_exceeded() -> QueryRejected:
    return QueryRejected("the query needed more memory than one query may use; "
                         "narrow it down (a smaller range, fewer rows, LIMIT)")


def missing_parameters(cypher: str, given: Iterable[str]) -> QueryRejected:
    """The error for a statement run without values for some of its parameters."""
    have = set(given)
    missing = [n for n in parameter_names(cypher) if n not in have]
    if not missing:  # the engine saw one we could not spot: say so without naming it
        return QueryRejected("missing parameter: the statement uses a parameter without a value")
    names = ", ".join(f"${n}" for n in missing)
    return QueryRejected(f"missing parameter{'s' if len(missing) > 1 else ''}: {names} "
                         "(give a value for each in `params`)", missing=missing)


# FalkorDB: "errMsg: Invalid input 'R': expected RETURN line: 1, column: 12, offset: 11
#            errCtx: MATCH (n) RRETURN n errCtxOffset: 11"
_FALKOR_POS = re.compile(r"^errMsg: (?P<msg>.*?)(?: line: \d+, column: \d+, offset: (?P<off>\d+))?"
                         r"(?: errCtx: .*)?$", re.S)
# Neo4j: "Invalid input 'RRETURN': expected ... (line 1, column 11 (offset: 10))\n"..."\n ^"
_NEO4J_POS = re.compile(r"^(?P<msg>.*?)\s*\(line \d+, column \d+ \(offset: (?P<off>\d+)\)\)", re.S)
# Errors without a position that name what they refuse: "Unknown function 'f'", "'m' not defined".
_NAMED = re.compile(r"'([A-Za-z_][A-Za-z0-9_.]*)'")


def locate(cypher: str, offset: int) -> dict[str, Any]:
    """Line and column (from 1) of `offset` in `cypher`, that line, and a caret under it."""
    offset = max(0, min(offset, len(cypher)))
    start = cypher.rfind("\n", 0, offset) + 1
    end = cypher.find("\n", offset)
    line_text = cypher[start:end if end >= 0 else len(cypher)]
    column = offset - start + 1
    return {"line": cypher.count("\n", 0, offset) + 1, "column": column, "offset": offset,
            "context": line_text, "caret": " " * (column - 1) + "^"}


def _find_name(cypher: str, name: str) -> int | None:
    """Where `name` first appears as a word outside strings and comments, if it does."""
    word = re.compile(r"(?<![\w$`])" + re.escape(name.split(".")[-1]) + r"(?![\w`])")
    masked = _SKIPPED.sub(lambda m: " " * len(m.group(0)), cypher)
    found = word.search(masked)
    return found.start() if found else None


_SKIPPED = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/""", re.S)
NO_POSITION: dict[str, Any] = {"line": None, "column": None, "offset": None, "context": None,
                               "caret": None}


def statement_error(cypher: str, message: str) -> QueryRejected:
    """The engine's refusal of a statement as `{detail, line, column, offset, context, caret}`.

    Both engines' texts are parsed (FalkorDB's `errMsg … errCtxOffset`, Neo4j's
    `(line 1, column 10 (offset: 9))` and its echo of the line); the detail keeps the
    engine's words without the position, which is given once, in our own members.
    Errors the engine gives no position for, but which quote a name (an unknown
    function, an undefined variable), point at that name's first use.
    """
    text = message.strip()
    found = _FALKOR_POS.match(text) if text.startswith("errMsg:") else _NEO4J_POS.match(text)
    words = " ".join((found.group("msg") if found else text).split()).rstrip(":; ")
    offset: int | None = int(found.group("off")) if found and found.group("off") else None
    if offset is None and cypher:
        named = _NAMED.search(words)
        offset = _find_name(cypher, named.group(1)) if named else None
    if offset is None or not cypher:
        return QueryRejected(words, **NO_POSITION)
    where = locate(cypher, offset)
    return QueryRejected(f"{words} (line {where['line']}, column {where['column']})", **where)
