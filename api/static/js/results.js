// Results of named queries and Cypher ({columns, rows, truncated}) as a table and a graph.

import { KIND, KIND_BY_SLUG, entityHref } from "./api.js";
import { h, plural } from "./dom.js";
import { collectGraph, drawGraph, isNode, isPath, isRel, nodeLabel, tableElements } from "./graph.js";
import { entityLink, kindBadge, quoteLink } from "./ui.js";

// Columns whose plain string values are entity ids.
const ID_COLUMNS = new Set(["id", "actor", "partner", "other", "via_id", "framework", "about",
  ...Object.values(KIND_BY_SLUG).flatMap((k) => [k.slug, k.plural])]);

function renderValue(v, ctx, column) {
  if (v === null || v === undefined) return h("span", { class: "muted" }, "—");
  if (Array.isArray(v)) {
    if (v.length === 0) return h("span", { class: "muted" }, "[ ]");
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
        h("a", { href: entityHref(v.doc, "Document") }, v.doc),
        v.link ? h("span", { class: "muted" }, ` (${v.link})`) : null);
    }
    if ("id" in v && ("kind" in v || "name" in v)) {
      const extra = Object.entries(v).filter(([k, x]) => !["id", "name", "kind"].includes(k) && x !== null);
      return h("span", {}, entityLink({ id: v.id, name: v.name, kind: v.kind }),
        extra.length ? h("span", { class: "muted" }, ` (${extra.map(([k, x]) => `${k}: ${x}`).join(", ")})`) : null);
    }
    if ("type" in v && "from" in v && "to" in v) {
      return h("span", {}, h("a", { href: entityHref(v.from) }, v.from), ` —${v.type}→ `,
        h("a", { href: entityHref(v.to) }, v.to));
    }
    return h("dl", { class: "cell-map" }, Object.entries(v).map(([k, x]) =>
      [h("dt", {}, k), h("dd", {}, renderValue(x, ctx, k))]));
  }
  if (typeof v === "string" && ID_COLUMNS.has(column) && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v)) {
    return h("a", { href: entityHref(v, KIND_BY_SLUG[column] ? KIND_BY_SLUG[column].name : null) }, v);
  }
  if (typeof v === "string" && /^https?:\/\//.test(v)) return h("a", { href: v, rel: "noopener noreferrer" }, v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return String(v);
}

function renderNode(n) {
  const kind = n._labels[0];
  if (n.id !== undefined && KIND[kind]) return entityLink({ id: n.id, name: nodeLabel(n), kind });
  return h("span", {}, nodeLabel(n), " ", kindBadge(kind));
}

function renderRel(r, ctx) {
  const end = (eid) => {
    const n = ctx.nodes.get(String(eid));
    return n ? renderNode(n) : h("span", { class: "muted" }, `#${eid}`);
  };
  const extra = Object.entries(r).filter(([k]) => !k.startsWith("_") && !["key", "evidence_docs", "evidence_quotes", "evidence_starts", "evidence_ends"].includes(k));
  return h("span", { class: "cell-rel" }, end(r._start), " ", h("code", {}, `—${r._type}→`), " ", end(r._end),
    extra.length ? h("span", { class: "muted" }, ` (${extra.map(([k, x]) => `${k}: ${x}`).join(", ")})`) : null);
}

function renderPath(p) {
  const parts = [];
  p.nodes.forEach((n, i) => {
    if (i > 0) {
      const r = p.relationships[i - 1];
      const forward = r && String(r._start) === String(p.nodes[i - 1]._eid);
      parts.push(h("code", { class: "path-rel" }, forward ? ` —${r._type}→ ` : ` ←${r ? r._type : "?"}— `));
    }
    parts.push(renderNode(n));
  });
  return h("span", { class: "cell-path" }, parts);
}

/** The result table, in a scrollable region so wide tables never widen the page. */
export function resultTable(res, { caption = "Results" } = {}) {
  const ctx = collectGraph(res.rows);
  const table = h("table", { class: "results" },
    h("caption", {}, `${caption}: ${plural(res.rows.length, "row", "rows")}${res.truncated ? " (truncated by the row cap)" : ""}`),
    h("thead", {}, h("tr", {}, res.columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, res.rows.map((row) => h("tr", {}, row.map((v, i) => h("td", {}, renderValue(v, ctx, res.columns[i])))))));
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": `${caption} table` }, table);
}

/** Draw the result's nodes and paths, if it has any; returns null otherwise. */
export function resultGraph(res) {
  const { elements, nodeCount, edgeCount, dangling } = tableElements(res.rows);
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
