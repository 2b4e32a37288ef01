-- Question: in which governorates were the reported dead mostly in attacks that
--           targeted civilians?
-- How to read the answer: `fatalities_best` is all deaths in events located in the
--   governorate; `civilian_targeting_fatalities` only those in events coded as targeting
--   civilians (ACLED's civilian_targeting); `civilian_share` is their ratio (0-1).
--   'unknown' collects events whose place was not resolved to a governorate.
SELECT
    coalesce(admin1, 'unknown')                                          AS admin1,
    count(*)                                                             AS events,
    count(*) FILTER (WHERE civilian_targeting)                           AS civilian_targeting_events,
    sum(fatalities_best)                                                 AS fatalities_best,
    sum(fatalities_best) FILTER (WHERE civilian_targeting)               AS civilian_targeting_fatalities,
    round(coalesce(sum(fatalities_best) FILTER (WHERE civilian_targeting), 0)
          / greatest(sum(fatalities_best), 1), 2)                        AS civilian_share
FROM fact_events
GROUP BY ALL
HAVING sum(fatalities_best) > 0
ORDER BY fatalities_best DESC, admin1;
