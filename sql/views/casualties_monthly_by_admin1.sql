-- Fatalities per month and governorate with UCDP-style low / best / high ranges.
-- Computed by the pipeline's views step (sql/materialized/casualties_monthly_by_admin1.sql) and stored sorted: DuckDB scans a
-- table in insertion order (preserve_insertion_order, on by default), so no ORDER BY is needed here.
CREATE OR REPLACE VIEW casualties_monthly_by_admin1 AS
SELECT * FROM materialized.casualties_monthly_by_admin1;
