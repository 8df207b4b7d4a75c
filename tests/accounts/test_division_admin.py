"""Cities, districts and streets kept in the portal by administrators in scope (create, rename,
move by a new code), and 拆分 of a community: a new community plus chosen records."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.divisions import community_split, division_create, division_update
from communities.models import Level, Node
from core.models import Role
from tests.accounts.conftest import homed
from tests.conftest import _user
from tests.staffing.conftest import make_cadre


@pytest.fixture
def city_admin(tree):
    return homed(_user("city_admin", tree.city, Role.ADMIN), tree.city)


@pytest.mark.django_db
def test_district_admin_creates_a_street_in_the_portal(login, tree, personas, admins):
    client = login(admins.district_admin)
    page = client.get(reverse("accounts:division_list")).content.decode()
    assert "酒泉路街道" in page and "七里河区" not in page  # only their subtree
    response = client.post(reverse("accounts:division_add"), {"code": "620102003000", "name": "新设街道"})
    assert response.status_code == 302
    street = Node.objects.get(code="620102003000")
    assert street.level == Level.TOWNSHIP and street.parent == tree.district
    assert street.history.first().history_user == admins.district_admin


@pytest.mark.django_db
@pytest.mark.parametrize("code, needle", [
    ("620103002000", "管理"),        # under another district: outside their subtree
    ("620102001005", "社区"),        # a community: kept on the community pages
    ("620102001000", "已"),          # taken by 酒泉路街道
    ("620109009000", "不存在"),      # parent district missing
])
def test_creating_outside_scope_or_wrong_level_is_refused_in_chinese(login, tree, personas, admins, code, needle):
    before = Node.objects.count()
    response = login(admins.district_admin).post(reverse("accounts:division_add"), {"code": code, "name": "某街道"})
    assert response.status_code == 400
    assert needle in response.content.decode()
    assert Node.objects.count() == before


@pytest.mark.django_db
def test_street_admin_cannot_create_a_sibling_street_nor_open_the_district(login, tree, personas, admins):
    with pytest.raises(PermissionDenied):
        division_create(actor=admins.street_admin, code="620102003000", name="新设街道")
    client = login(admins.street_admin)
    assert client.get(reverse("accounts:division_edit", args=[tree.district.pk])).status_code == 404
    assert client.get(reverse("accounts:division_edit", args=[tree.street_b.pk])).status_code == 404
    assert client.get(reverse("accounts:division_edit", args=[tree.street_a.pk])).status_code == 200
    assert login(personas.street_clerk).get(reverse("accounts:division_list")).status_code == 403


@pytest.mark.django_db
def test_rename_keeps_the_code_and_refuses_a_stale_form(login, tree, personas, admins):
    client = login(admins.district_admin)
    street = tree.street_a
    response = client.post(reverse("accounts:division_edit", args=[street.pk]),
                           {"code": street.code, "name": "酒泉路街道办事处", "version": street.version})
    assert response.status_code == 302
    street.refresh_from_db()
    assert street.name == "酒泉路街道办事处" and street.version == 1
    stale = client.post(reverse("accounts:division_edit", args=[street.pk]),
                        {"code": street.code, "name": "旧名", "version": 0})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    assert Node.objects.get(pk=street.pk).name == "酒泉路街道办事处"


@pytest.mark.django_db
def test_move_a_street_to_another_district_recodes_its_subtree(login, tree, personas, admins, city_admin):
    from core.models import RecycleEntry
    from figures.models import Facts
    from staffing.models import Cadre

    b1 = tree.community_b1
    cadre = make_cadre(b1, "王建国", date(1979, 8, 15))
    Facts.objects.create(node=b1, year=2026, code=b1.code, level=b1.level, computed_at=timezone.now())
    # the district administrator of 城关区 cannot move a street out of their district
    with pytest.raises(PermissionDenied):
        division_update(actor=admins.district_admin, node=tree.street_b, name="张掖路街道", code="620103002000")
    client = login(city_admin)
    url = reverse("accounts:division_edit", args=[tree.street_b.pk])
    data = {"code": "620103002000", "name": "张掖路街道", "version": 0}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and 'id="move-preview"' in confirm.content.decode()
    assert "七里河区" in confirm.content.decode()
    assert Node.objects.get(pk=tree.street_b.pk).code == "620102002000"  # nothing yet
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    street = Node.objects.get(pk=tree.street_b.pk)
    moved = Node.objects.get(pk=b1.pk)
    assert street.parent == tree.other_district and moved.code == "620103002001" and moved.parent == street
    assert moved.version == 1 and moved.history.first().history_change_reason == "620102002 → 620103002"
    assert Facts.objects.get(node=b1).code == "620103002001"
    # scope follows the codes: the reviewer of 城关区 no longer reaches the cadre; the street's clerk still does
    assert login(personas.district_reviewer).get(reverse("staffing:cadre_detail", args=[cadre.pk])).status_code == 404
    assert login(personas.neighbour_clerk).get(reverse("staffing:cadre_detail", args=[cadre.pk])).status_code == 200
    assert not RecycleEntry.objects.filter(node_code__startswith="620102002").exists()


@pytest.mark.django_db
def test_move_onto_a_used_code_changes_nothing(tree, personas, admins, city_admin):
    Node.objects.create(code="620103002000", name="已有街道", level=Level.TOWNSHIP, parent=tree.other_district)
    with pytest.raises(ValidationError) as exc:
        division_update(actor=city_admin, node=tree.street_b, name="张掖路街道", code="620103002000")
    assert "已有街道" in str(exc.value)
    assert Node.objects.get(pk=tree.community_b1.pk).code == "620102002001"
    with pytest.raises(ValidationError):  # a street cannot become a district
        division_update(actor=city_admin, node=tree.street_b, name="张掖路街道", code="620104000000")


@pytest.mark.django_db
def test_split_creates_a_community_and_moves_only_the_chosen_records(login, tree, personas, admins):
    from staffing.models import Cadre

    a1 = tree.community_a1
    keep = make_cadre(a1, "李留下", date(1980, 1, 1))
    go = make_cadre(a1, "王迁出", date(1985, 2, 2), gender="F")
    client = login(admins.street_admin)
    page = client.get(reverse("accounts:community_split"), {"source": a1.pk}).content.decode()
    assert "李留下" in page and "王迁出" in page
    response = client.post(reverse("accounts:community_split"), {
        "source": a1.pk, "code": "620102001009", "name": "南关新社区", "record": [f"staffing.cadre.community:{go.pk}"],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Node.objects.get(code="620102001009")
    assert new.parent == tree.street_a and new.level == Level.COMMUNITY
    assert Cadre.objects.get(pk=go.pk).community == new and Cadre.objects.get(pk=keep.pk).community == a1
    assert Cadre.objects.get(pk=go.pk).history.first().history_user == admins.street_admin
    # a neighbouring street's community is not offered and cannot be split
    assert client.get(reverse("accounts:community_split"), {"source": tree.community_b1.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        community_split(actor=admins.street_admin, source=tree.community_b1, code="620102002009", name="x", records={})


@pytest.mark.django_db
def test_split_that_breaks_a_linked_record_is_refused_whole(tree, personas, admins):
    from regional_building.models import MemberRegistration
    from tests.regional_building import factories as f

    a1 = tree.community_a1
    member = f.registration(a1)
    f.claim(f.post(a1), member=member)  # the post stays, its claimant would move: refused
    with pytest.raises(ValidationError) as exc:
        community_split(actor=admins.street_admin, source=a1, code="620102001009", name="南关新社区",
                        records={"regional_building.memberregistration.community": [member.pk]})
    assert "另一个社区" in str(exc.value) or "社区" in str(exc.value)
    assert not Node.objects.filter(code="620102001009").exists()
    assert MemberRegistration.objects.get(pk=member.pk).community == a1
    # moving both the post and the member keeps the claim consistent
    new, moved = community_split(
        actor=admins.street_admin, source=a1, code="620102001009", name="南关新社区",
        records={"regional_building.memberregistration.community": "all", "regional_building.servicepost.community": "all"},
    )
    assert sum(moved.values()) == 2 and MemberRegistration.objects.get(pk=member.pk).community == new


@pytest.mark.django_db
def test_split_code_must_belong_to_the_same_street(tree, personas, admins):
    with pytest.raises(ValidationError):
        community_split(actor=admins.street_admin, source=tree.community_a1, code="620102002009", name="x", records={})
    assert not Node.objects.filter(code="620102002009").exists()


@pytest.mark.django_db
def test_split_page_queries_do_not_grow_with_the_records(login, tree, personas, admins, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from funding.models import Allocation
    from tests.funding.conftest import allocate

    a1 = tree.community_a1
    client = login(admins.street_admin)
    url = reverse("accounts:community_split")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"source": a1.pk}).status_code == 200
        return len(ctx.captured_queries)

    make_cadre(a1, "李一", date(1980, 1, 1))
    allocate(a1, "1000.00")
    before = count()
    for n in range(6):
        make_cadre(a1, f"李{n}号", date(1981, 1, n + 1))
        allocate(a1, "1000.00")
    assert Allocation.objects.filter(community=a1).count() == 7
    assert count() == before
