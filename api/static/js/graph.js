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
        "text-max-width": 120,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
        // Labels too small to read at this zoom are not drawn; hover shows them.
        "min-zoomed-font-size": 7,
        width: 22,
        height: 22,
        "background-color": "#6b7280",
        "border-width": 2,
        "border-color": "#ffffff",
      },
    },
    { selector: "node[?center]", style: { width: 34, height: 34, "border-color": "#1b1f24", "border-width": 3, "font-weight": "bold", "font-size": 13 } },
    { selector: "node[hop = 2]", style: { width: 16, height: 16, "font-size": 10, "text-max-width": 100 } },
    {
      // Edge labels stay hidden until a line is hovered or selected: on a drawn graph
      // they collide with node labels and each other. The relationship types are listed
      // beside the graph (with counts) and every connection is in the text list below.
      selector: "edge",
      style: {
        width: 1.6,
        "line-color": "#9aa3ad",
        "target-arrow-color": "#9aa3ad",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        "curve-style": "bezier",
        label: "",
        "font-size": 11,
        "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        color: "#1b1f24",
        "text-rotation": "none",
        "text-wrap": "none",
        "text-background-color": "#ffffff",
        "text-background-opacity": 1,
        "text-background-padding": 3,
        "text-border-color": "#9aa3ad",
        "text-border-width": 1,
        "text-border-opacity": 1,
      },
    },
    // A labelled line (hovered or selected) is drawn above every node and its label.
    { selector: "edge.hover, edge:selected", style: { label: "data(type)", "z-index-compare": "manual", "z-index": 100, width: 3 } },
    { selector: "node", style: { "z-index-compare": "manual", "z-index": 10 } },
    { selector: "node.hover", style: { "min-zoomed-font-size": 0, "z-index": 50 } },
    { selector: ":selected", style: { "border-color": "#c2410c", "border-width": 4, "line-color": "#c2410c", "target-arrow-color": "#c2410c" } },
    { selector: ".faded", style: { opacity: 0.25 } },
  ];
  for (const [kind, s] of Object.entries(KIND_STYLE)) {
    base.splice(1, 0, { selector: `node[kind = "${kind}"]`, style: { "background-color": s.color, shape: s.shape } });
  }
  return base;
}

// Every layout sizes nodes with their labels, so labels take part in spacing.
export const LAYOUTS = {
  concentric: {
    name: "concentric",
    concentric: (n) => 100 - (n.data("ring") ?? n.data("hop") ?? 0),
    levelWidth: () => 1,
    minNodeSpacing: 12,
    avoidOverlap: true,
    nodeDimensionsIncludeLabels: true,
    animate: false,
  },
  cose: {
    // Not randomized: cose starts from the concentric rings (drawGraph), so the same graph
    // is always drawn the same way, and a test of it cannot pass or fail by chance.
    name: "cose", animate: false, randomize: false, nodeRepulsion: () => 400000, idealEdgeLength: () => 110,
    edgeElasticity: () => 100, nodeOverlap: 20, gravity: 60, componentSpacing: 60, padding: 30,
    nodeDimensionsIncludeLabels: true,
  },
  breadthfirst: { name: "breadthfirst", directed: false, spacingFactor: 1.1, animate: false,
    avoidOverlap: true, nodeDimensionsIncludeLabels: true },
  circle: { name: "circle", animate: false, avoidOverlap: true, nodeDimensionsIncludeLabels: true },
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
    layout: opts.name === "cose" ? LAYOUTS.concentric : opts,
    minZoom: 0.2,
    maxZoom: 3,
    boxSelectionEnabled: false,
  });
  if (opts.name === "cose") cy.layout(opts).run();
  if (onTap) cy.on("tap", "node, edge", (ev) => onTap(ev.target));
  cy.on("mouseover", "node, edge", (ev) => ev.target.addClass("hover"));
  cy.on("mouseout", "node, edge", (ev) => ev.target.removeClass("hover"));
  fitGraph(cy);
  window.cy = cy;
  return cy;
}

const PADDING = 30;
const MAX_ZOOM = 1.6;    // small graphs would fit by zooming far in: labels stay readable
const READABLE = 0.75;   // below this zoom the outer rings' labels are too small to draw
const MIN_HEIGHT = 260;  // px: the canvas shrinks to a small graph, never below this
const MAX_HEIGHT = 900;  // px: and grows for a large one, up to a square canvas

/**
 * Fit the visible elements (labels included) to the canvas at a readable zoom. A small
 * graph does not sit in an empty canvas: the canvas shrinks to its height. A large one
 * gets a taller canvas; labels still too small to read are drawn on hover and zoom.
 */
export function fitGraph(cy) {
  const container = cy.container();
  const eles = cy.elements(":visible");
  if (eles.length === 0) return;
  container.style.height = "";
  cy.resize();
  cy.fit(eles, PADDING);
  if (cy.zoom() > MAX_ZOOM) cy.zoom(MAX_ZOOM);
  const height = container.clientHeight;
  const box = eles.renderedBoundingBox({ includeLabels: true });
  if (cy.zoom() < READABLE) {
    const taller = Math.min(MAX_HEIGHT, container.clientWidth, Math.ceil(box.h * READABLE / cy.zoom() + 2 * PADDING));
    if (taller > height) {
      container.style.height = `${taller}px`;
      cy.resize();
      cy.fit(eles, PADDING);
    }
  } else if (box.h + 2 * PADDING < height) {
    container.style.height = `${Math.max(MIN_HEIGHT, Math.ceil(box.h + 2 * PADDING))}px`;
    cy.resize();
  }
  cy.center(eles);
}

export function runLayout(cy, layout, roots = null) {
  const opts = { ...(LAYOUTS[layout] || LAYOUTS.cose) };
  if (layout === "breadthfirst" && roots) opts.roots = roots;
  cy.elements(":visible").layout(opts).run();
  fitGraph(cy);
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
