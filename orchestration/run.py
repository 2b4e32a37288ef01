"""Headless run of sitrep_job: the same asset graph the UI shows, recorded in DAGSTER_HOME, then a summary.

Usage: python -m orchestration.run   (make run sets DAGSTER_HOME, SITREP_ARTICLES, SITREP_WAREHOUSE)
Exit codes: 0 success, 1 the run failed (a step or a blocking check), 2 the warehouse was locked.
"""
import os
import sys
import time
from pathlib import Path

import dagster as dg

from orchestration.resources import PROJECT_ROOT, articles_dir_from_env, warehouse_path_from_env
from sitrep.warehouse import WarehouseLocked, connect

SUMMARY_TABLES = ("raw_articles", "rejected_inputs", "fact_events", "fact_casualty_claims",
                  "fact_control_changes", "fact_control_observations", "entity_mentions", "unresolved_mentions")


def ensure_dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))).resolve()
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch(exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_pipeline(selection: list[str] | None = None, tags: dict[str, str] | None = None) -> "dg.ExecutionResult":
    """Execute sitrep_job (or only the selected assets) in the persistent Dagster instance."""
    from orchestration.definitions import defs  # noqa: F401  (import after DAGSTER_HOME is set)
    job = dg.reconstructable(_job)
    with dg.DagsterInstance.get() as instance:
        return dg.execute_job(job, instance=instance, raise_on_error=False, tags=tags,
                              asset_selection=[dg.AssetKey(key) for key in selection] if selection else None,
                              run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})


def _job():
    from orchestration.definitions import defs
    return defs.resolve_job_def("sitrep_job")


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
    print(f"run id      {result.run_id}  ({'success' if result.success else 'FAILED'}, {seconds:.1f}s wall)")
    print(f"articles    {articles_dir_from_env()}")
    print(f"warehouse   {warehouse_path_from_env()}")
    try:
        with connect(warehouse_path_from_env(), read_only=True, wait_seconds=10) as con:
            seen = con.execute("SELECT inputs_seen, ingested, quarantined FROM ingest_summary").fetchone()
            print(f"inputs      {seen[0]} seen = {seen[1]} ingested + {seen[2]} quarantined")
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


def main() -> int:
    ensure_dagster_home()
    started = time.monotonic()
    try:
        result = run_pipeline()
    except WarehouseLocked as error:
        print(f"sitrep: {error}", file=sys.stderr)
        return 2
    print_summary(result, time.monotonic() - started)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"step failed: {event.step_key}: {event.event_specific_data.error.message.strip()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
