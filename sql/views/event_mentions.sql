-- Links every extracted event (one article's report) to the canonical event it reports:
-- the earliest event of the same type at the same place within a day either side,
-- with compatible actors (same actor1 side, or one of them unknown).
CREATE OR REPLACE VIEW event_mentions AS
WITH candidates AS (
    SELECT e.event_id, c.event_id AS candidate_id, c.event_date AS candidate_date
    FROM fact_events e
    CROSS JOIN (VALUES (-1), (0), (1)) AS shift(days)
    JOIN fact_events c  -- an equi-join on (type, place, day): linear, where a date range would be quadratic
      ON e.event_type = c.event_type
     AND coalesce(e.place_id, e.location) = coalesce(c.place_id, c.location)
     AND c.event_date = e.event_date + shift.days::INTEGER
     AND (e.actor1_side = c.actor1_side
          OR coalesce(e.actor1_side, 'unknown') = 'unknown'
          OR coalesce(c.actor1_side, 'unknown') = 'unknown')
    WHERE e.event_date IS NOT NULL AND coalesce(e.place_id, e.location) IS NOT NULL
)
SELECT event_id, arg_min(candidate_id, (candidate_date, candidate_id)) AS canonical_event_id
FROM candidates
GROUP BY event_id
UNION ALL
SELECT event_id, event_id
FROM fact_events
WHERE event_date IS NULL OR coalesce(place_id, location) IS NULL;
