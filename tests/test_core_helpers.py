from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.fields import MoneyField
from core.masking import mask_id_number, mask_phone
from core.standards import nearest_standards
from core.templatetags.sanqi import sqm, yuan


def test_masking():
    assert mask_id_number("620102198001011234") == "620102************"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("0931-8888888") == "0931****8888"
    assert mask_id_number("") == "" and mask_phone(None) == ""


def test_money_and_area_formats():
    assert yuan(Decimal("12345")) == "¥12,345.00"
    assert yuan(Decimal("0.5")) == "¥0.50"
    assert sqm(Decimal("1234.5")) == "1,234.50 ㎡"


def test_money_field_refuses_negative_and_three_places():
    field = MoneyField()
    with pytest.raises(ValidationError) as exc:
        field.clean(Decimal("-1"), None)
    assert "不能为负数" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        field.clean(Decimal("1.234"), None)
    assert field.clean(Decimal("1.23"), None) == Decimal("1.23")


@pytest.mark.django_db
def test_nearest_standards_prefers_the_closest_ancestor(tree, django_assert_num_queries):
    from core.models import Assignment  # any model with a node FK will do for the helper

    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username="x")
    city_row = Assignment.objects.create(user=user, node=tree.city, role="viewer")
    street_row = Assignment.objects.create(user=user, node=tree.street_a, role="viewer")
    communities = [tree.community_a1, tree.community_b1, tree.community_c1]
    with django_assert_num_queries(1):
        found = nearest_standards(Assignment.objects.all(), communities)
    assert found[tree.community_a1.id] == street_row
    assert found[tree.community_b1.id] == city_row
    assert found[tree.community_c1.id] == city_row
    with django_assert_num_queries(1):
        found = nearest_standards(Assignment.objects.all(), communities[:2], root=tree.district)
    assert found[tree.community_a1.id] == street_row and found[tree.community_b1.id] == city_row
