-- Fatalities per month and governorate with UCDP-style low / best / high ranges.
-- Read through the view casualties_monthly_by_admin1; stored in its ORDER BY order, which a plain scan keeps.
CREATE OR REPLACE TABLE materialized.casualties_monthly_by_admin1 AS
SELECT
    date_trunc('month', event_date)::DATE AS month,
    coalesce(admin1, 'unknown')           AS admin1,
    count(*)                              AS events,
    sum(fatalities_low)                   AS fatalities_low,
    sum(fatalities_best)                  AS fatalities_best,
    sum(fatalities_high)                  AS fatalities_high,
    sum(coalesce(injured_best, 0))        AS injured_best,
    sum(CASE WHEN civilian_targeting THEN fatalities_best ELSE 0 END) AS civilian_fatalities_best
FROM fact_events
WHERE event_date IS NOT NULL
GROUP BY ALL
ORDER BY month, admin1;
