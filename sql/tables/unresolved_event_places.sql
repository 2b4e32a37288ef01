-- Events whose place the gazetteer lacks, with the governorate and point extraction gave them (before any
-- was inferred from other articles) and the key that groups spellings of one name. fact_events holds the
-- inferred values; this table lets a run that adds or removes articles re-infer only the names they touch.
CREATE TABLE IF NOT EXISTS unresolved_event_places (
    event_id      VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    place_key     VARCHAR NOT NULL,
    admin1        VARCHAR,
    latitude      DOUBLE,
    longitude     DOUBLE,
    geo_precision INTEGER
);
