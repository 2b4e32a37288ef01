"""Asset checks: pandera schemas per table, relational integrity, and geography.

Fact checks are blocking: when one fails, the views downstream are not rebuilt.
"""

import dagster as dg
import polars as pl

from assets.metadata import markdown_table
from orchestration.resources import WarehouseResource
from sitrep.geography import point_in_governorate
from sitrep.schemas import SCHEMAS, schema_columns, unique_columns, validation_failures, validation_failures_streamed

FAILURE_SAMPLE = 10
WHOLE_TABLE_ROWS = 200_000  # larger tables are validated in batches of BATCH_ROWS
BATCH_ROWS = 250_000  # ~20 MB of entity_mentions a batch; smaller batches cost pandera more calls


def schema_check_result(table: str, frame: pl.DataFrame) -> dg.AssetCheckResult:
    """pandera's verdict on a table as a check result, with the failing rows' sample."""
    return failures_result(table, frame.height, validation_failures(table, frame))


def failures_result(table: str, rows_checked: int, failures: pl.DataFrame | None) -> dg.AssetCheckResult:
    if failures is None:
        return dg.AssetCheckResult(passed=True, metadata={"rows_checked": rows_checked})
    summary = failures.group_by("column", "check").len().sort("len", descending=True)
    message = "; ".join(f"{row['column'] or 'table'}: {row['check']} failed for {row['len']} row(s)"
                        for row in summary.iter_rows(named=True))
    return dg.AssetCheckResult(
        passed=False, severity=dg.AssetCheckSeverity.ERROR,
        description=f"{table} violates its schema: {message}",
        metadata={"rows_checked": rows_checked, "failures": failures.height,
                  "failing_checks": dg.MetadataValue.md(markdown_table(summary)),
                  "failure_sample": dg.MetadataValue.md(markdown_table(failures.head(FAILURE_SAMPLE)))})


def _schema_check(table: str, blocking: bool):
    @dg.asset_check(asset=table, name=f"{table}_schema", blocking=blocking,
                    description=f"pandera schema of {table}: types, allowed values, ranges, unique keys.")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            return checked_table(con, table)
    return _check


def checked_table(con, table: str, whole_below: int = WHOLE_TABLE_ROWS) -> dg.AssetCheckResult:
    """A table up to `whole_below` rows is validated whole; a larger one (entity_mentions holds ~30 rows per
    article) batch by batch, its unique keys checked by the warehouse, so the check's memory stays flat. Only the
    columns the schema validates are read (half the bytes of fact_events)."""
    rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    columns = ", ".join(f'"{column}"' for column in schema_columns(table))
    select = f'SELECT {columns} FROM "{table}"'
    if rows < whole_below:
        return schema_check_result(table, con.sql(select).pl())
    duplicates = {column: [value for (value,) in con.execute(
        f'SELECT "{column}" FROM "{table}" GROUP BY 1 HAVING count(*) > 1 LIMIT 1000').fetchall()]
        for column in unique_columns(table)}
    batches = (pl.from_arrow(batch) for batch in con.sql(select).to_arrow_reader(BATCH_ROWS))
    return failures_result(table, rows, validation_failures_streamed(table, batches, duplicates))


FACT_TABLES_CHECKED = ("fact_events", "fact_casualty_claims", "fact_control_changes", "fact_control_observations")
schema_checks = [_schema_check(t, blocking=t in FACT_TABLES_CHECKED) for t in SCHEMAS]
# The checks that gate nothing: the articles sensor's run leaves them to outputs_job, which follows it.
advisory_schema_checks = [check for check, table in zip(schema_checks, SCHEMAS) if table not in FACT_TABLES_CHECKED]


def _orphans_result(con, query: str, what: str) -> dg.AssetCheckResult:
    orphans = con.sql(query).pl()
    return dg.AssetCheckResult(
        passed=orphans.height == 0, severity=dg.AssetCheckSeverity.ERROR,
        description=f"{orphans.height} {what}" if orphans.height else None,
        metadata={"violations": orphans.height, "sample": dg.MetadataValue.md(markdown_table(orphans.head(FAILURE_SAMPLE)))})


@dg.asset_check(asset="fact_casualty_claims", blocking=True,
                description="Every casualty claim points at an event in fact_events.")
def claims_reference_events(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        return _orphans_result(con, "SELECT c.claim_id, c.event_id FROM fact_casualty_claims c "
                                    "ANTI JOIN fact_events e ON c.event_id = e.event_id", "claims without an event")


@dg.asset_check(asset="fact_events", blocking=True, additional_deps=["dim_actor"],
                description="Every named actor of an event is in dim_actor.")
def event_actors_in_registry(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        return _orphans_result(con, """
            SELECT event_id, actor FROM (
                SELECT event_id, actor1_id AS actor FROM fact_events WHERE actor1_id IS NOT NULL
                UNION ALL SELECT event_id, actor2_id FROM fact_events WHERE actor2_id IS NOT NULL) named
            WHERE actor NOT IN (SELECT actor_id FROM dim_actor)""", "event actors missing from dim_actor")


@dg.asset_check(asset="fact_control_changes", blocking=True,
                description="Every control change comes from an event in fact_events.")
def control_changes_reference_events(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        return _orphans_result(con, "SELECT change_id, event_id FROM fact_control_changes ch "
                                    "ANTI JOIN fact_events e ON ch.event_id = e.event_id", "changes without an event")


@dg.asset_check(asset="fact_events", blocking=True,
                description="Each event's point lies inside its governorate's outline (OCHA COD-AB boundaries).")
def event_points_inside_governorate(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        located = con.sql("SELECT event_id, location, admin1, latitude, longitude FROM fact_events "
                          "WHERE admin1 IS NOT NULL AND latitude IS NOT NULL").pl()
    # Events sit on gazetteer points, so a few thousand distinct points stand for hundreds of thousands of events.
    points = located.select("admin1", "latitude", "longitude").unique()
    points = points.with_columns(inside=pl.Series([point_in_governorate(*row) for row in points.iter_rows()],
                                                  dtype=pl.Boolean))
    outside = located.join(points.filter(~pl.col("inside")), on=["admin1", "latitude", "longitude"],
                           how="semi", maintain_order="left")
    return dg.AssetCheckResult(
        passed=outside.height == 0, severity=dg.AssetCheckSeverity.ERROR,
        description=f"{outside.height} of {located.height} event points lie outside their governorate" if outside.height else None,
        metadata={"events_checked": located.height, "outside": outside.height,
                  "sample": dg.MetadataValue.md(markdown_table(outside.head(FAILURE_SAMPLE)))})


@dg.asset_check(asset="raw_articles", blocking=True, additional_deps=["rejected_inputs"],
                description="Nothing lost: inputs seen = articles ingested + inputs quarantined.")
def inputs_accounted_for(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        seen, ingested, quarantined = con.execute("SELECT inputs_seen, ingested, quarantined FROM ingest_summary").fetchone()
        stored = con.execute("SELECT (SELECT count(*) FROM raw_articles), (SELECT count(*) FROM rejected_inputs)").fetchone()
    passed = seen == ingested + quarantined and (ingested, quarantined) == stored
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"inputs_seen": seen, "ingested": ingested, "quarantined": quarantined})


relational_checks = [claims_reference_events, event_actors_in_registry, control_changes_reference_events,
                     event_points_inside_governorate, inputs_accounted_for]
