"""The `sitrep` command: a headless run with a summary, read-only queries, exit codes that mean something."""
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

SITREP = str(Path(sys.executable).parent / "sitrep")


def sitrep(*args, env=None, timeout=300):
    return subprocess.run([SITREP, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def built(tmp_path_factory, seed_folder):
    home = tmp_path_factory.mktemp("dagster_home")
    warehouse = tmp_path_factory.mktemp("cli") / "w.duckdb"
    result = sitrep("run", "--articles", str(seed_folder), "--warehouse", str(warehouse), "--no-progress",
                    env={"DAGSTER_HOME": str(home)})
    return warehouse, result


def test_run_builds_the_warehouse_and_prints_a_summary(built):
    warehouse, result = built
    assert result.returncode == 0, result.stderr[-2000:]
    assert "inputs      1 seen = 1 ingested + 0 quarantined" in result.stdout
    assert "checks" in result.stdout and "0 failed" in result.stdout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fact_events").fetchone()[0] >= 11


def test_query_prints_rows_as_csv(built):
    warehouse, _ = built
    result = sitrep("query", "--csv", "--warehouse", str(warehouse),
                    "SELECT location, to_side FROM fact_control_changes WHERE location = 'Sabina'")
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["location,to_side", "Sabina,government"]


def test_query_is_read_only(built):
    warehouse, _ = built
    result = sitrep("query", "--warehouse", str(warehouse), "DROP TABLE fact_events")
    assert result.returncode == 4
    assert "read-only" in result.stderr.lower()


def test_bad_sql_exits_4_and_missing_warehouse_exits_2(tmp_path, built):
    warehouse, _ = built
    assert sitrep("query", "--warehouse", str(warehouse), "SELEC 1").returncode == 4
    missing = sitrep("query", "--warehouse", str(tmp_path / "none.duckdb"), "SELECT 1")
    assert missing.returncode == 2 and "no warehouse" in missing.stderr


def test_usage_errors_exit_64():
    assert sitrep("frobnicate").returncode == 64
    assert sitrep("--help").returncode == 0
