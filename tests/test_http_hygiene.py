"""HTTP hygiene: control characters, nesting, 405 Allow, HEAD, security headers, body size,
export ETags, and middleware that is pure ASGI."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from starlette.middleware.base import BaseHTTPMiddleware

from api.app import create_app
from conftest import MINI
from graph.falkor import FalkorBackend
from loaders.pipeline import load_facts, read_facts
from migkg.settings import Settings

LIMIT = 4096


@pytest.fixture(scope="module")
def mini(backend: FalkorBackend) -> FalkorBackend:
    load_facts(read_facts(MINI), backend)
    return backend


@pytest.fixture(scope="module")
def client(mini: FalkorBackend) -> Iterator[TestClient]:
    app = create_app(Settings(max_body_bytes=LIMIT), backend=mini)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def assert_problem(r: Response, status: int, detail: str = "") -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and set(body) >= {"type", "title", "detail", "instance"}
    assert detail in body["detail"], body


@pytest.mark.parametrize("url", [
    "/static/%00", "/static/css/%00explorer.css", "/v1/countries/%00", "/v1/countries/R%00S",
    "/v1/entities/RS%01", "/id/country/R%00S", "/v1/countries?q=a%00b", "/v1/search?q=%1b",
    "/v1/queries/routes?route=Western%00Balkans", "/v1/countries/RS%7F/agreements",
])
def test_control_characters_are_a_400_of_our_own(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert_problem(r, 400, "control characters (such as NUL) are not allowed")
    assert "errMsg" not in r.text and "CYPHER" not in r.text  # nothing from the engine


@pytest.mark.parametrize(("url", "body"), [
    ("/v1/cypher", '{"query": "RETURN $p AS p", "params": {"p": %s}}'),
    ("/v1/queries/routes", '{"route": %s}'),
    ("/v1/cypher", '{"query": "RETURN 1", "params": {"p": %s}}'),
])
def test_deeply_nested_json_is_a_400(client: TestClient, url: str, body: str) -> None:
    deep = "[" * 500 + "]" * 500 if "RETURN $p" in body else '{"a":' * 500 + "1" + "}" * 500
    r = client.post(url, content=body % deep, headers={"content-type": "application/json"})
    assert_problem(r, 400, "nested more than 32 levels deep")


def test_nesting_within_the_bound_still_runs(client: TestClient) -> None:
    r = client.post("/v1/cypher", json={"query": "RETURN size($p) AS n", "params": {"p": [[[[1]]]]}})
    assert r.status_code == 200, r.text
    strings = {"query": "RETURN $p AS p", "params": {"p": "[" * 100}}  # brackets in a string
    assert client.post("/v1/cypher", json=strings).status_code == 200


def _paths(client: TestClient) -> dict[str, set[str]]:
    """Every route's concrete example path and its methods, from the OpenAPI document."""
    examples = {"{kind}": "countries", "{ref}": "RS", "{country}": "RS", "{name}": "routes",
                "{ident}": "RS"}
    out: dict[str, set[str]] = {"/": {"GET"}, "/static/css/explorer.css": {"GET"},
                                "/docs": {"GET"}, "/redoc": {"GET"}, "/openapi.json": {"GET"}}
    for path, ops in client.get("/openapi.json").json()["paths"].items():
        concrete = re.sub(r"\{\w+\}", lambda m: examples.get(m.group(), "RS"), path)
        concrete = concrete.replace("/id/RS/", "/id/country/")
        out.setdefault(concrete, set()).update(m.upper() for m in ops)
    return out


def test_every_405_names_the_allowed_methods(client: TestClient) -> None:
    checked = 0
    for path, methods in _paths(client).items():
        expected = methods | ({"HEAD"} if "GET" in methods else set())
        for method in {"GET", "POST", "PUT", "DELETE", "PATCH"} - expected:
            r = client.request(method, path)
            if r.status_code != 405:  # a wider route on the same path may answer
                continue
            assert_problem(r, 405)
            allow = {m.strip() for m in r.headers["allow"].split(",")}
            assert allow >= expected, (method, path, allow)
            checked += 1
    assert checked > 40


def test_allow_header_examples(client: TestClient) -> None:
    assert client.delete("/v1/countries").headers["allow"] == "GET, HEAD"
    assert client.get("/v1/cypher").headers["allow"] == "POST"
    assert client.put("/v1/queries/routes").headers["allow"] == "GET, HEAD, POST"
    assert client.post("/health").headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("url", [
    "/health", "/ready", "/v1/countries", "/v1/countries/RS", "/v1/countries/RS/agreements",
    "/v1/search?q=serbia", "/v1/queries", "/id/country/RS", "/id/country/RS?format=html",
    "/ontology", "/ontology.ttl", "/v1/export.ttl", "/v1/export.nt", "/", "/docs",
    "/openapi.json", "/static/css/explorer.css", "/v1/countries/Narnia",
])
def test_head_answers_wherever_get_does(client: TestClient, url: str) -> None:
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code, (head.status_code, get.status_code)
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "content-length" in head.headers:
        assert int(head.headers["content-length"]) == len(get.content)
    if "etag" in get.headers:
        assert head.headers["etag"] == get.headers["etag"]


HTML_PAGES = ["/", "/id/country/RS?format=html", "/ontology", "/docs", "/redoc"]


@pytest.mark.parametrize("url", HTML_PAGES)
def test_every_html_page_has_security_headers(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp or r.headers.get("x-frame-options") == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[-1].split(";")[0]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_policy_allows_exactly_its_inline_script(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200
    scripts = re.findall(rb"<script>(.*?)</script>", r.content, re.DOTALL)
    assert scripts or page == "/redoc"  # ReDoc starts from its <redoc spec-url> element
    csp = r.headers["content-security-policy"]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    # scripts from our own origin only: the vendored Swagger UI and ReDoc, no CDN
    assert csp.split("script-src", 1)[1].split(";")[0].split()[0] == "'self'"
    assert "http" not in csp


def test_a_body_over_the_limit_is_a_413(client: TestClient) -> None:
    big = '{"query": "RETURN 1", "params": {"p": "' + "x" * LIMIT + '"}}'
    r = client.post("/v1/cypher", content=big, headers={"content-type": "application/json"})
    assert_problem(r, 413, f"larger than {LIMIT} bytes")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(8):
            yield b"x" * 1024

    r = client.post("/v1/cypher", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(r, 413, "MIGKG_MAX_BODY_BYTES")
    ok = client.post("/v1/cypher", json={"query": "RETURN 1 AS one"})
    assert ok.status_code == 200 and ok.json()["items"] == [{"one": 1}]


def test_middleware_is_pure_asgi(client: TestClient) -> None:
    app = client.app
    classes = [m.cls for m in app.user_middleware]  # type: ignore[attr-defined]
    assert classes and not any(isinstance(c, type) and issubclass(c, BaseHTTPMiddleware)
                               for c in classes)


def test_exports_carry_an_etag_by_graph_digest(client: TestClient, mini: FalkorBackend,
                                               tmp_path: Path) -> None:
    etags = {}
    for ext in ("ttl", "nt", "jsonld", "rdf"):
        r = client.get(f"/v1/export.{ext}")
        assert r.status_code == 200
        etags[ext] = r.headers["etag"]
        again = client.get(f"/v1/export.{ext}", headers={"if-none-match": etags[ext]})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etags[ext]
        weak = client.get(f"/v1/export.{ext}", headers={"if-none-match": f'"x", W/{etags[ext]}'})
        assert weak.status_code == 304
        assert client.get(f"/v1/export.{ext}").content == r.content  # the kept copy
    assert len(set(etags.values())) == 4

    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    facts = data / "facts.yaml"
    facts.write_text(facts.read_text().replace("name: Serbia", "name: Serbia Renamed"))
    load_facts(read_facts(data), mini)
    try:
        r = client.get("/v1/export.ttl", headers={"if-none-match": etags["ttl"]})
        assert r.status_code == 200 and r.headers["etag"] != etags["ttl"]
        assert "Serbia Renamed" in r.text
    finally:
        load_facts(read_facts(MINI), mini)
