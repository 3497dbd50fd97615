"""The document reader in headless Chromium: an evidence quote links to its highlighted span.

Uses the live server, browser and tab fixtures of tests/test_browser.py. The reader's
screenshot is saved as artifacts/screenshots/document-reader.png.
"""

from __future__ import annotations

import re

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    CONTRAST_JS,
    TIMEOUT_MS,
    Tab,
    browser,
    expect,
    live_url,
    phone,
    pytestmark,
    tab,
)

from loaders.texts import fold

expect.set_options(timeout=TIMEOUT_MS)  # not expect()'s 5 s: a busy machine renders late


def _marked(page: object) -> str:
    return str(page.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('.reader-text mark.at')].map(m => m.textContent).join('')"))


def test_an_evidence_quote_opens_the_reader_at_its_span(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/entity/country/RS")
    link = page.locator(".evidence a.quote-link").first
    expect(link).to_be_visible()
    quote = link.inner_text().strip("“”")
    href = link.get_attribute("href") or ""
    assert re.fullmatch(r"#/document/[a-z0-9-]+\?at=\d+-\d+", href), href
    link.click()
    tab.ready()
    assert page.url.endswith(href)
    marked = page.locator(".reader-text mark.at").first
    expect(marked).to_be_in_viewport()
    assert fold(_marked(page)) == fold(quote)
    facts = page.locator(".reader-fact-list li")
    expect(facts.first).to_be_visible()
    expect(page.locator(".reader-fact-list a[href='#/entity/country/RS']").first).to_be_visible()
    expect(page.locator(".reader-text mark.selected")).to_have_count(1)
    tab.shot("document-reader")
    tab.assert_clean()


def test_clicking_a_highlight_lists_the_facts_it_supports(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/document/pm-epc-budapest-western-balkans")
    marks = page.locator(".reader-text mark.quoted")
    assert marks.count() > 10
    expect(page.locator(".reader-text mark.at")).to_have_count(0)
    first = marks.first
    first.click()
    expect(page.locator(".reader-facts h3")).to_contain_text("this passage")
    links = page.locator(".reader-fact-list a")
    assert links.count() >= 1
    links.first.click()
    tab.ready()
    assert "#/entity/" in page.url
    tab.assert_clean()


def test_a_span_that_is_not_quoted_says_so(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/document/pm-epc-budapest-western-balkans?at=1-2")
    expect(page.locator(".reader-facts .problem")).to_contain_text("No quoted span at 1-2")
    tab.assert_clean()


@pytest.mark.parametrize("doc", ["cabinet-office-joint-migration-statement",
                                 "foreign-secretary-brussels-press-release"])
def test_the_reader_fits_a_phone(phone: Tab, doc: str) -> None:  # noqa: F811 (fixtures of test_browser)
    page = phone.open(f"/document/{doc}")
    expect(page.locator(".reader-text")).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    text = page.evaluate("() => document.querySelector('.reader-text').textContent")
    api = page.evaluate(f"() => fetch('/v1/documents/{doc}/text').then(r => r.json())")
    assert text == api["text"]  # every character of the stored text, none added
    phone.assert_clean()


def test_the_reader_is_accessible(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/document/ein-home-secretary-new-agreements?at=0-10")
    assert page.locator("h1").count() == 1
    assert page.evaluate(CONTRAST_JS) == []  # highlighted and marked spans included
    mark = page.locator(".reader-text mark.quoted").nth(1)
    mark.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".reader-text mark.selected")).to_have_count(1)
    expect(page.locator(".reader-facts h3")).to_contain_text("this passage")
    tab.assert_clean()
