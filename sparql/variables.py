"""The column order of `SELECT *`: the order the query's variables first appear in.

Oxigraph lists the variables of `SELECT *` sorted by name; SPARQL leaves the order
open, and a reader expects the order they wrote (`?agreement ?name`, not `?name`
first because it sorts so). Strings, IRIs and comments are blanked first, so a `?`
inside them is not a variable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sparql.check import blank_code, first_keyword

_STAR = re.compile(r"SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*", re.I)
_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\U000effff]+)")


def is_select_star(query: str) -> bool:
    """Whether the query's own projection (not a subquery's) is `SELECT *`."""
    code = blank_code(query)
    if first_keyword(code) != "SELECT":
        return False
    start = re.search(r"(?<![\w:?$])SELECT", code, re.I)
    return start is not None and _STAR.match(code, start.start()) is not None


def star_order(query: str, names: Sequence[str]) -> list[int]:
    """Indexes of `names` in the order each first appears in `query` (a name it does not
    show keeps its place after those it does)."""
    first: dict[str, int] = {}
    for m in _VARIABLE.finditer(blank_code(query)):
        first.setdefault(m.group(1), m.start())
    end = len(query)
    return sorted(range(len(names)), key=lambda i: (first.get(names[i], end), i))
