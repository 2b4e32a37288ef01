-- Events added, removed or changed by the facts loads since the views step last refreshed the materialized
-- tables, with what the deduplication groups them by (type, place key, day). The views step recomputes only
-- the rows these reach, then empties it; while it is absent (after a full facts rebuild, or before the first
-- refresh) the next refresh is full. Its comment names the version of sql/materialized it was started under.
CREATE TABLE IF NOT EXISTS fact_event_changes (
    event_id   VARCHAR NOT NULL,
    event_type VARCHAR,
    place_key  VARCHAR,
    day        DATE
);
