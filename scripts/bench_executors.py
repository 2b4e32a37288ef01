"""The parallel extraction graph timed on both executors it runs on: Dagster's multiprocess executor and
dagster-dask on a local Dask cluster of 2 worker processes (what a real cluster runs, pointed at this one).

Each run re-extracts the same slice (a publication-date range) of an existing warehouse, on a fresh copy of
it and its extraction chunks, so both do the same work: plan, SHARDS shard steps writing Parquet, one
loading step. Prints wall time per executor and the articles re-extracted.

Usage: python scripts/bench_executors.py WAREHOUSE ARTICLES [--from 2011-01-01] [--to 2024-12-31]
(a `make bench --keep DIR` leaves both: DIR/n10000/warehouse.duckdb and DIR/n10000/articles)
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))


def fresh_copy(warehouse: Path, articles: Path) -> Path:
    """A copy of the warehouse and its extraction chunks that every process of the run (the executor's, the
    Dask workers started after this) finds through the environment."""
    from sitrep.extraction_store import store_dir
    work = Path(tempfile.mkdtemp(prefix="sitrep-executors-"))
    copy = work / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    shutil.copytree(store_dir(warehouse), store_dir(copy))
    os.environ["SITREP_WAREHOUSE"], os.environ["SITREP_ARTICLES"] = str(copy), str(articles)
    return work


def timed_run(job_name: str, slice_config: dict, execution: dict | None) -> tuple[float, int]:
    import dagster as dg
    from orchestration import parallel

    job_fn = {"facts_parallel_job": parallel.facts_parallel_job_from_env,
              "facts_dask_job": parallel.facts_dask_job_from_env}[job_name]
    config = {"ops": {"plan_extraction": {"config": slice_config}}, **({"execution": execution} if execution else {})}
    with dg.instance_for_test() as instance:
        started = time.perf_counter()
        result = dg.execute_job(dg.reconstructable(job_fn), instance=instance, run_config=config)
        wall = time.perf_counter() - started
        if not result.success:
            raise SystemExit(f"{job_name} failed")
        materializations = [record.dagster_event.event_specific_data.materialization
                            for record in instance.all_logs(result.run_id) if record.dagster_event
                            and record.dagster_event.event_type_value == "ASSET_MATERIALIZATION"]
        extracted = next(m.metadata["articles_extracted"].value for m in materializations
                         if m.asset_key.to_user_string() == "fact_events")
    return wall, extracted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("articles", type=Path)
    parser.add_argument("--from", dest="start", default="2011-01-01")
    parser.add_argument("--to", dest="end", default="2024-12-31")
    args = parser.parse_args()
    slice_config = {"published_from": args.start, "published_to": args.end}
    work = fresh_copy(args.warehouse, args.articles)
    wall, extracted = timed_run("facts_parallel_job", slice_config, None)
    shutil.rmtree(work, ignore_errors=True)
    print(f"multiprocess executor: {wall:.1f} s wall, {extracted} articles re-extracted")
    from distributed import LocalCluster
    work = fresh_copy(args.warehouse, args.articles)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        execution = {"config": {"cluster": {"existing": {"address": cluster.scheduler_address}}}}
        wall, extracted = timed_run("facts_dask_job", slice_config, execution)
    shutil.rmtree(work, ignore_errors=True)
    print(f"dask executor (local cluster, 2 workers): {wall:.1f} s wall, {extracted} articles re-extracted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
