-- Who held each place, and from when to when: control changes and standing-control
-- observations in date order; each row holds until the next row for the same place.
-- Read through the view control_timeline; stored in its ORDER BY order, which a plain scan keeps.
CREATE OR REPLACE TABLE materialized.control_timeline AS
WITH points AS (
    SELECT location, admin1, change_date AS observed_date, to_side AS side, extent,
           'change' AS kind, event_id, article_id, sentence_idx
    FROM fact_control_changes
    WHERE change_date IS NOT NULL AND to_side IS NOT NULL
    UNION ALL
    SELECT location, admin1, observed_date, side, NULL AS extent,
           'observation' AS kind, NULL AS event_id, article_id, sentence_idx
    FROM fact_control_observations
    WHERE observed_date IS NOT NULL
)
SELECT
    location,
    admin1,
    side,
    extent,
    kind,
    observed_date AS valid_from,
    lead(observed_date) OVER (PARTITION BY location ORDER BY observed_date, kind, article_id, sentence_idx) AS valid_to,
    event_id,
    article_id,
    sentence_idx
FROM points
ORDER BY location, valid_from, kind;
