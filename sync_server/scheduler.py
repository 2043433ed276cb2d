"""The background scheduler (APScheduler 3.x) for weekly snapshots and log purges."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from sfa_desktop.core.entities.base import utcnow
from sync_server.config import ServerSettings
from sync_server.services.forecast_history import snapshot_job
from sync_server.services.pull import purge_log


def _purge_job(sessions: sessionmaker[Session], days: int) -> None:
    with sessions() as session:
        purge_log(session, timedelta(days=days), utcnow())


def start_scheduler(
    settings: ServerSettings, sessions: sessionmaker[Session]
) -> BackgroundScheduler:
    """Start the weekly forecast snapshot and the daily log purge."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        snapshot_job,
        "cron",
        day_of_week=settings.snapshot_day_of_week,
        hour=settings.snapshot_hour,
        args=(sessions,),
        id="forecast-snapshot",
        coalesce=True,
    )
    scheduler.add_job(
        _purge_job,
        "cron",
        hour=3,
        args=(sessions, settings.log_retention_days),
        id="purge-log",
        coalesce=True,
    )
    scheduler.start()
    return scheduler
