// title: Shortest connection between two entities
// description: |
//   The shortest chain of relationships linking two entities, in either direction,
//   up to five hops. Portable by design: FalkorDB has no undirected shortestPath,
//   so this matches bounded undirected variable-length paths and keeps the shortest
//   (ties broken by the ids and relationship keys along the path, so both engines agree).
// params:
//   from: {type: entity, example: Yvette Cooper, description: "First entity"}
//   to: {type: entity, example: Serbia, description: "Second entity"}
// example: migkg query --name shortest_connection --param from=yvette-cooper --param to=RS
MATCH p = (a {id: $from})-[*1..5]-(b {id: $to})
WITH p, length(p) AS hops, [n IN nodes(p) | n.id] AS ids, [r IN relationships(p) | r.key] AS keys
ORDER BY hops, ids, keys
LIMIT 1
RETURN hops,
       [n IN nodes(p) | {id: n.id, name: n.name, kind: labels(n)[0]}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).id, to: endNode(r).id}] AS links,
       p AS path
