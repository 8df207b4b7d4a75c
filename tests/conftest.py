"""Shared fixtures: a small hierarchy and the personas every suite uses.

Hierarchy (codes are real-shaped 统计用区划代码):
  甘肃省 62 → 兰州市 6201 → 城关区 620102 → 街道A 620102001 → 社区A1, 社区A2
                                        → 街道B 620102002 → 社区B1
                       → 七里河区 620103 → 街道C 620103001 → 社区C1
Personas (healthchecks' alice/bob/charlie, for this domain):
  district_reviewer: 审核员 on 城关区      street_clerk: 录入员 on 街道A
  community_clerk:   录入员 on 社区A1      neighbour_clerk: 录入员 on 街道B
  viewer:            查看员 on 城关区      admin: system administrator
  read_token / write_token: API tokens of district_reviewer and street_clerk
  other_reviewer:    审核员 on 七里河区 (another district: everything of 城关区 is foreign to them)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from communities.models import CommunityType, Node, PartyOrgForm
from core.models import ApiToken, Assignment, Role

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, available: bool, detail: str = "") -> None:
    """Skip a test whose service is missing, except in CI, where that is a failure."""
    if available:
        return
    message = f"{name} is not available{': ' + detail if detail else ''}"
    if IN_CI:
        pytest.fail(f"{message} (CI must provide it)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashers cost ~0.3 s per user; tests create several users each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_node(code: str, name: str, parent: Node | None = None, **facts) -> Node:
    node = Node(code=code, name=name, parent=parent, **facts)
    node.full_clean()
    node.save()
    return node


def community_facts(**overrides) -> dict:
    facts = dict(
        community_type=CommunityType.COMMERCIAL,
        resident_population=6000,
        floating_population=900,
        households=2100,
        party_members=180,
        party_org_form=PartyOrgForm.GENERAL_BRANCH,
    )
    facts.update(overrides)
    return facts


@dataclass
class Tree:
    province: Node
    city: Node
    district: Node
    street_a: Node
    street_b: Node
    community_a1: Node
    community_a2: Node
    community_b1: Node
    other_district: Node
    street_c: Node
    community_c1: Node


@pytest.fixture
def tree(db) -> Tree:
    province = make_node("620000000000", "甘肃省")
    city = make_node("620100000000", "兰州市", province)
    district = make_node("620102000000", "城关区", city)
    street_a = make_node("620102001000", "酒泉路街道", district)
    street_b = make_node("620102002000", "张掖路街道", district)
    other = make_node("620103000000", "七里河区", city)
    street_c = make_node("620103001000", "西园街道", other)
    return Tree(
        province=province,
        city=city,
        district=district,
        street_a=street_a,
        street_b=street_b,
        community_a1=make_node("620102001001", "南关社区", street_a, **community_facts()),
        community_a2=make_node("620102001002", "北关社区", street_a, **community_facts(households=3000)),
        community_b1=make_node("620102002001", "中山社区", street_b, **community_facts()),
        other_district=other,
        street_c=street_c,
        community_c1=make_node("620103001001", "西湖社区", street_c, **community_facts()),
    )


@dataclass
class Personas:
    district_reviewer: object
    street_clerk: object
    community_clerk: object
    neighbour_clerk: object
    viewer: object
    admin: object
    read_token: str
    write_token: str
    other_reviewer: object


def _user(username, node=None, role=None, **extra):
    user = get_user_model().objects.create_user(username=username, password="Test-pass-2026!", **extra)
    if node is not None:
        Assignment.objects.create(user=user, node=node, role=role)
    return user


def _token(user, read_only: bool) -> str:
    token = ApiToken(user=user, name=f"{user.username}-token", read_only=read_only)
    key = token.set_key()
    token.save()
    return key


@pytest.fixture
def personas(tree) -> Personas:
    reviewer = _user("district_reviewer", tree.district, Role.REVIEWER)
    clerk = _user("street_clerk", tree.street_a, Role.ENTRY)
    return Personas(
        district_reviewer=reviewer,
        street_clerk=clerk,
        community_clerk=_user("community_clerk", tree.community_a1, Role.ENTRY),
        neighbour_clerk=_user("neighbour_clerk", tree.street_b, Role.ENTRY),
        viewer=_user("viewer", tree.district, Role.VIEWER),
        admin=_user("admin", is_superuser=True, is_staff=True),
        read_token=_token(reviewer, read_only=True),
        write_token=_token(clerk, read_only=False),
        other_reviewer=_user("qilihe_reviewer", tree.other_district, Role.REVIEWER),
    )


@pytest.fixture
def login(client):
    """``login(user)`` → the Django test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api():
    """``api(user=None, token=None)`` → a DRF client authenticated by session or token."""

    def _api(user=None, token=None):
        c = APIClient()
        if user is not None:
            c.force_login(user)
        if token is not None:
            c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return c

    return _api


def _redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker process on the real broker, using the test database.

    Yields a handle with ``.process`` (to kill it) and ``.restart()``. Tasks it runs see
    only committed data, so tests using it need ``transactional_db``.
    """
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    broker = settings.CELERY_BROKER_URL
    require_service("Redis broker (CELERY_BROKER_URL)", bool(broker) and _redis_reachable(broker), broker or "unset")
    db = connection.settings_dict
    require_service("a database a worker process can share", db["ENGINE"].endswith("postgresql"), db["ENGINE"])
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    class Worker:
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "sanqi", "worker", "--pool=solo", "--concurrency=1",
                 "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", f"test-{os.getpid()}@%h"],
                env=env,
                cwd=str(settings.BASE_DIR),
            )
            from sanqi.celery import app

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if app.control.ping(timeout=1.0):
                    return self
                if self.process.poll() is not None:
                    pytest.fail(f"the Celery worker exited with {self.process.returncode}")
            pytest.fail("the Celery worker did not answer within 60 s")

        def stop(self):
            if self.process and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()

        def restart(self):
            self.stop()
            return self.start()

    worker = Worker().start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def eager_tasks(request):
    """Run Celery tasks inline (as without a broker), even when CELERY_BROKER_URL is set for the
    worker tests; those (using ``celery_worker_process``) keep the real broker."""
    if "celery_worker_process" in request.fixturenames:
        yield
        return
    from sanqi.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def wait_until(predicate, timeout: float, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass (for work done by another
    process, such as a Celery worker)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def _flush_retrying_deadlocks():
    """The session's real Celery worker may be refreshing the facts table when a transactional
    test's teardown truncates every table; PostgreSQL then picks one of the two as a deadlock
    victim. The worker's transaction is short: flush again instead of failing the next tests."""
    import time

    from django.core.management.base import CommandError
    from django.core.management.commands import flush

    original = flush.Command.handle

    def handle(self, **options):
        for attempt in range(6):
            try:
                return original(self, **options)
            except CommandError:
                if attempt == 5:
                    raise
                time.sleep(0.5)

    flush.Command.handle = handle


_flush_retrying_deadlocks()
