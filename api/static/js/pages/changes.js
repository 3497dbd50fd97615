// What changed between two releases, grouped by entity:
//   #/changes                              the latest release against the one before it
//   #/changes?since=V&until=W[&entity=ID]  any two releases (one entity's changes)
//   ...&offset=N&limit=N                    a page of entities

import { getJSON, url } from "../api.js";
import { allReleases, changeCounts, changeItem, documentsById, releaseLabel } from "../changes.js";
import { append, codeText, h, plural } from "../dom.js";
import { apiLinks, breadcrumbs, entityLink, kindBadge, problemBox } from "../ui.js";

const PAGE = 25;

/** The offset of a page link the API gave (`next`, `prev`), or null. */
function offsetOf(link) {
  if (!link) return null;
  return Number(new URL(link, window.location.origin).searchParams.get("offset") || 0);
}

function groupItem(g, documents) {
  const gone = g.changes.some((c) => c.what === "entity" && c.change === "removed");
  const names = {};
  const seen = new Set();  // each quote once per entity
  return h("li", { class: "change-group", dataset: { entity: g.entity.id } },
    h("h3", { class: "change-entity" },
      gone ? [g.entity.name || g.entity.id, " ", h("span", { class: "muted small" }, "(no longer in the graph)")]
        : entityLink(g.entity, { badge: false }),
      " ", g.entity.kind ? kindBadge(g.entity.kind) : null),
    h("p", { class: "muted small" }, `${plural(g.changes.length, "change", "changes")}: ${changeCounts(g.changes)}`),
    h("ul", { class: "change-list" }, g.changes.map((c) => changeItem(c, { entity: g.entity, names, documents, seen }))));
}

function notesOf(releases, since, until) {
  const from = releases.findIndex((r) => r.version === since);
  const to = releases.findIndex((r) => r.version === until);
  if (from < 0 || to <= from) return null;
  const noted = releases.slice(from + 1, to + 1).filter((r) => r.notes);
  if (noted.length === 0) return null;
  return h("div", { class: "release-notes" },
    h("h2", {}, "Release notes"),
    h("dl", { class: "props" }, noted.map((r) => [h("dt", {}, releaseLabel(r)), h("dd", {}, r.notes)])));
}

function releaseSelect(id, name, releases, selected) {
  const known = releases.some((r) => r.version === selected);
  return h("select", { id, name },
    known ? null : h("option", { value: selected, selected: true }, `${selected} (not a release)`),
    releases.map((r) => h("option", { value: r.version, selected: r.version === selected }, releaseLabel(r))));
}

async function results(ctx, query) {
  const box = h("section", { id: "changes-results", "aria-labelledby": "changes-h" });
  let res;
  let documents;
  try {
    [res, documents] = await Promise.all([
      getJSON("/v1/changes", query),
      documentsById().catch(() => ({})),  // captions fall back to document ids
    ]);
  } catch (err) {
    box.append(h("h2", { id: "changes-h" }, "Changes"), problemBox(err, "The changes could not be shown"));
    return box;
  }
  if (!ctx.isCurrent()) return box;
  const first = res.offset + 1;
  const last = res.offset + res.items.length;
  const between = `between ${releaseLabel(res.since)} and ${releaseLabel(res.until)}`;
  const status = res.since.version === res.until.version
    ? `${res.since.version} is the release on both sides: pick two different releases to compare.`
    : res.total === 0 ? `Nothing changed ${between}${query.entity ? ` for ${query.entity}` : ""}.`
      : `${plural(res.statements, "changed statement", "changed statements")} about ${plural(res.total, "entity", "entities")} ${between}; entities ${first}–${last}.`;
  const page = (offset) => url("#/changes", { ...query, offset: offset || null, limit: query.limit === PAGE ? null : query.limit });
  const prev = offsetOf(res.prev);
  const next = offsetOf(res.next);
  append(box, [
    h("h2", { id: "changes-h" }, "Changes"),
    h("p", { role: "status", class: "changes-status" }, status),
    res.items.length ? h("ul", { class: "change-groups" }, res.items.map((g) => groupItem(g, documents))) : null,
    prev !== null || next !== null ? h("nav", { class: "pager", "aria-label": "Pages of changes" },
      prev !== null ? h("a", { class: "btn", href: page(prev), rel: "prev" }, "← Previous entities") : h("span"),
      next !== null ? h("a", { class: "btn", href: page(next), rel: "next" }, "Next entities →") : null) : null]);
  return box;
}

export async function changesPage(ctx) {
  ctx.setTitle("What changed");
  const releases = await allReleases();
  if (!ctx.isCurrent()) return;
  const head = [breadcrumbs([["Home", "#/"], ["What changed"]]), h("h1", {}, "What changed")];
  if (releases.length < 2) {
    const only = releases[0];
    append(ctx.view, [...head, h("p", { class: "lede" }, only
      ? [`Only one release has been recorded: ${releaseLabel(only)}, with ${only.statements.toLocaleString("en-GB")} statements. `,
        "There is no earlier release to compare it with yet."]
      : "No release has been recorded yet, so there is nothing to compare."),
    h("p", {}, codeText("A curator records a release of the facts with `migkg release --version V`; "
      + "once there are two, this page lists what changed between them.")),
    apiLinks([["Releases (JSON)", "/v1/releases"]])]);
    return;
  }
  const p = ctx.params;
  const latest = releases[releases.length - 1];
  const until = p.get("until") || latest.version;
  const end = releases.find((r) => r.version === until);
  const since = p.get("since") || (end && end.previous) || releases[releases.length - 2].version;
  const limit = Math.min(200, Math.max(1, Number(p.get("limit")) || PAGE));
  const entity = p.get("entity") || null;
  const query = { since, until, entity, limit, offset: Number(p.get("offset")) || null };

  const sinceSel = releaseSelect("changes-since", "since", releases, since);
  const untilSel = releaseSelect("changes-until", "until", releases, until);
  const field = (label, input, hint) => h("div", { class: "field" },
    h("label", { for: input.id }, label), input, h("p", { class: "hint", id: `${input.id}-hint` }, hint));
  sinceSel.setAttribute("aria-describedby", "changes-since-hint");
  untilSel.setAttribute("aria-describedby", "changes-until-hint");
  const form = h("form", {
    class: "filters changes-form", "aria-label": "Releases to compare",
    on: { submit: (ev) => {
      ev.preventDefault();
      window.location.hash = url("#/changes", { since: sinceSel.value, until: untilSel.value, entity });
    } },
  },
  field("From release", sinceSel, "The earlier release."),
  field("To release", untilSel, "The later release."),
  h("button", { class: "btn btn-primary", type: "submit" }, "Compare"));

  append(ctx.view, [...head,
    h("p", { class: "lede" }, "What the facts gained, lost or changed from one release to another, entity by entity, with the evidence behind each change."),
    apiLinks([["JSON", url("/v1/changes", { since, until, entity })], ["CSV", url("/v1/changes", { since, until, entity, format: "csv" })],
      ["Releases (JSON)", "/v1/releases"]]),
    form,
    entity ? h("p", { class: "note" }, "Only the changes to ", entityLink({ id: entity, name: entity }, { badge: false }), ". ",
      h("a", { href: url("#/changes", { since, until }) }, "Show the changes to every entity"), ".") : null,
    notesOf(releases, since, until),
    await results(ctx, query)]);
}
