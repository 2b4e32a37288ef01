-- Question: who controlled Hejeira (Rural Damascus) on 2013-12-01?
-- How to read the answer: the last control statement about the place dated on or
--   before the day asked: a control change ('change': the place changed hands, fully
--   or partly) or a standing-control observation ('observation': "government-held X").
--   `valid_from` is when that statement took effect, `valid_to` the date of the next
--   statement (NULL: nothing later is known). The place name is matched against the
--   gazetteer's aliases, so Hajira / Hujayrah / Hejeira all work. Change `params` to
--   ask about another place or day. extent = 'partial' means only part of it changed hands.
WITH params AS (
    SELECT 'Hejeira' AS place, DATE '2013-12-01' AS as_of
),
place AS (
    SELECT DISTINCT l.name
    FROM dim_location l, params p
    WHERE lower(l.name) = lower(p.place)
       OR list_contains(list_transform(l.aliases, a -> lower(a)), lower(p.place))
)
SELECT
    t.location,
    t.admin1,
    p.as_of,
    t.side         AS controlled_by,
    t.extent,
    t.kind,
    t.valid_from,
    t.valid_to,
    a.title        AS evidence_article,
    a.outlet
FROM control_timeline t
JOIN place ON t.location = place.name
CROSS JOIN params p
LEFT JOIN raw_articles a USING (article_id)
WHERE t.valid_from <= p.as_of
  AND (t.valid_to IS NULL OR t.valid_to > p.as_of)
ORDER BY t.valid_from DESC
LIMIT 1;
