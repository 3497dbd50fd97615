// The 1-2 hop neighbourhood of an entity, drawn with Cytoscape.js and filterable by
// relationship type. Built from the entity API: the entity, then (for 2 hops) each
// neighbour's details, a few requests at a time.

import { KIND, RELS, getJSON, entityHref, graphHref, jsonHref, url } from "../api.js";
import { h, clear, codeText, humanize, mapLimit, plainText, plural, announce } from "../dom.js";
import { cardSwatch, drawGraph, fitGraph, radialPositions, relPhraseOf, relWords, runLayout, sizeCards } from "../graph.js";
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

const CROWD = 14;   // more neighbours than this and the centre's ring is grouped by kind

function kindWords(kind, n) {
  const k = KIND[kind];
  if (n === 1) return kind.toLowerCase();
  return k ? humanize(k.plural).toLowerCase() : `${kind.toLowerCase()}s`;
}

const byName = (nodes) => (a, b) => {
  const x = nodes.get(a);
  const y = nodes.get(b);
  return x.kind.localeCompare(y.kind) || String(x.name || x.id).localeCompare(String(y.name || y.id));
};

/**
 * What is drawn: the centre, its neighbours, and the neighbours' own neighbours grouped
 * by kind under the neighbour they hang from (a group is one card, "Party to: 8
 * agreements", until it is opened). Only edges of the `chosen` types count.
 * Answers the elements, the tree the radial layout places, the groups, and the nodes and
 * edges within reach (for the list of connections).
 */
function displayModel(center, nodes, edges, chosen, hops, expanded) {
  const live = [...edges.entries()].filter(([, e]) => chosen.has(e.type));
  const adj = new Map();
  for (const [id, e] of live) {
    for (const [a, b] of [[e.source, e.target], [e.target, e.source]]) {
      if (!adj.has(a)) adj.set(a, []);
      adj.get(a).push({ other: b, id, e });
    }
  }
  const dist = new Map([[center, 0]]);
  const queue = [center];
  while (queue.length) {
    const cur = queue.shift();
    if (dist.get(cur) >= hops) continue;
    for (const { other } of adj.get(cur) || []) {
      if (!dist.has(other)) { dist.set(other, dist.get(cur) + 1); queue.push(other); }
    }
  }
  const ring1 = [...dist.keys()].filter((id) => dist.get(id) === 1).sort(byName(nodes));
  const children = new Map([[center, ring1]]);
  const parentOf = new Map();
  for (const p of ring1) children.set(p, []);
  for (const id of [...dist.keys()].filter((x) => dist.get(x) === 2).sort(byName(nodes))) {
    const p = ring1.find((r) => (adj.get(id) || []).some((l) => l.other === r));
    parentOf.set(id, p);
    children.get(p).push(id);
  }
  // Group each parent's children by kind where they crowd the drawing.
  const groups = [];
  const hidden = new Map();  // node id -> its group
  const tree = new Map();
  const phrases = (parent, member) => (adj.get(parent) || []).filter((l) => l.other === member)
    .map((l) => relPhraseOf(l.e.type, l.e.source === parent ? "out" : "in"));
  const layoutChildren = (parent, kids, crowded) => {
    const out = [];
    const byKind = new Map();
    for (const k of kids) {
      const kind = nodes.get(k).kind;
      if (!byKind.has(kind)) byKind.set(kind, []);
      byKind.get(kind).push(k);
    }
    for (const [kind, members] of byKind) {
      const id = `group:${parent}:${kind}`;
      if (crowded(members) && !expanded.has(id)) {
        const words = [...new Set(members.flatMap((m) => phrases(parent, m)))];
        const g = { id, parent, kind, members, words,
          label: `${words.length <= 3 ? `${words.join(", ")}: ` : ""}${members.length} ${kindWords(kind, members.length)}` };
        groups.push(g);
        members.forEach((m) => hidden.set(m, g));
        out.push(id);
      } else {
        if (crowded(members)) groups.push({ id, parent, kind, members, open: true,
          label: `${members.length} ${kindWords(kind, members.length)}` });
        out.push(...members);
      }
    }
    return out;
  };
  tree.set(center, layoutChildren(center, ring1, (m) => ring1.length > CROWD && m.length >= 3));
  for (const p of ring1) {
    if (hidden.has(p)) { children.get(p).forEach((k) => hidden.set(k, hidden.get(p))); continue; }
    tree.set(p, layoutChildren(p, children.get(p), (m) => m.length >= 2));
  }
  const elements = [];
  const drawn = new Set();
  for (const id of dist.keys()) {
    if (hidden.has(id)) continue;
    const n = nodes.get(id);
    drawn.add(id);
    elements.push({ group: "nodes", data: { id, entity: id, name: n.name || id, kind: n.kind,
      hop: dist.get(id), center: id === center } });
  }
  for (const g of groups) {
    if (g.open || hidden.has(g.parent)) continue;
    elements.push({ group: "nodes", data: { id: g.id, name: g.label, kind: g.kind, bundle: true, hop: dist.get(g.parent) + 1 } });
    elements.push({ group: "edges", data: { id: `to:${g.id}`, source: g.parent, target: g.id, tobundle: true, label: "" } });
  }
  const shown = [];
  for (const [id, e] of live) {
    if (!dist.has(e.source) || !dist.has(e.target)) continue;
    shown.push(id);
    if (!drawn.has(e.source) || !drawn.has(e.target)) continue;
    // Words on the lines from the centre and to opened groups' members; a line between two
    // neighbours names its type when pointed at or selected.
    const opened = [e.source, e.target].some((x) => groups.some((g) => g.open && g.members.includes(x)));
    const labelled = e.source === center || e.target === center || hops === 1 || opened;
    elements.push({ group: "edges", data: { id, source: e.source, target: e.target, type: e.type,
      words: relWords(e.type), label: labelled ? relWords(e.type) : "", cross: !labelled } });
  }
  for (const [p, kids] of tree) tree.set(p, kids.filter((k) => drawn.has(k) || k.startsWith("group:")));
  return { elements, tree, groups, dist, shown, hidden };
}

export async function graphPage(ctx, ref) {
  const hops = ctx.params.get("hops") === "2" ? 2 : 1;
  const typesParam = ctx.params.get("types");
  const layoutName = ctx.params.get("layout") || "concentric";
  const center = await getJSON(`/v1/entities/${encodeURIComponent(ref)}`);
  if (!ctx.isCurrent()) return;
  ctx.setTitle(`Graph: ${center.name || center.id}`);
  const status = h("p", { role: "status", class: "graph-status" }, hops === 2 ? "Fetching neighbours’ links…" : "");
  const canvas = h("div", { id: "graph-canvas", class: "graph-canvas graph-cards", tabindex: "0", role: "application",
    "aria-roledescription": "graph",
    "aria-label": `Neighbourhood graph of ${center.name}. Arrow keys move between nodes, Enter opens or closes a group. The lists below give the same information as text.` });
  const kindSpec = KIND[center.kind];
  ctx.view.append(
    breadcrumbs([["Home", "#/"], [humanize(kindSpec.plural), `#/kind/${kindSpec.plural}`],
      [center.name || center.id, entityHref(center.id, center.kind)], ["Graph"]]),
    h("h1", {}, `Graph around ${center.name || center.id} `, kindBadge(center.kind)),
    apiLinks([["Entity page", entityHref(center.id, center.kind)], ["JSON", jsonHref(center.id, center.kind)]]),
    status);

  const { nodes, edges: edgeMap, skipped } = await neighbourhood(center, hops);
  if (!ctx.isCurrent()) return;
  const edges = new Map();
  let i = 0;
  for (const e of edgeMap.values()) edges.set(`e${i++}`, e);
  const allTypes = [...new Set([...edges.values()].map((e) => e.type))]
    .sort((a, b) => relWords(a).localeCompare(relWords(b)));
  const chosen = new Set(typesParam ? typesParam.split(",").filter((t) => allTypes.includes(t)) : allTypes);
  const expanded = new Set();
  let model = null;

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
      return h("label", { class: "inline check", title: RELS[t] ? `${t}: ${plainText(RELS[t].description)}` : t },
        h("input", { type: "checkbox", name: "types", value: t, checked: chosen.has(t),
          on: { change: (ev) => { if (ev.target.checked) chosen.add(t); else chosen.delete(t); applyFilter(); } } }),
        ` ${relWords(t)} `, h("span", { class: "muted" }, `(${count})`));
    })));
  const fitBtn = h("button", { type: "button", class: "btn", on: { click: () => window.cy && fitGraph(window.cy, center.id) } }, "Fit to view");
  const controls = h("form", { class: "graph-controls", "aria-label": "Graph options", on: { submit: (ev) => ev.preventDefault() } },
    hopSel, h("div", { class: "field" }, h("label", { for: "graph-layout" }, "Layout"), layoutSel), fitBtn, typeBoxes);

  const details = h("div", { class: "graph-details", "aria-live": "polite" },
    h("p", { class: "muted" }, "Select a node or a line to see its details."));
  const legend = h("ul", { class: "legend", "aria-label": "Kinds" },
    [...new Set([...nodes.values()].map((n) => n.kind))].sort().map((k) =>
      h("li", {}, cardSwatch(k), k)),
    h("li", { class: "legend-group" }, h("span", { class: "group-swatch", "aria-hidden": "true" }), "A group: select it to open"));
  const groupList = h("ul", { class: "mini-list graph-groups", id: "graph-groups" });
  const textList = h("ul", { class: "mini-list graph-text-list", id: "graph-text-list" });
  const nodeList = h("ul", { class: "mini-list graph-node-list", id: "graph-node-list" });
  const textSection = h("section", { class: "graph-text", "aria-labelledby": "graph-text-h" },
    h("h2", { class: "h3", id: "graph-text-h" }, "The graph as text"),
    h("details", { open: hops === 2 },
      h("summary", {}, "Groups in the drawing"), groupList),
    h("details", {}, h("summary", {}, "Nodes"), nodeList),
    h("details", {}, h("summary", {}, "Connections as a list"), textList));

  const layout = h("div", { class: "graph-layout" },
    h("div", { class: "graph-main" }, canvas, legend,
      h("p", { class: "muted small graph-hint" }, "Each line is labelled with its relationship. At two hops the outer ring is grouped by kind: ",
        "select a dashed card (or press Enter on it) to open its group, and “Focus on this node” to redraw the graph around a node. ",
        "Every node and connection is also listed under “The graph as text”. ",
        "Names are never drawn smaller than they can be read: when the drawing is larger than its frame (on a phone), drag to move it and pinch or scroll to zoom.")),
    h("div", { class: "graph-side" }, controls, h("h2", { class: "h3" }, "Selection"), details));
  ctx.view.append(layout, textSection);
  const narrow = () => canvas.clientWidth < 520;

  const focusBtn = (id) => h("a", { class: "btn btn-small", href: graphHref(id, { hops: hops === 2 ? 2 : null }) }, "Focus on this node");
  function showNode(n) {
    if (n.data("bundle")) { showGroup(n.id()); return; }
    const data = nodes.get(n.id());
    const group = model.groups.find((g) => g.open && g.members.includes(data.id));
    clear(details).append(
      h("h3", {}, entityLink({ id: data.id, name: data.name, kind: data.kind })),
      h("p", { class: "muted small" }, data.id === center.id ? "Centre" : `${plural(model.dist.get(data.id), "hop", "hops")} away`, ` · ${plural(n.connectedEdges(":visible").length, "visible link", "visible links")}`),
      h("p", { class: "btn-row" }, data.id === center.id ? null : [focusBtn(data.id), " "],
        h("a", { class: "btn btn-small", href: entityHref(data.id, data.kind) }, "Open page"),
        group ? [" ", h("button", { type: "button", class: "btn btn-small", "aria-expanded": "true",
          on: { click: () => toggle(group.id) } }, `Group the ${group.members.length} again`)] : null));
  }
  function showGroup(id) {
    const g = model.groups.find((x) => x.id === id);
    if (!g) return;
    const parent = nodes.get(g.parent);
    clear(details).append(
      h("h3", {}, g.label),
      h("p", { class: "muted small" }, "A group of ", entityLink(parent, { badge: false }), "’s neighbours."),
      h("ul", { class: "mini-list" }, g.members.map((m) => h("li", {}, entityLink(nodes.get(m), { badge: false })))),
      h("p", {}, h("button", { type: "button", class: "btn btn-small", "aria-expanded": g.open ? "true" : "false",
        on: { click: () => toggle(id) } }, g.open ? "Group them again" : `Show the ${g.members.length} in the drawing`)));
  }
  function showEdge(ed) {
    const e = edges.get(ed.id());
    if (!e) { showGroup(ed.target().id()); return; }
    const src = nodes.get(e.source);
    const tgt = nodes.get(e.target);
    const props = Object.entries(e.properties || {}).filter(([, v]) => v !== null && v !== "");
    clear(details).append(
      h("h3", {}, h("span", { title: e.type }, relWords(e.type))),
      h("p", {}, entityLink(src, { badge: false }), ` ${relWords(e.type).toLowerCase()} `, entityLink(tgt, { badge: false })),
      RELS[e.type] ? h("p", { class: "muted small" }, codeText(RELS[e.type].description)) : null,
      props.length ? h("dl", { class: "props" }, props.map(([k, v]) => [h("dt", {}, humanize(k)), h("dd", {}, propertyValue(k, v))])) : null,
      evidenceGroups(e.evidence, e.documents));
  }
  const onTap = (el) => {
    if (el.isNode() && el.data("bundle")) { toggle(el.id()); return; }
    if (el.isNode()) showNode(el); else showEdge(el);
  };

  let cy = null;
  async function render() {
    model = displayModel(center.id, nodes, edges, chosen, hops, expanded);
    const maxWidth = narrow() ? 104 : hops === 2 ? 124 : 150;
    if (!cy) {
      cy = await drawGraph(canvas, model.elements, { layout: "concentric", roots: [center.id], onTap, maxWidth });
      cy.on("dbltap", "node", (ev) => {
        if (!ev.target.data("bundle")) window.location.hash = graphHref(ev.target.id(), { hops: hops === 2 ? 2 : null });
      });
    } else {
      cy.elements().remove();
      sizeCards(model.elements, { maxWidth });
      cy.add(model.elements);
    }
    place();
    lists();
  }
  function place() {
    const aspect = (canvas.clientWidth / Math.max(240, Math.min(900, window.innerHeight * 0.9))) * (hops === 1 ? 1.6 : 1);
    const positions = radialPositions(cy, center.id, model.tree, { aspect });
    runLayout(cy, layoutSel.value, [center.id], positions, center.id);
  }
  function toggle(id) {
    if (expanded.has(id)) expanded.delete(id); else expanded.add(id);
    const g = model.groups.find((x) => x.id === id);
    render().then(() => {
      const first = g && expanded.has(id) ? cy.$id(g.members[0]) : cy.$id(id);
      if (first && first.length) { cy.elements().unselect(); first.select(); showNode(first); }
      announce(g ? `${expanded.has(id) ? "Opened" : "Closed"} the group ${g.label}` : "");
    });
  }

  function lists() {
    const shown = model.shown.map((id) => edges.get(id));
    clear(textList).append(...shown.map((e) => h("li", {}, entityLink(nodes.get(e.source), { badge: false }),
      " ", h("span", { class: "rel-words", title: e.type }, relWords(e.type).toLowerCase()), " ",
      entityLink(nodes.get(e.target), { badge: false }))));
    clear(nodeList).append(...[...model.dist.keys()].map((id) => {
      const n = nodes.get(id);
      const g = model.hidden.get(id);
      return h("li", {}, entityLink(n), h("span", { class: "muted small" },
        id === center.id ? " · centre" : ` · ${plural(model.dist.get(id), "hop", "hops")}${g ? ` · in the group “${g.label}”` : ""}`));
    }));
    clear(groupList).append(...(model.groups.length ? model.groups.map((g) => h("li", {},
      h("button", { type: "button", class: "btn btn-small", "aria-expanded": g.open ? "true" : "false",
        "data-group": g.id, on: { click: () => toggle(g.id) } },
      g.open ? `Group again: ${g.label} of ${nodes.get(g.parent).name}` : `Open: ${g.label} of ${nodes.get(g.parent).name}`)))
      : [h("li", { class: "muted" }, "None: every node is drawn on its own.")]));
    const drawnNodes = cy.nodes().filter((n) => !n.data("bundle")).length;
    status.textContent = `${plural(model.dist.size, "node", "nodes")} and ${plural(model.shown.length, "relationship", "relationships")} within ${plural(hops, "hop", "hops")}` +
      (model.groups.some((g) => !g.open) ? `: ${drawnNodes} drawn on their own, the rest in ${plural(model.groups.filter((g) => !g.open).length, "group", "groups")}` : "") +
      (chosen.size < allTypes.length ? ` (of ${nodes.size} and ${edges.size} with every type)` : "") +
      (skipped ? `; ${skipped} neighbours were not expanded` : "") + ".";
  }

  // Keyboard: arrows move the selection between drawn nodes, Enter opens a group.
  canvas.addEventListener("keydown", (ev) => {
    if (!cy) return;
    const order = cy.nodes(":visible").sort((a, b) => (a.data("hop") - b.data("hop"))
      || Math.atan2(a.position("y"), a.position("x")) - Math.atan2(b.position("y"), b.position("x")));
    const cur = cy.nodes(":selected")[0];
    const at = cur ? order.indexOf(cur) : -1;
    if (["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"].includes(ev.key)) {
      ev.preventDefault();
      const step = ev.key === "ArrowRight" || ev.key === "ArrowDown" ? 1 : -1;
      const next = order[(at + step + order.length) % order.length];
      cy.elements().unselect();
      next.select();
      if (next.data("bundle")) showGroup(next.id()); else showNode(next);
      announce(`${next.data("name")}${next.data("bundle") ? ", a group: Enter opens it" : ""}`);
    } else if ((ev.key === "Enter" || ev.key === " ") && cur) {
      ev.preventDefault();
      const g = cur.data("bundle") ? cur.id() : (model.groups.find((x) => x.open && x.members.includes(cur.id())) || {}).id;
      if (g) toggle(g);
    }
  });

  await render();
  if (!ctx.isCurrent()) { cy.destroy(); return; }
  layoutSel.addEventListener("change", () => { place(); setHash({ layout: layoutSel.value }); });

  function setAll(on) {
    typeBoxes.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = on; });
    chosen.clear();
    if (on) allTypes.forEach((t) => chosen.add(t));
    applyFilter();
  }

  function applyFilter() {
    setHash({});
    render().then(() => announce(status.textContent));
  }
  setHash({});
  announce(status.textContent);
  cy.$id(center.id).select();
  showNode(cy.$id(center.id));
}
