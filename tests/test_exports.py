"""The ACLED-compatible CSV and the GeoJSON of events, written by the real job and read back."""
import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import duckdb
import pytest

from sitrep.exports import (DISORDER_TYPES, ExportInvalid, export_sql, validate_acled_csv, validate_geojson,
                            write_acled_csv, write_geojson)

PROJECT = Path(__file__).resolve().parent.parent
# ACLED's export columns in ACLED's order (codebook 2023), pinned here on purpose rather than imported.
ACLED_HEADER = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                "fatalities", "tags", "timestamp"]


@pytest.fixture(scope="module")
def built(bundled_slice_build):
    return bundled_slice_build.warehouse, bundled_slice_build.exports, bundled_slice_build.result


def _events(warehouse: Path) -> dict[str, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute("""
            SELECT e.*, (SELECT min(inter_code) FROM dim_actor a WHERE a.actor_id = e.actor1_id) AS inter1,
                        (SELECT min(inter_code) FROM dim_actor a WHERE a.actor_id = e.actor2_id) AS inter2
            FROM fact_events e""")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}


def test_job_materializes_both_exports_with_path_and_rows(built):
    _, exports, result = built
    assert result.success
    for asset, filename in (("acled_export", "sitrep_events_acled.csv"), ("events_geojson", "sitrep_events.geojson")):
        [materialization] = [m for m in result.asset_materializations_for_node("outputs") if m.asset_key.path == [asset]]
        metadata = materialization.metadata
        assert metadata["path"].value == str(exports / filename)
        assert metadata["rows"].value > 0
        assert (exports / filename).is_file()


def test_acled_csv_has_acleds_columns_in_acleds_order_and_one_row_per_event(built):
    warehouse, exports, _ = built
    path = exports / "sitrep_events_acled.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = list(reader)
    assert header == ACLED_HEADER
    assert all(len(row) == len(ACLED_HEADER) for row in body)
    events = _events(warehouse)
    assert len(body) == len(events) > 0
    assert validate_acled_csv(path, expected_rows=len(events)) == len(events)


def test_acled_rows_map_sides_to_inter_codes_and_keep_the_facts(built):
    warehouse, exports, _ = built
    events = _events(warehouse)
    with (exports / "sitrep_events_acled.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seen_interactions = set()
    for row in rows:
        assert row["event_id_cnty"].startswith("SYR")
        event = events[row["event_id_cnty"][3:]]
        assert int(row["inter1"]) == (event["inter1"] or 0)
        assert int(row["inter2"]) == (event["inter2"] or 0)
        codes = sorted(c for c in (event["inter1"], event["inter2"]) if c)
        expected = codes[0] * 10 + codes[1] if len(codes) == 2 else (codes[0] * 10 if codes else 0)
        assert int(row["interaction"]) == expected
        seen_interactions.add(int(row["interaction"]))
        assert int(row["fatalities"]) == event["fatalities_best"]
        assert row["event_date"] == event["event_date"].isoformat()
        assert int(row["year"]) == event["event_date"].year
        assert row["event_type"] == event["event_type"] and row["sub_event_type"] == event["sub_event_type"]
        assert row["actor1"] == (event["actor1"] or "") and row["actor2"] == (event["actor2"] or "")
        assert row["admin1"] == (event["admin1"] or "") and row["location"] == (event["location"] or "")
        assert row["country"] == "Syria" and row["iso"] == "760" and row["region"] == "Middle East"
        assert row["civilian_targeting"] == ("Civilian targeting" if event["civilian_targeting"] else "")
        if event["latitude"] is not None:
            assert abs(float(row["latitude"]) - event["latitude"]) < 1e-4
            assert abs(float(row["longitude"]) - event["longitude"]) < 1e-4
    assert 12 in seen_interactions  # state forces vs rebels: the war's main dyad is in any slice


def interaction(code1: int, code2: int) -> int:
    with duckdb.connect() as con:
        con.execute(export_sql("macros"))
        return con.execute("SELECT acled_interaction(?, ?)", [code1, code2]).fetchone()[0]


def test_interaction_combines_inter_codes_as_acled_does():
    assert interaction(1, 2) == interaction(2, 1) == 12
    assert interaction(2, 7) == 27
    assert interaction(3, 3) == 33
    assert interaction(2, 0) == 20
    assert interaction(0, 7) == 70
    assert interaction(0, 0) == 0


def test_geojson_has_one_point_per_located_event_with_lon_lat_order(built):
    warehouse, exports, _ = built
    path = exports / "sitrep_events.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    events = _events(warehouse)
    located = {k: e for k, e in events.items() if e["latitude"] is not None and e["longitude"] is not None}
    assert document["type"] == "FeatureCollection"
    assert len(document["features"]) == len(located) > 0
    for feature in document["features"]:
        event = located[feature["id"]]
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert abs(lon - event["longitude"]) < 1e-6 and abs(lat - event["latitude"]) < 1e-6
        assert 35 < lon < 43 and 32 < lat < 38  # Syria: proves [longitude, latitude] order
        props = feature["properties"]
        assert props["event_id"] == feature["id"] and props["event_id_cnty"] == "SYR" + feature["id"]
        assert props["event_type"] == event["event_type"]
        assert props["fatalities_best"] == event["fatalities_best"]
        assert props["event_date"] == event["event_date"].isoformat()
    assert validate_geojson(path, expected_features=len(located)) == len(located)


# ---------------------------------------------------------------- byte for byte
# The exports were shaped row by row in Python before DuckDB wrote them; that code is the oracle here, so the
# files stay byte-identical to what it wrote.
ORACLE_EVENTS = """
WITH inter AS (SELECT actor_id, min(inter_code) AS inter_code FROM dim_actor GROUP BY actor_id)
SELECT e.*, a.outlet, i1.inter_code AS inter1, i2.inter_code AS inter2
FROM fact_events e LEFT JOIN raw_articles a ON a.article_id = e.article_id
LEFT JOIN inter i1 ON i1.actor_id = e.actor1_id LEFT JOIN inter i2 ON i2.actor_id = e.actor2_id
ORDER BY e.event_date NULLS LAST, e.event_id"""
ORACLE_PROPERTIES = (
    "event_id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor1_side",
    "actor2", "actor2_side", "inter1", "inter2", "is_infighting", "violence_type", "civilian_targeting",
    "location", "place_id", "admin1", "admin2", "geo_precision", "fatalities_low", "fatalities_best",
    "fatalities_high", "injured_best", "sources", "outlet", "article_id", "sentence_idx", "notes",
)
TIMESTAMP = 1764100000


def oracle_interaction(inter1, inter2) -> int:
    codes = sorted(code for code in (inter1, inter2) if code)
    return codes[0] * 10 + codes[1] if len(codes) == 2 else (codes[0] * 10 if codes else 0)


def oracle_source(event: dict) -> str:
    parts = []
    for part in [event["outlet"], *(event["sources"] or "").split(";")]:
        part = (part or "").strip()
        if part and part.lower() not in {p.lower() for p in parts}:
            parts.append(part)
    return "; ".join(parts)


def blank(value):
    return "" if value is None else value


def oracle_acled_row(e: dict) -> list:
    date = e["event_date"]
    return ["SYR" + e["event_id"], date.isoformat() if date else "", date.year if date else "",
            blank(e["time_precision"]), DISORDER_TYPES.get(e["event_type"], ""), e["event_type"], e["sub_event_type"],
            blank(e["actor1"]), blank(e["assoc_actor_1"]), e["inter1"] or 0, blank(e["actor2"]),
            blank(e["assoc_actor_2"]), e["inter2"] or 0, oracle_interaction(e["inter1"] or 0, e["inter2"] or 0),
            "Civilian targeting" if e["civilian_targeting"] else "", 760, "Middle East", "Syria", blank(e["admin1"]),
            blank(e["admin2"]), "", blank(e["location"]),
            "" if e["latitude"] is None else f"{e['latitude']:.4f}",
            "" if e["longitude"] is None else f"{e['longitude']:.4f}", blank(e["geo_precision"]), oracle_source(e), "",
            " ".join((e["notes"] or "").split()), int(e["fatalities_best"] or 0), "", TIMESTAMP]


def oracle_feature(e: dict) -> dict:
    properties = {k: e[k].isoformat() if isinstance(e[k], dt.date) else e[k] for k in ORACLE_PROPERTIES}
    properties["event_id_cnty"] = "SYR" + e["event_id"]
    properties["interaction"] = oracle_interaction(e["inter1"], e["inter2"])
    return {"type": "Feature", "id": e["event_id"],
            "geometry": {"type": "Point", "coordinates": [round(e["longitude"], 6), round(e["latitude"], 6)]},
            "properties": properties}


def oracle_files(con) -> tuple[bytes, bytes]:
    cursor = con.execute(ORACLE_EVENTS)
    names = [d[0] for d in cursor.description]
    events = [dict(zip(names, row)) for row in cursor.fetchall()]
    acled = io.StringIO(newline="")
    writer = csv.writer(acled)
    writer.writerow(ACLED_HEADER)
    writer.writerows(oracle_acled_row(e) for e in events)
    lines = [json.dumps(oracle_feature(e), ensure_ascii=False, separators=(",", ":"))
             for e in events if e["latitude"] is not None and e["longitude"] is not None]
    geojson = '{"type":"FeatureCollection","features":[\n' + "".join(
        ("," if i else "") + line + "\n" for i, line in enumerate(lines)) + "]}\n"
    return acled.getvalue().encode("utf-8"), geojson.encode("utf-8")


# Events with what plain text rarely holds: Python's odd whitespace (str.split, str.strip), control characters
# json.dumps escapes, a literal backslash-u, quotes and commas, empty strings, sources repeating the outlet in
# other case, no date, no actors in dim_actor, coordinates tiny, negative zero or on a rounding tie.
EDGE_EVENTS = """
INSERT INTO fact_events BY NAME
SELECT e.* REPLACE (
    e.event_id || '-edge' || k AS event_id,
    CASE WHEN k = 2 THEN NULL ELSE e.event_date END AS event_date,
    CASE k WHEN 0 THEN chr(11) || ' Lead' || chr(12288) || 'x  y' || chr(27) || chr(31) || '\\u000B "q", c' || chr(10)
                       || 'z' || chr(13) || chr(133) || ' ' || chr(8232) || 'end ' || chr(160)
           WHEN 1 THEN ' ' ELSE e.notes END AS notes,
    CASE k WHEN 0 THEN ' SANA ;sana; ;Reuters' || chr(160) || '; reuters;' || chr(8195) WHEN 1 THEN '' ELSE NULL END
        AS sources,
    CASE k WHEN 1 THEN '' WHEN 3 THEN 'Jisr, "al" Shughur' ELSE e.actor1 END AS actor1,
    CASE k WHEN 3 THEN 'no-such-actor' ELSE e.actor1_id END AS actor1_id,
    CASE k WHEN 0 THEN 'Saraqib' || chr(8232) || chr(1) ELSE e.location END AS location,
    CASE k WHEN 0 THEN 0.0000049 WHEN 1 THEN CAST('-0.0' AS DOUBLE) WHEN 2 THEN 36.0078125 WHEN 3 THEN NULL
           ELSE e.latitude END AS latitude,
    CASE k WHEN 0 THEN 1e-05 WHEN 1 THEN 0.03125 WHEN 2 THEN 38.12345650000001 WHEN 3 THEN NULL
           ELSE e.longitude END AS longitude)
FROM (SELECT * FROM fact_events ORDER BY event_id LIMIT 1) e CROSS JOIN range(4) r(k)
"""


@pytest.fixture(scope="module")
def edge_warehouse(bundled_slice_build, tmp_path_factory) -> Path:
    """The built warehouse's events, articles and actors plus the edge events, in a file of its own."""
    path = tmp_path_factory.mktemp("edge") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"ATTACH '{bundled_slice_build.warehouse}' AS built (READ_ONLY)")
        for table in ("fact_events", "raw_articles", "dim_actor"):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM built.{table}")
        con.execute("DETACH built")
        con.execute(EDGE_EVENTS)
        con.execute("UPDATE raw_articles SET outlet = ' sana' WHERE article_id = "
                    "(SELECT article_id FROM fact_events WHERE event_id LIKE '%-edge0')")
    return path


def test_exports_are_byte_identical_to_the_python_shaping(edge_warehouse, tmp_path):
    with duckdb.connect(str(edge_warehouse), read_only=True) as con:
        acled, rows = write_acled_csv(con, tmp_path / "acled.csv", TIMESTAMP)
        geojson, features, skipped = write_geojson(con, tmp_path / "events.geojson")
        expected_acled, expected_geojson = oracle_files(con)
        total = con.execute("SELECT count(*) FROM fact_events").fetchone()[0]
    assert acled.read_bytes() == expected_acled
    assert geojson.read_bytes() == expected_geojson
    assert rows == total and features + skipped == total and skipped > 0
    assert validate_acled_csv(acled, expected_rows=rows) == rows
    assert validate_geojson(geojson, expected_features=features) == features


def rewritten(path: Path, target: Path, edit) -> Path:
    """A copy of an ACLED CSV with `edit` applied to every data row (a dict)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_HEADER)
        writer.writeheader()
        writer.writerows(edit(row) or row for row in rows)
    return target


def test_validators_reject_broken_files(edge_warehouse, tmp_path):
    with duckdb.connect(str(edge_warehouse), read_only=True) as con:
        good, written = write_acled_csv(con, tmp_path / "ok.csv", TIMESTAMP)
        streamed, features, _ = write_geojson(con, tmp_path / "streamed.geojson")
    assert validate_acled_csv(good, expected_rows=written) == written
    with pytest.raises(ExportInvalid):
        validate_acled_csv(good, expected_rows=written + 1)
    broken = {"bad_interaction": lambda row: row.update(interaction="21") if row["inter1"] == "1" else None,
              "not_integer": lambda row: row.update(fatalities="3.5"),
              "bad_taxonomy": lambda row: row.update(disorder_type="Demonstrations"),
              "half_point": lambda row: row.update(longitude=""),
              "out_of_range": lambda row: row.update(latitude="95.0") if row["latitude"] else None,
              "repeated_id": lambda row: row.update(event_id_cnty="SYR1")}
    for name, edit in broken.items():
        with pytest.raises(ExportInvalid):
            validate_acled_csv(rewritten(good, tmp_path / f"{name}.csv", edit))
    extra_field = tmp_path / "extra_field.csv"
    lines = good.read_bytes().split(b"\r\n")
    extra_field.write_bytes(b"\r\n".join(lines[:2] + [lines[2] + b",x"] + lines[3:]))  # one row, one field more
    with pytest.raises(ExportInvalid):
        validate_acled_csv(extra_field)
    reordered = tmp_path / "reordered.csv"
    reordered.write_text(",".join(reversed(ACLED_HEADER)) + "\n", encoding="utf-8")
    with pytest.raises(ExportInvalid):
        validate_acled_csv(reordered)

    assert validate_geojson(streamed, expected_features=features) == features
    whole = tmp_path / "whole.geojson"  # another layout: one line, read as one document
    whole.write_text(json.dumps(json.loads(streamed.read_text(encoding="utf-8"))), encoding="utf-8")
    assert validate_geojson(whole, expected_features=features) == features
    lat_lon = tmp_path / "lat_lon.geojson"
    lat_lon.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [36.2, 95.0]},
         "properties": {"event_id": "a", "event_type": "Battles", "fatalities_best": 0}}]}), encoding="utf-8")
    with pytest.raises(ExportInvalid):
        validate_geojson(lat_lon)
    lines = streamed.read_text(encoding="utf-8").splitlines(keepends=True)
    edits = {"truncated": lines[:-1],
             "not_json": lines[:2] + [",{not json\n"] + lines[2:],
             "repeated_id": lines[:-1] + ["," + lines[1]] + lines[-1:],
             "no_properties": lines[:1] + [lines[1].replace('"properties":{"event_id"', '"properties":{"id"')] + lines[2:],
             "string_coordinate": lines[:1] + [re.sub(r'"coordinates":\[[^,]+,', '"coordinates":["36.2",', lines[1])]
                                  + lines[2:]}
    for name, content in edits.items():
        broken_file = tmp_path / f"{name}.geojson"
        broken_file.write_text("".join(content), encoding="utf-8")
        with pytest.raises(ExportInvalid):
            validate_geojson(broken_file)
