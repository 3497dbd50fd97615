"""The explorer's SPARQL page in headless Chromium: examples, a result table, IRIs
linking to entity pages, and a syntax error shown with its line and column."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import test_browser as tb

from api.app import create_app
from conftest import serving
from graph.falkor import FalkorBackend
from migkg.settings import Settings

pytestmark = tb.pytestmark
expect = tb.expect
expect.set_options(timeout=tb.TIMEOUT_MS)  # not expect()'s 5 s: a busy machine renders late
browser = tb.browser  # the shared module-scoped Chromium fixture


@pytest.fixture(scope="module")
def live_url(loaded: FalkorBackend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(home=tmp_path_factory.mktemp("sparql-browser"))
    with serving(create_app(settings, backend=loaded)) as base:
        yield base


@pytest.fixture
def tab(browser: Any, live_url: str) -> Iterator[tb.Tab]:
    yield from tb._tab(browser, live_url, tb.LAPTOP)


def test_the_sparql_page_runs_an_example_and_links_entities(tab: tb.Tab) -> None:
    page = tab.open("/sparql")
    expect(page.get_by_role("link", name="SPARQL", exact=True)).to_have_attribute("aria-current", "page")
    examples = page.locator("#sparql-examples li a")
    expect(examples).to_have_count(6)
    page.get_by_role("link", name="Agreements covering a country").click()
    tab.ready()
    table = page.locator("#sparql-results table")
    expect(table.locator("thead th").first).to_have_text("agreement_name")
    expect(table.locator("tbody tr")).to_have_count(18)
    expect(table).to_contain_text("UK-Serbia agreement on organised immigration crime")
    tab.shot("20-sparql-example")
    serbia = "SELECT ?agreement WHERE { ?agreement migkg:covers <https://w3id.org/migkg/id/country/RS> }"
    page = tab.open(f"/sparql?q={quote(serbia)}")
    iri = page.locator("#sparql-results a[href='#/entity/agreement/uk-serbia-agreement']").first
    expect(iri).to_have_text("https://w3id.org/migkg/id/agreement/uk-serbia-agreement")
    iri.click()
    tab.ready()
    expect(page.locator("h1")).to_contain_text("UK-Serbia agreement")
    tab.assert_clean()


def test_a_sparql_url_reruns_and_an_error_names_its_line(tab: tb.Tab) -> None:
    query = "SELECT ?c WHERE { ?c a migkg:Country } ORDER BY ?c LIMIT 3"
    page = tab.open(f"/sparql?q={quote(query)}")
    expect(page.locator("#sparql-results table tbody tr")).to_have_count(3)
    page.get_by_label("SPARQL query (read-only)").fill("SELECT ?s\nWHERE { ?s ?p }")
    page.get_by_role("button", name="Run", exact=True).click()
    alert = page.locator("#sparql-results [role=alert]")
    expect(alert).to_contain_text("line 2, column 16")
    tab.shot("21-sparql-syntax-error")
    assert all("status of 400" in e for e in tab.errors), tab.errors



SPARQL_PAGE = ("sparql", "/sparql?q=" + quote(
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"), "#sparql-results table")


@pytest.fixture
def phone(browser: Any, live_url: str) -> Iterator[tb.Tab]:
    yield from tb._tab(browser, live_url, tb.PHONE)


def test_the_sparql_page_fits_a_phone(phone: tb.Tab) -> None:
    tb.test_phone_width_has_no_horizontal_overflow(phone, *SPARQL_PAGE)


def test_the_sparql_page_has_landmarks_labels_and_contrast(tab: tb.Tab) -> None:
    tb.test_landmarks_labels_and_contrast(tab, *SPARQL_PAGE)
