// title: Events in a date range
// description: |
//   Events whose (ISO-8601) date falls in a range, in date order; a month or a year
//   counts when it overlaps the range (2024-11 is in 2024-11-01..2024-11-30). Dates
//   with month or year precision sort before the days within them; a date inferred from the
//   source's words ("today (7 November)" in a text comparing with 2023) carries its
//   confidence and basis. Undated events are listed only when `include_undated` is
//   true, at the end.
// params:
//   from: {type: date, default: "0001", example: "2025-01-01", description: "Earliest date, inclusive"}
//   to: {type: date, default: "9999", example: "2025-12-31", description: "Latest date, inclusive (a prefix such as 2025 includes all of 2025)"}
//   include_undated: {type: bool, default: false, example: true, description: "Also list events with no known date"}
// example: migkg query --name events_in_range --param from=2025-01-01 --param to=2025-12-31
MATCH (e:`Event`)
WHERE (e.date IS NOT NULL AND (e.date >= $from OR $from STARTS WITH e.date)
       AND (e.date <= $to OR e.date STARTS WITH $to))
   OR (e.date IS NULL AND $include_undated)
OPTIONAL MATCH (e)-[:`HELD_IN`]->(c:`Country`)
RETURN e.id AS event, e.name AS name, e.event_type AS event_type, e.date AS date,
       e.date_precision AS precision, e.date_confidence AS date_confidence,
       e.date_basis AS date_basis, e.date_text AS date_text, e.location AS location,
       c.id AS country, e.status AS status
ORDER BY coalesce(e.date, '9999-99-99'), event
