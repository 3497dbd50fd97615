"""The graph view (#/graph/...) in headless Chromium, on both engines: at 1 hop every name
whole on its card and every line labelled in words; at 2 hops the outer ring grouped by
kind (groups open from the canvas, by keyboard and from the lists), "Focus on this node",
legible at phone width, and axe. Screenshots land in artifacts/screenshots/ (graph-2hop-*:
docs/img/ keeps copies)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    SHOTS,
    TIMEOUT_MS,
    Tab,
    _overlaps,
    _tab,
    axe_violations,
    browser,
    engine_url,
    expect,
    pytestmark,
    wait_graph,
)

expect.set_options(timeout=TIMEOUT_MS)

ROUTE_2HOP = "/graph/western-balkans-route?hops=2"
READABLE_PX = 10  # the smallest a drawn name may be on screen





@pytest.fixture
def gtab(browser: Any, engine_url: str) -> Iterator[Tab]:  # noqa: F811
    yield from _tab(browser, engine_url, {"width": 1400, "height": 900})


# Every drawn card and line label, as boxes on the screen; names joined back from their lines.
DRAWN_JS = """() => {
  const cy = window.cy, c = cy.container();
  const box = (b) => ({x1: b.x1, x2: b.x2, y1: b.y1, y2: b.y2});
  const nodes = cy.nodes(':visible').map((n) => ({id: n.id(), kind: 'node', name: n.data('name'),
    label: n.style('label'), group: !!n.data('bundle'),
    px: parseFloat(n.style('font-size')) * cy.zoom(),
    ...box(n.renderedBoundingBox({includeLabels: true}))}));
  const labels = cy.edges(':visible').filter((e) => e.style('label')).map((e) => ({id: e.id(),
    kind: 'edge', label: e.style('label'), type: e.data('type'),
    ...box(e.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true}))}));
  return {nodes, labels, zoom: cy.zoom(), w: c.clientWidth, h: c.clientHeight};
}"""





def test_one_hop_whole_names_and_lines_in_words(gtab: Tab) -> None:
    page = gtab.open("/graph/RS")
    wait_graph(page, 3)
    drawn = page.evaluate(DRAWN_JS)
    # every name whole (wrapped over lines, never cut with an ellipsis)
    for n in drawn["nodes"]:
        assert " ".join(n["label"].split()) == n["name"], n
        assert "…" not in n["label"]
    assert any("\n" in n["label"] for n in drawn["nodes"])  # the agreement's long name wraps
    # every line says its relationship in words, at rest
    assert sorted(x["label"] for x in drawn["labels"]) == ["Covers", "Party to", "Passes through"]
    # nothing touches, everything is inside the canvas, and the drawing fills it
    assert not _overlaps(drawn["nodes"] + drawn["labels"])
    everything = drawn["nodes"] + drawn["labels"]
    assert all(b["x1"] >= 0 and b["y1"] >= 0 and b["x2"] <= drawn["w"] and b["y2"] <= drawn["h"]
               for b in everything)
    width = max(b["x2"] for b in everything) - min(b["x1"] for b in everything)
    assert width / drawn["w"] >= 0.7, drawn
    assert min(n["px"] for n in drawn["nodes"]) >= READABLE_PX
    # the same in words: the type filter and the list of connections
    expect(page.get_by_role("checkbox", name=re.compile(r"^Party to"))).to_be_checked()
    page.get_by_text("Connections as a list").click()
    expect(page.locator("#graph-text-list")).to_contain_text("Serbia party to UK-Serbia agreement")
    gtab.assert_clean()


def test_two_hops_groups_the_outer_ring(gtab: Tab) -> None:
    page = gtab.open(ROUTE_2HOP)
    wait_graph(page, 5)
    status = page.locator(".graph-status")
    expect(status).to_contain_text(re.compile(r"\d+ nodes .* in \d+ groups"))
    total = int(re.match(r"(\d+) nodes", status.inner_text()).group(1))  # type: ignore[union-attr]
    drawn = page.evaluate(DRAWN_JS)
    groups = [n for n in drawn["nodes"] if n["group"]]
    assert total > 40 and len(drawn["nodes"]) <= 26, (total, len(drawn["nodes"]))
    assert groups and all(re.search(r"\d+ \w+$", g["name"]) for g in groups), groups
    assert any(g["name"].startswith("Party to") and g["name"].endswith("agreements") for g in groups)
    assert not _overlaps(drawn["nodes"] + drawn["labels"])
    assert min(n["px"] for n in drawn["nodes"]) >= READABLE_PX
    # a group opens from the canvas: a click on its card draws its members
    group = next(g for g in groups if g["name"].startswith("Party to"))
    page.mouse.click((group["x1"] + group["x2"]) / 2 + _canvas_x(page),
                     (group["y1"] + group["y2"]) / 2 + _canvas_y(page))
    page.wait_for_function("(id) => window.cy.$id(id).length === 0", arg=group["id"])
    opened = page.evaluate(DRAWN_JS)
    assert len(opened["nodes"]) > len(drawn["nodes"])
    details = page.locator(".graph-details")
    expect(details.get_by_role("button", name=re.compile("again"))).to_have_attribute("aria-expanded", "true")
    # ... and from the keyboard, in the list of groups
    button = page.locator("#graph-groups button", has_text="positions of United Kingdom")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("window.cy.nodes('[kind = \"Position\"]').filter(n => !n.data('bundle')).length") >= 2
    # keyboard on the canvas: arrows select nodes, the selection offers "Focus on this node"
    page.locator("#graph-canvas").focus()
    for _ in range(40):
        page.keyboard.press("ArrowRight")
        if page.evaluate("window.cy.nodes(':selected').map(n => n.id())") == ["RS"]:
            break
    focus = details.get_by_role("link", name="Focus on this node")
    expect(focus).to_have_attribute("href", "#/graph/RS?hops=2")
    focus.click()
    gtab.ready()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Graph around Serbia")
    wait_graph(page, 3)
    assert page.evaluate("window.cy.$id('RS').data('center')") is True
    gtab.assert_clean()


def _canvas_x(page: Any) -> float:
    return float(page.locator("#graph-canvas").bounding_box()["x"])


def _canvas_y(page: Any) -> float:
    return float(page.locator("#graph-canvas").bounding_box()["y"])


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_two_hops_screenshots_and_phone(browser: Any, engine_url: str, width: int, height: int) -> None:  # noqa: F811
    """docs/img/graph-2hop-*.png are copies of these: what the screen holds."""
    for shown in _tab(browser, engine_url, {"width": width, "height": height}):
        page = shown.open(ROUTE_2HOP)
        wait_graph(page, 5)
        drawn = page.evaluate(DRAWN_JS)
        assert min(n["px"] for n in drawn["nodes"]) >= READABLE_PX  # legible on a phone too
        assert not _overlaps(drawn["nodes"] + drawn["labels"])
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.locator("#graph-canvas").scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"graph-2hop-{width}x{height}.png"))
        shown.assert_clean()


@pytest.mark.parametrize("route", ["/graph/RS", ROUTE_2HOP])
def test_axe_finds_nothing_serious_on_the_graph(gtab: Tab, route: str) -> None:
    page = gtab.open(route)
    wait_graph(page, 3)
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, "; ".join(f"{v['id']} ({v['impact']}): {v['targets']}" for v in serious)
    gtab.assert_clean()
