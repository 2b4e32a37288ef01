-- Statements of standing control ("government-held Bab Touma"): no event, but a point on the timeline.
CREATE TABLE IF NOT EXISTS fact_control_observations (
    observation_id VARCHAR NOT NULL,  -- unique: checked by the load (see sitrep/warehouse.py require_unique)
    article_id     VARCHAR NOT NULL,
    location       VARCHAR NOT NULL,
    place_id       VARCHAR,
    admin1         VARCHAR,
    side           VARCHAR NOT NULL,
    observed_date  DATE,
    sentence_idx   INTEGER NOT NULL,
    char_start     INTEGER NOT NULL,
    char_end       INTEGER NOT NULL,
    evidence       VARCHAR NOT NULL,
    extractor      VARCHAR NOT NULL
);
