"""Evidence per claim on entity pages, in headless Chromium on both engines: on the Serbia
page each way an agreement covers it (party, coverage, each link of a route) and each
relationship shows the quotes for that claim, with the document's title and a link to
the quote in the reader; nothing says "quoted above". Screenshots land in
artifacts/screenshots/ (entity-serbia-*: docs/img/ keeps copies)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    SHOTS,
    TIMEOUT_MS,
    Tab,
    _tab,
    axe_violations,
    browser,
    engine_url,
    expect,
    pytestmark,
)

expect.set_options(timeout=TIMEOUT_MS)

DOC = "pm-epc-budapest-western-balkans"
TITLE = "New agreements to be signed with Western Balkans countries"
SIGNING = "signing new agreements with Serbia, North Macedonia and Kosovo"


@pytest.fixture
def etab(browser: Any, engine_url: str) -> Iterator[Tab]:  # noqa: F811
    yield from _tab(browser, engine_url, {"width": 1400, "height": 900})


def _claim(scope: Any, starts: str) -> Any:
    return scope.get_by_role("group", name=re.compile("^Evidence: " + re.escape(starts)))


def test_each_claim_shows_its_own_quotes(etab: Tab) -> None:
    page = etab.open("/entity/country/RS")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Serbia")
    assert "quoted above" not in main.inner_text()
    # relationship types in words; the stored code only as a tooltip
    expect(page.get_by_role("heading", level=3, name=re.compile("^Party to"))).to_have_attribute(
        "title", "PARTY_TO →")
    headings = page.locator(".rel-group h3").all_inner_texts()
    assert len(headings) >= 3 and [h for h in headings if re.search(r"\b[A-Z]+_[A-Z_]+\b", h)] == []
    item = page.get_by_role("region", name="Agreements covering Serbia").locator(
        '[data-agreement="uk-serbia-agreement"]')
    party = item.locator('[data-how="party"]')
    expect(party).to_contain_text("Party to the agreement")
    quote = _claim(party, "Serbia is party to UK-Serbia agreement").get_by_role(
        "link", name=re.compile(re.escape(SIGNING)))
    expect(quote).to_have_attribute("href", f"#/document/{DOC}?at=1206-1268")
    expect(_claim(party, "Serbia is party to").locator("figcaption")).to_contain_text(TITLE)
    coverage = _claim(item.locator('[data-how="coverage"]'),
                      "UK-Serbia agreement on organised immigration crime covers Serbia")
    expect(coverage).to_contain_text("intercept the criminal gangs")
    # through a route, each link of the path has its own quotes
    route = item.locator('[data-how="route"]')
    expect(_claim(route, "Western Balkans route passes through Serbia")).to_contain_text(
        "Almost 100,000 migrants transited")
    addresses = _claim(route, "UK-Serbia agreement on organised immigration crime addresses Western Balkans route")
    expect(addresses).to_contain_text("Our work with our partners in the Western Balkans")
    expect(addresses).not_to_contain_text("Almost 100,000")
    # each relationship, and the entity itself, say which claim their quotes support
    expect(_claim(page.get_by_role("region", name=re.compile("^Party to")), "Serbia party to UK-Serbia")
           ).to_contain_text(SIGNING)
    expect(_claim(page.get_by_role("region", name=re.compile("^Routes passing through")),
                  "Western Balkans route passes through Serbia")).to_contain_text("Almost 100,000")
    expect(_claim(page.get_by_role("region", name="Evidence"), "the sources name Serbia")).to_contain_text(SIGNING)
    # every quote on the page sits under a claim, and each claim cites its document
    assert page.locator("blockquote").count() == page.locator(".claim-evidence blockquote").count()
    for group in page.locator(".claim-evidence").all():
        expect(group.locator("figcaption").first).to_contain_text(TITLE)
    # a quote leads into the reader with the quote targeted
    quote.click()
    page.wait_for_url(re.compile(rf"#/document/{DOC}\?at=1206-1268$"))
    etab.ready()
    expect(page.locator("mark").filter(has_text=SIGNING).first).to_be_visible()
    etab.assert_clean()


def test_a_coverage_that_rests_on_an_open_reading_says_so(etab: Tab) -> None:
    """Germany's share in the Calais plan holds only if Germany is a Calais Group partner:
    the answer carries the ambiguity in the data's words (issue 24, section 4)."""
    page = etab.open("/entity/country/DE")
    item = page.get_by_role("region", name="Agreements covering Germany").locator(
        '[data-agreement="calais-group-priority-plan-2025"]')
    qualifier = item.locator('[data-how="group"] .qualifier[data-link="MEMBER_OF"]')
    expect(qualifier).to_contain_text("Ambiguous:")
    expect(qualifier).to_contain_text("without Germany")
    expect(qualifier.locator(".chip")).to_have_text("Confidence: Low")
    etab.assert_clean()


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_serbia_screenshots(browser: Any, engine_url: str, width: int, height: int) -> None:  # noqa: F811
    """docs/img/entity-serbia-*.png are copies of these: the agreements covering Serbia."""
    for shown in _tab(browser, engine_url, {"width": width, "height": height}):
        page = shown.open("/entity/country/RS")
        region = page.get_by_role("region", name="Agreements covering Serbia")
        expect(region.locator(".claim-evidence").first).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        region.scroll_into_view_if_needed()
        page.evaluate("() => document.getElementById('sec-agreements-covering-serbia').scrollIntoView()")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"entity-serbia-{width}x{height}.png"))
        shown.assert_clean()


def test_axe_finds_nothing_serious_on_the_serbia_page(etab: Tab) -> None:
    page = etab.open("/entity/country/RS")
    expect(page.locator(".claim-evidence").first).to_be_visible()
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, "; ".join(f"{v['id']} ({v['impact']}): {v['targets']}" for v in serious)
    etab.assert_clean()
