-- One row per real-world event reported by one or more articles: the canonical event's fields, how many
-- articles and mentions report it, and the range of all casualty claims made about it by every source.
-- Read through the view events_deduplicated; the clusters come from materialized.event_mentions.
CREATE OR REPLACE TABLE materialized.events_deduplicated AS
WITH claims AS (
    SELECT m.canonical_event_id, min(c.killed) AS low, max(c.killed) AS high
    FROM materialized.event_mentions m JOIN fact_casualty_claims c USING (event_id)
    WHERE c.killed IS NOT NULL
    GROUP BY ALL
),
clusters AS (
    SELECT m.canonical_event_id,
           count(*)                     AS mentions,
           len(list_distinct(list(e.article_id))) AS articles,  -- count(DISTINCT), string_agg(DISTINCT): 2x slower
           max(e.fatalities_best)       AS fatalities_best_max,
           CASE WHEN count(e.sources) > 0  -- the distinct sources in order, so reruns give equal tables
                THEN array_to_string(list_sort(list_distinct(list(e.sources))), '; ') END AS sources
    FROM materialized.event_mentions m JOIN fact_events e USING (event_id)
    GROUP BY ALL
)
SELECT e.event_id, e.event_date, e.time_precision, e.event_type, e.sub_event_type,
       e.actor1, e.actor1_side, e.actor2, e.actor2_side, e.is_infighting, e.violence_type,
       e.location, e.admin1, e.admin2, e.latitude, e.longitude, e.geo_precision,
       coalesce(claims.low, 0)  AS fatalities_low,
       least(greatest(c.fatalities_best_max, coalesce(claims.low, 0)), coalesce(claims.high, 0)) AS fatalities_best,
       coalesce(claims.high, 0) AS fatalities_high,
       c.mentions, c.articles, c.sources
FROM clusters c
JOIN fact_events e ON e.event_id = c.canonical_event_id
LEFT JOIN claims ON claims.canonical_event_id = c.canonical_event_id;
