"""The explorer in words, with no dead ends (issue 23, items 3, 5, 7 and 9), in headless
Chromium:

- error pages render the API's problem: a 409's candidates and a 404's suggestions as
  links, the `see` link, a search box, never JSON;
- codes in the schema's words (the code as a tooltip), dates formatted and unbroken,
  documents by their titles, entity cells linked by the kind and id the API gives (never
  by a column's name), on FalkorDB and on Neo4j;
- the reader: the target quote strong, the other cited spans faint (a switch hides them),
  a list to step through them, the licence and attribution (no repository path);
- a phone: the navigation folds into a menu button; nothing is cut at 390 px.

Uses the live server, browser and tab fixtures of tests/test_browser.py. Screenshots of
the error pages and the reader land in artifacts/screenshots/ (docs/img/ keeps copies).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

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
    explorer_app,
    live_url,
    phone,
    pytestmark,
    tab,
)

from conftest import serving
from graph.neo4j_backend import Neo4jBackend
from migkg.settings import Settings

expect.set_options(timeout=TIMEOUT_MS)  # not expect()'s 5 s: a busy machine renders late

READER = "/document/pm-epc-budapest-western-balkans?at=1206-1268"
PAGE_TEXT = "() => document.getElementById('main').innerText"


def _no_serious_axe(page: Any, what: str) -> None:
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, f"{what}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['targets']}"
                                                  for v in serious)


def _only_expected_failures(shown: Tab, *statuses: int) -> None:
    """The failed requests of an error page log "Failed to load resource": expected."""
    assert all(any(f"status of {s}" in e for s in statuses) for e in shown.errors), shown.errors


# ---------------------------------------------------------------- 3. no dead ends

def test_an_ambiguous_name_lists_its_candidates_with_a_search_box(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/entity/European")
    expect(page.get_by_role("heading", level=1)).to_have_text("Which one did you mean?")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Ambiguous reference (409)")
    candidates = alert.get_by_role("list", name="Entities it could mean")
    expect(candidates.get_by_role("link", name="European Union", exact=True)).to_have_attribute(
        "href", "#/entity/organisation/european-union")
    expect(candidates.get_by_role("link", name="European Convention on Human Rights")).to_have_attribute(
        "href", "#/entity/agreement/european-convention-on-human-rights")
    assert candidates.get_by_role("listitem").count() >= 5
    expect(candidates.get_by_role("listitem").first.locator(".badge")).to_have_text("Organisation")
    text = page.evaluate(PAGE_TEXT)
    assert "{" not in text and '"id"' not in text and "candidates" not in text, text
    _no_serious_axe(page, "409 page")
    # the search box is the explorer's combobox: pick a suggestion and its page opens
    box = page.get_by_role("combobox", name="Search the graph instead")
    expect(box).to_have_value("European")
    box.fill("Serbia")
    expect(page.get_by_role("option").first).to_contain_text("Serbia")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(r"#/entity/country/RS$"))
    tab.ready()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Serbia")
    _only_expected_failures(tab, 409)


def test_an_unknown_name_suggests_names_and_another_kind_points_to_its_page(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/entity/Serbistan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nothing by that name")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not found (404)")
    expect(alert.get_by_role("list", name="Suggestions").get_by_role("link", name="Serbia")).to_have_attribute(
        "href", "#/entity/country/RS")
    expect(page.get_by_role("search").get_by_role("combobox")).to_have_value("Serbistan")
    assert "{" not in page.evaluate(PAGE_TEXT)
    _no_serious_axe(page, "404 page")
    # an id of another kind: the problem's `see` becomes the explorer's page
    page = tab.open("/entity/country/uk-serbia-agreement")
    see = page.get_by_role("alert").get_by_role("link", name="open its page")
    expect(see).to_have_attribute("href", "#/entity/agreement/uk-serbia-agreement")
    expect(page.get_by_role("alert")).to_contain_text("It is an agreement")
    # and an explorer path that is no page has the search box too
    page = tab.open("/no/such/page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("combobox", name="Search the graph instead")).to_be_visible()
    _only_expected_failures(tab, 404)


# ---------------------------------------------------------------- 5. human words

def check_words(tab: Tab) -> None:  # noqa: F811
    """What the query tables and the console show, on whichever engine serves `tab`."""
    page = tab.open("/queries/agreements_by_status/run?status=to_be_signed")
    table = page.locator("#query-results table")
    row = table.locator("tbody tr").filter(has_text="UK-Serbia agreement")
    # the entity cell links by the kind and id the API gives
    expect(row.get_by_role("link", name="UK-Serbia agreement on organised immigration crime")).to_have_attribute(
        "href", "#/entity/agreement/uk-serbia-agreement")
    # codes in words, the code as the tooltip
    status = row.locator("[title='to_be_signed']")
    expect(status).to_have_text("To be signed")
    expect(row.locator("[title='agreement']")).to_have_text("Agreement")
    assert "to_be_signed" not in table.inner_text()
    # a date formatted, machine-readable, on one line
    when = row.locator("time[datetime='2024-11-07']")
    expect(when).to_have_text("7 November 2024")
    assert when.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    assert when.evaluate("e => e.getClientRects().length") == 1  # one line box: never broken
    expect(page.locator("#p-agreements_by_status-status option:checked")).to_have_text("To be signed")

    # every party linked, whatever it is: the UK and North Macedonia as well as Serbia
    page = tab.open("/queries/agreement_parties/run?agreement=uk-north-macedonia-agreement")
    table = page.locator("#query-results table")
    expect(table.get_by_role("link", name="United Kingdom", exact=True)).to_have_attribute(
        "href", "#/entity/country/GB")
    expect(table.get_by_role("link", name="North Macedonia", exact=True)).to_have_attribute(
        "href", "#/entity/country/MK")
    expect(table.get_by_text("Party to", exact=True).first).to_have_attribute("title", "PARTY_TO")
    # documents by their titles, the id as the tooltip
    doc = table.locator(".cell-quote a[title='pm-epc-budapest-western-balkans']").first
    expect(doc).to_have_text(re.compile("^New agreements to be signed with Western Balkans countries"))
    assert "PARTY_TO" not in table.inner_text()

    # the console: nodes are linked by their labels; a string called `country` is text
    q = quote("MATCH (x)-[:PARTY_TO]->(:Agreement {id: 'uk-north-macedonia-agreement'}) "
              "RETURN x, x.id AS country ORDER BY x.id")
    page = tab.open(f"/cypher?q={q}")
    table = page.locator("#cypher-results table")
    expect(table.get_by_role("link", name="United Kingdom", exact=True)).to_have_attribute(
        "href", "#/entity/country/GB")
    expect(table.get_by_role("link", name="North Macedonia", exact=True)).to_have_attribute(
        "href", "#/entity/country/MK")
    expect(table.locator("tbody td").filter(has_text=re.compile("^MK$"))).to_have_count(1)
    assert table.locator("tbody a", has_text=re.compile("^(GB|MK)$")).count() == 0
    tab.assert_clean()


def test_words_dates_titles_and_links_in_tables(tab: Tab) -> None:  # noqa: F811
    check_words(tab)


@pytest.mark.neo4j
def test_words_dates_titles_and_links_in_tables_on_neo4j(browser: Any,  # noqa: F811
                                                        neo_loaded: Neo4jBackend) -> None:
    with serving(explorer_app(neo_loaded, Settings())) as url:
        for shown in _tab(browser, url, {"width": 1280, "height": 800}):
            check_words(shown)


def test_entity_cells_in_json_and_as_ids_in_csv(live_url: str) -> None:  # noqa: F811
    """A named query's entity is `{kind, id, name}` in JSON; CSV keeps writing its id; the
    labels of the codes answer at /v1/vocabulary."""
    import httpx

    url = f"{live_url}/v1/queries/agreements_by_status?status=to_be_signed"
    first = httpx.get(url).json()["items"][0]["agreement"]
    assert set(first) == {"kind", "id", "name"} and first["kind"] == "Agreement"
    csv = httpx.get(url + "&format=csv").text.splitlines()
    assert csv[0].startswith("agreement,") and csv[1].startswith(f"{first['id']},"), csv[:2]
    schema = httpx.get(f"{live_url}/openapi.json").json()["components"]["schemas"]["QueryRows"]
    assert "{kind, id, name}" in schema["properties"]["items"]["description"]
    # the words the explorer shows for codes, as the API answers them
    words = httpx.get(f"{live_url}/v1/vocabulary").json()
    assert words["values"]["to_be_signed"] == "To be signed" and words["values"]["ngo"] == "NGO"
    assert words["relationships"]["PARTY_TO"] == {"label": "Party to", "outgoing": "Party to",
                                                  "incoming": "Parties"}


def test_labels_on_entity_and_list_pages(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/entity/agreement/uk-serbia-agreement")
    badge = page.locator("h1 .badge.status")
    expect(badge).to_have_text("To be signed")
    expect(badge).to_have_attribute("title", "to_be_signed")
    assert "to_be_signed" not in page.evaluate(PAGE_TEXT)
    page = tab.open("/kind/agreements?status=to_be_signed")
    expect(page.locator("#kind-status")).to_have_value("to_be_signed")
    expect(page.locator("#kind-status option:checked")).to_have_text("To be signed")
    expect(page.locator(".entity-item time").first).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$"))
    _no_serious_axe(page, "agreements")
    tab.assert_clean()


# ---------------------------------------------------------------- 7. the reader

def test_the_reader_marks_its_target_and_steps_through_the_rest(tab: Tab) -> None:  # noqa: F811
    page = tab.open(READER)
    text = page.locator(".reader-text")
    target = text.locator("mark.at")
    expect(target.first).to_be_in_viewport()
    assert "".join(target.all_inner_texts()) == "signing new agreements with Serbia, North Macedonia and Kosovo"
    other = text.locator("mark.quoted:not(.at)").first
    strong = target.first.evaluate("e => getComputedStyle(e).backgroundColor")
    faint = other.evaluate("e => getComputedStyle(e).backgroundColor")
    assert strong != faint and target.first.evaluate("e => getComputedStyle(e).fontWeight") == "600"
    # relationships in words in the facts panel
    facts = page.locator(".reader-fact-list")
    expect(facts.locator("[title='BUILDS_ON']").first).to_have_text("builds on")
    assert "BUILDS_ON" not in facts.inner_text() and "PARTY_TO" not in facts.inner_text()
    # the licence and the attribution, no path in the repository
    licence = page.get_by_role("region", name="Licence")
    expect(licence.get_by_role("link", name="Open Government Licence v3.0")).to_have_attribute(
        "href", re.compile("nationalarchives.gov.uk"))
    expect(licence).to_contain_text(
        "Contains public sector information licensed under the Open Government Licence v3.0")
    assert "shared/seeds" not in page.evaluate(PAGE_TEXT) and ".txt" not in licence.inner_text()
    # the other cited passages: hidden by the switch, out of the tab order while hidden
    switch = page.get_by_label("Show the other cited passages (faint)")
    expect(switch).to_be_checked()
    switch.uncheck()
    expect(text).to_have_class(re.compile(r"\bothers-hidden\b"))
    assert other.get_attribute("tabindex") is None
    assert other.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    switch.check()
    expect(other).to_have_attribute("tabindex", "0")
    # stepping: the passage after the target, then back
    cited = page.get_by_role("region", name="Cited passages")
    status = cited.get_by_role("status")
    expect(status).to_contain_text("the one you followed")
    n = cited.locator(".cited-list li").count()
    assert n == page.evaluate("() => fetch('/v1/documents/pm-epc-budapest-western-balkans/text')"
                              ".then(r => r.json()).then(d => d.annotations.length)")
    at = int(re.search(r"Passage (\d+) of", status.inner_text()).group(1))  # type: ignore[union-attr]
    cited.get_by_role("button", name="Next →").click()
    expect(status).to_contain_text(f"Passage {at + 1} of {n}")
    expect(text.locator("mark.selected")).to_have_count(1)
    expect(text.locator("mark.selected")).to_be_in_viewport()
    cited.get_by_role("button", name="← Previous").click()
    expect(status).to_contain_text(f"Passage {at} of {n}")
    expect(cited.locator(".cited-list a[aria-current]")).to_have_attribute(
        "href", "#/document/pm-epc-budapest-western-balkans?at=1206-1268")
    assert page.evaluate(CONTRAST_JS) == []
    _no_serious_axe(page, "reader")
    tab.assert_clean()


# ---------------------------------------------------------------- 9. a phone

def test_on_a_phone_the_navigation_is_a_menu_and_nothing_is_cut(phone: Tab) -> None:  # noqa: F811
    page = phone.open("/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Queries")).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 70, header  # one row
    # the placeholder of the search box fits its field
    fits = page.evaluate("""() => {
      const i = document.getElementById('search-input');
      const s = getComputedStyle(i);
      const c = document.createElement('canvas').getContext('2d');
      c.font = `${s.fontSize} ${s.fontFamily}`;
      const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      return [c.measureText(i.placeholder).width, room];
    }""")
    assert fits[0] <= fits[1], fits
    # keyboard: Enter opens it, Escape closes it and gives focus back
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Queries")).to_be_visible()
    _no_serious_axe(page, "phone menu")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    # a link in it goes, and the menu closes behind it
    menu.click()
    nav.get_by_role("link", name="Queries").click()
    phone.ready()
    expect(menu).to_have_attribute("aria-expanded", "false")
    for route in ("/", "/entity/European", READER, "/queries/agreements_by_status/run?status=to_be_signed"):
        page = phone.open(route)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, (route, width)
    _only_expected_failures(phone, 409)


def test_on_a_wide_screen_the_navigation_is_links(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Queries")).to_be_visible()
    tab.assert_clean()


# ---------------------------------------------------------------- pictures

SHOTS_OF = [("error-409", "/entity/European"), ("error-404", "/entity/Serbistan"), ("reader", READER)]


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_screenshots_of_errors_and_the_reader(browser: Any, live_url: str,  # noqa: F811
                                             width: int, height: int) -> None:
    """The pictures in docs/explorer.md (docs/img/ keeps copies): what the screen holds."""
    for shown in _tab(browser, live_url, {"width": width, "height": height}):
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name, route in SHOTS_OF:
            page = shown.open(route)
            if name == "reader":
                expect(page.locator(".reader-text mark.at").first).to_be_in_viewport()
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
            page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"))
        _only_expected_failures(shown, 404, 409)
