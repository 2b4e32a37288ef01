-- Question: which side gained and which lost territory each year?
-- How to read the answer: from fact_control_changes, `gains` counts places a side took
--   (it is the to_side), `losses` places it lost (it is the from_side), `net` = gains -
--   losses. A change whose loser the article did not name counts as a gain only.
--   `partial` counts gains of only part of a place (a neighbourhood, some positions).
--   These are counts of reported changes, not areas.
WITH moves AS (
    SELECT year(change_date) AS year, to_side AS side, 1 AS gain, 0 AS loss,
           CASE WHEN extent = 'partial' THEN 1 ELSE 0 END AS partial
    FROM fact_control_changes
    WHERE change_date IS NOT NULL AND to_side IS NOT NULL AND to_side IS DISTINCT FROM from_side
    UNION ALL
    SELECT year(change_date), from_side, 0, 1, 0
    FROM fact_control_changes
    WHERE change_date IS NOT NULL AND from_side IS NOT NULL AND to_side IS DISTINCT FROM from_side
)
SELECT
    year,
    side,
    sum(gain)               AS gains,
    sum(loss)               AS losses,
    sum(gain) - sum(loss)   AS net,
    sum(partial)            AS partial
FROM moves
GROUP BY ALL
ORDER BY year, net DESC, side;
