// One entity of any kind: properties, relationships grouped by type, evidence and sources.

import { CONFIG, KIND, KIND_BY_SLUG, RELS, getJSON, entityHref, graphHref, url } from "../api.js";
import { codeText, h, humanize, plural } from "../dom.js";
import { historySection } from "../history.js";
import { mapPanel } from "../mapdraw.js";
import {
  breadcrumbs, codeLabel, dateText, entityApiLinks, entityLink, evidenceGroups, kindBadge,
  problemBox, propertyList, propertyValue, relPhrase, section, statusBadge,
} from "../ui.js";

/** A named query's title ("Agreements covering a country"), not its file name. */
function queryTitle(name) {
  return (CONFIG.query_titles || {})[name] || humanize(name);
}

/**
 * The one place this page renders evidence: the quotes that support one claim, each
 * with its document's title and a link to the quote in the reader. `claim` names the
 * claim in words (for screen readers and the heading over the quotes).
 */
function evidenceBlock(evidence, documents, claim) {
  if (!evidence || evidence.length === 0) return null;
  return h("div", { class: "claim-evidence", role: "group", "aria-label": `Evidence: ${claim}` },
    h("p", { class: "claim-line small" }, h("span", { class: "claim-label" }, "Evidence"), ` that ${claim}:`),
    evidenceGroups(evidence, documents));
}

const PROPERTY_ORDER = ["title", "agreement_type", "policy_type", "org_type", "event_type", "doc_type",
  "place_type", "status", "date", "date_precision", "date_confidence", "date_basis", "date_text", "period", "location", "value", "unit", "qualifier",
  "measures", "topic", "label", "framework", "position", "publisher", "url", "reference_names",
  "reference_basis", "wikidata", "pages",
  "confidence", "note", "file"];

// Named queries that take this kind, with the parameter to fill.
const RELATED_QUERIES = {
  Country: [["agreements_covering_country", "country"], ["actor_profile", "actor"], ["cooperation", "actor"], ["figures", "about"], ["events_at_place", "place"]],
  Organisation: [["actor_profile", "actor"], ["cooperation", "actor"], ["figures", "about"], ["framework_principles", "framework"]],
  Person: [["actor_profile", "actor"]],
  Agreement: [["agreement_parties", "agreement"], ["framework_principles", "framework"], ["figures", "about"]],
  Policy: [["framework_principles", "framework"], ["figures", "about"]],
  Route: [["routes", "route"], ["figures", "about"]],
  Place: [["events_at_place", "place"]],
};

/** When a fact came later than its entity (or is in no release yet), a chip says so. */
function releasedChip(fact, firstSeen) {
  if (!firstSeen) return null;  // no release holds the entity: nothing to compare
  if (!fact.first_seen) return h("span", { class: "chip chip-seen" }, "not in a release yet");
  if (fact.first_seen === firstSeen) return null;
  return h("span", { class: "chip chip-seen" }, `since release ${fact.first_seen}`);
}

function relationshipGroups(rels, documents, self, firstSeen) {
  const groups = new Map();
  for (const r of rels) {
    const key = `${r.type}|${r.direction}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  return ordered.map(([key, items]) => {
    const [type, direction] = key.split("|");
    const id = `rel-${type}-${direction}`;
    const desc = RELS[type] ? RELS[type].description : "";
    return h("section", { class: "rel-group", "aria-labelledby": id },
      // the stored type only as a tooltip: the heading is in words
      h("h3", { id, title: direction === "out" ? `${type} →` : `← ${type}` }, relPhrase(type, direction),
        h("span", { class: "count" }, ` (${items.length})`)),
      desc ? h("p", { class: "muted small" }, codeText(desc)) : null,
      h("ul", { class: "rel-list" }, items.map((r) => relItem(r, documents, self, firstSeen))));
  });
}

/** A relationship as a sentence read from its source: "Serbia party to UK-Serbia agreement". */
function relClaim(self, r) {
  const name = (x) => x.name || x.id;
  const [a, b] = r.direction === "out" ? [self, r.other] : [r.other, self];
  return `${name(a)} ${relPhrase(r.type, "out").toLowerCase()} ${name(b)}`;
}

function relItem(r, documents, self, firstSeen) {
  const props = Object.entries(r.properties || {}).filter(([k, v]) => v !== null && v !== "" && k !== "note");
  const note = r.properties && r.properties.note;
  return h("li", { class: "rel-item" },
    h("div", { class: "rel-head" },
      entityLink(r.other),
      releasedChip(r, firstSeen),
      props.length ? h("span", { class: "chips" }, props.map(([k, v]) =>
        h("span", { class: `chip${["date", "as_of", "start_date", "end_date", "date_text"].includes(k) ? " chip-date" : ""}` },
          h("span", { class: "chip-key" }, `${humanize(k)}: `), propertyValue(k, v)))) : null),
    note ? h("p", { class: "note small" }, h("span", { class: "note-label" }, "Note: "), note) : null,
    r.evidence && r.evidence.length
      ? h("div", { class: "rel-evidence" }, evidenceBlock(r.evidence, documents, relClaim(self, r))) : null);
}

async function coverageSection(country, documents) {
  const res = await getJSON(`/v1/countries/${encodeURIComponent(country.id)}/agreements`);
  // Evidence along routes and groups may cite documents this entity does not: their
  // titles come from one request for the documents, not one per document.
  const docs = { ...documents };
  const missing = res.items.some((a) => a.how.some((c) => c.evidence.some((e) => !docs[e.doc])));
  if (missing) {
    const all = await getJSON("/v1/documents", { limit: 200 }).catch(() => ({ items: [] }));
    for (const d of all.items) {
      const pr = d.properties || {};
      if (!docs[d.id]) docs[d.id] = { id: d.id, title: pr.title || d.name, publisher: pr.publisher, date: pr.date, url: pr.url };
    }
  }
  // How the agreement reaches the country, in the words of the schema's relationships.
  const how = (c) => {
    const role = c.role && c.role !== "party" ? ` (${c.role})` : "";
    if (c.how === "party") return `Party to the agreement${role}`;
    if (c.how === "coverage") return "Within its geographic coverage";
    if (c.how === "route") return ["On a route it addresses: ", entityLink(c.via, { badge: false }), role];
    if (c.how === "group") return ["Member of a party to it: ", entityLink(c.via, { badge: false }), role];
    return humanize(c.how);
  };
  // A way that rests on a link the texts leave open or only imply says so, in the data's words.
  const qualifiers = (c) => (c.qualifiers || []).length === 0 ? null : h("ul", { class: "qualifiers", "aria-label": "Qualifiers" },
    c.qualifiers.map((q) => h("li", { class: "qualifier", dataset: { link: q.link } },
      q.ambiguity ? [h("strong", {}, "Ambiguous: "), q.ambiguity]
        : q.inferred ? [h("strong", {}, "Inferred (", codeLabel(q.inferred), "): "), q.basis || ""]
          : [h("strong", {}, "Confidence ", codeLabel(q.confidence), ": "), q.note || "the sources leave this link less than certain"],
      q.confidence ? h("span", { class: "chip" }, "Confidence: ", codeLabel(q.confidence)) : null)));
  // Each way the agreement reaches the country is one claim, with the quotes for it;
  // through a route or a group, the two links of the path each have theirs.
  const agreementName = (a) => a.agreement.name || a.agreement.id;
  const LINK_CLAIM = {
    party: { PARTY_TO: (a) => `${country.name} is party to ${agreementName(a)}` },
    coverage: { COVERS: (a) => `${agreementName(a)} covers ${country.name}` },
    route: {
      PASSES_THROUGH: (a, c) => `${c.via.name || c.via.id} passes through ${country.name}`,
      ADDRESSES: (a, c) => `${agreementName(a)} addresses ${c.via.name || c.via.id}`,
    },
    group: {
      MEMBER_OF: (a, c) => `${country.name} is a member of ${c.via.name || c.via.id}`,
      PARTY_TO: (a, c) => `${c.via.name || c.via.id} is party to ${agreementName(a)}`,
    },
  };
  const claimEvidence = (a, c) => {
    const claims = LINK_CLAIM[c.how] || {};
    const byLink = new Map();
    for (const e of c.evidence) {
      const key = claims[e.link] ? e.link : "";
      if (!byLink.has(key)) byLink.set(key, []);
      byLink.get(key).push(e);
    }
    return [...byLink.entries()].map(([link, ev]) =>
      evidenceBlock(ev, docs, link ? claims[link](a, c) : `${agreementName(a)} reaches ${country.name} this way`));
  };
  return section(`Agreements covering ${country.name}`,
    h("p", { class: "muted small" }, `${plural(res.items.length, "agreement covers", "agreements cover")} ${country.name}, and how; `,
      "under each way, the quotes that support it. ",
      h("a", { href: `/v1/countries/${encodeURIComponent(country.id)}/agreements` }, "These agreements as JSON")),
    res.items.length === 0 ? h("p", {}, "None recorded.") : h("ul", { class: "coverage-list" },
      res.items.map((a) => h("li", { class: "coverage-item", dataset: { agreement: a.agreement.id } },
        h("div", { class: "rel-head" }, entityLink(a.agreement, { badge: false }), " ", statusBadge(a.status),
          a.agreement_type ? h("span", { class: "chip" }, humanize(a.agreement_type)) : null,
          a.date ? h("span", { class: "chip chip-date" }, a.date) : null),
        h("ul", { class: "how-list", "aria-label": "How it covers " + country.name },
          a.how.map((c) => h("li", { class: "how", dataset: { how: c.how } },
            h("p", { class: "how-claim" }, how(c)), qualifiers(c), claimEvidence(a, c))))))));
}

export async function entityPage(ctx, ref, slug) {
  const kindSpec = slug ? KIND_BY_SLUG[slug] : null;
  if (slug && !kindSpec) throw new Error(`unknown kind ${slug}`);
  const path = kindSpec ? `/v1/${kindSpec.plural}/${encodeURIComponent(ref)}` : `/v1/entities/${encodeURIComponent(ref)}`;
  const e = await getJSON(path);
  if (!ctx.isCurrent()) return;
  const kind = KIND[e.kind];
  ctx.setTitle(`${e.name || e.id} (${e.kind})`);
  const props = { id: e.id, ...e.properties };
  const date = dateText(e.properties);
  const related = (RELATED_QUERIES[e.kind] || []).map(([q, p]) =>
    h("li", {}, h("a", { href: url(`#/queries/${q}/run`, { [p]: e.id }) }, queryTitle(q))));
  if (e.kind === "Document") {
    related.push(h("li", {}, h("a", {
      href: url("#/cypher", {
        q: "MATCH (n) WHERE $doc IN n.evidence_docs RETURN labels(n)[0] AS kind, n.id AS id, n.name AS name ORDER BY kind, id",
        params: JSON.stringify({ doc: e.id }),
      }),
    }, "entities drawn from this document")));
  }

  const header = h("header", { class: "entity-header" },
    breadcrumbs([["Home", "#/"], [humanize(kind.plural), `#/kind/${kind.plural}`], [e.name || e.id]]),
    h("h1", {}, e.name || e.id, " ", kindBadge(e.kind), " ", statusBadge(e.properties.status)),
    e.aliases && e.aliases.length ? h("p", { class: "aliases" }, "Also known as ", e.aliases.join(", ")) : null,
    date ? h("p", { class: "entity-date" }, "Date: ", date) : null,
    e.summary ? h("p", { class: "lede" }, e.summary) : null,
    h("div", { class: "entity-actions" },
      h("a", { class: "btn", href: graphHref(e.id) }, "Graph view"),
      h("a", { class: "btn", href: graphHref(e.id, { hops: 2 }) }, "2-hop graph"),
      entityApiLinks(e.id, e.kind)),
    h("p", { class: "iri small" }, "IRI: ", h("a", { href: `/id/${kind.slug}/${encodeURIComponent(e.id)}` }, e.iri)));

  const parts = [header];
  const layout = h("div", { class: "entity-layout" });
  const mainCol = h("div", { class: "entity-main" });
  const side = h("aside", { class: "entity-side", "aria-label": "Properties and sources" });

  side.append(section("Properties", propertyList(props, {
    order: ["id", ...PROPERTY_ORDER],
    links: {
      framework: (v) => entityLink({ id: v, name: v, kind: null }, { badge: false }),
      url: (v) => h("a", { href: v, rel: "noopener noreferrer" }, v),
      wikidata: (v) => h("a", { href: `https://www.wikidata.org/wiki/${encodeURIComponent(v)}`, rel: "noopener noreferrer" }, v),
    },
  })));
  if (e.kind === "Country" || e.kind === "Route") side.prepend(mapPanel(e));
  if (related.length) side.append(section("Questions about it", h("ul", { class: "mini-list" }, related)));
  const docs = Object.values(e.documents || {});
  if (docs.length) {
    side.append(section("Sources cited", h("ul", { class: "doc-list" }, docs.map((d) => h("li", {},
      h("a", { href: entityHref(d.id, "Document") }, d.title || d.id),
      d.publisher || d.date ? h("span", { class: "muted" }, ` · ${[d.publisher, d.date].filter(Boolean).join(", ")}`) : null,
      d.url ? [" · ", h("a", { href: d.url, rel: "noopener noreferrer" }, "original ↗")] : null)))));
  }

  const history = historySection(e).catch((err) => section("History", problemBox(err, "The history could not be shown")));
  if (e.kind === "Country") {
    const coverage = await coverageSection(e, e.documents || {}).catch(() => null);
    if (!ctx.isCurrent()) return;
    if (coverage) mainCol.append(coverage);
  }
  if (e.evidence && e.evidence.length) {
    const name = e.name || e.id;
    mainCol.append(section("Evidence", h("p", { class: "muted small" },
      `The quotes for ${name} itself: what the sources say that names it. Each claim about it has its own quotes, `,
      e.kind === "Country" ? "under the agreements covering it and under Relationships." : "under Relationships."),
    h("div", { class: "evidence-list" }, evidenceBlock(e.evidence, e.documents, `the sources name ${name}`))));
  }
  mainCol.append(section(`Relationships (${e.relationships.length})`,
    e.relationships.length ? relationshipGroups(e.relationships, e.documents || {}, e, e.first_seen)
      : h("p", {}, "No relationships.")));
  mainCol.append(await history);
  if (!ctx.isCurrent()) return;

  layout.append(mainCol, side);
  parts.push(layout);
  ctx.view.append(...parts);
}
