// title: Events in a date range
// description: |
//   Events whose date range overlaps the window, in date order. Each event's range is
//   the earliest and the latest day its text allows (`date_earliest`, `date_latest`,
//   stored as days): a date of month or year precision spans its month or year, and a
//   range written from the text's words ("Spring 2026"; "today" in a text written no
//   later than June 2026) spans what the words allow. A side the text leaves open does
//   not exclude an event. A date inferred from the source's words carries its
//   confidence and basis; `status` is the source's tense as of `status_as_of` (a
//   planned event whose `date_latest` is past has had its date pass: /v1/events says so
//   in `status_now`). Undated events (no bound at all) are listed only when `include_undated` is true, at
//   the end.
// params:
//   from: {type: date, default: "0001", example: "2025-01-01", description: "Start of the window, inclusive"}
//   to: {type: date, default: "9999", example: "2025-12-31", description: "End of the window, inclusive (a prefix such as 2025 includes all of 2025)"}
//   include_undated: {type: bool, default: false, example: true, description: "Also list events with no known date or bound"}
// example: migkg query --name events_in_range --param from=2025-01-01 --param to=2025-12-31
MATCH (e:`Event`)
WHERE ((e.date_earliest IS NOT NULL OR e.date_latest IS NOT NULL)
       AND (e.date_earliest IS NULL OR e.date_earliest <= $to OR e.date_earliest STARTS WITH $to)
       AND (e.date_latest IS NULL OR e.date_latest >= $from))
   OR (e.date_earliest IS NULL AND e.date_latest IS NULL AND $include_undated)
OPTIONAL MATCH (e)-[:`HELD_IN`]->(c:`Country`)
RETURN {kind: 'Event', id: e.id, name: e.name} AS event, e.event_type AS event_type, e.date AS date,
       e.date_precision AS precision, e.date_earliest AS date_earliest,
       e.date_latest AS date_latest, e.date_confidence AS date_confidence,
       e.date_basis AS date_basis, e.date_text AS date_text,
       e.date_relative_to AS date_relative_to, e.date_relation AS date_relation,
       e.location AS location,
       CASE WHEN c IS NULL THEN null ELSE {kind: 'Country', id: c.id, name: c.name} END AS country, e.status AS status,
       e.status_as_of AS status_as_of
ORDER BY coalesce(date_earliest, date_latest, '9999-99-99'), coalesce(date_latest, '9999-99-99'), event.id
