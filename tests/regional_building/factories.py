"""Plain builders for 一化 records (saved directly, bypassing services: test data only)."""

import datetime
import itertools

from regional_building import models as m
from regional_building.codes import make_credit_code

_seq = itertools.count(1)
D = datetime.date


def credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return make_credit_code(f"91620102MA{n:07d}")


def unit(node, name=None, **kw):
    n = next(_seq)
    defaults = dict(name=name or f"驻区单位{n}", kind=m.UnitKind.STATE_ENTERPRISE, credit_code=credit_code(n),
                    node=node, party_org_form="branch", party_member_count=30, contact_person="王强",
                    contact_phone="13912345678")
    defaults.update(kw)
    return m.ResidentUnit.objects.create(**defaults)


def conference(node, level=m.ConferenceLevel.STREET, **kw):
    return m.JointConference.objects.create(name=kw.pop("name", f"{node.name}党建联席会"), level=level, node=node, **kw)


def member(conf, u, **kw):
    return m.ConferenceMember.objects.create(conference=conf, unit=u, term_start=kw.pop("term_start", D(2024, 1, 1)), **kw)


def committee_member(conf, u, **kw):
    return m.CommitteeMember.objects.create(conference=conf, unit=u, person_name=kw.pop("person_name", "李明"),
                                            term_start=kw.pop("term_start", D(2024, 1, 1)), **kw)


def meeting(conf, held_on=D(2025, 3, 1), **kw):
    return m.Meeting.objects.create(conference=conf, held_on=held_on, topics=kw.pop("topics", "共驻共建年度计划"), **kw)


def agreement(node, u, signed_on=D(2025, 1, 10), valid_from=D(2025, 1, 10), valid_until=D(2027, 12, 31), **kw):
    return m.Agreement.objects.create(title=kw.pop("title", f"{u.name}共驻共建协议"), node=node, unit=u,
                                      signed_on=signed_on, valid_from=valid_from, valid_until=valid_until, **kw)


def commitment(agr, due_on=D(2025, 6, 30), category=m.CommitmentCategory.PARTY_DAY, **kw):
    return m.Commitment.objects.create(agreement=agr, category=category, description=kw.pop("description", "开展一次党日活动"), due_on=due_on, **kw)


def fulfilment(c, done_on=D(2025, 5, 1), **kw):
    return m.Fulfilment.objects.create(commitment=c, done_on=done_on, what_was_done=kw.pop("what_was_done", "组织党员清理小区楼道"), **kw)


def registration(community, name=None, phone=None, registered_on=D(2025, 3, 5), **kw):
    n = next(_seq)
    return m.MemberRegistration.objects.create(name=name or f"党员{n}", phone=phone or f"139{n:08d}",
                                               work_unit_name=kw.pop("work_unit_name", "兰州市第一中学"),
                                               community=community, registered_on=registered_on, **kw)


def post(community, capacity=3, offered_on=D(2025, 2, 1), **kw):
    return m.ServicePost.objects.create(community=community, title=kw.pop("title", "关爱空巢老人"),
                                        category=kw.pop("category", m.PostCategory.VULNERABLE), capacity=capacity,
                                        offered_on=offered_on, **kw)


def claim(p, member=None, unit=None, claimed_on=D(2025, 4, 1), hours=2, **kw):
    return m.Claim.objects.create(post=p, member=member, unit=unit, claimed_on=claimed_on, hours=hours, **kw)


def feedback(reg, year=2025, quarter=1, **kw):
    return m.Feedback.objects.create(registration=reg, year=year, quarter=quarter, assessment=kw.pop("assessment", "表现良好"), **kw)
