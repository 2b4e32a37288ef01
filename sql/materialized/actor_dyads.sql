-- Who fights whom: events and fatalities per pair of actors, with their sides.
-- Read through the view actor_dyads; stored in its ORDER BY order, which a plain scan keeps.
CREATE OR REPLACE TABLE materialized.actor_dyads AS
SELECT
    actor1,
    actor1_side,
    actor2,
    actor2_side,
    bool_or(is_infighting)     AS is_infighting,
    count(*)                   AS events,
    sum(fatalities_best)       AS fatalities_best,
    min(event_date)            AS first_event,
    max(event_date)            AS last_event
FROM fact_events
WHERE actor1 IS NOT NULL AND actor2 IS NOT NULL
GROUP BY ALL
ORDER BY events DESC, actor1, actor2;
