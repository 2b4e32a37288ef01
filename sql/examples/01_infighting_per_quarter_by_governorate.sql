-- Question: how many rebel infighting incidents were there per quarter in each
--           governorate, and how many deaths did they cause?
-- How to read the answer: one row per quarter and governorate that had at least one
--   incident (both actors on the rebels side at the event date, e.g. ISIS vs FSA
--   brigades). `incidents` counts events, `articles` the distinct articles they came
--   from, `fatalities_best` sums the reconciled best estimates. Quarters with no
--   infighting are absent, not zero. admin1 = 'unknown' means the place was not resolved.
SELECT
    date_trunc('quarter', month)::DATE           AS quarter_start,
    year(month) || '-Q' || quarter(month)        AS quarter,
    admin1,
    sum(incidents)                               AS incidents,
    sum(fatalities_best)                         AS fatalities_best,
    sum(articles)                                AS articles
FROM infighting_incidents_monthly
GROUP BY ALL
ORDER BY quarter_start, incidents DESC, admin1;
