// Results of named queries and Cypher ({columns, items, total, truncated}) as a table and a graph.

import { KIND, docTitle, entityHref, relLabel, valueLabel } from "./api.js";
import { h, humanize, plural } from "./dom.js";
import { collectGraph, drawGraph, isNode, isPath, isRel, nodeLabel, tableElements } from "./graph.js";
import { codeLabel, dateEl, entityLink, kindBadge, quoteLink, relName } from "./ui.js";

// A cell links an entity only when the API says it is one: a node (`_labels`), or a map
// with `kind` and `id` (the named queries' entity cells, `{kind, id, name}`). A plain
// string is shown as text, whatever its column is called.
const isEntityMap = (v) => v && typeof v === "object" && !Array.isArray(v) && "id" in v && "kind" in v
  && KIND[v.kind] !== undefined;
const ENTITY_KEYS = new Set(["id", "name", "kind"]);

/** A scalar in words: an enum code as its label, a relationship type as its phrase,
 * an ISO date formatted (never wrapping), a URL as a link. */
function renderScalar(v) {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v !== "string") return String(v);
  if (valueLabel(v) !== null) return codeLabel(v);
  if (/^[A-Z][A-Z_]+$/.test(v) && relLabel(v)) return relName(v, { lower: false });
  if (/^\d{4}-\d{2}(-\d{2})?$/.test(v)) return dateEl(v);
  if (/^https?:\/\//.test(v)) return h("a", { href: v, rel: "noopener noreferrer" }, v);
  return v;
}

/** The other members of an entity map or a relationship, as "(key: value, ...)". */
function extras(entries, ctx) {
  if (!entries.length) return null;
  return h("span", { class: "muted" }, " (", entries.map(([k, x], i) =>
    [i ? ", " : "", `${humanize(k).toLowerCase()}: `, renderValue(x, ctx, k)]), ")");
}

function renderValue(v, ctx, column) {
  if (v === null || v === undefined) return h("span", { class: "muted" }, "—");
  if (Array.isArray(v)) {
    if (v.length === 0) return h("span", { class: "muted", title: "none" }, "—");  // no JSON brackets
    if (v.every((x) => x === null || typeof x !== "object")) {
      return v.map((x, i) => [i ? ", " : "", renderValue(x, ctx, column)]);
    }
    const isQuote = (x) => x && typeof x === "object" && "quote" in x && "doc" in x;
    if (v.length > 1 && v.every(isQuote)) {  // long evidence lists fold away
      return h("div", {}, renderValue(v[0], ctx, column),
        h("details", { class: "cell-more" }, h("summary", {}, `${v.length - 1} more`),
          h("ul", { class: "cell-list" }, v.slice(1).map((x) => h("li", {}, renderValue(x, ctx, column))))));
    }
    return h("ul", { class: "cell-list" }, v.map((x) => h("li", {}, renderValue(x, ctx, column))));
  }
  if (isPath(v)) return renderPath(v);
  if (isNode(v)) return renderNode(v);
  if (isRel(v)) return renderRel(v, ctx);
  if (typeof v === "object") {
    if ("quote" in v && "doc" in v) {
      return h("span", { class: "cell-quote" }, quoteLink(v), " ",
        h("a", { href: entityHref(v.doc, "Document"), title: v.doc }, docTitle(v.doc) || v.doc),
        v.link ? h("span", { class: "muted" }, " (", relName(v.link), ")") : null);
    }
    if (isEntityMap(v)) {
      const rest = Object.entries(v).filter(([k, x]) => !ENTITY_KEYS.has(k) && x !== null);
      return h("span", { class: "cell-entity" }, entityLink({ id: v.id, name: v.name, kind: v.kind }), extras(rest, ctx));
    }
    if ("type" in v && "from" in v && "to" in v) {
      return h("span", {}, h("a", { href: entityHref(v.from) }, v.from), " —", relName(v.type), "→ ",
        h("a", { href: entityHref(v.to) }, v.to));
    }
    return h("dl", { class: "cell-map" }, Object.entries(v).map(([k, x]) =>
      [h("dt", {}, humanize(k)), h("dd", {}, renderValue(x, ctx, k))]));
  }
  return renderScalar(v);
}

function renderNode(n) {
  const kind = (n._labels || []).find((l) => KIND[l]) || (n._labels || [])[0];
  if (n.id !== undefined && KIND[kind]) return entityLink({ id: n.id, name: nodeLabel(n), kind });
  return h("span", {}, nodeLabel(n), " ", kindBadge(kind));
}

function renderRel(r, ctx) {
  const end = (eid) => {
    const n = ctx.nodes.get(String(eid));
    return n ? renderNode(n) : h("span", { class: "muted" }, `#${eid}`);
  };
  const extra = Object.entries(r).filter(([k]) => !k.startsWith("_") && !["key", "evidence_docs", "evidence_quotes", "evidence_starts", "evidence_ends"].includes(k));
  return h("span", { class: "cell-rel" }, end(r._start), " —", relName(r._type), "→ ", end(r._end), extras(extra, ctx));
}

function renderPath(p) {
  const parts = [];
  p.nodes.forEach((n, i) => {
    if (i > 0) {
      const r = p.relationships[i - 1];
      const forward = r && String(r._start) === String(p.nodes[i - 1]._eid);
      const name = r ? relName(r._type) : "?";
      parts.push(h("span", { class: "path-rel" }, forward ? [" —", name, "→ "] : [" ←", name, "— "]));
    }
    parts.push(renderNode(n));
  });
  return h("span", { class: "cell-path" }, parts);
}

/** The result's rows as arrays, in column order (items are objects keyed by column). */
export function rowsOf(res) {
  return res.items.map((it) => res.columns.map((c) => it[c]));
}

// Words that read better in capitals or spelled out than their snake_case column name.
const WORDS = { id: "ID", iso2: "ISO 2", iso3: "ISO 3", url: "URL", iri: "IRI", eu: "EU", uk: "UK" };

/** A column name as a heading: `agreement_type` → "Agreement type", `via_id` → "Via ID". */
export function columnLabel(name) {
  const words = String(name).split(/[_\s]+/).filter(Boolean).map((w) => WORDS[w.toLowerCase()] || w.toLowerCase());
  if (!words.length) return String(name);
  const [first, ...rest] = words;
  return [first === first.toUpperCase() ? first : first[0].toUpperCase() + first.slice(1), ...rest].join(" ");
}

const isQuote = (x) => x && typeof x === "object" && !Array.isArray(x) && "quote" in x && "doc" in x;
const isEvidence = (v) => isQuote(v) || (Array.isArray(v) && v.length > 0 && v.every(isQuote));

/** Columns that hold evidence (quotes) in any row: shown under their row, full width. */
function evidenceColumns(res, rows) {
  return res.columns.map((c, i) => [c, i]).filter(([c, i]) =>
    c === "evidence" || rows.some((r) => isEvidence(r[i]))).map(([, i]) => i);
}

function evidenceCell(values, ctx, span) {
  const quotes = values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter(isQuote);
  return h("td", { colspan: String(span), class: "evidence-cell" },
    quotes.length
      ? h("ul", { class: "evidence-quotes" }, quotes.map((x) => h("li", {}, renderValue(x, ctx, "evidence"))))
      : h("span", { class: "muted" }, "No evidence quoted."));
}

/** The result table: readable headings, values as links and quotes; evidence gets a
 * full-width line under its row, so it is never off-screen in a wide table. */
export function resultTable(res, { caption = "Results" } = {}) {
  const rows = rowsOf(res);
  const ctx = collectGraph(rows);
  const ev = new Set(evidenceColumns(res, rows));
  const shown = res.columns.map((c, i) => [c, i]).filter(([, i]) => !ev.has(i));
  const body = rows.flatMap((row) => {
    const main = h("tr", {}, shown.map(([c, i]) => h("td", {}, renderValue(row[i], ctx, c))));
    if (!ev.size) return [main];
    main.classList.add("has-evidence");
    return [main, h("tr", { class: "evidence-row" }, evidenceCell([...ev].map((i) => row[i]), ctx, shown.length || 1))];
  });
  const table = h("table", { class: "results" },
    h("caption", {}, `${caption}: ${plural(rows.length, "row", "rows")}${res.truncated ? " (truncated by the row cap)" : ""}`
      + (ev.size ? ". Evidence is quoted under each row." : "")),
    h("thead", {}, h("tr", {}, shown.map(([c]) => h("th", { scope: "col", dataset: { column: c } }, columnLabel(c))))),
    h("tbody", {}, body));
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": `${caption} table` }, table);
}

/** Draw the result's nodes and paths, if it has any; returns null otherwise. */
export function resultGraph(res) {
  const { elements, nodeCount, edgeCount, dangling } = tableElements(rowsOf(res));
  if (nodeCount === 0) return null;
  const canvas = h("div", { class: "graph-canvas graph-small", role: "img",
    "aria-label": `Graph of the result: ${plural(nodeCount, "node", "nodes")} and ${plural(edgeCount, "relationship", "relationships")}. The table above lists the same data.` });
  const note = h("p", { class: "muted small" },
    `${plural(nodeCount, "node", "nodes")}, ${plural(edgeCount, "relationship", "relationships")}`,
    dangling ? `; ${dangling} relationships whose ends are not in the result are not drawn` : "",
    ". Click a node to open it.");
  const box = h("div", { class: "result-graph" }, h("h3", {}, "As a graph"), note, canvas);
  // Draw once the canvas is in the document and has a size.
  window.requestAnimationFrame(() => {
    drawGraph(canvas, elements, { layout: "cose", onTap: (el) => {
      if (el.isNode() && el.data("entity")) window.location.hash = entityHref(el.data("entity"), el.data("kind"));
    } });
  });
  return box;
}
