"""The timeline (#/timeline) in headless Chromium, on both engines: dated items on one axis
(a day a mark, a range a span), undated ones listed apart with the texts' words, in the
order the texts state, with the bounds they allow; a planned date that has passed says so;
axe finds nothing serious. Screenshots at 1400x900 and 390x844 land in
artifacts/screenshots/ (docs/img/timeline-*.png are copies)."""

from __future__ import annotations

from typing import Any

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    CONTRAST_JS,
    SHOTS,
    TIMEOUT_MS,
    Tab,
    _tab,
    axe_violations,
    browser,
    engine_url,
    expect,
    live_url,
    pytestmark,
)

from migkg.dates import today

expect.set_options(timeout=TIMEOUT_MS)

EIN_CHAIN = "Stated against Home Secretary details new agreements"





def _open(shown: Tab) -> Any:
    page = shown.open("/timeline")
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline", timeout=TIMEOUT_MS)
    expect(page.locator("svg.tl-track").first).to_be_attached(timeout=TIMEOUT_MS)
    return page


def _item(page: Any, ident: str) -> Any:
    return page.locator(f'[data-id="{ident}"]')


def test_the_timeline_draws_dates_spans_and_the_stated_order(browser: Any, engine_url: str) -> None:  # noqa: F811
    for shown in _tab(browser, engine_url, {"width": 1400, "height": 900}):
        page = _open(shown)
        dated = page.get_by_role("region", name="Dated by the texts", exact=True)
        # a day is a mark, a range a span, on one axis, in order of their first day
        expect(_item(dated, "epc-meeting-budapest").locator("rect.tl-point")).to_have_count(1, timeout=TIMEOUT_MS)
        glasgow = _item(dated, "interpol-conference-glasgow")
        expect(glasgow.locator("rect.tl-span")).to_have_count(1, timeout=TIMEOUT_MS)
        expect(glasgow).to_contain_text("4–7 November 2024", timeout=TIMEOUT_MS)
        spring = _item(dated, "council-of-europe-meeting-spring-2026")
        expect(spring.locator("rect.tl-span")).to_have_count(1, timeout=TIMEOUT_MS)
        expect(spring).to_contain_text("1 March to 30 June 2026", timeout=TIMEOUT_MS)
        expect(spring.locator("svg.tl-track")).to_have_attribute(
            "aria-label", "1 March to 30 June 2026, on the axis from November 2024 to June 2026")
        firsts = dated.locator("li.tl-item time").evaluate_all("els => els.map(e => e.dateTime)")
        assert firsts[0] == "2024-11" and "2025-10-02" in firsts and firsts[-1] == "2026", firsts
        # a planned date that has passed says so, with the status as of its source
        expect(_item(dated, "epc-meeting-budapest")).to_contain_text(
            "Date passed (planned as of 7 November 2024)", timeout=TIMEOUT_MS)
        # undated items apart: their words, the stated order, their bounds
        undated = page.get_by_role("region", name="Not dated by the texts")
        assert _item(undated, "epc-meeting-budapest").count() == 0
        chain = undated.get_by_role("region", name=EIN_CHAIN)
        order = chain.locator("li[data-id]").evaluate_all("els => els.map(e => e.dataset.id)")
        assert order.index("uk-germany-joint-action-plan") < order.index("calais-group-london-meeting") \
            < order.index("ein-home-secretary-new-agreements"), order
        plan = _item(chain, "uk-germany-joint-action-plan")
        expect(plan).to_contain_text("“Yesterday” the day before Home Secretary's written statement on the "
                                     "UK-Germany Joint Action Plan, no later than 30 December 2025",
                                     timeout=TIMEOUT_MS)
        expect(plan).to_contain_text("So 2 days before Home Secretary details new agreements", timeout=TIMEOUT_MS)
        expect(_item(chain, "calais-group-london-meeting")).to_contain_text(
            "So the day before Home Secretary details new agreements", timeout=TIMEOUT_MS)
        # what the texts place only after an item is nested under it: no order is drawn
        # between the Illicit Finance Summit ("Next June") and the spring 2026 meeting
        release = _item(undated, "foreign-secretary-brussels-press-release")
        expect(release.locator('.tl-nested [data-id="illicit-finance-summit"]')).to_have_count(1, timeout=TIMEOUT_MS)
        expect(release).to_contain_text("After it (the texts do not say how long):", timeout=TIMEOUT_MS)
        summit = _item(undated, "illicit-finance-summit")
        expect(summit).to_contain_text("“Next June” after UK Foreign Secretary calls on European partners",
                                       timeout=TIMEOUT_MS)
        expect(summit).to_contain_text("no later than 30 June 2027", timeout=TIMEOUT_MS)
        expect(summit).to_contain_text("Date passed" if today() > "2027-06-30" else "Planned",
                                       timeout=TIMEOUT_MS)
        expect(_item(undated, "uk-statement-on-irregular-migration")).to_contain_text(
            "2015 or later", timeout=TIMEOUT_MS)
        # the kinds can be hidden
        page.get_by_role("checkbox", name="Agreements").uncheck()
        expect(page.locator("li.tl-agreement")).to_have_count(0, timeout=TIMEOUT_MS)
        assert "agreements=0" in page.url
        page.get_by_role("checkbox", name="Agreements").check()
        found = axe_violations(page)
        serious = [v for v in found if v["impact"] in ("serious", "critical")]
        assert not serious, "; ".join(f"{v['id']} ({v['impact']}): {v['targets']}" for v in serious)
        shown.assert_clean()


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_screenshots_of_the_timeline(browser: Any, live_url: str, width: int, height: int) -> None:  # noqa: F811
    """The pictures in docs/explorer.md (docs/img/timeline-*.png are copies of these), on
    the embedded engine; at phone width nothing scrolls sideways."""
    for shown in _tab(browser, live_url, {"width": width, "height": height}):
        page = _open(shown)
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width, f"the page scrolls sideways ({scroll} px)"
        assert page.evaluate(CONTRAST_JS) == []
        page.get_by_role("heading", name="Dated by the texts", exact=True).scroll_into_view_if_needed()
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"timeline-{width}x{height}.png"))
        shown.assert_clean()
