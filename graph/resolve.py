"""Entity resolution: an id, ISO code, name or alias, ignoring case and accents."""

from __future__ import annotations

import difflib
import unicodedata

from graph.backend import GraphBackend
from migkg.exc import Ambiguous, NotFound

_EXACT = (
    "MATCH (n) WHERE ($kind IS NULL OR labels(n)[0] = $kind) "
    "AND (n.id = $raw OR $folded IN n.names_folded) "
    "RETURN n.id AS id, labels(n)[0] AS kind, n.name AS name ORDER BY id"
)
_ALL_NAMES = (
    "MATCH (n) WHERE ($kind IS NULL OR labels(n)[0] = $kind) AND n.names_folded IS NOT NULL "
    "RETURN n.id AS id, labels(n)[0] AS kind, n.name AS name, n.names_folded AS names"
)


def fold(text: str) -> str:
    """Lower-case and strip accents ("Prévot" -> "prevot")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def resolve(backend: GraphBackend, ref: str, kind: str | None = None) -> str:
    """The id of the one entity `ref` names; Ambiguous (409) or NotFound (404) otherwise."""
    return resolve_ref(backend, ref, kind)["id"]


def resolve_ref(backend: GraphBackend, ref: str, kind: str | None = None) -> dict[str, str]:
    """Like `resolve`, returning the entity's id, kind and name."""
    folded = fold(ref)
    rows = backend.read(_EXACT, {"kind": kind, "raw": ref, "folded": folded}).records()
    exact = [r for r in rows if r["id"] == ref]
    if len(exact) == 1 or len(rows) == 1:
        return dict((exact or rows)[0])
    what = f"{kind} " if kind else ""
    if rows:
        raise Ambiguous(f"{ref!r} names {len(rows)} {what}entities; use an id",
                        candidates=rows)
    raise NotFound(f"no {what}entity is called {ref!r}",
                   suggestions=suggest(backend, folded, kind))


def suggest(backend: GraphBackend, folded: str, kind: str | None, n: int = 5) -> list[dict[str, str]]:
    """Close matches by name, for a helpful 404."""
    rows = backend.read(_ALL_NAMES, {"kind": kind}, row_cap=20_000).records()
    by_name: dict[str, dict[str, str]] = {}
    for r in rows:
        for name in r["names"]:
            by_name.setdefault(name, {"id": r["id"], "kind": r["kind"], "name": r["name"]})
    close = difflib.get_close_matches(folded, list(by_name), n=n * 2, cutoff=0.6)
    close += [name for name in by_name if folded and folded in name and name not in close]
    out: list[dict[str, str]] = []
    for name in close:
        if by_name[name] not in out:
            out.append(by_name[name])
    return out[:n]
