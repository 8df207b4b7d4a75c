"""The generic persona suite (tests/generic.py) fed with each 一化 model's data."""

import datetime

import pytest

from regional_building import models as m
from tests.generic import ScopedCrudSuite
from tests.regional_building import factories as fx

D = datetime.date


def unit_in(node, name):
    return m.ResidentUnit.objects.filter(node=node, name=name).first() or fx.unit(node, name=name)


def conf_in(node):
    return m.JointConference.objects.filter(node=node).first() or fx.conference(node)


def agreement_in(node):
    return m.Agreement.objects.filter(node=node).first() or fx.agreement(node, unit_in(node, f"{node.name}协议单位"))


def commitment_in(node):
    agr = agreement_in(node)
    return agr.commitments.first() or fx.commitment(agr)


def reg_in(community):
    return m.MemberRegistration.objects.filter(community=community).first() or fx.registration(community, name=f"{community.name}党员")


def post_in(community):
    return m.ServicePost.objects.filter(community=community).first() or fx.post(community, capacity=500)


class Base(ScopedCrudSuite):
    """The generic suite, fed per model below."""


@pytest.mark.django_db
class TestResidentUnitCrud(Base):
    model = m.ResidentUnit
    url_prefix = "regional_building:residentunit"
    api_basename = "regional_building-api:residentunit"

    def own_object(self, tree):
        return unit_in(tree.street_a, "兰州石化酒泉路分公司")

    def neighbour_object(self, tree):
        return unit_in(tree.street_b, "张掖路小学")

    def deletable_object(self, tree):
        return fx.unit(tree.community_a1)

    def data(self, node, code):
        return {"name": "城关区人民医院", "kind": "hospital", "credit_code": code, "node": node.pk,
                "party_org_form": "committee", "party_member_count": 120, "contact_person": "张华",
                "contact_phone": "0931-8456789", "address": "酒泉路1号"}

    def create_data(self, tree):
        return self.data(tree.street_a, fx.credit_code(900001))

    def create_data_in_neighbour_street(self, tree):
        return self.data(tree.street_b, fx.credit_code(900002))

    def update_data(self, obj):
        return {**self.data(obj.node, obj.credit_code), "name": obj.name + "（改）"}

    def api_update_data(self, obj):
        return {"party_member_count": 77}

    def created_exists(self, data):
        return m.ResidentUnit.objects.filter(credit_code=data["credit_code"]).exists()

    def make_many(self, tree, n):
        start = m.ResidentUnit.objects.count() + 1000
        m.ResidentUnit.objects.bulk_create(
            m.ResidentUnit(name=f"单位{start + i}", kind="school", credit_code=fx.credit_code(start + i),
                           node=tree.community_a1 if i % 2 else tree.street_a, contact_phone="13800000000")
            for i in range(n)
        )


@pytest.mark.django_db
class TestJointConferenceCrud(Base):
    model = m.JointConference
    url_prefix = "regional_building:jointconference"
    api_basename = "regional_building-api:jointconference"

    def own_object(self, tree):
        return conf_in(tree.street_a)

    def neighbour_object(self, tree):
        return conf_in(tree.street_b)

    def deletable_object(self, tree):
        return fx.conference(tree.community_a1, level=m.ConferenceLevel.COMMUNITY, name="临时分会")

    def data(self, node, name):
        return {"name": name, "level": "street", "node": node.pk, "established_on": "2024-03-01", "notes": ""}

    def create_data(self, tree):
        return self.data(tree.street_a, "酒泉路街道大党委联席会")

    def create_data_in_neighbour_street(self, tree):
        return self.data(tree.street_b, "越权联席会")

    def update_data(self, obj):
        return {**self.data(obj.node, obj.name + "（改）")}

    def api_update_data(self, obj):
        return {"notes": "每季度召开一次"}

    def created_exists(self, data):
        return m.JointConference.objects.filter(name=data["name"]).exists()

    def make_many(self, tree, n):
        m.JointConference.objects.bulk_create(
            m.JointConference(name=f"分会{i}", level="community", node=tree.community_a1) for i in range(n)
        )


class ConferenceChild(Base):
    def setup_conf(self, tree):
        conf = conf_in(tree.street_a)
        return conf, unit_in(tree.community_a1, "南关小学")


@pytest.mark.django_db
class TestConferenceMemberCrud(ConferenceChild):
    model = m.ConferenceMember
    url_prefix = "regional_building:conferencemember"
    api_basename = "regional_building-api:conferencemember"

    def own_object(self, tree):
        conf, u = self.setup_conf(tree)
        return m.ConferenceMember.objects.filter(conference=conf, unit=u).first() or fx.member(conf, u)

    def neighbour_object(self, tree):
        conf = conf_in(tree.street_b)
        return conf.members.first() or fx.member(conf, unit_in(tree.street_b, "张掖路小学"))

    def deletable_object(self, tree):
        conf, _u = self.setup_conf(tree)
        return fx.member(conf, fx.unit(tree.street_a))

    def create_data(self, tree):
        conf, _u = self.setup_conf(tree)
        return {"conference": conf.pk, "unit": unit_in(tree.street_a, "城关供电公司").pk, "role": "vice_chair",
                "term_start": "2025-01-01", "term_end": "2027-12-31"}

    def create_data_in_neighbour_street(self, tree):
        return {"conference": conf_in(tree.street_b).pk, "unit": unit_in(tree.street_b, "张掖路小学").pk,
                "role": "member", "term_start": "2025-01-01", "term_end": ""}

    def api_create_data_in_neighbour(self, tree):
        return {**self.create_data_in_neighbour_street(tree), "term_end": None}

    def update_data(self, obj):
        return {"conference": obj.conference_id, "unit": obj.unit_id, "role": "chair",
                "term_start": obj.term_start.isoformat(), "term_end": "2026-12-31"}

    def api_update_data(self, obj):
        return {"role": "member"}

    def created_exists(self, data):
        return m.ConferenceMember.objects.filter(conference_id=data["conference"], unit_id=data["unit"]).exists()

    def make_many(self, tree, n):
        conf, _u = self.setup_conf(tree)
        units = m.ResidentUnit.objects.bulk_create(
            m.ResidentUnit(name=f"成员{i}", kind="school", credit_code=fx.credit_code(50000 + m.ResidentUnit.objects.count() * 7 + i), node=tree.street_a)
            for i in range(n)
        )
        m.ConferenceMember.objects.bulk_create(m.ConferenceMember(conference=conf, unit=u, term_start=D(2024, 1, 1)) for u in units)


@pytest.mark.django_db
class TestCommitteeMemberCrud(ConferenceChild):
    model = m.CommitteeMember
    url_prefix = "regional_building:committeemember"
    api_basename = "regional_building-api:committeemember"

    def own_object(self, tree):
        conf, u = self.setup_conf(tree)
        return conf.committee_members.first() or fx.committee_member(conf, u)

    def neighbour_object(self, tree):
        conf = conf_in(tree.street_b)
        return conf.committee_members.first() or fx.committee_member(conf, unit_in(tree.street_b, "张掖路小学"))

    def deletable_object(self, tree):
        conf, u = self.setup_conf(tree)
        return fx.committee_member(conf, u, person_name="临时委员")

    def data(self, conf, u, name):
        return {"conference": conf.pk, "person_name": name, "unit": u.pk, "post": "兼职副书记",
                "unit_post": "党委书记", "term_start": "2025-01-01", "term_end": "2027-12-31"}

    def create_data(self, tree):
        conf, u = self.setup_conf(tree)
        return self.data(conf, u, "赵刚")

    def create_data_in_neighbour_street(self, tree):
        return self.data(conf_in(tree.street_b), unit_in(tree.street_b, "张掖路小学"), "越权委员")

    def update_data(self, obj):
        return {**self.data(obj.conference, obj.unit, obj.person_name), "post": "兼职委员（改）"}

    def api_update_data(self, obj):
        return {"unit_post": "副院长"}

    def created_exists(self, data):
        return m.CommitteeMember.objects.filter(person_name=data["person_name"]).exists()

    def make_many(self, tree, n):
        conf, u = self.setup_conf(tree)
        m.CommitteeMember.objects.bulk_create(
            m.CommitteeMember(conference=conf, unit=u, person_name=f"委员{i}", term_start=D(2024, 1, 1)) for i in range(n)
        )


@pytest.mark.django_db
class TestMeetingCrud(ConferenceChild):
    model = m.Meeting
    url_prefix = "regional_building:meeting"
    api_basename = "regional_building-api:meeting"

    def own_object(self, tree):
        conf, _u = self.setup_conf(tree)
        return conf.meetings.first() or fx.meeting(conf)

    def neighbour_object(self, tree):
        conf = conf_in(tree.street_b)
        return conf.meetings.first() or fx.meeting(conf)

    def deletable_object(self, tree):
        conf, _u = self.setup_conf(tree)
        return fx.meeting(conf, topics="临时会议")

    def create_data(self, tree):
        conf, u = self.setup_conf(tree)
        if not conf.members.filter(unit=u).exists():
            fx.member(conf, u)
        return {"conference": conf.pk, "held_on": "2025-06-18", "topics": "研究共驻共建项目清单",
                "resolutions": "确定四个一项目", "attendees": [u.pk]}

    def create_data_in_neighbour_street(self, tree):
        return {"conference": conf_in(tree.street_b).pk, "held_on": "2025-06-18", "topics": "越权会议",
                "resolutions": "", "attendees": []}

    def update_data(self, obj):
        return {"conference": obj.conference_id, "held_on": obj.held_on.isoformat(), "topics": obj.topics + "（改）",
                "resolutions": "通过", "attendees": []}

    def api_update_data(self, obj):
        return {"resolutions": "一致通过"}

    def created_exists(self, data):
        return m.Meeting.objects.filter(topics=data["topics"]).exists()

    def make_many(self, tree, n):
        conf, u = self.setup_conf(tree)
        meetings = m.Meeting.objects.bulk_create(m.Meeting(conference=conf, held_on=D(2025, 1, 1), topics=f"议题{i}") for i in range(n))
        for meeting in meetings:
            meeting.attendees.add(u)


@pytest.mark.django_db
class TestAgreementCrud(Base):
    model = m.Agreement
    url_prefix = "regional_building:agreement"
    api_basename = "regional_building-api:agreement"

    def own_object(self, tree):
        return agreement_in(tree.street_a)

    def neighbour_object(self, tree):
        return agreement_in(tree.street_b)

    def deletable_object(self, tree):
        return fx.agreement(tree.community_a1, unit_in(tree.community_a1, "南关小学"), title="临时协议")

    def data(self, node, u, title):
        return {"title": title, "node": node.pk, "unit": u.pk, "signed_on": "2025-02-01", "valid_from": "2025-02-01",
                "valid_until": "2026-01-31", "terminated_on": "", "termination_reason": "", "notes": ""}

    def create_data(self, tree):
        return self.data(tree.community_a1, unit_in(tree.street_a, "城关供电公司"), "南关社区与城关供电公司共驻共建协议")

    def create_data_in_neighbour_street(self, tree):
        return self.data(tree.street_b, unit_in(tree.street_b, "张掖路小学"), "越权协议")

    def api_create_data(self, tree):
        return {**self.create_data(tree), "terminated_on": None}

    def api_create_data_in_neighbour(self, tree):
        return {**self.create_data_in_neighbour_street(tree), "terminated_on": None}

    def update_data(self, obj):
        return {**self.data(obj.node, obj.unit, obj.title + "（改）"), "signed_on": obj.signed_on.isoformat(),
                "valid_from": obj.valid_from.isoformat(), "valid_until": obj.valid_until.isoformat()}

    def api_update_data(self, obj):
        return {"notes": "续签"}

    def created_exists(self, data):
        return m.Agreement.objects.filter(title=data["title"]).exists()

    def make_many(self, tree, n):
        u = unit_in(tree.street_a, "城关供电公司")
        agreements = m.Agreement.objects.bulk_create(
            m.Agreement(title=f"协议{i}", node=tree.street_a, unit=u, signed_on=D(2025, 1, 1), valid_from=D(2025, 1, 1),
                        valid_until=D(2026, 1, 1)) for i in range(n)
        )
        m.Commitment.objects.bulk_create(m.Commitment(agreement=a, category="party_day", description="党日", due_on=D(2025, 6, 1)) for a in agreements)


@pytest.mark.django_db
class TestCommitmentCrud(Base):
    model = m.Commitment
    url_prefix = "regional_building:commitment"
    api_basename = "regional_building-api:commitment"

    def own_object(self, tree):
        return commitment_in(tree.street_a)

    def neighbour_object(self, tree):
        return commitment_in(tree.street_b)

    def deletable_object(self, tree):
        return fx.commitment(agreement_in(tree.street_a), description="临时承诺")

    def data(self, agr, text):
        return {"agreement": agr.pk, "category": "solve_problem", "description": text, "due_on": "2025-09-30"}

    def create_data(self, tree):
        return self.data(agreement_in(tree.street_a), "解决小区停车难")

    def create_data_in_neighbour_street(self, tree):
        return self.data(agreement_in(tree.street_b), "越权承诺")

    def update_data(self, obj):
        return {**self.data(obj.agreement, obj.description + "（改）")}

    def api_update_data(self, obj):
        return {"due_on": "2025-12-31"}

    def created_exists(self, data):
        return m.Commitment.objects.filter(description=data["description"]).exists()

    def make_many(self, tree, n):
        agr = agreement_in(tree.street_a)
        cs = m.Commitment.objects.bulk_create(m.Commitment(agreement=agr, category="advice", description=f"承诺{i}", due_on=D(2025, 6, 1)) for i in range(n))
        m.Fulfilment.objects.bulk_create(m.Fulfilment(commitment=c, done_on=D(2025, 5, 1), what_was_done="完成") for c in cs[::2])


@pytest.mark.django_db
class TestFulfilmentCrud(Base):
    model = m.Fulfilment
    url_prefix = "regional_building:fulfilment"
    api_basename = "regional_building-api:fulfilment"

    def own_object(self, tree):
        c = commitment_in(tree.street_a)
        return c.fulfilments.first() or fx.fulfilment(c)

    def neighbour_object(self, tree):
        c = commitment_in(tree.street_b)
        return c.fulfilments.first() or fx.fulfilment(c)

    def deletable_object(self, tree):
        return fx.fulfilment(commitment_in(tree.street_a), what_was_done="临时记录")

    def data(self, c, text):
        return {"commitment": c.pk, "done_on": "2025-07-01", "what_was_done": text, "evidence": "照片6张"}

    def create_data(self, tree):
        return self.data(commitment_in(tree.street_a), "为社区老人义诊")

    def create_data_in_neighbour_street(self, tree):
        return self.data(commitment_in(tree.street_b), "越权履行")

    def update_data(self, obj):
        return self.data(obj.commitment, obj.what_was_done + "（改）")

    def api_update_data(self, obj):
        return {"evidence": "签到表"}

    def created_exists(self, data):
        return m.Fulfilment.objects.filter(what_was_done=data["what_was_done"]).exists()

    def make_many(self, tree, n):
        c = commitment_in(tree.street_a)
        m.Fulfilment.objects.bulk_create(m.Fulfilment(commitment=c, done_on=D(2025, 5, 1), what_was_done=f"记录{i}") for i in range(n))


@pytest.mark.django_db
class TestMemberRegistrationCrud(Base):
    model = m.MemberRegistration
    url_prefix = "regional_building:memberregistration"
    api_basename = "regional_building-api:memberregistration"

    def own_object(self, tree):
        return reg_in(tree.community_a1)

    def neighbour_object(self, tree):
        return reg_in(tree.community_b1)

    def deletable_object(self, tree):
        return fx.registration(tree.community_a2)

    def data(self, community, name):
        return {"name": name, "phone": "13993112345", "work_unit": "", "work_unit_name": "兰州大学", "community": community.pk,
                "registered_on": "2025-03-01", "status": "registered", "revoked_on": "", "revoke_reason": ""}

    def create_data(self, tree):
        return self.data(tree.community_a1, "刘洋")

    def create_data_in_neighbour_street(self, tree):
        return self.data(tree.community_b1, "越权党员")

    def api_create_data(self, tree):
        return {**self.create_data(tree), "work_unit": None, "revoked_on": None}

    def api_create_data_in_neighbour(self, tree):
        return {**self.create_data_in_neighbour_street(tree), "work_unit": None, "revoked_on": None}

    def update_data(self, obj):
        return {**self.data(obj.community, obj.name + "（改）"), "phone": obj.phone}

    def api_update_data(self, obj):
        return {"work_unit_name": "甘肃省人民医院"}

    def created_exists(self, data):
        return m.MemberRegistration.objects.filter(name=data["name"]).exists()

    def make_many(self, tree, n):
        m.MemberRegistration.objects.bulk_create(
            m.MemberRegistration(name=f"党员{i}", phone=f"1380000{i:04d}", work_unit_name="单位", community=tree.community_a2,
                                 registered_on=D(2025, 1, 1)) for i in range(n + m.MemberRegistration.objects.count(), n * 2 + m.MemberRegistration.objects.count())
        )


@pytest.mark.django_db
class TestServicePostCrud(Base):
    model = m.ServicePost
    url_prefix = "regional_building:servicepost"
    api_basename = "regional_building-api:servicepost"

    def own_object(self, tree):
        return post_in(tree.community_a1)

    def neighbour_object(self, tree):
        return post_in(tree.community_b1)

    def deletable_object(self, tree):
        return fx.post(tree.community_a2, title="临时岗位")

    def data(self, community, title):
        return {"community": community.pk, "title": title, "category": "law", "capacity": 5, "offered_on": "2025-03-01",
                "description": "每月一次法律咨询"}

    def create_data(self, tree):
        return self.data(tree.community_a1, "法律咨询岗")

    def create_data_in_neighbour_street(self, tree):
        return self.data(tree.community_b1, "越权岗位")

    def update_data(self, obj):
        return self.data(obj.community, obj.title + "（改）") | {"capacity": obj.capacity}

    def api_update_data(self, obj):
        return {"description": "每周一次"}

    def created_exists(self, data):
        return m.ServicePost.objects.filter(title=data["title"]).exists()

    def make_many(self, tree, n):
        posts = m.ServicePost.objects.bulk_create(
            m.ServicePost(community=tree.community_a1, title=f"岗位{i}", category="health", capacity=3, offered_on=D(2025, 1, 1)) for i in range(n)
        )
        reg = reg_in(tree.community_a1)
        m.Claim.objects.bulk_create(m.Claim(post=p, member=reg, claimed_on=D(2025, 2, 1), hours=1) for p in posts)


@pytest.mark.django_db
class TestClaimCrud(Base):
    model = m.Claim
    url_prefix = "regional_building:claim"
    api_basename = "regional_building-api:claim"

    def own_object(self, tree):
        p = post_in(tree.community_a1)
        return p.claims.first() or fx.claim(p, member=reg_in(tree.community_a1))

    def neighbour_object(self, tree):
        p = post_in(tree.community_b1)
        return p.claims.first() or fx.claim(p, member=reg_in(tree.community_b1))

    def deletable_object(self, tree):
        return fx.claim(post_in(tree.community_a1), unit=unit_in(tree.street_a, "城关供电公司"), notes="临时")

    def data(self, community, notes):
        return {"post": post_in(community).pk, "member": reg_in(community).pk, "unit": "", "claimed_on": "2025-04-02",
                "hours": "3.5", "notes": notes}

    def create_data(self, tree):
        return self.data(tree.community_a1, "认领记录甲")

    def create_data_in_neighbour_street(self, tree):
        return self.data(tree.community_b1, "越权认领")

    def api_create_data(self, tree):
        return {**self.create_data(tree), "unit": None}

    def api_create_data_in_neighbour(self, tree):
        return {**self.create_data_in_neighbour_street(tree), "unit": None}

    def update_data(self, obj):
        return {"post": obj.post_id, "member": obj.member_id or "", "unit": obj.unit_id or "",
                "claimed_on": obj.claimed_on.isoformat(), "hours": "8.0", "notes": "改"}

    def api_update_data(self, obj):
        return {"hours": "6.0"}

    def created_exists(self, data):
        return m.Claim.objects.filter(notes=data["notes"]).exists()

    def make_many(self, tree, n):
        p, reg = post_in(tree.community_a1), reg_in(tree.community_a1)
        m.Claim.objects.bulk_create(m.Claim(post=p, member=reg, claimed_on=D(2025, 2, 1), hours=1) for _ in range(n))


@pytest.mark.django_db
class TestFeedbackCrud(Base):
    model = m.Feedback
    url_prefix = "regional_building:feedback"
    api_basename = "regional_building-api:feedback"

    def own_object(self, tree):
        reg = reg_in(tree.community_a1)
        return reg.feedbacks.first() or fx.feedback(reg)

    def neighbour_object(self, tree):
        reg = reg_in(tree.community_b1)
        return reg.feedbacks.first() or fx.feedback(reg)

    def deletable_object(self, tree):
        reg = reg_in(tree.community_a1)
        return fx.feedback(reg, year=2020 + m.Feedback.objects.count(), quarter=4)

    def data(self, community, text):
        return {"registration": reg_in(community).pk, "year": 2025, "quarter": 2, "assessment": text, "sent_on": "2025-07-05"}

    def create_data(self, tree):
        return self.data(tree.community_a1, "第二季度参加志愿服务4次")

    def create_data_in_neighbour_street(self, tree):
        return self.data(tree.community_b1, "越权反馈")

    def update_data(self, obj):
        return {"registration": obj.registration_id, "year": obj.year, "quarter": obj.quarter,
                "assessment": obj.assessment + "（改）", "sent_on": ""}

    def api_update_data(self, obj):
        return {"assessment": "优秀"}

    def second_api_update_data(self, obj):
        return {"sent_on": "2025-07-09"}

    def created_exists(self, data):
        return m.Feedback.objects.filter(assessment=data["assessment"]).exists()

    def make_many(self, tree, n):
        reg = reg_in(tree.community_a1)
        start = 2000 + m.Feedback.objects.count()
        m.Feedback.objects.bulk_create(m.Feedback(registration=reg, year=start + i, quarter=3, assessment="良") for i in range(n))
