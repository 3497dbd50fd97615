// The 1-2 hop neighbourhood of an entity, drawn with Cytoscape.js and filterable by
// relationship type. Built from the entity API: the entity, then (for 2 hops) each
// neighbour's details, a few requests at a time.

import { KIND, RELS, getJSON, entityHref, graphHref, jsonHref, url } from "../api.js";
import { h, clear, humanize, mapLimit, plural, announce } from "../dom.js";
import { KIND_STYLE, drawGraph, runLayout } from "../graph.js";
import { apiLinks, breadcrumbs, entityLink, evidenceGroups, kindBadge, propertyValue } from "../ui.js";

const MAX_EXPAND = 60;   // neighbours whose own links are fetched for 2 hops
const PARALLEL = 6;

function edgeKey(source, type, target, props) {
  return `${source}|${type}|${target}|${JSON.stringify(props || {})}`;
}

/** Nodes and edges within `hops` of `center`, from /v1/entities answers. */
async function neighbourhood(center, hops) {
  const nodes = new Map();
  const edges = new Map();
  const addNode = (ref, hop) => {
    const old = nodes.get(ref.id);
    if (!old || old.hop > hop) nodes.set(ref.id, { id: ref.id, name: ref.name, kind: ref.kind, hop });
  };
  const addLinks = (detail, hop) => {
    for (const r of detail.relationships) {
      addNode(r.other, hop + 1);
      const [source, target] = r.direction === "out" ? [detail.id, r.other.id] : [r.other.id, detail.id];
      const key = edgeKey(source, r.type, target, r.properties);
      if (!edges.has(key)) {
        edges.set(key, { source, target, type: r.type, properties: r.properties, evidence: r.evidence,
          documents: detail.documents || {} });
      }
    }
  };
  addNode(center, 0);
  addLinks(center, 0);
  let skipped = 0;
  if (hops >= 2) {
    const first = [...nodes.values()].filter((n) => n.hop === 1);
    const expand = first.slice(0, MAX_EXPAND);
    skipped = first.length - expand.length;
    const details = await mapLimit(expand, PARALLEL,
      (n) => getJSON(`/v1/entities/${encodeURIComponent(n.id)}`).catch(() => null));
    for (const d of details) if (d) addLinks(d, 1);
    // Keep only edges whose ends are both within 2 hops (all are, by construction).
  }
  return { nodes, edges, skipped };
}

export async function graphPage(ctx, ref) {
  const hops = ctx.params.get("hops") === "2" ? 2 : 1;
  const typesParam = ctx.params.get("types");
  const layoutName = ctx.params.get("layout") || "concentric";
  const center = await getJSON(`/v1/entities/${encodeURIComponent(ref)}`);
  if (!ctx.isCurrent()) return;
  ctx.setTitle(`Graph: ${center.name || center.id}`);
  const status = h("p", { role: "status", class: "graph-status" }, hops === 2 ? "Fetching neighbours’ links…" : "");
  const canvas = h("div", { id: "graph-canvas", class: "graph-canvas", role: "img",
    "aria-label": `Neighbourhood graph of ${center.name}. The list of connections below gives the same information as text.` });
  const kindSpec = KIND[center.kind];
  ctx.view.append(
    breadcrumbs([["Home", "#/"], [humanize(kindSpec.plural), `#/kind/${kindSpec.plural}`],
      [center.name || center.id, entityHref(center.id, center.kind)], ["Graph"]]),
    h("h1", {}, `Graph around ${center.name || center.id} `, kindBadge(center.kind)),
    apiLinks([["Entity page", entityHref(center.id, center.kind)], ["JSON", jsonHref(center.id, center.kind)]]),
    status);

  const { nodes, edges, skipped } = await neighbourhood(center, hops);
  if (!ctx.isCurrent()) return;
  const allTypes = [...new Set([...edges.values()].map((e) => e.type))].sort();
  const chosen = new Set(typesParam ? typesParam.split(",").filter((t) => allTypes.includes(t)) : allTypes);

  const elements = [];
  for (const n of nodes.values()) {
    elements.push({ group: "nodes", data: { id: n.id, entity: n.id, label: n.name || n.id, kind: n.kind, hop: n.hop, center: n.hop === 0 } });
  }
  let i = 0;
  const edgeById = new Map();
  for (const e of edges.values()) {
    const id = `e${i++}`;
    edgeById.set(id, e);
    elements.push({ group: "edges", data: { id, source: e.source, target: e.target, type: e.type } });
  }

  // ---- controls ----
  const setHash = (changes) => {
    const next = { hops: hops === 2 ? 2 : "", types: chosen.size === allTypes.length ? "" : [...chosen].join(","), layout: ctx.params.get("layout") || "", ...changes };
    window.history.replaceState(null, "", url(`#/graph/${encodeURIComponent(center.id)}`, next));
    if (document.body.dataset.ready !== undefined) document.body.dataset.ready = window.location.hash;
  };
  const hopSel = h("div", { class: "hops field" }, h("span", { class: "label", id: "hops-label" }, "Distance"),
    h("ul", { class: "segmented", "aria-labelledby": "hops-label" }, [1, 2].map((n) => h("li", {},
      h("a", { href: graphHref(center.id, { hops: n === 2 ? 2 : null, types: typesParam }),
        "aria-current": n === hops ? "true" : null }, plural(n, "hop", "hops"))))));
  const layoutSel = h("select", { id: "graph-layout" },
    [["concentric", "Rings by distance"], ["cose", "Force-directed"], ["breadthfirst", "Tree"], ["circle", "Circle"]]
      .map(([v, l]) => h("option", { value: v, selected: v === layoutName }, l)));
  const typeBoxes = h("fieldset", { class: "rel-filter" },
    h("legend", {}, "Relationship types"),
    h("div", { class: "rel-filter-actions" },
      h("button", { type: "button", class: "btn btn-small", on: { click: () => setAll(true) } }, "All"),
      h("button", { type: "button", class: "btn btn-small", on: { click: () => setAll(false) } }, "None")),
    h("div", { class: "checks" }, allTypes.map((t) => {
      const count = [...edges.values()].filter((e) => e.type === t).length;
      return h("label", { class: "inline check", title: RELS[t] ? RELS[t].description : null },
        h("input", { type: "checkbox", name: "types", value: t, checked: chosen.has(t),
          on: { change: (ev) => { if (ev.target.checked) chosen.add(t); else chosen.delete(t); applyFilter(); } } }),
        ` ${t} `, h("span", { class: "muted" }, `(${count})`));
    })));
  const fitBtn = h("button", { type: "button", class: "btn", on: { click: () => window.cy && window.cy.fit(window.cy.elements(":visible"), 30) } }, "Fit to view");
  const controls = h("form", { class: "graph-controls", "aria-label": "Graph options", on: { submit: (ev) => ev.preventDefault() } },
    hopSel, h("div", { class: "field" }, h("label", { for: "graph-layout" }, "Layout"), layoutSel), fitBtn, typeBoxes);

  const details = h("div", { class: "graph-details", "aria-live": "polite" },
    h("p", { class: "muted" }, "Select a node or relationship to see its details. Double-click a node to centre the graph on it."));
  const legend = h("ul", { class: "legend", "aria-label": "Kinds" },
    [...new Set([...nodes.values()].map((n) => n.kind))].sort().map((k) =>
      h("li", {}, h("span", { class: `swatch shape-${(KIND_STYLE[k] || {}).shape || "ellipse"}`, style: `background:${(KIND_STYLE[k] || {}).color || "#6b7280"}`, "aria-hidden": "true" }), k)));
  const textList = h("details", { class: "graph-text" },
    h("summary", {}, "Connections as a list"),
    h("ul", { class: "mini-list", id: "graph-text-list" }));

  const layout = h("div", { class: "graph-layout" },
    h("div", { class: "graph-main" }, canvas, legend),
    h("div", { class: "graph-side" }, controls, h("h2", { class: "h3" }, "Selection"), details));
  ctx.view.append(layout, textList);
  status.textContent = `${plural(nodes.size, "node", "nodes")}, ${plural(edges.size, "relationship", "relationships")} within ${plural(hops, "hop", "hops")}` +
    (skipped ? `; ${skipped} neighbours were not expanded` : "") + ".";

  function showNode(n) {
    const data = nodes.get(n.id());
    clear(details).append(
      h("h3", {}, entityLink({ id: data.id, name: data.name, kind: data.kind })),
      h("p", { class: "muted small" }, data.hop === 0 ? "Centre" : `${plural(data.hop, "hop", "hops")} away`, ` · ${plural(n.connectedEdges(":visible").length, "visible link", "visible links")}`),
      h("p", {}, h("a", { class: "btn btn-small", href: graphHref(data.id, { hops: hops === 2 ? 2 : null }) }, "Centre graph here"), " ",
        h("a", { class: "btn btn-small", href: entityHref(data.id, data.kind) }, "Open page")));
  }
  function showEdge(ed) {
    const e = edgeById.get(ed.id());
    const src = nodes.get(e.source);
    const tgt = nodes.get(e.target);
    const props = Object.entries(e.properties || {}).filter(([, v]) => v !== null && v !== "");
    clear(details).append(
      h("h3", {}, e.type),
      h("p", {}, entityLink(src, { badge: false }), " → ", entityLink(tgt, { badge: false })),
      RELS[e.type] ? h("p", { class: "muted small" }, RELS[e.type].description) : null,
      props.length ? h("dl", { class: "props" }, props.map(([k, v]) => [h("dt", {}, humanize(k)), h("dd", {}, propertyValue(k, v))])) : null,
      evidenceGroups(e.evidence, e.documents));
  }

  const cy = await drawGraph(canvas, elements, {
    layout: layoutName, roots: [center.id],
    onTap: (el) => (el.isNode() ? showNode(el) : showEdge(el)),
  });
  if (!ctx.isCurrent()) { cy.destroy(); return; }
  cy.on("dbltap", "node", (ev) => { window.location.hash = graphHref(ev.target.id(), { hops: hops === 2 ? 2 : null }); });
  layoutSel.addEventListener("change", () => { runLayout(cy, layoutSel.value, [center.id]); setHash({ layout: layoutSel.value }); });

  function setAll(on) {
    typeBoxes.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = on; });
    chosen.clear();
    if (on) allTypes.forEach((t) => chosen.add(t));
    applyFilter();
  }

  // Show edges of the chosen types, and the nodes still reachable from the centre.
  function applyFilter() {
    const adj = new Map();
    cy.edges().forEach((ed) => {
      const on = chosen.has(ed.data("type"));
      ed.style("display", on ? "element" : "none");
      if (!on) return;
      for (const [a, b] of [[ed.data("source"), ed.data("target")], [ed.data("target"), ed.data("source")]]) {
        if (!adj.has(a)) adj.set(a, []);
        adj.get(a).push(b);
      }
    });
    const reach = new Map([[center.id, 0]]);
    const queue = [center.id];
    while (queue.length) {
      const cur = queue.shift();
      const d = reach.get(cur);
      if (d >= hops) continue;
      for (const nb of adj.get(cur) || []) {
        if (!reach.has(nb)) { reach.set(nb, d + 1); queue.push(nb); }
      }
    }
    cy.nodes().forEach((n) => n.style("display", reach.has(n.id()) ? "element" : "none"));
    cy.edges().forEach((ed) => {
      if (!reach.has(ed.data("source")) || !reach.has(ed.data("target"))) ed.style("display", "none");
    });
    const visibleEdges = cy.edges(":visible");
    const list = document.getElementById("graph-text-list");
    clear(list).append(...visibleEdges.map((ed) => {
      const e = edgeById.get(ed.id());
      return h("li", {}, entityLink(nodes.get(e.source), { badge: false }), ` —${e.type}→ `, entityLink(nodes.get(e.target), { badge: false }));
    }));
    status.textContent = `${plural(cy.nodes(":visible").length, "node", "nodes")}, ${plural(visibleEdges.length, "relationship", "relationships")} shown (of ${nodes.size} and ${edges.size}) within ${plural(hops, "hop", "hops")}` +
      (skipped ? `; ${skipped} neighbours were not expanded` : "") + ".";
    setHash({});
    runLayout(cy, layoutSel.value, [center.id]);
    announce(status.textContent);
  }
  applyFilter();
  cy.$id(center.id).select();
  showNode(cy.$id(center.id));
}
