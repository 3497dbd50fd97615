"""Batch matching: `POST /v1/match`, many names at once (after yente's match API)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ReadBackendDep
from api.problems import error_responses
from graph.matching import Matched, match
from graph.schema import get_schema
from graph.scoring import Candidate
from migkg.exc import InvalidValue

router = APIRouter(tags=["entities"])
MAX_QUERIES = 500


class MatchQuery(BaseModel):
    """One name to match, with an optional kind it should rather be and properties."""

    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=200, examples=["Srbia"])
    kind: str | None = Field(None, max_length=40, examples=["Country"], description=(
        "A kind to prefer (it breaks ties; other kinds still answer)"))
    properties: dict[str, str | list[str]] = Field(
        default_factory=dict, max_length=20, examples=[{"wikidata": "Q403"}],
        description="Properties the entity should have: agreeing values raise a candidate, "
                    "disagreeing ones lower it")


class MatchRequest(BaseModel):
    model_config = {"extra": "forbid"}
    queries: dict[str, MatchQuery] = Field(max_length=MAX_QUERIES, examples=[{
        "a": {"name": "Srbia"}, "b": {"name": "Prime Minister"},
        "c": {"name": "Greek islands", "kind": "Route"}}])
    limit: int = Field(5, ge=1, le=25, description="Candidates per query")


class MatchCandidate(BaseModel):
    id: str
    kind: str
    name: str
    score: float = Field(description="0-100 (a preferred kind or agreeing properties may add a few)")
    match: bool = Field(description="True for the one candidate that matches unambiguously")
    how: str = Field(description="How the name matched: id, name, aliases, office, words, fuzzy ...")
    why: str
    features: dict[str, float] = Field(description="What decided the score, with each part")


class MatchResponse(BaseModel):
    query: MatchQuery
    match: str | None = Field(description="The id of the unambiguous match, or null")
    results: list[MatchCandidate]


class MatchAnswer(BaseModel):
    responses: dict[str, MatchResponse]
    limit: int


def public(c: Candidate, matched: Candidate | None) -> dict[str, Any]:
    return {"id": c.id, "kind": c.kind, "name": c.name, "score": round(c.score, 1),
            "match": matched is not None and c.id == matched.id, "how": c.match, "why": c.why,
            "features": dict(c.features)}


def answer(found: Matched) -> dict[str, Any]:
    return {"match": found.match.id if found.match else None,
            "results": [public(c, found.match) for c in found.candidates]}


@router.post("/v1/match", response_model=MatchAnswer, summary="Match many names at once",
             responses=error_responses(404, 413, 422))
def match_names(body: MatchRequest, backend: ReadBackendDep) -> dict[str, Any]:
    """Each query's name is matched as `/v1/search` ranks (graph/resolve.py): exact
    names, aliases, reference names and office titles, then every word (by stem and
    acronym), prefixes and typos (rapidfuzz). `kind` prefers a kind; `properties`
    are compared with the candidates' own. A result has `match: true` only when it
    is the one `/v1/entities/{ref}` resolves to: it leads the next by 10 points (a
    typo must also score 70)."""
    schema = get_schema()
    responses: dict[str, Any] = {}
    for ident, q in body.queries.items():
        if q.kind is not None and q.kind not in schema.nodes:
            raise InvalidValue(f"queries.{ident}.kind", q.kind, list(schema.nodes))
        found = match(backend, q.name, (q.kind,) if q.kind else (), None, q.properties, body.limit)
        responses[ident] = {"query": q, **answer(found)}
    return {"responses": responses, "limit": body.limit}
