"""`/docs` (Swagger UI) and `/redoc` render offline: every request off the loopback is refused.

Today's main loaded Swagger UI from the jsDelivr CDN, so `/docs` was a blank page
without the internet; the explorer's "API" link and its `<noscript>` point there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from test_browser import CHROMIUM, LAPTOP, SHOTS, TIMEOUT_MS, browser, live_url, sync_api  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]
expect = sync_api.expect
expect.set_options(timeout=TIMEOUT_MS)  # not expect()'s 5 s: a busy machine renders late
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class Offline:
    """A page whose every request leaving the loopback is aborted, and recorded."""

    def __init__(self, browser: Any) -> None:  # noqa: F811 - a parameter, not the fixture
        self.ctx = browser.new_context(viewport=LAPTOP, reduced_motion="reduce")
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.ctx.route("**/*", self._route)
        self.page = self.ctx.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"} or parts.hostname in LOOPBACK:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")


@pytest.fixture
def offline(browser: Any) -> Iterator[Offline]:  # noqa: F811 - the fixture imported above
    tab = Offline(browser)
    try:
        yield tab
    finally:
        tab.ctx.close()


def test_docs_pages_reference_only_local_assets(live_url: str) -> None:  # noqa: F811
    for path in ("/docs", "/redoc"):
        page = httpx.get(live_url + path)
        assert page.status_code == 200, path
        assert "cdn." not in page.text and "https://" not in page.text.split("<body", 1)[1], path
        for asset in ("/static/vendor/swagger-ui/swagger-ui-bundle.js",
                      "/static/vendor/swagger-ui/swagger-ui.css") if path == "/docs" else (
                      "/static/vendor/redoc/redoc.standalone.js",):
            assert asset in page.text, (path, asset)
            assert httpx.get(live_url + asset).status_code == 200, asset


def test_swagger_ui_renders_offline(offline: Offline, live_url: str) -> None:  # noqa: F811
    page = offline.page
    page.goto(f"{live_url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("migration-kg API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 10
    expect(page.locator(".opblock-summary-path", has_text="/v1/cypher").first).to_be_visible()
    # an operation opens, with its parameters
    page.locator(".opblock-summary-path", has_text="/v1/search").first.click()
    expect(page.locator(".opblock.is-open .parameters-container").first).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "docs-swagger.png"))
    assert not offline.errors, offline.errors
    assert all(urlsplit(u).hostname in LOOPBACK for u in [page.url]), page.url


def test_redoc_renders_offline(offline: Offline, live_url: str) -> None:  # noqa: F811
    page = offline.page
    page.goto(f"{live_url}/redoc")
    expect(page.locator("h1", has_text="migration-kg API")).to_be_visible()
    expect(page.locator("[role=menuitem]", has_text="Cypher").first).to_be_attached()
    expect(page.get_by_text("/v1/cypher").first).to_be_attached()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "docs-redoc.png"))
    assert not offline.errors, offline.errors


def test_explorer_api_link_leads_to_working_docs(offline: Offline, live_url: str) -> None:  # noqa: F811
    page = offline.page
    page.goto(f"{live_url}/")
    page.locator("a[data-nav=api]").click()
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.url.endswith("/docs")
