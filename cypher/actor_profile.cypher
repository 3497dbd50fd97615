// title: Actor profile
// description: |
//   An actor's agreements (with roles), memberships, positions held, events attended,
//   policies and cooperation, one row per link: first its outgoing links, then the
//   incoming ones (members, holders of a position, a country's positions, parts).
// params:
//   actor: {type: entity, example: Yvette Cooper, description: "Country, organisation, person or position: id, name or alias"}
// example: migkg query --name actor_profile --param actor=GB
MATCH (a {id: $actor})-[r:`PARTY_TO`|`SIGNED`|`MEMBER_OF`|`HOLDS_OFFICE`|`OFFICE_OF`|`ATTENDED`|`ADOPTED`|`COOPERATES_WITH`|`PART_OF`]->(x)
RETURN type(r) AS relation, 'out' AS direction, {kind: labels(x)[0], id: x.id, name: x.name} AS other, coalesce(r.role, r.title, r.description) AS role,
       coalesce(r.date, r.as_of, x.date) AS date,
       [i IN range(0, size(r.evidence_docs) - 1) | {doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence
ORDER BY relation, x.id, role
UNION ALL
MATCH (a {id: $actor})<-[r:`MEMBER_OF`|`HOLDS_OFFICE`|`OFFICE_OF`|`COOPERATES_WITH`|`PART_OF`]-(x)
RETURN type(r) AS relation, 'in' AS direction, {kind: labels(x)[0], id: x.id, name: x.name} AS other, coalesce(r.role, r.title, r.description) AS role,
       coalesce(r.date, r.as_of, x.date) AS date,
       [i IN range(0, size(r.evidence_docs) - 1) | {doc: r.evidence_docs[i], quote: r.evidence_quotes[i], start: r.evidence_starts[i], end: r.evidence_ends[i]}] AS evidence
ORDER BY relation, x.id, role
