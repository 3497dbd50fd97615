// The JSON API the explorer reads, and what the page knows about the schema.

export const CONFIG = JSON.parse(document.getElementById("migkg-config").textContent);
export const KINDS = CONFIG.kinds;
export const KIND = Object.fromEntries(KINDS.map((k) => [k.name, k]));
export const KIND_BY_SLUG = Object.fromEntries(
  KINDS.flatMap((k) => [[k.slug, k], [k.plural, k]]));
export const RELS = Object.fromEntries(CONFIG.relationships.map((r) => [r.name, r]));

// The schema's words for its codes (graph/schema.py, served once in the page's config):
// enum values and relationship types. The code itself is shown only as a tooltip.
const VOCAB = CONFIG.vocabulary || { values: {}, relationships: {} };
export const DATE_PROPERTIES = new Set(CONFIG.date_properties || ["date"]);

/** The label of an enum value, or null when `code` is not one. */
export function valueLabel(code) {
  return typeof code === "string" && Object.hasOwn(VOCAB.values, code) ? VOCAB.values[code] : null;
}

/** The label of a relationship type ("Party to"), or null when `type` is not one. */
export function relLabel(type) {
  const r = VOCAB.relationships[type];
  return r ? r.label : null;
}

/** How a relationship type reads from one end: [outgoing, incoming], or null. */
export function relReadings(type) {
  const r = VOCAB.relationships[type];
  return r ? [r.outgoing, r.incoming] : null;
}

/** An error answered by the API as application/problem+json. */
export class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

async function handle(res) {
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) {
    const problem = typeof body === "object" && body ? body
      : { title: res.statusText, status: res.status, detail: String(body).slice(0, 300) };
    if (Array.isArray(problem.detail)) {  // FastAPI validation errors
      problem.detail = problem.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
    }
    throw new ApiError(problem, res.status);
  }
  return body;
}

export function url(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== "") qs.set(k, v);
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export async function getJSON(path, params = {}, { signal } = {}) {
  const res = await fetch(url(path, params), { headers: { Accept: "application/json" }, signal });
  return handle(res);
}

export async function postJSON(path, body, { signal } = {}) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  return handle(res);
}

// ---- links between the explorer, the JSON API and the RDF representations ----

const enc = encodeURIComponent;

export function kindOf(name) {
  return KIND[name] || null;
}

/** The explorer page of an entity (kind may be unknown: the API resolves it). */
export function entityHref(id, kind) {
  const k = kind && KIND[kind];
  return k ? `#/entity/${k.slug}/${enc(id)}` : `#/entity/${enc(id)}`;
}

export function graphHref(id, opts = {}) {
  return url(`#/graph/${enc(id)}`, opts);
}

export function jsonHref(id, kind) {
  const k = kind && KIND[kind];
  return k ? `/v1/${k.plural}/${enc(id)}` : `/v1/entities/${enc(id)}`;
}

export function rdfHref(id, kind, format) {
  const k = KIND[kind];
  return url(`/id/${k.slug}/${enc(id)}`, { format });
}

let docTitles = null;
const DOC_TITLES = new Map();

/** The documents' titles by id, fetched once per page load and cached (there are few). */
export function loadDocTitles() {
  if (!docTitles) {
    docTitles = listAll("Document").then(({ items }) => {
      for (const d of items) DOC_TITLES.set(d.id, (d.properties && d.properties.title) || d.name || d.id);
      return DOC_TITLES;
    }).catch((err) => { docTitles = null; throw err; });
  }
  return docTitles;
}

/** A document's title once loadDocTitles() has answered; null before or when unknown. */
export function docTitle(id) {
  return DOC_TITLES.get(id) || null;
}

/** Fetch every item of a kind's list, page by page (bounded). */
export async function listAll(kind, params = {}, maxPages = 20) {
  const k = KIND[kind];
  const items = [];
  let total = 0;
  for (let page = 0; page < maxPages; page += 1) {
    const res = await getJSON(`/v1/${k.plural}`, { ...params, limit: 200, offset: page * 200 });
    total = res.total;
    items.push(...res.items);
    if (items.length >= total || res.items.length === 0) break;
  }
  return { total, items };
}
