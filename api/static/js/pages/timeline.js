// The timeline: what the texts date sits on one axis (a day as a mark, a range as a span);
// what they leave undated is listed apart, with the words they use ("Yesterday", "Next
// June"), in the order they state ("the day before" the statement), and with the bounds
// the texts allow ("no later than 31 December 2025"). Dates come from the API as days
// (date_earliest, date_latest: docs/schema.md, "Dated by the text").

import { listAll, entityHref, url } from "../api.js";
import { h, plural } from "../dom.js";
import { apiLinks, breadcrumbs, kindBadge } from "../ui.js";

const KINDS = [["Event", "events", "Events"], ["Agreement", "agreements", "Agreements"],
  ["Policy", "policies", "Policies"], ["Document", "documents", "Documents"]];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const RELATION = { before: "before", day_before: "the day before", same_day: "the same day as",
  day_after: "the day after", after: "after" };
// Where a relative item sits against its anchor: before it, on its day, after it.
const RANK = { before: 0, day_before: 1, same_day: 2, day_after: 3, after: 4 };
const TRACK_W = 1000;
const SVG = "http://www.w3.org/2000/svg";
const STYLE = `
.tl-content .tl-item { grid-template-columns: 11rem minmax(0, 1fr); }
.tl-scale { position: relative; height: 1.3rem; margin: 0 0 0.25rem calc(12.75rem + 3px); border-bottom: 1px solid #8a9bb0; }
.tl-basis summary { cursor: pointer; font-size: 0.85rem; color: #374151; }
.tl-basis p { margin: 0.2rem 0 0; }
.tl-scale span { position: absolute; bottom: 0.1rem; transform: translateX(-50%); font-size: 0.8rem; color: #374151; white-space: nowrap; }
.tl-track { display: block; width: 100%; height: 14px; margin: 0.2rem 0 0.3rem; }
.tl-words { font-style: italic; }
.tl-chain { list-style: none; padding-left: 0; margin: 0 0 1.25rem; }
.tl-chain > li { border-left: 3px dashed #c7d3e0; padding: 0.35rem 0 0.45rem 0.75rem; margin-left: 0.25rem; }
.tl-chain > li.tl-anchor { border-left-style: solid; }
.tl-when { font-weight: 600; }
.tl-status-passed { color: #7c2d12; }
.tl-nested { margin: 0.3rem 0 0 0.5rem; }
.tl-nested > .tl-chain { margin-bottom: 0.2rem; }
@media (max-width: 560px) { .tl-scale { margin-left: calc(1rem + 3px); } .tl-content .tl-item { grid-template-columns: minmax(0, 1fr); } }
`;

function ensureStyle() {
  if (document.getElementById("tl-style")) return;
  document.head.append(h("style", { id: "tl-style" }, STYLE));
}

/** "2024-11-07" -> "7 November 2024"; "2024-11" -> "November 2024"; "2026" -> "2026". */
export function fmt(iso) {
  const [y, m, d] = String(iso).split("-");
  if (!m) return y;
  return d ? `${Number(d)} ${MONTHS[Number(m) - 1]} ${y}` : `${MONTHS[Number(m) - 1]} ${y}`;
}

/** A range of days in words: "4–7 November 2024", "1 March to 30 June 2026",
 * "no later than 31 December 2025", "2015 or later" (first days of a year: the year). */
export function rangeWords(p) {
  const e = p.date_earliest, l = p.date_latest;
  if (e && l) {
    if (e === l) return fmt(e);
    const [ey, em, ed] = e.split("-"), [ly, lm, ld] = l.split("-");
    if (ey === ly && em === lm) return `${Number(ed)}–${Number(ld)} ${MONTHS[Number(lm) - 1]} ${ly}`;
    if (ey === ly) return `${Number(ed)} ${MONTHS[Number(em) - 1]} to ${fmt(l)}`;
    return `${fmt(e)} to ${fmt(l)}`;
  }
  if (l) return `no later than ${fmt(l)}`;
  if (e) return e.endsWith("-01-01") ? `${e.slice(0, 4)} or later` : `no earlier than ${fmt(e)}`;
  return null;
}

const time = (day) => Date.parse(`${day}T00:00:00Z`);
const onAxis = (x) => Boolean(x.properties.date_earliest && x.properties.date_latest);
const byName = (a, b) => (a.name || a.id).localeCompare(b.name || b.id);

function statusNow(p) {
  if (!p.status) return null;
  if (p.status_now === "date_passed") {
    const asOf = p.status_as_of ? ` as of ${fmt(p.status_as_of)}` : "";
    return h("span", { class: "badge status tl-status-passed", title: `status: ${p.status}; date passed` },
      `Date passed (${p.status}${asOf})`);
  }
  return h("span", { class: `badge status status-${p.status}`, title: p.status },
    p.status.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()) + (p.status_as_of ? ` (as of ${fmt(p.status_as_of)})` : ""));
}

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** The axis: from the first to the last day shown, with a tick at each year. */
function makeAxis(items) {
  const start = Math.min(...items.map((x) => time(x.properties.date_earliest)));
  const end = Math.max(...items.map((x) => time(x.properties.date_latest)));
  const pad = Math.max((end - start) * 0.03, 86400000 * 7);
  const lo = start - pad, hi = end + pad;
  const x = (t) => ((t - lo) / (hi - lo)) * TRACK_W;
  const years = [];
  for (let y = new Date(lo).getUTCFullYear() + 1; y <= new Date(hi).getUTCFullYear(); y += 1) {
    years.push([y, x(Date.UTC(y, 0, 1))]);
  }
  const first = new Date(start).toISOString().slice(0, 7), last = new Date(end).toISOString().slice(0, 7);
  return { x, years, words: `${fmt(first)} to ${fmt(last)}` };
}

function track(axis, p) {
  const a = axis.x(time(p.date_earliest)), b = axis.x(time(p.date_latest) + 86400000);
  const width = Math.max(b - a, 6);
  const el = svg("svg", { class: "tl-track", viewBox: `0 0 ${TRACK_W} 14`, preserveAspectRatio: "none",
    role: "img", "aria-label": `${rangeWords(p)}, on the axis from ${axis.words}` });
  el.append(svg("line", { x1: 0, x2: TRACK_W, y1: 7, y2: 7, stroke: "#c7d3e0", "stroke-width": 2 }));
  for (const [, tx] of axis.years) el.append(svg("line", { x1: tx, x2: tx, y1: 0, y2: 14, stroke: "#8a9bb0", "stroke-width": 1 }));
  const span = p.date_earliest !== p.date_latest;
  el.append(svg("rect", { class: span ? "tl-span" : "tl-point", x: Math.min(a, TRACK_W - width), y: span ? 3 : 1,
    width, height: span ? 8 : 12, rx: span ? 3 : 2, fill: span ? "#3b82f6" : "#1d4ed8",
    "fill-opacity": span ? 0.55 : 1, stroke: "#1e3a8a", "stroke-width": 1 }));
  return el;
}

function relationLine(p, byId) {
  if (!p.date_relative_to || !p.date_relation) return null;
  const anchor = byId.get(p.date_relative_to);
  return h("span", { class: "tl-relation" }, `${RELATION[p.date_relation] || p.date_relation} `,
    anchor ? h("a", { href: entityHref(anchor.id, anchor.kind) }, anchor.name || anchor.id) : p.date_relative_to);
}

function basisLine(p) {
  if (!p.date_basis) return null;
  return h("details", { class: "tl-basis" },
    h("summary", {}, `How the text dates it (${p.date_confidence || "unstated"} confidence)`),
    h("p", { class: "muted small" }, p.date_basis));
}

function datedItem(x, axis, byId) {
  const p = x.properties;
  const type = p.event_type || p.agreement_type || p.policy_type || p.doc_type;
  const rel = relationLine(p, byId);
  return h("li", { class: `tl-item tl-${x.kind.toLowerCase()}`, dataset: { id: x.id } },
    h("div", { class: "tl-date" }, h("time", { datetime: p.date || p.date_earliest }, rangeWords(p))),
    h("div", { class: "tl-body" },
      h("p", { class: "tl-title" }, h("a", { href: entityHref(x.id, x.kind) }, x.name || x.id), " ", kindBadge(x.kind), " ", statusNow(p)),
      track(axis, p),
      h("p", { class: "muted small" }, [type ? type.replace(/_/g, " ") : null, p.location,
        p.date_text ? `“${p.date_text}”` : null, p.period ? `period ${p.period}` : null].filter(Boolean).join(" · "),
      rel ? [" · ", rel] : null),
      basisLine(p)));
}

const DAYS = { day_before: -1, same_day: 0, day_after: 1 };

function offsetWords(days, root) {
  const name = root.name || root.id;
  if (days === 0) return `the same day as ${name}`;
  const n = Math.abs(days);
  const span = n === 1 ? "the day" : `${n} days`;
  return `${span} ${days < 0 ? "before" : "after"} ${name}`;
}

/** The undated items and what they are stated against, as groups: a group is an item
 * and what is stated against it exactly ("yesterday", "today"), in day order; what is
 * stated only before or after a member ("Earlier this year", "Next June") is a group of
 * its own, nested under that member, so no order is drawn that the texts do not state. */
function chainsOf(undated, everything, byId) {
  const children = new Map();
  for (const x of everything) {
    const a = x.properties.date_relative_to;
    if (a && byId.has(a) && x.properties.date_relation) {
      if (!children.has(a)) children.set(a, []);
      children.get(a).push(x);
    }
  }
  const needed = new Set();
  for (const x of undated) {
    let here = x;
    while (here && !needed.has(here.id)) {
      needed.add(here.id);
      here = byId.get(here.properties.date_relative_to);
    }
  }
  const kids = (x) => (children.get(x.id) || []).filter((c) => needed.has(c.id));
  const roots = [...needed].map((id) => byId.get(id)).filter((x) =>
    !x.properties.date_relative_to || !byId.has(x.properties.date_relative_to));
  return { roots, kids };
}

function undatedItem(x, byId, { anchor = false, offset = null, nested = null } = {}) {
  const p = x.properties;
  const bounds = rangeWords(p);
  const words = p.date_text ? h("span", { class: "tl-words" }, `“${p.date_text}”`) : null;
  const rel = relationLine(p, byId);
  const when = [];
  if (words) when.push(words);
  if (rel) when.push(when.length ? " " : "", rel);
  if (bounds) when.push(when.length ? `, ${bounds}` : bounds);
  return h("li", { class: ["tl-entry", `tl-${x.kind.toLowerCase()}`, anchor ? "tl-anchor" : null], dataset: { id: x.id } },
    h("p", { class: "tl-title" }, h("a", { href: entityHref(x.id, x.kind) }, x.name || x.id), " ", kindBadge(x.kind), " ", statusNow(p)),
    h("p", { class: "tl-when" }, when.length ? when : "No date, no order and no bound in the texts"),
    offset ? h("p", { class: "small tl-offset" }, `So ${offset}.`) : null,
    basisLine(p), nested);
}

function anchorItem(x, nested, label) {
  return h("li", { class: "tl-entry tl-anchor", dataset: { id: x.id } },
    h("p", { class: "tl-title" }, `${label}: `, h("a", { href: entityHref(x.id, x.kind) }, x.name || x.id), " ", kindBadge(x.kind)),
    h("p", { class: "tl-when" }, rangeWords(x.properties) || "undated"), nested);
}

/** A group's rows: its root and what is stated against it exactly, in day order, each with
 * the groups stated only before or after it nested under it. */
function groupRows(root, kids, byId, visible) {
  const members = [{ x: root, days: 0 }];
  for (let i = 0; i < members.length; i += 1) {
    for (const c of kids(members[i].x)) {
      if (c.properties.date_relation in DAYS) members.push({ x: c, days: members[i].days + DAYS[c.properties.date_relation] });
    }
  }
  members.sort((a, b) => a.days - b.days || (a.x === root ? -1 : b.x === root ? 1 : byName(a.x, b.x)));
  return members.map(({ x, days }) => {
    const loose = kids(x).filter((c) => !(c.properties.date_relation in DAYS));
    const nested = ["before", "after"].map((rel) => {
      const group = loose.filter((c) => c.properties.date_relation === rel).sort(byName);
      if (!group.length) return null;
      return h("div", { class: "tl-nested" },
        h("p", { class: "small" }, `${rel === "before" ? "Before" : "After"} it (the texts do not say how long):`),
        h("ol", { class: "tl-chain" }, group.flatMap((c) => groupRows(c, kids, byId, visible))));
    }).filter(Boolean);
    const inner = nested.length ? nested : null;
    if (onAxis(x)) return anchorItem(x, inner, "On the axis");
    if (!visible(x)) return anchorItem(x, inner, "Its kind is hidden; shown for the order");
    const direct = x.properties.date_relative_to;
    const offset = x !== root && !(direct === root.id) ? offsetWords(days, root) : null;
    return undatedItem(x, byId, { offset, nested: inner });
  });
}


export async function timelinePage(ctx) {
  ctx.setTitle("Timeline");
  ensureStyle();
  const params = ctx.params;
  const show = Object.fromEntries(KINDS.map(([k, key]) => [k, params.get(key) !== "0"]));
  const lists = await Promise.all(KINDS.map(([k]) => listAll(k)));
  if (!ctx.isCurrent()) return;
  const everything = lists.flatMap((l) => l.items);
  const byId = new Map(everything.map((x) => [x.id, x]));
  const content = h("div", { class: "tl-content" });

  function renderContent() {
    const shown = everything.filter((x) => show[x.kind]);
    const dated = shown.filter(onAxis).sort((a, b) =>
      a.properties.date_earliest.localeCompare(b.properties.date_earliest)
      || a.properties.date_latest.localeCompare(b.properties.date_latest) || byName(a, b));
    const undated = shown.filter((x) => !onAxis(x));
    const axis = dated.length ? makeAxis(dated) : null;
    const years = new Map();
    for (const x of dated) {
      const y = x.properties.date_earliest.slice(0, 4);
      if (!years.has(y)) years.set(y, []);
      years.get(y).push(x);
    }
    // Undated items by the chain of relative dates they hang from, in the stated order.
    const { roots, kids } = chainsOf(undated, everything, byId);
    const alone = (r) => !onAxis(r) && kids(r).length === 0;
    const loose = roots.filter(alone);
    const chainList = roots.filter((r) => !alone(r)).sort(byName);
    content.replaceChildren(
      h("p", { role: "status" }, `${plural(dated.length, "item", "items")} on the axis, ${plural(undated.length, "undated item", "undated items")} listed apart. `
        + "A day is a mark; a range the text allows (a month, a season, a week) is a span."),
      h("section", { "aria-labelledby": "dated-h" },
        h("h2", { id: "dated-h" }, "Dated by the texts"),
        axis ? h("div", { class: "tl-scale", "aria-hidden": "true" },
          axis.years.map(([y, tx]) => h("span", { style: `left: ${(tx / TRACK_W) * 100}%` }, String(y)))) : null,
        dated.length === 0 ? h("p", {}, "Nothing dated.") : [...years.entries()].map(([y, xs]) =>
          h("section", { class: "tl-year", "aria-labelledby": `y-${y}` },
            h("h3", { id: `y-${y}` }, y),
            h("ol", { class: "timeline" }, xs.map((x) => datedItem(x, axis, byId)))))),
      h("section", { "aria-labelledby": "undated-h" },
        h("h2", { id: "undated-h" }, "Not dated by the texts"),
        h("p", { class: "muted" }, "The texts give these no date, only their own words (quoted), the order they state "
          + "against another item, and the bounds that follow. Each list keeps the stated order, earliest first; what the "
          + "texts place only before or after an item is listed under it."),
        chainList.map((root) => {
          const hid = `chain-${root.id}`;
          return h("section", { class: "tl-chain-group", "aria-labelledby": hid },
            h("h3", { id: hid }, "Stated against ", root.name || root.id),
            h("ol", { class: "tl-chain" }, groupRows(root, kids, byId, (x) => show[x.kind])));
        }),
        h("section", { "aria-labelledby": "loose-h" },
          h("h3", { id: "loose-h" }, "Not ordered against another item"),
          loose.length ? h("ul", { class: "tl-chain" }, loose.sort(byName).map((x) => undatedItem(x, byId)))
            : h("p", {}, "None."))));
  }

  const toggles = h("form", { class: "filters", "aria-label": "What to show", on: { submit: (ev) => ev.preventDefault() } },
    h("fieldset", {}, h("legend", {}, "Show"),
      KINDS.map(([k, key, label]) =>
        h("label", { class: "inline check" }, h("input", { type: "checkbox", name: key, checked: show[k], on: { change: (ev) => {
          show[k] = ev.target.checked;
          window.history.replaceState(null, "", url("#/timeline", Object.fromEntries(KINDS.map(([kk, kkey]) => [kkey, show[kk] ? "" : "0"]))));
          if (document.body.dataset.ready !== undefined) document.body.dataset.ready = window.location.hash;
          renderContent();
        } } }), ` ${label}`))));

  ctx.view.append(
    breadcrumbs([["Home", "#/"], ["Timeline"]]),
    h("h1", {}, "Timeline"),
    apiLinks([["Events (JSON)", "/v1/events?sort=date_earliest&limit=200"], ["Agreements (JSON)", "/v1/agreements?sort=date_earliest&limit=200"],
      ["Events in a date range (query)", "#/queries/events_in_range"]]),
    toggles, content);
  renderContent();
}
