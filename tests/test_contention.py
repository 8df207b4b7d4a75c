"""Ordinary contention never answers 500 (issue 11, item 3), on PostgreSQL with real threads,
each with its own connection:

- the same record created 20 times at once (pages, API, an Excel upload): one is saved, every
  other request is refused with a Chinese message (a 400 in the API and the upload report);
- uploads naming two communities in opposite orders, and appointments moved A→B and B→A at once,
  do not deadlock (locks are taken in one order);
- a deadlock or serialization failure is retried once, then answered "请稍后重试", never a 500.
"""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from datetime import date

import openpyxl
import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests import test_communities as communities_suite
from tests.conftest import require_service
from tests.funding import test_crud as funding_suite
from tests.regional_building import test_crud as rb_suite
from tests.staffing import test_crud as staffing_suite
from tests.venues import test_venues as venues_suite

# Tasks inline: a Celery worker left running by an earlier test must not work on this test's
# data (the figures refresh queued at commit) while its tables are being flushed.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_tasks")]

N = 20


@pytest.fixture(autouse=True)
def _join_flag_reset():
    """Celery keeps "inside a task" in one process-wide flag that eager tasks set and reset;
    threads running eager tasks at once can leave it set, and a later ``result.get()`` in this
    process would then refuse to run. Reset it after each test."""
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
DUPLICATE_SUITES = {
    "cadre id number": staffing_suite.TestCadreCrud,
    "welfare year": staffing_suite.TestWelfareCrud,
    "attendance": staffing_suite.TestAttendanceCrud,
    "registration": rb_suite.TestMemberRegistrationCrud,
    "funding standard": funding_suite.TestStandardCrud,
    "area standard": venues_suite.TestAreaStandardCrud,
    "community code": communities_suite.TestCommunityCrud,
}


def require_postgres():
    require_service("PostgreSQL (row locks, concurrent transactions)", connection.vendor == "postgresql", connection.vendor)


def at_once(requests: list) -> list:
    """Run each callable in its own thread, all released together; their results in order.
    An exception escaping a request is a result too (and fails the caller's checks)."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, request):
        try:
            barrier.wait(timeout=30)
            results[i] = request()
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def page_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_login(user)
    return client


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def refusal_on_page(html: str) -> str:
    """The error shown on a re-rendered form (non-field alert or a field's list), if any."""
    import re

    found = re.findall(r'<div class="alert alert-danger">(.*?)</div></div>|<ul class="errorlist"><li>(.*?)</li>', html, re.S)
    texts = [a or b for a, b in found]
    return "".join(t for t in texts if chinese(t))


def codes(responses) -> Counter:
    return Counter(getattr(r, "status_code", repr(r)) for r in responses)


@pytest.mark.parametrize("kind", list(DUPLICATE_SUITES))
def test_twenty_page_creates_of_one_record_save_one_and_refuse_the_rest(kind, tree, personas):
    require_postgres()
    suite = DUPLICATE_SUITES[kind]()
    data = suite.create_data(tree)
    url = suite.url("add")
    before = suite.model.objects.count()
    clients = [page_client(personas.street_clerk) for _ in range(N)]
    responses = at_once([lambda c=c: c.post(url, data) for c in clients])
    counted = codes(responses)
    assert counted == Counter({302: 1, 200: N - 1}), counted  # 200: the form again, with the refusal
    for response in responses:
        if response.status_code == 200:
            assert refusal_on_page(response.content.decode()), response.content.decode()[:3000]
    assert suite.created_exists(data) and suite.model.objects.count() == before + 1


@pytest.mark.parametrize("kind", list(DUPLICATE_SUITES))
def test_twenty_api_creates_of_one_record_answer_one_201_and_400s(kind, tree, personas):
    require_postgres()
    suite = DUPLICATE_SUITES[kind]()
    data = suite.api_create_data(tree)
    url = suite.api_url()
    clients = [api_client(personas.street_clerk) for _ in range(N)]
    responses = at_once([lambda c=c: c.post(url, data, format="json") for c in clients])
    counted = codes(responses)
    assert counted == Counter({201: 1, 400: N - 1}), (counted, [r.content[:300] for r in responses if r.status_code != 201][:3])
    for response in responses:
        if response.status_code == 400:
            body = response.content.decode()
            assert chinese(body), body


# ---- uploads ----

def workbook(sheet_class, user, rows: list[dict]) -> bytes:
    """An .xlsx with the sheet's header row and ``rows`` (by column name)."""
    sheet = sheet_class(user)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([c.title for c in sheet.columns])
    for row in rows:
        ws.append([row.get(c.name) for c in sheet.columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, url, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"file": SimpleUploadedFile("upload.xlsx", content)})


def report_rows(html: str) -> list[str]:
    import re

    table = html.split('id="import-errors"', 1)[-1] if 'id="import-errors"' in html else ""
    return re.findall(r"<tr><td>.*?</td><td>.*?</td><td>(.*?)</td></tr>", table, re.S)


def test_twenty_uploads_of_one_new_standard_save_it_once_and_report_the_duplicate(tree, personas):
    require_postgres()
    from funding.models import Standard
    from funding.sheets import StandardSheet

    content = workbook(StandardSheet, personas.street_clerk, [
        {"node": tree.street_a.code, "year": 2024, "office_amount": "15000", "party_amount": "5000", "basis": "城组发〔2024〕1号"},
    ])
    url = reverse("funding:standard_import")
    clients = [page_client(personas.street_clerk) for _ in range(N)]
    responses = at_once([lambda c=c: upload(c, url, content) for c in clients])
    assert codes(responses) == Counter({302: 1, 400: N - 1}), codes(responses)
    for response in responses:
        if response.status_code == 400:
            (problem,) = report_rows(response.content.decode())
            assert "已" in problem and chinese(problem), response.content.decode()[-3000:]
    assert Standard.objects.filter(node=tree.street_a, year=2024).count() == 1


@pytest.fixture
def slow_rows(monkeypatch):
    """Each expenditure row dawdles after taking its locks, so uploads that lock row by row
    would hold one community while asking for the other: the deadlock of the issue. With
    ``slow_rows.meet(2)``, two uploads also wait for each other after their first row, so that
    both surely hold one community before asking for the other."""
    import time

    from funding import services

    original = services._check_spending
    state = threading.local()

    class Control:
        barrier = None

        def meet(self, parties):
            self.barrier = threading.Barrier(parties)

    control = Control()

    def slow(expenditure):
        original(expenditure)
        first = not getattr(state, "seen", False)
        state.seen = True
        if first and control.barrier is not None:
            try:
                control.barrier.wait(timeout=3)
            except threading.BrokenBarrierError:  # the other upload waits for our lock: fine
                pass
        time.sleep(0.15)

    monkeypatch.setattr(services, "_check_spending", slow)
    return control


def _opposite_uploads(tree, personas, n):
    from funding.models import Expenditure
    from funding.sheets import ExpenditureSheet
    from tests.funding.conftest import allocate

    allocate(tree.community_a1, "100000.00")
    allocate(tree.community_a2, "100000.00")

    def rows(first, second):
        return [
            {"community": c.code, "spent_on": "2025-05-06", "category": "水电费", "amount": "12.50", "purpose": "水电费"}
            for c in (first, second)
        ]

    forward = workbook(ExpenditureSheet, personas.street_clerk, rows(tree.community_a1, tree.community_a2))
    backward = workbook(ExpenditureSheet, personas.street_clerk, rows(tree.community_a2, tree.community_a1))
    url = reverse("funding:expenditure_import")
    clients = [page_client(personas.street_clerk) for _ in range(n)]
    responses = at_once([lambda c=c, i=i: upload(c, url, forward if i % 2 else backward) for i, c in enumerate(clients)])
    return responses, Expenditure.objects.count()


def test_twenty_uploads_naming_two_communities_in_opposite_orders_all_save(tree, personas, slow_rows):
    require_postgres()
    responses, saved = _opposite_uploads(tree, personas, N)
    assert codes(responses) == Counter({302: N}), [r.content.decode()[-1500:] for r in responses if r.status_code != 302][:2]
    assert saved == 2 * N


def test_without_ordered_locks_the_same_uploads_deadlock_and_the_retry_saves_them(tree, personas, slow_rows, monkeypatch):
    """The harness is sharp: with the up-front locks taken out, the uploads deadlock; the retry
    then saves them, and with the retry taken out too the loser is a 503 "请稍后重试", not a 500."""
    require_postgres()
    from core import contention
    from core.excel import Sheet

    monkeypatch.setattr(Sheet, "nodes_touched", lambda self, prepared, existing: set())
    seen = []
    original = contention.is_contention

    def counting(exc):
        found = original(exc)
        seen.append(found)
        return found

    monkeypatch.setattr(contention, "is_contention", counting)
    slow_rows.meet(2)
    responses, saved = _opposite_uploads(tree, personas, 2)
    assert any(seen), "the uploads did not deadlock: the test no longer shows anything"
    assert codes(responses) == Counter({302: 2}) and saved == 4


def test_without_ordered_locks_or_retry_a_deadlock_is_a_503_not_a_500(tree, personas, slow_rows, monkeypatch):
    require_postgres()
    from core import excel
    from core.excel import Sheet

    monkeypatch.setattr(Sheet, "nodes_touched", lambda self, prepared, existing: set())
    monkeypatch.setattr(excel, "retry_once", lambda fn, **kw: fn())
    slow_rows.meet(2)
    responses, saved = _opposite_uploads(tree, personas, 2)
    assert codes(responses) == Counter({302: 1, 503: 1}), codes(responses)
    loser = next(r for r in responses if r.status_code == 503)
    assert loser["Retry-After"] and "请稍后重试" in loser.content.decode()
    assert saved == 2  # the loser saved nothing


# ---- appointments moved between two communities, both ways at once ----

def test_appointments_moved_a_to_b_and_b_to_a_at_once_both_succeed(tree, personas, monkeypatch):
    require_postgres()
    import time

    from staffing import services
    from staffing.models import Appointment
    from tests.staffing.conftest import appoint, make_cadre

    original = services._check_single_holder

    def slow(appointment):  # hold the locks a while, so the other move arrives meanwhile
        original(appointment)
        time.sleep(0.3)

    monkeypatch.setattr(services, "_check_single_holder", slow)
    in_a = make_cadre(tree.community_a1, "王一")
    in_b = make_cadre(tree.community_a2, "李二")
    for round_ in range(3):
        first = appoint(in_a, note=f"A{round_}")
        second = appoint(in_b, note=f"B{round_}")
        url = lambda a: reverse("staffing-api:appointment-detail", args=[a.pk])  # noqa: E731
        clients = [api_client(personas.street_clerk) for _ in range(2)]
        responses = at_once([
            lambda: clients[0].patch(url(first), {"cadre": in_b.pk}, format="json"),
            lambda: clients[1].patch(url(second), {"cadre": in_a.pk}, format="json"),
        ])
        assert codes(responses) == Counter({200: 2}), [r.content[:500] for r in responses]
        assert Appointment.objects.get(pk=first.pk).cadre_id == in_b.pk
        assert Appointment.objects.get(pk=second.pk).cadre_id == in_a.pk


# ---- retry and the last line ----

def _deadlock():
    from django.db import OperationalError

    class DeadlockDetected(Exception):
        pgcode = "40P01"

    error = OperationalError("deadlock detected")
    error.__cause__ = DeadlockDetected("deadlock detected")
    return error


def test_retry_once_runs_again_after_a_deadlock_then_answers_busy():
    from core.contention import Busy, retry_once

    calls = []

    def flaky(fail_times):
        calls.append(1)
        if len(calls) <= fail_times:
            raise _deadlock()
        return "saved"

    assert retry_once(flaky, 1) == "saved" and len(calls) == 2
    calls.clear()
    with pytest.raises(Busy) as caught:
        retry_once(flaky, 5)
    assert len(calls) == 2 and "请稍后重试" in caught.value.messages[0]


def test_busy_write_is_a_form_error_on_pages_and_a_503_in_the_api(tree, personas, monkeypatch):
    from staffing.api import CadreViewSet
    from staffing.views import build_views
    from staffing.models import Cadre
    from tests.staffing.test_crud import cadre_form

    def always_deadlocks(**fields):
        raise _deadlock()

    monkeypatch.setattr(CadreViewSet, "create_service", staticmethod(always_deadlocks))
    data = cadre_form(tree.community_a1)
    api = api_client(personas.street_clerk)
    response = api.post(reverse("staffing-api:cadre-list"), {**data, "is_party_member": True}, format="json")
    assert response.status_code == 503 and response["Retry-After"]
    assert "请稍后重试" in response.json()["detail"]
    from staffing import services

    monkeypatch.setattr(services, "cadre_create", always_deadlocks)
    edit_view = build_views(Cadre)["edit"]
    monkeypatch.setattr(edit_view, "create_service", staticmethod(always_deadlocks))
    from django.test import RequestFactory
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/", data)
    request.user = personas.street_clerk
    request.session = {}
    request._messages = FallbackStorage(request)
    page = edit_view.as_view()(request)
    assert page.status_code == 200 and "请稍后重试" in page.content.decode()
    assert not Cadre.objects.filter(id_number=data["id_number"]).exists()


def test_a_duplicate_or_deadlock_escaping_a_custom_view_is_400_or_503(rf, personas):
    from django.db import IntegrityError

    from core.contention import ContentionMiddleware

    middleware = ContentionMiddleware(lambda request: None)
    request = rf.post("/anything/")
    request.user = personas.street_clerk
    duplicate = middleware.process_exception(request, IntegrityError("duplicate key value violates unique constraint"))
    assert duplicate.status_code == 400 and "同一时刻" in duplicate.content.decode()
    busy = middleware.process_exception(rf.post("/api/v1/x/"), _deadlock())
    assert busy.status_code == 503 and busy["Retry-After"] and "请稍后重试" in json.loads(busy.content)["detail"]
    assert middleware.process_exception(request, ValueError("other")) is None
