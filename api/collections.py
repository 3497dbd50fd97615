"""One shape for every collection: the envelope, its paging links, and its CSV form.

Every collection answers `{"items": [...], "total", "limit", "offset", "next", "prev"}`
with an RFC 8288 `Link` header (first, prev, next, last), as Datasette and yente do.
`?format=csv`, or `Accept: text/csv` without `format`, answers the same page as
RFC 4180 CSV (the csv module), streamed row by row, with a `Content-Disposition`
file name. Nested values are flattened for spreadsheets: evidence as its quotes,
lists joined with "; ", nodes by name, paths as `A -[TYPE]-> B`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from graph.backend import path_text

FormatParam = Annotated[Literal["json", "csv"] | None, Query(
    description="`csv` answers this page as CSV (RFC 4180); without it, `Accept: text/csv` "
                "does the same. JSON otherwise.")]
LimitParam = Annotated[int, Query(ge=1, le=200, description="Items per page")]
OffsetParam = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
URI_SAFE = "!#$%&'()*+,/:;=?@[]~"  # reserved characters and escapes stay as they are
LINK_DOC = "RFC 8288 links to the `first`, `prev`, `next` and `last` pages."


class ReleaseRef(BaseModel):
    version: str = Field(examples=["2026.12.1"])
    date: str = Field(examples=["2026-12-07"])


class Collection(BaseModel):
    """The paging members every collection carries beside its `items`."""

    total: int = Field(description="Items in the whole collection, before paging.")
    limit: int = Field(description="Most items on this page.")
    offset: int = Field(description="Items skipped before this page.")
    next: str | None = Field(None, description="URL of the next page, if any.")
    prev: str | None = Field(None, description="URL of the previous page, if any.")
    release: ReleaseRef | None = Field(
        None, description="The release this answer is from (`as_of`); null for the live graph.")


def collection_responses(extra: dict[int | str, dict[str, Any]] | None = None
                         ) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the 200 answer also comes as CSV, and carries a Link header."""
    ok: dict[str, Any] = {
        "description": "One page of the collection (JSON), or the same page as CSV.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "headers": {"Link": {"description": LINK_DOC, "schema": {"type": "string"}}},
    }
    return {200: ok, **(extra or {})}


def wants_csv(request: Request, fmt: str | None) -> bool:
    """`format` decides; without it, an Accept header that asks for CSV and not JSON."""
    if fmt is not None:
        return fmt == "csv"
    accept = request.headers.get("accept", "").lower()
    return "text/csv" in accept and "json" not in accept


def page_urls(request: Request, total: int, limit: int, offset: int) -> dict[str, str]:
    """The first, prev, next and last page URLs of this request (those that exist)."""
    def at(off: int) -> str:
        # An IRI as a URI (RFC 3987, 3.1): a header carries ASCII only, and the path may not.
        return quote(str(request.url.include_query_params(offset=off, limit=limit)), safe=URI_SAFE)

    last = max(0, (total - 1) // limit * limit) if total else 0
    urls = {"first": at(0), "last": at(last)}
    if offset > 0:
        urls["prev"] = at(max(0, min(offset - limit, last)))
    if offset + limit < total:
        urls["next"] = at(offset + limit)
    return urls


def link_header(urls: dict[str, str]) -> str:
    return ", ".join(f'<{u}>; rel="{rel}"' for rel, u in urls.items())


def paging(request: Request, response: Response, total: int, limit: int,
           offset: int) -> dict[str, Any]:
    """The envelope's paging members; sets the Link header on `response`."""
    urls = page_urls(request, total, limit, offset)
    response.headers["Link"] = link_header(urls)
    response.headers["Vary"] = "Accept"
    return {"total": total, "limit": limit, "offset": offset,
            "next": urls.get("next"), "prev": urls.get("prev"),
            "release": getattr(request.state, "release", None)}


# -- CSV ------------------------------------------------------------------------------


def cell(value: Any) -> str:
    """One value as a CSV cell: readable text, never a Python repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return _mapping(value)
    return str(value)


def _mapping(value: dict[str, Any]) -> str:
    if "quote" in value and "doc" in value:  # evidence
        return f"“{value['quote']}” ({value['doc']})"
    if value.get("_path"):
        return path_text(value)
    if "_kind" in value or "_labels" in value:  # a node
        return str(value.get("name") or value.get("id") or value.get("_kind"))
    if "_type" in value:  # a relationship
        return f"{value.get('_start')} -[{value['_type']}]-> {value.get('_end')}"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)


def csv_lines(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """`rows` as RFC 4180 CSV (CRLF line ends, quoted as needed), a header first."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(v) for v in row])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def csv_disposition(filename: str) -> dict[str, str]:
    """The header that offers a CSV answer as the download `filename`.csv."""
    return {"Content-Disposition": f'attachment; filename="{filename}.csv"'}


def csv_response(columns: Sequence[str], rows: Iterable[Sequence[Any]], filename: str,
                 headers: dict[str, str] | None = None) -> StreamingResponse:
    """Stream `rows` as CSV (`csv_lines`)."""
    return StreamingResponse(csv_lines(columns, rows), media_type=CSV_MEDIA_TYPE,
                             headers={**(headers or {}), **csv_disposition(filename)})


def answer(request: Request, response: Response, body: BaseModel, fmt: str | None,
           columns: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
           ) -> BaseModel | StreamingResponse:
    """`body` as JSON (headers already on `response`), or its rows as CSV."""
    if not wants_csv(request, fmt):
        return body
    keep = {k: v for k, v in response.headers.items() if k.lower() in {"link", "vary", "migkg-release"}}
    return csv_response(columns, rows, filename, keep)
