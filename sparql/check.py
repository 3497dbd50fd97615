"""Cheap checks on an untrusted SPARQL string before the engine parses it.

They run in linear time on bounded input. Besides size and nesting they refuse
two things the engine would otherwise do: SPARQL Update (the endpoint is
read-only, and the store is opened read-only anyway) and `SERVICE`, which would
make the server fetch arbitrary URLs.
"""

from __future__ import annotations

import re

from graph.guard import CONTROL_CHARS, bracket_depth
from migkg.exc import QueryRejected

MAX_QUERY_CHARS = 20_000
MAX_NESTING = 32
MAX_MESSAGE = 300
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                   "WITH")
# Strings (long ones first), IRIs and comments: nothing inside them is a keyword or a bracket.
_SKIP = re.compile(r'''"""(?:[^\\]|\\.)*?(?:"""|$)|\'\'\'(?:[^\\]|\\.)*?(?:\'\'\'|$)'''
                   r'''|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|<[^<>"{}|^`\\\s]*>|#[^\n]*''', re.S)
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)", re.I)
_WORD = re.compile(r"[A-Za-z]+")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.I)
_AT = re.compile(r"\bat (\d+):(\d+)")


def _code(query: str) -> str:
    """The query with strings, IRIs and comments blanked (each replaced by one space)."""
    return _SKIP.sub(" ", query)


def first_keyword(code: str) -> str:
    """The first keyword after the prologue (PREFIX and BASE declarations), upper-cased, of a
    query whose strings, IRIs and comments are blanked (`_code`)."""
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
    code = _code(query)
    if (depth := bracket_depth(code)) > MAX_NESTING:
        raise QueryRejected(f"the query nests brackets {depth} deep; at most {MAX_NESTING} "
                            "levels are accepted")
    keyword = first_keyword(code)
    if keyword in UPDATE_KEYWORDS:
        raise QueryRejected(f"this endpoint is read-only: SPARQL Update ({keyword}) is refused "
                            "and nothing was changed", operation="update")
    if _SERVICE.search(code):
        raise QueryRejected("SERVICE (federated query) is not allowed here")


def syntax_error(message: str) -> QueryRejected:
    """The parser's message as a problem, with its line and column when it gives them."""
    text = " ".join(message.split())  # one line
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "…"
    m = _AT.search(text)
    if m is None:
        return QueryRejected(f"SPARQL syntax error: {text}")
    line, column = int(m.group(1)), int(m.group(2))
    return QueryRejected(f"SPARQL syntax error at line {line}, column {column}: "
                         f"{text[m.end():].lstrip(': ')}", line=line, column=column)
