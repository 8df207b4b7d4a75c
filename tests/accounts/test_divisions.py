"""Hierarchy onboarding: the 统计用区划代码 table imported with a preview (new, renamed, moved,
urban/rural, vanished), applied in one transaction; vanished nodes flagged, never deleted."""

import io
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.divisions import Row, apply_plan, compute_plan
from accounts.models import DivisionImport
from communities.models import Level, Node


def csv_file(rows, encoding="utf-8", header=("统计用区划代码", "名称", "城乡分类代码")):
    text = "\n".join(",".join(r) for r in ([header] if header else []) + rows)
    return SimpleUploadedFile("区划.csv", text.encode(encoding), content_type="text/csv")


def district_table(tree):
    return [
        (tree.district.code, "城关区", ""),
        (tree.street_a.code, "酒泉路街道办事处", ""),              # renamed
        (tree.community_a1.code, "南关社区", "111"),                # unchanged
        # 北关社区 (community_a2) is gone                           → vanished
        ("620102001003", "中山社区", "111"),                        # 中山社区 moved from street B → moved
        ("620102001004", "新村", "220"),                            # new, rural
        (tree.street_b.code, "张掖路街道", ""),
        ("620102003000", "新设街道", ""),                            # new street
        ("620102003001", "新设社区", "112"),                         # and its community
    ]


@pytest.mark.django_db
def test_district_admin_previews_and_applies_the_table(login, tree, personas, admins):
    client = login(admins.district_admin)
    response = client.post(reverse("accounts:division_import"), {"file": csv_file([list(r) for r in district_table(tree)])})
    assert response.status_code == 302
    record = DivisionImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    for needle in ("酒泉路街道 → 酒泉路街道办事处", "北关社区", "620102002001 → 620102001003", "新设社区"):
        assert needle in page, needle
    assert Node.objects.filter(code="620102003000").count() == 0  # nothing saved by the preview
    plan = compute_plan(actor=admins.district_admin, rows=[Row(*r) for r in record.rows])
    assert plan.counts == {"new": 3, "renamed": 1, "moved": 1, "urban_changed": 0, "vanished": 1, "restored": 0}
    response = client.post(reverse("accounts:division_preview", args=[record.pk]))
    assert response.status_code == 302
    street_a = Node.objects.get(pk=tree.street_a.pk)
    assert street_a.name == "酒泉路街道办事处"
    moved = Node.objects.get(pk=tree.community_b1.pk)
    assert moved.code == "620102001003" and moved.parent_id == tree.street_a.pk
    assert Node.objects.get(code="620102001004").is_urban is False
    new_street = Node.objects.get(code="620102003000")
    assert new_street.level == Level.TOWNSHIP and Node.objects.get(code="620102003001").parent == new_street
    vanished = Node.objects.get(pk=tree.community_a2.pk)  # still there, flagged
    assert vanished.vanished is not None
    assert street_a.history.first().history_user == admins.district_admin
    assert DivisionImport.objects.get().applied is not None
    # the same table again changes nothing
    again = compute_plan(actor=admins.district_admin, rows=[Row(*r) for r in record.rows])
    assert sum(again.counts.values()) == 0


@pytest.mark.django_db
def test_table_outside_the_administered_part_is_refused_whole(login, tree, personas, admins):
    client = login(admins.street_admin)
    client.post(reverse("accounts:division_import"), {"file": csv_file([list(r) for r in district_table(tree)])})
    record = DivisionImport.objects.get()
    response = client.post(reverse("accounts:division_preview", args=[record.pk]))
    assert response.status_code == 400 and "不在您管理的区划范围内" in response.content.decode()
    assert not Node.objects.filter(code="620102003000").exists()
    assert Node.objects.get(pk=tree.street_a.pk).name == "酒泉路街道"
    # another administrator's upload is not even visible
    assert login(admins.district_admin).get(reverse("accounts:division_preview", args=[record.pk])).status_code == 404
    # nor may a clerk open the page
    assert login(personas.street_clerk).get(reverse("accounts:division_import")).status_code == 403


@pytest.mark.django_db
def test_bad_rows_are_reported_and_gbk_csv_and_xlsx_are_read(login, tree, admins):
    client = login(admins.district_admin)
    bad = csv_file([["62010200100", "短代码", ""], [tree.street_a.code, "", ""], ["620102001005", "某社区", "999"]])
    page = client.post(reverse("accounts:division_import"), {"file": bad})
    assert page.status_code == 400
    text = page.content.decode()
    assert "62010200100" in text and "名称" in text and "999" in text and not DivisionImport.objects.exists()
    gbk = csv_file([[tree.district.code, "城关区", ""], ["620102001009", "雁滩社区", "111"]], encoding="gb18030")
    assert client.post(reverse("accounts:division_import"), {"file": gbk}).status_code == 302
    assert DivisionImport.objects.get().rows[1][2] == "雁滩社区"
    wb = openpyxl.Workbook()
    wb.active.append(["统计用区划代码", "名称", "城乡分类代码"])
    wb.active.append([tree.district.code, "城关区", None])
    wb.active.append([int("620102001009"), "雁滩社区", 111])
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile("区划.xlsx", buffer.getvalue())
    assert client.post(reverse("accounts:division_import"), {"file": upload}).status_code == 302
    assert DivisionImport.objects.order_by("-pk").first().rows[1][1:] == ["620102001009", "雁滩社区", "111"]


def province_rows(districts=10, streets=20, communities=60):
    rows = [Row(1, "630000000000", "青海省"), Row(2, "630100000000", "西宁市")]
    line = 3
    for d in range(1, districts + 1):
        dcode = f"6301{d:02d}"
        rows.append(Row(line, f"{dcode}000000", f"第{d}区"))
        line += 1
        for s in range(1, streets + 1):
            rows.append(Row(line, f"{dcode}{s:03d}000", f"第{d}区第{s}街道"))
            line += 1
            for c in range(1, communities + 1):
                rows.append(Row(line, f"{dcode}{s:03d}{c:03d}", f"{d}-{s}-{c}社区", "111" if c % 5 else "220"))
                line += 1
    return rows


@pytest.mark.django_db
def test_a_province_of_twelve_thousand_rows_applies_within_a_minute(tree, personas):
    rows = province_rows()
    assert len(rows) > 12_000
    started = time.monotonic()
    plan = apply_plan(actor=personas.admin, rows=rows)
    elapsed = time.monotonic() - started
    assert not plan.errors and plan.counts["new"] == len(rows)
    assert Node.objects.filter(code__startswith="63").count() == len(rows)
    assert Node.objects.filter(code__startswith="63", level=Level.COMMUNITY, is_urban=False).count() == 10 * 20 * 12
    assert elapsed < 60, elapsed
    # a second table with one renamed and one community fewer: preview and apply stay quick
    rows[5] = Row(rows[5].line, rows[5].code, rows[5].name + "（更名）", rows[5].klass)
    gone = rows.pop()
    started = time.monotonic()
    plan = apply_plan(actor=personas.admin, rows=rows)
    assert time.monotonic() - started < 30
    assert plan.counts["renamed"] == 1 and plan.counts["vanished"] == 1
    assert Node.objects.get(code=gone.code).vanished is not None
    print(f"\n12,000-row province applied in {elapsed:.1f} s")


@pytest.mark.django_db
def test_merge_moves_every_record_in_one_transaction_with_history(login, tree, personas, admins):
    from datetime import date

    from accounts.divisions import community_merge
    from core.models import Assignment
    from staffing.models import Cadre

    a2, a1 = tree.community_a2, tree.community_a1
    from django.utils import timezone

    from figures.models import Dirty, Facts

    cadre = Cadre.objects.create(community=a2, name="王建国", gender="M", birth_date=date(1979, 8, 15), education="college")
    Assignment.objects.create(user=personas.neighbour_clerk, node=a2, role="entry")
    # both have a facts row for the same year: derived data is recomputed, not moved (no collision)
    for node in (a1, a2):
        Facts.objects.create(node=node, year=2026, code=node.code, level=node.level, computed_at=timezone.now())
    Dirty.objects.all().delete()
    client = login(admins.street_admin)
    preview = client.get(reverse("accounts:community_merge"), {"source": a2.pk, "target": a1.pk}).content.decode()
    assert "<td>社区干部</td><td>1</td>" in preview and "<td>用户分配</td><td>1</td>" in preview
    response = client.post(reverse("accounts:community_merge"), {"source": a2.pk, "target": a1.pk})
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.community == a1 and cadre.history.first().history_user == admins.street_admin
    assert Assignment.objects.filter(user=personas.neighbour_clerk, node=a1).exists()
    a2.refresh_from_db()
    assert a2.vanished is not None  # kept, flagged
    assert set(Dirty.objects.values_list("node_id", flat=True)) >= {a1.pk, a2.pk}  # figures recomputed
    # a community outside the administrator's street is not offered and cannot be merged
    response = client.post(reverse("accounts:community_merge"), {"source": tree.community_b1.pk, "target": a1.pk})
    assert response.status_code == 400
    with pytest.raises(Exception):
        community_merge(actor=admins.street_admin, source=tree.community_b1, target=a1)
    assert Node.objects.get(pk=tree.community_b1.pk).vanished is None


@pytest.mark.django_db
def test_merge_that_collides_is_refused_whole(tree, personas, admins):
    from datetime import date
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from accounts.divisions import community_merge
    from staffing.models import Cadre
    from venues.models import AreaStandard

    a2, a1 = tree.community_a2, tree.community_a1
    cadre = Cadre.objects.create(community=a2, name="李四", gender="M", birth_date=date(1980, 1, 1), education="college")
    AreaStandard.objects.create(node=a2, year=2025, minimum_area=Decimal("300"))
    AreaStandard.objects.create(node=a1, year=2025, minimum_area=Decimal("200"))
    with pytest.raises(ValidationError):
        community_merge(actor=admins.street_admin, source=a2, target=a1)
    cadre.refresh_from_db()
    assert cadre.community == a2 and Node.objects.get(pk=a2.pk).vanished is None
