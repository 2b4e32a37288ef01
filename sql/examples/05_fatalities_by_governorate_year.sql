-- Question: how many people were reported killed in each governorate per year, and how
--           wide is the uncertainty?
-- How to read the answer: sums over events of the low / best / high fatality estimates
--   (UCDP-style ranges: low = sum of each event's lowest claim, high = of its highest).
--   `civilian_fatalities_best` counts deaths in events that targeted civilians.
--   `high_over_low` near 1 means the sources agree; large values mean contested tolls.
--   These are counts in the news corpus, not a census of the dead.
SELECT
    year(month)                              AS year,
    admin1,
    sum(events)                              AS events,
    sum(fatalities_low)                      AS fatalities_low,
    sum(fatalities_best)                     AS fatalities_best,
    sum(fatalities_high)                     AS fatalities_high,
    sum(civilian_fatalities_best)            AS civilian_fatalities_best,
    round(sum(fatalities_high) / greatest(sum(fatalities_low), 1), 1) AS high_over_low
FROM casualties_monthly_by_admin1
GROUP BY ALL
HAVING sum(fatalities_best) > 0
ORDER BY year, fatalities_best DESC, admin1;
