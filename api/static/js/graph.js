// Cytoscape.js (vendored, MIT) and the conversions from API answers to graph elements.
// The latest graph drawn is exposed as `window.cy` for tests and the console.

import { CONFIG, KIND, RELS } from "./api.js";
import { humanize } from "./dom.js";

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

// Each kind is drawn as a card holding its whole name; the card's outline differs by
// kind (as well as its colour), in shapes that have room for text.
export const CARD_SHAPE = {
  Document: "rectangle",
  Country: "ellipse",
  Organisation: "round-rectangle",
  Person: "barrel",
  Agreement: "cut-rectangle",
  Policy: "bottom-round-rectangle",
  Route: "hexagon",
  Principle: "round-octagon",
  Event: "concave-hexagon",
  Place: "octagon",
  Figure: "round-tag",
};
// Room a shape needs beyond its text, as [extra width factor, extra px each side].
const SHAPE_ROOM = { ellipse: [1.25, 14], hexagon: [1, 22], "concave-hexagon": [1, 24], octagon: [1, 16],
  "round-octagon": [1, 16], "round-tag": [1, 18], barrel: [1, 14] };

const FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
export const FONT_SIZE = 13;
const LINE = 1.25;  // line height, in font sizes

/** The words of a relationship type ("Party to"), from the schema's labels. */
export function relWords(type) {
  const vocab = (CONFIG.vocabulary && CONFIG.vocabulary.relationships) || {};
  const rel = RELS[type] || {};
  const words = (vocab[type] && vocab[type].label) || rel.label || rel.title
    || ((CONFIG.rel_phrases || {})[type] || [])[0];
  return words || humanize(String(type).toLowerCase());
}

/** How a relationship reads from one end ("Party to" / "Parties"). */
export function relPhraseOf(type, direction) {
  const vocab = ((CONFIG.vocabulary && CONFIG.vocabulary.relationships) || {})[type];
  if (vocab && vocab.outgoing) return direction === "out" ? vocab.outgoing : vocab.incoming;
  const p = (CONFIG.rel_phrases || {})[type];
  if (p) return direction === "out" ? p[0] : p[1];
  return direction === "out" ? relWords(type) : `${relWords(type)} (incoming)`;
}

let measurer = null;
function textWidth(text, size, bold) {
  if (!measurer) measurer = document.createElement("canvas").getContext("2d");
  measurer.font = `${bold ? "bold " : ""}${size}px ${FONT}`;
  return measurer.measureText(text).width;
}

/** `text` broken into lines no wider than `max` px (a longer word keeps its own line). */
export function wrapText(text, max, size = FONT_SIZE, bold = false) {
  const lines = [];
  let line = "";
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size, bold) > max) { lines.push(line); line = word; } else line = next;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}

/**
 * Give each node's data a card that fits its whole name: `label` (wrapped, never cut),
 * `w` and `h` in px, `shape` and `fill`. `maxWidth` is the widest a line may be.
 */
export function sizeCards(elements, { maxWidth = 150 } = {}) {
  for (const el of elements) {
    if (el.group !== "nodes") continue;
    const d = el.data;
    const bold = Boolean(d.center);
    const full = d.name || d.label || d.id;
    const lines = wrapText(full, maxWidth, FONT_SIZE, bold);
    const textW = Math.max(...lines.map((l) => textWidth(l, FONT_SIZE, bold)));
    const shape = d.bundle ? "round-rectangle" : (CARD_SHAPE[d.kind] || "round-rectangle");
    const [factor, pad] = SHAPE_ROOM[shape] || [1, 10];
    d.name = full;
    d.label = lines.join("\n");
    d.tw = Math.ceil(textW) + 4;
    d.w = Math.ceil(textW * factor + 2 * pad);
    d.h = Math.ceil(lines.length * FONT_SIZE * LINE + (shape === "ellipse" ? 22 : 14));
    d.shape = shape;
    const color = (KIND_STYLE[d.kind] || {}).color || "#6b7280";
    d.color = color;
    d.fill = tint(color, 0.86);
  }
  return elements;
}

function tint(hex, amount) {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c) => Math.round(c + (255 - c) * amount);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(mix);
  return `rgb(${r}, ${g}, ${b})`;
}

/** A small picture of a kind's card outline, for legends. */
export function cardSwatch(kind) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 14");
  svg.setAttribute("width", "24");
  svg.setAttribute("height", "14");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "card-swatch");
  const paths = {
    rectangle: "M1 1H23V13H1Z", "round-rectangle": "M4 1H20Q23 1 23 4V10Q23 13 20 13H4Q1 13 1 10V4Q1 1 4 1Z",
    ellipse: "M12 1C18 1 23 3.5 23 7S18 13 12 13 1 10.5 1 7 6 1 12 1Z",
    barrel: "M3 1H21Q24 7 21 13H3Q0 7 3 1Z", "cut-rectangle": "M4 1H20L23 4V10L20 13H4L1 10V4Z",
    "bottom-round-rectangle": "M1 1H23V9Q23 13 19 13H5Q1 13 1 9Z", hexagon: "M5 1H19L23 7L19 13H5L1 7Z",
    "round-octagon": "M6 1H18L23 5V9L18 13H6L1 9V5Z", "concave-hexagon": "M1 1H23L19 7L23 13H1L5 7Z",
    octagon: "M6 1H18L23 5V9L18 13H6L1 9V5Z", "round-tag": "M1 1H17L23 7L17 13H1Z",
  };
  const path = document.createElementNS(ns, "path");
  const color = (KIND_STYLE[kind] || {}).color || "#6b7280";
  path.setAttribute("d", paths[CARD_SHAPE[kind]] || paths["round-rectangle"]);
  path.setAttribute("fill", tint(color, 0.86));
  path.setAttribute("stroke", color);
  path.setAttribute("stroke-width", "1.6");
  svg.append(path);
  return svg;
}

function styles() {
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        shape: "data(shape)",
        width: "data(w)",
        height: "data(h)",
        "font-size": FONT_SIZE,
        "font-family": FONT,
        "line-height": LINE,
        color: "#1b1f24",
        "text-valign": "center",
        "text-halign": "center",
        "text-wrap": "wrap",
        "text-max-width": "data(tw)",
        "background-color": "data(fill)",
        "border-width": 2,
        "border-color": "data(color)",
        "z-index-compare": "manual",
        "z-index": 10,
      },
    },
    { selector: "node[?center]", style: { "border-width": 4, "border-color": "#1b1f24", "font-weight": "bold" } },
    { selector: "node[?bundle]", style: { "border-style": "dashed", "background-color": "#ffffff", "border-width": 2 } },
    {
      selector: "edge",
      style: {
        width: 1.6,
        "line-color": "#8a939d",
        "target-arrow-color": "#8a939d",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        "curve-style": "bezier",
        "control-point-step-size": 76,
        label: "data(label)",
        "font-size": 11,
        "font-family": FONT,
        color: "#30363d",
        "text-rotation": "none",
        "text-wrap": "none",
        "text-background-color": "#ffffff",
        "text-background-opacity": 1,
        "text-background-padding": 2,
        "text-background-shape": "roundrectangle",
        "z-index-compare": "manual",
        "z-index": 1,
      },
    },
    { selector: "edge[?tobundle]", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
    // Lines between two neighbours: faint, so the lines from the centre read first.
    { selector: "edge[?cross]", style: { "line-color": "#c3c9cf", "target-arrow-color": "#c3c9cf", width: 1.2 } },
    // A pointed-at or selected line is drawn above every node, thicker.
    { selector: "edge.hover, edge:selected", style: { "z-index": 100, width: 3 } },
    { selector: "node.hover", style: { "z-index": 50 } },
    { selector: ":selected", style: { "border-color": "#c2410c", "border-width": 4, "line-color": "#c2410c", "target-arrow-color": "#c2410c" } },
    { selector: ".faded", style: { opacity: 0.25 } },
  ];
}

// Every layout sizes nodes with their labels, so labels take part in spacing.
export const LAYOUTS = {
  concentric: {
    name: "concentric",
    concentric: (n) => 100 - (n.data("ring") ?? n.data("hop") ?? 0),
    levelWidth: () => 1,
    minNodeSpacing: 24,
    avoidOverlap: true,
    nodeDimensionsIncludeLabels: true,
    animate: false,
  },
  cose: {
    // Not randomized: cose starts from the concentric rings (drawGraph), so the same graph
    // is always drawn the same way, and a test of it cannot pass or fail by chance.
    name: "cose", animate: false, randomize: false, nodeRepulsion: () => 600000, idealEdgeLength: () => 140,
    edgeElasticity: () => 100, nodeOverlap: 40, gravity: 60, componentSpacing: 60, padding: 30,
    nodeDimensionsIncludeLabels: true,
  },
  breadthfirst: { name: "breadthfirst", directed: false, spacingFactor: 1.2, animate: false,
    avoidOverlap: true, nodeDimensionsIncludeLabels: true },
  circle: { name: "circle", animate: false, avoidOverlap: true, nodeDimensionsIncludeLabels: true },
};

/**
 * Positions for a radial tree: `tree` maps each parent id to its children, in order,
 * from `root`. Rings are ellipses stretched to `aspect` (width / height of the canvas);
 * each ring grows until none of its cards, nor the labels of the lines that reach them,
 * touch each other or anything placed before.
 */
export function radialPositions(cy, root, tree, { aspect = 1.6 } = {}) {
  const card = (id) => { const n = cy.$id(id); return { w: (n.width() || 40) + 16, h: (n.height() || 30) + 10 }; };
  const rings = [];
  const visit = (id, d) => {
    (rings[d] = rings[d] || []).push(id);
    for (const k of tree.get(id) || []) visit(k, d + 1);
  };
  visit(root, 0);
  const positions = { [root]: { x: 0, y: 0 } };
  if (rings.length < 2) return positions;
  const parentOf = new Map();
  for (const [p, kids] of tree) for (const k of kids) parentOf.set(k, p);
  // Ring 1 evenly spaced; each outer ring evenly spaced too, turned so that its items sit
  // as near as they can to their parents' angles (kept in their parents' order).
  const angle = new Map([[root, -Math.PI / 2]]);
  const start = -Math.PI / 2 + Math.PI / rings[1].length;  // two neighbours sit left and right
  rings[1].forEach((id, i) => angle.set(id, start + (i * 2 * Math.PI) / rings[1].length));
  const norm = (a) => { let x = a % (2 * Math.PI); if (x < -Math.PI) x += 2 * Math.PI; if (x > Math.PI) x -= 2 * Math.PI; return x; };
  for (let d = 2; d < rings.length; d += 1) {
    const ring = rings[d];
    const want = ring.map((id) => angle.get(parentOf.get(id)));
    const stepD = (2 * Math.PI) / Math.max(ring.length, 16);
    let best = 0;
    let bestCost = Infinity;
    for (let k = 0; k < ring.length; k += 1) {
      const offset = want[k] - k * stepD;
      const cost = ring.reduce((sum, _, i) => sum + Math.abs(norm(offset + i * stepD - want[i])), 0);
      if (cost < bestCost) { bestCost = cost; best = offset; }
    }
    ring.forEach((id, i) => angle.set(id, best + i * stepD));
  }
  const stretch = Math.sqrt(Math.max(0.45, Math.min(2.4, aspect)));
  // The labels on the lines between a node and its parent (words, measured), so the
  // rings leave them room.
  const labels = (id) => {
    const p = parentOf.get(id);
    const lines = cy.$id(id).edgesWith(cy.$id(p)).filter((e) => e.data("label"));
    return lines.map((e, i) => ({ w: textWidth(e.data("label"), 11, false) + 10, h: 20,
      offset: (i - (lines.length - 1) / 2) * 60 }));
  };
  const box = (x, y, w, h) => ({ x1: x - w / 2, x2: x + w / 2, y1: y - h / 2, y2: y + h / 2 });
  const hit = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
  const placed = [box(0, 0, card(root).w, card(root).h)];
  let r = Math.max(card(root).w, card(root).h) / 2;
  for (let d = 1; d < rings.length; d += 1) {
    const ring = rings[d];
    r += Math.max(...ring.map((id) => Math.max(card(id).w, card(id).h))) / 2 + 40;
    for (let tries = 0; tries < 120; tries += 1) {
      const mine = [];
      for (const id of ring) {
        const a = angle.get(id);
        const x = r * stretch * Math.cos(a);
        const y = (r / stretch) * Math.sin(a);
        positions[id] = { x, y };
        const { w, h } = card(id);
        mine.push(box(x, y, w, h));
        const from = positions[parentOf.get(id)];
        const len = Math.hypot(x - from.x, y - from.y) || 1;
        for (const l of labels(id)) {
          const mx = (x + from.x) / 2 - ((y - from.y) / len) * l.offset;
          const my = (y + from.y) / 2 + ((x - from.x) / len) * l.offset;
          mine.push(box(mx, my, l.w, l.h));
        }
      }
      const clash = mine.some((b, i) => placed.some((o) => hit(b, o)) || mine.some((o, j) => j > i && hit(b, o)));
      if (!clash || tries === 119) { placed.push(...mine); break; }
      r *= 1.05;
    }
  }
  return positions;
}

/** Draw `elements` into `container`; `onTap(element)` gets node and edge taps. */
export async function drawGraph(container, elements, { layout = "concentric", roots = null, onTap = null,
  maxWidth = 150 } = {}) {
  const cytoscape = await loadCytoscape();
  if (window.cy && !window.cy.destroyed() && window.cy.container() === container) window.cy.destroy();
  sizeCards(elements, { maxWidth });
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

const PADDING = 24;
const MAX_ZOOM = 1.3;    // small graphs would fit by zooming far in: labels stay in proportion
export const READABLE = 0.78;  // below this zoom a 13 px name is too small to read (10.1 px)
const MIN_HEIGHT = 260;  // px: the canvas shrinks to a small graph, never below this
const MAX_HEIGHT = 900;  // px: and grows for a large one

/**
 * Fit the visible elements (labels included) to the canvas, never below a readable
 * zoom. A small graph does not sit in an empty canvas: the canvas shrinks to its height.
 * A large one gets a taller canvas; when even that is not enough (a phone), the drawing
 * stays readable and centred on the centre node, and can be moved and zoomed.
 */
export function fitGraph(cy, centre = null) {
  const container = cy.container();
  const eles = cy.elements(":visible");
  if (eles.length === 0) return;
  container.style.height = "";
  cy.resize();
  const box = eles.boundingBox({ includeLabels: true });
  const width = container.clientWidth;
  const fitW = (width - 2 * PADDING) / box.w;
  let zoom = Math.min(MAX_ZOOM, fitW);
  const maxH = Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, Math.round(window.innerHeight * 0.9)));
  if (zoom < READABLE) zoom = READABLE;
  let height = Math.ceil(box.h * zoom + 2 * PADDING);
  if (height > maxH) {
    const fitH = (maxH - 2 * PADDING) / box.h;
    zoom = Math.max(READABLE, Math.min(zoom, fitH));
    height = maxH;
  }
  height = Math.max(MIN_HEIGHT, height);
  container.style.height = `${height}px`;
  cy.resize();
  cy.zoom(zoom);
  const fits = box.w * zoom <= width - PADDING && box.h * zoom <= height - PADDING;
  const c = centre && cy.$id(centre).length && !fits ? cy.$id(centre) : eles;
  cy.center(c);
}

export function runLayout(cy, layout, roots = null, positions = null, centre = null) {
  if (positions && (layout === "concentric" || !LAYOUTS[layout])) {
    cy.elements(":visible").layout({ name: "preset", positions: (n) => positions[n.id()] || { x: 0, y: 0 },
      animate: false, fit: false }).run();
  } else {
    const opts = { ...(LAYOUTS[layout] || LAYOUTS.cose) };
    if (layout === "breadthfirst" && roots) opts.roots = roots;
    cy.elements(":visible").layout(opts).run();
  }
  fitGraph(cy, centre);
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
    elements.push({ group: "edges", data: { id: `r:${r._eid}`, source, target, type: r._type, label: relWords(r._type) } });
  }
  return { elements, nodeCount: seen.size, edgeCount: rels.size - dangling, dangling };
}
