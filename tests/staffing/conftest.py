"""Factories of the staffing tests: valid cadres (ID numbers with a correct GB 11643 check
character), their posts, courses and teams, created directly (no scope involved)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from staffing.idnumber import make_id_number
from staffing.models import (
    Appointment,
    Attendance,
    Cadre,
    CourseKind,
    EmploymentForm,
    Post,
    RecruitmentChannel,
    SelectionMethod,
    TrainingCourse,
    Volunteer,
    VolunteerTeam,
)

_sequence = itertools.count(11)


def id_for(born: date, gender: str = "M", area: str = "620102") -> str:
    n = next(_sequence) % 499 * 2 + (1 if gender == "M" else 0)
    return make_id_number(area, born, n)


def make_cadre(community, name="张三", born=date(1985, 6, 1), gender="M", education="bachelor", **extra) -> Cadre:
    fields = dict(
        community=community, name=name, gender=gender, birth_date=born, education=education,
        is_party_member=True, party_join_date=date(born.year + 20, 7, 1), phone="13912345678",
        id_number=id_for(born, gender),
    )
    fields.update(extra)
    cadre = Cadre(**fields)
    cadre.full_clean()
    cadre.save()
    return cadre


def appoint(cadre, post=Post.MEMBER, start=date(2020, 1, 1), end=None, **extra) -> Appointment:
    fields = dict(
        cadre=cadre, post=post, start_date=start, end_date=end, employment_form=EmploymentForm.CONTRACT,
        recruitment_channel=RecruitmentChannel.OPEN_RECRUITMENT, selection_method=SelectionMethod.GENERAL_ELECTION,
    )
    fields.update(extra)
    return Appointment.objects.create(**fields)


def make_course(organizer, name="社区干部集中培训", start=date(2025, 6, 1), hours="12", **extra) -> TrainingCourse:
    return TrainingCourse.objects.create(
        name=name, kind=extra.pop("kind", CourseKind.CONCENTRATED), organizer=organizer, start_date=start,
        end_date=extra.pop("end", start), hours=Decimal(hours), **extra,
    )


def attend(course, cadre, **extra) -> Attendance:
    return Attendance.objects.create(course=course, cadre=cadre, **extra)


def make_team(community, name="党员志愿服务队", founded=date(2015, 1, 1), members=0) -> VolunteerTeam:
    team = VolunteerTeam.objects.create(name=name, community=community, service_type="publicity", founded_on=founded)
    for i in range(members):
        Volunteer.objects.create(team=team, name=f"队员{i}", gender="F", joined_on=founded)
    return team


def grant_personal_data(user):
    user.user_permissions.add(Permission.objects.get(codename="view_personal_data", content_type__app_label="core"))
    # Permissions are cached on the user object; fetch it afresh.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def privileged(personas):
    """The street clerk and the district reviewer, allowed to see personal data unmasked."""
    return grant_personal_data(personas.street_clerk), grant_personal_data(personas.district_reviewer)
