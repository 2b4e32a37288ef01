-- One row per source claim about an event's dead and injured (SOHR said 3, SANA said 2).
CREATE TABLE IF NOT EXISTS fact_casualty_claims (
    claim_id     VARCHAR NOT NULL,  -- unique: checked by the load (see sitrep/warehouse.py require_unique)
    event_id     VARCHAR NOT NULL,
    article_id   VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    source_id    VARCHAR,
    source_kind  VARCHAR NOT NULL,
    killed       INTEGER,
    injured      INTEGER,
    victim_group VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    char_start   INTEGER NOT NULL,
    char_end     INTEGER NOT NULL,
    evidence     VARCHAR NOT NULL,
    extractor    VARCHAR NOT NULL
);
