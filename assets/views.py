"""Views layer: the analyst-facing views of sql/views. Those too slow to compute on every read are SELECTs over
tables that this step recomputes (sql/materialized), so reading them, and this step's metadata, stays cheap."""

import dagster as dg

from assets.metadata import table_metadata
from orchestration.resources import WarehouseResource
from sitrep.warehouse import materialized_files, refresh_views, view_files, view_name

VIEW_NAMES = [view_name(path) for path in view_files()]
MATERIALIZED = {path.stem for path in materialized_files()}


def _description(name: str) -> str:
    if name in MATERIALIZED:
        return (f"DuckDB view `{name}` (sql/views/{name}.sql) over the table `materialized.{name}`, recomputed "
                f"from the facts by this step (sql/materialized/{name}.sql).")
    return f"DuckDB view `{name}`, defined in sql/views/{name}.sql."


@dg.multi_asset(
    specs=[dg.AssetSpec(name, group_name="views", kinds={"duckdb", "sql"}, owners=["team:sitrep"],
                        tags={"layer": "views"}, description=_description(name),
                        deps=["fact_events", "fact_casualty_claims", "fact_control_changes",
                              "fact_control_observations"])
           for name in VIEW_NAMES],
    can_subset=False,
)
def warehouse_views(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Recompute the materialized tables from the facts (the deduplication tables only where the facts loads since
    the last refresh changed events) and (re)create every view in sql/views."""
    with warehouse.connect() as con:
        refreshed = refresh_views(con, incremental=True)
        context.log.info("views refreshed: %s", ", ".join(
            f"{name} {seconds * 1000:.0f} ms" for name, seconds in refreshed.items() if seconds is not None))
        for name, seconds in refreshed.items():
            extra = {"materialized_table": f"materialized.{name}",
                     "refresh_ms": round(seconds * 1000, 1)} if seconds is not None else None
            yield dg.MaterializeResult(asset_key=name, metadata=table_metadata(con, name, extra=extra))
