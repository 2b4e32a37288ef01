"""Schedules: the whole pipeline runs daily so the warehouse, the exports and the report follow the feed
(between runs, the articles sensor keeps the facts and views fresh)."""
import dagster as dg

from orchestration.jobs import sitrep_job

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=sitrep_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    description="Run the whole pipeline, exports and report included, every day at 05:00 UTC.",
)
