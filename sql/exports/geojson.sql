-- The lines of the GeoJSON FeatureCollection: its opening, one Point feature per event that has coordinates
-- (oldest first, each after the first led by a comma), its closing. The events are sorted before their lines are
-- built, which holds less in memory than sorting the lines; the order then holds through SELECT, a window with
-- an empty OVER and UNION ALL (DuckDB's order preservation). Coordinates are [longitude, latitude]
-- rounded to 6 decimals and written as Python's repr() writes a float, and \u00XX escapes in lower case, so
-- the file stays byte-identical to the one json.dumps wrote. Parameter: $prefix (event_id_cnty = prefix + event_id).
WITH located AS (
    SELECT * FROM export_events
    WHERE latitude IS NOT NULL AND longitude IS NOT NULL
    ORDER BY event_date NULLS LAST, event_id
),
features AS (
    SELECT CASE WHEN row_number() OVER () > 1 THEN ',' ELSE '' END
              || '{"type":"Feature","id":' || to_json(event_id)
              || ',"geometry":{"type":"Point","coordinates":[' || printf('%.6f', longitude)::DOUBLE::VARCHAR
              || ',' || printf('%.6f', latitude)::DOUBLE::VARCHAR || ']},"properties":'
              || json_object('event_id', event_id, 'event_date', event_date, 'time_precision', time_precision,
                             'event_type', event_type, 'sub_event_type', sub_event_type,
                             'actor1', actor1, 'actor1_side', actor1_side, 'actor2', actor2, 'actor2_side', actor2_side,
                             'inter1', inter1, 'inter2', inter2, 'is_infighting', is_infighting,
                             'violence_type', violence_type, 'civilian_targeting', civilian_targeting,
                             'location', location, 'place_id', place_id, 'admin1', admin1, 'admin2', admin2,
                             'geo_precision', geo_precision, 'fatalities_low', fatalities_low,
                             'fatalities_best', fatalities_best, 'fatalities_high', fatalities_high,
                             'injured_best', injured_best, 'sources', sources, 'outlet', outlet,
                             'article_id', article_id, 'sentence_idx', sentence_idx, 'notes', notes,
                             'event_id_cnty', $prefix || event_id, 'interaction', interaction)
              || '}' AS line
    FROM located
)
SELECT '{"type":"FeatureCollection","features":[' AS line
UNION ALL
SELECT lower_hex_escapes(line) FROM features
UNION ALL
SELECT ']}'
