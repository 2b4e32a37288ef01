"""Headless run of sitrep_job: the same asset graph the UI shows, recorded in DAGSTER_HOME, then a summary.

Usage: python -m orchestration.run [--job facts_and_views_job | outputs_job]
       (make run sets DAGSTER_HOME, SITREP_ARTICLES, SITREP_WAREHOUSE; the default job is sitrep_job, the
       whole pipeline; --job runs the one the articles sensor starts, or the exports and report alone)
Exit codes: 0 success, 1 the run failed (a step or a blocking check), 2 the warehouse was locked
(another run writing, or a read-write DuckDB session open on it, past SITREP_LOCK_WAIT_SECONDS),
3 the file at SITREP_WAREHOUSE is not a DuckDB database sitrep can open (it is left untouched).
"""
import argparse
import functools
import os
import sys
import time
from pathlib import Path

import dagster as dg

from orchestration.resources import PROJECT_ROOT, articles_dir_from_env, lock_wait_from_env, warehouse_path_from_env
from sitrep.warehouse import WarehouseError, WarehouseLocked, WarehouseUnreadable, check_openable, connect

SUMMARY_TABLES = ("raw_articles", "rejected_inputs", "fact_events", "fact_casualty_claims",
                  "fact_control_changes", "fact_control_observations", "entity_mentions", "unresolved_mentions")


def ensure_dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))).resolve()
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch(exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_pipeline(selection: list[str] | None = None, tags: dict[str, str] | None = None,
                 job: str = "sitrep_job") -> "dg.ExecutionResult":
    """Execute a job (or only the selected assets of it) in the persistent Dagster instance."""
    with dg.DagsterInstance.get() as instance:
        return dg.execute_job(dg.reconstructable(JOBS[job]), instance=instance, raise_on_error=False, tags=tags,
                              asset_selection=[dg.AssetKey(key) for key in selection] if selection else None,
                              run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})


@functools.cache
def _headless_defs() -> dg.Definitions:
    """The code location's graph without the executor-fanned extraction jobs, which a headless run never uses."""
    from orchestration.graph import build_defs
    return build_defs(warehouse_path_from_env(), articles_dir_from_env(), parallel=False)


# execute_job rebuilds the job from a module-level function, one per job.
def _sitrep_job():
    return _headless_defs().resolve_job_def("sitrep_job")


def _facts_and_views_job():
    return _headless_defs().resolve_job_def("facts_and_views_job")


def _outputs_job():
    return _headless_defs().resolve_job_def("outputs_job")


JOBS = {"sitrep_job": _sitrep_job, "facts_and_views_job": _facts_and_views_job, "outputs_job": _outputs_job}


def check_results(result) -> list[tuple[str, bool, str]]:
    rows = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            rows.append((f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}", evaluation.passed,
                         evaluation.description or ""))
    return sorted(rows)


def print_summary(result, seconds: float) -> None:
    print("\n=== sitrep run summary ===")
    not_published = unpublished(result)
    status = "success" if result.success and not not_published else "FAILED"
    print(f"run id      {result.run_id}  ({status}, {seconds:.1f}s wall)")
    print(f"articles    {articles_dir_from_env()}")
    print(f"warehouse   {warehouse_path_from_env()}")
    for info in not_published:
        print(f"  NOT PUBLISHED: the run's writes were discarded and the warehouse still holds the previous run "
              f"({_describe(info)})")
    try:
        with connect(warehouse_path_from_env(), read_only=True, wait_seconds=10) as con:
            seen = con.execute("SELECT inputs_seen, ingested, quarantined FROM ingest_summary").fetchone()
            print(f"inputs      {seen[0]} seen = {seen[1]} ingested + {seen[2]} quarantined")
            if seen[0] != seen[1] + seen[2]:
                print(f"  NOT ACCOUNTED FOR  {seen[0] - seen[1] - seen[2]} inputs (a bug: please report it)")
            for reason, count in con.execute("SELECT reason, count(*) FROM rejected_inputs GROUP BY 1 ORDER BY 2 DESC").fetchall():
                print(f"  quarantined {count:>5}  {reason}")
            for table in SUMMARY_TABLES:
                count = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                print(f"{table:<26}{count:>8}")
            print("events by type:")
            for event_type, count in con.execute("SELECT event_type, count(*) FROM fact_events GROUP BY 1 ORDER BY 2 DESC").fetchall():
                print(f"  {count:>6}  {event_type}")
            infighting = con.execute("SELECT coalesce(sum(incidents), 0) FROM infighting_incidents_monthly").fetchone()[0]
            print(f"infighting incidents (view)  {infighting}")
    except Exception as error:  # the summary must not hide the run's own outcome
        print(f"(warehouse summary unavailable: {error})")
    checks = check_results(result)
    failed = [c for c in checks if not c[1]]
    print(f"checks      {len(checks) - len(failed)} passed, {len(failed)} failed")
    for name, _, description in failed:
        print(f"  FAILED {name}: {description}")


EXIT_CODES = {WarehouseLocked.__name__: 2, WarehouseUnreadable.__name__: 3}


def _describe(info) -> str:
    """'WarehouseLocked: <message>', whether or not Dagster prefixed the message with the (qualified) class."""
    message = info.message.strip()
    head, _, rest = message.partition(": ")
    if rest and (head == info.cls_name or head.endswith(f".{info.cls_name}")):
        message = rest
    return f"{info.cls_name}: {message}"


def _user_error(info):
    """The innermost error of a Dagster error chain (the user code's own exception, not Dagster's wrapper)."""
    while info is not None and (info.cause or info.context) is not None and info.cls_name not in EXIT_CODES:
        info = info.cause or info.context
    return info


def preflight(path: str, wait_seconds: float) -> int:
    """0 if the warehouse can be written (or does not exist yet), else the exit code, after saying why."""
    try:
        check_openable(path, wait_seconds)
    except WarehouseError as error:
        print(f"sitrep: {error}", file=sys.stderr)
        return EXIT_CODES.get(type(error).__name__, 1)
    return 0


def unpublished(result) -> list:
    """Errors of the run's end, when the warehouse resource swaps the staged copy in. Dagster logs a failed
    resource teardown as an engine event and still calls the run a success, so look for it here."""
    return [_user_error(event.event_specific_data.error) for event in result.all_events
            if event.event_type_value == "ENGINE_EVENT" and getattr(event.event_specific_data, "error", None)]


def exit_code(result) -> int:
    """0 only when every step succeeded and the run's warehouse was published."""
    return 0 if result.success and not unpublished(result) else failure_exit_code(result)


def failure_exit_code(result) -> int:
    """Say in one line per failed step what went wrong; 2 / 3 when the warehouse was the cause."""
    code, said = 1, set()
    for info in unpublished(result):
        print(f"run not published: {_describe(info)}", file=sys.stderr)
        code = max(code, EXIT_CODES.get(info.cls_name, 1))
    for event in result.all_events:
        if event.is_step_failure or event.event_type_value in ("RUN_FAILURE", "PIPELINE_FAILURE"):
            info = _user_error(getattr(event.event_specific_data, "error", None))
            if info is None:
                continue
            code = max(code, EXIT_CODES.get(info.cls_name, 1))
            if event.step_key or _describe(info) not in said:
                where = f"step failed: {event.step_key}" if event.step_key else "run failed"
                print(f"{where}: {_describe(info)}", file=sys.stderr)
                said.add(_describe(info))
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a sitrep job headless and print a summary.")
    parser.add_argument("--job", choices=sorted(JOBS), default="sitrep_job")
    args = parser.parse_args(argv)
    ensure_dagster_home()
    if code := preflight(warehouse_path_from_env(), lock_wait_from_env(120.0)):
        return code
    started = time.monotonic()
    try:
        result = run_pipeline(job=args.job)
    except WarehouseError as error:
        print(f"sitrep: {error}", file=sys.stderr)
        return EXIT_CODES.get(type(error).__name__, 1)
    print_summary(result, time.monotonic() - started)
    return exit_code(result)


if __name__ == "__main__":
    sys.exit(main())
