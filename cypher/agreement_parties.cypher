// title: Parties, signatories and those present
// description: |
//   Who takes part in an agreement and in which role (party, signatory, endorser),
//   which people signed it, and who else was at the event where it was agreed or
//   signed in a named role (convener, chair, host, present) without being a party,
//   kept as distinct rows: first the PARTY_TO links by role, then the SIGNED links,
//   then the ATTENDED links of that event (with its id).
// params:
//   agreement: {type: entity, kind: Agreement, example: UK-Germany Joint Action Plan, description: "Agreement id, name or alias"}
// example: migkg query --name agreement_parties --param agreement=uk-germany-joint-action-plan
MATCH (x)-[r:`PARTY_TO`]->(a:`Agreement` {id: $agreement})
RETURN {kind: labels(x)[0], id: x.id, name: x.name} AS actor, 'PARTY_TO' AS relation, r.role AS role,
       null AS date, null AS event,
       [i IN range(0, size(r.evidence_docs) - 1) | {doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence
ORDER BY role, x.id
UNION ALL
MATCH (x)-[r:`SIGNED`]->(a:`Agreement` {id: $agreement})
RETURN {kind: labels(x)[0], id: x.id, name: x.name} AS actor, 'SIGNED' AS relation, 'signed' AS role,
       r.date AS date, null AS event,
       [i IN range(0, size(r.evidence_docs) - 1) | {doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence
ORDER BY role, x.id
UNION ALL
MATCH (a:`Agreement` {id: $agreement})-[w:`ANNOUNCED_AT`]->(e:`Event`)<-[r:`ATTENDED`]-(x)
WHERE w.action IN ['agreed', 'signed'] AND r.role IN ['convener', 'chair', 'host', 'present']
RETURN {kind: labels(x)[0], id: x.id, name: x.name} AS actor, 'ATTENDED' AS relation, r.role AS role,
       e.date AS date, {kind: 'Event', id: e.id, name: e.name} AS event,
       [i IN range(0, size(r.evidence_docs) - 1) | {doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence
ORDER BY role, x.id
