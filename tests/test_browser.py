"""The analyst explorer, end to end in headless Chromium (Debian's, driven by Playwright).

A real uvicorn server on 127.0.0.1 serves the app over the module's loaded graph; the
browser walks the analyst's journey (search Serbia, see the agreement that covers it
and its evidence, the graph, the named query, the Cypher console) and checks keyboard
use, phone widths, labels and contrast. Each page's screenshot is saved under
artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from api.app import create_app
from api.routers import explorer
from conftest import curated, serving
from graph.falkor import FalkorBackend
from loaders.facts import Facts
from migkg.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect
# How long any page wait or expect() may take. Generous: a busy machine renders late, and
# expect() has its own 5 s default that page.set_default_timeout does not change.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


# ---------------------------------------------------------------- fixtures

def explorer_app(backend: FalkorBackend, settings: Settings) -> Any:
    """The app over `backend`, with the explorer's routes."""
    app = create_app(settings, backend=backend)
    if not any(getattr(r, "path", "") == "/" for r in app.routes):
        app.include_router(explorer.router)
    return app


@pytest.fixture(scope="module")
def live_url(loaded: FalkorBackend) -> Iterator[str]:
    """The app (with the explorer) served by uvicorn on a loopback port."""
    with serving(explorer_app(loaded, Settings())) as url:
        yield url


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def engine_url(request: pytest.FixtureRequest, loaded: FalkorBackend, facts: Facts) -> Iterator[str]:
    """The explorer served over the curated graph on each engine in turn."""
    backend: Any = loaded
    if request.param == "neo4j":
        backend = curated(request.getfixturevalue("neo"), facts)
    with serving(explorer_app(backend, Settings(query_timeout_ms=120_000))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Tab:
    """A page plus the JavaScript errors it logged."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}")
                if m.type == "error" else None)
        page.set_default_timeout(TIMEOUT_MS)

    def open(self, route: str) -> Any:
        """Load `/#<route>` and wait until the view has rendered."""
        self.page.goto(f"{self.base}/#{route}")
        self.ready()
        return self.page

    def visit(self, path: str) -> Any:
        """Load a server path (such as `/id/country/RS`) and wait until the script rendered it."""
        self.page.goto(f"{self.base}{path}")
        self.ready()
        return self.page

    def ready(self) -> None:
        """Wait until the view for the current URL has rendered."""
        self.page.wait_for_function(
            "() => document.body && document.body.dataset.ready === location.hash")

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert not self.errors, "JavaScript errors:\n" + "\n".join(self.errors)


def _tab(browser: Any, base: str, viewport: dict[str, int]) -> Iterator[Tab]:
    ctx = browser.new_context(viewport=viewport, reduced_motion="reduce")
    tab = Tab(ctx.new_page(), base)
    try:
        yield tab
    finally:
        ctx.close()


@pytest.fixture
def tab(browser: Any, live_url: str) -> Iterator[Tab]:
    yield from _tab(browser, live_url, LAPTOP)


@pytest.fixture
def phone(browser: Any, live_url: str) -> Iterator[Tab]:
    yield from _tab(browser, live_url, PHONE)


def wait_graph(page: Any, minimum: int = 2) -> int:
    page.wait_for_function(
        "n => window.cy && !window.cy.destroyed() && window.cy.nodes().length >= n", arg=minimum)
    # Let the renderer paint before screenshots: two frames, however long they take.
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return int(page.evaluate("window.cy.nodes().length"))


# ---------------------------------------------------------------- the journey

def test_analyst_journey(tab: Tab) -> None:
    page = tab.open("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Migration knowledge graph")
    counts = page.get_by_role("list", name="Entities per kind")
    expect(counts.get_by_role("link", name=re.compile(r"^\d+ Countries$"))).to_be_visible()
    expect(page.get_by_role("heading", name="Recent events")).to_be_visible()
    tab.shot("01-home")

    # 1) search "Serbia" and open it
    box = page.get_by_role("combobox", name="Search the graph")
    box.fill("Serbia")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    option = listbox.get_by_role("option", name=re.compile(r"^Serbia\b"))
    expect(option).to_be_visible()
    tab.shot("02-search-suggestions")
    option.click()
    page.wait_for_url(re.compile(r"#/entity/country/RS$"))
    tab.ready()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Serbia")

    # 2) the agreement that covers it, with its evidence quote and source
    coverage = page.get_by_role("region", name="Agreements covering Serbia")
    item = coverage.locator('[data-agreement="uk-serbia-agreement"]')
    expect(item.get_by_role("link", name="UK-Serbia agreement on organised immigration crime")).to_be_visible()
    expect(item.locator("blockquote").filter(has_text="intercept the criminal gangs").first).to_contain_text(
        "intercept the criminal gangs as they transit vulnerable people")
    expect(item.locator("figcaption").first).to_contain_text("New agreements to be signed with Western Balkans")
    # Each claim quotes its own evidence: the relationship below shows its quote too.
    covered_by = page.get_by_role("region", name=re.compile("^Covered by"))
    expect(covered_by.get_by_role("group", name=re.compile("^Evidence: UK-Serbia agreement"))).to_contain_text(
        "intercept the criminal gangs")
    expect(page.get_by_role("link", name="JSON", exact=True)).to_have_attribute("href", "/v1/countries/RS")
    expect(page.get_by_role("link", name="RDF (IRI)")).to_have_attribute("href", "/id/country/RS")
    tab.shot("03-entity-serbia")

    # 3) the graph view of its neighbourhood
    page.get_by_role("link", name="Graph view", exact=True).click()
    tab.ready()
    one_hop = wait_graph(page)
    assert one_hop > 1
    assert page.evaluate("window.cy.$id('uk-serbia-agreement').length") == 1
    tab.shot("04-graph-serbia")

    # 4) the named query "Agreements covering a country", from its form
    page.get_by_role("link", name="Queries", exact=True).click()
    tab.ready()
    page.get_by_role("link", name="Agreements covering a country").first.click()
    tab.ready()
    page.get_by_role("combobox", name=re.compile("^Country")).fill("Serbia")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_url(re.compile(r"#/queries/agreements_covering_country/run\?country=Serbia$"))
    table = page.locator("#query-results table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_be_visible()
    assert table.locator("tbody tr").count() >= 2
    expect(table.locator('a[href="#/entity/agreement/uk-serbia-agreement"]').first).to_have_text(
        "UK-Serbia agreement on organised immigration crime")
    tab.shot("05-query-agreements-covering-serbia")

    # 5) a Cypher query in the console
    page.get_by_role("link", name="Cypher", exact=True).click()
    tab.ready()
    page.get_by_label("Cypher statement (read-only)").fill(
        "MATCH (a:Agreement)-[r:COVERS]->(c:Country {id: 'RS'}) RETURN a, r, c")
    page.get_by_role("button", name="Run", exact=True).click()
    results = page.locator("#cypher-results table")
    expect(results).to_be_visible()
    expect(results).to_contain_text("UK-Serbia agreement on organised immigration crime")
    assert wait_graph(page, 2) == 2
    assert page.evaluate("window.cy.edges().length") == 1
    tab.shot("06-cypher-console")
    tab.assert_clean()


# ---------------------------------------------------------------- shareable runs

def test_a_query_url_reruns_the_query(tab: Tab) -> None:
    page = tab.open("/queries/agreements_covering_country/run?country=Serbia")
    expect(page.locator('#query-results table a[href="#/entity/agreement/uk-serbia-agreement"]').first
           ).to_be_visible()
    expect(page.get_by_role("combobox", name=re.compile("^Country"))).to_have_value("Serbia")
    expect(page.get_by_role("link", name="This run as JSON")).to_have_attribute(
        "href", "/v1/queries/agreements_covering_country?country=Serbia")
    tab.assert_clean()


def test_a_path_result_draws_as_a_graph(tab: Tab) -> None:
    page = tab.open("/queries/shortest_connection/run?from=yvette-cooper&to=RS")
    table = page.locator("#query-results table")
    expect(table).to_contain_text("Yvette Cooper")
    assert wait_graph(page, 3) >= 3
    assert page.evaluate("window.cy.edges().length") >= 2
    tab.shot("07-query-shortest-connection")
    tab.assert_clean()


def test_a_console_url_reruns_the_statement(tab: Tab) -> None:
    q = quote("MATCH (c:Country) RETURN c.id AS id, c.name AS name ORDER BY id LIMIT 3")
    page = tab.open(f"/cypher?q={q}")
    expect(page.locator("#cypher-results table tbody tr")).to_have_count(3)
    tab.assert_clean()


def test_the_console_shows_refused_writes_and_syntax_errors(tab: Tab) -> None:
    page = tab.open("/cypher")
    page.get_by_label("Cypher statement (read-only)").fill("CREATE (n:Country {id: 'ZZ'}) RETURN n")
    page.get_by_role("button", name="Run", exact=True).click()
    alert = page.locator("#cypher-results [role=alert]")
    expect(alert).to_contain_text("writes are not allowed")
    tab.shot("08-cypher-refused-write")
    # Failed requests log "Failed to load resource" in the console: expected here.
    assert all("status of 400" in e for e in tab.errors), tab.errors


def test_the_console_points_at_a_syntax_error(tab: Tab) -> None:
    page = tab.open("/cypher")
    page.get_by_label("Cypher statement (read-only)").fill("MATCH (c:Country)\nRETURN c.id AS id,\n  nosuchfunction(c)")
    page.get_by_role("button", name="Run", exact=True).click()
    alert = page.locator("#cypher-results [role=alert]")
    expect(alert).to_contain_text("(line 3, column 3)")
    expect(alert.locator("pre.error-context")).to_have_text("  nosuchfunction(c)\n  ^")
    assert "errMsg" not in alert.inner_text()
    assert all("status of 400" in e for e in tab.errors), tab.errors


def test_query_results_read_well_with_evidence_in_view(tab: Tab) -> None:
    page = tab.open("/queries/agreements_covering_country/run?country=Serbia")
    table = page.locator("#query-results table")
    heads = table.locator("thead th").all_inner_texts()
    assert "Agreement type" in heads and "Via" in heads, heads
    assert not [h for h in heads if "_" in h], heads
    assert "Evidence" not in heads  # quoted under each row instead of in a far column
    assert "[ ]" not in table.inner_text()  # an empty list (no qualifiers) is a dash, not JSON
    evidence = table.locator("tr.evidence-row").first
    expect(evidence).to_be_visible()
    expect(evidence).to_contain_text("“")
    assert "{" not in evidence.inner_text() and '"doc"' not in evidence.inner_text()
    box = evidence.locator(".evidence-quotes").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], box
    tab.assert_clean()


def test_every_named_query_has_a_labelled_form(tab: Tab, live_url: str) -> None:
    queries = httpx.get(f"{live_url}/v1/queries").json()["items"]
    for q in queries:
        page = tab.open(f"/queries/{q['name']}")
        expect(page.get_by_role("heading", level=1)).to_have_text(q["title"])
        form = page.get_by_role("form", name=f"Parameters of {q['title']}")
        for pname, schema in q["parameters"]["properties"].items():
            control = form.locator(f"#p-{q['name']}-{pname}")
            expect(control).to_have_count(1)
            tag = control.evaluate("e => e.tagName.toLowerCase()")
            if "enum" in schema:
                assert tag == "select", (q["name"], pname)
            elif schema["type"] == "boolean":
                assert control.get_attribute("type") == "checkbox"
            elif schema["type"] == "integer":
                assert control.get_attribute("type") == "number"
            assert control.evaluate("e => e.labels.length") == 1, (q["name"], pname)
        # The example values fill the form and the query runs with them.
        if q["parameters"]["required"]:
            page.get_by_role("button", name="Fill in the example").click()
        page.get_by_role("button", name="Run query").click()
        page.wait_for_url(re.compile(rf"#/queries/{q['name']}/run"))
        expect(page.locator("#query-results").get_by_role("heading", name="Results")).to_be_visible()
        expect(page.locator("#query-results [role=alert]")).to_have_count(0)
    tab.assert_clean()


def test_entity_parameters_suggest_entities_of_their_kind(tab: Tab) -> None:
    page = tab.open("/queries/agreement_parties")
    box = page.get_by_role("combobox", name=re.compile("^Agreement"))
    box.fill("serbia")
    option = page.get_by_role("option").first
    expect(option).to_contain_text("UK-Serbia agreement")
    expect(page.get_by_role("option")).to_have_count(1)  # the country is not an agreement
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("uk-serbia-agreement")
    tab.assert_clean()


# ---------------------------------------------------------------- pages

def test_an_entity_page_for_every_kind(tab: Tab, live_url: str) -> None:
    for kind in explorer.explorer_config()["kinds"]:
        first = httpx.get(f"{live_url}/v1/{kind['plural']}", params={"limit": 1}).json()["items"][0]
        page = tab.open(f"/entity/{kind['slug']}/{quote(first['id'])}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(first["name"] or first["id"])
        expect(page.get_by_role("region", name="Properties")).to_contain_text(first["id"])
        expect(page.get_by_role("link", name="JSON", exact=True)).to_have_attribute(
            "href", f"/v1/{kind['plural']}/{quote(first['id'])}")
        expect(page.get_by_role("link", name="Turtle")).to_have_attribute(
            "href", f"/id/{kind['slug']}/{quote(first['id'])}?format=ttl")
        if kind["name"] == "Agreement":
            tab.shot("09-entity-agreement")
    tab.assert_clean()


def test_entity_links_resolve_any_reference(tab: Tab) -> None:
    page = tab.open("/entity/Britain")
    expect(page.get_by_role("heading", level=1)).to_contain_text("United Kingdom")
    page = tab.open("/entity/country/Narnia")
    expect(page.get_by_role("alert")).to_contain_text("Not found")
    assert all("status of 404" in e for e in tab.errors), tab.errors


def test_graph_filters_and_two_hops(tab: Tab) -> None:
    page = tab.open("/graph/RS")
    one_hop = wait_graph(page)
    page.get_by_role("link", name="2 hops").click()
    tab.ready()
    page.wait_for_function("() => window.cy && window.cy.nodes().length > 0")
    two_hops = wait_graph(page, one_hop + 1)
    assert two_hops > one_hop
    visible = "window.cy.nodes(':visible').length"
    before = page.evaluate(visible)
    page.get_by_role("button", name="None").click()
    assert page.evaluate(visible) == 1  # only the centre is left
    page.get_by_role("checkbox", name=re.compile(r"^Covers")).check()
    assert page.evaluate(visible) == 2  # Serbia and the agreement covering it
    assert page.evaluate("window.cy.edges(':visible').length") == 1
    assert "types=COVERS" in page.url
    page.get_by_role("button", name="All").click()
    assert page.evaluate(visible) == before
    tab.shot("10-graph-two-hops")
    tab.assert_clean()


# Label boxes of the drawn nodes, in canvas pixels, skipping labels too small to be drawn.
NODE_LABELS_JS = """() => {
  const z = window.cy.zoom();
  return window.cy.nodes(':visible').map((n) => {
    const min = parseFloat(n.style('min-zoomed-font-size')) || 0;
    const shown = parseFloat(n.style('font-size')) * z >= min;
    const b = n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true});
    return {id: n.id(), label: n.style('label'), shown, x1: b.x1, x2: b.x2, y1: b.y1, y2: b.y2};
  });
}"""


def _overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if min(a["x2"], b["x2"]) - max(a["x1"], b["x1"]) > 1 and \
                    min(a["y2"], b["y2"]) - max(a["y1"], b["y1"]) > 1:
                out.append((a["label"], b["label"]))
    return out


@pytest.mark.parametrize("route", ["/graph/RS?hops=2", "/graph/uk-serbia-agreement?hops=2",
                                   "/graph/RS?hops=2&layout=cose"])
def test_node_labels_never_overlap(tab: Tab, route: str) -> None:
    page = tab.open(route)
    wait_graph(page, 5)
    boxes = page.evaluate(NODE_LABELS_JS)
    shown = [b for b in boxes if b["shown"] and b["label"]]
    if route == "/graph/RS?hops=2":  # a dozen nodes in rings: every label is drawn
        assert len(shown) == len(boxes)
    assert not _overlaps(shown), _overlaps(shown)
    tab.shot("graph-" + re.sub(r"\W+", "-", route.strip("/")))
    tab.assert_clean()


EDGE_LABEL_JS = """(type) => {
  const ed = window.cy.edges(`[type = "${type}"]`)[0];
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${ed.style('font-size')} ${ed.style('font-family')}`;
  const b = ed.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true});
  const nodesZ = Math.max(...window.cy.nodes().map((n) => n.style('z-index-compare') === 'manual'
                                                       ? Number(n.style('z-index')) : 0));
  const c = window.cy.container();
  return {label: ed.style('label'), width: b.w, text: ctx.measureText(ed.style('label')).width * window.cy.zoom(),
          inside: b.x1 >= 0 && b.y1 >= 0 && b.x2 <= c.clientWidth && b.y2 <= c.clientHeight,
          above: ed.style('z-index-compare') === 'manual' && Number(ed.style('z-index')) > nodesZ};
}"""


def test_edge_labels_are_whole_and_on_top(tab: Tab) -> None:
    page = tab.open("/graph/RS")
    wait_graph(page)
    # At rest every line names its relationship in words (graph.relWords).
    words = {"COVERS": "Covers", "PARTY_TO": "Party to", "PASSES_THROUGH": "Passes through"}
    assert sorted(page.evaluate("window.cy.edges().map(e => e.style('label'))")) == sorted(words.values())
    for rel, label_text in words.items():
        page.evaluate("(t) => { window.cy.elements().unselect(); "
                      "window.cy.edges(`[type = \"${t}\"]`).select(); }", rel)
        label = page.evaluate(EDGE_LABEL_JS, rel)
        assert label["label"] == label_text, label
        assert label["width"] >= label["text"], label  # the whole word fits its box
        assert label["inside"] and label["above"], label
    tab.shot("graph-serbia-edge-selected")
    tab.assert_clean()


def test_a_small_graph_fills_its_canvas(tab: Tab) -> None:
    page = tab.open("/graph/RS")
    wait_graph(page)
    fill = page.evaluate("""() => { const b = window.cy.elements(':visible').renderedBoundingBox(
        {includeLabels: true}); const c = window.cy.container();
        return {w: b.w / c.clientWidth, h: b.h / c.clientHeight, zoom: window.cy.zoom()}; }""")
    assert max(fill["w"], fill["h"]) >= 0.7, fill
    assert fill["zoom"] <= 1.6, fill  # but labels are not blown up
    tab.shot("graph-serbia-one-hop")
    tab.assert_clean()


def test_the_country_page_quotes_each_source_once(tab: Tab, live_url: str) -> None:
    page = tab.open("/entity/country/RS")
    coverage = page.get_by_role("region", name="Agreements covering Serbia")
    expect(coverage.locator("[data-agreement]")).to_have_count(3)
    # Each claim quotes each of its sources once (test_browser_entity checks which claim).
    for claim in page.locator(".claim-evidence").all():
        quotes = claim.locator("blockquote p").all_inner_texts()
        assert quotes and len(quotes) == len(set(quotes)), quotes
    item = coverage.locator('[data-agreement="uk-serbia-agreement"]')
    expect(item.locator(".how-list")).to_contain_text("Party to the agreement")
    expect(item.locator(".how-list")).to_contain_text("Within its geographic coverage")
    assert "Covers it" not in page.locator("main").inner_text()
    # The questions read as the named queries' titles.
    titles = {q["name"]: q["title"] for q in httpx.get(f"{live_url}/v1/queries").json()["items"]}
    links = page.get_by_role("region", name="Questions about it").get_by_role("link")
    texts = links.all_inner_texts()
    assert texts and all(t in titles.values() and "_" not in t for t in texts), texts
    # Help text shows code as code, never a literal backtick.
    assert "`" not in page.locator("main").inner_text()
    expect(page.get_by_role("region", name=re.compile("^Routes passing through")).locator("code")
           ).to_have_text("order")
    tab.shot("entity-serbia")
    tab.assert_clean()


def test_an_iri_in_a_browser_is_the_explorer_page(tab: Tab, browser: Any, live_url: str) -> None:
    page = tab.visit("/id/country/RS")
    assert page.url == f"{live_url}/id/country/RS"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Serbia")
    # Enhanced by the script: the coverage section comes from the JSON API.
    expect(page.get_by_role("region", name="Agreements covering Serbia")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Timeline").click()
    page.wait_for_url(f"{live_url}/#/timeline")
    tab.assert_clean()
    # Without JavaScript the server's page reads on its own.
    ctx = browser.new_context(viewport=LAPTOP, java_script_enabled=False)
    try:
        plain = ctx.new_page()
        plain.goto(f"{live_url}/id/country/RS")
        expect(plain.get_by_role("heading", level=1)).to_contain_text("Serbia")
        expect(plain.get_by_role("region", name="Properties")).to_contain_text("Republic of Serbia")
        SHOTS.mkdir(parents=True, exist_ok=True)
        plain.screenshot(path=str(SHOTS / "id-country-RS-no-javascript.png"), full_page=True)
    finally:
        ctx.close()


def test_kind_list_filters(tab: Tab) -> None:
    page = tab.open("/kind/agreements?status=to_be_signed")
    items = page.locator(".entity-item")
    expect(items.first).to_be_visible()
    assert items.count() == 3
    expect(page.get_by_role("link", name="JSON", exact=True)).to_have_attribute(
        "href", "/v1/agreements?status=to_be_signed&limit=50")
    tab.shot("12-list-agreements")
    tab.assert_clean()


# ---------------------------------------------------------------- keyboard

def test_keyboard_only_search(tab: Tab) -> None:
    page = tab.open("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('role')") == "combobox":
            break
    else:
        pytest.fail("Tab never reached the search box")
    page.keyboard.type("serb")
    expect(page.get_by_role("listbox")).to_be_visible()
    page.keyboard.press("ArrowDown")
    box = page.get_by_role("combobox", name="Search the graph")
    active = box.get_attribute("aria-activedescendant")
    assert active
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#/entity/country/RS$"))
    tab.ready()
    # Focus moved to the new page's heading, so the next Tab continues from there.
    assert page.evaluate("document.activeElement.tagName") == "H1"
    # Enter with no suggestion chosen lists all matches.
    tab.open("/")
    box = page.get_by_role("combobox", name="Search the graph")
    box.focus()
    page.keyboard.type("agreement")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#/search\?q=agreement$"))
    tab.ready()
    expect(page.get_by_role("status").filter(has_text="matches")).to_contain_text("for “agreement”")
    tab.assert_clean()


def test_skip_link_moves_focus_to_the_content(tab: Tab) -> None:
    page = tab.open("/timeline")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#/timeline")
    tab.assert_clean()


# ---------------------------------------------------------------- phone width and accessibility

PAGES = [
    ("home", "/", None),
    ("kind-agreements", "/kind/agreements", None),
    ("entity-serbia", "/entity/country/RS", None),
    ("entity-agreement", "/entity/agreement/uk-serbia-agreement", None),
    ("graph", "/graph/RS", "graph"),
    ("graph-two-hops", "/graph/RS?hops=2", "graph"),
    ("queries", "/queries", None),
    ("query", "/queries/agreements_covering_country/run?country=Serbia", "#query-results table"),
    ("cypher", "/cypher?q=" + quote("MATCH (a:Agreement)-[r:COVERS]->(c:Country) RETURN a, r, c"),
     "#cypher-results table"),
    ("timeline", "/timeline", None),
    ("id-country", "/id/country/RS", None),  # an IRI followed in a browser
]


def open_page(tab: Tab, route: str, wait: str | None) -> Any:
    """Open an explorer route (or a server path such as /id/...) and wait for its content."""
    page = tab.visit(route) if route.startswith("/id/") else tab.open(route)
    if wait == "graph":
        wait_graph(page)
    elif wait:
        expect(page.locator(wait)).to_be_visible()
    return page


@pytest.mark.parametrize(("name", "route", "wait"), PAGES, ids=[p[0] for p in PAGES])
def test_phone_width_has_no_horizontal_overflow(phone: Tab, name: str, route: str,
                                                wait: str | None) -> None:
    page = open_page(phone, route, wait)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the viewport"
    # Elements past the viewport's edges, except inside their own scrolling boxes
    # (wide tables and code scroll within themselves) and the off-screen skip link.
    wide = page.evaluate("""() => {
        const scrolls = (e) => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
        return [...document.querySelectorAll('body *')]
          .filter(e => { const r = e.getBoundingClientRect();
                         return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1)
                                && !scrolls(e) && !e.closest('.visually-hidden, .skip-link'); })
          .map(e => e.tagName + '.' + e.className).slice(0, 5); }""")
    assert not wide, f"{name}: elements past the edge: {wide}"
    phone.shot(f"phone-{name}")
    phone.assert_clean()


# WCAG 2 contrast of every visible text against the first opaque background behind it.
CONTRAST_JS = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(',').map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') continue;
    if (el.closest('.visually-hidden')) continue;
    const l1 = lum(parse(s.color));
    const l2 = lum(background(el));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(s.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      bad.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
  }
  return bad;
}"""

LABELS_JS = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((e) => e.type !== 'hidden')
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                 && !e.getAttribute('aria-labelledby') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
  .map((e) => e.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize(("name", "route", "wait"), PAGES, ids=[p[0] for p in PAGES])
def test_landmarks_labels_and_contrast(tab: Tab, name: str, route: str, wait: str | None) -> None:
    page = open_page(tab, route, wait)
    tab.shot(f"page-{name}")
    assert page.evaluate("document.documentElement.lang") == "en"
    for role in ("banner", "navigation", "main", "contentinfo"):
        assert page.get_by_role(role).count() >= 1, f"{name}: no {role} landmark"
    assert page.locator("h1").count() == 1, f"{name}: one h1 per page"
    assert page.evaluate(LABELS_JS) == [], f"{name}: unlabelled controls"
    assert page.evaluate(CONTRAST_JS) == [], f"{name}: low contrast text"
    tab.assert_clean()


AXE = Path(__file__).resolve().parent / "browser_audit" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RESULTS = SHOTS.parent / "axe"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2 A/AA and best practices)."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: npm ci --prefix tests/browser_audit")
    # Evaluated through the DevTools protocol: the page's CSP forbids injected scripts.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return list(page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                               targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""))


@pytest.mark.parametrize(("name", "route", "wait"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_nothing_serious(tab: Tab, name: str, route: str, wait: str | None) -> None:
    page = open_page(tab, route, wait)
    found = axe_violations(page)
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / f"{name}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['targets']}"
                                                 for v in serious)
    tab.assert_clean()


def test_focus_is_visible(tab: Tab) -> None:
    page = tab.open("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the brand link
    style = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert style not in ("none", ""), "focused links show an outline"


# ---------------------------------------------------------------- the HTTP side

def test_pages_stay_out_of_the_openapi_document(live_url: str) -> None:
    paths = httpx.get(f"{live_url}/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/static") for p in paths)


def test_static_files_are_confined(live_url: str) -> None:
    home = httpx.get(f"{live_url}/")
    assert home.status_code == 200 and "text/html" in home.headers["content-type"]
    assert "default-src 'self'" in home.headers["content-security-policy"]
    js = httpx.get(f"{live_url}/static/js/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    lic = httpx.get(f"{live_url}/static/vendor/cytoscape/LICENSE")
    assert lic.status_code == 200 and "Cytoscape Consortium" in lic.text
    for bad in ("/static/../app.py", "/static/%2e%2e/routers/explorer.py", "/static/",
                "/static/js/nope.js"):
        r = httpx.get(f"{live_url}{bad}")
        assert r.status_code == 404, bad
        assert r.headers["content-type"].startswith("application/problem+json")


class _Page(HTMLParser):
    """Text and links of an HTML page, with the text of each element's subtree by tag."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.cells: list[str] = []  # the text of each <dd> and <li>
        self._open: list[list[str]] = []
        self._href: str | None = None
        self._anchor: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._anchor = dict(attrs).get("href") or "", []
        if tag in ("dd", "li"):
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._anchor).strip()))
            self._href = None
        if tag in ("dd", "li") and self._open:
            self.cells.append("".join(self._open.pop()).strip())

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            self._anchor.append(data)
        for cell in self._open:
            cell.append(data)


def test_an_iri_as_html_reads_without_javascript(live_url: str) -> None:
    r = httpx.get(f"{live_url}/id/country/RS", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["vary"] == "Accept" and "text/turtle" in r.headers["link"]
    doc = _Page()
    doc.feed(r.text)
    text = " ".join("".join(doc.text).split())
    links = dict(doc.links)
    # The explorer's face: its stylesheet, script, header and navigation.
    assert '<link rel="stylesheet" href="/static/css/explorer.css">' in r.text
    assert "/static/js/app.js" in r.text and 'aria-label="Main"' in r.text
    assert {"Home", "Timeline", "Queries", "Cypher"} <= {t for _, t in doc.links}
    # Name, properties, relationships and evidence, as text.
    assert "<h1>Serbia" in r.text
    for words in ("Reference names", "Republic of Serbia", "Covered by", "Party to",
                  "Routes passing through", "UK-Serbia agreement on organised immigration crime",
                  "intercept the criminal gangs as they transit vulnerable people"):
        assert words in text, words
    # Sources by title, Wikidata ids as links, one value per cell.
    doc_title = "New agreements to be signed with Western Balkans countries"
    assert any(t.startswith(doc_title) for t in links.values()), links
    assert links.get("https://www.wikidata.org/wiki/Q403") == "Q403"
    assert not [c for c in doc.cells if "; " in c and ":" in c.split("; ", 1)[1]], doc.cells
    assert any(c == "Role: Transit" for c in doc.cells) or "Role: Transit" in text  # in words
    quotes = re.findall(r"<p>“(.*?)”</p>", r.text)
    # every claim (the entity, each relationship) with its own quotes: no "quoted above"
    assert quotes and "quoted above" not in r.text, quotes
    assert quotes.count("signing new agreements with Serbia, North Macedonia and Kosovo") == 4, quotes
    # Links to the data and the alternates stay.
    assert "/id/country/RS?format=ttl" in links and "/v1/countries/RS" in links
    assert 'rel="alternate"' in r.text
    # Turtle for the same IRI is unchanged.
    ttl = httpx.get(f"{live_url}/id/country/RS", headers={"Accept": "text/turtle"})
    assert ttl.headers["content-type"].startswith("text/turtle") and "Serbia" in ttl.text
