"""Engine errors in one wording, so users see the same problem from either engine.

The backends translate their driver's exceptions here. Texts that only one
engine's parser can produce (a syntax error's wording) pass through; everything
else, such as a timeout or a missing parameter, is worded once, here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from migkg.exc import QueryRejected, QueryTimeout

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
