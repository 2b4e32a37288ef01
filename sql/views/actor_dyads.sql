-- Who fights whom: events and fatalities per pair of actors, with their sides.
-- Computed by the pipeline's views step (sql/materialized/actor_dyads.sql) and stored sorted: DuckDB scans a
-- table in insertion order (preserve_insertion_order, on by default), so no ORDER BY is needed here.
CREATE OR REPLACE VIEW actor_dyads AS
SELECT * FROM materialized.actor_dyads;
