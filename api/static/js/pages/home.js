// Home: search with suggestions, counts per kind, entry points; and the search results page.

import { KINDS, KIND, getJSON, entityHref, url } from "../api.js";
import { combobox } from "../combobox.js";
import { h, humanize, plural } from "../dom.js";
import { apiLinks, dateEl, entityLink, kindBadge, loading, problemBox, section, statusBadge } from "../ui.js";

/** The search form (a combobox over /v1/search): home, search results and error pages. */
export function searchBox(initial = "", { id = "search-input", label = "Search the graph" } = {}) {
  const hintId = `${id}-hint`;
  const hint = h("p", { id: hintId, class: "hint" },
    "Names, aliases, ids and ISO codes; case and accents are ignored. ",
    "Use ↓ and ↑ to move through suggestions, Enter to open one, Escape to close the list.");
  const combo = combobox({
    label,
    name: "q",
    value: initial,
    placeholder: "e.g. Serbia or Calais Group",
    describedBy: hintId,
    onSelect: (item) => { window.location.hash = entityHref(item.id, item.kind); },
    onSubmit: (text) => { if (text.trim()) window.location.hash = url("#/search", { q: text.trim() }); },
  });
  combo.input.id = id;
  combo.element.querySelector("label").setAttribute("for", id);
  const button = h("button", { type: "submit", class: "btn btn-primary" }, "Search");
  const form = h("form", {
    role: "search", class: "search-form", "aria-label": "Search entities",
    on: { submit: (ev) => {
      ev.preventDefault();
      const text = combo.input.value.trim();
      if (text) window.location.hash = url("#/search", { q: text });
    } },
  }, h("div", { class: "search-row" }, combo.element, button), hint);
  return { form, input: combo.input };
}

async function countsSection() {
  const [ready, ...pages] = await Promise.all([
    getJSON("/ready").catch(() => null),
    ...KINDS.map((k) => getJSON(`/v1/${k.plural}`, { limit: 1 }).catch(() => null)),
  ]);
  const cards = KINDS.map((k, i) => h("li", {},
    h("a", { class: `count-card kind-edge-${k.slug}`, href: `#/kind/${k.plural}` },
      h("span", { class: "count-number" }, pages[i] ? String(pages[i].total) : "?"),
      h("span", { class: "count-label" }, humanize(k.plural)))));
  return section("What the graph holds",
    ready ? h("p", { class: "muted" }, `${plural(ready.nodes, "entity", "entities")} and ${plural(ready.relationships, "relationship", "relationships")}, each with its evidence.`) : null,
    h("ul", { class: "count-grid", "aria-label": "Entities per kind" }, cards));
}

function miniList(items, extra = () => null) {
  return h("ul", { class: "mini-list" }, items.map((it) =>
    h("li", {}, h("a", { href: entityHref(it.id, it.kind) }, it.name || it.id), extra(it))));
}

async function entrySections() {
  const [routes, agreements, principles, events, policies] = await Promise.all([
    getJSON("/v1/routes", { limit: 50 }),
    getJSON("/v1/agreements", { limit: 200, sort: "name" }),
    getJSON("/v1/principles", { limit: 200, sort: "position" }),
    getJSON("/v1/events", { limit: 200, sort: "-date" }),
    getJSON("/v1/policies", { limit: 200 }),
  ]);
  const names = new Map([...agreements.items, ...policies.items].map((x) => [x.id, x.name]));
  const dated = events.items.filter((e) => e.properties.date);
  const recent = dated.slice(0, 5);
  const frameworks = new Map();
  for (const p of principles.items) {
    const f = p.properties.framework;
    if (!f) continue;
    if (!frameworks.has(f)) frameworks.set(f, []);
    frameworks.get(f).push(p);
  }
  const agreementsShown = agreements.items.slice(0, 8);
  return h("div", { class: "entry-grid" },
    section("Routes",
      miniList(routes.items, (r) => r.summary ? h("p", { class: "muted small clamp" }, r.summary) : null),
      h("p", {}, h("a", { href: "#/queries/routes/run" }, "Routes with their countries in order"))),
    section("Agreements",
      miniList(agreementsShown, (a) => [" ", statusBadge(a.properties.status)]),
      h("p", {}, h("a", { href: "#/kind/agreements" }, `All ${agreements.total} agreements`), " · ",
        h("a", { href: "#/queries/agreements_covering_country" }, "Agreements covering a country"))),
    section("Principles and priorities",
      h("ul", { class: "mini-list" }, [...frameworks.entries()].map(([fid, ps]) =>
        h("li", {}, h("a", { href: url(`#/queries/framework_principles/run`, { framework: fid }) }, names.get(fid) || fid),
          h("span", { class: "muted" }, ` · ${plural(ps.length, "principle", "principles")}`)))),
      h("p", {}, h("a", { href: "#/kind/principles" }, `All ${principles.total} principles`))),
    section("Recent events",
      miniList(recent, (e) => h("span", { class: "muted" }, " · ", dateEl(e.properties.date), e.properties.location ? `, ${e.properties.location}` : "")),
      h("p", { class: "muted small" }, `${events.total - dated.length} of ${events.total} events have no date in the sources.`),
      h("p", {}, h("a", { href: "#/timeline" }, "Timeline of events and agreements"))));
}

export async function homePage(ctx) {
  ctx.setTitle("Home");
  const { form } = searchBox();
  ctx.view.append(
    h("section", { class: "hero", "aria-labelledby": "home-title" },
      h("h1", { id: "home-title" }, "Migration knowledge graph"),
      h("p", { class: "lede" }, "Actors, routes and agreements of European cooperation against irregular migration and people smuggling. Every fact carries its source and a verbatim quote."),
      form),
    apiLinks([["API documentation", "/docs"], ["OpenAPI (JSON)", "/openapi.json"], ["Graph status (JSON)", "/ready"]]),
  );
  const counts = h("div", {}, loading("Counting entities…"));
  const entries = h("div", {}, loading("Loading entry points…"));
  const tools = section("Tools",
    h("ul", { class: "tool-list" },
      h("li", {}, h("a", { href: "#/queries" }, "Named queries"), " — forms for every question in the query library"),
      h("li", {}, h("a", { href: "#/cypher" }, "Cypher console"), " — read-only Cypher with a table and a graph"),
      h("li", {}, h("a", { href: "#/timeline" }, "Timeline"), " — events and agreements by date"),
      h("li", {}, h("a", { href: "#/graph/GB" }, "Graph view"), " — the neighbourhood of any entity, e.g. the United Kingdom")));
  ctx.view.append(counts, entries, tools);
  await Promise.all([
    countsSection().then((s) => counts.replaceChildren(s), (e) => counts.replaceChildren(problemBox(e))),
    entrySections().then((s) => entries.replaceChildren(s), (e) => entries.replaceChildren(problemBox(e))),
  ]);
}

export async function searchPage(ctx) {
  const q = ctx.params.get("q") || "";
  const kind = ctx.params.get("kind") || "";
  ctx.setTitle(`Search: ${q}`);
  const { form } = searchBox(q);
  ctx.view.append(h("h1", {}, "Search results"), form);
  if (!q) return;
  const res = await getJSON("/v1/search", { q, kind, limit: 100 });
  const rows = res.items;
  ctx.view.append(
    apiLinks([["JSON", url("/v1/search", { q, kind, limit: 100 })]]),
    h("p", { role: "status" }, rows.length ? `${plural(rows.length, "match", "matches")} for “${q}”` : `Nothing matches “${q}”.`),
    h("ul", { class: "result-list" }, rows.map((r) => h("li", {},
      entityLink({ id: r.id, name: r.name, kind: r.kind }),
      r.exact ? h("span", { class: "badge exact" }, "exact") : null,
      r.aliases && r.aliases.length ? h("span", { class: "muted" }, ` also ${r.aliases.join(", ")}`) : null,
      h("span", { class: "muted" }, ` · ${r.id}`)))));
  if (KIND[kind]) ctx.view.append(h("p", {}, "Only ", kindBadge(kind), ". ", h("a", { href: url("#/search", { q }) }, "All kinds")));
}
