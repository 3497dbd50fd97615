"""A source document's stored text: whole, with its quoted spans, or an excerpt in context."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import BackendDep, SettingsDep
from api.models import DocumentText
from api.problems import error_responses
from api.source_texts import MAX_CONTEXT, document_text, excerpt, quoted_spans
from graph.resolve import resolve_ref
from migkg.exc import BadRequest

router = APIRouter(tags=["documents"])


@router.get("/v1/documents/{ref}/text", response_model=DocumentText, response_model_exclude_none=True,
            summary="A document's text, or a passage in context",
            responses=error_responses(400, 404, 409))
def document_text_endpoint(
    ref: str, backend: BackendDep, settings: SettingsDep,
    start: Annotated[int | None, Query(ge=0, le=10**8, description="Start of a passage")] = None,
    end: Annotated[int | None, Query(ge=0, le=10**8, description="End of a passage")] = None,
    context: Annotated[int, Query(ge=0, le=MAX_CONTEXT,
                                  description="Characters of context each side")] = 200,
) -> DocumentText:
    """`ref` is a Document id or title. Without `start`/`end`: the whole stored text (its
    manifest's licence and attribution beside it) and every quoted span with the facts
    it supports. With them: the passage `text[start:end]` (code points, as the evidence
    items' anchors) and up to `context` characters either side."""
    ident = resolve_ref(backend, ref, "Document")["id"]
    meta, text = document_text(backend, settings.data, ident)
    if start is None and end is None:
        return DocumentText.model_validate({**meta, "length": len(text.text), "text": text.text,
                                            "annotations": quoted_spans(backend, ident)})
    if start is None or end is None:
        raise BadRequest("give both start and end, or neither")
    return DocumentText.model_validate({**meta, "length": len(text.text),
                                        "passage": excerpt(text, start, end, context)})
