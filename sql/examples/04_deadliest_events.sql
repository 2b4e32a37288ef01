-- Question: what were the ten deadliest events, how sure are we of the toll, and where
--           does each come from?
-- How to read the answer: `fatalities_best` is the reconciled estimate (the most reliable
--   monitor's claim, else the median of the claims); `fatalities_low` / `fatalities_high`
--   are the lowest and highest claims, so a wide range means the sources disagree.
--   `claims` is how many source claims were reconciled, `sources` who made them. `notes`
--   is the evidence sentence; `article_id` + `sentence_idx` locate it in raw_articles.
WITH claim_counts AS (
    SELECT event_id, count(*) AS claims
    FROM fact_casualty_claims
    GROUP BY event_id
)
SELECT
    e.event_date,
    e.event_type,
    e.sub_event_type,
    e.location,
    e.admin1,
    e.actor1,
    e.actor2,
    e.fatalities_low,
    e.fatalities_best,
    e.fatalities_high,
    coalesce(k.claims, 0)   AS claims,
    e.sources,
    a.outlet,
    e.article_id,
    e.sentence_idx,
    e.notes
FROM fact_events e
LEFT JOIN claim_counts k USING (event_id)
LEFT JOIN raw_articles a ON a.article_id = e.article_id
WHERE e.fatalities_best > 0
ORDER BY e.fatalities_best DESC, e.event_date, e.event_id
LIMIT 10;
