-- Question: on which days and places do the Syrian Observatory for Human Rights (SOHR)
--           and the state news agency SANA disagree on the number killed by more than 50%?
-- How to read the answer: events are extracted per article, so one incident reported by
--   SOHR (usually quoted by another outlet) and by SANA appears as separate events; they
--   are matched here on the same event date and the same resolved place. A SANA claim is
--   one that names SANA, or any unattributed count in an article published by SANA.
--   `sohr_killed` / `sana_killed` are each source's highest count for that place and day
--   (the headline figure); `ratio` is the higher over the lower. Disagreement means the
--   counts differ by more than half of the lower one. Large cities (Aleppo) can host
--   several incidents a day, so check `sohr_events` / `sana_events` before concluding.
WITH claims AS (
    SELECT
        e.event_date,
        e.location,
        e.admin1,
        e.event_id,
        CASE
            WHEN c.source_id = 'sohr' THEN 'SOHR'
            WHEN c.source_id = 'sana' OR (c.source_kind = 'outlet' AND lower(c.source) = 'sana') THEN 'SANA'
        END AS claimant,
        c.killed
    FROM fact_casualty_claims c
    JOIN fact_events e USING (event_id)
    WHERE c.killed IS NOT NULL AND e.event_date IS NOT NULL AND e.location IS NOT NULL
),
per_source AS (
    SELECT event_date, location, admin1, claimant,
           max(killed) AS killed, count(DISTINCT event_id) AS events
    FROM claims
    WHERE claimant IS NOT NULL
    GROUP BY ALL
)
SELECT
    s.event_date,
    s.location,
    s.admin1,
    s.killed                                                   AS sohr_killed,
    n.killed                                                   AS sana_killed,
    round(greatest(s.killed, n.killed) / greatest(least(s.killed, n.killed), 1), 1) AS ratio,
    s.events                                                   AS sohr_events,
    n.events                                                   AS sana_events
FROM per_source s
JOIN per_source n
  ON s.event_date = n.event_date AND s.location = n.location
 AND s.claimant = 'SOHR' AND n.claimant = 'SANA'
WHERE abs(s.killed - n.killed) > 0.5 * least(s.killed, n.killed)
ORDER BY ratio DESC, s.event_date;
