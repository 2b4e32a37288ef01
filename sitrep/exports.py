"""Exports of fact_events for other tools: an ACLED-compatible CSV and a GeoJSON of event points.

No Dagster here. DuckDB writes both files (COPY of the queries in sql/exports) and reads them back for
`validate_*`, which raise ExportInvalid when a file is not what was meant: no event passes through Python.
At 100,000 articles (~370,000 events) shaping and writing each row in Python took 16 s per export, and
reading it back another 4 to 5 s.

ACLED column names and order follow ACLED's export (2023 codebook, numeric inter codes):
inter1 / inter2 are the actors' ACLED type codes (1 state forces, 2 rebel groups, 3 political
militias, 4 identity militias, 5 rioters, 6 protesters, 7 civilians, 8 external/other forces,
0 no such actor) and `interaction` combines them as ACLED does: the lower code first (12 = state
forces vs rebels, 27 = rebels vs civilians), a sole actor times ten (20).
"""
from __future__ import annotations

import csv
import itertools
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from sitrep.warehouse import SQL_DIR, limit_memory

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
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

_COLLECTION_HEAD = '{"type":"FeatureCollection","features":['
_COLLECTION_TAIL = "\n]}\n"
_TAXONOMY = {"disorder_event_types": list(DISORDER_TYPES), "disorder_types": list(DISORDER_TYPES.values())}


class ExportInvalid(ValueError):
    """An export file read back does not match what was written."""


def export_sql(name: str) -> str:
    return (SQL_DIR / "exports" / f"{name}.sql").read_text(encoding="utf-8")


def _literal(path: Path) -> str:
    """A path as an SQL string literal: COPY's target cannot be a parameter."""
    return "'" + str(path).replace("'", "''") + "'"


@contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run DuckDB on one thread meanwhile: sorting every event's fields, two threads held 1.5x the memory of one
    (750 vs 500 MB at 100,000 articles) and wrote the ordered file no faster."""
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute("RESET threads")


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: str | Path, options: str, params: dict) -> tuple[Path, int]:
    """COPY the query's rows to a .tmp file beside `path`, then rename it: a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    con.execute(export_sql("macros"))
    con.execute(export_sql("events"))
    with _one_thread(con):
        rows = con.execute(f"COPY ({query}) TO {_literal(tmp)} ({options})", params).fetchone()[0]
    tmp.replace(path)
    return path, rows


def write_acled_csv(con: duckdb.DuckDBPyConnection, path: str | Path, timestamp: int) -> tuple[Path, int]:
    """Every event of the warehouse as one ACLED row (sql/exports/acled.sql); returns the path and the row count."""
    params = {"prefix": COUNTRY["prefix"], "iso": COUNTRY["iso"], "region": COUNTRY["region"],
              "country": COUNTRY["country"], "timestamp": int(timestamp), **_TAXONOMY}
    return _copy(con, export_sql("acled"), path, "FORMAT csv, HEADER, NEW_LINE '\\r\\n'", params)


def write_geojson(con: duckdb.DuckDBPyConnection, path: str | Path) -> tuple[Path, int, int]:
    """A FeatureCollection of the events that have coordinates, one feature per line so it can be written and
    read back as a stream (any JSON parser still reads it as one document). Returns the path, the number of
    features written and the number of events left out for lacking coordinates."""
    path, lines = _copy(con, export_sql("geojson"), path, "FORMAT csv, HEADER false, QUOTE '', ESCAPE ''",
                        {"prefix": COUNTRY["prefix"]})
    features = lines - 2  # the collection's opening and closing lines
    return path, features, con.execute("SELECT count(*) FROM export_events").fetchone()[0] - features


def read_acled_preview(path: str | Path, limit: int = 5) -> list[dict]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(itertools.islice(csv.DictReader(handle), limit))


def _checker() -> duckdb.DuckDBPyConnection:
    con = limit_memory(duckdb.connect())
    con.execute(export_sql("macros"))
    return con


def _read_back(path: Path, what: str, check) -> dict:
    """The one row of named counts `check(con)` returns on a fresh checker connection; a DuckDB error while
    reading the file back means it is not `what` it should be."""
    with _checker() as con:
        try:
            cursor = check(con)
            return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
        except duckdb.Error as error:
            raise ExportInvalid(f"{path}: {what} ({error})") from None


def _judge(path: Path, found: dict, messages: dict[str, str], unit: str, repeated: str, count: str,
           expected: int | None) -> int:
    """Raise ExportInvalid for the first check (in `messages` order) that a line or feature failed, for repeated
    ids, or for a count read back other than the one written; else return that count."""
    for check, message in messages.items():
        if found[check] is not None:
            raise ExportInvalid(f"{path}: {unit} {found[check]}: {message}")
    if found["repeated_ids"]:
        raise ExportInvalid(f"{path}: {found['repeated_ids']} {repeated}")
    if expected is not None and found[count] != expected:
        raise ExportInvalid(f"{path}: {found[count]} {count} read back, {expected} written")
    return found[count]


def validate_acled_csv(path: str | Path, expected_rows: int | None = None) -> int:
    """Read the CSV back: ACLED's header in ACLED's order, every row with ACLED's number of fields, integers
    where ACLED has integers, unique ids, known taxonomy, coordinates in range (sql/exports/acled_check.sql).
    Returns the number of rows read."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        header = tuple(next(csv.reader(handle), ()))
    if header != ACLED_COLUMNS:
        raise ExportInvalid(f"{path}: header {header} is not ACLED's {ACLED_COLUMNS}")
    found = _read_back(path, "not a CSV of ACLED's columns", lambda con: con.execute(export_sql("acled_check"), {
        "path": str(path), "columns": {column: "VARCHAR" for column in ACLED_COLUMNS}, **_TAXONOMY}))
    return _judge(path, found, {
        "not_integer": "an integer column of ACLED's holds something else",
        "not_acled_type": "event_type / disorder_type not in ACLED's taxonomy",
        "bad_date": "event_date is not a date",
        "half_point": "latitude without longitude or the reverse",
        "out_of_range": "coordinates out of range",
        "bad_interaction": "interaction does not combine inter1 and inter2"}, "line",
        "rows repeat an event_id_cnty", "rows", expected_rows)


def _tail(path: Path) -> str:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - len(_COLLECTION_TAIL)))
        return handle.read().decode("utf-8", "replace")


def _feature_view(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The temporary view `features` (number, feature): read line by line from a file write_geojson wrote (JSON
    text never holds a raw control character, so chr(1) as the delimiter keeps each line whole), else (another
    layout) from the whole document."""
    with path.open(encoding="utf-8") as handle:
        streamed = handle.readline().rstrip("\n") == _COLLECTION_HEAD
    if streamed:
        if _tail(path) != _COLLECTION_TAIL:
            raise ExportInvalid(f"{path}: the FeatureCollection is not closed")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW features AS
            SELECT row_number() OVER () - 1 AS number, ltrim(line, ',') AS feature
            FROM read_csv({_literal(path)}, header = false, skip = 1, columns = {{'line': 'VARCHAR'}},
                          delim = chr(1), quote = '', escape = '', auto_detect = false)
            WHERE line <> ']}}'""")
        return
    source = f"read_json_objects({_literal(path)}, format = 'unstructured', maximum_object_size = {path.stat().st_size + 1})"
    kind = con.execute(f"SELECT json ->> '$.type', json_type(json, '$.features') FROM {source}").fetchall()
    if kind != [("FeatureCollection", "ARRAY")]:
        raise ExportInvalid(f"{path}: not a FeatureCollection")
    con.execute(f"""CREATE OR REPLACE TEMP VIEW features AS
        SELECT row_number() OVER () - 1 AS number, feature
        FROM (SELECT unnest(json_extract(json, '$.features[*]'))::VARCHAR AS feature FROM {source})""")


def validate_geojson(path: str | Path, expected_features: int | None = None) -> int:
    """Read the GeoJSON back: a FeatureCollection of Point features with WGS84 [lon, lat] in range, unique ids
    and the event properties (sql/exports/geojson_check.sql). Returns the number of features read."""
    path = Path(path)

    def check(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        _feature_view(con, path)
        return con.execute(export_sql("geojson_check"))

    found = _read_back(path, "not a GeoJSON FeatureCollection of one JSON feature a line", check)
    return _judge(path, found, {
        "not_point": "not a Point feature",
        "bad_coordinates": "coordinates are not a [longitude, latitude] in range",
        "missing_properties": "lacks event_id, event_type or fatalities_best"}, "feature",
        "features repeat an id", "features", expected_features)
