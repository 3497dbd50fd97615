// title: Agreements by status and date
// description: |
//   Agreements filtered by status and by a date range (ISO-8601 prefixes), in date
//   order; undated agreements come last unless a range is given.
// params:
//   status: {type: enum, optional: true, values: [proposed, announced, to_be_signed, agreed, signed, in_force, operational], example: agreed, description: "Status to match"}
//   from: {type: date, optional: true, example: "2025-01-01", description: "Earliest date, inclusive"}
//   to: {type: date, optional: true, example: "2025-12-31", description: "Latest date, inclusive"}
// example: migkg query --name agreements_by_status --param status=to_be_signed
MATCH (a:`Agreement`)
WHERE ($status IS NULL OR a.status = $status)
  AND ($from IS NULL OR (a.date IS NOT NULL AND a.date >= $from))
  AND ($to IS NULL OR (a.date IS NOT NULL AND (a.date <= $to OR a.date STARTS WITH $to)))
RETURN a.id AS agreement, a.name AS name, a.agreement_type AS agreement_type, a.status AS status,
       a.date AS date, a.date_precision AS precision, a.date_text AS date_text
ORDER BY coalesce(a.date, '9999-99-99'), agreement
