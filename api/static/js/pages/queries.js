// The named query library: a form per query, generated from its parameter
// declarations; each run has a shareable URL (#/queries/NAME/run?param=value).

import { CONFIG, getJSON, loadDocTitles, url, valueLabel } from "../api.js";
import { combobox } from "../combobox.js";
import { h, humanize, plural } from "../dom.js";
import { resultGraph, resultTable } from "../results.js";
import { apiLinks, breadcrumbs, loading, problemBox } from "../ui.js";

/** YAML block text: single line breaks are only wrapping. */
const prose = (text) => String(text || "").replace(/([^\n])\n(?!\n)/g, "$1 ");
const sentence = (text) => (text && !/[.!?]$/.test(text.trim()) ? `${text.trim()}.` : text);

let cache = null;
async function allQueries() {
  if (!cache) cache = getJSON("/v1/queries", { limit: 200 }).then((page) => page.items).catch((e) => { cache = null; throw e; });
  return cache;
}

function queryNav(queries, current) {
  return h("nav", { class: "query-nav", "aria-label": "Named queries" },
    h("h2", { class: "h3" }, "Queries"),
    h("ul", {}, queries.map((q) => h("li", {},
      h("a", { href: `#/queries/${q.name}`, "aria-current": q.name === current ? "page" : null }, q.title)))));
}

/** One form field for a parameter: returns {element, read(), write(value)}. */
function paramField(qname, pname, schema, required, declared) {
  const id = `p-${qname}-${pname}`;
  const hintId = `${id}-hint`;
  const hintBits = [sentence(schema.description)];
  if (schema.default !== undefined && declared !== "bool") hintBits.push(`Default: ${schema.default}.`);
  if (declared === "date") hintBits.push("YYYY, YYYY-MM or YYYY-MM-DD.");
  if (declared === "entity") hintBits.push(`Suggestions${schema["x-entity-kind"] ? ` (${schema["x-entity-kind"].toLowerCase()} only)` : ""} appear as you type.`);
  const hint = h("p", { id: hintId, class: "hint" }, hintBits.filter(Boolean).join(" "));
  const labelText = [humanize(pname), required ? h("span", { class: "req" }, " (required)") : h("span", { class: "opt" }, " (optional)")];
  const example = schema.example !== undefined ? `e.g. ${schema.example}` : null;

  if (declared === "entity") {
    const combo = combobox({
      label: pname, name: pname, kind: schema["x-entity-kind"] || null, placeholder: example,
      required, describedBy: hintId,
      onSelect: (item, input) => { input.value = item.id; },
    });
    combo.input.id = id;
    const lab = combo.element.querySelector("label");
    lab.setAttribute("for", id);
    lab.replaceChildren(...labelText.map((x) => (typeof x === "string" ? document.createTextNode(x) : x)));
    return { element: h("div", { class: "field" }, combo.element, hint), read: () => combo.input.value.trim(), write: (v) => { combo.input.value = v; }, example: schema.example };
  }
  const label = h("label", { for: id }, labelText);
  let input;
  if (schema.enum) {
    input = h("select", { id, name: pname, "aria-describedby": hintId, required },
      !required || schema.default === undefined ? h("option", { value: "" }, required ? "Choose…" : "Any") : null,
      schema.enum.map((v) => h("option", { value: v, selected: v === schema.default, title: v }, valueLabel(v) || v)));
  } else if (declared === "bool") {
    input = h("input", { id, name: pname, type: "checkbox", "aria-describedby": hintId, checked: schema.default === true });
    const el = h("div", { class: "field field-check" }, h("label", { for: id, class: "inline" }, input, " ", labelText), hint);
    return {
      element: el,
      read: () => (input.checked ? "true" : (schema.default === true ? "false" : "")),
      write: (v) => { input.checked = v === "true" || v === "1" || v === "yes"; },
      example: schema.example,
    };
  } else if (declared === "int" || declared === "float") {
    input = h("input", { id, name: pname, type: "number", inputmode: declared === "int" ? "numeric" : "decimal",
      step: declared === "int" ? "1" : "any", min: schema.minimum ?? null, max: schema.maximum ?? null,
      placeholder: schema.default !== undefined ? String(schema.default) : example, "aria-describedby": hintId, required });
  } else if (declared === "date") {
    input = h("input", { id, name: pname, type: "text", inputmode: "numeric", pattern: "\\d{4}(-\\d{2}(-\\d{2})?)?",
      placeholder: schema.default !== undefined ? String(schema.default) : "YYYY-MM-DD", "aria-describedby": hintId, required });
  } else {
    input = h("input", { id, name: pname, type: "text", placeholder: example, "aria-describedby": hintId, required });
  }
  return {
    element: h("div", { class: "field" }, label, input, hint),
    read: () => String(input.value).trim(),
    write: (v) => { input.value = v; },
    example: schema.example,
  };
}

function queryForm(q, initial, onRun) {
  const props = (q.parameters && q.parameters.properties) || {};
  const required = new Set((q.parameters && q.parameters.required) || []);
  const declared = (CONFIG.query_params || {})[q.name] || {};
  const fields = Object.entries(props).map(([pname, schema]) =>
    [pname, paramField(q.name, pname, schema, required.has(pname), declared[pname] || schema.type)]);
  for (const [pname, f] of fields) if (initial.has(pname)) f.write(initial.get(pname));
  const read = () => Object.fromEntries(fields.map(([p, f]) => [p, f.read()]).filter(([, v]) => v !== ""));
  const form = h("form", {
    class: "query-form", "aria-label": `Parameters of ${q.title}`, novalidate: false,
    on: { submit: (ev) => { ev.preventDefault(); onRun(read()); } },
  },
  fields.length ? fields.map(([, f]) => f.element) : h("p", { class: "muted" }, "This query takes no parameters."),
  h("div", { class: "form-actions" },
    h("button", { type: "submit", class: "btn btn-primary" }, "Run query"),
    fields.length ? h("button", { type: "button", class: "btn", on: { click: () => {
      for (const [, f] of fields) if (f.example !== undefined) f.write(String(f.example));
    } } }, "Fill in the example") : null));
  return form;
}

export async function queriesPage(ctx, name, run) {
  const queries = await allQueries();
  if (!ctx.isCurrent()) return;
  if (!name) {
    ctx.setTitle("Named queries");
    ctx.view.append(
      breadcrumbs([["Home", "#/"], ["Queries"]]),
      h("h1", {}, "Named queries"),
      h("p", { class: "lede" }, "The query library: each question is a parameterised Cypher query. Pick one to get its form."),
      apiLinks([["JSON", "/v1/queries"]]),
      h("ul", { class: "query-cards" }, queries.map((q) => h("li", { class: "card" },
        h("h2", { class: "h3" }, h("a", { href: `#/queries/${q.name}` }, q.title)),
        h("p", { class: "small" }, prose(q.description)),
        h("p", { class: "muted small" }, h("code", {}, q.name), ` · ${plural(Object.keys(q.parameters.properties || {}).length, "parameter", "parameters")}`)))));
    return;
  }
  const q = queries.find((x) => x.name === name);
  if (!q) throw new Error(`no named query ${name}`);
  ctx.setTitle(q.title);
  const params = run ? ctx.params : new URLSearchParams();
  const apiUrl = url(`/v1/queries/${q.name}`, Object.fromEntries(params));
  const results = h("div", { class: "query-results", id: "query-results" });
  const form = queryForm(q, params, (values) => {
    const target = url(`#/queries/${q.name}/run`, values);
    if (window.location.hash === target) runQuery();  // same URL: run again
    else window.location.hash = target;
  });
  const main = h("div", { class: "query-main" },
    breadcrumbs([["Home", "#/"], ["Queries", "#/queries"], [q.title]]),
    h("h1", {}, q.title),
    h("p", { class: "query-desc" }, prose(q.description)),
    apiLinks([["Query description (JSON)", "/v1/queries"], run ? ["This run as JSON", apiUrl] : null]),
    form,
    h("details", { class: "cypher-source" }, h("summary", {}, "Cypher"), h("pre", {}, h("code", {}, q.cypher)),
      h("p", {}, h("a", { href: url("#/cypher", { q: q.cypher }) }, "Open in the Cypher console"))),
    results);
  ctx.view.append(h("div", { class: "query-layout" }, queryNav(queries, q.name), main));

  async function runQuery() {
    results.replaceChildren(loading("Running…"));
    try {
      const [res] = await Promise.all([getJSON(`/v1/queries/${q.name}`, Object.fromEntries(params)),
        loadDocTitles().catch(() => null)]);  // documents are shown by their titles
      if (!ctx.isCurrent()) return;
      const graph = resultGraph(res);
      results.replaceChildren(...[
        h("h2", { id: "results-heading", tabindex: "-1" }, "Results"),
        h("p", { role: "status", class: "run-status" },
          `${plural(res.items.length, "row", "rows")}${res.truncated ? " (truncated)" : ""}. `,
          h("a", { href: window.location.href }, "Link to this run"), " · ",
          h("a", { href: apiUrl }, "JSON"), " · ",
          h("a", { href: url(`/v1/queries/${q.name}`, { ...Object.fromEntries(params), format: "csv" }) }, "CSV")),
        res.items.length ? resultTable(res, { caption: q.title }) : h("p", {}, "No rows."),
        graph].filter(Boolean));
      results.querySelector("#results-heading").focus();
    } catch (err) {
      if (!ctx.isCurrent()) return;
      results.replaceChildren(problemBox(err, "The query was refused"));
    }
  }
  if (run) await runQuery();
}
