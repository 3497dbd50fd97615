"""Public response models (input models live beside their routers)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.collections import Collection, ReleaseRef


class Evidence(BaseModel):
    doc: str = Field(description="Id of the source document.", examples=["pm-epc-budapest-2024"])
    quote: str = Field(description="A short verbatim quote from it.")
    start: int | None = Field(None, description="Start of the quoted span in the document's "
                              "text (W3C TextPositionSelector: code points, inclusive).")
    end: int | None = Field(None, description="End of the span (exclusive).")
    link: str | None = Field(None, description="The relationship this quote supports, if any.")
    passage: str | None = Field(None, description="API path of the passage in the document's "
                                "text, with context.",
                                examples=["/v1/documents/pm-epc-budapest-2024/text?start=0&end=42"])


class Seen(BaseModel):
    """When a fact was released (loaders/history.py): null when no release holds it."""

    first_seen: str | None = Field(None, description="The first release the fact was in.",
                                   examples=["2026.12.1"])
    last_seen: str | None = Field(None, description="The last release the fact was in.",
                                  examples=["2026.12.2"])


class SeenEvidence(Evidence, Seen):
    pass


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


class Link(Seen):
    iri: str = Field(description="IRI of the qualified relationship (`/id/rel/...`): its RDF "
                     "carries the properties and evidence as linked data.")
    type: str = Field(examples=["PARTY_TO"])
    direction: str = Field(description="`out` when this entity is the source.", examples=["out"])
    key: str | None = Field(None, description="What tells this relationship apart from others "
                            "of its type between the two entities (its IRI's basis).")
    other: EntityRef
    properties: dict[str, Any] = Field(default_factory=dict)
    evidence: list[SeenEvidence] = []


class EntityDetail(EntitySummary, Seen):
    """One entity, the same on every face: `/v1/{kind}/{ref}`, `/v1/entities/{ref}` and
    `/id/{kind}/{id}` as JSON (`Accept: application/json` or `?format=json`)."""

    iri: str = Field(description="The entity's IRI (`/id/{kind}/{id}`).",
                     examples=["https://w3id.org/migkg/id/country/RS"])
    seen: dict[str, Seen] = Field(default_factory=dict, description=(
        "For each property (name, aliases, summary and the others): the first and the last "
        "release its value was in."))
    release: ReleaseRef | None = Field(
        None, description="The release this answer is from (`as_of`); null for the live graph.")
    evidence: list[SeenEvidence]
    documents: dict[str, DocumentRef] = Field(
        default_factory=dict, description="The documents cited by this entity and its links."
    )
    relationships: list[Link]


class Qualifier(BaseModel):
    """A link of a coverage path that the texts do not plainly state, in the data's words."""

    link: str = Field(description="The relationship type of the link", examples=["MEMBER_OF"])
    ambiguity: str | None = Field(None, description="The reading the texts leave open, under "
                                                    "which the link would not hold.")
    inferred: str | None = Field(None, description="from_text or reference_geography, where the "
                                                   "link is inferred.")
    basis: str | None = Field(None, description="The words an inferred link rests on.")
    confidence: str | None = Field(None, description="high, medium or low (absent: stated).")
    note: str | None = Field(None, description="What the sources leave unclear about the link.")


class Coverage(BaseModel):
    how: str = Field(description="party | coverage | route | group", examples=["coverage"])
    role: str | None = Field(None, description="The role, for party and group links.")
    via: EntityRef | None = Field(None, description="The route or group the link passes through.")
    confidence: str = Field("high", description="The weakest confidence of the path's links "
                                                "(a link that gives none is stated: high).")
    qualifiers: list[Qualifier] = Field(
        default_factory=list, description="Each link of the path that is ambiguous, inferred or "
                                          "less than certain, with the data's words: empty "
                                          "when every link is plainly stated.")
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
    match: str = Field(description="How it matched: id, name, aliases, reference_names, core, "
                                   "office, words, surname, acronym, prefix, fuzzy")
    score: float
    why: str = Field("", description="Which name matched, and how (an office: its title and date)")


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


class SpanFacts(BaseModel):
    start: int
    end: int
    facts: list[dict[str, Any]] = Field(description="Entities ({kind, id, name}) and relationships "
                                        "({type, from, to}) whose quotes anchor here.")


class Passage(BaseModel):
    start: int
    end: int
    exact: str = Field(description="The text of the span, as stored.")
    before: str = Field(description="Context before the span.")
    after: str = Field(description="Context after the span.")
    line: int = Field(description="Line of the span's start in the text (1-based).")


class DocumentText(BaseModel):
    """A document's stored text (whole, with its quoted spans) or one passage of it."""

    id: str
    file: str
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: str | None = None
    licence: str | None = None
    licence_url: str | None = None
    attribution: str | None = None
    retrieval: str | None = None
    sha256: str | None = None
    length: int = Field(description="Length of the text in code points.")
    text: str | None = Field(None, description="The whole text (without start/end).")
    annotations: list[SpanFacts] | None = None
    passage: Passage | None = Field(None, description="The passage (with start/end).")


class QueryList(Collection):
    items: list[QueryInfo]


class ReleaseInfo(BaseModel):
    """One release (`migkg release`): its version, date, counts and digests."""

    version: str = Field(examples=["2026.12.1"])
    date: str = Field(examples=["2026-12-07"])
    previous: str | None = Field(None, description="The release before it.")
    statements: int = Field(description="Statements in the release's snapshot.")
    added: int = Field(description="Statements added since the previous release.")
    removed: int = Field(description="Statements removed since the previous release.")
    facts_digest: str = Field(description="Digest of the data folder it records (as `_Meta`).")
    digest: str = Field(description="SHA-256 of the release file's header and statements.")
    notes: str = ""
    recorded_at: str = ""
    links: dict[str, str] = Field(default_factory=dict, description="Its delta, dump and changes.")


class ReleaseList(Collection):
    items: list[ReleaseInfo]


class Quote(BaseModel):
    """An evidence item as a release holds it: its document, quote and span."""

    doc: str
    quote: str
    start: int | None = None
    end: int | None = None


class Change(BaseModel):
    change: str = Field(description="added | removed | changed", examples=["changed"])
    what: str = Field(description="entity | property | relationship | evidence",
                      examples=["property"])
    property: str | None = Field(None, examples=["name"])
    relationship: dict[str, Any] | None = Field(
        None, description="The relationship's type and target, and for evidence its key.")
    old: Any = Field(None, description="The value before (a relationship's qualifiers).")
    new: Any = Field(None, description="The value after.")
    evidence: list[Quote] = Field(default_factory=list,
                                  description="The evidence behind the changed fact.")
    statement: dict[str, str | None] = Field(description="The old and new statement ids.")


class EntityChanges(BaseModel):
    entity: EntityRef
    changes: list[Change]


class ChangePage(Collection):
    since: ReleaseInfo
    until: ReleaseInfo
    statements: int = Field(description="Changed statements, over all pages.")
    items: list[EntityChanges]


class ReleaseChanges(BaseModel):
    release: ReleaseRef
    changes: list[Change]


class EntityHistory(BaseModel):
    entity: str
    items: list[ReleaseChanges]
