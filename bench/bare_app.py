"""The bare-FastAPI baseline: the same bytes as migkg's API, with no work behind them.

    BARE_MANIFEST=answers.json .venv/bin/uvicorn --app-dir bench bare_app:app --port 8766

`answers.json` maps a path (with its query string) to `{"file": ..., "media_type": ...}`,
the body and content type that migkg answered for it (bench/matrix.py records them).
Each answer is one plain route returning those bytes, so the gap between the two
servers is what migkg's own work costs per request.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI, Request, Response

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
ANSWERS: dict[str, tuple[bytes, str]] = {}

manifest = os.environ.get("BARE_MANIFEST")
if manifest:
    for where, spec in json.loads(Path(manifest).read_text(encoding="utf-8")).items():
        ANSWERS[where] = (Path(spec["file"]).read_bytes(), spec["media_type"])


@app.get("/{path:path}")
def answer(path: str, request: Request) -> Response:
    query = request.url.query
    body, media_type = ANSWERS.get(f"/{path}?{query}" if query else f"/{path}", (b"", ""))
    if not media_type:
        return Response(status_code=404)
    return Response(content=body, media_type=media_type)
