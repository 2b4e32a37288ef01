-- The part of the deduplication (materialized.event_mentions, events_deduplicated) an incremental refresh
-- recomputes, from fact_event_changes. An event's canonical event depends only on the events of its (type,
-- place) on its day and the day before, so a change on day d moves canonical events of days d and d + 1 only,
-- and computing those reads days d - 1 to d + 1.
CREATE OR REPLACE TEMP TABLE _changed_days AS
SELECT DISTINCT event_type, place_key, day
FROM fact_event_changes
WHERE day IS NOT NULL AND place_key IS NOT NULL;

-- The events whose mention row is replaced: those of days d and d + 1, and every changed event (gone ones too).
CREATE OR REPLACE TEMP TABLE _remapped AS
SELECT e.event_id
FROM fact_events e
JOIN (SELECT event_type, place_key, day + shift::INTEGER AS day FROM _changed_days, range(0, 2) r(shift)) c
  ON c.event_type = e.event_type AND c.place_key = coalesce(e.place_id, e.location) AND c.day = e.event_date
UNION
SELECT event_id FROM fact_event_changes;

-- The events that computation reads: days d - 1 to d + 1, and the changed events without a day or a place.
CREATE OR REPLACE TEMP TABLE _scoped_events AS
SELECT e.*
FROM fact_events e
SEMI JOIN (SELECT event_type, place_key, day + shift::INTEGER AS day FROM _changed_days, range(-1, 2) r(shift)) c
  ON c.event_type = e.event_type AND c.place_key = coalesce(e.place_id, e.location) AND c.day = e.event_date
UNION ALL
SELECT e.*
FROM fact_events e
SEMI JOIN fact_event_changes c USING (event_id)
WHERE e.event_date IS NULL OR coalesce(e.place_id, e.location) IS NULL;
