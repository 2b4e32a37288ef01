"""Crashes and concurrent sessions, with real processes and real kills.

- A run SIGKILLed while it writes the fact tables leaves the warehouse exactly as before the run
  (every table's fingerprint), and the next run completes normally and cleans up.
- A read-only session held open in another process never blocks a run; a reader polling during
  the run only ever sees complete, mutually consistent tables (the old run's, then the new run's).
- A read-write session held open in another process makes the run wait, then exit 2 with a message
  that names the cause, instead of a bare "Could not set lock on file"; the warehouse is untouched.
- sitrep writers serialize on <warehouse>.writelock and never lose each other's writes.
"""
import csv
import io
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from orchestration.definitions import build_defs
from sitrep.warehouse import (StagedWrite, WarehouseLocked, replace_tables, staging_files, table_fingerprint,
                              wal_path, write_session)

PROJECT = Path(__file__).resolve().parent.parent
FAKES = PROJECT / "seeds" / "articles" / "fakes.csv"
EXTRA = "extra.txt"

READER = r"""
import duckdb, json, sys, time, os
path, stop, out = sys.argv[1:4]
polls, errors, seen = 0, [], []
while True:
    final = os.path.exists(stop)
    try:
        with duckdb.connect(path, read_only=True) as con:
            tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            missing = {"raw_articles", "rejected_inputs", "ingest_summary", "fact_events", "fact_casualty_claims",
                       "entity_mentions", "dim_actor"} - tables
            if missing:
                errors.append(f"missing tables {sorted(missing)}")
            seen_, ingested, quarantined = con.execute("SELECT * EXCLUDE (articles_dir) FROM ingest_summary").fetchone()
            raw = con.execute("SELECT count(*) FROM raw_articles").fetchone()[0]
            rejected = con.execute("SELECT count(*) FROM rejected_inputs").fetchone()[0]
            if (raw, rejected) != (ingested, quarantined) or seen_ != ingested + quarantined:
                errors.append(f"ingest tables disagree: {seen_} {ingested} {quarantined} vs {raw} {rejected}")
            orphans = con.execute("SELECT count(*) FROM fact_events ANTI JOIN raw_articles USING (article_id)").fetchone()[0]
            orphans += con.execute("SELECT count(*) FROM fact_casualty_claims ANTI JOIN fact_events USING (event_id)").fetchone()[0]
            if orphans:
                errors.append(f"{orphans} fact rows point at rows that are not there")
            con.execute("SELECT count(*) FROM events_monthly_by_type").fetchone()
            seen.append(raw)
        polls += 1
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    if final:
        break
    time.sleep(0.1)
json.dump({"polls": polls, "errors": errors[:20], "raw_counts": sorted(set(seen))}, open(out, "w"))
"""

HOLDER = r"""
import duckdb, sys, time
path, mode = sys.argv[1], sys.argv[2]
con = duckdb.connect(path, read_only=(mode == "ro"))
count = con.execute("SELECT count(*) FROM raw_articles").fetchone()[0]
print("ready", count, flush=True)
sys.stdin.readline()  # hold the connection until told to stop
print("still", con.execute("SELECT count(*) FROM raw_articles").fetchone()[0], flush=True)
"""


def write_folder(folder: Path, seed_folder: Path, rows: int, extra: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in seed_folder.iterdir():
        shutil.copy(path, folder / path.name)
    table = list(csv.reader(io.StringIO(FAKES.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out).writerows(table[:rows + 1])
    (folder / "fakes_slice.csv").write_text(out.getvalue(), encoding="utf-8")
    if extra:
        (folder / EXTRA).write_text("Rebels shell Idlib\n\nRebels shelled Idlib on Monday, killing three "
                                    "civilians, the Syrian Observatory for Human Rights said.\n")
    return folder


def fingerprints(path: Path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: table_fingerprint(con, t) for t in names}


def run_env(tmp: Path, warehouse: Path, articles: Path, **extra) -> dict:
    return {**os.environ, "DAGSTER_HOME": str(tmp / "dagster_home"), "SITREP_WAREHOUSE": str(warehouse),
            "SITREP_ARTICLES": str(articles), **extra}


def start_run(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "orchestration.run"], cwd=PROJECT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def lines_of(stream) -> "queue.Queue[str]":
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def wait_for_line(lines: "queue.Queue[str]", prefix: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError(f"no line starting {prefix!r} within {timeout}s")


def start_holder(path: Path, mode: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), mode], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout.readline().startswith("ready")
    return holder


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, seed_folder):
    """A warehouse built from the seed article and 8 FA-KES rows, and a second input with one more article."""
    tmp = tmp_path_factory.mktemp("crash")
    before = write_folder(tmp / "articles_before", seed_folder, rows=8, extra=False)
    after = write_folder(tmp / "articles_after", seed_folder, rows=8, extra=True)
    warehouse = tmp / "baseline" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    result = build_defs(str(warehouse), str(before)).resolve_job_def("sitrep_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success
    return {"warehouse": warehouse, "before": before, "after": after, "fingerprints": fingerprints(warehouse)}


def fresh_copy(baseline, tmp_path: Path) -> Path:
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copy(baseline["warehouse"], path)
    return path


@pytest.fixture(scope="module")
def killed(baseline, tmp_path_factory):
    """A run over the second input, SIGKILLed while it writes fact_events (paused there by the test hook)."""
    tmp = tmp_path_factory.mktemp("killed")
    path = fresh_copy(baseline, tmp)
    started = time.monotonic()
    run = start_run(run_env(tmp, path, baseline["after"], SITREP_TEST_PAUSE_BEFORE_COMMIT="fact_events",
                            SITREP_TEST_PAUSE_SECONDS="120"))
    try:
        pause = wait_for_line(lines_of(run.stderr), "sitrep-test-pause fact_events", timeout=120)
        staging = Path(pause.split(" ", 2)[2])
        staging_existed = staging.exists()
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        run.kill()
    return {"path": path, "tmp": tmp, "staging": staging, "staging_existed": staging_existed,
            "returncode": run.returncode, "seconds": time.monotonic() - started}


def test_sigkill_while_writing_facts_leaves_the_warehouse_as_it_was(baseline, killed):
    path = killed["path"]
    assert killed["returncode"] == -signal.SIGKILL
    assert killed["staging"].parent == path.parent and killed["staging_existed"]  # facts went to a copy
    assert fingerprints(path) == baseline["fingerprints"]  # every table, the ones written before the kill too
    assert killed["staging"] in staging_files(path)  # the killed run's copy is still there...
    assert not wal_path(path).exists()
    print(f"\nkilled while writing fact_events {killed['seconds']:.1f}s after start; warehouse unchanged")


def test_next_run_completes_while_read_only_sessions_stay_open_and_readers_never_see_half_a_run(baseline, killed):
    """The run after the kill, with a read-only session held open and a reader polling all along."""
    path, tmp = killed["path"], killed["tmp"]
    before_raw = int(baseline["fingerprints"]["raw_articles"].split(":")[0])
    holder = start_holder(path, "ro")
    stop, report = tmp / "stop", tmp / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(stop), str(report)])
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "orchestration.run"], cwd=PROJECT, capture_output=True,
                              text=True, env=run_env(tmp, path, baseline["after"]), timeout=300)
        seconds = time.monotonic() - started
        assert done.returncode == 0, done.stderr[-3000:]
        assert "retrying" not in done.stderr  # the read-only holder and the reader made nobody wait
        time.sleep(0.3)  # let the reader poll the new warehouse
        stop.touch()
        reader.wait(timeout=60)
        holder.stdin.write("stop\n")
        holder.stdin.flush()
        still = holder.stdout.readline()
        holder.wait(timeout=30)
    finally:
        stop.touch()
        for process in (reader, holder):
            if process.poll() is None:
                process.kill()
    assert staging_files(path) == []  # ...until the next writer removed it
    polled = json.loads(report.read_text())
    assert polled["errors"] == []
    assert polled["polls"] >= 5
    assert polled["raw_counts"] == [before_raw, before_raw + 1]  # the whole old run, then the whole new one
    assert still.split() == ["still", str(before_raw)]  # the open session kept reading its snapshot
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fact_events e JOIN raw_articles a USING (article_id) "
                           "WHERE a.source_file = ?", [EXTRA]).fetchone()[0] >= 1
    print(f"\nnext run with a read-only holder and a polling reader: {seconds:.1f}s, {polled['polls']} polls, "
          "no errors")


def test_a_read_write_session_makes_the_run_exit_2_with_a_clear_message(baseline, tmp_path):
    path = fresh_copy(baseline, tmp_path)
    holder = start_holder(path, "rw")
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "orchestration.run"], cwd=PROJECT, capture_output=True,
                              text=True, env=run_env(tmp_path, path, baseline["after"], SITREP_LOCK_WAIT_SECONDS="2"),
                              timeout=120)
        seconds = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "open read-write in another process" in done.stderr and f"PID {holder.pid}" in done.stderr
    assert "read-only" in done.stderr and "retrying" in done.stderr  # it waited, and said so
    assert seconds < 60
    assert fingerprints(path) == baseline["fingerprints"]
    print(f"\nrun against a read-write holder exited 2 after {seconds:.1f}s (wait 2s)")


def test_staged_write_waits_for_a_read_write_session_but_not_for_readers(baseline, tmp_path):
    path = fresh_copy(baseline, tmp_path)
    reader = start_holder(path, "ro")
    try:
        with write_session(path, wait_seconds=1) as con:  # a reader open: no wait
            con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
    finally:
        reader.kill()
    writer = start_holder(path, "rw")
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseLocked, match=f"PID {writer.pid}"):
            StagedWrite(path, wait_seconds=1).begin()
        assert 0.9 < time.monotonic() - started < 10
    finally:
        writer.kill()
        writer.wait()
    assert staging_files(path) == []
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT x FROM scratch").fetchall() == [(1,)]


WRITER = r"""
import sys, time
from sitrep.warehouse import write_session
with write_session(sys.argv[1]) as con:
    con.execute("CREATE OR REPLACE TABLE first_writer AS SELECT 42 AS answer")
    print("writing", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_writers_serialize_and_keep_each_others_writes(baseline, tmp_path):
    path = fresh_copy(baseline, tmp_path)
    first = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "1.5"], cwd=PROJECT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert first.stdout.readline().strip() == "writing"
        with pytest.raises(WarehouseLocked, match="being written by sitrep pid"):
            StagedWrite(path, wait_seconds=0.3).begin()
        with write_session(path, wait_seconds=30) as con:  # waits for the first, then copies its result
            replace_tables(con, {"rejected_inputs": pl.DataFrame(
                {"source_file": ["a'); DROP TABLE raw_articles; --"], "row_ref": [""], "reason": ["test"],
                 "detail": ["second writer"]})})
        assert first.wait(timeout=30) == 0, first.stderr.read()
    finally:
        first.kill()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT answer FROM first_writer").fetchall() == [(42,)]
        assert con.execute("SELECT source_file FROM rejected_inputs").fetchall() == [("a'); DROP TABLE raw_articles; --",)]
        assert con.execute("SELECT count(*) FROM raw_articles").fetchone()[0] > 0


def test_a_failed_swap_at_the_end_of_the_run_is_reported_and_publishes_nothing(baseline, tmp_path, monkeypatch,
                                                                                capsys):
    """Dagster calls a run whose resource teardown failed a success; the headless run must not."""
    from orchestration import run as headless
    from sitrep import warehouse as wh

    path = fresh_copy(baseline, tmp_path)
    real_replace = os.replace

    def disk_full(src, dst, *args, **kwargs):
        if ".staging-" in str(src):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(wh.os, "replace", disk_full)
    result = build_defs(str(path), str(baseline["after"])).resolve_job_def("sitrep_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    monkeypatch.setattr(wh.os, "replace", real_replace)
    assert fingerprints(path) == baseline["fingerprints"]
    assert staging_files(path) == []
    monkeypatch.setenv("SITREP_WAREHOUSE", str(path))
    headless.print_summary(result, 0.0)
    assert headless.exit_code(result) == 1
    out = capsys.readouterr()
    assert "NOT PUBLISHED" in out.out and "No space left on device" in out.out and "FAILED" in out.out
    assert "run not published" in out.err


def test_a_run_that_finds_another_writer_waits_once_then_fails_with_exit_2(baseline, tmp_path, monkeypatch, caplog):
    from orchestration import run as headless

    path = fresh_copy(baseline, tmp_path)
    first = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "60"], cwd=PROJECT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert first.stdout.readline().strip() == "writing"
        monkeypatch.setenv("SITREP_LOCK_WAIT_SECONDS", "1")
        with caplog.at_level("WARNING", logger="sitrep.warehouse"):
            result = build_defs(str(path), str(baseline["after"])).resolve_job_def("sitrep_job").execute_in_process(
                instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    finally:
        first.kill()
        first.wait()
    assert not result.success
    waits = [r.getMessage() for r in caplog.records if "retrying in 0.1s" in r.getMessage()]
    assert len(waits) == 1 and f"sitrep pid {first.pid}" in waits[0]  # one wait for the run, not one per step
    assert headless.failure_exit_code(result) == 2
    assert fingerprints(path) == baseline["fingerprints"]
