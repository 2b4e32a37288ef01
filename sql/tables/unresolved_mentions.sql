-- Names near event cues that neither the actor registry nor the gazetteer knows,
-- grouped so an analyst can extend the reference data.
CREATE TABLE IF NOT EXISTS unresolved_mentions (
    surface          VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    mentions         BIGINT NOT NULL,
    articles         BIGINT NOT NULL,
    example_article_id VARCHAR NOT NULL,
    example_sentence VARCHAR NOT NULL
);
