-- Every actor, source and place mention found in an article, with its span.
CREATE TABLE IF NOT EXISTS entity_mentions (
    mention_id  VARCHAR NOT NULL,
    article_id  VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    char_start  INTEGER NOT NULL,
    char_end    INTEGER NOT NULL,
    surface     VARCHAR NOT NULL,
    entity_type VARCHAR NOT NULL,
    resolved_id VARCHAR
);
