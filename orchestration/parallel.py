"""Extraction fanned out over Dagster steps: plan -> N extraction shards (parallel) -> one writer.

The same graph runs under Dagster's multiprocess executor (`facts_parallel_job`, one process per shard
on this machine) and under dagster-dask (`facts_dask_job`, a shard per Dask task on any Dask cluster:
a local one, or a real one by pointing the job's config at its scheduler). What makes it cluster-safe:

- `plan_extraction` only reads the warehouse (read-only, never blocks or is blocked by a reader) and
  writes each batch of articles to extract as Parquet in the extraction store;
- `extract_shard_<i>` needs no warehouse at all: Parquet batch in, Parquet chunk out (on a cluster the
  store is a shared path: SITREP_EXTRACTIONS);
- `load_extractions` is the single DuckDB writer: it stages the warehouse copy-on-write, rebuilds the
  fact tables from every current chunk (sitrep.extraction_store.load_facts), and publishes atomically
  when the step ends. It is the only step that writes, so a run of this job is one atomic publish, as
  with `sitrep_job`; an article the shards did not cover (the warehouse changed meanwhile) is extracted
  there.

The shard count is part of the graph (dagster-dask needs a static plan; it cannot map dynamic outputs):
SITREP_EXTRACT_SHARDS, default 4, must be the same wherever the job is loaded.

A slice: config `plan_extraction: {source_file: ..., published_from: ..., published_to: ...}` re-extracts
that slice's articles even though their rows are current (e.g. from the UI's launchpad), and only them
(plus any article that needs it anyway); the result is the same tables a full rebuild gives.
"""

import os
import shutil
import time

import dagster as dg

from orchestration.resources import WarehouseResource, articles_dir_from_env, warehouse_path_from_env
from sitrep import extraction_store as store_
from sitrep import reference as reference_module
from sitrep.corpus import FACT_TABLES

SHARDS = max(1, int(os.environ.get("SITREP_EXTRACT_SHARDS") or 4))


class SliceConfig(dg.Config):
    """Re-extract a slice of the corpus: one input file and/or a publication-date range (ISO dates)."""
    source_file: str | None = None
    published_from: str | None = None
    published_to: str | None = None

    def condition(self) -> tuple[str | None, list]:
        parts, params = [], []
        for column, value, op in (("source_file", self.source_file, "="),
                                  ("published_date", self.published_from, ">="),
                                  ("published_date", self.published_to, "<=")):
            if value:
                cast = "CAST($p{} AS DATE)" if column == "published_date" else "$p{}"
                parts.append(f"a.{column} {op} " + cast.format(len(params)))
                params.append(value)
        return (" AND ".join(parts) or None), params


@dg.op(out={f"shard_{i}": dg.Out(list, description=f"extraction jobs of shard {i}") for i in range(SHARDS)},
       tags={"kind": "duckdb"})
def plan_extraction(context: dg.OpExecutionContext, config: SliceConfig, warehouse: WarehouseResource):
    """Which articles need extracting (new, changed, or in the slice), in batches dealt to the shards."""
    ref_version = reference_module.reference_version()
    force, params = config.condition()
    store = store_.store_dir(warehouse.path)
    batch_dir = store / "batches" / store_.new_chunk_id()
    with warehouse.connect(read_only=True) as con:
        plan = store_.plan(con, store, ref_version, workers=SHARDS, force=force, force_params=params,
                           min_parallel=1, min_batch=5)  # every shard gets work, even for a small slice
        jobs = [{"batch_file": str(batch), "store": str(store), "chunk": store_.new_chunk_id(),
                 "reference_dir": str(reference_module.REFERENCE_DIR), "reference_version": ref_version}
                for batch in store_.export_batches(con, plan.batches, batch_dir)]
    context.log.info("plan: %d articles, %d reused, %d to extract in %d batch(es) over %d shard(s)%s",
                     plan.articles, plan.reused, plan.to_extract, len(jobs), SHARDS,
                     f"; slice {force} {params}" if force else "")
    for i in range(SHARDS):
        yield dg.Output(jobs[i::SHARDS], f"shard_{i}")


def _extract_shard(context: dg.OpExecutionContext, jobs: list) -> list:
    results = []
    for job in jobs:
        result = store_.extract_chunk(job["batch_file"], job["store"], job["chunk"], job["reference_dir"],
                                      job["reference_version"])
        results.append({**result, "batch_file": job["batch_file"]})
        context.log.info("chunk %s: %d articles in %.1fs (pid %d)", result["chunk"], result["articles"],
                         result["seconds"], result["pid"])
    return results


def _shard_op(i: int) -> dg.OpDefinition:
    @dg.op(name=f"extract_shard_{i}", ins={"jobs": dg.In(list)}, out=dg.Out(list),
           description="Extract this shard's batches: Parquet articles in, Parquet chunks out; no warehouse.")
    def extract_shard(context: dg.OpExecutionContext, jobs: list) -> list:
        return _extract_shard(context, jobs)
    return extract_shard


SHARD_OPS = [_shard_op(i) for i in range(SHARDS)]


@dg.op(ins={f"shard_{i}": dg.In(list) for i in range(SHARDS)}, out={}, tags={"kind": "duckdb"})
def load_extractions(context: dg.OpExecutionContext, warehouse: WarehouseResource, **shard_results):
    """The single writer: fact tables rebuilt from every current chunk, in one transaction, published at the end.

    The shards' chunks are trusted article by article (sitrep.extraction_store.valid_new_chunks); whatever
    still needs extracting (the warehouse changed since the plan, a worker saw other reference data) is
    extracted here, so the tables always equal a full rebuild's."""
    started = time.perf_counter()
    ref = reference_module.load_reference()
    # one input per shard, not a fan-in list: dagster-dask resolves fan-in inputs from the plan's initial
    # known state and would hand this step an empty list
    shards = [shard_results[f"shard_{i}"] for i in range(SHARDS)]
    results = [result for shard in shards for result in shard]
    store = store_.store_dir(warehouse.path)
    with warehouse.connect() as con:
        plan = store_.plan(con, store, ref.version, workers=1)
        new_chunks = store_.valid_new_chunks(con, store, [r["chunk"] for r in results], ref.version)
        context.log.info("%d shard(s) wrote %d chunk(s) of %d article(s); %d of them current", len(shards),
                         len(results), sum(r["articles"] for r in results), sum(len(v) for v in new_chunks.values()))
        covered = {a for ids in new_chunks.values() for a in ids}
        missing = sorted({a for batch in plan.batches for a in batch} - covered)
        if missing:
            context.log.warning("%d articles were not covered by this run's shards; extracting them here", len(missing))
            chunk = store_.new_chunk_id()
            batch = store_.export_batch(con, missing, store / "batches" / f"late-{chunk}.parquet")
            store_.extract_chunk(str(batch), str(store), chunk, str(reference_module.REFERENCE_DIR), ref.version)
            new_chunks.update(store_.valid_new_chunks(con, store, [chunk], ref.version))
            batch.unlink(missing_ok=True)
        counts = store_.load_facts(con, store, plan, new_chunks, ref)
        for job_dir in {os.path.dirname(r["batch_file"]) for r in results if r.get("batch_file")}:
            shutil.rmtree(job_dir, ignore_errors=True)
        store_.collect_garbage(con, store)
    seconds = time.perf_counter() - started
    extracted = sum(len(ids) for ids in new_chunks.values())
    for table in FACT_TABLES:
        yield dg.AssetMaterialization(asset_key=table, description="loaded by the parallel extraction's single writer",
                                      metadata={"dagster/row_count": counts[table],
                                                "articles_extracted": extracted,
                                                "articles_reused": plan.articles - extracted,
                                                "chunks_written": len(new_chunks),
                                                "load_seconds": round(seconds, 3),
                                                "reference_version": ref.version,
                                                "code_version": plan.code_version})
    context.log.info("loaded %s: %d articles from %d new chunk(s), %d reused, in %.1fs",
                     counts, extracted, len(new_chunks), plan.articles - extracted, seconds)


@dg.graph(description="Plan, extract in parallel shards (Parquet), load as the single DuckDB writer.")
def parallel_extraction():
    shards = plan_extraction()
    outputs = [SHARD_OPS[i](getattr(shards, f"shard_{i}")) for i in range(SHARDS)]
    load_extractions(**{f"shard_{i}": output for i, output in enumerate(outputs)})


SLICE_CONFIG_DOC = ("Run config ops: {plan_extraction: {config: {source_file: <file>}}} (or published_from / "
                    "published_to, ISO dates) re-extracts that slice.")


facts_parallel_job = parallel_extraction.to_job(
    name="facts_parallel_job",
    executor_def=dg.multiprocess_executor,
    description="Re-extract new, changed or selected articles in parallel processes (Dagster's multiprocess "
                "executor), each shard writing Parquet, then load the fact tables as the run's single writer. "
                + SLICE_CONFIG_DOC,
    tags={"sitrep/engine": "multiprocess"},
)


def _dask_job():
    try:
        from dagster_dask import dask_executor
    except ImportError:  # dagster-dask is in the dev / parallel extras
        return None
    address = os.environ.get("SITREP_DASK_SCHEDULER")
    cluster = {"existing": {"address": address}} if address else {"local": {"n_workers": 2, "threads_per_worker": 1}}
    return parallel_extraction.to_job(
        name="facts_dask_job",
        executor_def=dask_executor,
        config={"execution": {"config": {"cluster": cluster}}},
        description="The same graph as facts_parallel_job on a Dask cluster (dagster-dask): a local one of 2 "
                    "workers, or the scheduler at SITREP_DASK_SCHEDULER (tcp://host:8786). "
                    + SLICE_CONFIG_DOC,
        tags={"sitrep/engine": "dask"},
    )


facts_dask_job = _dask_job()
PARALLEL_JOBS = [job for job in (facts_parallel_job, facts_dask_job) if job is not None]


def job_from_env(name: str):
    """For dg.reconstructable: the job bound to SITREP_WAREHOUSE / SITREP_ARTICLES (multiprocess and Dask
    workers rebuild the job in their own process from this function)."""
    from orchestration.definitions import build_defs
    return build_defs(warehouse_path_from_env(), articles_dir_from_env()).resolve_job_def(name)


def facts_parallel_job_from_env():
    return job_from_env("facts_parallel_job")


def facts_dask_job_from_env():
    return job_from_env("facts_dask_job")
