"""Public response models (input models live beside their routers)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.collections import Collection


class Evidence(BaseModel):
    doc: str = Field(description="Id of the source document.", examples=["pm-epc-budapest-2024"])
    quote: str = Field(description="A short verbatim quote from it.")
    link: str | None = Field(None, description="The relationship this quote supports, if any.")


class DocumentRef(BaseModel):
    id: str
    title: str | None = None
    publisher: str | None = None
    date: str | None = None
    url: str | None = None


class EntityRef(BaseModel):
    id: str = Field(examples=["RS"])
    name: str | None = Field(None, examples=["Serbia"])
    kind: str = Field(examples=["Country"])


class EntitySummary(EntityRef):
    aliases: list[str] = []
    summary: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict, description="Kind-specific properties.")


class FacetValue(BaseModel):
    value: str = Field(examples=["signed"])
    count: int = Field(examples=[7])


class Page(Collection):
    """One page of a kind's entities."""

    kind: str
    items: list[EntitySummary]
    facets: dict[str, list[FacetValue]] = Field(
        default_factory=dict,
        description="Counts of each value of the enum properties asked for with `facets`, "
                    "over all matches (not only this page), most frequent first.")


class Link(BaseModel):
    type: str = Field(examples=["PARTY_TO"])
    direction: str = Field(description="`out` when this entity is the source.", examples=["out"])
    other: EntityRef
    properties: dict[str, Any] = Field(default_factory=dict)
    evidence: list[Evidence] = []


class EntityDetail(EntitySummary):
    iri: str
    evidence: list[Evidence]
    documents: dict[str, DocumentRef] = Field(
        default_factory=dict, description="The documents cited by this entity and its links."
    )
    relationships: list[Link]


class Coverage(BaseModel):
    how: str = Field(description="party | coverage | route | group", examples=["coverage"])
    role: str | None = Field(None, description="The role, for party and group links.")
    via: EntityRef | None = Field(None, description="The route or group the link passes through.")
    evidence: list[Evidence]


class CoveringAgreement(BaseModel):
    agreement: EntityRef
    agreement_type: str | None = None
    status: str | None = None
    date: str | None = None
    how: list[Coverage]


class CountryAgreements(Collection):
    """The agreements covering a country, one item per agreement."""

    country: EntityRef
    items: list[CoveringAgreement]


class SearchHit(EntityRef):
    aliases: list[str] = []
    exact: bool = Field(description="An exact name, alias or id.")
    match: str = Field(description="How it matched: id, name, alias, words, prefix ...")
    score: float


class SearchPage(Collection):
    items: list[SearchHit]


class Rows(Collection):
    """Result rows as objects keyed by column; `columns` keeps their order."""

    columns: list[str] = Field(description="The result's columns, in order.")
    items: list[dict[str, Any]]
    truncated: bool = Field(False, description="True when the row cap cut the result.")


class QueryInfo(BaseModel):
    name: str
    title: str
    description: str
    example: str
    parameters: dict[str, Any] = Field(description="JSON Schema of the parameters.")
    cypher: str


class QueryList(Collection):
    items: list[QueryInfo]
