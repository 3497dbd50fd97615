"""The fair floor of the uncached API: the same statements, with no work around them.

    BARE_MANIFEST=statements.json .venv/bin/uvicorn --app-dir bench bare_app:app \
        --port 8766 --no-access-log --log-level warning

`statements.json` (written by bench/api_uncached.py) names the FalkorDB socket and graph
and maps each URL (path and query string, as sent) to the Cypher statements, parameters
and timeouts that migkg sent to answer it. This app answers each URL with one async
route that sends those statements to the same FalkorDB through the same client
(`falkordb`'s `ro_query`) and returns their rows as JSON (orjson). No validation, no
resolution, no models, no middleware: what is left between the two servers is migkg's
own work per request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from falkordb import Edge, FalkorDB, Node
from falkordb import Path as GraphPath
from fastapi import FastAPI, Request, Response

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
STATEMENTS: dict[str, list[tuple[str, dict[str, Any], int]]] = {}
GRAPH: Any = None

manifest = os.environ.get("BARE_MANIFEST")
if manifest:
    spec = orjson.loads(Path(manifest).read_bytes())
    STATEMENTS = {url: [(c, p, t) for c, p, t in sent] for url, sent in spec["urls"].items()}
    GRAPH = FalkorDB(unix_socket_path=spec["socket"]).select_graph(spec["graph"])


def _plain(value: Any) -> Any:
    if isinstance(value, Node | Edge):
        return value.properties
    if isinstance(value, GraphPath):
        return [_plain(n) for n in value.nodes()]
    raise TypeError(type(value).__name__)


@app.get("/{path:path}")
async def answer(request: Request) -> Response:
    query = request.scope["query_string"].decode()
    raw = request.scope["raw_path"].decode()
    sent = STATEMENTS.get(f"{raw}?{query}" if query else raw)
    if sent is None:
        return Response(status_code=404)
    rows = [GRAPH.ro_query(cypher, params, timeout=timeout).result_set
            for cypher, params, timeout in sent]
    return Response(orjson.dumps(rows, default=_plain), media_type="application/json")
