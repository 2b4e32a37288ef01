-- Bookkeeping of the streamed ingest: the input files of the last ingest in folder order, each with the key
-- of everything its parse depends on (NULL: not cacheable, read every time) and what it gave. Files whose
-- key and position are unchanged keep their rows, so an ingest reads only the files from the first change on.
CREATE TABLE IF NOT EXISTS ingest_files (
    position    INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    file_key    VARCHAR,
    inputs      BIGINT NOT NULL,
    ingested    BIGINT NOT NULL,
    quarantined BIGINT NOT NULL
);
