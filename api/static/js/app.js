// The explorer's hash router. Every view has a shareable URL:
//   #/                                   home: search, counts, entry points
//   #/search?q=serbia                    search results
//   #/kind/agreements?q=&status=&sort=   one kind's list
//   #/entity/country/RS  (#/entity/RS)   one entity
//   #/graph/RS?hops=2&types=COVERS,...   neighbourhood graph
//   #/queries  #/queries/NAME            the named queries and their forms
//   #/queries/NAME/run?country=Serbia    a run of a named query (loading it re-runs it)
//   #/cypher?q=MATCH...                  the read-only Cypher console (re-runs q)
//   #/sparql?q=SELECT...                 the SPARQL console (re-runs q)
//   #/timeline                           events and agreements by date
//   #/map?agreement=ID                   routes and agreements' countries on a map
//   #/changes?since=V&until=W            what changed between two releases, by entity
//   #/document/ID?at=START-END           a source text, quoted spans highlighted

import { ApiError } from "./api.js";
import { clear, h } from "./dom.js";
import { problemBox } from "./ui.js";
import { homePage, searchPage } from "./pages/home.js";
import { entityPage } from "./pages/entity.js";
import { kindPage } from "./pages/kind.js";
import { graphPage } from "./pages/graphview.js";
import { queriesPage } from "./pages/queries.js";
import { cypherPage } from "./pages/cypher.js";
import { sparqlPage } from "./pages/sparql.js";
import { timelinePage } from "./pages/timeline.js";
import { mapPage } from "./pages/map.js";
import { changesPage } from "./pages/changes.js";
import { documentPage } from "./pages/document.js";

const ROUTES = [
  [/^$/, "home", () => homePage],
  [/^search$/, "home", () => searchPage],
  [/^kind\/([^/]+)$/, "home", (m) => (ctx) => kindPage(ctx, m[1])],
  [/^entity\/([^/]+)\/([^/]+)$/, "home", (m) => (ctx) => entityPage(ctx, m[2], m[1])],
  [/^entity\/([^/]+)$/, "home", (m) => (ctx) => entityPage(ctx, m[1], null)],
  [/^graph\/([^/]+)$/, "home", (m) => (ctx) => graphPage(ctx, m[1])],
  [/^queries$/, "queries", () => (ctx) => queriesPage(ctx, null, false)],
  [/^queries\/([^/]+)$/, "queries", (m) => (ctx) => queriesPage(ctx, m[1], false)],
  [/^queries\/([^/]+)\/run$/, "queries", (m) => (ctx) => queriesPage(ctx, m[1], true)],
  [/^cypher$/, "cypher", () => cypherPage],
  [/^sparql$/, "sparql", () => sparqlPage],
  [/^timeline$/, "timeline", () => timelinePage],
  [/^map$/, "map", () => mapPage],
  [/^changes$/, "changes", () => changesPage],
  [/^document\/([^/]+)$/, "home", (m) => (ctx) => documentPage(ctx, m[1])],
];

/** The current hash as {path, params}; path segments stay URI-encoded. */
export function parseHash(hash = window.location.hash) {
  // A page rendered on the server (/id/...) names its view; the script renders it in place.
  if (!hash && document.body.dataset.route) hash = `#${document.body.dataset.route}`;
  const raw = hash.replace(/^#\/?/, "");
  const q = raw.indexOf("?");
  const path = (q >= 0 ? raw.slice(0, q) : raw).replace(/\/$/, "");
  const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : "");
  return { path, params };
}

let generation = 0;

async function render() {
  const main = document.getElementById("main");
  const { path, params } = parseHash();
  const gen = ++generation;
  let page = null;
  let nav = null;
  for (const [re, navKey, make] of ROUTES) {
    const m = path.match(re);
    if (m) {
      const decoded = [m[0], ...m.slice(1).map((s) => decodeURIComponent(s))];
      page = make(decoded);
      nav = navKey;
      break;
    }
  }
  document.querySelectorAll("[data-nav]").forEach((a) => {
    if (a.dataset.nav === nav && (nav !== "home" || path === "")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  if (window.cy) {  // the previous page's graph
    if (!window.cy.destroyed()) window.cy.destroy();
    window.cy = undefined;
  }
  const view = h("div", { class: "view" });
  const ctx = {
    params,
    view,
    isCurrent: () => gen === generation,
    setTitle: (t) => { document.title = `${t} · migration-kg explorer`; },
  };
  clear(main).append(view);
  if (!page) {
    ctx.setTitle("Not found");
    view.append(h("h1", {}, "Page not found"),
      h("p", {}, "No explorer page answers ", h("code", {}, window.location.hash), ". ",
        h("a", { href: "#/" }, "Go to the home page"), "."));
  } else {
    try {
      await page(ctx);
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (!(err instanceof ApiError)) console.error(err);  // API problems are shown, not logged
      view.append(problemBox(err, "This page could not be shown"));
    }
  }
  if (!ctx.isCurrent()) return;
  // Tests (and anyone scripting the page) wait for data-ready to equal the hash.
  document.body.dataset.ready = window.location.hash;
  // Move focus to the new content so keyboard and screen-reader users start there,
  // except on first load (focus stays at the top of the document) or when a page
  // placed focus itself.
  if (navigated && !main.contains(document.activeElement)) {
    const heading = main.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: false });
    } else {
      main.focus();
    }
  }
}

// The skip link must not change the hash (that would be a route): move focus instead.
document.querySelector(".skip-link").addEventListener("click", (ev) => {
  ev.preventDefault();
  const main = document.getElementById("main");
  main.focus();
  main.scrollIntoView();
});

let navigated = false;
window.addEventListener("hashchange", () => {
  navigated = true;
  delete document.body.dataset.ready;
  window.scrollTo(0, 0);
  render();
});
render();
