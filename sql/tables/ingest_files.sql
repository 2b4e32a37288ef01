-- Bookkeeping of the streamed ingest: the input files of the last ingest in folder order, each with the key
-- of everything its parse depends on but the day (NULL: not cacheable, read every time), the days
-- [valid_from, valid_until) on which that parse is the same (NULL: unbounded; a file's dates decide it, as
-- a date after today is set aside) and what it gave. Files whose key and position are unchanged, ingested on
-- a day in their range, keep their rows, so an ingest reads only the files from the first change on.
CREATE TABLE IF NOT EXISTS ingest_files (
    position    INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    file_key    VARCHAR,
    valid_from  DATE,
    valid_until DATE,
    inputs      BIGINT NOT NULL,
    ingested    BIGINT NOT NULL,
    quarantined BIGINT NOT NULL
);
