"""The change log reads like a log for people (issue 15): records by name, job writes as the
system, creations without an empty "before", internal fields hidden, filters, keyset pages,
Excel export, all within the viewer's part of the hierarchy and at a constant query count."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.services import node_update
from core.audit import CHANGED, CREATED, DELETED, LogFilter, LogQuery, entries_for_rows
from core.scope import Action
from staffing.models import Welfare
from tests.staffing.conftest import make_cadre

URL = reverse("core:changelog")


def rows_of(html: str) -> list[str]:
    """The text of each row of the changes table."""
    body = html.split('<table class="table table-sm mb-0 changes-table" id="changes">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in rows]


def entries(user, **flt):
    return entries_for_rows(LogQuery(user, LogFilter(**flt), actions=(Action.VIEW, Action.AUDIT)).rows(limit=500), user=user)


@pytest.fixture
def named(personas):
    """The clerk has a display name, as real staff do."""
    clerk = personas.street_clerk
    clerk.last_name, clerk.first_name = "李", "录入"
    clerk.save()
    return clerk


@pytest.mark.django_db
def test_people_and_records_by_name_and_values_readable(login, tree, personas, named):
    cadre = make_cadre(tree.community_a1, name="王芳")
    welfare = Welfare(cadre=cadre, year=2025, allowance=Decimal("24000.5"))
    welfare._history_user = named
    welfare.save()
    node_update(actor=named, node=tree.community_a1, households=1234, is_urban=False)
    page = login(personas.district_reviewer).get(URL).content.decode()
    rows = rows_of(page)
    welfare_row = next(r for r in rows if "待遇保障" in r or "王芳 · 2025" in r)
    # the record by its name, its cadre by name, money as money, the person by their name
    assert "王芳 · 2025" in welfare_row and "¥24,000.50" in welfare_row and "李录入" in welfare_row
    assert "street_clerk" not in welfare_row and f"#{cadre.pk}" not in welfare_row
    node_row = next(r for r in rows if "南关社区" in r and "户数" in r)
    assert "否" in node_row  # a boolean reads 是/否
    assert re.search(r"户数 ： \S+ → 1234", node_row)


@pytest.mark.django_db
def test_internal_fields_are_hidden(login, tree, personas, named):
    node_update(actor=named, node=tree.community_a1, households=2345)
    history = tree.community_a1.history.order_by("-history_date").first()
    assert history.version > 0  # the version moved, and the log does not show it
    page = login(personas.district_reviewer).get(URL).content.decode()
    changes = " ".join(rows_of(page))
    assert "户数" in changes
    for label in ("版本", "创建时间", "最后更新"):
        assert label not in changes, label


@pytest.mark.django_db
def test_creation_deletion_and_restore_read_as_such(login, tree, personas, named):
    from core.recycle import recycle_entry_restore
    from core.services import scoped_delete
    from core.models import RecycleEntry

    cadre = make_cadre(tree.community_a1, name="赵强")
    created = [e for e in entries(personas.admin) if e.object_repr == "赵强"]
    assert [e.action for e in created] == [CREATED]
    assert created[0].changes and all(c.old == "" for c in created[0].changes)  # no empty "before"
    scoped_delete(actor=named, instance=cadre)
    recycle_entry_restore(actor=personas.district_reviewer, entry=RecycleEntry.objects.get())
    actions = [e.type_label for e in entries(personas.admin) if e.object_repr == "赵强"]
    assert actions == ["恢复", "删除", "新增"]
    page = login(personas.district_reviewer).get(URL).content.decode()
    zhao = [r for r in rows_of(page) if "赵强" in r and "干部" in r]
    assert any("恢复" in r and "王审核" not in r for r in zhao)
    creation = next(r for r in zhao if "新增" in r)
    assert "→" not in creation  # a creation lists its values, never "— → value"


@pytest.mark.django_db
def test_filters_narrow_the_log(login, tree, personas, named):
    node_update(actor=named, node=tree.community_a1, households=111)
    make_cadre(tree.community_a2, name="孙敏")  # written by nobody: the system
    node_update(actor=personas.admin, node=tree.community_a2, households=222)
    everything = entries(personas.admin)
    assert {e.actor for e in everything} >= {"李录入", "系统"}
    by_clerk = entries(personas.admin, person=named.pk)
    assert by_clerk and {e.actor for e in by_clerk} == {"李录入"}
    by_system = entries(personas.admin, person=0)
    assert by_system and all(e.system for e in by_system)
    staffing = entries(personas.admin, app="staffing")
    assert staffing and {e.app_label for e in staffing} == {"staffing"}
    nodes = entries(personas.admin, kind="communities.node", action=CHANGED)
    assert {e.object_repr for e in nodes} == {"南关社区", "北关社区"} and all(e.action == CHANGED for e in nodes)
    assert not entries(personas.admin, action=DELETED)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert not entries(personas.admin, date_from=tomorrow)
    assert len(entries(personas.admin, date_to=timezone.localdate())) == len(everything)
    # the same through the page: the filter form, and bad input answered in Chinese
    client = login(personas.district_reviewer)
    page = client.get(URL, {"person": named.pk, "kind": "communities.node"}).content.decode()
    rows = rows_of(page)
    assert rows and all("李录入" in r for r in rows) and not any("北关社区" in r for r in rows)
    bad = client.get(URL, {"date_from": "2026-02-01", "date_to": "2026-01-01", "after": "nonsense"})
    assert bad.status_code == 200 and "开始日期不能晚于结束日期" in bad.content.decode()


@pytest.mark.django_db
def test_whole_history_is_paged_by_keyset(login, tree, personas, named):
    for n in range(60):
        node_update(actor=named, node=tree.community_a1, households=1000 + n)
    client = login(personas.district_reviewer)
    first = client.get(URL).content.decode()
    first_rows = rows_of(first)
    assert len(first_rows) == 50 and "1059" in first_rows[0]
    older = re.search(r'id="changelog-older" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(URL + older).content.decode()
    second_rows = rows_of(second)
    # every change once, across both pages (60 changes + the communities' creation rows)
    seen = [re.search(r"→ (\d{4})", r).group(1) for r in first_rows + second_rows if re.search(r"→ (\d{4})", r)]
    assert sorted(seen) == [str(1000 + n) for n in range(60)]
    newer = re.search(r'id="changelog-newer" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert rows_of(client.get(URL + newer).content.decode()) == first_rows


@pytest.mark.django_db
def test_export_holds_the_filtered_log_and_stays_scoped(login, tree, personas, named):
    node_update(actor=named, node=tree.community_a1, households=4321)
    node_update(actor=personas.neighbour_clerk, node=tree.community_b1, households=8765)
    response = login(personas.district_reviewer).get(URL, {"format": "xlsx", "kind": "communities.node", "action": "changed"})
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert list(values[0][:3]) == ["时间", "操作人", "操作"]
    body = values[1:]
    assert {r[4] for r in body} == {"南关社区", "中山社区"} and all(r[2] == "修改" for r in body)
    assert any("李录入" == r[1] and "4321" in r[5] for r in body)
    # the neighbour's clerk exports only their own street
    neighbour = login(personas.neighbour_clerk).get(URL, {"format": "xlsx"})
    text = " ".join(str(c) for row in openpyxl.load_workbook(io.BytesIO(neighbour.getvalue())).active.iter_rows(values_only=True) for c in row)
    assert "中山社区" in text and "南关社区" not in text and "4321" not in text


@pytest.mark.django_db
def test_neighbour_cannot_read_another_streets_history_by_any_filter(login, tree, personas, named):
    node_update(actor=named, node=tree.community_a1, households=5555)
    client = login(personas.neighbour_clerk)
    for params in ({}, {"person": named.pk}, {"kind": "communities.node"}, {"app": "communities"}, {"action": "changed"}):
        page = client.get(URL, params)
        assert page.status_code == 200
        assert "南关社区" not in page.content.decode() and "5555" not in page.content.decode(), params


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_history(login, tree, personas, named):
    client = login(personas.district_reviewer)

    def grow(n):
        for i in range(n):
            cadre = make_cadre(tree.community_a1, name=f"干部{n}{i}")
            welfare = Welfare(cadre=cadre, year=2025, allowance=Decimal(i))
            welfare._history_user = named
            welfare.save()
            node_update(actor=named, node=tree.community_a2, households=2000 + i)

    def count():
        client.get(URL)  # warm: the session, the compiled branches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    # a page of 50 rows of the same kinds either way: the count must not follow the history
    grow(20)
    small = count()
    grow(180)
    large = count()
    assert small == large, f"{small} queries with 60 changes, {large} with 600"


@pytest.mark.django_db
def test_home_recent_changes_use_the_same_reading(login, tree, personas, named):
    node_update(actor=named, node=tree.community_a1, households=777)
    page = login(personas.district_reviewer).get(reverse("core:home")).content.decode()
    assert "李录入" in page and "南关社区" in page


@pytest.mark.django_db
def test_rows_of_a_deleted_record_are_named_from_its_last_snapshot(tree, personas, named):
    from core.services import scoped_delete

    cadre = make_cadre(tree.community_a1, name="钱进")
    Welfare.objects.create(cadre=cadre, year=2024, allowance=Decimal("100"))
    scoped_delete(actor=named, instance=cadre)  # the welfare row goes with it
    welfare = entries(personas.admin, kind="staffing.welfare")
    assert [e.action for e in welfare] == [DELETED, CREATED]
    assert {e.object_repr for e in welfare} == {"钱进 · 2024"}


@pytest.mark.django_db
def test_unmasked_numbers_in_the_log_are_recorded_as_every_channel_records_them(login, tree, personas, named):
    """Pages, API and exports record each unmasked view of an ID number or phone
    (core.masking); the change log's before/after values are such a view too, page and export."""
    from core.models import PersonalDataAccess
    from tests.staffing.conftest import grant_personal_data

    cadre = make_cadre(tree.community_a1, name="王芳")
    node_update(actor=named, node=tree.community_a1, households=4444)  # no personal field: nothing to record
    reader = grant_personal_data(personas.district_reviewer)
    client = login(reader)
    assert cadre.id_number in client.get(URL).content.decode()
    page = PersonalDataAccess.objects.filter(user=reader, channel="page")
    assert [(r.object_id, r.object_repr, r.fields) for r in page] == [(cadre.pk, "王芳", "id_number,phone")]
    export = client.get(URL, {"format": "xlsx"})
    assert cadre.id_number in " ".join(
        str(c) for row in openpyxl.load_workbook(io.BytesIO(export.getvalue())).active.iter_rows(values_only=True) for c in row
    )
    assert list(PersonalDataAccess.objects.filter(user=reader, channel="export").values_list("object_id", flat=True)) == [cadre.pk]
    # a reader who sees them masked saw nothing to record
    login(personas.street_clerk).get(URL)
    login(personas.street_clerk).get(URL, {"format": "xlsx"}).getvalue()
    assert not PersonalDataAccess.objects.filter(user=personas.street_clerk).exists()


@pytest.mark.django_db
def test_export_cut_at_its_limit_says_so(login, tree, personas, named, monkeypatch):
    """The export stops at EXPORT_LIMIT changes, newest first; its last row tells the reader the
    log goes on (an auditor must not take a cut log for the whole one), a whole log has no such row."""
    from core import changelog

    monkeypatch.setattr(changelog, "EXPORT_LIMIT", 3)
    monkeypatch.setattr(changelog, "EXPORT_CHUNK", 2)
    for n in range(5):
        node_update(actor=named, node=tree.community_a1, households=7000 + n)
    client = login(personas.district_reviewer)

    def exported(params):
        data = client.get(URL, {"format": "xlsx", **params}).getvalue()
        return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)][1:]

    cut = exported({"kind": "communities.node", "action": "changed"})
    assert [next(s for s in ("7004", "7003", "7002") if s in r[5]) for r in cut[:3]] == ["7004", "7003", "7002"]
    assert len(cut) == 4 and cut[3][:5] == [None] * 5 and "仅导出最新的 3 条变更" in cut[3][5]
    monkeypatch.setattr(changelog, "EXPORT_LIMIT", 5)
    whole = exported({"kind": "communities.node", "action": "changed"})
    assert len(whole) == 5 and not any("仅导出" in str(r[5]) for r in whole)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_record_changes_of_two_writers_at_once_writes_each_change_once(transactional_db, tree):
    """Two jobs bulk-writing the same record at once (each: an UPDATE, then record_changes in
    its transaction): the second waits on the first's row lock and then compares with the first's
    history row, so the change is written once, not once per writer."""
    import threading

    from django.db import connections, transaction

    from communities.models import Node
    from core.audit import record_changes

    node = tree.community_a1
    wrote, started = threading.Event(), threading.Event()
    written = {}

    def writer(name, before, after):
        try:
            before.wait(10) if before else None
            with transaction.atomic():
                if after is started:
                    started.set()
                Node.objects.filter(pk=node.pk).update(households=6161)
                written[name] = record_changes(Node, Node.objects.filter(pk=node.pk), reason="job:test")
                if after is wrote:
                    wrote.set()
                    started.wait(10)
                    import time

                    time.sleep(0.5)  # the second is now waiting on the row
        finally:
            connections.close_all()

    first = threading.Thread(target=writer, args=("first", None, wrote))
    second = threading.Thread(target=writer, args=("second", wrote, started))
    first.start(), second.start()
    first.join(20), second.join(20)
    assert written == {"first": 1, "second": 0}
    assert node.history.filter(history_change_reason="job:test").count() == 1
