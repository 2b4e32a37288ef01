-- The actor registry, one row per actor and side period (sides change over time).
CREATE TABLE IF NOT EXISTS dim_actor (
    actor_id        VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    actor_type      VARCHAR NOT NULL,
    inter_code      INTEGER NOT NULL,
    generic         BOOLEAN NOT NULL,
    side            VARCHAR NOT NULL,
    bloc            VARCHAR,
    side_valid_from DATE,
    side_valid_to   DATE,
    valid_from      DATE,
    valid_to        DATE,
    successor       VARCHAR,
    aliases         VARCHAR[],
    registry_version VARCHAR NOT NULL
);
