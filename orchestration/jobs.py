"""Jobs: the whole pipeline in one process (sitrep_job: one staged warehouse copy per run, published at its end;
extraction inside it runs in SITREP_EXTRACT_WORKERS child processes), and the extraction fanned out over
Dagster steps (facts_parallel_job, facts_dask_job)."""
import dagster as dg

sitrep_job = dg.define_asset_job(
    name="sitrep_job",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest the articles folder, rebuild reference dimensions, extract facts, check them, refresh views.",
)

# Extraction fanned out over Dagster steps (orchestration/parallel.py): the same graph under the multiprocess
# executor and, when dagster-dask is installed, on a Dask cluster. Both write the warehouse from one step.
from orchestration.parallel import PARALLEL_JOBS, facts_dask_job, facts_parallel_job  # noqa: E402,F401
