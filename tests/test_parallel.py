"""Extraction fanned out over Dagster steps, one writer: the multiprocess executor, and dagster-dask on a local
Dask cluster of 2 worker processes (the job a real cluster runs, pointed at this one's scheduler).

Each run re-extracts a slice (one input file; a publication-date range), in shard steps that run in other
processes and write Parquet, then one step loads DuckDB; the warehouse ends identical to a full rebuild.
"""
import re
import shutil

import dagster as dg
import duckdb
import pytest

from orchestration.parallel import SHARDS, facts_dask_job_from_env, facts_parallel_job_from_env
from sitrep.extraction_store import store_dir
from sitrep.warehouse import staging_files, table_fingerprint
from test_incremental import TABLES, make_folder, run


def fingerprints(path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: table_fingerprint(con, table) for table in TABLES}


@pytest.fixture(scope="module")
def built(tmp_path_factory, seed_folder):
    tmp = tmp_path_factory.mktemp("parallel")
    articles = make_folder(tmp / "articles", seed_folder, with_new=True)
    warehouse = tmp / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    run(warehouse, articles)  # sitrep_job: ingest, reference and facts layers
    return {"tmp": tmp, "articles": articles, "warehouse": warehouse, "fingerprints": fingerprints(warehouse)}


def run_parallel(built, monkeypatch, tmp_path, job_fn, run_config):
    """A copy of the built warehouse (and its chunks) that the job's processes find through the environment."""
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built["warehouse"], warehouse)
    shutil.copytree(store_dir(built["warehouse"]), store_dir(warehouse))  # its extraction chunks
    monkeypatch.setenv("SITREP_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("SITREP_ARTICLES", str(built["articles"]))
    return warehouse


def outcome(instance, result) -> tuple[int, set[int], set[str]]:
    """Articles the writer says it extracted, the pids that ran shard steps, the steps that ran."""
    extracted, pids, steps = None, set(), set()
    for record in instance.all_logs(result.run_id):
        if record.step_key:
            steps.add(record.step_key)
        if record.step_key and record.step_key.startswith("extract_shard_") and (m := re.search(r"\(pid (\d+)\)", record.user_message or "")):
            pids.add(int(m.group(1)))
        event = record.dagster_event
        if event and event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            if materialization.asset_key.to_user_string() == "fact_events":
                extracted = materialization.metadata["articles_extracted"].value
    return extracted, pids, steps


def test_multiprocess_executor_reextracts_one_file_in_parallel_processes(built, monkeypatch, tmp_path):
    import os
    warehouse = run_parallel(built, monkeypatch, tmp_path, facts_parallel_job_from_env, None)
    with dg.instance_for_test() as instance:
        result = dg.execute_job(dg.reconstructable(facts_parallel_job_from_env), instance=instance,
                                run_config={"ops": {"plan_extraction": {"config": {"source_file": "fakes_a.csv"}}}})
        assert result.success
        extracted, pids, steps = outcome(instance, result)
    assert extracted == 30  # the file's rows, and only them
    assert {f"extract_shard_{i}" for i in range(SHARDS)} <= steps and "load_extractions" in steps
    assert pids and os.getpid() not in pids  # shards ran in the executor's child processes
    assert fingerprints(warehouse) == built["fingerprints"]  # exactly the full rebuild's tables
    assert staging_files(warehouse) == []


def test_dask_executor_on_a_local_two_worker_cluster_reextracts_a_date_range(built, monkeypatch, tmp_path):
    pytest.importorskip("dagster_dask")
    from distributed import Client, LocalCluster
    warehouse = run_parallel(built, monkeypatch, tmp_path, facts_dask_job_from_env, None)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        in_range = con.execute("SELECT count(*) FROM raw_articles WHERE published_date BETWEEN DATE '2016-01-01' "
                               "AND DATE '2016-12-31'").fetchone()[0]
    assert in_range > 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client, dg.instance_for_test() as instance:
        worker_pids = set(client.run(lambda: __import__("os").getpid()).values())
        result = dg.execute_job(dg.reconstructable(facts_dask_job_from_env), instance=instance, run_config={
            "execution": {"config": {"cluster": {"existing": {"address": cluster.scheduler_address}}}},
            "ops": {"plan_extraction": {"config": {"published_from": "2016-01-01", "published_to": "2016-12-31"}}}})
        assert result.success
        extracted, pids, _ = outcome(instance, result)
    assert extracted == in_range
    assert pids and pids <= worker_pids  # the shards ran on the Dask workers
    assert fingerprints(warehouse) == built["fingerprints"]
    assert staging_files(warehouse) == []
