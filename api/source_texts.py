"""A document's stored text, an excerpt with context, and the quoted spans with their facts."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.backend import GraphBackend
from graph.meta import META_LABEL
from loaders.texts import SOURCES, FoldedText, TextProblem, manifest_path, read_manifest, read_text
from migkg.exc import BadRequest, NotFound

MAX_EXCERPT = 10_000  # characters of an excerpt
MAX_CONTEXT = 2_000  # characters of context on each side

_NODES = (f"MATCH (n) WHERE NOT n:`{META_LABEL}` AND $doc IN n.evidence_docs "
          "RETURN labels(n)[0] AS kind, n.id AS id, n.name AS name, n.evidence_docs AS docs, "
          "n.evidence_starts AS starts, n.evidence_ends AS ends ORDER BY id")
_RELS = ("MATCH (a)-[r]->(b) WHERE $doc IN r.evidence_docs "
         "RETURN type(r) AS type, a.id AS from_id, a.name AS from_name, b.id AS to_id, "
         "b.name AS to_name, r.evidence_docs AS docs, r.evidence_starts AS starts, "
         "r.evidence_ends AS ends ORDER BY type, from_id, to_id")


def document_text(backend: GraphBackend, data_dir: Path, ident: str) -> tuple[dict[str, Any],
                                                                              FoldedText]:
    """The Document's node properties (with its manifest) and its checked stored text."""
    rows = backend.read("MATCH (d:`Document` {id: $id}) RETURN d.file AS file, d.title AS title",
                        {"id": ident}).records()
    if not rows or not rows[0]["file"]:
        raise NotFound(f"no document with id {ident!r}")
    name = str(rows[0]["file"])
    folder = data_dir / SOURCES
    try:
        text = read_text(folder, name)
        manifest, _ = read_manifest(manifest_path(folder / name))
    except TextProblem as err:
        raise NotFound(f"the stored text of {ident!r} is not usable: {err.message}") from None
    meta = {k: manifest.get(k) for k in ("title", "publisher", "url", "date", "licence",
                                         "licence_url", "attribution", "retrieval", "sha256")}
    return {"id": ident, "file": name, **meta}, text


def excerpt(text: FoldedText, start: int, end: int, context: int) -> dict[str, Any]:
    """`text[start:end]` with up to `context` characters either side (bounded)."""
    length = len(text.text)
    if not 0 <= start < end <= length:
        raise BadRequest(f"need 0 <= start < end <= {length} (the text's length)")
    if end - start > MAX_EXCERPT:
        raise BadRequest(f"an excerpt is at most {MAX_EXCERPT} characters")
    context = max(0, min(context, MAX_CONTEXT))
    return {"start": start, "end": end, "exact": text.text[start:end],
            "before": text.text[max(0, start - context):start],
            "after": text.text[end:end + context], "line": text.line_of(start)}


def quoted_spans(backend: GraphBackend, ident: str) -> list[dict[str, Any]]:
    """Every anchored span of the document, in text order, with the facts it supports."""
    spans: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)

    def add(docs: Any, starts: Any, ends: Any, fact: dict[str, Any]) -> None:
        for i, d in enumerate(docs or []):
            if d == ident and starts and ends and i < len(starts) and i < len(ends):
                spans[(int(starts[i]), int(ends[i]))].append(fact)

    for r in backend.read(_NODES, {"doc": ident}).records():
        add(r["docs"], r["starts"], r["ends"],
            {"kind": r["kind"], "id": r["id"], "name": r["name"]})
    for r in backend.read(_RELS, {"doc": ident}).records():
        add(r["docs"], r["starts"], r["ends"],
            {"type": r["type"], "from": {"id": r["from_id"], "name": r["from_name"]},
             "to": {"id": r["to_id"], "name": r["to_name"]}})
    return [{"start": s, "end": e, "facts": facts} for (s, e), facts in sorted(spans.items())]
