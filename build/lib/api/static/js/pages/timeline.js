// Events and agreements in date order; undated ones listed apart with the words the
// sources use ("today (7 November)", "Next June").

import { listAll, entityHref, url } from "../api.js";
import { h, humanize, plural } from "../dom.js";
import { apiLinks, breadcrumbs, kindBadge, statusBadge } from "../ui.js";

const PRECISION = { year: "year", month: "month", day: "day" };

function item(x) {
  const p = x.properties;
  const type = p.event_type || p.agreement_type;
  return h("li", { class: `tl-item tl-${x.kind.toLowerCase()}` },
    h("div", { class: "tl-date" }, p.date ? h("time", { datetime: p.date }, p.date)
      : h("span", { class: "tl-undated" }, p.date_text ? `“${p.date_text}”` : "no date"),
      p.date && p.date_precision && p.date_precision !== "day" ? h("span", { class: "muted small" }, ` (${PRECISION[p.date_precision] || p.date_precision})`) : null),
    h("div", { class: "tl-body" },
      h("p", { class: "tl-title" }, h("a", { href: entityHref(x.id, x.kind) }, x.name || x.id), " ", kindBadge(x.kind), " ", statusBadge(p.status)),
      h("p", { class: "muted small" }, [type ? humanize(type) : null, p.location, p.date && p.date_text ? `“${p.date_text}”` : null, p.period ? `period ${p.period}` : null].filter(Boolean).join(" · ")),
      p.date && p.date_basis ? h("p", { class: "muted small" },
        `Dated from the text's words (${p.date_confidence || "unstated"} confidence): ${p.date_basis}`) : null,
      x.summary ? h("p", { class: "small" }, x.summary) : null));
}

export async function timelinePage(ctx) {
  ctx.setTitle("Timeline");
  const p = ctx.params;
  const show = { Event: p.get("events") !== "0", Agreement: p.get("agreements") !== "0" };
  const [events, agreements] = await Promise.all([listAll("Event"), listAll("Agreement")]);
  if (!ctx.isCurrent()) return;
  const content = h("div", { class: "tl-content" });

  function renderContent() {
    const all = [...(show.Event ? events.items : []), ...(show.Agreement ? agreements.items : [])];
    const dated = all.filter((x) => x.properties.date).sort((a, b) =>
      a.properties.date.localeCompare(b.properties.date) || (a.name || a.id).localeCompare(b.name || b.id));
    const undated = all.filter((x) => !x.properties.date).sort((a, b) =>
      a.kind.localeCompare(b.kind) || (a.name || a.id).localeCompare(b.name || b.id));
    const years = new Map();
    for (const x of dated) {
      const y = x.properties.date.slice(0, 4);
      if (!years.has(y)) years.set(y, []);
      years.get(y).push(x);
    }
    content.replaceChildren(
      h("p", { role: "status" }, `${plural(dated.length, "dated item", "dated items")}, ${plural(undated.length, "undated item", "undated items")}. Dates with only a year or month sort before the days within them.`),
      h("section", { "aria-labelledby": "dated-h" },
        h("h2", { id: "dated-h" }, "Dated"),
        dated.length === 0 ? h("p", {}, "Nothing dated.") : [...years.entries()].map(([y, xs]) =>
          h("section", { class: "tl-year", "aria-labelledby": `y-${y}` },
            h("h3", { id: `y-${y}` }, y),
            h("ol", { class: "timeline" }, xs.map(item))))),
      h("section", { "aria-labelledby": "undated-h" },
        h("h2", { id: "undated-h" }, "Undated"),
        h("p", { class: "muted" }, "The sources give no usable date for these; the words they use are quoted."),
        undated.length ? h("ul", { class: "timeline undated" }, undated.map(item)) : h("p", {}, "None.")));
  }

  const toggles = h("form", { class: "filters", "aria-label": "What to show", on: { submit: (ev) => ev.preventDefault() } },
    h("fieldset", {}, h("legend", {}, "Show"),
      [["Event", "events", "Events"], ["Agreement", "agreements", "Agreements"]].map(([k, key, label]) =>
        h("label", { class: "inline check" }, h("input", { type: "checkbox", name: key, checked: show[k], on: { change: (ev) => {
          show[k] = ev.target.checked;
          window.history.replaceState(null, "", url("#/timeline", { events: show.Event ? "" : "0", agreements: show.Agreement ? "" : "0" }));
    if (document.body.dataset.ready !== undefined) document.body.dataset.ready = window.location.hash;
          renderContent();
        } } }), ` ${label}`))));

  ctx.view.append(
    breadcrumbs([["Home", "#/"], ["Timeline"]]),
    h("h1", {}, "Timeline of events and agreements"),
    apiLinks([["Events (JSON)", "/v1/events?sort=date&limit=200"], ["Agreements (JSON)", "/v1/agreements?sort=date&limit=200"],
      ["Events in a date range (query)", "#/queries/events_in_range"]]),
    toggles, content);
  renderContent();
}
