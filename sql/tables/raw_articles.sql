-- One row per ingested article. article_id is a hash of the normalized body,
-- so the same text always gets the same id.
CREATE TABLE IF NOT EXISTS raw_articles (
    article_id      VARCHAR NOT NULL,  -- unique: checked by the load (see sitrep/warehouse.py require_unique)
    external_id     VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,
    row_ref         VARCHAR NOT NULL,
    outlet          VARCHAR,
    title           VARCHAR,
    published_date  DATE,
    date_source     VARCHAR,
    date_note       VARCHAR,
    url             VARCHAR,
    body            VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL
);
