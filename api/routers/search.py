"""Search, the signature question, and shortcuts over the named queries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import BackendDep, SettingsDep
from api.models import CountryAgreements, Table
from api.problems import error_responses
from cypher import get_registry
from graph.entities import with_passage
from graph.resolve import ID_FOLDED as EXACT_FLOOR
from graph.resolve import resolve_ref
from graph.resolve import search as ranked_search

router = APIRouter(tags=["entities"])


SEARCH_COLUMNS = ["id", "name", "kind", "aliases", "exact", "match", "score"]


@router.get("/v1/search", response_model=Table, summary="Search names and aliases",
            responses=error_responses(400, 422))
def search(
    backend: BackendDep,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["prevot"])],
    kind: Annotated[str | None, Query(max_length=200, examples=["Country"],
                                      description="A kind, or several separated by commas")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Table:
    """Ranked like entity resolution (graph/resolve.py), ignoring case, accents and
    punctuation: exact names, aliases and reference names first (`uk`, `Türkiye`,
    `FCDO`), then names holding every word typed (`western balkans`, a surname such as
    `cooper`, an acronym such as `epc`), then names where the last word typed starts a
    word (`serb`). `match` says how each row matched; `exact` is an exact name or id."""
    kinds = [k.strip() for k in kind.split(",") if k.strip()] if kind else None
    found = ranked_search(backend, q, kinds, limit)
    rows = [[c.id, c.name, c.kind, list(c.aliases), c.score >= EXACT_FLOOR, c.match,
             round(c.score, 1)] for c in found]
    return Table(columns=SEARCH_COLUMNS, rows=rows)


@router.get("/v1/countries/{country}/agreements", response_model=CountryAgreements,
            summary="Agreements covering a country, with how and the evidence",
            responses=error_responses(404, 409))
def country_agreements(country: str, backend: BackendDep, settings: SettingsDep) -> CountryAgreements:
    """`country` is an ISO code, name or alias (`RS`, `Serbia`, `serbia`).

    Each agreement lists every way it covers the country: as a party (with its
    role), by geographic coverage, through a route, or through a group.
    """
    ref = resolve_ref(backend, country, "Country")
    rows = get_registry().execute(backend, "agreements_covering_country", {"country": ref["id"]},
                                  settings).records()
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        item = grouped.setdefault(r["agreement"], {
            "agreement": {"id": r["agreement"], "name": r["name"], "kind": "Agreement"},
            "agreement_type": r["agreement_type"], "status": r["status"], "date": r["date"],
            "how": [],
        })
        via = {"id": r["via_id"], "name": r["via_name"],
               "kind": "Route" if r["how"] == "route" else "Organisation"} if r["via_id"] else None
        item["how"].append({"how": r["how"], "role": r["role"], "via": via,
                            "evidence": [with_passage(e) for e in r["evidence"]]})
    return CountryAgreements.model_validate(
        {"country": ref,
         "agreements": list(grouped.values())})


def _shortcut(path: str, query: str, param: str, summary: str) -> None:
    def endpoint(ref: str, backend: BackendDep, settings: SettingsDep) -> Table:
        return Table.of(get_registry().run(backend, query, {param: ref}, settings))

    endpoint.__name__ = query
    router.add_api_route(path, endpoint, methods=["GET"], response_model=Table, summary=summary,
                         description=get_registry().get(query).description,
                         responses=error_responses(400, 404, 409))


_shortcut("/v1/agreements/{ref}/parties", "agreement_parties", "agreement",
          "Parties, signatories and those present")
_shortcut("/v1/routes/{ref}/path", "routes", "route", "A route's places in order and who addresses it")
_shortcut("/v1/frameworks/{ref}/principles", "framework_principles", "framework",
          "Principles or priorities of a framework")
_shortcut("/v1/actors/{ref}/profile", "actor_profile", "actor", "An actor's profile")
