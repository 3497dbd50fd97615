// title: Principles or priorities of a framework
// description: |
//   The principles, priorities or themes a framework lists, in order, with what
//   aligns with each. A framework is an agreement or policy that lists them, or the
//   body they guide (the Border Security Command's four principles).
// params:
//   framework: {type: entity, kind: [Agreement, Policy, Organisation], example: Delivering Border Security, description: "Agreement, policy or organisation: id, name or alias"}
// example: migkg query --name framework_principles --param framework=calais-group-priority-plan-2025
MATCH (f {id: $framework})<-[:`PART_OF`]-(p:`Principle`)
OPTIONAL MATCH (x)-[:`ALIGNS_WITH`]->(p)
WITH f, p, x
ORDER BY x.id
RETURN {kind: labels(f)[0], id: f.id, name: f.name} AS framework, p.position AS position, {kind: 'Principle', id: p.id, name: p.name} AS principle,
       p.label AS label,
       [y IN collect({id: x.id, name: x.name, kind: labels(x)[0]}) WHERE y.id IS NOT NULL] AS aligned,
       [i IN range(0, size(p.evidence_docs) - 1) | {doc: p.evidence_docs[i], quote: p.evidence_quotes[i], start: p.evidence_starts[i], end: p.evidence_ends[i]}] AS evidence
ORDER BY position, principle.id
