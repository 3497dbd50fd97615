// Pieces shared by the pages: badges, entity links, evidence, errors, API links.

import {
  ApiError, DATE_PROPERTIES, KIND, KIND_BY_SLUG, entityHref, jsonHref, rdfHref, relLabel,
  relReadings, valueLabel,
} from "./api.js";
import { h, humanize } from "./dom.js";

export function kindBadge(kind) {
  const k = KIND[kind];
  return h("span", { class: `badge kind-${(k && k.slug) || "other"}` }, kind || "?");
}

export function entityLink(ref, { badge = true } = {}) {
  if (!ref || ref.id === null || ref.id === undefined) return h("span", { class: "muted" }, "—");
  return h("span", { class: "entity-ref" },
    h("a", { href: entityHref(ref.id, ref.kind) }, ref.name || ref.id),
    badge && ref.kind ? [" ", kindBadge(ref.kind)] : null);
}

// How a relationship reads from one entity's side: [outgoing, incoming], from the
// schema (the /id pages use the same wording).
export function relPhrase(type, direction) {
  const p = relReadings(type);
  if (p) return direction === "out" ? p[0] : p[1];
  return `${humanize(String(type).toLowerCase())}${direction === "in" ? " (incoming)" : ""}`;
}

/** An enum value in the schema's words, its code as the tooltip. */
export function codeLabel(code) {
  const label = valueLabel(code);
  if (label === null) return String(code);
  return h("span", { class: "coded", title: code }, label);
}

/** A relationship type in words ("party to"), its code as the tooltip. */
export function relName(type, { lower = true } = {}) {
  const label = relLabel(type);
  if (!label) return String(type);
  return h("span", { class: "rel-name", title: type }, lower ? label.toLowerCase() : label);
}

export function statusBadge(status) {
  if (!status) return null;
  return h("span", { class: `badge status status-${status}`, title: status }, valueLabel(status) || humanize(status));
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** "2024-11-07" -> "7 November 2024", "2024-11" -> "November 2024"; null if not a date. */
export function formatDate(iso) {
  const m = ISO_DATE.exec(String(iso ?? ""));
  if (!m) return null;
  const [, y, mo, d] = m;
  const month = mo ? MONTHS[Number(mo) - 1] : null;
  if (mo && !month) return null;
  if (d) return `${Number(d)} ${month} ${y}`;
  return month ? `${month} ${y}` : y;
}

/** A date as a <time> element: formatted, never wrapping, machine-readable. */
export function dateEl(iso) {
  const text = formatDate(iso);
  if (text === null) return String(iso);
  return h("time", { datetime: iso, class: "date" }, text);
}

/** A date with its precision ("2026" for a year) or the source's words when undated. */
export function dateText(props) {
  if (props.date) return dateEl(props.date);
  if (props.date_text) return `“${props.date_text}” (undated)`;
  return null;
}

/** Evidence quotes with their source documents (title, publisher, date, link). */
export function evidenceList(evidence, documents = {}, { heading = null } = {}) {
  if (!evidence || evidence.length === 0) return null;
  return h("div", { class: "evidence-list" },
    heading ? h("h3", { class: "evidence-heading" }, heading) : null,
    evidenceGroups(evidence, documents));
}

/** One figure per source document, with its distinct quotes. */
export function evidenceGroups(evidence, documents = {}) {
  const byDoc = new Map();
  for (const e of evidence || []) {
    if (!byDoc.has(e.doc)) byDoc.set(e.doc, []);
    const items = byDoc.get(e.doc);
    if (!items.some((x) => x.quote === e.quote)) items.push(e);
  }
  return [...byDoc.entries()].map(([doc, items]) => evidenceFigure(items, (documents || {})[doc] || { id: doc }));
}

export function evidenceItem(e, doc) {
  return evidenceFigure([e], doc || { id: e.doc });
}

/** The explorer's document reader, at a quoted span when `start`/`end` are known. */
export function readerHref(doc, start, end) {
  const at = Number.isInteger(start) && Number.isInteger(end) ? `?at=${start}-${end}` : "";
  return `#/document/${encodeURIComponent(doc)}${at}`;
}

/** A quote as text, linked to its span in the document reader: the one helper every
 * page uses to render an evidence quote. */
export function quoteLink(e) {
  const text = `“${e.quote}”`;
  if (!Number.isInteger(e.start) || !Number.isInteger(e.end)) return text;
  return h("a", { href: readerHref(e.doc, e.start, e.end), class: "quote-link",
    title: "Read it in context" }, text);
}

function evidenceFigure(items, source) {
  const bits = [];
  if (source.publisher) bits.push(source.publisher);
  if (source.date) bits.push(dateEl(source.date));
  return h("figure", { class: "evidence" },
    h("blockquote", {}, items.map((e) => h("p", {}, quoteLink(e)))),
    h("figcaption", {},
      "Source: ",
      h("a", { href: entityHref(source.id, "Document") }, source.title || source.id),
      bits.map((b) => [", ", b]),
      " · ", h("a", { href: readerHref(source.id) }, "full text"),
      source.url ? [" · ", h("a", { href: source.url, rel: "noopener noreferrer", target: "_blank" },
        "original", h("span", { class: "visually-hidden" }, " (opens in a new tab)"), " ↗")] : null));
}

/** An API path the problem points to (`see`), as the explorer's page when it has one. */
export function explorerHref(path) {
  const m = /^\/v1\/([^/?#]+)\/([^/?#]+)$/.exec(String(path || ""));
  const k = m && KIND_BY_SLUG[m[1]];
  return k ? entityHref(decodeURIComponent(m[2]), k.name) : path;
}

function refList(items, { label, why = false } = {}) {
  return h("ul", { class: "problem-refs", "aria-label": label }, items.map((c) => h("li", {},
    entityLink({ id: c.id, name: c.name, kind: c.kind }),
    why && c.why ? h("span", { class: "muted small" }, ` · ${c.why}`) : null)));
}

/** The API's problem document (RFC 9457) in words: its title and detail, the names it
 * suggests (404) or the entities a name could mean (409) as links, the page it points
 * to (`see`); never its JSON. */
export function problemBox(err, what = "The request failed") {
  const p = err instanceof ApiError ? err.problem : { title: "Network error", detail: String(err.message || err) };
  const suggestions = Array.isArray(p.suggestions) ? p.suggestions.filter((c) => c && c.id) : [];
  const candidates = Array.isArray(p.candidates) ? p.candidates.filter((c) => c && c.id) : [];
  const allowed = Array.isArray(p.allowed) && p.allowed.length ? p.allowed : null;
  return h("div", { class: "problem", role: "alert", dataset: { status: p.status || "" } },
    h("p", { class: "problem-title" }, `${what}: ${p.title || "error"}${p.status ? ` (${p.status})` : ""}`),
    p.detail ? h("p", { class: "problem-detail" }, String(p.detail)) : null,
    p.see ? h("p", { class: "problem-see" }, p.kind ? `It is ${/^[AEIOU]/.test(p.kind) ? "an" : "a"} ${p.kind.toLowerCase()}: ` : "See ",
      h("a", { href: explorerHref(p.see) }, p.kind ? "open its page" : p.see), ".") : null,
    candidates.length ? [h("p", { class: "problem-lead" }, candidates.length === 1 ? "It could mean:" : "It could mean, best match first:"),
      refList(candidates, { label: "Entities it could mean", why: true })] : null,
    suggestions.length ? [h("p", { class: "problem-lead" }, "Did you mean:"),
      refList(suggestions, { label: "Suggestions" })] : null,
    allowed ? h("p", { class: "problem-allowed" }, "Allowed: ",
      allowed.map((v, i) => [i ? ", " : "", h("code", {}, String(v))])) : null,
    p.example ? h("p", { class: "problem-allowed" }, "For example: ", h("code", {}, String(p.example))) : null);
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

/** "This page as JSON / RDF" links. */
export function apiLinks(links) {
  return h("ul", { class: "api-links", "aria-label": "This page as data" },
    links.filter(Boolean).map(([label, href, title]) =>
      h("li", {}, h("a", { href, class: "api-link", title: title || null }, label))));
}

export function entityApiLinks(id, kind) {
  return apiLinks([
    ["JSON", jsonHref(id, kind), "This entity in the JSON API"],
    ["RDF (IRI)", rdfHref(id, kind), "The entity's IRI: content negotiation"],
    ["Turtle", rdfHref(id, kind, "ttl"), "This entity as RDF Turtle"],
    ["JSON-LD", rdfHref(id, kind, "jsonld"), "This entity as JSON-LD"],
  ]);
}

export function breadcrumbs(items) {
  return h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" },
    h("ol", {}, items.map(([label, href], i) =>
      h("li", {}, href && i < items.length - 1 ? h("a", { href }, label)
        : h("span", { "aria-current": "page" }, label)))));
}

// Properties whose values are names or text, never a code to put in words.
const FREE_TEXT = new Set(["id", "name", "title", "label", "summary", "note", "file", "url", "wikidata", "date_text"]);

/** A value from a property map, readable: URLs become links, lists are joined. */
export function propertyValue(key, value) {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "—");
  if (Array.isArray(value)) return value.map((v, i) => [i ? ", " : "", propertyValue(key, v)]);
  if (typeof value === "object") {
    return h("dl", { class: "cell-map" }, Object.entries(value).map(([k, v]) =>
      [h("dt", {}, humanize(k)), h("dd", {}, propertyValue(k, v))]));
  }
  if (typeof value === "string" && valueLabel(value) !== null && !FREE_TEXT.has(key)) return codeLabel(value);
  if (typeof value === "string" && (DATE_PROPERTIES.has(key) || /^\d{4}-\d{2}(-\d{2})?$/.test(value))) return dateEl(value);
  const s = String(value);
  if (/^https?:\/\//.test(s)) return h("a", { href: s, rel: "noopener noreferrer" }, s);
  if (typeof value === "number") return value.toLocaleString("en-GB");
  return s;
}

/** A definition list of properties, in the given order first. */
export function propertyList(props, { order = [], skip = [], links = {} } = {}) {
  const keys = [...order.filter((k) => k in props), ...Object.keys(props).filter((k) => !order.includes(k))]
    .filter((k) => !skip.includes(k) && props[k] !== null && props[k] !== undefined && props[k] !== "");
  if (keys.length === 0) return null;
  return h("dl", { class: "props" }, keys.map((k) => [
    h("dt", {}, humanize(k)),
    h("dd", {}, links[k] ? links[k](props[k]) : propertyValue(k, props[k])),
  ]));
}

export function section(title, ...children) {
  const id = `sec-${String(title).toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title), ...children);
}
