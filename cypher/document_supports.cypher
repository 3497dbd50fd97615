// title: Everything a document supports
// description: |
//   Every entity and relationship a source document is evidence for, with each
//   quote it gives: first the entities (by kind and id), then the relationships
//   (by type and key, with their ends). Entities come as {kind, id, name}.
// params:
//   document: {type: entity, kind: Document, example: cabinet-office-joint-migration-statement, description: "Document id or title"}
// example: migkg query --name document_supports --param document=cabinet-office-joint-migration-statement
MATCH (n)
WHERE $document IN n.evidence_docs
UNWIND range(0, size(n.evidence_docs) - 1) AS i
WITH n, i
WHERE n.evidence_docs[i] = $document
RETURN 'entity' AS what, {kind: labels(n)[0], id: n.id, name: n.name} AS entity,
       null AS relation, null AS key, null AS source, null AS target, n.evidence_quotes[i] AS quote
ORDER BY labels(n)[0], n.id, quote
UNION ALL
MATCH (a)-[r]->(b)
WHERE $document IN r.evidence_docs
UNWIND range(0, size(r.evidence_docs) - 1) AS i
WITH a, r, b, i
WHERE r.evidence_docs[i] = $document
RETURN 'relationship' AS what, null AS entity, type(r) AS relation, r.key AS key,
       {kind: labels(a)[0], id: a.id, name: a.name} AS source,
       {kind: labels(b)[0], id: b.id, name: b.name} AS target, r.evidence_quotes[i] AS quote
ORDER BY relation, key, quote
