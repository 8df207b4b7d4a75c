"""schemathesis over the whole OpenAPI document (issue 12): every operation of ``/api/schema/``,
as the administrator and as a street clerk, with a bounded number of generated requests each.

Asserts, for every answer: no server error (5xx), a status code the operation documents, the
documented content type, a body that conforms to the documented schema. What breaks is fixed in
the schema (``extend_schema``, serializer fields) or in the view, never by loosening this test.

How it runs (schemathesis 4 and pytest 9): the schema is loaded inside the test from the
document the API serves (``schemathesis.openapi.from_dict``: the lazy pytest loader does not work
with pytest 9), and each operation's Hypothesis strategy is drawn by a ``@given`` inside the
test. Requests go to Django's WSGI application in this thread, on the test's database
connection: Django's ``close_old_connections`` request signals are disconnected while it runs
(as Django's test client does), else the first request would close the test's transaction. Each
generated request runs in a savepoint that is rolled back, so every request meets the same
records (a DELETE does not empty the world for the operations after it).

Deterministic and bounded: ``derandomize`` (the seed comes from the test), no example database,
no shrinking (a failure is reported as found, with the request to reproduce it),
``MAX_EXAMPLES`` requests per operation and persona, half of them at a record of the persona's
scope (the ``{id}`` of tests/world.py's records) and half at generated ids.

    .venv/bin/python -m pytest tests/test_schemathesis.py -q -s   # -s prints the counts
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.urlwalk import model_of, routes
from tests.conftest import _token
from tests.world import build_world

pytestmark = pytest.mark.django_db

# Cases per operation, each sent as every persona: at a record of tests/world.py (when the
# operation names one: its {id}, {code} or ``node``), and with everything generated.
AT_RECORDS, GENERATED = 2, 1
PERSONAS = ("admin", "street_clerk")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations not sent (method, path template) and why. Empty: every operation is walked, writes
# included (each request is rolled back).
EXCLUDED: dict[tuple[str, str], str] = {}


@pytest.fixture
def world(tree, personas):
    """One record of every scoped model in 社区A1 (街道A: the street clerk's scope)."""
    return build_world(marker="秘A档", community=tree.community_a1, street=tree.street_a, district=tree.district,
                       actor=personas.admin)


def api_routes() -> dict[str, object]:
    return {r.pattern.name: r for r in routes() if r.name.split(":")[0].endswith("-api")}


def record_parameters(path: str, world, by_name) -> dict:
    """The path parameters that name a record of ``world`` for this operation."""
    from django.urls import resolve

    names = re.findall(r"\{([^}]+)\}", path)
    if not names:
        return {}
    match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    route = by_name[match.url_name]
    values = {}
    for name in names:
        if name == "code":
            values[name] = world.community.code
        else:
            values[name] = world.of(model_of(route, route.params[0])).pk
    return values


@contextlib.contextmanager
def on_the_tests_connection():
    """Django's ``close_old_connections`` would close the test's connection (it is inside a
    transaction) when a request starts and finishes: off while one request runs. Django's test
    client does the same around each of its requests, and connects them again afterwards."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_conforms_to_the_schema(personas, world, eager_tasks, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    tokens = {persona: _token(getattr(personas, persona), read_only=False) for persona in PERSONAS}
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {tokens['street_clerk']}")
    document = reader.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schema = schemathesis.openapi.from_dict(document)
    by_name = api_routes()
    wsgi_app = get_wsgi_application()

    stats = Counter()
    problems: dict[str, set[str]] = {}

    def send(case, label):
        """The same request as each persona, each in a savepoint rolled back afterwards."""
        stats["cases"] += 1
        for persona, key in tokens.items():
            with on_the_tests_connection(), transaction.atomic():
                response = case.call(app=wsgi_app, headers={"Authorization": f"Token {key}"})
                transaction.set_rollback(True)
            stats[f"{persona} {response.status_code}"] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                for failure in group.exceptions:
                    problems.setdefault(label, set()).add(
                        f"as {persona}: {type(failure).__name__}: {failure.title} ({response.status_code}) "
                        f"{failure.message[:400]}"
                    )

    def explore(strategy, examples, label):
        @hypothesis_settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                             phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            send(case, label)

        run()

    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        stats["operations"] += 1
        fixed = record_parameters(operation.path, world, by_name)
        node_parameter = any(p.name == "node" for p in operation.query)
        if fixed or node_parameter:  # at a record in scope (and the figures of a node in scope)
            query = {"node": world.community.pk} if node_parameter else None
            explore(operation.as_strategy(path_parameters=fixed or None, query=query), AT_RECORDS, label)
            explore(operation.as_strategy(), GENERATED, label)
        else:
            explore(operation.as_strategy(), AT_RECORDS + GENERATED, label)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nschemathesis: {stats['operations']} operations, {stats['cases']} cases sent as {len(tokens)} "
              f"personas, {len(problems)} operations with problems, {elapsed:.0f} s; answers: "
              + ", ".join(f"{k}: {v}" for k, v in sorted(stats.items()) if k.split()[0] in tokens))
    report = "\n".join(f"{label}:\n  " + "\n  ".join(sorted(found)) for label, found in sorted(problems.items()))
    assert not problems, f"{len(problems)} operations break the schema or answer 5xx:\n{report}"
    assert stats["operations"] > 150 and stats["cases"] >= stats["operations"] * (AT_RECORDS + GENERATED)
