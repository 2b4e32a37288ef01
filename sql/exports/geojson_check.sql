-- A GeoJSON export read back: the features of the temporary view `features` (number, feature as JSON text)
-- counted, ids repeated, and for each check the first feature that fails it (NULL: none does). Each feature is
-- parsed once (json_extract of every path at once); a feature that is not JSON is an error.
WITH parts AS (
    SELECT number, parts[1] AS id, parts[2] ->> '$' AS type, parts[3] ->> '$' AS geometry_type,
           parts[4] AS coordinates, parts[5] IS NOT NULL AND parts[6] IS NOT NULL AND parts[7] IS NOT NULL AS described
    FROM (SELECT number, json_extract(feature, ['$.id', '$.type', '$.geometry.type', '$.geometry.coordinates',
                                                '$.properties.event_id', '$.properties.event_type',
                                                '$.properties.fatalities_best']) AS parts
          FROM features)
),
checked AS (
    SELECT number, id, described,
           coalesce(type = 'Feature' AND geometry_type = 'Point' AND json_type(coordinates) = 'ARRAY'
                    AND json_array_length(coordinates) = 2, false) AS point,
           coalesce(list_bool_and(list_transform(json_type(coordinates, ['$[0]', '$[1]']),
                                                 lambda t: t IN ('BIGINT', 'UBIGINT', 'DOUBLE')))
                    AND (coordinates ->> '$[0]')::DOUBLE BETWEEN -180 AND 180
                    AND (coordinates ->> '$[1]')::DOUBLE BETWEEN -90 AND 90, false) AS lon_lat
    FROM parts
)
SELECT
    count(*) AS features,
    count(*) - count(DISTINCT coalesce(id::VARCHAR, 'null')) AS repeated_ids,
    min(number) FILTER (WHERE NOT point) AS not_point,
    min(number) FILTER (WHERE point AND NOT lon_lat) AS bad_coordinates,
    min(number) FILTER (WHERE NOT described) AS missing_properties
FROM checked
