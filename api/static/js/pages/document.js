// The document reader: a source text with every quoted span highlighted.
//   #/document/ID            the whole text
//   #/document/ID?at=S-E     scrolled to the span S-E (code points), marked
// Clicking a highlight lists the facts its quotes support, with links to them. With a
// target span (?at=) the target is marked strongly and the other cited spans faintly;
// a switch hides them, and "Cited passages" steps through every one.

import { getJSON } from "../api.js";
import { announce, clear, h, plural } from "../dom.js";
import { apiLinks, breadcrumbs, dateEl, entityLink, relName, section } from "../ui.js";

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
      h("span", { class: "muted" }, " — ", relName(f.type), " → "), entityLink({ id: f.to.id, name: f.to.name }, { badge: false }));
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
  // A highlighted passage is a button named by its own words; this says what it does.
  const markHint = h("span", { id: "reader-mark-hint", class: "visually-hidden" },
    "Quoted passage: select it for the facts it supports.");
  for (const seg of segments(chars.length, spans)) {
    const piece = chars.slice(seg.a, seg.b).join("");
    if (!seg.spans.length) { textEl.append(piece); continue; }
    const target = at && at.start <= seg.a && seg.b <= at.end;
    const mark = h("mark", {
      class: ["quoted", seg.spans.length > 1 ? "overlap" : null, target ? "at" : null],
      tabindex: "0", role: "button",
      dataset: { spans: seg.spans.join(" "), start: String(seg.a), end: String(seg.b) },
      "aria-describedby": "reader-mark-hint",
    }, piece);
    const pick = () => showFacts(seg.spans, mark);
    mark.addEventListener("click", pick);
    mark.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); } });
    textEl.append(mark);
  }

  // Every cited span in reading order, to step through; `step` is the one shown.
  const order = spans.map((sp, k) => k).sort((x, y) => spans[x].start - spans[y].start || spans[x].end - spans[y].end);
  let step = -1;
  const stepStatus = h("p", { class: "step-status small", role: "status" },
    `${plural(order.length, "cited passage", "cited passages")}.`);
  function markOf(k) {
    return [...textEl.querySelectorAll("mark.quoted")].find((m) => m.dataset.spans.split(" ").map(Number).includes(k)) || null;
  }
  function goTo(i) {
    if (!order.length) return;
    step = (i + order.length) % order.length;
    const k = order[step];
    const mark = markOf(k);
    showFacts([k], mark);
    const text = `Passage ${step + 1} of ${order.length}`;
    stepStatus.textContent = `${text}: characters ${spans[k].start}–${spans[k].end}.`;
    announce(text);
    if (mark) { mark.scrollIntoView({ block: "center" }); }
  }
  const others = h("input", { type: "checkbox", id: "reader-others", checked: true,
    on: { change: () => showOthers(others.checked) } });
  function showOthers(on) {
    textEl.classList.toggle("others-hidden", !on);
    textEl.querySelectorAll("mark.quoted:not(.at)").forEach((m) => {
      if (on) { m.setAttribute("tabindex", "0"); m.setAttribute("role", "button"); } else { m.removeAttribute("tabindex"); m.removeAttribute("role"); }
    });
  }
  const excerpt = (sp) => {
    const t = chars.slice(sp.start, sp.end).join("").replace(/\s+/g, " ").trim();
    return t.length > 90 ? `${t.slice(0, 88)}…` : t;
  };
  const stepper = section("Cited passages",
    at ? h("p", { class: "field-check small" }, h("label", { for: "reader-others", class: "inline" }, others,
      " Show the other cited passages (faint)")) : null,
    h("div", { class: "stepper" },
      h("button", { type: "button", class: "btn", on: { click: () => goTo(step - 1) } }, "← Previous"),
      h("button", { type: "button", class: "btn", on: { click: () => goTo(step + 1) } }, "Next →")),
    stepStatus,
    h("details", { class: "cited-list" }, h("summary", {}, `All ${plural(order.length, "passage", "passages")}`),
      h("ol", { class: "mini-list small" }, order.map((k) => h("li", {},
        h("a", { href: `#/document/${encodeURIComponent(id)}?at=${spans[k].start}-${spans[k].end}`,
          "aria-current": at && spans[k].start === at.start && spans[k].end === at.end ? "location" : null },
        `“${excerpt(spans[k])}”`))))));

  // The licence and who to credit, as the source's metadata gives them.
  const licence = h("dl", { class: "props licence" },
    h("dt", {}, "Licence"),
    h("dd", {}, doc.licence_url ? h("a", { href: doc.licence_url, rel: "noopener noreferrer" }, doc.licence || doc.licence_url)
      : (doc.licence || "Not stated")),
    doc.publisher ? [h("dt", {}, "Publisher"), h("dd", {}, doc.publisher)] : null,
    doc.attribution ? [h("dt", {}, "Attribution"), h("dd", {}, doc.attribution)] : null,
    doc.date ? [h("dt", {}, "Published"), h("dd", {}, dateEl(doc.date))] : null);

  const metaBits = [doc.publisher, doc.date ? dateEl(doc.date) : null].filter(Boolean);
  ctx.view.append(
    breadcrumbs([["Home", "#/"], ["Documents", "#/kind/documents"], [doc.title || id]]),
    h("h1", {}, doc.title || id),
    h("p", { class: "muted" }, metaBits.map((b) => [b, " · "]), entityLink({ id, name: "About this document", kind: "Document" }, { badge: false }),
      doc.url ? [" · ", h("a", { href: doc.url, rel: "noopener noreferrer" }, "original ↗")] : null),
    apiLinks([["JSON", `/v1/documents/${encodeURIComponent(id)}/text`, "The text and its quoted spans"]]),
    h("div", { class: "reader-layout" },
      section("Text", markHint, h("p", { class: "muted small" },
        at ? "The passage you followed is marked strongly; the other cited passages faintly. Select one for the facts it supports."
          : `${plural(spans.length, "quoted span", "quoted spans")} highlighted; select one for the facts it supports.`), textEl),
      h("aside", { class: "reader-side" }, section("Facts", panel), stepper,
        section("Licence", licence,
          h("details", { class: "small muted" }, h("summary", {}, "Checksum"),
            h("p", {}, "SHA-256 of the text: ", h("code", { class: "sha" }, doc.sha256 || "")))))));
  if (at) textEl.classList.add("has-target");

  if (at) {
    const first = textEl.querySelector("mark.at");
    if (first) {
      const indices = [...new Set([...textEl.querySelectorAll("mark.at")].flatMap((m) => m.dataset.spans.split(" ").map(Number)))]
        .filter((k) => spans[k].start === at.start && spans[k].end === at.end);
      showFacts(indices.length ? indices : first.dataset.spans.split(" ").map(Number), first);
      step = Math.max(0, order.indexOf(indices.length ? indices[0] : Number(first.dataset.spans.split(" ")[0])));
      stepStatus.textContent = `Passage ${step + 1} of ${order.length}: the one you followed.`;
      requestAnimationFrame(() => first.scrollIntoView({ block: "center" }));
    } else {
      panel.prepend(h("p", { class: "problem" }, `No quoted span at ${ctx.params.get("at")}.`));
    }
  }
}
