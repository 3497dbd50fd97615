"""The map (#/map) and the map panels of route and country pages, in headless Chromium:
routes drawn through their countries (a line only where the sources give the order),
an agreement highlighted, clicks that open pages, the tables that say the same, a phone
screen, and axe. Screenshots land in artifacts/screenshots/ (map-desktop, map-phone:
docs/img/ keeps copies)."""

from __future__ import annotations

import re
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
    expect,
    live_url,
    phone,
    pytestmark,
    tab,
)

expect.set_options(timeout=TIMEOUT_MS)  # not expect()'s 5 s: a busy machine renders late

MAP = '[aria-label="Map of the routes and the countries of the agreements"]'


def _open_map(tab: Tab, route: str = "/map") -> object:  # noqa: F811
    page = tab.open(route)
    expect(page.get_by_role("heading", level=1)).to_have_text("Map of routes and agreements",
                                                                 timeout=TIMEOUT_MS)
    expect(page.locator(f"{MAP} .kg-country path").first).to_be_attached(timeout=TIMEOUT_MS)
    return page


def test_the_map_draws_routes_and_countries(tab: Tab) -> None:  # noqa: F811
    page = _open_map(tab)
    svg = page.locator(MAP)
    # every country with a point has its shape, linked to its page
    expect(svg.locator('a.kg-country[href="#/entity/country/RS"] path')).to_have_count(1, timeout=TIMEOUT_MS)
    assert svg.locator("a.kg-country path").count() >= 25
    # the Aegean route is a line (the sources give its order); the others have none
    aegean = svg.locator('a.route[data-route="turkey-greek-islands-route"]')
    expect(aegean.locator("path.route-line")).to_have_count(1, timeout=TIMEOUT_MS)
    wb = svg.locator('a.route[data-route="western-balkans-route"]')
    expect(wb).to_have_class(re.compile(r"\bunordered\b"), timeout=TIMEOUT_MS)
    expect(wb.locator("path.route-line")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(wb.locator("rect.unordered-outline")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(wb.locator(".place")).to_have_count(4, timeout=TIMEOUT_MS)  # RS, MK, XK and the UK
    # and says so in words, in the table beside the map
    routes = page.get_by_role("region", name="Routes")
    row = routes.locator('tr[data-route="western-balkans-route"]')
    expect(row).to_contain_text("Not stated", timeout=TIMEOUT_MS)
    expect(row).to_contain_text("Order along the route not stated, so no line is drawn", timeout=TIMEOUT_MS)
    expect(routes.locator('tr[data-route="turkey-greek-islands-route"]')).to_contain_text(
        "Turkey → Greece", timeout=TIMEOUT_MS)
    expect(page.get_by_role("list", name="Legend")).to_contain_text("do not state", timeout=TIMEOUT_MS)
    tab.shot("map-desktop")
    tab.assert_clean()


def test_selecting_an_agreement_lights_up_its_countries(tab: Tab) -> None:  # noqa: F811
    page = _open_map(tab)
    page.get_by_label("Highlight an agreement").select_option("uk-serbia-agreement")
    svg = page.locator(MAP)
    expect(svg).to_have_class(re.compile(r"\bhas-selection\b"), timeout=TIMEOUT_MS)
    expect(svg.locator("a.kg-country.sel-party")).to_have_count(2, timeout=TIMEOUT_MS)  # UK, Serbia
    expect(svg.locator('a.kg-country.sel-party[data-id="RS"]')).to_have_count(1, timeout=TIMEOUT_MS)
    expect(svg.locator('a.route.sel-route[data-route="western-balkans-route"]')).to_have_count(
        1, timeout=TIMEOUT_MS)
    expect(page.get_by_role("status").filter(has_text="parties")).to_contain_text(
        "parties United Kingdom, Serbia; covers Serbia", timeout=TIMEOUT_MS)
    assert "agreement=uk-serbia-agreement" in page.url
    # the URL brings it back
    page = _open_map(tab, "/map?agreement=uk-france-migration-treaty")
    expect(page.get_by_label("Highlight an agreement")).to_have_value("uk-france-migration-treaty", timeout=TIMEOUT_MS)
    expect(page.locator(f'{MAP} a.kg-country.sel-party[data-id="FR"]')).to_have_count(1, timeout=TIMEOUT_MS)
    tab.assert_clean()


def test_clicking_a_country_or_a_route_opens_its_page(tab: Tab) -> None:  # noqa: F811
    page = _open_map(tab)
    page.locator(f'{MAP} a.kg-country[data-id="GR"] path').click()
    page.wait_for_url(re.compile(r"#/entity/country/GR$"), timeout=TIMEOUT_MS)
    tab.ready()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Greece", timeout=TIMEOUT_MS)
    page = _open_map(tab)
    page.locator(f'{MAP} a.route[data-route="turkey-greek-islands-route"] text.route-label').click()
    page.wait_for_url(re.compile(r"#/entity/route/turkey-greek-islands-route$"), timeout=TIMEOUT_MS)
    tab.ready()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aegean route", timeout=TIMEOUT_MS)
    tab.assert_clean()


def test_the_tables_say_what_the_map_shows(tab: Tab) -> None:  # noqa: F811
    page = _open_map(tab)
    countries = page.get_by_role("region", name="Countries")
    serbia = countries.locator('tr[data-country="RS"]')
    expect(serbia.get_by_role("link", name="Serbia", exact=True)).to_have_attribute(
        "href", "#/entity/country/RS", timeout=TIMEOUT_MS)
    expect(serbia).to_contain_text("UK-Serbia agreement", timeout=TIMEOUT_MS)
    expect(serbia).to_contain_text("Western Balkans route (transit)", timeout=TIMEOUT_MS)
    assert countries.locator("tbody tr").count() >= 25
    # keyboard: the agreement select and every table link are reachable; the drawing
    # itself keeps out of the tab order (its links are in the tables)
    assert page.locator(f"{MAP} a[tabindex='-1']").count() == page.locator(f"{MAP} a").count()
    expect(page.get_by_role("link", name="Routes as GeoJSON")).to_have_attribute(
        "href", "/v1/routes?format=geojson", timeout=TIMEOUT_MS)
    tab.assert_clean()


def test_the_map_at_phone_width(phone: Tab) -> None:  # noqa: F811
    page = _open_map(phone)
    expect(page.locator(MAP)).to_be_visible(timeout=TIMEOUT_MS)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    box = page.locator(MAP).bounding_box()
    assert box is not None and box["width"] <= 390
    assert page.evaluate(CONTRAST_JS) == []
    phone.shot("map-phone")
    phone.assert_clean()


@pytest.mark.parametrize("route", ["/map", "/map?agreement=uk-serbia-agreement",
                                   "/entity/route/western-balkans-route", "/entity/country/RS"])
def test_axe_finds_nothing_serious_on_the_maps(tab: Tab, route: str) -> None:  # noqa: F811
    page = tab.open(route)
    expect(page.locator(".map-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    found = axe_violations(page)
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, "; ".join(f"{v['id']} ({v['impact']}): {v['targets']}" for v in serious)
    tab.assert_clean()


def test_route_and_country_pages_have_a_map_panel(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/entity/route/western-balkans-route")
    panel = page.get_by_role("region", name="On the map")
    expect(panel.locator(".map-svg")).to_be_visible(timeout=TIMEOUT_MS)
    expect(panel.locator("path.route-line")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(panel.locator(".place")).to_have_count(4, timeout=TIMEOUT_MS)
    expect(panel).to_contain_text("Order along the route not stated", timeout=TIMEOUT_MS)
    expect(panel.get_by_role("link", name=re.compile("Open the map"))).to_have_attribute(
        "href", "#/map", timeout=TIMEOUT_MS)
    page = tab.open("/entity/route/turkey-greek-islands-route")
    panel = page.get_by_role("region", name="On the map")
    expect(panel.locator("path.route-line")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(panel).to_contain_text("Turkey → Greece", timeout=TIMEOUT_MS)
    page = tab.open("/entity/country/RS")
    panel = page.get_by_role("region", name="On the map")
    expect(panel.locator('a.kg-country.focus[data-id="RS"] path')).to_have_count(1, timeout=TIMEOUT_MS)
    expect(panel).to_contain_text("44.211° N, 20.806° E", timeout=TIMEOUT_MS)
    expect(panel).to_contain_text("Natural Earth", timeout=TIMEOUT_MS)
    tab.shot("map-panel-serbia")
    tab.assert_clean()


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_screenshots_of_the_map(browser: Any, live_url: str, width: int, height: int) -> None:  # noqa: F811
    """The pictures in docs/explorer.md (docs/img/map-*.png and route-*.png are copies of
    these): the map with an agreement highlighted, and a route's page; what the screen
    holds, not the whole page."""
    for shown in _tab(browser, live_url, {"width": width, "height": height}):
        page = _open_map(shown, "/map?agreement=uk-serbia-agreement")
        expect(page.locator(f"{MAP} .sel-party").first).to_be_attached(timeout=TIMEOUT_MS)
        page.locator(MAP).scroll_into_view_if_needed()
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"map-{width}x{height}.png"))
        # and a route's page, its map panel in view (docs/img/route-*.png)
        page = shown.open("/entity/route/western-balkans-route")
        panel = page.get_by_role("region", name="On the map")
        expect(panel.locator(".place")).to_have_count(4, timeout=TIMEOUT_MS)
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.screenshot(path=str(SHOTS / f"route-western-balkans-{width}x{height}.png"))
        shown.assert_clean()


def test_the_map_is_drawn_from_this_server_alone(tab: Tab, live_url: str) -> None:  # noqa: F811
    """No tile server or CDN: every request the map page makes goes to its own origin, and
    each vendored library is served with its licence and notice."""
    import httpx

    asked: list[str] = []
    tab.page.on("request", lambda r: asked.append(r.url))
    _open_map(tab)
    assert asked and all(u.startswith(live_url) for u in asked), [u for u in asked
                                                                  if not u.startswith(live_url)]
    assert any(u.endswith("/static/vendor/world-atlas/countries-50m.json") for u in asked)
    for lib in ("d3-geo", "d3-array", "topojson-client", "world-atlas"):
        for name in ("LICENSE", "README.txt"):
            assert httpx.get(f"{live_url}/static/vendor/{lib}/{name}").status_code == 200, (lib, name)
    notice = httpx.get(f"{live_url}/static/vendor/world-atlas/README.txt").text
    assert "Natural Earth" in notice and "public domain" in notice
    tab.assert_clean()
