from celery import shared_task


@shared_task(name="core.ping")
def ping() -> str:
    """Round trip through the broker and a worker; /healthz/?deep=1 uses it."""
    return "pong"
