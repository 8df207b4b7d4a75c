"""Celery runs on the real broker with a real worker (in CI), and the health endpoint."""

import pytest
from django.urls import reverse


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_redis_and_a_worker(celery_worker_process, client):
    from core.tasks import ping

    assert ping.delay().get(timeout=30) == "pong"
    body = client.get(reverse("healthz"), {"deep": 1}).json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "worker": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_ci_runs_against_postgresql_and_redis():
    """In CI the suite must really run on the services, never silently on the fallbacks."""
    import os

    from django.conf import settings
    from django.db import connection

    from tests.conftest import IN_CI

    if not IN_CI:
        pytest.skip("outside CI the embedded defaults are fine")
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://") and not settings.CELERY_TASK_ALWAYS_EAGER
    assert os.environ.get("DATABASE_URL")
