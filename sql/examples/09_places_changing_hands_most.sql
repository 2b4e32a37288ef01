-- Question: which places changed hands most often, and in what sequence?
-- How to read the answer: one row per place with at least two reported control changes.
--   `changes` counts them, `sides_seen` how many different sides took it, and
--   `sequence` lists them in date order as loser>winner ('?' = loser not named).
--   Restatements of one capture in different articles each count, so a capture reported
--   three times shows as three identical steps.
SELECT
    location,
    admin1,
    count(*)                                   AS changes,
    count(DISTINCT to_side)                    AS sides_seen,
    min(change_date)                           AS first_change,
    max(change_date)                           AS last_change,
    string_agg(coalesce(from_side, '?') || '>' || coalesce(to_side, '?'), ', '
               ORDER BY change_date, change_id) AS sequence
FROM fact_control_changes
WHERE change_date IS NOT NULL
GROUP BY ALL
HAVING count(*) >= 2
ORDER BY changes DESC, location;
