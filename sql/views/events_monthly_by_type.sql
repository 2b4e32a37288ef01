-- Events per month by ACLED event type.
-- Computed by the pipeline's views step (sql/materialized/events_monthly_by_type.sql) and stored sorted: DuckDB scans a
-- table in insertion order (preserve_insertion_order, on by default), so no ORDER BY is needed here.
CREATE OR REPLACE VIEW events_monthly_by_type AS
SELECT * FROM materialized.events_monthly_by_type;
