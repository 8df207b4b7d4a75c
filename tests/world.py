"""One record of every scoped model, in a chosen part of the hierarchy: what the sweep
(tests/test_sweep.py) and schemathesis (tests/test_schemathesis.py) point at.

Every text a record carries starts with its world's ``marker`` ("秘B档", "秘C档"…), so that a
response naming a foreign record is found by a substring search. Records are saved directly
(test data only). A new model with a ``scope_path`` must get a builder here: the sweep fails,
naming it, until it has one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model

from accounts.models import AccountEvent, Profile
from assessments.models import Event, Indicator, Result, Run, Scheme, Score
from core.models import Assignment, RecycleEntry, Role
from core.recycle import recycle_and_delete
from funding.models import Allocation, Expenditure, Standard
from regional_building import models as rb
from reports.models import SuggestionText, Summary
from staffing.models import Appointment, Attendance, Recognition, TrainingCourse, Volunteer, VolunteerTeam, Welfare
from tests.regional_building import factories as fx
from tests.staffing.conftest import appoint, make_cadre
from venues.models import AreaStandard, Venue, VenueStatus

D = datetime.date
YEAR = 2025


@dataclass
class World:
    marker: str
    community: object
    street: object
    district: object
    objects: dict = field(default_factory=dict)  # model → one record of it

    def of(self, model):
        return self.objects[model]

    def node_of(self, obj):
        """The node a record belongs to: its ``scope_path``'s; the world's community for the
        records scoped otherwise (an account by its profile, a recycle bin entry by its code)."""
        from core.services import scope_node_of

        return scope_node_of(obj) if hasattr(obj, "scope_path") else self.community


def scoped_models() -> list:
    """Every model whose records belong to a node of the hierarchy (has ``scope_path``)."""
    return [m for m in apps.get_models() if hasattr(m, "scope_path") and not m.__name__.startswith("Historical")]


def build_world(*, marker: str, community, street, district, actor, scheme: Scheme | None = None) -> World:
    """One record of every scoped model under ``community`` (its street, its district for the
    records a district keeps). ``scheme``: the district's scheme when another world already made it."""
    w = World(marker=marker, community=community, street=street, district=district)
    o = w.objects
    o[community.__class__] = community
    # 有人管事
    cadre = make_cadre(community, name=f"{marker}干部", born=D(1985, 6, 1))
    o[type(cadre)] = cadre
    o[Appointment] = appoint(cadre)
    course = TrainingCourse.objects.create(name=f"{marker}培训班", kind="concentrated", organizer=street,
                                           start_date=D(YEAR, 4, 1), end_date=D(YEAR, 4, 2), hours=Decimal("8"))
    o[TrainingCourse] = course
    o[Attendance] = Attendance.objects.create(course=course, cadre=cadre)
    o[Welfare] = Welfare.objects.create(cadre=cadre, year=YEAR)
    o[Recognition] = Recognition.objects.create(cadre=cadre, kind="award", title=f"{marker}表彰", level="district", date=D(YEAR, 5, 1))
    team = VolunteerTeam.objects.create(name=f"{marker}志愿服务队", community=community, service_type="publicity", founded_on=D(2015, 1, 1))
    o[VolunteerTeam] = team
    o[Volunteer] = Volunteer.objects.create(team=team, name=f"{marker}队员", gender="F", joined_on=D(2016, 1, 1))
    # 有钱办事
    o[Standard] = Standard.objects.create(node=street, year=YEAR, office_amount=Decimal("15000"), party_amount=Decimal("5000"))
    o[Allocation] = Allocation.objects.create(community=community, year=YEAR, category="office", source="district",
                                              received_on=D(YEAR, 3, 1), amount=Decimal("12000"), note=f"{marker}拨款")
    o[Expenditure] = Expenditure.objects.create(community=community, spent_on=D(YEAR, 5, 1), year=YEAR, category="party_activity",
                                                purpose=f"{marker}支出", amount=Decimal("3000"))
    # 有场所议事
    o[AreaStandard] = AreaStandard.objects.create(node=street, year=YEAR, minimum_area=Decimal("300"))
    o[Venue] = Venue.objects.create(community=community, name=f"{marker}党群服务中心", usable_area=Decimal("250"), acquisition="new",
                                    status=VenueStatus.COMPLETED, completion_date=D(2023, 5, 1), has_service_hall=True)
    # 一化
    unit = fx.unit(community, name=f"{marker}驻区单位", contact_person=f"{marker}联系人")
    o[rb.ResidentUnit] = unit
    conference = fx.conference(community, level=rb.ConferenceLevel.COMMUNITY, name=f"{marker}联席分会")
    o[rb.JointConference] = conference
    o[rb.ConferenceMember] = fx.member(conference, unit)
    o[rb.CommitteeMember] = fx.committee_member(conference, unit, person_name=f"{marker}委员")
    o[rb.Meeting] = fx.meeting(conference, topics=f"{marker}议题")
    agreement = fx.agreement(community, unit, title=f"{marker}共建协议")
    o[rb.Agreement] = agreement
    commitment = fx.commitment(agreement, description=f"{marker}承诺")
    o[rb.Commitment] = commitment
    o[rb.Fulfilment] = fx.fulfilment(commitment, what_was_done=f"{marker}履约")
    registration = fx.registration(community, name=f"{marker}党员")
    o[rb.MemberRegistration] = registration
    post = fx.post(community, title=f"{marker}服务岗位")
    o[rb.ServicePost] = post
    o[rb.Claim] = fx.claim(post, member=registration)
    o[rb.Feedback] = fx.feedback(registration, assessment=f"{marker}评价")
    # 考核考评
    # The district's records are read by its streets' and communities' clerks too (the scheme
    # their communities are assessed by): named after the district, not with the world's marker.
    if scheme is None:
        scheme = Scheme.objects.create(district=district, year=YEAR, name=f"{district.name}考核方案")
    o[Scheme] = scheme
    indicator = Indicator.objects.create(scheme=scheme, name=f"{district.name}自定指标",
                                         weight=Decimal("10"), method="manual")
    o[Indicator] = indicator
    o[Run] = Run.objects.create(scheme=scheme, total=1, done=1, chunk_size=200, started_by=actor)
    result = Result.objects.create(scheme=scheme, community=community, year=YEAR, comment=f"{marker}审核意见")
    o[Result] = result
    o[Score] = Score.objects.create(result=result, community=community, year=YEAR, indicator=indicator,
                                    computed=Decimal("5"), final=Decimal("5"), adjust_reason=f"{marker}调整")
    o[Event] = Event.objects.create(result=result, action="submit", from_state="draft", to_state="submitted", actor=actor,
                                    comment=f"{marker}提交")
    # 账号 (an account of the community, its role, its administration record) and the recycle bin
    account = get_user_model().objects.create_user(username=f"{marker}账号", first_name=f"{marker}用户")
    o[get_user_model()] = account
    o[Profile], _created = Profile.objects.update_or_create(user=account, defaults={"node": community, "phone": "13800000000"})
    o[Assignment] = Assignment.objects.create(user=account, node=community, role=Role.ENTRY)
    o[AccountEvent] = AccountEvent.objects.create(actor=actor, target=account, node=community, kind=AccountEvent.Kind.CREATED,
                                                  detail=f"{marker}账号 · {community.name}")
    # a real entry (a venue deleted into the bin): restoring it puts the venue back
    old_venue = Venue.objects.create(community=community, name=f"{marker}旧场所", usable_area=Decimal("80"),
                                     acquisition="new", status=VenueStatus.PLANNED)
    o[RecycleEntry] = recycle_and_delete(actor=actor, instance=old_venue, node=community)
    # 统计报表
    o[SuggestionText] = SuggestionText.objects.create(node=street, kind=_first_choice(SuggestionText, "kind"), text=f"{marker}建议")
    o[Summary] = Summary.objects.create(node=street, year=YEAR, created_by=actor, title=f"{marker}工作总结")
    return w


def _first_choice(model, name):
    return model._meta.get_field(name).choices[0][0]
