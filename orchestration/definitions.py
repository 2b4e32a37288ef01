"""The Dagster code location: every asset, check, job, schedule and sensor of sitrep."""
import dagster as dg

from assets import checks, exports, facts, ingest, reference, report, views
from orchestration.jobs import PARALLEL_JOBS, facts_and_views_job, outputs_job, sitrep_job
from orchestration.resources import (ArticlesFolderResource, WarehouseResource, articles_dir_from_env,
                                     warehouse_path_from_env)
from orchestration.schedules import daily_refresh
from orchestration.sensors import new_articles_sensor, outputs_after_refresh


def build_defs(warehouse_path: str, articles_path: str) -> dg.Definitions:
    """The same graph pointed at any warehouse file and articles folder (tests use temp ones)."""
    return dg.Definitions(
        assets=dg.load_assets_from_modules([reference, ingest, facts, views, report, exports]),
        asset_checks=[*checks.schema_checks, *checks.relational_checks],
        jobs=[sitrep_job, facts_and_views_job, outputs_job, *PARALLEL_JOBS],
        executor=dg.in_process_executor,  # UI materializations: one process, one warehouse swap per run
        schedules=[daily_refresh],
        sensors=[new_articles_sensor, outputs_after_refresh],
        resources={
            "warehouse": WarehouseResource(path=warehouse_path),
            "articles": ArticlesFolderResource(path=articles_path),
        },
    )


defs = build_defs(warehouse_path_from_env(), articles_dir_from_env())
