// The document reader: a source text with every quoted span highlighted.
//   #/document/ID            the whole text
//   #/document/ID?at=S-E     scrolled to the span S-E (code points), marked
// Clicking a highlight lists the facts its quotes support, with links to them.

import { getJSON } from "../api.js";
import { clear, h, plural } from "../dom.js";
import { apiLinks, breadcrumbs, entityLink, section } from "../ui.js";

/** Cut `chars` (code points) at every span boundary: [{a, b, spans: [indices]}]. */
function segments(length, spans) {
  const cuts = new Set([0, length]);
  for (const s of spans) { cuts.add(Math.max(0, Math.min(length, s.start))); cuts.add(Math.max(0, Math.min(length, s.end))); }
  const points = [...cuts].sort((x, y) => x - y);
  const out = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const a = points[i];
    const b = points[i + 1];
    out.push({ a, b, spans: spans.flatMap((s, k) => (s.start <= a && b <= s.end ? [k] : [])) });
  }
  return out;
}

function factItem(f) {
  if (f.type) {
    return h("li", {}, entityLink({ id: f.from.id, name: f.from.name }, { badge: false }),
      h("span", { class: "muted" }, ` —${f.type}→ `), entityLink({ id: f.to.id, name: f.to.name }, { badge: false }));
  }
  return h("li", {}, entityLink({ id: f.id, name: f.name, kind: f.kind }));
}

function parseAt(value) {
  const m = /^(\d+)-(\d+)$/.exec(value || "");
  return m ? { start: Number(m[1]), end: Number(m[2]) } : null;
}

export async function documentPage(ctx, id) {
  const doc = await getJSON(`/v1/documents/${encodeURIComponent(id)}/text`);
  if (!ctx.isCurrent()) return;
  ctx.setTitle(doc.title || id);
  const at = parseAt(ctx.params.get("at"));
  const chars = Array.from(doc.text);  // positions are code points, as the API's anchors
  const spans = doc.annotations || [];
  const panel = h("div", { class: "reader-facts", "aria-live": "polite" },
    h("p", { class: "muted" }, "Select a highlighted passage to see the facts it supports."));

  function showFacts(indices, mark) {
    clear(panel);
    const chosen = indices.map((k) => spans[k]);
    const facts = chosen.flatMap((s) => s.facts);
    panel.append(h("h3", {}, `${plural(facts.length, "fact", "facts")} ${facts.length === 1 ? "cites" : "cite"} this passage`),
      h("blockquote", { class: "reader-quote" },
        chosen.map((s) => h("p", {}, `“${chars.slice(s.start, s.end).join("")}” `,
          h("span", { class: "muted small" }, `(${s.start}–${s.end})`)))),
      h("ul", { class: "mini-list reader-fact-list" }, facts.map(factItem)));
    textEl.querySelectorAll("mark.selected").forEach((m) => m.classList.remove("selected"));
    if (mark) mark.classList.add("selected");
  }

  const textEl = h("div", { class: "reader-text", lang: "en" });
  for (const seg of segments(chars.length, spans)) {
    const piece = chars.slice(seg.a, seg.b).join("");
    if (!seg.spans.length) { textEl.append(piece); continue; }
    const target = at && at.start <= seg.a && seg.b <= at.end;
    const mark = h("mark", {
      class: ["quoted", seg.spans.length > 1 ? "overlap" : null, target ? "at" : null],
      tabindex: "0", role: "button",
      dataset: { spans: seg.spans.join(" "), start: String(seg.a), end: String(seg.b) },
      "aria-label": `Quoted passage: ${plural(seg.spans.reduce((n, k) => n + spans[k].facts.length, 0), "fact", "facts")}`,
    }, piece);
    const pick = () => showFacts(seg.spans, mark);
    mark.addEventListener("click", pick);
    mark.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); } });
    textEl.append(mark);
  }

  const meta = [doc.publisher, doc.date].filter(Boolean).join(", ");
  ctx.view.append(
    breadcrumbs([["Home", "#/"], ["Documents", "#/kind/documents"], [doc.title || id]]),
    h("h1", {}, doc.title || id),
    h("p", { class: "muted" }, meta ? `${meta} · ` : "", entityLink({ id, name: "About this document", kind: "Document" }, { badge: false }),
      doc.url ? [" · ", h("a", { href: doc.url, rel: "noopener noreferrer" }, "original ↗")] : null),
    apiLinks([["JSON", `/v1/documents/${encodeURIComponent(id)}/text`, "The text and its quoted spans"]]),
    h("div", { class: "reader-layout" },
      section("Text", h("p", { class: "muted small" },
        `${plural(spans.length, "quoted span", "quoted spans")} highlighted; select one for the facts it supports.`), textEl),
      h("aside", { class: "reader-side" }, section("Facts", panel),
        section("Licence", h("p", { class: "small" }, doc.attribution || ""),
          h("p", { class: "small" }, doc.licence_url
            ? h("a", { href: doc.licence_url, rel: "noopener noreferrer" }, doc.licence) : doc.licence),
          h("p", { class: "muted small" }, doc.retrieval || ""),
          h("p", { class: "muted small" }, "SHA-256 ", h("code", {}, doc.sha256 || ""))))));

  if (at) {
    const first = textEl.querySelector("mark.at");
    if (first) {
      const indices = [...new Set([...textEl.querySelectorAll("mark.at")].flatMap((m) => m.dataset.spans.split(" ").map(Number)))]
        .filter((k) => spans[k].start === at.start && spans[k].end === at.end);
      showFacts(indices.length ? indices : first.dataset.spans.split(" ").map(Number), first);
      requestAnimationFrame(() => first.scrollIntoView({ block: "center" }));
    } else {
      panel.prepend(h("p", { class: "problem" }, `No quoted span at ${ctx.params.get("at")}.`));
    }
  }
}
