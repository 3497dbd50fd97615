// title: Figures by topic, route or country
// description: |
//   Quantitative facts with their value, unit, period and what they measure,
//   filtered by topic and/or by the entity they are about.
// params:
//   topic: {type: enum, optional: true, values: [crossings, rescues, returns, funding, reach, agreement_size, framework_size, capacity], example: returns, description: "Topic"}
//   about: {type: entity, optional: true, example: United Kingdom, description: "Route, country or organisation the figure is about"}
// example: migkg query --name figures --param topic=returns
MATCH (f:`Figure`)
WHERE $topic IS NULL OR f.topic = $topic
OPTIONAL MATCH (f)-[:`ABOUT`]->(x)
WITH f, x
ORDER BY x.id
WITH f, [y IN collect({id: x.id, name: x.name, kind: labels(x)[0]}) WHERE y.id IS NOT NULL] AS about
WHERE $about IS NULL OR any(y IN about WHERE y.id = $about)
RETURN {kind: 'Figure', id: f.id, name: f.name} AS figure, f.value AS value, f.unit AS unit, f.qualifier AS qualifier,
       f.period AS period, f.measures AS measures, f.topic AS topic, about,
       [i IN range(0, size(f.evidence_docs) - 1) | {doc: f.evidence_docs[i], quote: f.evidence_quotes[i], start: f.evidence_starts[i], end: f.evidence_ends[i]}] AS evidence
ORDER BY topic, f.id
