-- Every event in ACLED's export columns and order, oldest first (sorted before the rows are built: less to hold
-- in memory; SELECT keeps the order, DuckDB's order preservation). Blank fields are NULL, which COPY writes as
-- empty fields (an empty string it would quote). Parameters: $prefix (event_id_cnty = prefix + event_id),
-- $iso, $region, $country, $disorder_event_types / $disorder_types (ACLED's disorder type of each event
-- type), $timestamp. `source` is the outlet, then the sources the article quoted, each once (case folded).
SELECT
    $prefix || event_id                                       AS event_id_cnty,
    event_date,
    year(event_date)                                          AS year,
    time_precision,
    map($disorder_event_types, $disorder_types)[event_type]   AS disorder_type,
    nullif(event_type, '')                                    AS event_type,
    nullif(sub_event_type, '')                                AS sub_event_type,
    nullif(actor1, '')                                        AS actor1,
    nullif(assoc_actor_1, '')                                 AS assoc_actor_1,
    coalesce(inter1, 0)                                       AS inter1,
    nullif(actor2, '')                                        AS actor2,
    nullif(assoc_actor_2, '')                                 AS assoc_actor_2,
    coalesce(inter2, 0)                                       AS inter2,
    interaction,
    CASE WHEN civilian_targeting THEN 'Civilian targeting' END AS civilian_targeting,
    $iso                                                      AS iso,
    $region                                                   AS region,
    $country                                                  AS country,
    nullif(admin1, '')                                        AS admin1,
    nullif(admin2, '')                                        AS admin2,
    NULL                                                      AS admin3,
    nullif(location, '')                                      AS location,
    printf('%.4f', latitude)                                  AS latitude,
    printf('%.4f', longitude)                                 AS longitude,
    geo_precision,
    nullif(array_to_string(list_filter(parts, lambda part, i: part <> '' AND NOT list_contains(
        list_transform(parts[:i - 1], lambda earlier: lower(earlier)), lower(part))), '; '), '') AS source,
    NULL                                                      AS source_scale,  -- not derivable from the corpus
    nullif(squash_space(notes), '')                           AS notes,
    coalesce(fatalities_best, 0)                              AS fatalities,
    NULL                                                      AS tags,
    $timestamp                                                AS "timestamp"
FROM (
    SELECT *, list_transform([coalesce(outlet, '')] || string_split(coalesce(sources, ''), ';'),
                             lambda part: strip_space(part)) AS parts
    FROM (SELECT * FROM export_events ORDER BY event_date NULLS LAST, event_id)
)
