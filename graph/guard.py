"""Cheap checks on untrusted statements and parameters, before any engine sees them.

An engine's parser can take exponential time on deeply nested input, and a
parameter can be arbitrarily large; neither is covered by the engine's query
timeout. These checks run in linear time on bounded input and reject what no
analyst needs: they bound the statement's size and nesting, and the parameters'
size, depth and list lengths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from migkg.exc import QueryRejected

MAX_QUERY_CHARS = 20_000
MAX_NESTING = 16
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
                            f"at most {MAX_NESTING} levels are allowed")


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
