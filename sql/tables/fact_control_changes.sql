-- Territory changing hands: from which side to which, fully or partly, and when.
CREATE TABLE IF NOT EXISTS fact_control_changes (
    change_id      VARCHAR NOT NULL,  -- unique: checked by the load (see sitrep/warehouse.py require_unique)
    event_id       VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    location       VARCHAR NOT NULL,
    place_id       VARCHAR,
    admin1         VARCHAR,
    from_actor     VARCHAR,
    from_side      VARCHAR,
    to_actor       VARCHAR,
    to_side        VARCHAR,
    extent         VARCHAR NOT NULL,
    change_date    DATE,
    time_precision INTEGER,
    sentence_idx   INTEGER NOT NULL,
    char_start     INTEGER NOT NULL,
    char_end       INTEGER NOT NULL,
    extractor      VARCHAR NOT NULL
);
