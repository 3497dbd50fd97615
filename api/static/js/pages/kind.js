// One kind's list: filter by text, status and type, sort, page.

import { KIND_BY_SLUG, getJSON, entityHref, url, valueLabel } from "../api.js";
import { h, humanize, plural } from "../dom.js";
import { apiLinks, breadcrumbs, codeLabel, dateText, statusBadge } from "../ui.js";

const PAGE = 50;

export async function kindPage(ctx, slug) {
  const kind = KIND_BY_SLUG[slug];
  if (!kind) throw new Error(`unknown kind ${slug}`);
  const p = ctx.params;
  const filters = {
    q: p.get("q") || "", status: p.get("status") || "", type: p.get("type") || "",
    sort: p.get("sort") || "name", offset: Number(p.get("offset") || 0),
  };
  ctx.setTitle(humanize(kind.plural));
  const apiParams = { ...filters, limit: PAGE, offset: filters.offset || null, sort: filters.sort === "name" ? null : filters.sort };
  const res = await getJSON(`/v1/${kind.plural}`, apiParams);
  if (!ctx.isCurrent()) return;

  const go = (changes) => {
    const next = { ...filters, ...changes };
    if (next.sort === "name") next.sort = "";
    if (!next.offset) next.offset = "";
    window.location.hash = url(`#/kind/${kind.plural}`, next);
  };
  const field = (label, input) => h("div", { class: "field" }, h("label", { for: input.id }, label), input);
  const qInput = h("input", { id: "kind-q", type: "search", name: "q", value: filters.q, placeholder: "Name or alias" });
  const sortOptions = [["name", "Name (A–Z)"], ["-name", "Name (Z–A)"]];
  if (kind.has_date) sortOptions.push(["-date", "Date (newest first)"], ["date", "Date (oldest first)"]);
  if (kind.properties.includes("position")) sortOptions.push(["position", "Position"]);
  const sortSel = h("select", { id: "kind-sort", name: "sort" },
    sortOptions.map(([v, l]) => h("option", { value: v, selected: v === filters.sort }, l)));
  const controls = [field("Text", qInput), field("Sort by", sortSel)];
  let statusSel = null;
  if (kind.status_values.length) {
    statusSel = h("select", { id: "kind-status", name: "status" },
      h("option", { value: "" }, "Any"),
      kind.status_values.map((v) => h("option", { value: v, selected: v === filters.status }, valueLabel(v) || humanize(v))));
    controls.push(field("Status", statusSel));
  }
  let typeInput = null;
  if (kind.type_property) {
    typeInput = h("input", { id: "kind-type", name: "type", value: filters.type, placeholder: "e.g. treaty" });
    controls.push(field(humanize(kind.type_property), typeInput));
  }
  const form = h("form", {
    class: "filters", "aria-label": `Filter ${kind.plural}`,
    on: { submit: (ev) => {
      ev.preventDefault();
      go({ q: qInput.value.trim(), sort: sortSel.value, status: statusSel ? statusSel.value : "",
        type: typeInput ? typeInput.value.trim() : "", offset: 0 });
    } },
  }, controls, h("button", { class: "btn btn-primary", type: "submit" }, "Apply"));

  const start = res.offset + 1;
  const end = res.offset + res.items.length;
  ctx.view.append(
    breadcrumbs([["Home", "#/"], [humanize(kind.plural)]]),
    h("h1", {}, humanize(kind.plural)),
    h("p", { class: "lede" }, kind.description),
    apiLinks([["JSON", url(`/v1/${kind.plural}`, apiParams)], ["CSV", url(`/v1/${kind.plural}`, { ...apiParams, format: "csv" })]]),
    form,
    h("p", { role: "status" }, res.total ? `${start}–${end} of ${plural(res.total, kind.slug, kind.plural)}` : `No ${kind.plural} match.`),
    h("ul", { class: "entity-list" }, res.items.map((it) => {
      const date = dateText(it.properties);
      const type = kind.type_property ? it.properties[kind.type_property] : null;
      return h("li", { class: "entity-item" },
        h("h2", { class: "entity-item-title" }, h("a", { href: entityHref(it.id, it.kind) }, it.name || it.id),
          " ", statusBadge(it.properties.status)),
        h("p", { class: "muted small" }, [it.id, type ? codeLabel(type) : null, date,
          it.properties.location].filter(Boolean).map((x, i) => [i ? " · " : "", x])),
        it.summary ? h("p", { class: "summary" }, it.summary) : null);
    })),
    h("nav", { class: "pager", "aria-label": "Pages" },
      res.offset > 0 ? h("a", { class: "btn", href: url(`#/kind/${kind.plural}`, { ...filters, sort: filters.sort === "name" ? "" : filters.sort, offset: Math.max(0, res.offset - PAGE) || "" }) }, "← Previous") : null,
      res.next ? h("a", { class: "btn", href: url(`#/kind/${kind.plural}`, { ...filters, sort: filters.sort === "name" ? "" : filters.sort, offset: res.offset + PAGE }) }, "Next →") : null),
  );
}
