"""Views layer: the analyst-facing aggregates, defined as SQL files in sql/views."""

import dagster as dg

from assets.metadata import table_metadata
from orchestration.resources import WarehouseResource
from sitrep.warehouse import create_views, view_files, view_name

VIEW_NAMES = [view_name(path) for path in view_files()]


@dg.multi_asset(
    specs=[dg.AssetSpec(name, group_name="views", kinds={"duckdb", "sql"}, owners=["team:sitrep"],
                        tags={"layer": "views"},
                        description=f"DuckDB view `{name}`, defined in sql/views/{name}.sql.",
                        deps=["fact_events", "fact_casualty_claims", "fact_control_changes",
                              "fact_control_observations"])
           for name in VIEW_NAMES],
    can_subset=False,
)
def warehouse_views(warehouse: WarehouseResource):
    """(Re)create every view in sql/views; they read the fact tables, so they are always current."""
    with warehouse.connect() as con:
        for name in create_views(con):
            yield dg.MaterializeResult(asset_key=name, metadata=table_metadata(con, name))
