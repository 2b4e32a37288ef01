-- One row per real-world event reported by one or more articles: the canonical event's fields, how many
-- articles and mentions report it, and the range of all casualty claims made about it by every source.
-- Read through the view events_deduplicated; the clusters come from materialized.event_mentions.
-- Categorical text columns are ENUMs of the values fact_events holds, sorted, so they compare, sort and group
-- as the text they hold; a full read copies 1 to 4 bytes a value instead of a string (2.4 million rows at
-- 10 million events: copying the strings was most of the read). The event id and sources stay text, stored
-- uncompressed (no FSST or dictionary to decode when read).
DROP TABLE IF EXISTS materialized.events_deduplicated;
CREATE OR REPLACE TYPE "materialized".event_type_enum AS ENUM (
    SELECT DISTINCT event_type FROM fact_events WHERE event_type IS NOT NULL ORDER BY ALL);
CREATE OR REPLACE TYPE "materialized".sub_event_type_enum AS ENUM (
    SELECT DISTINCT sub_event_type FROM fact_events WHERE sub_event_type IS NOT NULL ORDER BY ALL);
CREATE OR REPLACE TYPE "materialized".actor_enum AS ENUM (
    SELECT actor1 FROM fact_events WHERE actor1 IS NOT NULL
    UNION SELECT actor2 FROM fact_events WHERE actor2 IS NOT NULL ORDER BY ALL);
CREATE OR REPLACE TYPE "materialized".side_enum AS ENUM (
    SELECT actor1_side FROM fact_events WHERE actor1_side IS NOT NULL
    UNION SELECT actor2_side FROM fact_events WHERE actor2_side IS NOT NULL ORDER BY ALL);
CREATE OR REPLACE TYPE "materialized".violence_type_enum AS ENUM (
    SELECT DISTINCT violence_type FROM fact_events WHERE violence_type IS NOT NULL ORDER BY ALL);
CREATE OR REPLACE TYPE "materialized".location_enum AS ENUM (
    SELECT DISTINCT location FROM fact_events WHERE location IS NOT NULL ORDER BY ALL);
CREATE OR REPLACE TYPE "materialized".admin1_enum AS ENUM (
    SELECT DISTINCT admin1 FROM fact_events WHERE admin1 IS NOT NULL ORDER BY ALL);
CREATE OR REPLACE TYPE "materialized".admin2_enum AS ENUM (
    SELECT DISTINCT admin2 FROM fact_events WHERE admin2 IS NOT NULL ORDER BY ALL);
CREATE OR REPLACE TABLE materialized.events_deduplicated (
    event_id        VARCHAR USING COMPRESSION uncompressed,
    event_date      DATE,
    time_precision  INTEGER,
    event_type      "materialized".event_type_enum,
    sub_event_type  "materialized".sub_event_type_enum,
    actor1          "materialized".actor_enum,
    actor1_side     "materialized".side_enum,
    actor2          "materialized".actor_enum,
    actor2_side     "materialized".side_enum,
    is_infighting   BOOLEAN,
    violence_type   "materialized".violence_type_enum,
    location        "materialized".location_enum,
    admin1          "materialized".admin1_enum,
    admin2          "materialized".admin2_enum,
    latitude        DOUBLE,
    longitude       DOUBLE,
    geo_precision   INTEGER,
    fatalities_low  INTEGER,
    fatalities_best INTEGER,
    fatalities_high INTEGER,
    mentions        BIGINT,
    articles        BIGINT,
    sources         VARCHAR USING COMPRESSION uncompressed
);
INSERT INTO materialized.events_deduplicated
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
