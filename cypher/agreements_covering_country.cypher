// title: Agreements covering a country
// description: |
//   Every agreement that covers a country, and how: as a party (in its role),
//   by geographic coverage, through a route that passes through it, or through a
//   group it belongs to that is party. Each row carries the evidence for each link, and
//   `qualifiers`: each link of the path that is not plainly stated (its ambiguity, or inferred
//   with its basis, or of low or medium confidence, with its note), so an answer that rests
//   on an open reading says so (is Germany a Calais Group partner?). Rows come grouped by
//   how (party, coverage, route, group), then by agreement.
// params:
//   country: {type: entity, kind: Country, example: Serbia, description: "Country id, ISO code, name or alias"}
// example: migkg query --name agreements_covering_country --param country=Serbia
MATCH (c:`Country` {id: $country})-[r:`PARTY_TO`]->(a:`Agreement`)
RETURN {kind: 'Agreement', id: a.id, name: a.name} AS agreement, a.agreement_type AS agreement_type, a.status AS status,
       a.date AS date, 'party' AS how, r.role AS role, null AS via,
       [i IN range(0, size(r.evidence_docs) - 1) | {link: 'PARTY_TO', doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence,
       [x IN [
         {link: 'PARTY_TO', confidence: r.confidence, inferred: r.inferred, basis: r.basis, ambiguity: r.ambiguity, note: r.note}] WHERE x.ambiguity IS NOT NULL OR x.inferred IS NOT NULL OR x.confidence IN ['low', 'medium']] AS qualifiers
ORDER BY agreement.id, via.id
UNION ALL
MATCH (c:`Country` {id: $country})<-[r:`COVERS`]-(a:`Agreement`)
RETURN {kind: 'Agreement', id: a.id, name: a.name} AS agreement, a.agreement_type AS agreement_type, a.status AS status,
       a.date AS date, 'coverage' AS how, null AS role, null AS via,
       [i IN range(0, size(r.evidence_docs) - 1) | {link: 'COVERS', doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence,
       [x IN [
         {link: 'COVERS', confidence: r.confidence, inferred: r.inferred, basis: r.basis, ambiguity: r.ambiguity, note: r.note}] WHERE x.ambiguity IS NOT NULL OR x.inferred IS NOT NULL OR x.confidence IN ['low', 'medium']] AS qualifiers
ORDER BY agreement.id, via.id
UNION ALL
MATCH (c:`Country` {id: $country})<-[p:`PASSES_THROUGH`]-(route:`Route`)<-[r:`ADDRESSES`]-(a:`Agreement`)
RETURN {kind: 'Agreement', id: a.id, name: a.name} AS agreement, a.agreement_type AS agreement_type, a.status AS status,
       a.date AS date, 'route' AS how, p.role AS role, {kind: 'Route', id: route.id, name: route.name} AS via,
       [i IN range(0, size(p.evidence_docs) - 1) | {link: 'PASSES_THROUGH', doc: p.evidence_docs[i], quote: p.evidence_quotes[i], start: p.evidence_starts[i], end: p.evidence_ends[i]}]
       + [i IN range(0, size(r.evidence_docs) - 1) | {link: 'ADDRESSES', doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence,
       [x IN [
         {link: 'PASSES_THROUGH', confidence: p.confidence, inferred: p.inferred, basis: p.basis, ambiguity: p.ambiguity, note: p.note}, {link: 'ADDRESSES', confidence: r.confidence, inferred: r.inferred, basis: r.basis, ambiguity: r.ambiguity, note: r.note}] WHERE x.ambiguity IS NOT NULL OR x.inferred IS NOT NULL OR x.confidence IN ['low', 'medium']] AS qualifiers
ORDER BY agreement.id, via.id
UNION ALL
MATCH (c:`Country` {id: $country})-[m:`MEMBER_OF`]->(g:`Organisation`)-[r:`PARTY_TO`]->(a:`Agreement`)
RETURN {kind: 'Agreement', id: a.id, name: a.name} AS agreement, a.agreement_type AS agreement_type, a.status AS status,
       a.date AS date, 'group' AS how, r.role AS role, {kind: 'Organisation', id: g.id, name: g.name} AS via,
       [i IN range(0, size(m.evidence_docs) - 1) | {link: 'MEMBER_OF', doc: m.evidence_docs[i], quote: m.evidence_quotes[i], start: m.evidence_starts[i], end: m.evidence_ends[i]}]
       + [i IN range(0, size(r.evidence_docs) - 1) | {link: 'PARTY_TO', doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence,
       [x IN [
         {link: 'MEMBER_OF', confidence: m.confidence, inferred: m.inferred, basis: m.basis, ambiguity: m.ambiguity, note: m.note}, {link: 'PARTY_TO', confidence: r.confidence, inferred: r.inferred, basis: r.basis, ambiguity: r.ambiguity, note: r.note}] WHERE x.ambiguity IS NOT NULL OR x.inferred IS NOT NULL OR x.confidence IN ['low', 'medium']] AS qualifiers
ORDER BY agreement.id, via.id
