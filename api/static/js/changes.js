// What a release changed, in words: the one rendering of a change (/v1/changes and
// /v1/entities/{ref}/history share its shape) for the "What changed" page and for an
// entity's History section. A change reads "Added", "Removed" or "Changed", then what
// it is about (the entity, a property, a relationship and its target, an evidence
// quote) and its old and new values.

import { getJSON, listAll } from "./api.js";
import { h, humanize, plural } from "./dom.js";
import { entityLink, evidenceGroups, propertyValue, quoteLink, relPhrase } from "./ui.js";

const TAG = { added: "Added", removed: "Removed", changed: "Changed" };
// The qualifiers that tell relationships of one type apart: the key's last parts
// (TYPE|source|target|role|title|action, loaders/statements.py).
export const KEY_QUALIFIERS = ["role", "title", "action"];

/** Every release, oldest first (the API's order), page by page (bounded). */
export async function allReleases(maxPages = 10) {
  const items = [];
  for (let page = 0; page < maxPages; page += 1) {
    const res = await getJSON("/v1/releases", { limit: 200, offset: page * 200 || null });
    items.push(...res.items);
    if (!res.next || res.items.length === 0) break;
  }
  return items;
}

export function releaseLabel(r) {
  return r.date ? `${r.version} (${r.date})` : r.version;
}

/** The source documents by id (title, publisher, date, url), for evidence captions. */
export async function documentsById() {
  const { items } = await listAll("Document");
  return Object.fromEntries(items.map((d) => [d.id, {
    id: d.id, title: d.properties.title || d.name, publisher: d.properties.publisher,
    date: d.properties.date, url: d.properties.url,
  }]));
}

/** "2 added, 1 changed" for a list of changes. */
export function changeCounts(changes) {
  const n = { added: 0, changed: 0, removed: 0 };
  for (const c of changes) n[c.change] = (n[c.change] || 0) + 1;
  return Object.entries(n).filter(([, k]) => k).map(([how, k]) => `${k} ${how}`).join(", ");
}

const article = (word) => (/^[AEIOU]/i.test(word) ? `an ${word}` : `a ${word}`);

function none() {
  return h("span", { class: "muted" }, "none");
}

/** Qualifiers as words: "role: party, date: 2024". */
function qualifierText(q) {
  const entries = Object.entries(q || {}).filter(([, v]) => v !== null && v !== undefined && v !== "");
  if (entries.length === 0) return null;
  return entries.map(([k, v], i) => [i ? ", " : "", `${humanize(k).toLowerCase()}: `, propertyValue(k, v)]);
}

function value(key, v) {
  if (v === null || v === undefined || v === "") return none();
  if (typeof v === "object" && !Array.isArray(v)) return qualifierText(v) || none();
  return propertyValue(key, v);
}

/** ": signed" | " was to_be_signed" | " was to_be_signed, now signed", old struck through. */
function wasNow(key, c) {
  if (c.change === "added") return [": ", h("ins", {}, value(key, c.new))];
  if (c.change === "removed") return [": was ", h("del", {}, value(key, c.old))];
  return [": was ", h("del", {}, value(key, c.old)), ", now ", h("ins", {}, value(key, c.new))];
}

function entityText(c) {
  if (c.change === "added") return `to the graph, as ${article(c.new || "entity")}`;
  if (c.change === "removed") return `from the graph (it was ${article(c.old || "entity")})`;
  return ["kind", wasNow("kind", c)];
}

/** A target with the name and kind the caller knows when the change names only its id. */
function known(ref, names) {
  if (!ref || !ref.id) return null;
  const more = names[ref.id] || {};
  return { id: ref.id, name: ref.name || more.name || null, kind: ref.kind || more.kind || null };
}

function relType(type, direction) {
  return h("span", { class: "rel-type" }, direction === "out" ? `${type} →` : `← ${type}`);
}

/**
 * A relationship as this entity's side reads it: "Party to UK-Serbia agreement". An
 * incoming one whose source the change does not name (an entity's history lists the
 * links that point at it without their source) says so.
 */
function relationshipText(type, source, target, entity, names) {
  const incoming = entity && target && target.id === entity.id && (!source || source.id !== entity.id);
  if (!incoming) return [relPhrase(type, "out"), " ", relType(type, "out"), " ", entityLink(target)];
  return [relPhrase(type, "in"), " ", relType(type, "in"), " ",
    source ? entityLink(known(source, names)) : h("span", { class: "muted" }, "(from an entity the history does not name)")];
}

function relationshipChange(c, entity, names) {
  const rel = c.relationship || {};
  const target = known(rel.target, names);
  const about = relationshipText(rel.type, known(rel.source, names), target, entity, names);
  if (c.change === "changed") return [about, wasNow("qualifiers", c)];
  // Its qualifiers, without the curator's note (a sentence of its own, on the entity page).
  const { note, ...qualifiers } = (c.change === "added" ? c.new : c.old) || {};
  const q = qualifierText(qualifiers);
  return [about, q ? [" (", q, ")"] : null];
}

/** The relationship an evidence item supports: the API's type and target, else its key. */
function evidenceOf(rel) {
  const parts = rel.key ? String(rel.key).split("|") : [];
  const qualifiers = {};
  KEY_QUALIFIERS.forEach((k, i) => { if (parts[3 + i]) qualifiers[k] = parts[3 + i]; });
  return {
    type: rel.type || parts[0],
    source: parts[1] ? { id: parts[1] } : null,
    target: rel.target || (parts[2] ? { id: parts[2] } : null),
    qualifiers,
  };
}

function docLink(e, documents) {
  const d = documents[e.doc];
  return h("a", { href: `#/entity/document/${encodeURIComponent(e.doc)}` }, (d && d.title) || e.doc);
}

function evidenceChange(c, entity, names, documents) {
  const e = c.new || c.old || {};
  let about = "for the entity";
  if (c.relationship) {
    const rel = evidenceOf(c.relationship);
    const q = qualifierText(rel.qualifiers);
    about = ["for ", relationshipText(rel.type, rel.source, known(rel.target, names), entity, names),
      q ? [" (", q, ")"] : null];
  }
  const moved = c.change === "changed" ? " (its place in the text changed)" : "";
  return [about, ": ", quoteLink(e), moved, " in ", docLink(e, documents)];
}

/**
 * The evidence behind a changed fact: every change shows its own quotes, even when
 * another change cites the same words (no "quoted above"). Without `seen`, none (the
 * entity page shows its evidence).
 */
function supporting(evidence, documents, seen) {
  if (!seen || !evidence || evidence.length === 0) return null;
  return h("div", { class: "change-evidence" }, evidenceGroups(evidence, documents));
}

/**
 * One change as a list item. `entity`: whose change it is ({id}); `names`: id -> {name,
 * kind} for targets the change names by id only; `documents`: id -> document, for
 * captions; `seen`: a Set to quote each piece of supporting evidence once, or null to
 * leave it out.
 */
export function changeItem(c, { entity = null, names = {}, documents = {}, seen = null } = {}) {
  let body;
  if (c.what === "entity") body = ["the entity ", entityText(c)];
  else if (c.what === "property") body = [h("span", { class: "change-what" }, humanize(c.property)), wasNow(c.property, c)];
  else if (c.what === "relationship") body = ["relationship: ", relationshipChange(c, entity, names)];
  else if (c.what === "evidence") body = ["evidence ", evidenceChange(c, entity, names, documents)];
  else body = humanize(c.what);
  const data = { change: c.change, what: c.what };
  if (c.property) data.property = c.property;
  return h("li", { class: "change", dataset: data },
    h("p", { class: "change-line" },
      h("span", { class: `change-tag change-${c.change}` }, TAG[c.change] || humanize(c.change)), " ", body),
    supporting(c.evidence, documents, seen));
}

/** What a list of changes added, when they bring a whole entity: "11 properties, ...". */
export function addedSummary(changes) {
  const count = (what) => changes.filter((c) => c.what === what && c.change === "added").length;
  const parts = [plural(count("property"), "property", "properties"),
    plural(count("relationship"), "relationship", "relationships"),
    plural(count("evidence"), "evidence quote", "evidence quotes")];
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}
