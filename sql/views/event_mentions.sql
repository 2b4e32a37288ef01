-- Links every extracted event (one article's report) to the canonical event it reports: the earliest event
-- of the same type at the same place within a day either side, with compatible actors (same actor1 side, or
-- one of them unknown). Computed by the pipeline's views step: sql/materialized/event_mentions.sql.
CREATE OR REPLACE VIEW event_mentions AS
SELECT * FROM materialized.event_mentions;
