"""Sensors: new articles start the freshness path (facts and views, facts_and_views_job) when files are added to,
changed in or removed from the articles folder; once it succeeds, the exports and the report follow (outputs_job),
off that path."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.jobs import facts_and_views_job, outputs_job
from orchestration.resources import articles_dir_from_env


def folder_state(folder: Path) -> dict[str, list[int]]:
    """Each visible file's size and modification time, by relative path."""
    state = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
                stat = path.stat()
                state[path.relative_to(folder).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return state


@dg.sensor(job=facts_and_views_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Requests a facts_and_views_job run when the articles folder (SITREP_ARTICLES) changes.")
def new_articles_sensor(context: dg.SensorEvaluationContext):
    folder = Path(articles_dir_from_env())
    state = folder_state(folder)
    fingerprint = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
    previous = json.loads(context.cursor) if context.cursor else {}
    if previous.get("fingerprint") == fingerprint:
        return dg.SkipReason(f"no change in {folder} ({len(state)} files)")
    added = sorted(set(state) - set(previous.get("files", [])))
    context.update_cursor(json.dumps({"fingerprint": fingerprint, "files": sorted(state)}))
    return dg.RunRequest(run_key=fingerprint, tags={"sitrep/changed_files": str(len(added))})


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[facts_and_views_job],
                      request_job=outputs_job, default_status=dg.DefaultSensorStatus.STOPPED,
                      description="Requests an outputs_job run (exports, report) after each successful "
                                  "facts_and_views_job run, so new articles reach them without delaying the views.")
def outputs_after_refresh(context: dg.RunStatusSensorContext):
    return dg.RunRequest(run_key=context.dagster_run.run_id, tags={"sitrep/after_run": context.dagster_run.run_id})
