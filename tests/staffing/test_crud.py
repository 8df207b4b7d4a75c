"""Every staffing model through the foundation's generic persona suite (pages and API)."""

from datetime import date
from decimal import Decimal

import pytest

from staffing.idnumber import make_id_number
from staffing.models import (
    Appointment,
    Attendance,
    Cadre,
    Recognition,
    TrainingCourse,
    Volunteer,
    VolunteerTeam,
    Welfare,
)
from tests.generic import ScopedCrudSuite
from tests.staffing.conftest import appoint, attend, id_for, make_cadre, make_course, make_team

_counter = iter(range(10_000))


class Base(ScopedCrudSuite):
    def cadre(self, tree, which="a"):
        cache = self.__dict__.setdefault("_cadres", {})
        if which not in cache:
            community = {"a": tree.community_a1, "a2": tree.community_a2, "b": tree.community_b1}[which]
            cache[which] = make_cadre(community, name={"a": "王建国", "a2": "李丽", "b": "赵敏"}[which], gender="F" if which != "a" else "M")
        return cache[which]

    def cached(self, key, factory):
        cache = self.__dict__.setdefault("_objects", {})
        if key not in cache:
            cache[key] = factory()
        return cache[key]


def cadre_form(community, name="刘晓燕", born=date(1988, 3, 15), gender="F", **overrides):
    data = {
        "community": community.pk, "name": name, "gender": gender, "birth_date": born.isoformat(),
        "education": "college", "is_party_member": "on", "party_join_date": "2010-07-01", "phone": "13800001111",
        "id_number": id_for(born, gender),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestCadreCrud(Base):
    model = Cadre
    url_prefix = "staffing:cadre"
    api_basename = "staffing-api:cadre"

    def own_object(self, tree):
        return self.cadre(tree, "a")

    def neighbour_object(self, tree):
        return self.cadre(tree, "b")

    def deletable_object(self, tree):
        return make_cadre(tree.community_a2, name=f"临时{next(_counter)}")

    def create_data(self, tree):
        return self.cached("create", lambda: cadre_form(tree.community_a1))

    def create_data_in_neighbour_street(self, tree):
        return self.cached("create_b", lambda: cadre_form(tree.community_b1))

    def api_create_data(self, tree):
        data = dict(self.create_data(tree), is_party_member=True)
        return data

    def api_create_data_in_neighbour(self, tree):
        return dict(self.create_data_in_neighbour_street(tree), is_party_member=True)

    def update_data(self, obj):
        return cadre_form(obj.community, name=obj.name + "（改）", born=obj.birth_date, gender=obj.gender, id_number=obj.id_number, phone=obj.phone)

    def api_update_data(self, obj):
        return {"education": "postgraduate"}

    def created_exists(self, data):
        return Cadre.objects.filter(id_number=data["id_number"]).exists()

    def make_many(self, tree, n):
        start = Cadre.objects.count()
        cadres = []
        for i in range(n):
            born = date(1970 + (start + i) % 30, 1 + (start + i) % 12, 1 + (start + i) % 28)
            cadres.append(Cadre(community=tree.community_a1, name=f"批量{start + i}", gender="M", birth_date=born,
                                education="bachelor", phone="13900000000", id_number=make_id_number("620102", born, 2 * ((start + i) % 400) + 101)))
        Cadre.objects.bulk_create(cadres)
        for cadre in Cadre.objects.filter(name__startswith="批量").exclude(appointments__isnull=False):
            appoint(cadre)


def appointment_form(cadre, **overrides):
    data = {
        "cadre": cadre.pk, "post": "member", "start_date": "2024-03-01", "end_date": "", "employment_form": "contract",
        "recruitment_channel": "open_recruitment", "selection_method": "open_selection", "appointed_by": "街道党工委",
        "note": "新建任职",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestAppointmentCrud(Base):
    model = Appointment
    url_prefix = "staffing:appointment"
    api_basename = "staffing-api:appointment"

    def own_object(self, tree):
        return self.cached("own", lambda: appoint(self.cadre(tree, "a"), note="原任职"))

    def neighbour_object(self, tree):
        return self.cached("neighbour", lambda: appoint(self.cadre(tree, "b")))

    def deletable_object(self, tree):
        return appoint(self.cadre(tree, "a2"))

    def create_data(self, tree):
        return appointment_form(self.cadre(tree, "a"))

    def create_data_in_neighbour_street(self, tree):
        return appointment_form(self.cadre(tree, "b"))

    def api_create_data(self, tree):
        return dict(self.create_data(tree), end_date=None)

    def api_create_data_in_neighbour(self, tree):
        return dict(self.create_data_in_neighbour_street(tree), end_date=None)

    def update_data(self, obj):
        return appointment_form(obj.cadre, note="改过", end_date="2025-12-31")

    def api_update_data(self, obj):
        return {"appointed_by": "区委组织部"}

    def created_exists(self, data):
        return Appointment.objects.filter(cadre_id=data["cadre"], note=data["note"]).exists()

    def make_many(self, tree, n):
        cadre = self.cadre(tree, "a")
        Appointment.objects.bulk_create(
            Appointment(cadre=cadre, post="member", start_date=date(2000 + i % 20, 1, 1), end_date=date(2000 + i % 20, 6, 1),
                        employment_form="contract", recruitment_channel="open_recruitment", selection_method="other")
            for i in range(n)
        )


def course_form(organizer, **overrides):
    data = {"name": "岗前培训班", "kind": "induction", "organizer": organizer.pk, "start_date": "2025-04-01",
            "end_date": "2025-04-02", "hours": "8", "location": "街道党员活动室"}
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestTrainingCourseCrud(Base):
    model = TrainingCourse
    url_prefix = "staffing:trainingcourse"
    api_basename = "staffing-api:trainingcourse"

    def own_object(self, tree):
        return self.cached("own", lambda: make_course(tree.street_a, name="酒泉路街道培训"))

    def neighbour_object(self, tree):
        return self.cached("neighbour", lambda: make_course(tree.street_b, name="张掖路街道培训"))

    def deletable_object(self, tree):
        return make_course(tree.community_a1, name=f"临时培训{next(_counter)}")

    def create_data(self, tree):
        return course_form(tree.street_a)

    def create_data_in_neighbour_street(self, tree):
        return course_form(tree.street_b)

    def update_data(self, obj):
        return course_form(obj.organizer, name=obj.name + "（改）")

    def api_update_data(self, obj):
        return {"hours": "10.5"}

    def created_exists(self, data):
        return TrainingCourse.objects.filter(name=data["name"], organizer_id=data["organizer"]).exists()

    def make_many(self, tree, n):
        TrainingCourse.objects.bulk_create(
            TrainingCourse(name=f"批量培训{i}", kind="other", organizer=tree.community_a1, start_date=date(2025, 1, 1),
                           end_date=date(2025, 1, 1), hours=Decimal("2")) for i in range(n)
        )


@pytest.mark.django_db
class TestAttendanceCrud(Base):
    model = Attendance
    url_prefix = "staffing:attendance"
    api_basename = "staffing-api:attendance"

    def course(self, tree):
        return self.cached("course", lambda: make_course(tree.district, name="区书记主任培训班"))

    def own_object(self, tree):
        return self.cached("own", lambda: attend(self.course(tree), self.cadre(tree, "a")))

    def neighbour_object(self, tree):
        return self.cached("neighbour", lambda: attend(self.course(tree), self.cadre(tree, "b")))

    def deletable_object(self, tree):
        return attend(make_course(tree.street_a, name=f"临时{next(_counter)}"), self.cadre(tree, "a2"))

    def create_data(self, tree):
        return {"course": self.course(tree).pk, "cadre": self.cadre(tree, "a2").pk, "completed": "on", "note": "新登记"}

    def create_data_in_neighbour_street(self, tree):
        return {"course": self.course(tree).pk, "cadre": self.cadre(tree, "b").pk, "completed": "on", "note": "越权登记"}

    def api_create_data(self, tree):
        return dict(self.create_data(tree), completed=True)

    def api_create_data_in_neighbour(self, tree):
        return dict(self.create_data_in_neighbour_street(tree), completed=True)

    def update_data(self, obj):
        return {"course": obj.course_id, "cadre": obj.cadre_id, "note": "未结业"}

    def api_update_data(self, obj):
        return {"completed": True}

    def created_exists(self, data):
        return Attendance.objects.filter(cadre_id=data["cadre"], note=data["note"]).exists()

    def make_many(self, tree, n):
        cadre = self.cadre(tree, "a")
        courses = TrainingCourse.objects.bulk_create(
            TrainingCourse(name=f"批量{i}", kind="other", organizer=tree.street_a, start_date=date(2025, 1, 1),
                           end_date=date(2025, 1, 1), hours=Decimal("2")) for i in range(n)
        )
        courses = TrainingCourse.objects.filter(name__startswith="批量").exclude(attendances__cadre=cadre)
        Attendance.objects.bulk_create(Attendance(course=c, cadre=cadre) for c in courses)


def welfare_form(cadre, year=2025, **overrides):
    data = {"cadre": cadre.pk, "year": year, "allowance": "24000.00", "pension": "3840.00", "medical": "1920.00", "unemployment": "120.00"}
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestWelfareCrud(Base):
    model = Welfare
    url_prefix = "staffing:welfare"
    api_basename = "staffing-api:welfare"

    def own_object(self, tree):
        return self.cached("own", lambda: Welfare.objects.create(cadre=self.cadre(tree, "a"), year=2024, allowance=Decimal("20000")))

    def neighbour_object(self, tree):
        return self.cached("neighbour", lambda: Welfare.objects.create(cadre=self.cadre(tree, "b"), year=2024, allowance=Decimal("20000")))

    def deletable_object(self, tree):
        return Welfare.objects.create(cadre=self.cadre(tree, "a2"), year=2001 + next(_counter) % 99)

    def create_data(self, tree):
        return welfare_form(self.cadre(tree, "a"))

    def create_data_in_neighbour_street(self, tree):
        return welfare_form(self.cadre(tree, "b"))

    def update_data(self, obj):
        return welfare_form(obj.cadre, year=obj.year, allowance="26000.50")

    def api_update_data(self, obj):
        return {"medical": "2000.00"}

    def created_exists(self, data):
        return Welfare.objects.filter(cadre_id=data["cadre"], year=data["year"]).exists()

    def make_many(self, tree, n):
        cadre = self.cadre(tree, "a")
        used = set(Welfare.objects.filter(cadre=cadre).values_list("year", flat=True))
        years = [y for y in range(2000, 2101) if y not in used][:n]
        Welfare.objects.bulk_create(Welfare(cadre=cadre, year=y, allowance=Decimal("1")) for y in years)


def recognition_form(cadre, **overrides):
    data = {"cadre": cadre.pk, "kind": "award", "title": "优秀社区干部", "level": "district", "date": "2025-07-01", "granted_by": "城关区委"}
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestRecognitionCrud(Base):
    model = Recognition
    url_prefix = "staffing:recognition"
    api_basename = "staffing-api:recognition"

    def make(self, cadre, title="优秀党务工作者"):
        return Recognition.objects.create(cadre=cadre, kind="award", title=title, level="city", date=date(2024, 7, 1))

    def own_object(self, tree):
        return self.cached("own", lambda: self.make(self.cadre(tree, "a")))

    def neighbour_object(self, tree):
        return self.cached("neighbour", lambda: self.make(self.cadre(tree, "b")))

    def deletable_object(self, tree):
        return self.make(self.cadre(tree, "a2"), title=f"临时{next(_counter)}")

    def create_data(self, tree):
        return recognition_form(self.cadre(tree, "a"))

    def create_data_in_neighbour_street(self, tree):
        return recognition_form(self.cadre(tree, "b"))

    def update_data(self, obj):
        return recognition_form(obj.cadre, kind="promotion", title="提拔为街道副主任", level="street")

    def api_update_data(self, obj):
        return {"granted_by": "兰州市委"}

    def created_exists(self, data):
        return Recognition.objects.filter(cadre_id=data["cadre"], title=data["title"]).exists()

    def make_many(self, tree, n):
        cadre = self.cadre(tree, "a")
        Recognition.objects.bulk_create(
            Recognition(cadre=cadre, kind="award", title=f"批量{i}", level="street", date=date(2024, 1, 1)) for i in range(n)
        )


def team_form(community, **overrides):
    data = {"name": "党员宣传队", "community": community.pk, "service_type": "culture", "founded_on": "2020-05-04", "leader": "马红"}
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestVolunteerTeamCrud(Base):
    model = VolunteerTeam
    url_prefix = "staffing:volunteerteam"
    api_basename = "staffing-api:volunteerteam"

    def own_object(self, tree):
        return self.cached("own", lambda: make_team(tree.community_a1, "南关助残队", members=2))

    def neighbour_object(self, tree):
        return self.cached("neighbour", lambda: make_team(tree.community_b1, "中山助残队"))

    def deletable_object(self, tree):
        return make_team(tree.community_a2, f"临时队{next(_counter)}")

    def create_data(self, tree):
        return team_form(tree.community_a1)

    def create_data_in_neighbour_street(self, tree):
        return team_form(tree.community_b1)

    def update_data(self, obj):
        return team_form(obj.community, name=obj.name + "（改）")

    def api_update_data(self, obj):
        return {"leader": "周丽"}

    def created_exists(self, data):
        return VolunteerTeam.objects.filter(name=data["name"], community_id=data["community"]).exists()

    def make_many(self, tree, n):
        teams = VolunteerTeam.objects.bulk_create(
            VolunteerTeam(name=f"批量队{i}", community=tree.community_a1, service_type="other", founded_on=date(2020, 1, 1)) for i in range(n)
        )
        Volunteer.objects.bulk_create(Volunteer(team=t, name="队员", gender="M", joined_on=date(2020, 1, 1)) for t in teams if t.pk)


def volunteer_form(team, **overrides):
    data = {"team": team.pk, "name": "马红", "gender": "F", "is_party_member": "on", "joined_on": "2021-03-05", "skills": "义诊"}
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestVolunteerCrud(Base):
    model = Volunteer
    url_prefix = "staffing:volunteer"
    api_basename = "staffing-api:volunteer"

    def team(self, tree, which="a"):
        return self.cached(f"team{which}", lambda: make_team(tree.community_a1 if which == "a" else tree.community_b1, f"队{which}"))

    def make(self, team, name="杨柳"):
        return Volunteer.objects.create(team=team, name=name, gender="F", joined_on=date(2020, 1, 1))

    def own_object(self, tree):
        return self.cached("own", lambda: self.make(self.team(tree, "a")))

    def neighbour_object(self, tree):
        return self.cached("neighbour", lambda: self.make(self.team(tree, "b")))

    def deletable_object(self, tree):
        return self.make(self.team(tree, "a"), name=f"临时{next(_counter)}")

    def create_data(self, tree):
        return volunteer_form(self.team(tree, "a"))

    def create_data_in_neighbour_street(self, tree):
        return volunteer_form(self.team(tree, "b"))

    def api_create_data(self, tree):
        return dict(self.create_data(tree), is_party_member=True)

    def api_create_data_in_neighbour(self, tree):
        return dict(self.create_data_in_neighbour_street(tree), is_party_member=True)

    def update_data(self, obj):
        return volunteer_form(obj.team, name=obj.name + "（改）")

    def api_update_data(self, obj):
        return {"skills": "理发"}

    def created_exists(self, data):
        return Volunteer.objects.filter(team_id=data["team"], name=data["name"]).exists()

    def make_many(self, tree, n):
        team = self.team(tree, "a")
        Volunteer.objects.bulk_create(Volunteer(team=team, name=f"批量{i}", gender="M", joined_on=date(2020, 1, 1)) for i in range(n))
