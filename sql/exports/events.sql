-- What both exports read: fact_events with the article's outlet, each actor's ACLED inter code and the
-- interaction code, as the temporary view export_events of the exporting connection (after macros.sql).
CREATE OR REPLACE TEMP VIEW export_events AS
WITH inter AS (  -- one inter code per actor (an actor has one row per side period, same code)
    SELECT actor_id, min(inter_code) AS inter_code FROM dim_actor GROUP BY actor_id
)
SELECT e.*, a.outlet, i1.inter_code AS inter1, i2.inter_code AS inter2,
       acled_interaction(coalesce(i1.inter_code, 0), coalesce(i2.inter_code, 0)) AS interaction
FROM fact_events e
LEFT JOIN raw_articles a ON a.article_id = e.article_id
LEFT JOIN inter i1 ON i1.actor_id = e.actor1_id
LEFT JOIN inter i2 ON i2.actor_id = e.actor2_id;
