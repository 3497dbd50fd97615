"""The explorer's "What changed" page and an entity's History section, in headless Chromium.

The data is a copy of data/ with two releases of its own: "1" of the facts as they are,
then "2" after three edits (the UK-Serbia agreement's status, Serbia's summary, and
Serbia's role in the agreement: party -> signatory, a relationship removed and added). The app
is served over that folder and a graph loaded from the edited facts, as tests/
test_browser.py serves the curated data; its browser, tab and checks are reused.
Screenshots land in artifacts/screenshots/changes-*.png.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    CONTRAST_JS,
    LABELS_JS,
    TIMEOUT_MS,
    Tab,
    axe_violations,
    browser,
    expect,
    explorer_app,
    phone,
    pytestmark,
    tab,
)

from conftest import DATA, serving
from graph.falkor import FalkorBackend
from graph.schema import get_schema
from loaders.facts import Facts
from loaders.pipeline import load_facts, read_facts
from loaders.releases import FOLDER, Releases
from migkg.settings import Settings

expect.set_options(timeout=TIMEOUT_MS)  # not expect()'s 5 s: a busy machine renders late

AGREEMENT = "uk-serbia-agreement"
OLD_STATUS, NEW_STATUS = "to_be_signed", "signed"
# ... shown in the schema's words, the code as the tooltip (issue 23)
OLD_WORDS, NEW_WORDS = "To be signed", "Signed"
OLD_SUMMARY = "Western Balkans country with which the UK is to sign a new agreement against smuggling gangs."
NEW_SUMMARY = "Western Balkans country with which the UK signed a new agreement against smuggling gangs."


def _edit_entity(path: Path, ident: str, before: str, after: str) -> None:
    """Replace `before` with `after` inside the entity `ident`'s item only."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"    id: {ident}\n")
    end = text.find("\n  - ", start)
    end = len(text) if end < 0 else end
    block = text[start:end]
    assert block.count(before) == 1, f"{path.name}: {ident} has no single {before!r}"
    path.write_text(text[:start] + block.replace(before, after) + text[end:], encoding="utf-8")


def _edit(path: Path, before: str, after: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(before) == 1, f"{path.name}: the edit's anchor is not unique: {before!r}"
    path.write_text(text.replace(before, after), encoding="utf-8")


def _copy(tmp: Path) -> Path:
    """data/ without its releases, so the test's own releases start the chain."""
    data = tmp / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(FOLDER))
    return data


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Facts]:
    """A data folder with releases 1 (the curated facts) and 2 (after two edits)."""
    data = _copy(tmp_path_factory.mktemp("two-releases"))
    releases = Releases(data)
    releases.record("1", read_facts(data), get_schema(), when="2026-01-05", notes="The curated facts.")
    _edit(data / "agreements.yaml",
          f"    id: {AGREEMENT}\n    name: UK-Serbia agreement on organised immigration crime\n"
          f"    agreement_type: agreement\n    status: {OLD_STATUS}\n",
          f"    id: {AGREEMENT}\n    name: UK-Serbia agreement on organised immigration crime\n"
          f"    agreement_type: agreement\n    status: {NEW_STATUS}\n")
    _edit_entity(data / "countries.yaml", "RS", f"    summary: {OLD_SUMMARY}\n",
                 f"    summary: {NEW_SUMMARY}\n")
    party = f"  - type: PARTY_TO\n    from: RS\n    to: {AGREEMENT}\n    role: "
    _edit(data / "agreements.yaml", f"{party}party\n", f"{party}signatory\n")
    facts = read_facts(data)
    releases.record("2", facts, get_schema(), when="2026-02-09", notes="The UK-Serbia agreement is signed.")
    return data, facts


@pytest.fixture(scope="module")
def edited(backend: FalkorBackend, two_releases: tuple[Path, Facts]) -> FalkorBackend:
    """The module's graph, loaded from the edited facts (release 2)."""
    load_facts(two_releases[1], backend)
    return backend


def served(backend: FalkorBackend, data: Path) -> Any:
    """The app (with the explorer) over `backend` and the releases of `data`, served."""
    return serving(explorer_app(backend, Settings(data=data)))


@pytest.fixture(scope="module")
def live_url(edited: FalkorBackend, two_releases: tuple[Path, Facts]) -> Iterator[str]:
    with served(edited, two_releases[0]) as base:
        yield base


def _change(page: Any, entity: str, prop: str) -> Any:
    return page.locator(f'.change-group[data-entity="{entity}"] li.change[data-property="{prop}"]')


# ---------------------------------------------------------------- what changed

def test_what_changed_lists_the_edits_with_old_and_new_values(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/changes")
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="What changed")
           ).to_have_attribute("aria-current", "page")
    # The previous and the latest release, by default.
    expect(page.get_by_label("From release")).to_have_value("1")
    expect(page.get_by_label("To release")).to_have_value("2")
    expect(page.get_by_role("status").filter(has_text="changed statement")).to_contain_text(
        "6 changed statements about 2 entities between 1 (2026-01-05) and 2 (2026-02-09)")
    expect(page.locator(".release-notes")).to_contain_text("The UK-Serbia agreement is signed.")

    status = _change(page, AGREEMENT, "status")
    expect(status).to_have_count(1)
    expect(status.locator(".change-tag")).to_have_text("Changed")
    expect(status.locator("del")).to_have_text(OLD_WORDS)
    expect(status.locator("ins")).to_have_text(NEW_WORDS)
    expect(status.locator(f"del [title='{OLD_STATUS}']")).to_have_count(1)
    expect(status.locator(".change-line")).to_contain_text(f"Status: was {OLD_WORDS}, now {NEW_WORDS}")
    summary = _change(page, "RS", "summary")
    expect(summary.locator("del")).to_have_text(OLD_SUMMARY)
    expect(summary.locator("ins")).to_have_text(NEW_SUMMARY)
    # A relationship reads from the entity's side, its target linked, its role in words.
    rels = page.locator('.change-group[data-entity="RS"] li.change[data-what="relationship"]')
    added = rels.and_(page.locator('[data-change="added"]'))
    expect(added.locator(".change-line")).to_contain_text("Party to")
    expect(added.locator(".change-line")).to_contain_text("(role: Signatory)")  # the schema's word, the code as tooltip
    expect(added.get_by_role("link", name="UK-Serbia agreement on organised immigration crime")
           ).to_have_attribute("href", f"#/entity/agreement/{AGREEMENT}")
    removed = rels.and_(page.locator('[data-change="removed"]'))
    expect(removed.locator(".change-tag")).to_have_text("Removed")
    expect(removed.locator(".change-line")).to_contain_text("(role: Party)")
    evidence = page.locator('.change-group[data-entity="RS"] li.change[data-what="evidence"]')
    expect(evidence).to_have_count(2)
    expect(evidence.first.locator("a.quote-link")).to_have_attribute(
        "href", re.compile(r"^#/document/pm-epc-budapest-western-balkans\?at=\d+-\d+$"))

    # Its evidence: quotes that open the document reader at their span, sources by title.
    quote = status.locator(".evidence a.quote-link").first
    expect(quote).to_be_visible()
    href = quote.get_attribute("href") or ""
    assert re.fullmatch(r"#/document/pm-epc-budapest-western-balkans\?at=\d+-\d+", href), href
    expect(status.locator(".evidence figcaption").first).to_contain_text(
        "New agreements to be signed with Western Balkans countries")
    text = page.locator("main").inner_text()
    assert "{" not in text and "null" not in text and "undefined" not in text, text
    tab.shot("changes-what-changed")

    # The entity's name leads to its explorer page.
    group = page.locator(f'.change-group[data-entity="{AGREEMENT}"]')
    group.get_by_role("heading").get_by_role("link", name="UK-Serbia agreement on organised immigration crime").click()
    page.wait_for_url(re.compile(rf"#/entity/agreement/{AGREEMENT}$"))
    tab.ready()
    expect(page.get_by_role("heading", level=1)).to_contain_text("UK-Serbia agreement")
    tab.assert_clean()


def test_picking_two_releases_compares_them(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/changes")
    page.get_by_label("From release").select_option("2")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"#/changes\?since=2&until=2$"))
    tab.ready()
    expect(page.locator("#changes-results [role=status]")).to_contain_text("pick two different releases")
    expect(page.locator(".change-group")).to_have_count(0)
    page.get_by_label("From release").select_option("1")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"#/changes\?since=1&until=2$"))
    tab.ready()
    expect(page.locator(".change-group")).to_have_count(2)
    tab.assert_clean()


def test_the_changes_are_paged_by_entity(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/changes?since=1&until=2&limit=1")
    groups = page.locator(".change-group")
    expect(groups).to_have_count(1)
    first = groups.first.get_attribute("data-entity")
    pages = page.get_by_role("navigation", name="Pages of changes")
    expect(pages.get_by_role("link", name="Previous entities")).to_have_count(0)
    pages.get_by_role("link", name="Next entities").click()
    tab.ready()
    expect(groups).to_have_count(1)
    assert groups.first.get_attribute("data-entity") not in (None, first)
    expect(page.get_by_role("status").filter(has_text="changed statement")).to_contain_text("entities 2–2")
    expect(pages.get_by_role("link", name="Next entities")).to_have_count(0)
    pages.get_by_role("link", name="Previous entities").click()
    tab.ready()
    expect(groups.first).to_have_attribute("data-entity", first or "")
    tab.assert_clean()


def test_one_entitys_changes(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open(f"/changes?since=1&until=2&entity={AGREEMENT}")
    expect(page.locator(".change-group")).to_have_count(1)
    expect(page.locator(".change-group")).to_have_attribute("data-entity", AGREEMENT)
    page.get_by_role("link", name="Show the changes to every entity").click()
    tab.ready()
    expect(page.locator(".change-group")).to_have_count(2)
    tab.assert_clean()


def test_an_unknown_release_is_the_apis_problem_in_words(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/changes?since=nope&until=2")
    alert = page.locator("#changes-results [role=alert]")
    expect(alert).to_contain_text("The changes could not be shown: Not found (404)")
    expect(alert).to_contain_text("no release 'nope'")
    assert '"status"' not in alert.inner_text() and "{" not in alert.inner_text()
    # The form still offers the releases there are.
    expect(page.get_by_label("To release")).to_have_value("2")
    # Failed requests log "Failed to load resource" in the console: expected here.
    assert all("status of 404" in e for e in tab.errors), tab.errors


def test_one_release_or_none_is_said_in_words(browser: Any, edited: FalkorBackend,  # noqa: F811 (fixtures of test_browser)
                                              tmp_path: Path) -> None:
    one = _copy(tmp_path / "one")
    Releases(one).record("1", read_facts(one), get_schema(), when="2026-01-05")
    none = _copy(tmp_path / "none")
    for data, words in ((one, "Only one release has been recorded: 1 (2026-01-05)"),
                        (none, "No release has been recorded yet")):
        with served(edited, data) as base:
            ctx = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
            try:
                t = Tab(ctx.new_page(), base)
                page = t.open("/changes")
                expect(page.get_by_role("heading", level=1)).to_have_text("What changed")
                expect(page.locator("main")).to_contain_text(words)
                expect(page.locator("select")).to_have_count(0)
                page = t.open("/entity/agreement/uk-serbia-agreement")
                history = page.get_by_role("region", name="History")
                if data is none:
                    expect(history).to_contain_text("No release has been recorded yet")
                else:
                    expect(history).to_contain_text("First seen in release 1 (2026-01-05)")
                    # The facts edited since: not in a release yet.
                    expect(history).to_contain_text("Properties not in a release yet: Status")
                t.assert_clean()
            finally:
                ctx.close()


# ---------------------------------------------------------------- an entity's history

def test_the_entity_page_shows_its_history(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open(f"/entity/agreement/{AGREEMENT}")
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("First seen in release 1 (2026-01-05); it is in the latest release.")
    expect(history).to_contain_text("Properties set after it was first seen: Status (since 2)")
    # Newest first: release 2 changed its status, release 1 brought it.
    releases = history.locator("li.history-release")
    expect(releases).to_have_count(2)
    expect(releases.nth(0)).to_have_attribute("data-release", "2")
    latest = releases.nth(0)
    expect(latest.get_by_role("heading", level=3)).to_have_text("Release 2 · 2026-02-09")
    expect(latest).to_contain_text("Release notes: The UK-Serbia agreement is signed.")
    status = latest.locator('li.change[data-property="status"]')
    expect(status.locator("del")).to_have_text(OLD_WORDS)
    expect(status.locator("ins")).to_have_text(NEW_WORDS)
    # Serbia's new role: a link that points at the agreement, its source named by the API
    # (/v1/entities/{ref}/history names both ends), and so is the removed one's.
    arrived = latest.locator('li.change[data-what="relationship"][data-change="added"]')
    expect(arrived).to_contain_text("Parties")
    expect(arrived).to_contain_text("(role: Signatory)")  # the schema's word, the code as tooltip
    expect(arrived.get_by_role("link", name="Serbia")).to_have_attribute("href", "#/entity/country/RS")
    removed = latest.locator('li.change[data-what="relationship"][data-change="removed"]')
    expect(removed).to_contain_text("(role: Party)")
    expect(removed.get_by_role("link", name="Serbia")).to_have_attribute("href", "#/entity/country/RS")
    first = releases.nth(1)
    expect(first).to_contain_text("Added to the graph in this release, with")
    first.locator("summary").click()
    expect(first.locator('li.change[data-what="relationship"]').first).to_be_visible()
    # A link to the same release on the What changed page, for this entity.
    latest.get_by_role("link", name="Compare with 1").click()
    page.wait_for_url(re.compile(rf"#/changes\?since=1&until=2&entity={AGREEMENT}$"))
    tab.ready()
    expect(page.locator(".change-group")).to_have_count(1)
    tab.assert_clean()


def test_the_history_names_linked_entities(tab: Tab) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open("/entity/country/RS")
    history = page.get_by_role("region", name="History")
    latest = history.locator('li.history-release[data-release="2"]')
    expect(latest.locator('li.change[data-property="summary"] ins')).to_have_text(NEW_SUMMARY)
    first = history.locator('li.history-release[data-release="1"]')
    first.locator("summary").click()
    # Its own links read from its side, their targets named and linked.
    party = first.locator('li.change[data-what="relationship"]').filter(has_text="Party to")
    expect(party.get_by_role("link", name="UK-Serbia agreement on organised immigration crime").first
           ).to_have_attribute("href", f"#/entity/agreement/{AGREEMENT}")
    # A link that points at it: its source named where the entity's own links tell it.
    covered = first.locator('li.change[data-what="relationship"]').filter(has_text="Covered by")
    expect(covered.get_by_role("link", name="UK-Serbia agreement on organised immigration crime")
           ).to_have_attribute("href", f"#/entity/agreement/{AGREEMENT}")
    # Evidence quotes lead to the reader, their sources by title.
    quote = first.locator('li.change[data-what="evidence"] a.quote-link').first
    assert re.fullmatch(r"#/document/[a-z0-9-]+\?at=\d+-\d+", quote.get_attribute("href") or "")
    expect(first.locator('li.change[data-what="evidence"]').first).to_contain_text(
        "New agreements to be signed with Western Balkans countries")
    assert "null" not in history.inner_text() and "undefined" not in history.inner_text()
    tab.shot("changes-entity-history")
    tab.assert_clean()


# ---------------------------------------------------------------- phone width and accessibility

PAGES = [("changes", "/changes"), ("history", f"/entity/agreement/{AGREEMENT}")]


@pytest.mark.parametrize(("name", "route"), PAGES, ids=[p[0] for p in PAGES])
def test_the_pages_fit_a_phone(phone: Tab, name: str, route: str) -> None:  # noqa: F811 (fixtures of test_browser)
    page = phone.open(route)
    for summary in page.locator("main details summary").all():
        summary.click()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the viewport"
    phone.shot(f"changes-phone-{name}")
    phone.assert_clean()


@pytest.mark.parametrize(("name", "route"), PAGES, ids=[p[0] for p in PAGES])
def test_the_pages_are_accessible(tab: Tab, name: str, route: str) -> None:  # noqa: F811 (fixtures of test_browser)
    page = tab.open(route)
    for summary in page.locator("main details summary").all():
        summary.click()
    assert page.locator("h1").count() == 1, f"{name}: one h1 per page"
    for role in ("banner", "navigation", "main", "contentinfo"):
        assert page.get_by_role(role).count() >= 1, f"{name}: no {role} landmark"
    assert page.evaluate(LABELS_JS) == [], f"{name}: unlabelled controls"
    assert page.evaluate(CONTRAST_JS) == [], f"{name}: low contrast text"
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: {serious}"
    tab.assert_clean()
