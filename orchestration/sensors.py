"""Sensors: a run starts when files are added to, changed in or removed from the articles folder."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.jobs import sitrep_job
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


@dg.sensor(job=sitrep_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Requests a run when the articles folder (SITREP_ARTICLES) changes.")
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
