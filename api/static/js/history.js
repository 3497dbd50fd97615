// An entity's History section (pages/entity.js): when it was first released, which of
// its facts came later or are not released yet, and per release (newest first) what
// that release added, removed or changed about it (/v1/entities/{ref}/history).

import { getJSON, postJSON, url } from "./api.js";
import { addedSummary, allReleases, changeCounts, changeItem, releaseLabel } from "./changes.js";
import { h, humanize, plural } from "./dom.js";
import { section } from "./ui.js";

/** "First seen in release 1 (date); still in the latest release." and the like. */
function seenText(e, releases, byVersion) {
  const latest = releases[releases.length - 1];
  if (!e.first_seen) {
    return `Not in any release yet: it came into the facts after the latest release, ${releaseLabel(latest)}.`;
  }
  const first = byVersion.get(e.first_seen) || { version: e.first_seen };
  const last = e.last_seen === latest.version ? "; it is in the latest release"
    : e.last_seen ? `; last seen in release ${releaseLabel(byVersion.get(e.last_seen) || { version: e.last_seen })}` : "";
  return `First seen in release ${releaseLabel(first)}${last}.`;
}

/** Properties that came after the entity itself, or are in no release yet. */
function laterFacts(e) {
  if (!e.first_seen || !e.seen) return null;
  const later = [];
  const unreleased = [];
  for (const key of ["name", "aliases", "summary", ...Object.keys(e.properties || {})]) {
    const present = key in (e.properties || {}) ? e.properties[key] : e[key];
    if (present === null || present === undefined || present === "" || (Array.isArray(present) && !present.length)) continue;
    const s = e.seen[key];
    if (!s || !s.first_seen) unreleased.push(humanize(key));
    else if (s.first_seen !== e.first_seen) later.push(`${humanize(key)} (since ${s.first_seen})`);
  }
  return [
    later.length ? h("p", { class: "small" }, "Properties set after it was first seen: ", later.join(", "), ".") : null,
    unreleased.length ? h("p", { class: "small" }, "Properties not in a release yet: ", unreleased.join(", "), ".") : null,
  ];
}

function releaseItem(item, e, byVersion, names) {
  const { version } = item.release;
  const r = byVersion.get(version);
  const id = `history-${version.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const { changes } = item;
  const documents = e.documents || {};
  const list = h("ul", { class: "change-list" }, changes.map((c) => changeItem(c, { entity: e, names, documents })));
  const arrived = changes.some((c) => c.what === "entity" && c.change === "added");
  const compare = r && r.previous
    ? h("a", { href: url("#/changes", { since: r.previous, until: version, entity: e.id }) }, `Compare with ${r.previous}`) : null;
  return h("li", { class: "history-release", dataset: { release: version } },
    h("h3", { id }, `Release ${version}`, item.release.date ? h("span", { class: "muted" }, ` · ${item.release.date}`) : null),
    r && r.notes ? h("p", { class: "muted small" }, "Release notes: ", r.notes) : null,
    h("p", { class: "small" }, `${plural(changes.length, "change", "changes")}: ${changeCounts(changes)}`,
      compare ? [" · ", compare] : null),
    arrived
      ? [h("p", {}, `Added to the graph in this release, with ${addedSummary(changes)}.`),
        h("details", { class: "history-details" }, h("summary", {}, `Every fact it added (${changes.length})`), list)]
      : list);
}

const NAMES = "MATCH (n) WHERE n.id IN $ids RETURN n.id AS id, n.name AS name, labels(n)[0] AS kind";

/**
 * Names of the entities the history names by id only: those it links to now, then the
 * few it no longer links to (a removed link's target), asked of the API.
 */
async function namesOf(e, items) {
  const names = Object.fromEntries((e.relationships || []).map((r) => [r.other.id, r.other]));
  const ids = new Set();
  for (const c of items.flatMap((item) => item.changes)) {
    const rel = c.relationship;
    if (!rel) continue;
    for (const end of [rel.source, rel.target]) {  // the API names both ends where it can
      if (!end || !end.id) continue;
      if (end.name && !names[end.id]) names[end.id] = end;
      else ids.add(end.id);
    }
  }
  const missing = [...ids].filter((id) => id && id !== e.id && !names[id]).slice(0, 200);
  if (missing.length === 0) return names;
  // One read-only query for all of them; one no longer in the graph keeps its id.
  const found = await postJSON("/v1/cypher", { query: NAMES, params: { ids: missing } })
    .then((res) => res.items).catch(() => []);
  for (const x of found) names[x.id] = x;
  return names;
}

/** The History section of entity `e` (an entity page's answer). */
export async function historySection(e) {
  const [history, releases] = await Promise.all([
    getJSON(`/v1/entities/${encodeURIComponent(e.id)}/history`),
    allReleases(),
  ]);
  if (releases.length === 0) {
    return section("History", h("p", {}, "No release has been recorded yet, so there is no history to show."));
  }
  const byVersion = new Map(releases.map((r) => [r.version, r]));
  const names = await namesOf(e, history.items);
  const items = [...history.items].reverse();  // newest first
  return section("History",
    h("p", {}, seenText(e, releases, byVersion)),
    laterFacts(e),
    items.length
      ? h("ul", { class: "history-list", "aria-label": "Releases that changed it, newest first" },
        items.map((item) => releaseItem(item, e, byVersion, names)))
      : h("p", {}, "No release has changed it."),
    h("p", { class: "small" }, h("a", { href: "#/changes" }, "What changed in the latest release"), " · ",
      h("a", { href: `/v1/entities/${encodeURIComponent(e.id)}/history` }, "This history as JSON")));
}
