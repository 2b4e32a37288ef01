"""The ACLED-compatible CSV and the GeoJSON of events, written by the real job and read back."""
import csv
import json
from pathlib import Path

import duckdb
import pytest

from sitrep.exports import (ExportInvalid, interaction_code, validate_acled_csv, validate_geojson,
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
        [materialization] = result.asset_materializations_for_node(asset)
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


def test_interaction_combines_inter_codes_as_acled_does():
    assert interaction_code(1, 2) == interaction_code(2, 1) == 12
    assert interaction_code(2, 7) == 27
    assert interaction_code(3, 3) == 33
    assert interaction_code(2, None) == interaction_code(2, 0) == 20
    assert interaction_code(None, 7) == 70
    assert interaction_code(None, None) == 0


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


def test_validators_reject_broken_files(tmp_path):
    good = {c: "" for c in ACLED_HEADER} | {"event_id_cnty": "SYR1", "event_type": "Battles",
                                           "disorder_type": "Political violence", "inter1": 1, "inter2": 2,
                                           "interaction": 12, "fatalities": 3, "event_date": "2014-01-02"}
    path, written = write_acled_csv([good], tmp_path / "ok.csv")
    assert validate_acled_csv(path, expected_rows=written) == written == 1
    with pytest.raises(ExportInvalid):
        validate_acled_csv(path, expected_rows=2)
    write_acled_csv([good | {"interaction": 21}], tmp_path / "bad_interaction.csv")
    with pytest.raises(ExportInvalid):
        validate_acled_csv(tmp_path / "bad_interaction.csv")
    reordered = tmp_path / "reordered.csv"
    reordered.write_text(",".join(reversed(ACLED_HEADER)) + "\n", encoding="utf-8")
    with pytest.raises(ExportInvalid):
        validate_acled_csv(reordered)
    lat_lon = tmp_path / "lat_lon.geojson"
    lat_lon.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [36.2, 95.0]},
         "properties": {"event_id": "a", "event_type": "Battles", "fatalities_best": 0}}]}), encoding="utf-8")
    with pytest.raises(ExportInvalid):
        validate_geojson(lat_lon)
    streamed, written, skipped = write_geojson([{"event_id": "a", "event_type": "Battles", "fatalities_best": 0,
                                                 "latitude": 36.2, "longitude": 37.1},
                                                {"event_id": "b", "event_type": "Battles", "latitude": None}],
                                               tmp_path / "streamed.geojson")
    assert (validate_geojson(streamed, expected_features=1), written, skipped) == (1, 1, 1)
    assert json.loads(streamed.read_text(encoding="utf-8"))["features"][0]["geometry"]["coordinates"] == [37.1, 36.2]
    truncated = tmp_path / "truncated.geojson"
    truncated.write_text("".join(streamed.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")
    with pytest.raises(ExportInvalid):
        validate_geojson(truncated)
