-- The gazetteer: one row per place, with its governorate and point.
CREATE TABLE IF NOT EXISTS dim_location (
    place_id   VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    feature    VARCHAR NOT NULL,
    admin1     VARCHAR,
    admin2     VARCHAR,
    latitude   DOUBLE,
    longitude  DOUBLE,
    population BIGINT,
    aliases    VARCHAR[]
);
