"""Result rows of named queries and ad-hoc Cypher as a collection: objects keyed by column.

An entity in a named query's answer is a cell of its own, `{kind, id, name}` (the shape of
`EntityRef`), so a client links it by what the answer says it is, never by a column's
name; a node returned by ad-hoc Cypher carries its `_labels`. In CSV an entity cell is
its id, as the column held before entity cells had a kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.collections import answer, paging
from api.models import Rows
from graph.backend import Result
from migkg.settings import Settings

QueryLimitParam = Annotated[int | None, Query(
    ge=1, le=100_000, description="Rows per page; all rows (up to the row cap) without it")]

ENTITY_KEYS = frozenset({"kind", "id", "name"})


class QueryRows(Rows):
    """A named query's rows; its entities are `{kind, id, name}` cells."""

    items: list[dict[str, Any]] = Field(
        description="One object per row, keyed by column. An entity is a cell `{kind, id, name}` "
                    "(an `EntityRef`; a list of them where the row has several): `kind` is its "
                    "node kind, so `/v1/{plural of kind}/{id}` is its page. Evidence is "
                    "`{doc, quote, start, end}`; other values are as the engine gives them.",
        examples=[[{"agreement": {"kind": "Agreement", "id": "uk-serbia-agreement",
                                  "name": "UK-Serbia agreement on organised immigration crime"},
                    "status": "to_be_signed", "date": "2024-11-07"}]])


def is_entity_cell(value: Any) -> bool:
    """True for `{kind, id, name}`: an entity as a named query gives it."""
    return isinstance(value, dict) and set(value) == ENTITY_KEYS


def _flat(value: Any) -> Any:
    if is_entity_cell(value):
        return value["id"]
    if isinstance(value, list):
        return [_flat(v) for v in value]
    return value


def csv_rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """`rows` for CSV: each entity cell as its id."""
    for row in rows:
        yield [_flat(v) for v in row]


def rows_answer(request: Request, response: Response, res: Result, settings: Settings,
                limit: int | None, offset: int, fmt: str | None, filename: str
                ) -> BaseModel | StreamingResponse:
    """One page of `res` (all of it by default) as the envelope, or as CSV."""
    size = limit or max(settings.row_cap, 1)
    page = res.rows[offset:offset + size]
    body = QueryRows(columns=res.columns, truncated=res.truncated,
                     items=[dict(zip(res.columns, row, strict=True)) for row in page],
                     **paging(request, response, len(res.rows), size, offset))
    return answer(request, response, body, fmt, res.columns, csv_rows(page), filename)
