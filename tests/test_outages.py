"""Redis lost (issue 11, item 4): the cache is an optimisation, never a dependency.

A private ``redis-server`` started by the test on its own port serves as cache and broker, then
is killed: writes still answer 302/201, dashboards 200 (computed without the cache), ``/healthz/``
207 "degraded". Redis then comes back *with its old data* (a snapshot taken before the outage,
as docker-compose's Redis keeps one): the dashboards show the writes made during the outage, not
the figures cached before it. Also: the restore procedure of docs/deploy.md (pg_dump, a change,
pg_restore, ``manage.py clear_figures_cache``) leaves no stale figures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.conftest import require_service
from tests.funding import test_crud as funding_suite
from tests.funding.conftest import YEAR, allocate

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PORT = int(os.environ.get("SANQI_TEST_REDIS_PORT", "6391"))


class PrivateRedis:
    """A redis-server of the test's own, keeping its data in a snapshot file across a restart."""

    def __init__(self, directory, port=PORT):
        self.directory, self.port, self.process = str(directory), port, None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.directory,
             "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no", "--logfile", ""],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except Exception:  # noqa: BLE001 - still starting
                time.sleep(0.05)
        pytest.fail(f"the private redis-server on port {self.port} did not start")

    def kill(self):
        """Snapshot the data (as Redis does by itself in production), then die without a word."""
        self.client().save()
        self.process.kill()
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path, settings, monkeypatch):
    """Cache (db 0) and Celery broker (db 1) on a private redis-server; healthz checks both."""
    require_service("redis-server (to start a private one)", bool(shutil.which("redis-server")))
    server = PrivateRedis(tmp_path).start()
    from core import cache as failsafe
    from sanqi.celery import app

    settings.CACHES = {"default": {"BACKEND": "core.cache.FailSafeRedisCache", "LOCATION": server.url(0)}}
    monkeypatch.setattr(failsafe, "RETRY_SECONDS", 0.0)  # each call tries Redis again: no waiting in tests
    monkeypatch.setattr(failsafe, "_state", {"down_until": 0.0, "last_error": ""})
    monkeypatch.setenv("CELERY_BROKER_URL", server.url(1))  # celery reads it before its settings
    # ... unless an earlier test already configured the app and opened its producer pool: then
    # tasks would still reach the session's real broker and worker, which would refresh the facts
    # behind this test's back. Point the app here and drop the pool, both ways.
    # (Not closed: kombu keeps pools per broker in a registry, and a closed one would be handed
    # back to the next test that queues on the real broker.)
    broker, app.conf.broker_url = app.conf.broker_url, server.url(1)
    app._pool = None
    app.amqp._producer_pool = None
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        yield server
    finally:
        app.conf.task_always_eager = eager
        # The producer pool keeps its connections to this server: drop them, or every later test
        # that queues a task talks to a port nobody listens on any more.
        app.pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = broker
        server.stop()


def dashboard(client, node, year=YEAR):
    response = client.get(f"/api/v1/reports/dashboard/{node.code}/?year={year}")
    assert response.status_code == 200, response.content[:500]
    return response.json()["totals"][str(year)]


def _write_during_outage(tree, personas, login, api):
    """A page write (a new allocation) and an API write (another): both committed, both answered."""
    suite = funding_suite.TestAllocationCrud()
    page = login(personas.street_clerk).post(suite.url("add"), suite.create_data(tree))
    assert page.status_code == 302, page.content.decode()[:2000]
    created = api(personas.street_clerk).post(suite.api_url(), {**suite.create_data(tree), "amount": "700.00"}, format="json")
    assert created.status_code == 201, created.content


def test_redis_killed_writes_and_dashboards_answer_and_nothing_is_stale_after(
    private_redis, tree, personas, login, api, client
):
    require_service("PostgreSQL", connection.vendor == "postgresql", connection.vendor)
    allocate(tree.community_a1, "10000.00")
    reader = api(personas.district_reviewer)
    before = dashboard(reader, tree.street_a)
    assert before["working_funds"] == "10000.00"
    healthy = client.get(reverse("healthz"))
    assert healthy.status_code == 200 and healthy.json()["cache"] == healthy.json()["broker"] == "ok"

    private_redis.kill()
    health = client.get(reverse("healthz"))
    assert health.status_code == 207, health.content
    assert health.json() == {"status": "degraded", "database": "ok", "cache": "unavailable", "broker": "unavailable"}
    _write_during_outage(tree, personas, login, api)
    during = dashboard(reader, tree.street_a)  # computed without the cache
    assert during["working_funds"] == "15700.00"
    page = login(personas.district_reviewer).get(reverse("reports:dashboard"), {"node": tree.street_a.code, "year": YEAR})
    assert page.status_code == 200 and "15,700.00" in page.content.decode()

    private_redis.start()  # back, with the figures and versions it had before the outage
    assert client.get(reverse("healthz")).status_code == 200
    assert dashboard(reader, tree.street_a)["working_funds"] == "15700.00"  # not the figures cached before


def test_restore_procedure_leaves_no_stale_figures(private_redis, tree, personas, api, tmp_path):
    """docs/deploy.md 八.4, on the test database: back up, change, restore, clear the figures cache."""
    require_service("PostgreSQL and its client tools", connection.vendor == "postgresql" and bool(shutil.which("pg_restore")))
    db = connection.settings_dict
    env = dict(os.environ, PGPASSWORD=db.get("PASSWORD") or "")
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres", "-d", db["NAME"]]
    from figures.refresh import refresh_dirty

    allocate(tree.community_a1, "10000.00")
    refresh_dirty()  # no change waiting in the backup (the facts table's dirty marks would hide the problem)
    reader = api(personas.district_reviewer)
    dump = tmp_path / "backup.dump"
    subprocess.run(["pg_dump", *args, "-Fc", "-f", str(dump)], check=True, env=env)
    allocate(tree.community_a1, "2500.00")  # after the backup
    refresh_dirty()
    assert dashboard(reader, tree.street_a)["working_funds"] == "12500.00"  # cached now

    connection.close()
    subprocess.run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", str(dump)], check=True, env=env,
                   capture_output=True)
    assert dashboard(reader, tree.street_a)["working_funds"] == "12500.00"  # the cache does not know
    call_command("clear_figures_cache")
    assert dashboard(reader, tree.street_a)["working_funds"] == "10000.00"  # the restored data
