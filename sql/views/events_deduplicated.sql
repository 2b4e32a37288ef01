-- One row per real-world event reported by one or more articles: the canonical event's fields, how many
-- articles and mentions report it, and the range of all casualty claims made about it by every source.
-- Computed by the pipeline's views step: sql/materialized/events_deduplicated.sql.
CREATE OR REPLACE VIEW events_deduplicated AS
SELECT * FROM materialized.events_deduplicated;
