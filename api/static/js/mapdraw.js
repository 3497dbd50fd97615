// The explorer's maps, drawn offline as SVG: Natural Earth's 1:50m country shapes (the
// vendored world-atlas TopoJSON, public domain) with the vendored d3-geo and
// topojson-client (ISC). No tile server: nothing leaves the machine. The routes come as
// the API's GeoJSON (/v1/routes?format=geojson): a LineString where the sources give
// the order, otherwise unordered points that are never joined by a line.

import { getJSON, entityHref } from "./api.js";
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
export const ROLE_WORDS = { origin: "origin", transit: "transit", destination: "destination" };

/** An SVG element: s("path", {d: "..."}, child, "text"). */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function script(src) {
  return new Promise((resolve, reject) => {
    const el = document.createElement("script");
    el.src = src;
    el.onload = resolve;
    el.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(el);
  });
}

let loader = null;

/** The vendored libraries and the country shapes, loaded once. */
export function loadGeo() {
  if (!loader) {
    loader = (async () => {
      if (!(window.d3 && window.d3.geoPath)) {
        await script("/static/vendor/d3-array/d3-array.min.js");
        await script("/static/vendor/d3-geo/d3-geo.min.js");
      }
      if (!window.topojson) await script("/static/vendor/topojson-client/topojson-client.min.js");
      const res = await fetch("/static/vendor/world-atlas/countries-50m.json");
      if (!res.ok) throw new Error("could not load the country shapes");
      const world = await res.json();
      const shapes = window.topojson.feature(world, world.objects.countries).features;
      const d3 = window.d3;
      for (const f of shapes) f.bbox = d3.geoBounds(f);
      return { d3, shapes };
    })();
    loader.catch(() => { loader = null; });
  }
  return loader;
}

/** The Natural Earth shape that holds each country's representative point. */
export function shapesOf(geo, countries) {
  const out = new Map();
  for (const c of countries) {
    if (!c.point) continue;
    const [lon, lat] = c.point;
    const shape = geo.shapes.find((f) => {
      const [[x0, y0], [x1, y1]] = f.bbox;
      const inBox = lat >= y0 && lat <= y1 && (x0 <= x1 ? lon >= x0 && lon <= x1 : lon >= x0 || lon <= x1);
      return inBox && geo.d3.geoContains(f, c.point);
    });
    if (shape) out.set(c.id, shape);
  }
  return out;
}

/** A projection for Europe fitted to `points` (at least ±span degrees around them). */
function projection(d3, points, width, height, span) {
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const box = [Math.min(...lons) - span[0], Math.min(...lats) - span[1],
    Math.max(...lons) + span[0], Math.max(...lats) + span[1]];
  const corners = { type: "MultiPoint", coordinates: [[box[0], box[1]], [box[2], box[1]], [box[0], box[3]], [box[2], box[3]]] };
  const centre = (box[0] + box[2]) / 2;
  return d3.geoConicConformal().parallels([35, 65]).rotate([-centre, 0])
    .fitExtent([[12, 12], [width - 12, height - 12]], corners)
    .clipExtent([[0, 0], [width, height]]);
}

/** A route's places with a point, each with its route-local index. */
export function placesOf(route) {
  return (route.properties.places || []).filter((p) => p.point);
}

function marker(role, x, y, r) {
  if (role === "origin") return s("path", { d: `M${x},${y - r * 1.2}L${x + r * 1.1},${y + r * 0.8}L${x - r * 1.1},${y + r * 0.8}Z` });
  if (role === "destination") return s("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r });
  return s("circle", { cx: x, cy: y, r });
}

/**
 * Draw a map: the shapes, our countries (linked to their pages), the routes (linked).
 * countries: [{id, name, point, cls}]; routes: GeoJSON Features from the API.
 * Returns {svg, countryEls: Map id -> <a>, routeEls: Map id -> <a>}.
 */
export function drawMap(geo, { width = 960, height = 620, countries = [], routes = [], focus = null,
  span = [3, 2], label = "Map", compact = false }) {
  const { d3 } = geo;
  const points = focus || countries.filter((c) => c.point).map((c) => c.point);
  const proj = projection(d3, points.length ? points : [[15, 50]], width, height, span);
  const path = d3.geoPath(proj);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: `map-svg${compact ? " compact" : ""}`,
    role: "group", "aria-label": label, preserveAspectRatio: "xMidYMid meet" });
  svg.append(s("defs", {}, s("marker", { id: `arrow-${compact ? "c" : "m"}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 3.2, markerHeight: 3.2, orient: "auto-start-reverse" }, s("path", { d: "M0,0L10,5L0,10Z", class: "arrow-head" }))));
  svg.append(s("rect", { class: "sea", x: 0, y: 0, width, height }));
  const land = s("g", { class: "land" });
  const ours = shapesOf(geo, countries);
  const mine = new Set(ours.values());
  for (const f of geo.shapes) {
    if (mine.has(f)) continue;
    const d = path(f);
    if (d) land.append(s("path", { d }));
  }
  svg.append(land);
  const countryEls = new Map();
  const layer = s("g", { class: "kg-countries" });
  for (const c of countries) {
    const shape = ours.get(c.id);
    const d = shape && path(shape);
    const a = s("a", { href: entityHref(c.id, "Country"), tabindex: "-1", class: `kg-country ${c.cls || ""}`,
      "data-id": c.id }, s("title", {}, c.name));
    if (d) a.append(s("path", { d }));
    layer.append(a);
    countryEls.set(c.id, a);
  }
  svg.append(layer);
  const routeLayer = s("g", { class: "routes" });
  const routeEls = new Map();
  const r = compact ? 5 : 6;
  routes.forEach((route, i) => {
    const props = route.properties;
    const a = s("a", { href: entityHref(props.id, "Route"), tabindex: "-1",
      class: `route route-${i % 3} ${props.ordered ? "ordered" : "unordered"}`, "data-route": props.id },
    s("title", {}, props.ordered ? props.name : `${props.name}: order along the route not stated`));
    const dx = (i - 1) * (compact ? 4 : 7);  // routes sharing a country stay apart
    const placed = placesOf(route).map((p) => {
      const xy = proj(p.point);
      return { ...p, x: xy[0] + dx, y: xy[1] };
    });
    if (props.ordered && placed.length >= 2) {
      a.append(s("path", { class: "route-line", d: `M${placed.map((p) => `${p.x},${p.y}`).join("L")}`,
        "marker-end": `url(#arrow-${compact ? "c" : "m"})` }));
    }
    const transit = placed.filter((p) => p.role === "transit" && p.order == null);
    if (!props.ordered && transit.length >= 2) {
      const xs = transit.map((p) => p.x);
      const ys = transit.map((p) => p.y);
      const pad = compact ? 10 : 16;
      a.append(s("rect", { class: "unordered-outline", x: Math.min(...xs) - pad, y: Math.min(...ys) - pad,
        width: Math.max(...xs) - Math.min(...xs) + 2 * pad, height: Math.max(...ys) - Math.min(...ys) + 2 * pad,
        rx: pad, ry: pad }));
    }
    for (const p of placed) {
      const m = marker(p.role, p.x, p.y, r);
      m.setAttribute("class", `place role-${p.role}${props.ordered ? "" : " unordered"}`);
      m.append(s("title", {}, `${p.name}: ${ROLE_WORDS[p.role] || p.role}${p.order != null ? `, stop ${p.order}` : ""}`));
      a.append(m);
    }
    if (placed.length && !compact) {
      // Beside the places it passes through (not its destination, which routes share).
      const own = placed.filter((p) => p.role !== "destination");
      const at = own.length ? own : placed;
      const x = at.reduce((t, p) => t + p.x, 0) / at.length;
      const y = Math.max(...at.map((p) => p.y));
      const left = Math.min(...at.map((p) => p.x));
      const top = Math.min(...at.map((p) => p.y));
      let pos = { x, y: y + 30, "text-anchor": "middle" };  // under a line
      if (own.length === 0) pos = { x, y: top - 16, "text-anchor": "middle" };  // above a lone place
      else if (!props.ordered) pos = { x: left - 22, y: (top + y) / 2 + 5, "text-anchor": "end" };
      // Kept inside the map: a label's width, roughly, from its length (15px bold).
      const half = props.name.length * 4.4;
      if (pos["text-anchor"] === "middle") pos.x = Math.min(Math.max(pos.x, half + 6), width - half - 6);
      else pos.x = Math.max(pos.x, 2 * half + 6);
      a.append(s("text", { class: "route-label", ...pos }, props.name));
    }
    routeLayer.append(a);
    routeEls.set(props.id, a);
  });
  svg.append(routeLayer);
  return { svg, countryEls, routeEls };
}

/** In words: how a route runs, or that its order is not stated. */
export function routeWords(route) {
  const props = route.properties;
  const places = props.places || [];
  const byRole = (role) => places.filter((p) => p.role === role).map((p) => p.name);
  if (props.ordered) {
    return `In the order the sources give: ${places.filter((p) => p.point).map((p) => p.name).join(" → ")}.`;
  }
  const parts = [];
  for (const role of ["origin", "transit", "destination"]) {
    const names = byRole(role);
    if (names.length) parts.push(`${role}: ${names.join(", ")}`);
  }
  return `Order along the route not stated, so no line is drawn (${parts.join("; ")}).`;
}

/** A small map panel for a country or route page: its place, linked to the full map. */
export function mapPanel(entity) {
  const body = h("div", { class: "map-panel-body" }, h("p", { class: "loading", role: "status" }, "Loading the map…"));
  const panel = h("section", { class: "card map-panel", "aria-labelledby": "sec-on-the-map" },
    h("h2", { id: "sec-on-the-map" }, "On the map"), body);
  (async () => {
    const kind = entity.kind === "Country" ? "countries" : "routes";
    const [geo, feature] = await Promise.all([
      loadGeo(), getJSON(`/v1/${kind}/${encodeURIComponent(entity.id)}`, { format: "geojson" })]);
    const link = h("p", { class: "small" }, h("a", { href: "#/map" }, "Open the map of all routes and agreements"),
      " · ", h("a", { href: `/v1/${kind}/${encodeURIComponent(entity.id)}?format=geojson` }, "GeoJSON"));
    if (!feature.geometry) {
      body.replaceChildren(h("p", {}, "No place on this ", entity.kind === "Country" ? "country" : "route",
        " has a point to draw."), link);
      return;
    }
    let drawn;
    let words;
    if (entity.kind === "Country") {
      const c = { id: entity.id, name: entity.name, point: feature.geometry.coordinates, cls: "focus" };
      drawn = drawMap(geo, { width: 360, height: 260, countries: [c], span: [7, 5], compact: true,
        label: `${entity.name} on a map of Europe` });
      const [lon, lat] = c.point;
      words = h("p", { class: "small" }, `Representative point: ${lat.toFixed(3)}° N, ${lon.toFixed(3)}° E. `,
        h("span", { class: "muted" }, feature.properties.point_basis || ""));
    } else {
      const located = placesOf(feature).map((p) => ({ id: p.id, name: p.name, point: p.point,
        cls: `on-route role-${p.role}` }));
      drawn = drawMap(geo, { width: 360, height: 260, countries: located, routes: [feature], span: [4, 3],
        compact: true, label: `${entity.name} on a map` });
      words = h("p", { class: "small" }, routeWords(feature));
    }
    body.replaceChildren(h("figure", { class: "map-figure" }, drawn.svg), words, link);
  })().catch((err) => {
    body.replaceChildren(h("p", { class: "muted" }, `The map could not be drawn: ${err.message || err}`));
  });
  return panel;
}
