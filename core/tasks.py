from celery import shared_task


@shared_task(name="core.ping")
def ping() -> str:
    """Round trip through the broker and a worker; /healthz/?deep=1 uses it."""
    return "pong"


@shared_task(name="core.purge_recycle_bin")
def purge_recycle_bin() -> int:
    """Remove recycle-bin entries older than SANQI_RECYCLE_BIN_DAYS (Celery beat, hourly)."""
    from core.recycle import recycle_bin_purge

    return recycle_bin_purge()
