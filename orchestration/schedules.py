"""Schedules: the pipeline runs daily so the warehouse follows the feed."""
import dagster as dg

from orchestration.jobs import sitrep_job

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=sitrep_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    description="Rebuild the warehouse from the articles folder every day at 05:00 UTC.",
)
