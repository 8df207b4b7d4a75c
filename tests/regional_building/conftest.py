import datetime

import pytest

from tests.regional_building import factories as fx

D = datetime.date


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def hand_data(tree):
    """A small data set whose 2025 figures are worked out by hand in test_figures.py
    (as of 2025-08-01)."""
    ua = fx.unit(tree.street_a, name="城关供电公司")
    ua1 = fx.unit(tree.community_a1, name="南关小学")
    ub = fx.unit(tree.street_b, name="张掖路小学")
    conf_a = fx.conference(tree.street_a)
    conf_a1 = fx.conference(tree.community_a1, level="community", name="南关社区联席分会")
    conf_b = fx.conference(tree.street_b)
    fx.meeting(conf_a, D(2025, 3, 1))
    fx.meeting(conf_a, D(2025, 9, 1))
    fx.meeting(conf_a, D(2024, 12, 1))
    fx.meeting(conf_a1, D(2025, 5, 1))
    fx.meeting(conf_b, D(2025, 4, 1))

    a1 = fx.agreement(tree.street_a, ua, D(2025, 1, 10), D(2025, 1, 10), D(2027, 12, 31), title="A1")
    fx.agreement(tree.street_a, ua, D(2023, 1, 1), D(2023, 1, 1), D(2024, 12, 31), title="A2 expired")
    fx.agreement(tree.street_a, ua, D(2024, 1, 1), D(2024, 1, 1), D(2026, 12, 31), title="A3 terminated 2024",
                 terminated_on=D(2024, 6, 1), termination_reason="单位搬迁")
    a4 = fx.agreement(tree.community_a1, ua1, D(2024, 6, 1), D(2024, 6, 1), D(2025, 3, 31), title="A4")
    fx.agreement(tree.street_a, ua, D(2024, 1, 1), D(2024, 1, 1), D(2026, 12, 31), title="A5 terminated 2025",
                 terminated_on=D(2025, 5, 1), termination_reason="协议解除")
    fx.agreement(tree.street_b, ub, D(2025, 1, 1), D(2025, 1, 1), D(2026, 1, 1), title="B1")

    c1 = fx.commitment(a1, D(2025, 6, 30))
    fx.fulfilment(c1, D(2025, 6, 1))
    fx.commitment(a1, D(2025, 6, 30), category="solve_problem", description="c2 overdue")
    fx.commitment(a1, D(2025, 10, 1), category="advice", description="c3 pending")
    c4 = fx.commitment(a1, D(2025, 10, 1), category="practical_deed", description="c4 kept early")
    fx.fulfilment(c4, D(2025, 7, 1))
    fx.fulfilment(c4, D(2025, 7, 15))  # two records: still one kept commitment
    fx.commitment(a1, D(2026, 3, 1), description="c5 next year")
    fx.commitment(a4, D(2025, 3, 1), description="c6 overdue")

    r1 = fx.registration(tree.community_a1, registered_on=D(2025, 3, 5))
    fx.registration(tree.community_a1, registered_on=D(2025, 4, 1), status="revoked", revoked_on=D(2025, 6, 1), revoke_reason="调离")
    r3 = fx.registration(tree.community_a1, registered_on=D(2024, 5, 1))
    fx.registration(tree.community_a2, registered_on=D(2025, 2, 1))
    rb = fx.registration(tree.community_b1, registered_on=D(2025, 2, 1))

    p1 = fx.post(tree.community_a1, capacity=3, offered_on=D(2025, 2, 1))
    p2 = fx.post(tree.community_a1, capacity=2, offered_on=D(2024, 12, 1), title="法律咨询")
    fx.post(tree.community_a2, capacity=2, offered_on=D(2025, 3, 1), title="文体活动")
    pb = fx.post(tree.community_b1, offered_on=D(2025, 3, 1))
    fx.claim(p1, member=r1, claimed_on=D(2025, 4, 1), hours="2.5")
    fx.claim(p1, unit=ua1, claimed_on=D(2025, 5, 1), hours=4)
    fx.claim(p2, member=r1, claimed_on=D(2025, 1, 15), hours=3)
    fx.claim(p2, member=r3, claimed_on=D(2024, 12, 15), hours=10)
    fx.claim(pb, member=rb, claimed_on=D(2025, 4, 1), hours=7)
    return {"a1": a1, "a4": a4, "c1": c1, "p1": p1, "r1": r1}
