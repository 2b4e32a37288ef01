-- An ACLED export read back ($path, after macros.sql): its rows, how many repeat an event_id_cnty, and for each
-- check the first line that fails it (NULL: none does). Parameters: $path, $columns (ACLED's columns, all
-- VARCHAR: a row with more or fewer fields is an error), $disorder_event_types / $disorder_types (ACLED's
-- taxonomy). An empty field and "" are both blank.
WITH rows AS (
    SELECT row_number() OVER () + 1 AS line,  -- line 1 is the header; the free-text columns are not checked
           coalesce(COLUMNS(['event_id_cnty', 'event_date', 'year', 'time_precision', 'disorder_type', 'event_type',
                             'inter1', 'inter2', 'interaction', 'iso', 'latitude', 'longitude', 'geo_precision',
                             'fatalities', 'timestamp']), '')
    FROM read_csv($path, header = true, columns = $columns, auto_detect = false, delim = ',', quote = '"',
                  escape = '"', strict_mode = true, null_padding = false)
)
SELECT
    count(*) AS rows,
    count(*) - count(DISTINCT event_id_cnty) AS repeated_ids,
    min(line) FILTER (WHERE NOT (regexp_full_match("year", '(-?[0-9]+)?')
                                 AND regexp_full_match(time_precision, '(-?[0-9]+)?')
                                 AND regexp_full_match(inter1, '(-?[0-9]+)?')
                                 AND regexp_full_match(inter2, '(-?[0-9]+)?')
                                 AND regexp_full_match(interaction, '(-?[0-9]+)?')
                                 AND regexp_full_match(iso, '(-?[0-9]+)?')
                                 AND regexp_full_match(geo_precision, '(-?[0-9]+)?')
                                 AND regexp_full_match(fatalities, '(-?[0-9]+)?')
                                 AND regexp_full_match("timestamp", '(-?[0-9]+)?'))) AS not_integer,
    min(line) FILTER (WHERE NOT list_contains($disorder_event_types, event_type)
                         OR disorder_type <> map($disorder_event_types, $disorder_types)[event_type]) AS not_acled_type,
    min(line) FILTER (WHERE event_date <> '' AND TRY_CAST(event_date AS DATE) IS NULL) AS bad_date,
    min(line) FILTER (WHERE (latitude = '') <> (longitude = '')) AS half_point,
    min(line) FILTER (WHERE latitude <> '' AND NOT coalesce(TRY_CAST(latitude AS DOUBLE) BETWEEN -90 AND 90
                                                         AND TRY_CAST(longitude AS DOUBLE) BETWEEN -180 AND 180, false))
        AS out_of_range,
    min(line) FILTER (WHERE TRY_CAST(interaction AS INTEGER) IS DISTINCT FROM acled_interaction(
        coalesce(TRY_CAST(nullif(inter1, '') AS INTEGER), 0), coalesce(TRY_CAST(nullif(inter2, '') AS INTEGER), 0)))
        AS bad_interaction
FROM rows
