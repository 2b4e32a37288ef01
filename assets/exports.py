"""Outputs layer: fact_events exported as an ACLED-compatible CSV and as GeoJSON, each validated by reading it back."""
import os
import time
from pathlib import Path

import dagster as dg
import polars as pl

from assets.metadata import markdown_table
from orchestration.resources import PROJECT_ROOT, WarehouseResource
from sitrep.exports import (ACLED_FILE, GEOJSON_FILE, read_acled_preview, validate_acled_csv, validate_geojson,
                            write_acled_csv, write_geojson)

PREVIEW_COLUMNS = ("event_id_cnty", "event_date", "event_type", "actor1", "inter1", "actor2", "inter2", "interaction",
                   "admin1", "location", "fatalities")


def exports_dir_from_env(warehouse_path: str | None = None) -> Path:
    """SITREP_EXPORTS, else `exports/` beside the warehouse file: <project>/exports for the project's warehouse,
    while a run on another warehouse (a test's temp file) keeps its exports next to it."""
    base = Path(warehouse_path).resolve().parent if warehouse_path else PROJECT_ROOT
    return Path(os.environ.get("SITREP_EXPORTS") or base / "exports").resolve()


def acled_export(warehouse: WarehouseResource) -> tuple[str, dg.MaterializeResult]:
    """Write and validate the ACLED CSV: a log line and its materialization."""
    timestamp = int(time.time())
    with warehouse.connect(read_only=True) as con:  # DuckDB writes the file: no row passes through Python
        path, written = write_acled_csv(con, exports_dir_from_env(warehouse.path) / ACLED_FILE, timestamp)
    read_back = validate_acled_csv(path, expected_rows=written)
    message = f"ACLED CSV {path}: {read_back} rows written and read back"
    first = read_acled_preview(path)
    preview = pl.DataFrame([{k: row[k] for k in PREVIEW_COLUMNS} for row in first]) if first else pl.DataFrame()
    return message, dg.MaterializeResult(asset_key="acled_export", metadata={
        "path": dg.MetadataValue.path(str(path)),
        "rows": dg.MetadataValue.int(read_back),
        "dagster/row_count": dg.MetadataValue.int(read_back),
        "size_bytes": dg.MetadataValue.int(path.stat().st_size),
        "preview": dg.MetadataValue.md(markdown_table(preview)),
    })


def events_geojson(warehouse: WarehouseResource) -> tuple[str, dg.MaterializeResult]:
    """Write and validate the GeoJSON: a log line and its materialization."""
    with warehouse.connect(read_only=True) as con:  # DuckDB writes the file: no event passes through Python
        path, written, skipped = write_geojson(con, exports_dir_from_env(warehouse.path) / GEOJSON_FILE)
    features = validate_geojson(path, expected_features=written)
    message = f"GeoJSON {path}: {features} features, {skipped} events without coordinates left out"
    return message, dg.MaterializeResult(asset_key="events_geojson", metadata={
        "path": dg.MetadataValue.path(str(path)),
        "rows": dg.MetadataValue.int(features),
        "dagster/row_count": dg.MetadataValue.int(features),
        "events_without_coordinates": dg.MetadataValue.int(skipped),
        "size_bytes": dg.MetadataValue.int(path.stat().st_size),
    })
