"""Jobs: the whole pipeline, run in one process (DuckDB takes one writer per file)."""
import dagster as dg

sitrep_job = dg.define_asset_job(
    name="sitrep_job",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest the articles folder, rebuild reference dimensions, extract facts, check them, refresh views.",
)
