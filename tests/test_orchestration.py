"""Jobs, schedules and sensors exist and behave; the code location validates with Dagster's own CLI."""
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.definitions import build_defs, defs
from orchestration.sensors import new_articles_sensor, outputs_after_refresh

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


def test_the_sensor_starts_facts_and_views_and_the_outputs_follow_off_that_path():
    assert defs.resolve_sensor_def("new_articles_sensor").job_name == "facts_and_views_job"
    assert defs.resolve_sensor_def("outputs_after_refresh").job_name == "outputs_job"
    graph = defs.resolve_asset_graph()
    outputs = {key for key in graph.get_all_asset_keys() if graph.get(key).group_name == "outputs"}
    everything = set(graph.get_all_asset_keys())
    fresh = set(defs.resolve_job_def("facts_and_views_job").asset_layer.selected_asset_keys)
    assert fresh == everything - outputs and dg.AssetKey("events_deduplicated") in fresh
    assert set(defs.resolve_job_def("outputs_job").asset_layer.selected_asset_keys) == outputs
    assert set(defs.resolve_job_def("sitrep_job").asset_layer.selected_asset_keys) == everything


def _checks_run(result) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def test_a_facts_and_views_run_refreshes_the_views_then_requests_the_outputs(tmp_path, seed_folder, monkeypatch):
    """The sensor's job runs the checks that gate the views and publishes facts and views without writing exports
    or the report; its success makes outputs_after_refresh request outputs_job, which writes them from the
    published warehouse and runs the non-blocking schema checks."""
    monkeypatch.setenv("SITREP_EXPORTS", str(tmp_path / "exports"))
    monkeypatch.setenv("SITREP_REPORTS", str(tmp_path / "reports"))
    local = build_defs(str(tmp_path / "warehouse.duckdb"), str(seed_folder))
    instance = dg.DagsterInstance.ephemeral()
    fresh = local.resolve_job_def("facts_and_views_job").execute_in_process(instance=instance)
    assert fresh.success and not (tmp_path / "exports").exists() and not (tmp_path / "reports").exists()
    graph = local.resolve_asset_graph()
    blocking = {key.name for key in graph.asset_check_keys if graph.get_check_spec(key).blocking}
    advisory = {key.name for key in graph.asset_check_keys} - blocking
    assert _checks_run(fresh) == {name: True for name in blocking}  # what gates the views runs before them
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events_deduplicated").fetchone()[0] >= 5
    context = dg.build_run_status_sensor_context(sensor_name="outputs_after_refresh", dagster_instance=instance,
                                                 dagster_run=fresh.dagster_run,
                                                 dagster_event=fresh.get_run_success_event())
    request = outputs_after_refresh(context)
    assert isinstance(request, dg.RunRequest) and request.run_key == fresh.run_id
    outputs = local.resolve_job_def("outputs_job").execute_in_process(instance=instance)
    assert outputs.success and _checks_run(outputs) == {name: True for name in advisory}
    assert (tmp_path / "reports" / "sitrep.html").exists() and any((tmp_path / "exports").iterdir())


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
