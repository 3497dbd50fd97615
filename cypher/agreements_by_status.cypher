// title: Agreements by status and date
// description: |
//   Agreements filtered by status and by a date window (ISO-8601 prefixes), in date
//   order: an agreement matches when the range of days its text allows
//   (`date_earliest`, `date_latest`) overlaps the window, a side the text leaves open
//   not excluding it; undated agreements come last unless a window is given.
// params:
//   status: {type: enum, optional: true, values: [proposed, announced, to_be_signed, agreed, signed, in_force, operational], example: agreed, description: "Status to match"}
//   from: {type: date, optional: true, example: "2025-01-01", description: "Earliest date, inclusive"}
//   to: {type: date, optional: true, example: "2025-12-31", description: "Latest date, inclusive"}
// example: migkg query --name agreements_by_status --param status=to_be_signed
MATCH (a:`Agreement`)
WHERE ($status IS NULL OR a.status = $status)
  AND (($from IS NULL AND $to IS NULL) OR a.date_earliest IS NOT NULL OR a.date_latest IS NOT NULL)
  AND ($from IS NULL OR a.date_latest IS NULL OR a.date_latest >= $from)
  AND ($to IS NULL OR a.date_earliest IS NULL OR a.date_earliest <= $to OR a.date_earliest STARTS WITH $to)
RETURN {kind: 'Agreement', id: a.id, name: a.name} AS agreement, a.agreement_type AS agreement_type, a.status AS status,
       a.date AS date, a.date_precision AS precision, a.date_text AS date_text
ORDER BY coalesce(a.date, '9999-99-99'), a.id
