// Cytoscape.js (vendored, MIT) and the conversions from API answers to graph elements.
// The latest graph drawn is exposed as `window.cy` for tests and the console.

import { KIND } from "./api.js";

let loader = null;

/** Load the vendored Cytoscape.js once, on first use. */
export function loadCytoscape() {
  if (window.cytoscape) return Promise.resolve(window.cytoscape);
  if (!loader) {
    loader = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = "/static/vendor/cytoscape/cytoscape.min.js";
      s.onload = () => resolve(window.cytoscape);
      s.onerror = () => reject(new Error("could not load Cytoscape.js"));
      document.head.append(s);
    });
  }
  return loader;
}

// One colour and one shape per kind, so kinds differ without relying on colour alone.
export const KIND_STYLE = {
  Document: { color: "#6b7280", shape: "rectangle" },
  Country: { color: "#1d6fb8", shape: "ellipse" },
  Organisation: { color: "#7c3aed", shape: "round-rectangle" },
  Person: { color: "#c2410c", shape: "ellipse" },
  Agreement: { color: "#047857", shape: "diamond" },
  Policy: { color: "#0e7490", shape: "round-diamond" },
  Route: { color: "#b91c1c", shape: "hexagon" },
  Principle: { color: "#a16207", shape: "triangle" },
  Event: { color: "#be185d", shape: "star" },
  Place: { color: "#57534e", shape: "pentagon" },
  Figure: { color: "#4d7c0f", shape: "tag" },
};

function styles() {
  const base = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-size": 11,
        "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        color: "#1b1f24",
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-wrap": "ellipsis",
        "text-max-width": 130,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
        width: 22,
        height: 22,
        "background-color": "#6b7280",
        "border-width": 2,
        "border-color": "#ffffff",
      },
    },
    { selector: "node[?center]", style: { width: 34, height: 34, "border-color": "#1b1f24", "border-width": 3, "font-weight": "bold", "font-size": 13 } },
    { selector: "node[hop = 2]", style: { width: 16, height: 16, "font-size": 9, opacity: 0.9 } },
    {
      selector: "edge",
      style: {
        width: 1.6,
        "line-color": "#9aa3ad",
        "target-arrow-color": "#9aa3ad",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        "curve-style": "bezier",
        label: "data(type)",
        "font-size": 8,
        "min-zoomed-font-size": 6,
        color: "#4b5563",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 1,
      },
    },
    { selector: ":selected", style: { "border-color": "#c2410c", "border-width": 4, "line-color": "#c2410c", "target-arrow-color": "#c2410c" } },
    { selector: ".faded", style: { opacity: 0.25 } },
  ];
  for (const [kind, s] of Object.entries(KIND_STYLE)) {
    base.splice(1, 0, { selector: `node[kind = "${kind}"]`, style: { "background-color": s.color, shape: s.shape } });
  }
  return base;
}

export const LAYOUTS = {
  concentric: {
    name: "concentric",
    concentric: (n) => 10 - (n.data("hop") || 0),
    levelWidth: () => 1,
    minNodeSpacing: 40,
    animate: false,
  },
  cose: {
    name: "cose", animate: false, randomize: true, nodeRepulsion: () => 400000, idealEdgeLength: () => 110,
    edgeElasticity: () => 100, nodeOverlap: 20, gravity: 60, componentSpacing: 60, padding: 30,
  },
  breadthfirst: { name: "breadthfirst", directed: false, spacingFactor: 1.1, animate: false },
  circle: { name: "circle", animate: false },
};

/** Draw `elements` into `container`; `onTap(element)` gets node and edge taps. */
export async function drawGraph(container, elements, { layout = "concentric", roots = null, onTap = null } = {}) {
  const cytoscape = await loadCytoscape();
  if (window.cy && !window.cy.destroyed() && window.cy.container() === container) window.cy.destroy();
  const opts = { ...(LAYOUTS[layout] || LAYOUTS.cose) };
  if (layout === "breadthfirst" && roots) opts.roots = roots;
  const cy = cytoscape({
    container,
    elements,
    style: styles(),
    layout: opts,
    minZoom: 0.2,
    maxZoom: 3,
    boxSelectionEnabled: false,
  });
  if (onTap) cy.on("tap", "node, edge", (ev) => onTap(ev.target));
  capZoom(cy);
  window.cy = cy;
  return cy;
}

/** Small graphs fit by zooming far in; keep labels at a readable size instead. */
export function capZoom(cy, max = 1.5) {
  if (cy.zoom() > max) {
    cy.zoom(max);
    cy.center(cy.elements(":visible"));
  }
}

export function runLayout(cy, layout, roots = null) {
  const opts = { ...(LAYOUTS[layout] || LAYOUTS.cose) };
  if (layout === "breadthfirst" && roots) opts.roots = roots;
  cy.elements(":visible").layout(opts).run();
  cy.fit(cy.elements(":visible"), 30);
  capZoom(cy);
}

// ---- result tables -> graph ----

export const isNode = (v) => v && typeof v === "object" && !Array.isArray(v) && "_labels" in v && "_eid" in v;
export const isRel = (v) => v && typeof v === "object" && !Array.isArray(v) && "_type" in v && "_start" in v;
export const isPath = (v) => v && typeof v === "object" && v._path === true;

/** Every node, relationship and path anywhere in a table's rows. */
export function collectGraph(rows) {
  const nodes = new Map();
  const rels = new Map();
  const visit = (v) => {
    if (Array.isArray(v)) { v.forEach(visit); return; }
    if (!v || typeof v !== "object") return;
    if (isPath(v)) { v.nodes.forEach(visit); v.relationships.forEach(visit); return; }
    if (isNode(v)) { nodes.set(String(v._eid), v); return; }
    if (isRel(v)) { rels.set(String(v._eid), v); return; }
    Object.values(v).forEach(visit);
  };
  rows.forEach(visit);
  return { nodes, rels };
}

export function nodeLabel(n) {
  return n.name || n.title || n.id || `#${n._eid}`;
}

/** Cytoscape elements for a table's nodes and relationships (edges need both ends). */
export function tableElements(rows) {
  const { nodes, rels } = collectGraph(rows);
  const idOf = (eid) => {
    const n = nodes.get(String(eid));
    return n ? `n:${n.id ?? `eid${n._eid}`}` : null;
  };
  const elements = [];
  const seen = new Set();
  for (const n of nodes.values()) {
    const id = idOf(n._eid);
    if (seen.has(id)) continue;
    seen.add(id);
    const kind = n._labels[0];
    elements.push({ group: "nodes", data: { id, entity: n.id, label: nodeLabel(n), kind: KIND[kind] ? kind : "Other", hop: 1 } });
  }
  let dangling = 0;
  for (const r of rels.values()) {
    const source = idOf(r._start);
    const target = idOf(r._end);
    if (!source || !target) { dangling += 1; continue; }
    elements.push({ group: "edges", data: { id: `r:${r._eid}`, source, target, type: r._type } });
  }
  return { elements, nodeCount: seen.size, edgeCount: rels.size - dangling, dangling };
}
