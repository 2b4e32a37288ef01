"""Asset checks fail on bad rows and say why in words a person understands."""
import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.checks import checked_table, claims_reference_events, event_points_inside_governorate, \
    schema_check_result, schema_checks
from orchestration.resources import WarehouseResource
from sitrep.schemas import validation_failures_streamed
from sitrep.warehouse import replace_tables


@pytest.fixture()
def seed_warehouse(tmp_path, seed_facts):
    _, facts = seed_facts
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as con:
        replace_tables(con, {t: facts[t] for t in ("fact_events", "fact_casualty_claims")})
    return path, facts


def test_fatalities_out_of_order_fail_the_schema_check_with_a_readable_message(seed_facts):
    _, facts = seed_facts
    bad = facts["fact_events"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(9).otherwise(pl.col("fatalities_low")).alias("fatalities_low"))
    result = schema_check_result("fact_events", bad)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR
    assert "fatalities must satisfy low <= best <= high" in result.description
    assert "failure_sample" in result.metadata


def test_unknown_side_fails_the_schema_check(seed_facts):
    _, facts = seed_facts
    bad = facts["fact_events"].with_columns(pl.lit("jedi").alias("actor1_side"))
    result = schema_check_result("fact_events", bad)
    assert not result.passed
    assert "actor1_side" in result.description and "isin" in result.description


def test_clean_facts_pass_the_schema_checks(seed_facts):
    _, facts = seed_facts
    for table in ("fact_events", "fact_casualty_claims", "fact_control_changes", "fact_control_observations"):
        assert schema_check_result(table, facts[table]).passed, table


def test_claim_without_event_fails_the_relational_check(seed_warehouse):
    path, _ = seed_warehouse
    resource = WarehouseResource(path=str(path))
    assert claims_reference_events(warehouse=resource).passed
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM fact_events WHERE event_id IN (SELECT event_id FROM fact_casualty_claims)")
    result = claims_reference_events(warehouse=resource)
    assert not result.passed
    assert result.description == "2 claims without an event"


def test_the_stored_table_is_what_the_schema_check_reads(seed_warehouse):
    path, _ = seed_warehouse
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE fact_events SET geo_precision = 7 WHERE event_id = (SELECT min(event_id) FROM fact_events)")
    check = next(c for c in schema_checks if "fact_events_schema" in str(c.check_keys))
    result = check(warehouse=WarehouseResource(path=str(path)))
    assert not result.passed and "geo_precision" in result.description


def test_an_event_point_outside_its_governorate_fails_the_geography_check(seed_warehouse):
    """Every event on the same point shares the verdict; only the moved event is reported."""
    path, facts = seed_warehouse
    warehouse = WarehouseResource(path=str(path))
    assert event_points_inside_governorate(warehouse=warehouse).passed
    with duckdb.connect(str(path)) as con:
        moved = con.execute("SELECT event_id FROM fact_events WHERE admin1 = 'Aleppo' AND latitude IS NOT NULL "
                            "ORDER BY event_id LIMIT 1").fetchone()[0]
        con.execute("UPDATE fact_events SET latitude = 33.51, longitude = 36.29 WHERE event_id = ?", [moved])  # Damascus
    result = event_points_inside_governorate(warehouse=warehouse)
    assert not result.passed
    assert result.metadata["outside"].value == 1 and moved in result.metadata["sample"].value


def test_a_table_checked_in_batches_finds_what_the_whole_table_check_finds(seed_warehouse):
    path, _ = seed_warehouse
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE fact_events SET geo_precision = 7 WHERE event_id = (SELECT max(event_id) FROM fact_events)")
    with duckdb.connect(str(path), read_only=True) as con:
        whole = checked_table(con, "fact_events")
        batched = checked_table(con, "fact_events", whole_below=1)
        frame = con.sql("SELECT * FROM fact_events").pl()
    for result in (whole, batched):
        assert not result.passed and "geo_precision" in result.description
        assert result.metadata["rows_checked"].value == frame.height
    # a key repeated across two batches is a whole-table fact: it comes from the warehouse's GROUP BY
    twice = frame["event_id"][0]
    failures = validation_failures_streamed("fact_events", [frame.head(3), frame.tail(frame.height - 3)],
                                            {"event_id": [twice]})
    assert failures.filter(pl.col("check") == "field_uniqueness")["failure_case"].to_list() == [twice]

