-- Rebel infighting incidents per month and governorate: both actors on the rebels
-- side at the event date (time-valid sides from the actor registry).
CREATE OR REPLACE VIEW infighting_incidents_monthly AS
SELECT
    date_trunc('month', event_date)::DATE AS month,
    coalesce(admin1, 'unknown')           AS admin1,
    count(*)                              AS incidents,
    sum(fatalities_best)                  AS fatalities_best,
    count(DISTINCT article_id)            AS articles
FROM fact_events
WHERE is_infighting AND event_date IS NOT NULL
GROUP BY ALL
ORDER BY month, admin1;
