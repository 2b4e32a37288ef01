-- Question: who carried out the reported air and drone strikes each year, and with how
--           many deaths?
-- How to read the answer: one row per year and actor1 of events coded
--   'Air/drone strike'. actor1 is the attacker when the article names one;
--   'Unidentified Armed Group (Syria)' means the article did not say whose aircraft it
--   was. `share_of_year` is the actor's share of that year's strikes.
SELECT
    year(event_date)                           AS year,
    coalesce(actor1, '(no actor named)')       AS actor1,
    actor1_side,
    count(*)                                   AS strikes,
    sum(fatalities_best)                       AS fatalities_best,
    round(count(*) / sum(count(*)) OVER (PARTITION BY year(event_date)), 2) AS share_of_year
FROM fact_events
WHERE sub_event_type = 'Air/drone strike' AND event_date IS NOT NULL
GROUP BY year(event_date), actor1, actor1_side
ORDER BY year, strikes DESC, actor1;
