// title: Search names and aliases
// description: |
//   Entities whose names hold every word of the text (ignoring case, accents,
//   punctuation and small words such as "the"), the last word possibly unfinished:
//   "prevot" finds "Prévot", "uk" and "britain" the United Kingdom, "joint statement"
//   the joint migration statement, "western bal" the Western Balkans route. Exact
//   names, aliases, reference names and ids come first (exact), then whole words,
//   then unfinished ones. GET /v1/search ranks the same candidates more finely
//   (acronyms, surnames, how much of a name was typed). At most 200 rows; page them
//   with `limit` and `offset`.
// params:
//   q: {type: search, example: britain, description: "Text to look for"}
//   kind: {type: enum, optional: true, values: [Document, Country, Organisation, Person, Position, Agreement, Policy, Route, Principle, Event, Place, Figure], example: Country, description: "Only this kind"}
// example: migkg query --name search --param q=prevot
WITH $q AS q, [w IN split($q, ' ') WHERE NOT w IN ['', 'the', 'a', 'an', 'of', 'and', 'for', 'on', 'in', 'to', 'at', 'by', 'with', 'from']] AS words
MATCH (n)
WHERE n.name_tokens IS NOT NULL AND ($kind IS NULL OR labels(n)[0] = $kind)
  AND (q IN n.names_folded
       OR (size(words) > 0 AND all(w IN words[0..-1] WHERE w IN n.name_tokens)
           AND any(t IN n.name_tokens WHERE t STARTS WITH words[-1] AND NOT t ENDS WITH '*')))
WITH n, CASE WHEN q IN n.names_folded THEN 0
             WHEN all(w IN words WHERE w IN n.name_tokens) THEN 1 ELSE 2 END AS rank
RETURN n.id AS id, n.name AS name, labels(n)[0] AS kind, n.aliases AS aliases, rank = 0 AS exact
ORDER BY rank, size(n.name), name, id
LIMIT 200
