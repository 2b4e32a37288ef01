-- Reporting bodies (monitors, agencies, outlets): who said it, never who did it.
CREATE TABLE IF NOT EXISTS dim_source (
    source_id        VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    reliability_rank INTEGER NOT NULL,
    aliases          VARCHAR[]
);
