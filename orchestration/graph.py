"""The asset graph with its checks, jobs, schedule and sensors, bound to a warehouse file and an articles folder."""
import dagster as dg

from assets import checks, facts, ingest, outputs, reference, views
from orchestration.jobs import facts_and_views_job, outputs_job, sitrep_job
from orchestration.resources import ArticlesFolderResource, WarehouseResource
from orchestration.schedules import daily_refresh
from orchestration.sensors import new_articles_sensor, outputs_after_refresh


def build_defs(warehouse_path: str, articles_path: str, parallel: bool = True) -> dg.Definitions:
    """The same graph pointed at any warehouse file and articles folder (tests use temp ones). Without
    `parallel`, the jobs that fan extraction out over executors are left out, so a headless run of the others
    does not import dagster-dask (most of a second of its start-up)."""
    jobs = [sitrep_job, facts_and_views_job, outputs_job]
    if parallel:
        from orchestration.parallel import PARALLEL_JOBS
        jobs += PARALLEL_JOBS
    return dg.Definitions(
        assets=dg.load_assets_from_modules([reference, ingest, facts, views, outputs]),
        asset_checks=[*checks.schema_checks, *checks.relational_checks],
        jobs=jobs,
        executor=dg.in_process_executor,  # UI materializations: one process, one warehouse swap per run
        schedules=[daily_refresh],
        sensors=[new_articles_sensor, outputs_after_refresh],
        resources={
            "warehouse": WarehouseResource(path=warehouse_path),
            "articles": ArticlesFolderResource(path=articles_path),
        },
    )
