-- Bookkeeping of incremental extraction: per current article, the key its facts were extracted
-- under (content hash, publication date, outlet, reference data version, extraction code version)
-- and the Parquet chunk that holds its rows. A run re-extracts only articles whose key changed.
CREATE TABLE IF NOT EXISTS extraction_log (
    article_id        VARCHAR NOT NULL,
    source_file       VARCHAR NOT NULL,
    published_date    DATE,
    content_hash      VARCHAR NOT NULL,
    extraction_key    VARCHAR NOT NULL,
    reference_version VARCHAR NOT NULL,
    code_version      VARCHAR NOT NULL,
    chunk             VARCHAR NOT NULL
);
