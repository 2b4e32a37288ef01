-- What the last ingest saw: every input is either ingested or quarantined.
CREATE TABLE IF NOT EXISTS ingest_summary (
    articles_dir VARCHAR NOT NULL,
    inputs_seen  BIGINT NOT NULL,
    ingested     BIGINT NOT NULL,
    quarantined  BIGINT NOT NULL
);
