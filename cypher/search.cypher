// title: Search names and aliases
// description: |
//   Entities whose name, alias or id contains every word of the text, ignoring case
//   and accents ("prevot" finds "Prévot"; "uk" and "britain" find the United
//   Kingdom; "joint statement" finds the joint migration statement). Exact matches
//   come first.
// params:
//   q: {type: search, example: britain, description: "Text to look for"}
//   kind: {type: enum, optional: true, values: [Document, Country, Organisation, Person, Agreement, Policy, Route, Principle, Event, Figure], example: Country, description: "Only this kind"}
//   limit: {type: int, default: 20, minimum: 1, maximum: 200, example: 10, description: "Most results"}
// example: migkg query --name search --param q=prevot
MATCH (n)
WHERE ($kind IS NULL OR labels(n)[0] = $kind)
  AND all(w IN split($q, ' ') WHERE w = '' OR any(x IN n.names_folded WHERE x CONTAINS w))
WITH n, CASE WHEN $q IN n.names_folded THEN 0 ELSE 1 END AS rank
RETURN n.id AS id, n.name AS name, labels(n)[0] AS kind, n.aliases AS aliases, rank = 0 AS exact
ORDER BY rank, name, id
LIMIT $limit
