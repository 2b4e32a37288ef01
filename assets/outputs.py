"""Outputs layer, one step: the ACLED CSV, the GeoJSON and the report, the report drawn while the exports are written.

The report is matplotlib (Python, holding the GIL); the exports are DuckDB COPYs on one thread (releasing it), so
side by side they use both cores. Not fully: DuckDB's client takes the GIL back now and then, and waits for it. At
100,000 articles the exports take 5.3 s and the report 2.1 s alone, the step about 6 to 7 s.
Each stays its own asset, and any subset can be materialized (the CLI's `report` runs the report alone)."""
from concurrent.futures import ThreadPoolExecutor

import dagster as dg

from assets.exports import acled_export, events_geojson
from assets.report import report
from orchestration.resources import WarehouseResource

EXPORT_DEPS = ["fact_events", "dim_actor", "raw_articles"]
REPORT_DEPS = ["fact_events", "fact_control_changes", "infighting_incidents_monthly", "events_monthly_by_type",
               "casualties_monthly_by_admin1", "control_timeline", "actor_dyads"]


def _output(key: str, kind: str, deps: list[str], description: str) -> dg.AssetSpec:
    return dg.AssetSpec(key, group_name="outputs", kinds={"duckdb", kind}, owners=["team:sitrep"],
                        tags={"layer": "outputs"}, deps=deps, description=description)


ACLED_EXPORT = _output(
    "acled_export", "csv", EXPORT_DEPS,
    "exports/sitrep_events_acled.csv: every event in ACLED's column names and order (event_id_cnty = 'SYR' + "
    "event_id; inter1/inter2 = the actors' ACLED type codes from dim_actor; interaction combines them, lower code "
    "first; fatalities = fatalities_best), read back and validated after writing. Folder: SITREP_EXPORTS, else "
    "exports/ beside the warehouse.")
EVENTS_GEOJSON = _output(
    "events_geojson", "geojson", EXPORT_DEPS,
    "exports/sitrep_events.geojson: a FeatureCollection with one Point ([longitude, latitude], WGS84) per event "
    "that has coordinates, its ACLED fields, sides, fatality range and provenance as properties; read back and "
    "validated after writing. Folder: SITREP_EXPORTS, else exports/ beside the warehouse.")
REPORT = _output(
    "report", "html", REPORT_DEPS,
    "reports/sitrep.html: a self-contained page (charts inlined as SVG, nothing fetched from the network) with rebel "
    "infighting per month, events by type per month, fatalities by governorate (low/best/high), control changes by "
    "side, a map of events over the governorate outlines and the top actor dyads; each chart titled, axes labelled, "
    "its date range stated, and written as a PNG beside the page. Folder: SITREP_REPORTS, else reports/ beside the "
    "warehouse.")
WRITERS = {ACLED_EXPORT.key: acled_export, EVENTS_GEOJSON.key: events_geojson}


@dg.multi_asset(specs=[ACLED_EXPORT, EVENTS_GEOJSON, REPORT], can_subset=True)
def outputs(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Write the selected outputs: the report in a thread, the exports meanwhile in this one. An output that fails
    does not stop the others; the step then fails with the first error, after the others are materialized."""
    selected = context.selected_asset_keys
    done: dict[dg.AssetKey, tuple[str, dg.MaterializeResult]] = {}
    errors: list[tuple[dg.AssetKey, BaseException]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitrep-report") as pool:
        drawing = pool.submit(report, warehouse) if REPORT.key in selected else None
        for key, write in WRITERS.items():
            if key in selected:
                try:
                    done[key] = write(warehouse)
                except Exception as error:  # noqa: BLE001 - reported below, after the other outputs
                    errors.append((key, error))
        if drawing is not None:
            try:
                done[REPORT.key] = drawing.result()
            except Exception as error:  # noqa: BLE001
                errors.append((REPORT.key, error))
    for key in (ACLED_EXPORT.key, EVENTS_GEOJSON.key, REPORT.key):
        if key in done:
            message, result = done[key]
            context.log.info(message)
            yield result
    for key, error in errors:
        context.log.error("%s failed: %s: %s", key.to_user_string(), type(error).__name__, error)
    if errors:
        raise errors[0][1]
