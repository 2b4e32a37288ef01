"""Exports of fact_events for other tools: an ACLED-compatible CSV and a GeoJSON of event points.

No Dagster here. `iter_events(con)` streams the events with their actors' ACLED inter codes in
batches; `acled_row` / `geojson_feature` shape one event; `write_*` write a stream of events
atomically and `validate_*` read the files back as a stream and raise ExportInvalid when they are
not what was meant. Nothing holds every event in memory: at 100,000 articles (~370,000 events) the
exports were the run's peak (4.4 GB) when they built whole lists and documents.

ACLED column names and order follow ACLED's export (2023 codebook, numeric inter codes):
inter1 / inter2 are the actors' ACLED type codes (1 state forces, 2 rebel groups, 3 political
militias, 4 identity militias, 5 rioters, 6 protesters, 7 civilians, 8 external/other forces,
0 no such actor) and `interaction` combines them as ACLED does: the lower code first (12 = state
forces vs rebels, 27 = rebels vs civilians), a sole actor times ten (20).
"""
from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
from pathlib import Path
from typing import Iterable, Iterator

import duckdb

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
ACLED_INTEGER_COLUMNS = ("year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision",
                         "fatalities", "timestamp")
DISORDER_TYPES = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
COUNTRY = {"iso": 760, "region": "Middle East", "country": "Syria", "prefix": "SYR"}
ACLED_FILE = "sitrep_events_acled.csv"
GEOJSON_FILE = "sitrep_events.geojson"

EVENTS_SQL = """
WITH inter AS (  -- one inter code per actor (an actor has one row per side period, same code)
    SELECT actor_id, min(inter_code) AS inter_code FROM dim_actor GROUP BY actor_id
)
SELECT e.*, a.outlet, i1.inter_code AS inter1, i2.inter_code AS inter2
FROM fact_events e
LEFT JOIN raw_articles a ON a.article_id = e.article_id
LEFT JOIN inter i1 ON i1.actor_id = e.actor1_id
LEFT JOIN inter i2 ON i2.actor_id = e.actor2_id
ORDER BY e.event_date NULLS LAST, e.event_id
"""


class ExportInvalid(ValueError):
    """An export file read back does not match what was written."""


def iter_events(con: duckdb.DuckDBPyConnection, batch: int = 5000) -> Iterator[dict]:
    """fact_events joined to outlets and inter codes, one dict at a time, fetched `batch` rows at a time."""
    cursor = con.execute(EVENTS_SQL)
    names = [d[0] for d in cursor.description]
    while rows := cursor.fetchmany(batch):
        for row in rows:
            yield dict(zip(names, row))


def event_id_cnty(event_id: str) -> str:
    """ACLED-style id: country prefix + the warehouse event_id (stable, and joins back to fact_events)."""
    return f"{COUNTRY['prefix']}{event_id}"


def interaction_code(inter1: int | None, inter2: int | None) -> int:
    """ACLED's interaction: both codes, lower first (17, 12); a sole actor's code times ten (20); 0 if none."""
    codes = sorted(code for code in (inter1, inter2) if code)
    if len(codes) == 2:
        return codes[0] * 10 + codes[1]
    return codes[0] * 10 if codes else 0


def _source_field(event: dict) -> str:
    """ACLED's `source`: the outlet that published the article, then the sources it quoted for the event."""
    parts = []
    for part in [event.get("outlet"), *(event.get("sources") or "").split(";")]:
        part = (part or "").strip()
        if part and part.lower() not in {p.lower() for p in parts}:
            parts.append(part)
    return "; ".join(parts)


def _blank(value) -> object:
    return "" if value is None else value


def acled_row(event: dict, timestamp: int) -> dict:
    date = event.get("event_date")
    inter1, inter2 = event.get("inter1") or 0, event.get("inter2") or 0
    return {
        "event_id_cnty": event_id_cnty(event["event_id"]),
        "event_date": date.isoformat() if date else "",
        "year": date.year if date else "",
        "time_precision": _blank(event.get("time_precision")),
        "disorder_type": DISORDER_TYPES.get(event["event_type"], ""),
        "event_type": event["event_type"],
        "sub_event_type": event["sub_event_type"],
        "actor1": _blank(event.get("actor1")),
        "assoc_actor_1": _blank(event.get("assoc_actor_1")),
        "inter1": inter1,
        "actor2": _blank(event.get("actor2")),
        "assoc_actor_2": _blank(event.get("assoc_actor_2")),
        "inter2": inter2,
        "interaction": interaction_code(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if event.get("civilian_targeting") else "",
        "iso": COUNTRY["iso"],
        "region": COUNTRY["region"],
        "country": COUNTRY["country"],
        "admin1": _blank(event.get("admin1")),
        "admin2": _blank(event.get("admin2")),
        "admin3": "",
        "location": _blank(event.get("location")),
        "latitude": "" if event.get("latitude") is None else f"{event['latitude']:.4f}",
        "longitude": "" if event.get("longitude") is None else f"{event['longitude']:.4f}",
        "geo_precision": _blank(event.get("geo_precision")),
        "source": _source_field(event),
        "source_scale": "",  # ACLED's source scale (National, International...) is not derivable from the corpus
        "notes": " ".join((event.get("notes") or "").split()),
        "fatalities": int(event.get("fatalities_best") or 0),
        "tags": "",
        "timestamp": int(timestamp),
    }


def write_acled_csv(rows: Iterable[dict], path: str | Path) -> tuple[Path, int]:
    """Write ACLED rows (acled_row) as they come; returns the path and how many rows were written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    written = 0
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_COLUMNS, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            written += 1
    tmp.replace(path)
    return path, written


def read_acled_preview(path: str | Path, limit: int = 5) -> list[dict]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(itertools.islice(csv.DictReader(handle), limit))


def validate_acled_csv(path: str | Path, expected_rows: int | None = None) -> int:
    """Read the CSV back, row by row: ACLED's header in ACLED's order, integers where ACLED has integers,
    unique ids, known taxonomy, coordinates in range. Returns the number of rows read."""
    ids: set[str] = set()
    count = 0
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != ACLED_COLUMNS:
            raise ExportInvalid(f"{path}: header {header} is not ACLED's {ACLED_COLUMNS}")
        for number, row in enumerate(reader, start=2):
            _check_acled_row(row, f"{path}:{number}")
            if row["event_id_cnty"] in ids:
                raise ExportInvalid(f"{path}:{number}: duplicate event_id_cnty {row['event_id_cnty']}")
            ids.add(row["event_id_cnty"])
            count += 1
    if expected_rows is not None and count != expected_rows:
        raise ExportInvalid(f"{path}: {count} rows read back, {expected_rows} written")
    return count


def _check_acled_row(row: dict, where: str) -> None:
    if None in row or any(value is None for value in row.values()):
        raise ExportInvalid(f"{where}: wrong number of fields")
    for column in ACLED_INTEGER_COLUMNS:
        if row[column] != "" and not row[column].lstrip("-").isdigit():
            raise ExportInvalid(f"{where}: {column}={row[column]!r} is not an integer")
    if row["event_type"] not in DISORDER_TYPES or row["disorder_type"] != DISORDER_TYPES[row["event_type"]]:
        raise ExportInvalid(f"{where}: event_type {row['event_type']!r} / disorder_type {row['disorder_type']!r}")
    if row["event_date"]:
        dt.date.fromisoformat(row["event_date"])
    if (row["latitude"] == "") != (row["longitude"] == ""):
        raise ExportInvalid(f"{where}: latitude without longitude or the reverse")
    if row["latitude"] and not (-90 <= float(row["latitude"]) <= 90 and -180 <= float(row["longitude"]) <= 180):
        raise ExportInvalid(f"{where}: coordinates out of range")
    expected = interaction_code(int(row["inter1"] or 0), int(row["inter2"] or 0))
    if int(row["interaction"]) != expected:
        raise ExportInvalid(f"{where}: interaction {row['interaction']} does not combine {row['inter1']}/{row['inter2']}")


_GEOJSON_PROPERTIES = (
    "event_id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor1_side",
    "actor2", "actor2_side", "inter1", "inter2", "is_infighting", "violence_type", "civilian_targeting",
    "location", "place_id", "admin1", "admin2", "geo_precision", "fatalities_low", "fatalities_best",
    "fatalities_high", "injured_best", "sources", "outlet", "article_id", "sentence_idx", "notes",
)


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def geojson_feature(event: dict) -> dict | None:
    """One event as a GeoJSON Point feature (RFC 7946: WGS84, [longitude, latitude]); None without coordinates."""
    lat, lon = event.get("latitude"), event.get("longitude")
    if lat is None or lon is None:
        return None
    properties = {key: _json_value(event.get(key)) for key in _GEOJSON_PROPERTIES}
    properties["event_id_cnty"] = event_id_cnty(event["event_id"])
    properties["interaction"] = interaction_code(event.get("inter1"), event.get("inter2"))
    return {"type": "Feature", "id": event["event_id"],
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": properties}


_COLLECTION_HEAD = '{"type":"FeatureCollection","features":['


def write_geojson(events: Iterable[dict], path: str | Path) -> tuple[Path, int, int]:
    """A FeatureCollection of the events that have coordinates, one feature per line so it can be written and
    read back as a stream (any JSON parser still reads it as one document). Returns the path, the number of
    features written and the number of events left out for lacking coordinates."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    written = skipped = 0
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(_COLLECTION_HEAD + "\n")
        for event in events:
            feature = geojson_feature(event)
            if feature is None:
                skipped += 1
                continue
            handle.write(("," if written else "") + json.dumps(feature, ensure_ascii=False, separators=(",", ":")) + "\n")
            written += 1
        handle.write("]}\n")
    tmp.replace(path)
    return path, written, skipped


def _features(path: Path) -> Iterator[dict]:
    """The features of a GeoJSON FeatureCollection: streamed line by line from a file write_geojson wrote,
    else (another layout) parsed whole."""
    with path.open(encoding="utf-8") as handle:
        first = handle.readline().strip()
        if first == _COLLECTION_HEAD:
            for line in handle:
                line = line.strip()
                if line == "]}":
                    return
                yield json.loads(line.lstrip(","))
            raise ExportInvalid(f"{path}: the FeatureCollection is not closed")
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("type") != "FeatureCollection" or not isinstance(document.get("features"), list):
        raise ExportInvalid(f"{path}: not a FeatureCollection")
    yield from document["features"]


def validate_geojson(path: str | Path, expected_features: int | None = None) -> int:
    """Read the GeoJSON back as a stream: a FeatureCollection of Point features with finite WGS84 [lon, lat],
    unique ids and the event properties. Returns the number of features read."""
    path = Path(path)
    ids: set = set()
    index = -1
    try:
        for index, feature in enumerate(_features(path)):
            _check_feature(feature, index, path, ids)
    except json.JSONDecodeError as error:
        raise ExportInvalid(f"{path}: feature {index + 1} is not JSON ({error})") from None
    count = index + 1
    if expected_features is not None and count != expected_features:
        raise ExportInvalid(f"{path}: {count} features read back, {expected_features} written")
    return count


def _check_feature(feature: dict, index: int, path: Path, ids: set) -> None:
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates")
    if feature.get("type") != "Feature" or geometry.get("type") != "Point" or not isinstance(coordinates, list) \
            or len(coordinates) != 2:
        raise ExportInvalid(f"{path}: feature {index} is not a Point feature")
    lon, lat = coordinates
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lon, lat)) \
            or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ExportInvalid(f"{path}: feature {index} has invalid coordinates {coordinates}")
    properties = feature.get("properties") or {}
    missing = [key for key in ("event_id", "event_type", "fatalities_best") if key not in properties]
    if missing:
        raise ExportInvalid(f"{path}: feature {index} lacks {missing}")
    if feature.get("id") in ids:
        raise ExportInvalid(f"{path}: duplicate feature id {feature.get('id')}")
    ids.add(feature.get("id"))
