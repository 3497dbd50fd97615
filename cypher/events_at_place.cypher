// title: What happened in a place
// description: |
//   Events held in a city, venue or country, directly or in a place within it
//   (a venue in a city, a city in a country), in date order (undated last), with
//   the agreements and policies announced, agreed or discussed there.
// params:
//   place: {type: entity, kind: [Place, Country], example: Budapest, description: "City, venue or country: id, name or alias"}
// example: migkg query --name events_at_place --param place=Budapest
MATCH (e:`Event`)-[:`HELD_IN`]->(p)-[:`LOCATED_IN`*0..2]->(x {id: $place})
WITH DISTINCT e, p
ORDER BY p.id
WITH e, collect({kind: labels(p)[0], id: p.id, name: p.name}) AS held_in
OPTIONAL MATCH (i)-[w:`ANNOUNCED_AT`]->(e)
WITH e, held_in, i, w
ORDER BY i.id
RETURN {kind: 'Event', id: e.id, name: e.name} AS event, e.event_type AS event_type, e.date AS date,
       e.date_precision AS precision, e.date_text AS date_text, e.status AS status, held_in,
       [y IN collect({id: i.id, name: i.name, kind: labels(i)[0], action: w.action}) WHERE y.id IS NOT NULL] AS instruments
ORDER BY coalesce(date, '9999-99-99'), event.id
