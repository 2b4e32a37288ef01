"""Facts layer: events, casualty claims, control changes and observations, entity mentions.

Extraction is incremental and parallel (sitrep/extraction_store.py): only articles whose content,
date, outlet, reference data or extraction code changed are extracted, in batches by worker
processes that write Parquet chunks; this step then rebuilds the fact tables from the chunks as
the run's single DuckDB writer.
"""
import os
import shutil
import time

import dagster as dg

from assets.metadata import markdown_table, table_metadata
from orchestration.resources import WarehouseResource
from sitrep import extraction_store as store_
from sitrep.corpus import FACT_TABLES
from sitrep import reference as reference_module
from sitrep.reference import load_reference

_DESCRIPTIONS = {
    "fact_events": "One row per event (ACLED-compatible columns): type and sub-type, actors with their time-valid "
                   "sides, infighting flag, place resolved to the gazetteer, fatalities low/best/high reconciled "
                   "from the claims, and the evidence sentence with its character span.",
    "fact_casualty_claims": "One row per source claim about an event's dead and injured: who said it, the numbers, "
                            "the victim group and the sentence it came from.",
    "fact_control_changes": "Territory changing hands: place, from/to actor and side, full or partial, date, event.",
    "fact_control_observations": "Statements of standing control ('government-held Bab Touma'): no event, a point "
                                 "on the control timeline.",
    "entity_mentions": "Every actor, source, place and governorate mention with its article, sentence and span, "
                       "and what it resolved to.",
    "unresolved_mentions": "Place and actor names near event cues that the reference data does not know, counted, "
                           "with an example sentence: the to-do list for the gazetteer and actor registry.",
}
_GROUPS = {"entity_mentions": "entities", "unresolved_mentions": "entities"}
FACT_DEPS = ["raw_articles", "dim_actor", "dim_location", "dim_source"]


def workers_from_env() -> int:
    """SITREP_EXTRACT_WORKERS processes extract in parallel (default: one per core; 1 = in this process)."""
    value = os.environ.get("SITREP_EXTRACT_WORKERS")
    return max(1, int(value)) if value else max(1, os.cpu_count() or 1)


def run_batches(jobs: list[tuple], workers: int) -> list[dict]:
    """Extract each (batch_file, store, chunk, ref_dir, ref_version) job: in a pool of worker processes when
    there are several jobs and workers, else here."""
    if workers > 1 and len(jobs) > 1:
        return store_.run_local_workers(jobs, min(workers, len(jobs)))
    return [store_.extract_chunk(*job) for job in jobs]


def extract_into_warehouse(con, warehouse_path: str, ref, workers: int, force: str | None = None,
                           force_params: list | None = None, log=None) -> dict:
    """Plan, extract what is missing (in parallel), load every fact table: the whole incremental step."""
    started = time.perf_counter()
    store = store_.store_dir(warehouse_path)
    plan = store_.plan(con, store, ref.version, workers=workers, force=force, force_params=force_params)
    if log:
        log.info("extraction plan: %d articles, %d reused, %d to extract in %d batch(es) with %d worker(s); "
                 "reference %s, code %s", plan.articles, plan.reused, plan.to_extract, len(plan.batches),
                 min(workers, max(1, len(plan.batches))), plan.reference_version, plan.code_version)
    batch_dir = store / "batches" / store_.new_chunk_id()
    jobs = [(str(batch_file), str(store), store_.new_chunk_id(), str(reference_module.REFERENCE_DIR), ref.version)
            for batch_file in store_.export_batches(con, plan.batches, batch_dir)]
    planned = time.perf_counter()
    results = run_batches(jobs, workers)
    extracted = time.perf_counter()
    new_chunks = store_.valid_new_chunks(con, store, [job[2] for job in jobs], ref.version)
    if sum(len(ids) for ids in new_chunks.values()) != plan.to_extract:
        raise RuntimeError("extraction workers did not cover every planned article (reference data or code "
                           "changed during the run?); rerun")
    counts = store_.load_facts(con, store, plan, new_chunks, ref)
    loaded = time.perf_counter()
    shutil.rmtree(batch_dir, ignore_errors=True)
    store_.collect_garbage(con, store)
    return {"plan": plan, "results": results, "counts": counts,
            "seconds": {"plan": planned - started, "extract": extracted - planned, "load": loaded - extracted}}


@dg.multi_asset(
    specs=[dg.AssetSpec(table, group_name=_GROUPS.get(table, "facts"), kinds={"duckdb", "polars", "pandera"},
                        owners=["team:sitrep"], tags={"layer": _GROUPS.get(table, "facts")},
                        description=_DESCRIPTIONS[table], code_version=store_.code_version(),
                        deps=FACT_DEPS)
           for table in FACT_TABLES],
    can_subset=False,
)
def extracted_facts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Extract the articles that are new or changed (or whose reference data / extraction code changed), in
    parallel worker processes writing Parquet chunks, then rebuild the fact tables from all chunks."""
    ref = load_reference()
    with warehouse.connect() as con:
        outcome = extract_into_warehouse(con, warehouse.path, ref, workers_from_env(), log=context.log)
        plan = outcome["plan"]
        context.log.info("extraction: %d extracted, %d reused; plan %.1fs, extract %.1fs, load %.1fs",
                         plan.to_extract, plan.reused, *outcome["seconds"].values())
        for table in FACT_TABLES:
            extra = {"reference_version": ref.version, "code_version": plan.code_version,
                     "articles_extracted": plan.to_extract, "articles_reused": plan.reused,
                     "extraction_batches": len(plan.batches),
                     "plan_seconds": round(outcome["seconds"]["plan"], 3),
                     "extract_wall_seconds": round(outcome["seconds"]["extract"], 3),
                     "extract_worker_seconds": round(sum(r["seconds"] for r in outcome["results"]), 3),
                     "load_seconds": round(outcome["seconds"]["load"], 3)}
            if table == "fact_events":
                by_type = con.sql("SELECT event_type, count(*) AS len FROM fact_events GROUP BY 1 "
                                  "ORDER BY 2 DESC, 1").pl()
                if by_type.height:
                    extra["events_by_type"] = dg.MetadataValue.md(markdown_table(by_type))
            yield dg.MaterializeResult(asset_key=table, metadata=table_metadata(con, table, extra=extra))
