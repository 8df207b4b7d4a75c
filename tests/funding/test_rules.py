"""Every refusal of the funding app, each with its Chinese message and nothing saved, and the
inheritance of standards (a district standard, a street override, a community with none)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from funding.models import Allocation, Expenditure, Standard
from funding.selectors import applicable_standard, community_funds
from funding.services import (
    allocation_create,
    allocation_delete,
    allocation_update,
    expenditure_create,
    expenditure_update,
    standard_create,
)
from tests.funding.conftest import YEAR, D, allocate, spend, standard


def spending(community, amount, **kw):
    return dict(community=community, spent_on=kw.pop("spent_on", date(YEAR, 7, 1)), category="utilities",
                amount=D(amount) if not isinstance(amount, str) else amount, purpose="水电费", **kw)


# ---- standards: inheritance ----

@pytest.mark.django_db
def test_district_standard_street_override_and_community_with_none(tree, django_assert_num_queries):
    district = standard(tree.district, office=15000, party=5000)
    street_b = standard(tree.street_b, office=10000, party=3000, total=15000)
    own = standard(tree.community_a2, party=8000)
    standard(tree.district, year=YEAR - 1, office=1, party=1)  # another year is ignored
    assert applicable_standard(community=tree.community_a1, year=YEAR) == district  # street A sets none
    assert applicable_standard(community=tree.community_b1, year=YEAR) == street_b  # the street overrides
    assert applicable_standard(community=tree.community_a2, year=YEAR) == own  # its own, nearest of all
    assert applicable_standard(community=tree.community_c1, year=YEAR) is None  # 七里河区: none anywhere above
    assert applicable_standard(community=tree.community_a1, year=YEAR + 1) is None
    with django_assert_num_queries(1):
        applicable_standard(community=tree.community_b1, year=YEAR)


@pytest.mark.django_db
def test_pages_say_which_standard_applies_and_where_it_comes_from(login, tree, personas):
    standard(tree.district, office=15000, party=5000)
    standard(tree.street_b, office=10000, party=3000, total=15000)
    client = login(personas.district_reviewer)
    page = client.get(reverse("funding:compliance"), {"year": YEAR}).content.decode()
    a1_row = page.split('data-community="620102001001"')[1].split("</tr>")[0]
    b1_row = page.split('data-community="620102002001"')[1].split("</tr>")[0]
    assert "城关区" in a1_row and "继承" in a1_row and "¥15,000.00" in a1_row
    assert "张掖路街道" in b1_row and "¥10,000.00" in b1_row
    detail = client.get(reverse("communities:community_detail", args=[tree.community_a1.pk]), {"year": YEAR}).content.decode()
    assert "继承自城关区" in detail
    # The standard's own page lists the communities it governs: not the street-B one.
    district_std = Standard.objects.get(node=tree.district, year=YEAR)
    governed = client.get(reverse("funding:standard_detail", args=[district_std.pk])).content.decode()
    governed = governed.split('id="governed"')[1]
    assert "南关社区" in governed and "北关社区" in governed and "中山社区" not in governed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields,message",
    [
        (dict(office_amount=D(0), party_amount=D(0)), "至少一项"),
        (dict(office_amount=D(15000), party_amount=D(5000), total_amount=D(10000)), "合计不能少于"),
        (dict(office_amount=D(-1), party_amount=D(5000)), "金额不能为负"),
        (dict(office_amount=Decimal("1.005"), party_amount=D(5000)), "2 位"),
        (dict(office_amount=D(1), party_amount=D(1), year=1990), "2000"),
    ],
)
def test_bad_standards_are_refused(tree, personas, fields, message):
    data = {"node": tree.street_a, "year": YEAR, **fields}
    with pytest.raises(ValidationError) as exc:
        standard_create(actor=personas.street_clerk, **data)
    assert message in str(exc.value)
    assert not Standard.objects.exists()


@pytest.mark.django_db
def test_a_second_standard_for_the_same_node_and_year_is_refused(login, tree, personas):
    standard(tree.street_a, office=15000, party=5000)
    response = login(personas.street_clerk).post(
        reverse("funding:standard_add"),
        {"node": tree.street_a.pk, "year": YEAR, "office_amount": "1", "party_amount": "1", "total_amount": ""},
    )
    assert response.status_code == 200 and "经费标准 已经存在" in response.content.decode()
    assert Standard.objects.count() == 1


# ---- money ----

@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount,message,api_message",
    [("-5.00", "不能为负", "大于或者等于 0"), ("10.005", "2 位", "2 个小数位"), ("0", "必须大于零", "必须大于零"), ("abc", "数字", "数字")],
)
def test_bad_amounts_are_refused_on_page_and_api(login, api, tree, personas, amount, message, api_message):
    data = {"community": tree.community_a1.pk, "year": YEAR, "category": "office", "source": "district",
            "amount": amount, "received_on": f"{YEAR}-03-01", "document_number": "X"}
    page = login(personas.street_clerk).post(reverse("funding:allocation_add"), data)
    assert page.status_code == 200 and message in page.content.decode()
    response = api(personas.street_clerk).post(reverse("funding-api:allocation-list"), data, format="json")
    assert response.status_code == 400
    assert api_message in str(response.json()["amount"]), response.json()
    assert not Allocation.objects.exists()


@pytest.mark.django_db
def test_amounts_are_decimal_and_shown_in_yuan(login, tree, personas):
    allocation = allocation_create(actor=personas.street_clerk, community=tree.community_a1, year=YEAR,
                                   category="office", source="district", amount=D("12345.6"), received_on=date(YEAR, 3, 1))
    allocation.refresh_from_db()
    assert allocation.amount == D("12345.60") and type(allocation.amount).__name__ == "Decimal"
    page = login(personas.street_clerk).get(reverse("funding:allocation_detail", args=[allocation.pk])).content.decode()
    assert "¥12,345.60" in page


@pytest.mark.django_db
def test_spending_beyond_the_funds_is_refused_with_the_balance(tree, personas):
    allocate(tree.community_a1, "1000.00")
    allocate(tree.community_a1, "5000.00", year=YEAR - 1)  # last year's money does not pay this year's bills
    spend(tree.community_a1, "250.50")
    with pytest.raises(ValidationError) as exc:
        expenditure_create(actor=personas.street_clerk, **spending(tree.community_a1, "800.00"))
    message = exc.value.message_dict["amount"][0]
    assert "¥800.00" in message and "¥1,000.00" in message and "¥250.50" in message and "余额为¥749.50" in message
    assert Expenditure.objects.filter(year=YEAR).count() == 1
    exact = expenditure_create(actor=personas.street_clerk, **spending(tree.community_a1, "749.50"))
    assert community_funds(user=personas.street_clerk, community=tree.community_a1, year=YEAR).balance == D(0)
    assert exact.year == YEAR


@pytest.mark.django_db
def test_overspending_on_the_page_and_the_api_gives_the_balance(login, api, tree, personas):
    allocate(tree.community_a1, "300.00")
    data = {"community": tree.community_a1.pk, "spent_on": f"{YEAR}-08-08", "category": "paper",
            "amount": "300.01", "purpose": "打印纸", "voucher_number": "V1"}
    page = login(personas.street_clerk).post(reverse("funding:expenditure_add"), data)
    assert page.status_code == 200 and "余额为¥300.00" in page.content.decode()
    response = api(token=personas.write_token).post(reverse("funding-api:expenditure-list"), data, format="json")
    assert response.status_code == 400 and "余额为¥300.00" in response.json()["amount"][0]
    assert not Expenditure.objects.exists()


@pytest.mark.django_db
def test_raising_spending_beyond_the_funds_is_refused(tree, personas):
    allocate(tree.community_a1, "1000.00")
    allocate(tree.community_a2, "100.00")
    expenditure = spend(tree.community_a1, "400.00")
    with pytest.raises(ValidationError) as exc:
        expenditure_update(actor=personas.street_clerk, expenditure=expenditure, amount=D("1000.01"))
    assert "余额为¥1,000.00" in str(exc.value)  # its own 400 is not counted twice
    with pytest.raises(ValidationError):  # moved to a community with less money
        expenditure_update(actor=personas.street_clerk, expenditure=Expenditure.objects.get(pk=expenditure.pk),
                           community=tree.community_a2)
    with pytest.raises(ValidationError):  # moved to a year without funds
        expenditure_update(actor=personas.street_clerk, expenditure=Expenditure.objects.get(pk=expenditure.pk),
                           spent_on=date(YEAR + 1, 1, 5))
    expenditure.refresh_from_db()
    assert (expenditure.amount, expenditure.community_id, expenditure.year) == (D(400), tree.community_a1.pk, YEAR)


@pytest.mark.django_db
def test_allocations_that_spending_relies_on_cannot_shrink_or_go(login, tree, personas):
    allocation = allocate(tree.community_a1, "1000.00")
    spend(tree.community_a1, "700.00")
    with pytest.raises(ValidationError) as exc:
        allocation_update(actor=personas.street_clerk, allocation=allocation, amount=D("500.00"))
    assert "¥700.00" in str(exc.value)
    with pytest.raises(ValidationError):
        allocation_update(actor=personas.street_clerk, allocation=Allocation.objects.get(pk=allocation.pk), year=YEAR - 1)
    response = login(personas.street_clerk).post(reverse("funding:allocation_delete", args=[allocation.pk]))
    assert response.status_code == 200 and "已支出¥700.00" in response.content.decode()
    allocation.refresh_from_db()
    assert allocation.amount == D(1000) and allocation.year == YEAR
    allocation_update(actor=personas.street_clerk, allocation=allocation, amount=D("700.00"))  # still covers it


@pytest.mark.django_db
def test_records_belong_to_communities_only(tree, personas):
    with pytest.raises(ValidationError) as exc:
        allocation_create(actor=personas.street_clerk, community=tree.street_a, year=YEAR, category="office",
                          source="district", amount=D(1), received_on=date(YEAR, 1, 1))
    assert "请选择社区" in str(exc.value)


@pytest.mark.django_db
def test_out_of_scope_spending_is_refused_before_any_figure_is_read(tree, personas):
    allocate(tree.community_b1, "10.00")
    with pytest.raises(PermissionDenied) as exc:
        expenditure_create(actor=personas.street_clerk, **spending(tree.community_b1, "20.00"))
    assert "¥" not in str(exc.value)
    with pytest.raises(PermissionDenied):
        allocation_create(actor=personas.street_clerk, community=tree.community_b1, year=YEAR, category="office",
                          source="district", amount=D(1), received_on=date(YEAR, 1, 1))
    assert not Expenditure.objects.exists() and Allocation.objects.count() == 1


@pytest.mark.django_db
def test_history_shows_who_changed_an_allocation(login, tree, personas):
    allocation = allocation_create(actor=personas.street_clerk, community=tree.community_a1, year=YEAR,
                                   category="office", source="district", amount=D(15000), received_on=date(YEAR, 3, 1))
    allocation_update(actor=personas.street_clerk, allocation=allocation, amount=D(16000))
    page = login(personas.district_reviewer).get(reverse("funding:allocation_detail", args=[allocation.pk])).content.decode()
    # the history reads as money (¥15,000.00), as on the change log
    assert "street_clerk" in page and "¥15,000.00" in page and "¥16,000.00" in page
