"""Outputs layer: the analyst report, a self-contained HTML page of charts with a PNG of each beside it."""
import os
from pathlib import Path

import dagster as dg

from orchestration.resources import PROJECT_ROOT, WarehouseResource


def reports_dir_from_env(warehouse_path: str | None = None) -> Path:
    """SITREP_REPORTS, else `reports/` beside the warehouse file: <project>/reports for the project's warehouse,
    while a run on another warehouse (a test's temp file) keeps its report next to it instead of overwriting
    the project's."""
    base = Path(warehouse_path).resolve().parent if warehouse_path else PROJECT_ROOT
    return Path(os.environ.get("SITREP_REPORTS") or base / "reports").resolve()


def report(warehouse: WarehouseResource) -> tuple[str, dg.MaterializeResult]:
    """Build and write the report: a log line and its materialization."""
    from sitrep.report import build_report, write_report  # matplotlib: 1-2 s that runs without the report skip
    out_dir = reports_dir_from_env(warehouse.path)
    with warehouse.connect(read_only=True) as con:
        built = build_report(con)
    paths = write_report(built, out_dir)
    html_path = paths["html"]
    message = f"report written to {html_path} with {len(built.charts)} charts"
    chart_lines = ["| chart | title | data | png |", "|---|---|---|---|"]
    chart_lines += [f"| {c.name} | {c.title} | {c.coverage.caption} | {c.name}.png ({len(c.png):,} bytes) |"
                    for c in built.charts]
    summary = built.summary
    return message, dg.MaterializeResult(asset_key="report", metadata={
        "path": dg.MetadataValue.path(str(html_path)),
        "url": dg.MetadataValue.url(html_path.as_uri()),
        "rows": dg.MetadataValue.int(summary["events"]),
        "dagster/row_count": dg.MetadataValue.int(summary["events"]),
        "charts": dg.MetadataValue.md("\n".join(chart_lines)),
        "chart_names": dg.MetadataValue.json([c.name for c in built.charts]),
        "data_range": dg.MetadataValue.text(f"{summary['first_event']} to {summary['last_event']}"),
        "size_bytes": dg.MetadataValue.int(html_path.stat().st_size),
    })
