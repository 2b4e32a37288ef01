-- A place the gazetteer lacks, named without a governorate, takes the governorate other articles give the
-- same name ("Tir Maallah in northern Homs"): the majority among events of that place key that have one (ties:
-- the first governorate by name), placed at its centroid (geo_precision 3). Without such a vote it keeps what
-- extraction gave it. Only the keys in _affected_keys are recomputed (every key on a full load; on an
-- incremental one, the keys of added and removed events); the rows whose values change are kept in _inferred
-- (for the views step to recompute theirs) and only they are written.
CREATE OR REPLACE TEMP TABLE _inferred AS
SELECT n.*
FROM (
    SELECT u.event_id,
           p.admin1,
           CASE WHEN p.admin1 IS NULL THEN u.latitude ELSE p.latitude END        AS latitude,
           CASE WHEN p.admin1 IS NULL THEN u.longitude ELSE p.longitude END      AS longitude,
           CASE WHEN p.admin1 IS NULL THEN u.geo_precision ELSE 3 END            AS geo_precision
    FROM unresolved_event_places u
    SEMI JOIN _affected_keys k ON k.place_key = u.place_key
    LEFT JOIN (
        SELECT place_key, admin1 FROM (
            SELECT place_key, admin1,
                   row_number() OVER (PARTITION BY place_key ORDER BY count(*) DESC, admin1) AS rank
            FROM unresolved_event_places
            SEMI JOIN _affected_keys USING (place_key)
            WHERE admin1 IS NOT NULL
            GROUP BY place_key, admin1)
        WHERE rank = 1
    ) v ON v.place_key = u.place_key
    LEFT JOIN _admin1_points p ON p.admin1 = v.admin1
    WHERE u.admin1 IS NULL
) n
JOIN fact_events e ON e.event_id = n.event_id
WHERE e.admin1 IS DISTINCT FROM n.admin1 OR e.latitude IS DISTINCT FROM n.latitude
   OR e.longitude IS DISTINCT FROM n.longitude OR e.geo_precision IS DISTINCT FROM n.geo_precision;

UPDATE fact_events AS e
SET admin1 = n.admin1, latitude = n.latitude, longitude = n.longitude, geo_precision = n.geo_precision
FROM _inferred n
WHERE e.event_id = n.event_id;
