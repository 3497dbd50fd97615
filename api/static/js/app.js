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
import { homePage, searchBox, searchPage } from "./pages/home.js";
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

// An error page is never a dead end: the API's problem in words (with the names it
// suggests or the entities a name could mean, as links) and a search box.
const HEADINGS = { 404: "Nothing by that name", 409: "Which one did you mean?" };

function errorSearch(initial) {
  const { form } = searchBox(initial, { id: "error-search", label: "Search the graph instead" });
  return h("section", { class: "card error-search", "aria-labelledby": "error-search-h" },
    h("h2", { id: "error-search-h", class: "h3" }, "Search"), form);
}

function errorPage(ctx, view, err, path) {
  const status = err instanceof ApiError ? err.status : null;
  const m = /^(?:entity|graph|document)\/(?:[^/]+\/)?([^/]+)$/.exec(path);
  const typed = m ? decodeURIComponent(m[1]) : "";
  const heading = HEADINGS[status] || "This page could not be shown";
  ctx.setTitle(heading);
  view.replaceChildren(h("h1", {}, heading),
    typed ? h("p", { class: "lede" }, status === 409 ? `“${typed}” could name more than one entity.`
      : status === 404 ? `No entity is called “${typed}”.` : "") : null,
    problemBox(err, "This page could not be shown"),
    errorSearch(typed));
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
        h("a", { href: "#/" }, "Go to the home page"), " or search:"),
      errorSearch(""));
  } else {
    try {
      await page(ctx);
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (!(err instanceof ApiError)) console.error(err);  // API problems are shown, not logged
      errorPage(ctx, view, err, path);
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

// On a phone the navigation folds into a menu button (a disclosure: aria-expanded).
const navToggle = document.querySelector(".nav-toggle");
const siteNav = document.querySelector(".site-nav");
function setMenu(open, { focus = false } = {}) {
  if (!navToggle) return;
  navToggle.setAttribute("aria-expanded", String(open));
  siteNav.classList.toggle("open", open);
  if (!open && focus) navToggle.focus();
}
if (navToggle) {
  navToggle.hidden = false;
  navToggle.addEventListener("click", () => setMenu(navToggle.getAttribute("aria-expanded") !== "true"));
  siteNav.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && navToggle.getAttribute("aria-expanded") === "true") {
      ev.preventDefault();
      setMenu(false, { focus: true });
    }
  });
}

let navigated = false;
window.addEventListener("hashchange", () => {
  navigated = true;
  setMenu(false);
  delete document.body.dataset.ready;
  window.scrollTo(0, 0);
  render();
});
render();
