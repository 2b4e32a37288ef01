"""Jobs: the whole pipeline in one process (sitrep_job: one staged warehouse copy per run, published at its end;
extraction inside it runs in SITREP_EXTRACT_WORKERS child processes); the same graph split in two so that new
articles reach the facts and views without waiting for the exports and the report (facts_and_views_job, started
by the articles sensor; outputs_job); and the extraction fanned out over Dagster steps (facts_parallel_job,
facts_dask_job)."""
import dagster as dg

OUTPUTS = dg.AssetSelection.groups("outputs")

sitrep_job = dg.define_asset_job(
    name="sitrep_job",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest the articles folder, rebuild reference dimensions, extract facts, check them, refresh views, "
                "write the exports and the report.",
)

facts_and_views_job = dg.define_asset_job(
    name="facts_and_views_job",
    selection=dg.AssetSelection.all() - OUTPUTS,
    executor_def=dg.in_process_executor,
    description="The freshness path the articles sensor starts: ingest, extract facts, check them, refresh views. "
                "The exports and the report follow in outputs_job (and in sitrep_job on the daily schedule).",
)

outputs_job = dg.define_asset_job(
    name="outputs_job",
    selection=OUTPUTS,
    executor_def=dg.in_process_executor,
    description="The ACLED CSV, the GeoJSON and the HTML report, from the warehouse as it is (read-only).",
)

# Extraction fanned out over Dagster steps (orchestration/parallel.py): the same graph under the multiprocess
# executor and, when dagster-dask is installed, on a Dask cluster. Both write the warehouse from one step.
from orchestration.parallel import PARALLEL_JOBS, facts_dask_job, facts_parallel_job  # noqa: E402,F401
