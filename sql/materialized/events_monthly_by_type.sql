-- Events per month by ACLED event type.
-- Read through the view events_monthly_by_type; stored in its ORDER BY order, which a plain scan keeps.
CREATE OR REPLACE TABLE materialized.events_monthly_by_type AS
SELECT
    date_trunc('month', event_date)::DATE AS month,
    event_type,
    count(*)             AS events,
    sum(fatalities_best) AS fatalities_best
FROM fact_events
WHERE event_date IS NOT NULL
GROUP BY ALL
ORDER BY month, event_type;
