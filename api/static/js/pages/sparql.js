// A SPARQL console over POST /sparql (SPARQL 1.1 Protocol, form-encoded), beside the
// Cypher console: the example queries of /v1/sparql/examples, results as a table,
// and entity IRIs linking to their explorer pages. The query lives in the URL:
// #/sparql?q=SELECT...

import { ApiError, KIND_BY_SLUG, entityHref, getJSON, url } from "../api.js";
import { h, plural } from "../dom.js";
import { apiLinks, breadcrumbs, loading, problemBox } from "../ui.js";

const DEFAULT = `SELECT ?agreement ?name WHERE {
  ?agreement migkg:covers <https://w3id.org/migkg/id/country/RS> ;
             migkg:name ?name .
}`;
// {base}/id/{slug}/{id}: an entity of a known kind (not a quotation or relationship node).
const ENTITY_IRI = /\/id\/([a-z-]+)\/([^/#?.]+)$/;

async function runSparql(query) {
  const res = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
    body: new URLSearchParams({ query }),
  });
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) {
    const problem = typeof body === "object" && body ? body : { title: res.statusText, detail: String(body).slice(0, 300) };
    throw new ApiError(problem, res.status);
  }
  return { body, truncated: Boolean(res.headers.get("x-truncated")) };
}

function termCell(term) {
  if (!term) return h("span", { class: "muted" }, "—");
  if (term.type === "uri") {
    const m = term.value.match(ENTITY_IRI);
    if (m && KIND_BY_SLUG[m[1]]) {
      return h("a", { href: entityHref(decodeURIComponent(m[2]), KIND_BY_SLUG[m[1]].name), title: term.value }, term.value);
    }
    return h("a", { href: term.value, rel: "noopener noreferrer" }, term.value);
  }
  if (term.type === "bnode") return h("code", {}, `_:${term.value}`);
  const lang = term["xml:lang"] ? h("span", { class: "muted" }, ` @${term["xml:lang"]}`) : null;
  return h("span", {}, term.value, lang);
}

function resultView(body, truncated) {
  if ("boolean" in body) return h("p", { role: "status", class: "run-status" }, `ASK: ${body.boolean ? "true" : "false"}`);
  const vars = body.head.vars;
  const rows = body.results.bindings;
  const caption = `SPARQL result: ${plural(rows.length, "row", "rows")}${truncated ? " (truncated by the row cap)" : ""}`;
  const table = h("table", { class: "results" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, vars.map((v) => h("th", { scope: "col" }, v)))),
    h("tbody", {}, rows.map((b) => h("tr", {}, vars.map((v) => h("td", {}, termCell(b[v])))))));
  return [
    h("p", { role: "status", class: "run-status" }, `${plural(rows.length, "row", "rows")}${truncated ? " (truncated by the row cap)" : ""}. `,
      h("a", { href: window.location.href }, "Link to this run")),
    rows.length ? h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "SPARQL result table" }, table)
      : h("p", {}, "No rows."),
  ];
}

export async function sparqlPage(ctx) {
  ctx.setTitle("SPARQL");
  const q = ctx.params.get("q") || "";
  const textarea = h("textarea", {
    id: "sparql-query", name: "query", rows: 10, spellcheck: "false", autocapitalize: "off",
    class: "code-input", "aria-describedby": "sparql-hint",
  });
  textarea.value = q || DEFAULT;
  const results = h("div", { class: "query-results", id: "sparql-results" });
  const submit = () => {
    const target = url("#/sparql", { q: textarea.value });
    if (window.location.hash === target) run();
    else window.location.hash = target;
  };
  textarea.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); submit(); }
  });
  const form = h("form", { class: "cypher-form", "aria-label": "SPARQL query", on: { submit: (ev) => { ev.preventDefault(); submit(); } } },
    h("div", { class: "field" },
      h("label", { for: "sparql-query" }, "SPARQL query (read-only)"),
      textarea,
      h("p", { id: "sparql-hint", class: "hint" }, "SELECT and ASK show as a table; the migkg:, rdf:, rdfs:, prov:, dcterms:, skos: … prefixes are declared. Updates are refused; a timeout and a row cap apply. Ctrl+Enter (⌘+Enter) runs the query.")),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "Run")));

  const list = h("ul", { class: "mini-list", id: "sparql-examples" }, h("li", {}, loading("Loading examples…")));
  const examples = h("section", { class: "card examples", "aria-labelledby": "sparql-examples-h" },
    h("h2", { id: "sparql-examples-h", class: "h3" }, "Examples"), list);

  ctx.view.append(
    breadcrumbs([["Home", "#/"], ["SPARQL"]]),
    h("h1", {}, "SPARQL"),
    h("p", { class: "lede" }, "Ask the graph's RDF (the same triples as the dump, with their evidence) in SPARQL 1.1. Entity IRIs link to their pages."),
    apiLinks([["API: /sparql (SPARQL 1.1 Protocol)", "/docs#/sparql"], ["Examples as JSON", "/v1/sparql/examples"]]),
    h("div", { class: "cypher-layout" }, h("div", {}, form, results), examples));

  getJSON("/v1/sparql/examples").then((items) => {
    list.replaceChildren(...items.map((e) => h("li", {},
      h("a", { href: url("#/sparql", { q: e.query }), title: e.description }, e.title))));
  }).catch((err) => list.replaceChildren(h("li", {}, problemBox(err, "The examples could not be loaded"))));

  async function run() {
    results.replaceChildren(loading("Running…"));
    try {
      const { body, truncated } = await runSparql(textarea.value);
      if (!ctx.isCurrent()) return;
      results.replaceChildren(h("h2", { id: "sparql-results-heading", tabindex: "-1" }, "Results"), ...[resultView(body, truncated)].flat());
      results.querySelector("#sparql-results-heading").focus();
    } catch (err) {
      if (!ctx.isCurrent()) return;
      results.replaceChildren(problemBox(err, "The query was refused"));
    }
  }
  if (q) await run();
}
