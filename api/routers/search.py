"""Search, the signature question, and shortcuts over the named queries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.collections import (
    FormatParam,
    LimitParam,
    OffsetParam,
    answer,
    collection_responses,
    paging,
)
from api.deps import ReadBackendDep, SettingsDep
from api.models import CountryAgreements, Rows, SearchPage
from api.problems import error_responses
from api.results import QueryLimitParam, rows_answer
from cypher import get_registry
from graph.entities import with_passage
from graph.resolve import resolve_ref, search_all

router = APIRouter(tags=["entities"])

SEARCH_COLUMNS = ["id", "name", "kind", "aliases", "exact", "match", "score", "why"]
COVERAGE_COLUMNS = ["agreement", "name", "agreement_type", "status", "date", "how", "role",
                    "via", "confidence", "qualifiers", "evidence"]
CONFIDENCE_ORDER = ("low", "medium", "high")


def _qualified(qualifiers: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """A path's confidence (its weakest link's; a link without one is stated, so high) and
    the qualifiers of its links, without their empty members."""
    kept = [{k: v for k, v in q.items() if v is not None} for q in qualifiers or []]
    levels = [q.get("confidence") or "high" for q in kept]
    return min(levels, key=CONFIDENCE_ORDER.index, default="high"), kept


@router.get("/v1/search", response_model=SearchPage, summary="Search names and aliases",
            responses={**collection_responses(), **error_responses(400, 404, 422)})
def search(
    request: Request,
    response: Response,
    backend: ReadBackendDep,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["prevot"])],
    kind: Annotated[str | None, Query(max_length=200, examples=["Country"],
                                      description="A kind, or several separated by commas")] = None,
    limit: LimitParam = 20,
    offset: OffsetParam = 0,
    format: FormatParam = None,  # noqa: A002
) -> Any:
    """Ranked like entity resolution (graph/resolve.py), ignoring case, accents and
    punctuation: exact names, aliases and reference names first (`uk`, `Türkiye`,
    `FCDO`), then names holding every word typed (`western balkans`, a surname such as
    `cooper`, an acronym such as `epc`), then names where the last word typed starts a
    word (`serb`), and typos when little else matches (`serbai`). `match` says how each item
    matched; `exact` is an exact name, id or office title."""
    kinds = [k.strip() for k in kind.split(",") if k.strip()] if kind else None
    found = search_all(backend, q, kinds)
    items = [{"id": c.id, "name": c.name, "kind": c.kind, "aliases": list(c.aliases),
              "exact": c.exact, "match": c.match, "score": round(c.score, 1),
              "why": c.why}
             for c in found[offset:offset + limit]]
    body = SearchPage(items=items, **paging(request, response, len(found), limit, offset))
    rows = ([it[c] for c in SEARCH_COLUMNS] for it in items)
    return answer(request, response, body, format, SEARCH_COLUMNS, rows, "search")


@router.get("/v1/countries/{country}/agreements", response_model=CountryAgreements,
            summary="Agreements covering a country, with how and the evidence",
            responses={**collection_responses(), **error_responses(404, 409, 422)})
def country_agreements(country: str, request: Request, response: Response, backend: ReadBackendDep,
                       settings: SettingsDep, limit: LimitParam = 200, offset: OffsetParam = 0,
                       format: FormatParam = None) -> Any:  # noqa: A002
    """`country` is an ISO code, name or alias (`RS`, `Serbia`, `serbia`).

    Each agreement lists every way it covers the country: as a party (with its
    role), by geographic coverage, through a route, or through a group. A way that
    rests on a link the texts leave open or only imply says so: `confidence` (its weakest
    link's) and `qualifiers` (each such link's `ambiguity`, `inferred` and `basis`, or
    `note`), as Germany's share in the Calais Group Priority Plan does. As CSV, one row
    per way.
    """
    ref = resolve_ref(backend, country, "Country")
    rows = get_registry().execute(backend, "agreements_covering_country", {"country": ref["id"]},
                                  settings).records()
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        item = grouped.setdefault(r["agreement"]["id"], {
            "agreement": r["agreement"],
            "agreement_type": r["agreement_type"], "status": r["status"], "date": r["date"],
            "how": [],
        })
        confidence, qualifiers = _qualified(r["qualifiers"])
        item["how"].append({"how": r["how"], "role": r["role"], "via": r["via"],
                            "confidence": confidence, "qualifiers": qualifiers,
                            "evidence": [with_passage(e) for e in r["evidence"]]})
    items = list(grouped.values())[offset:offset + limit]
    body = CountryAgreements.model_validate(
        {"country": ref, "items": items,
         **paging(request, response, len(grouped), limit, offset)})
    csv_rows = ([it["agreement"]["id"], it["agreement"]["name"], it["agreement_type"],
                 it["status"], it["date"], h["how"], h["role"], h["via"] and h["via"]["name"],
                 h["confidence"], h["qualifiers"], h["evidence"]] for it in items for h in it["how"])
    return answer(request, response, body, format, COVERAGE_COLUMNS, csv_rows,
                  f"agreements-covering-{ref['id']}")


def _shortcut(path: str, query: str, param: str, summary: str) -> None:
    def endpoint(ref: str, request: Request, response: Response, backend: ReadBackendDep,
                 settings: SettingsDep, limit: QueryLimitParam = None, offset: OffsetParam = 0,
                 format: FormatParam = None) -> Any:  # noqa: A002
        res = get_registry().run(backend, query, {param: ref}, settings)
        return rows_answer(request, response, res, settings, limit, offset, format, query)

    endpoint.__name__ = query
    router.add_api_route(path, endpoint, methods=["GET"], response_model=Rows, summary=summary,
                         description=get_registry().get(query).description,
                         responses={**collection_responses(), **error_responses(400, 404, 409, 422)})


_shortcut("/v1/agreements/{ref}/parties", "agreement_parties", "agreement",
          "Parties, signatories and those present")
_shortcut("/v1/routes/{ref}/path", "routes", "route", "A route's places in order and who addresses it")
_shortcut("/v1/frameworks/{ref}/principles", "framework_principles", "framework",
          "Principles or priorities of a framework")
_shortcut("/v1/actors/{ref}/profile", "actor_profile", "actor", "An actor's profile")
