// title: Routes with their countries in order
// description: |
//   Each route with the places it passes through (in order where the sources give
//   one; origin, transit or destination), and the agreements, policies and bodies
//   that address it. Leave `route` empty for all routes.
// params:
//   route: {type: entity, kind: Route, optional: true, example: Western Balkans route, description: "Route id, name or alias"}
// example: migkg query --name routes --param route=western-balkans-route
MATCH (r:`Route`)
WHERE $route IS NULL OR r.id = $route
OPTIONAL MATCH (r)-[p:`PASSES_THROUGH`]->(place)
WITH r, p, place
ORDER BY coalesce(p.order, 999),
         CASE p.role WHEN 'origin' THEN 0 WHEN 'transit' THEN 1 ELSE 2 END, place.id
WITH r, [x IN collect({kind: labels(place)[0], id: place.id, name: place.name, role: p.role, order: p.order}) WHERE x.id IS NOT NULL] AS places
OPTIONAL MATCH (r)<-[:`ADDRESSES`]-(x)
WITH r, places, x
ORDER BY x.id
RETURN {kind: 'Route', id: r.id, name: r.name} AS route, places,
       [y IN collect({id: x.id, name: x.name, kind: labels(x)[0]}) WHERE y.id IS NOT NULL] AS addressed_by,
       r.note AS note
ORDER BY route.id
