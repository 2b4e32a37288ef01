-- Who held each place, and from when to when: control changes and standing-control
-- observations in date order; each row holds until the next row for the same place.
-- Computed by the pipeline's views step (sql/materialized/control_timeline.sql) and stored sorted: DuckDB scans a
-- table in insertion order (preserve_insertion_order, on by default), so no ORDER BY is needed here.
CREATE OR REPLACE VIEW control_timeline AS
SELECT * FROM materialized.control_timeline;
