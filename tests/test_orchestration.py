"""Jobs, schedules and sensors exist and behave; the code location validates with Dagster's own CLI."""
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from orchestration.definitions import defs
from orchestration.sensors import new_articles_sensor

PROJECT = Path(__file__).resolve().parent.parent


def test_definitions_validate_with_the_dagster_cli(tmp_path):
    dagster = Path(sys.executable).parent / "dagster"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run([str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
                            cwd=PROJECT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_asset_graph_has_one_group_per_layer_and_every_asset_is_described():
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == {"reference", "ingest", "entities", "facts", "views", "outputs"}
    for key in graph.get_all_asset_keys():
        assert graph.get(key).description, key


def test_fact_checks_block_the_views():
    graph = defs.resolve_asset_graph()
    blocking = {key.asset_key.to_user_string() for key in graph.asset_check_keys if graph.get_check_spec(key).blocking}
    assert {"fact_events", "fact_casualty_claims", "fact_control_changes"} <= blocking


def test_daily_schedule_targets_the_pipeline_job():
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.job_name == "sitrep_job"


def test_sensor_requests_a_run_for_a_new_file_and_skips_when_nothing_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("SITREP_ARTICLES", str(tmp_path))
    (tmp_path / "a.txt").write_text("Title\n\nRebels shelled Aleppo on Monday.")
    with dg.instance_for_test() as instance:
        first = new_articles_sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(first, dg.RunRequest)
        context = dg.build_sensor_context(instance=instance, cursor=_cursor_after(new_articles_sensor, instance))
        assert isinstance(new_articles_sensor(context), dg.SkipReason)
        (tmp_path / "b.txt").write_text("Another\n\nClashes erupted in Homs.")
        again = new_articles_sensor(context)
        assert isinstance(again, dg.RunRequest) and again.run_key != first.run_key


def _cursor_after(sensor, instance) -> str:
    context = dg.build_sensor_context(instance=instance)
    sensor(context)
    return context.cursor
