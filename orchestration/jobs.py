"""Jobs: the whole pipeline in one process (sitrep_job: one staged warehouse copy per run, published at its end;
extraction inside it runs in SITREP_EXTRACT_WORKERS child processes); the same graph split in two so that new
articles reach the facts and views without waiting for the exports and the report (facts_and_views_job, started
by the articles sensor; outputs_job). The extraction fanned out over Dagster steps (facts_parallel_job,
facts_dask_job) is in orchestration/parallel.py."""
import dagster as dg

from assets.checks import advisory_schema_checks

OUTPUTS = dg.AssetSelection.groups("outputs")
# Non-blocking schema checks (dimensions, raw_articles, entity_mentions...): they stop nothing, so the freshness
# path does not wait for them (6 s at 100,000 articles); outputs_job runs them right after it.
ADVISORY_CHECKS = dg.AssetSelection.checks(*advisory_schema_checks)

sitrep_job = dg.define_asset_job(
    name="sitrep_job",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest the articles folder, rebuild reference dimensions, extract facts, check them, refresh views, "
                "write the exports and the report.",
)

facts_and_views_job = dg.define_asset_job(
    name="facts_and_views_job",
    selection=dg.AssetSelection.all() - OUTPUTS - ADVISORY_CHECKS,
    executor_def=dg.in_process_executor,
    description="The freshness path the articles sensor starts: ingest, extract facts, run the checks that gate "
                "the views, refresh views. The exports, the report and the non-blocking schema checks follow in "
                "outputs_job (and in sitrep_job on the daily schedule).",
)

outputs_job = dg.define_asset_job(
    name="outputs_job",
    selection=OUTPUTS | ADVISORY_CHECKS,
    executor_def=dg.in_process_executor,
    description="The ACLED CSV, the GeoJSON and the HTML report, and the non-blocking schema checks, from the "
                "warehouse as it is (read-only).",
)
