// title: Who cooperates with whom
// description: |
//   Pairs of actors that share agreements, with the agreements they share. Give
//   `actor` to see one actor's partners.
// params:
//   actor: {type: entity, optional: true, example: Germany, description: "Actor id, name or alias"}
//   min_shared: {type: int, default: 1, minimum: 1, example: 2, description: "Fewest shared agreements"}
// example: migkg query --name cooperation --param actor=DE
MATCH (a)-[:`PARTY_TO`]->(g:`Agreement`)<-[:`PARTY_TO`]-(b)
WHERE a.id <> b.id AND (($actor IS NULL AND a.id < b.id) OR a.id = $actor)
WITH a, b, g
ORDER BY g.id
WITH a, b, collect(DISTINCT g) AS shared_agreements
WHERE size(shared_agreements) >= $min_shared
RETURN {kind: labels(a)[0], id: a.id, name: a.name} AS actor,
       {kind: labels(b)[0], id: b.id, name: b.name} AS partner,
       size(shared_agreements) AS shared,
       [g IN shared_agreements | {kind: 'Agreement', id: g.id, name: g.name}] AS agreements
ORDER BY shared DESC, a.id, b.id
