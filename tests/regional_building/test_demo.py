import pytest
from django.utils import timezone

from regional_building import models as m
from regional_building.demo import load
from regional_building.selectors import node_figures


@pytest.mark.django_db
def test_demo_is_realistic_and_idempotent(tree, personas):
    line = load()
    assert line.startswith("区域化党建：新增驻区单位")
    counts = {model: model.objects.count() for model in (m.ResidentUnit, m.Agreement, m.Commitment, m.Fulfilment,
                                                          m.MemberRegistration, m.Claim, m.Meeting)}
    for street in (tree.street_a, tree.street_b):
        assert m.JointConference.objects.filter(node=street, level="street").exists()
        assert m.CommitteeMember.objects.filter(conference__node=street).exists()
    assert all(counts.values()), counts
    statuses = set(m.Commitment.objects.with_status().values_list("status_value", flat=True))
    assert {"kept", "overdue"} <= statuses or timezone.localdate().month < 4
    assert set(m.Commitment.objects.values_list("category", flat=True)) == set(m.FOUR_ONES)
    assert load() == "区域化党建：演示数据已存在，未作改动。"
    assert counts == {model: model.objects.count() for model in counts}
    figures = node_figures(node=tree.district, year=timezone.localdate().year, user=personas.admin)
    assert figures.claims and figures.members_registered and figures.agreements_in_force
