"""Result rows of named queries and ad-hoc Cypher as a collection: objects keyed by column."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.collections import answer, paging
from api.models import Rows
from graph.backend import Result
from migkg.settings import Settings

QueryLimitParam = Annotated[int | None, Query(
    ge=1, le=100_000, description="Rows per page; all rows (up to the row cap) without it")]


def rows_answer(request: Request, response: Response, res: Result, settings: Settings,
                limit: int | None, offset: int, fmt: str | None, filename: str
                ) -> BaseModel | StreamingResponse:
    """One page of `res` (all of it by default) as the envelope, or as CSV."""
    size = limit or max(settings.row_cap, 1)
    page = res.rows[offset:offset + size]
    body = Rows(columns=res.columns, truncated=res.truncated,
                items=[dict(zip(res.columns, row, strict=True)) for row in page],
                **paging(request, response, len(res.rows), size, offset))
    return answer(request, response, body, fmt, res.columns, page, filename)
