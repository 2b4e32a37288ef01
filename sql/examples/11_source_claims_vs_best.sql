-- Question: which reporting sources are quoted for death tolls, and how do their counts
--           compare with the reconciled best estimate?
-- How to read the answer: one row per named source (dim_source) with at least one
--   numeric claim. `claims` / `events` count its claims and the events they concern;
--   `adopted` how many of its claims equal the event's best estimate; `median_ratio` the
--   median of claim / best (1 = in line, above 1 = counts higher than the best estimate).
--   `reliability_rank` is the rank the reconciliation uses (1 = most trusted).
--   Unattributed counts (the outlet's own) are excluded.
SELECT
    s.name                                               AS source,
    s.kind,
    s.reliability_rank,
    count(*)                                             AS claims,
    count(DISTINCT c.event_id)                           AS events,
    count(*) FILTER (WHERE c.killed = e.fatalities_best) AS adopted,
    round(median(c.killed / e.fatalities_best) FILTER (WHERE e.fatalities_best > 0), 2) AS median_ratio
FROM fact_casualty_claims c
JOIN dim_source s ON s.source_id = c.source_id
JOIN fact_events e ON e.event_id = c.event_id
WHERE c.killed IS NOT NULL
GROUP BY ALL
ORDER BY claims DESC, source;
