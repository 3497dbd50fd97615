// A read-only Cypher console over POST /v1/cypher: the engine refuses writes, a
// timeout and a row cap apply. The statement (and its parameters) live in the URL,
// so a run can be shared: #/cypher?q=MATCH...&params={"id":"RS"}

import { loadDocTitles, postJSON, url } from "../api.js";
import { h } from "../dom.js";
import { resultGraph, resultTable } from "../results.js";
import { apiLinks, breadcrumbs, loading, problemBox } from "../ui.js";

const EXAMPLES = [
  ["Agreements and the countries they cover",
    "MATCH (a:Agreement)-[r:COVERS]->(c:Country)\nRETURN a, r, c\nLIMIT 50"],
  ["Who is party to what",
    "MATCH (x)-[r:PARTY_TO]->(a:Agreement)\nRETURN {kind: labels(x)[0], id: x.id, name: x.name} AS actor, r.role AS role,\n       {kind: 'Agreement', id: a.id, name: a.name} AS agreement\nORDER BY a.name, x.name"],
  ["Routes and the places they pass through",
    "MATCH p = (r:Route)-[:PASSES_THROUGH]->(place)\nRETURN p"],
  ["Entities per kind",
    "MATCH (n)\nWHERE NOT n:_Meta\nRETURN labels(n)[0] AS kind, count(n) AS entities\nORDER BY entities DESC"],
  ["Neighbours of a country (with a parameter)",
    "MATCH (c:Country {id: $id})-[r]-(x)\nRETURN c, r, x", { id: "RS" }],
];

export async function cypherPage(ctx) {
  ctx.setTitle("Cypher console");
  const q = ctx.params.get("q") || "";
  const paramsText = ctx.params.get("params") || "";
  const textarea = h("textarea", {
    id: "cypher-query", name: "query", rows: 7, spellcheck: "false", autocapitalize: "off",
    class: "code-input", "aria-describedby": "cypher-hint",
  });
  textarea.value = q || EXAMPLES[0][1];
  const paramsArea = h("textarea", {
    id: "cypher-params", name: "params", rows: 2, spellcheck: "false", class: "code-input",
    placeholder: '{"id": "RS"}', "aria-describedby": "params-hint",
  });
  paramsArea.value = paramsText;
  const results = h("div", { class: "query-results", id: "cypher-results" });

  const submit = () => {
    const target = url("#/cypher", { q: textarea.value, params: paramsArea.value.trim() });
    if (window.location.hash === target) run();
    else window.location.hash = target;
  };
  textarea.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); submit(); }
  });
  const form = h("form", { class: "cypher-form", "aria-label": "Cypher statement", on: { submit: (ev) => { ev.preventDefault(); submit(); } } },
    h("div", { class: "field" },
      h("label", { for: "cypher-query" }, "Cypher statement (read-only)"),
      textarea,
      h("p", { id: "cypher-hint", class: "hint" }, "Writes are refused by the engine; a timeout and a row cap apply. Ctrl+Enter (⌘+Enter) runs the statement.")),
    h("details", { class: "params-box", open: Boolean(paramsText) },
      h("summary", {}, "Parameters"),
      h("div", { class: "field" },
        h("label", { for: "cypher-params" }, "Parameters as a JSON object"),
        paramsArea,
        h("p", { id: "params-hint", class: "hint" }, "Values for $name placeholders, e.g. {\"id\": \"RS\"}."))),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "Run")));

  const examples = h("section", { class: "card examples", "aria-labelledby": "examples-h" },
    h("h2", { id: "examples-h", class: "h3" }, "Examples"),
    h("ul", { class: "mini-list" }, EXAMPLES.map(([title, text, params]) => h("li", {},
      h("a", { href: url("#/cypher", { q: text, params: params ? JSON.stringify(params) : "" }) }, title)))));

  ctx.view.append(
    breadcrumbs([["Home", "#/"], ["Cypher console"]]),
    h("h1", {}, "Cypher console"),
    h("p", { class: "lede" }, "Ask the graph anything in read-only Cypher. Results show as a table, and as a graph when they hold nodes, relationships or paths."),
    apiLinks([["API: POST /v1/cypher", "/docs#/cypher/run_cypher_v1_cypher_post"]]),
    h("div", { class: "cypher-layout" }, h("div", {}, form, results), examples));

  async function run() {
    let params = {};
    if (paramsArea.value.trim()) {
      try {
        params = JSON.parse(paramsArea.value);
        if (!params || typeof params !== "object" || Array.isArray(params)) throw new Error("not an object");
      } catch (err) {
        results.replaceChildren(h("div", { class: "problem", role: "alert" }, h("p", { class: "problem-title" }, "The parameters are not a JSON object"), h("p", {}, String(err.message))));
        return;
      }
    }
    results.replaceChildren(loading("Running…"));
    try {
      const [res] = await Promise.all([postJSON("/v1/cypher", { query: textarea.value, params }),
        loadDocTitles().catch(() => null)]);  // documents are shown by their titles
      if (!ctx.isCurrent()) return;
      results.replaceChildren(...[
        h("h2", { id: "cypher-results-heading", tabindex: "-1" }, "Results"),
        h("p", { role: "status", class: "run-status" }, `${res.items.length} row${res.items.length === 1 ? "" : "s"}${res.truncated ? " (truncated by the row cap)" : ""}. `,
          h("a", { href: window.location.href }, "Link to this run")),
        res.items.length ? resultTable(res, { caption: "Cypher result" }) : h("p", {}, "No rows."),
        resultGraph(res)].filter(Boolean));
      results.querySelector("#cypher-results-heading").focus();
    } catch (err) {
      if (!ctx.isCurrent()) return;
      const box = problemBox(err, "The statement was refused");
      const p = err.problem || {};
      if (p.context !== undefined && p.context !== null) {  // the offending line, a caret under it
        box.append(h("pre", { class: "error-context", "aria-label": `Line ${p.line}, column ${p.column}` },
          h("code", {}, `${p.context}\n${p.caret}`)));
      }
      results.replaceChildren(box);
    }
  }
  if (q) await run();
}
