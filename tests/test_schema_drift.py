"""An old or foreign warehouse file never breaks a run with a raw stack trace.

Old schemas are rebuilt (every written table is dropped and recreated from sql/tables, whatever an
older version left under its name); objects sitrep does not own are left alone; a file DuckDB cannot
open is left untouched and named in a clear error (exit 3 from `python -m orchestration.run`).
"""
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_defs
from orchestration.run import _user_error
from sitrep.warehouse import SQL_DIR, staging_files, wal_path

PROJECT = Path(__file__).resolve().parent.parent


def run_job(warehouse: Path, articles: Path) -> dg.ExecuteInProcessResult:
    defs = build_defs(str(warehouse), str(articles))
    return defs.resolve_job_def("sitrep_job").execute_in_process(instance=dg.DagsterInstance.ephemeral(),
                                                                  raise_on_error=False)


def ddl_columns(table: str) -> list[str]:
    with duckdb.connect() as con:
        con.execute((SQL_DIR / "tables" / f"{table}.sql").read_text(encoding="utf-8"))
        return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def build_old_warehouse(path: Path) -> None:
    """What an older sitrep (plus an analyst) might have left, ending with a crash that left a WAL."""
    script = f"""
import duckdb, os
con = duckdb.connect({str(path)!r})
con.execute("CREATE TABLE fact_events (event_id INTEGER PRIMARY KEY, old_col VARCHAR, fatalities INTEGER)")
con.execute("INSERT INTO fact_events VALUES (1, 'old', 3), (2, 'older', 4)")
con.execute("CREATE INDEX old_idx ON fact_events (old_col)")
con.execute("CREATE VIEW events_monthly_by_type AS SELECT old_col, fatalities FROM fact_events")  # ours, stale
con.execute("CREATE VIEW analyst_view AS SELECT old_col FROM fact_events")  # not ours: must survive
con.execute("CREATE TABLE infighting_incidents_monthly (month DATE, n INTEGER)")  # now a view
con.execute("CREATE VIEW dim_source AS SELECT 1 AS source_id")  # now a table
con.execute("CREATE TABLE ingest_summary (inputs_seen INTEGER)")  # columns missing
con.execute("CREATE TABLE raw_articles (article_id INTEGER, body VARCHAR)")
con.execute("INSERT INTO raw_articles VALUES (7, 'old body')")
con.execute("CHECKPOINT")
con.execute("PRAGMA disable_checkpoint_on_shutdown")
con.execute("CREATE TABLE analyst_notes (note VARCHAR)")  # committed, only in the WAL
con.execute("INSERT INTO analyst_notes VALUES ('keep me')")
os._exit(0)  # a crash: the WAL is left next to the file
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert wal_path(path).exists()


@pytest.fixture(scope="module")
def drifted(tmp_path_factory, seed_folder):
    path = tmp_path_factory.mktemp("drift") / "warehouse.duckdb"
    build_old_warehouse(path)
    return path, run_job(path, seed_folder)


def test_run_over_an_old_schema_succeeds_and_every_check_passes(drifted):
    _, result = drifted
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations), [e.check_name for e in evaluations if not e.passed]


def test_tables_have_the_current_columns_and_views_are_views(drifted):
    path, _ = drifted
    with duckdb.connect(str(path), read_only=True) as con:
        for table in ("fact_events", "raw_articles", "ingest_summary", "dim_source"):
            assert [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()] == ddl_columns(table), table
        kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
        assert kinds["infighting_incidents_monthly"] == "VIEW" and kinds["dim_source"] == "BASE TABLE"
        assert con.execute("SELECT count(*) FROM events_monthly_by_type").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM raw_articles WHERE body = 'old body'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM fact_events").fetchone()[0] >= 5


def test_objects_sitrep_does_not_own_are_kept(drifted):
    path, _ = drifted
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT note FROM analyst_notes").fetchall() == [("keep me",)]  # replayed from the WAL
        assert "analyst_view" in {v for (v,) in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
        with pytest.raises(duckdb.BinderException):  # it reads a column that no longer exists: the analyst's call
            con.execute("SELECT * FROM analyst_view")


def test_no_wal_or_staging_file_is_left(drifted):
    path, _ = drifted
    assert not wal_path(path).exists()
    assert staging_files(path) == []


def test_a_non_duckdb_file_is_left_untouched_and_named_in_the_failure(tmp_path, seed_folder):
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(b"\x89PNG\r\n\x1a\nnot a database at all" * 100)
    before = path.read_bytes()
    result = run_job(path, seed_folder)
    assert not result.success
    errors = [_user_error(e.event_specific_data.error) for e in result.all_events if e.is_step_failure]
    assert errors and {e.cls_name for e in errors} == {"WarehouseUnreadable"}
    assert "is not a DuckDB database" in errors[0].message and "move it aside" in errors[0].message
    assert path.read_bytes() == before
    assert staging_files(path) == []


def test_headless_run_on_a_non_duckdb_file_exits_3_with_a_message_not_a_traceback(tmp_path, seed_folder):
    path = tmp_path / "warehouse.duckdb"
    path.write_text("SQLite format 3... or anything else that is not DuckDB\n" * 50)
    before = path.read_bytes()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"), "SITREP_WAREHOUSE": str(path),
           "SITREP_ARTICLES": str(seed_folder)}
    done = subprocess.run([sys.executable, "-m", "orchestration.run"], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "Traceback" not in done.stderr + done.stdout
    assert str(path) in done.stderr and "not a DuckDB database" in done.stderr
    assert path.read_bytes() == before
