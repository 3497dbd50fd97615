// #/map?agreement=ID: the routes through their countries, the countries shaded by the
// agreements that involve them, one agreement highlighted; the same content as tables.

import { getJSON, entityHref, listAll, url } from "../api.js";
import { h, mapLimit, plural } from "../dom.js";
import { apiLinks, breadcrumbs, section } from "../ui.js";
import { ROLE_WORDS, drawMap, loadGeo, routeWords } from "../mapdraw.js";

function link(id, kind, name) {
  return h("a", { href: entityHref(id, kind) }, name || id);
}

function list(items) {
  if (!items.length) return h("span", { class: "muted" }, "none");
  return items.map((x, i) => [i ? ", " : "", x]);
}

/** Each agreement's countries: parties (PARTY_TO from a country), covered, routes addressed. */
async function agreementGeography() {
  const { items } = await listAll("Agreement");
  const details = await mapLimit(items, 4, (a) => getJSON(`/v1/agreements/${encodeURIComponent(a.id)}`));
  return details.map((d) => {
    const rels = d.relationships || [];
    const pick = (type, dir, kind) => rels.filter((r) => r.type === type && r.direction === dir
      && r.other.kind === kind).map((r) => r.other.id);
    return { id: d.id, name: d.name || d.id, parties: [...new Set(pick("PARTY_TO", "in", "Country"))],
      covered: [...new Set(pick("COVERS", "out", "Country"))], routes: [...new Set(pick("ADDRESSES", "out", "Route"))] };
  }).sort((a, b) => a.name.localeCompare(b.name));
}

function legend() {
  const sw = (cls) => h("span", { class: `map-swatch ${cls}`, "aria-hidden": "true" });
  return h("ul", { class: "map-legend", "aria-label": "Legend" },
    h("li", {}, sw("line-ordered"), "Route in the order the sources give, origin to destination (arrow)"),
    h("li", {}, sw("outline-unordered"), "Places on a route whose order the sources do not state: dashed, never joined by a line"),
    h("li", {}, sw("sym-origin"), "origin ", sw("sym-transit"), "transit ", sw("sym-destination"), "destination"),
    h("li", {}, sw("shade-1"), sw("shade-2"), sw("shade-3"), "Countries by the agreements that cover them or name them as a party: 1, 2, 3 or more"),
    h("li", {}, sw("sel-party"), "party to the agreement highlighted ", sw("sel-covered"), "covered by it"),
    h("li", { class: "muted small" }, "Country shapes: Natural Earth 1:50m (public domain); each country's point: the centre of its largest land area."));
}

export async function mapPage(ctx) {
  ctx.setTitle("Map");
  const [geo, countriesGeo, routesGeo, agreements] = await Promise.all([
    loadGeo(),
    getJSON("/v1/countries", { format: "geojson", limit: 200 }),
    getJSON("/v1/routes", { format: "geojson", limit: 200 }),
    agreementGeography(),
  ]);
  if (!ctx.isCurrent()) return;
  const routes = routesGeo.features;
  const involved = new Map();  // country id -> agreements that cover it or have it as a party
  const add = (id, a) => { if (!involved.has(id)) involved.set(id, new Set()); involved.get(id).add(a.id); };
  for (const a of agreements) { for (const c of [...a.parties, ...a.covered]) add(c, a); }
  const countries = countriesGeo.features.map((f) => ({
    id: f.id, name: f.properties.name, point: f.geometry ? f.geometry.coordinates : null,
    cls: `shade-${Math.min(3, (involved.get(f.id) || new Set()).size)}`,
  })).sort((a, b) => a.name.localeCompare(b.name));
  const names = Object.fromEntries(countries.map((c) => [c.id, c.name]));
  // As wide as the page (labels keep their size on a phone), taller than wide on a phone.
  const width = Math.round(Math.max(340, Math.min(960, ctx.view.clientWidth || 960)));
  const height = Math.round(width < 600 ? width * 1.05 : width * 0.62);
  const drawn = drawMap(geo, { countries, routes, width, height,
    label: "Map of the routes and the countries of the agreements" });

  const select = h("select", { id: "map-agreement" },
    h("option", { value: "" }, "None"),
    agreements.map((a) => h("option", { value: a.id }, a.name)));
  const summary = h("p", { class: "map-selection", role: "status", "aria-live": "polite" });
  function highlight(id) {
    const a = agreements.find((x) => x.id === id) || null;
    drawn.svg.classList.toggle("has-selection", Boolean(a));
    for (const [cid, el] of drawn.countryEls) {
      el.classList.toggle("sel-party", Boolean(a && a.parties.includes(cid)));
      el.classList.toggle("sel-covered", Boolean(a && a.covered.includes(cid) && !a.parties.includes(cid)));
    }
    for (const [rid, el] of drawn.routeEls) el.classList.toggle("sel-route", Boolean(a && a.routes.includes(rid)));
    if (!a) {
      summary.replaceChildren("No agreement highlighted: countries are shaded by how many agreements involve them.");
      return;
    }
    const named = (ids) => ids.map((i) => names[i] || i).join(", ") || "none";
    summary.replaceChildren(h("strong", {}, link(a.id, "Agreement", a.name)),
      `: parties ${named(a.parties)}; covers ${named(a.covered)}`,
      a.routes.length ? `; addresses ${a.routes.map((r) => (routes.find((x) => x.id === r) || { properties: { name: r } }).properties.name).join(", ")}` : "",
      ".");
  }
  select.addEventListener("change", () => {
    highlight(select.value);
    // Bookmarkable without re-rendering the page (replaceState fires no hashchange).
    history.replaceState(null, "", url("#/map", { agreement: select.value }));
  });
  const wanted = ctx.params.get("agreement") || "";
  if (agreements.some((a) => a.id === wanted)) select.value = wanted;
  highlight(select.value);

  const routeRows = routes.map((r) => {
    const p = r.properties;
    return h("tr", { "data-route": p.id },
      h("th", { scope: "row" }, link(p.id, "Route", p.name)),
      h("td", {}, p.ordered ? "Stated" : "Not stated"),
      h("td", {}, h("ol", { class: p.ordered ? "places ordered" : "places unordered" },
        (p.places || []).map((x) => h("li", {}, link(x.id, x.kind, x.name), ` (${ROLE_WORDS[x.role] || x.role}`,
          x.order != null ? `, stop ${x.order}` : "", x.point ? "" : ", no point on the map", ")")))),
      h("td", {}, routeWords(r)));
  });
  const routesOf = (cid) => routes.flatMap((r) => (r.properties.places || []).filter((x) => x.id === cid)
    .map((x) => [link(r.id, "Route", r.properties.name), ` (${ROLE_WORDS[x.role] || x.role})`]));
  const countryRows = countries.map((c) => {
    const cover = agreements.filter((a) => a.covered.includes(c.id)).map((a) => link(a.id, "Agreement", a.name));
    const party = agreements.filter((a) => a.parties.includes(c.id)).map((a) => link(a.id, "Agreement", a.name));
    return h("tr", { "data-country": c.id },
      h("th", { scope: "row" }, link(c.id, "Country", c.name)),
      h("td", {}, list(cover)), h("td", {}, list(party)), h("td", {}, list(routesOf(c.id))),
      h("td", { class: "nowrap" }, c.point ? `${c.point[1].toFixed(2)}° N, ${c.point[0].toFixed(2)}° E` : "—"));
  });

  ctx.view.append(
    breadcrumbs([["Home", "#/"], ["Map"]]),
    h("h1", {}, "Map of routes and agreements"),
    h("p", { class: "lede" }, `${plural(routes.length, "route", "routes")} through the countries the sources name, and ${plural(agreements.length, "agreement", "agreements")} by the countries they cover or have as parties. Select a country or a route on the map to open its page; everything on the map is also in the tables below.`),
    h("div", { class: "map-controls" }, h("label", { for: "map-agreement" }, "Highlight an agreement"), select),
    summary,
    h("figure", { class: "map-figure map-main" }, drawn.svg,
      h("figcaption", { class: "small muted" }, "The map shows what the tables below list: ",
        h("a", { href: "#map-routes-h" }, "routes"), " and ", h("a", { href: "#map-countries-h" }, "countries"), ".")),
    legend(),
    h("section", { class: "card", "aria-labelledby": "map-routes-h" },
      h("h2", { id: "map-routes-h" }, "Routes"),
      h("div", { class: "table-scroll" }, h("table", { class: "map-table" },
        h("caption", { class: "visually-hidden" }, "Routes with their places in order, and whether the sources state the order"),
        h("thead", {}, h("tr", {}, ["Route", "Order", "Places (role)", "In words"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, routeRows)))),
    h("section", { class: "card", "aria-labelledby": "map-countries-h" },
      h("h2", { id: "map-countries-h" }, "Countries"),
      h("div", { class: "table-scroll" }, h("table", { class: "map-table" },
        h("caption", { class: "visually-hidden" }, "Countries with the agreements that cover them, those they are party to, and their routes"),
        h("thead", {}, h("tr", {}, ["Country", "Covered by", "Party to", "On routes", "Point"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, countryRows)))),
    section("As data", apiLinks([
      ["Routes as GeoJSON", "/v1/routes?format=geojson", "RFC 7946 FeatureCollection"],
      ["Countries as GeoJSON", "/v1/countries?format=geojson&limit=200", "RFC 7946 FeatureCollection"],
    ])));
}
