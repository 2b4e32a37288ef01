-- Every unresolved name near an event cue, per article as extracted: what unresolved_mentions counts.
-- Kept per article so a run that adds or removes articles recounts from the warehouse, not from every chunk.
CREATE TABLE IF NOT EXISTS unresolved_raw (
    article_id   VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    char_start   INTEGER NOT NULL,
    char_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    sentence     VARCHAR NOT NULL
);
