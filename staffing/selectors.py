"""Reads of the staffing app: each takes the viewer, or a node the viewer may see.

The figures of a node and year cost a constant number of aggregate queries, whatever the
number of communities beneath the node (a street, a district, a province)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from communities.models import Level, Node, ancestor_codes
from core.numbers import percent
from core.scope import Action, scope_prefixes
from staffing.models import (
    COLLEGE_OR_ABOVE,
    Appointment,
    Attendance,
    Cadre,
    Post,
    TrainingCourse,
    VolunteerTeam,
)


def as_of_date(year: int) -> date:
    """The day a year's figures describe: 31 December, or today for the current year."""
    today = timezone.localdate()
    return min(date(year, 12, 31), today) if year >= today.year else date(year, 12, 31)


def active_on(on: date, prefix: str = "") -> Q:
    """Appointments held on ``on`` (optionally through a relation prefix such as ``appointments__``)."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def holds_post(post: str, on: date):
    return Exists(Appointment.objects.filter(active_on(on), cadre=OuterRef("pk"), post=post))


def courses_open_to(user):
    """Courses whose attendance the user may register: organized within their change scope or by
    a node above it (a district course is open to each street's and community's cadres)."""
    prefixes = scope_prefixes(user, Action.CHANGE)
    if prefixes is None:
        return TrainingCourse.objects.all()
    if not prefixes:
        return TrainingCourse.objects.none()
    codes: set[str] = set()
    condition = Q()
    for prefix in prefixes:
        code = prefix.ljust(12, "0")
        level = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}[len(prefix)]
        codes.update(ancestor_codes(code, level))
        condition |= Q(organizer__code__startswith=prefix)
    return TrainingCourse.objects.filter(condition | Q(organizer__code__in=codes))


@dataclass
class Figures:
    node: Node
    year: int
    as_of: date
    communities: int = 0
    cadres: int = 0
    by_post: list = field(default_factory=list)  # [(Post, count)]
    one_shoulder: int = 0  # communities whose secretary is also the director (一肩挑)
    party_workers: int = 0
    average_age: Decimal | None = None
    college_or_above: int = 0
    party_members: int = 0
    courses: int = 0
    person_times: int = 0
    training_hours: Decimal = Decimal("0")
    teams: int = 0
    volunteers: int = 0
    updated: object = None  # when the facts read were computed (None: computed from the rows now)
    pending: bool = False  # changes under the node wait for the background refresh

    @property
    def college_share(self) -> Decimal | None:
        return percent(self.college_or_above, self.cadres)

    @property
    def one_shoulder_share(self) -> Decimal | None:
        return percent(self.one_shoulder, self.communities)

    def as_dict(self) -> dict:
        return {
            "node": {"id": self.node.pk, "code": self.node.code, "name": self.node.name},
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "communities": self.communities,
            "cadres": self.cadres,
            "headcount_by_post": {post.value: n for post, n in self.by_post},
            "one_shoulder_communities": self.one_shoulder,
            "full_time_party_workers": self.party_workers,
            "average_age": str(self.average_age) if self.average_age is not None else None,
            "college_or_above": self.college_or_above,
            "college_or_above_percent": str(self.college_share) if self.college_share is not None else None,
            "party_members": self.party_members,
            "training_courses": self.courses,
            "training_person_times": self.person_times,
            "training_hours": str(self.training_hours),
            "volunteer_teams": self.teams,
            "volunteers": self.volunteers,
        }


def _age_expression(on: date):
    """Age in whole years on ``on``, computed by the database (portable: SQLite and PostgreSQL)."""
    birthday_ahead = Q(birth_date__month__gt=on.month) | Q(birth_date__month=on.month, birth_date__day__gt=on.day)
    return Value(on.year) - ExtractYear("birth_date") - Case(
        When(birthday_ahead, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def staffing_figures(*, node: Node, year: int) -> Figures:
    """The year-end figures of 有人管事 for ``node`` (any level), read from the facts table
    (figures.models.Facts): three queries whatever the size of the node (the dirty marks, the
    roll-up of the communities' rows, the courses the node and those beneath it organized), no
    object per community. ``updated``/``pending`` tell how fresh. A year the table does not keep
    is computed from the raw rows (:func:`figures_from_rows`)."""
    from figures.refresh import years
    from figures.selectors import node_totals

    if year not in years():
        return figures_from_rows(node=node, year=year)
    f = node_totals(prefix=node.prefix, year=year)
    figures = Figures(node=node, year=year, as_of=as_of_date(year), updated=f["updated"], pending=f["pending"])
    figures.communities = f["communities"]
    figures.party_workers = f["party_workers"]
    figures.by_post = [
        (post, f["party_workers"] if post == Post.PARTY_WORKER else f[f"headcount_{post.value}"]) for post in Post
    ]
    figures.cadres = f["staff_count"]
    if f["staff_count"]:  # as the database's AVG gives it, rounded as before
        figures.average_age = Decimal(str(f["age_sum"] / f["staff_count"])).quantize(Decimal("0.1"))
    figures.college_or_above = f["college_count"]
    figures.party_members = f["cadre_party_members"]
    figures.one_shoulder = f["one_shoulder"]
    figures.courses = TrainingCourse.objects.filter(organizer__code__startswith=node.prefix, start_date__year=year).count()
    figures.person_times = f["training_attendances"]
    figures.training_hours = f["training_hours"] or Decimal("0")  # as the raw sum shows nothing
    figures.teams = f["volunteer_teams"]
    figures.volunteers = f["volunteers"]
    return figures


def figures_from_rows(*, node: Node, year: int) -> Figures:
    """:func:`staffing_figures` computed from the raw rows: seven aggregate queries (a year the
    facts table does not keep; what the facts must agree with)."""
    on = as_of_date(year)
    prefix = node.prefix
    figures = Figures(node=node, year=year, as_of=on)
    # 1. communities beneath the node
    figures.communities = Node.objects.filter(level=Level.COMMUNITY, code__startswith=prefix).count()
    # 2. headcount by post (a person holding two posts counts under each)
    counts = dict(
        Appointment.objects.filter(active_on(on), cadre__community__code__startswith=prefix)
        .values_list("post")
        .annotate(n=Count("cadre", distinct=True))
        .order_by()
    )
    figures.by_post = [(post, counts.get(post.value, 0)) for post in Post]
    figures.party_workers = counts.get(Post.PARTY_WORKER, 0)
    # 3. the serving cadres: how many, age, education, party membership
    serving = Cadre.objects.filter(community__code__startswith=prefix).filter(
        Exists(Appointment.objects.filter(active_on(on), cadre=OuterRef("pk")))
    )
    row = serving.aggregate(
        n=Count("id"),
        age=Avg(_age_expression(on)),
        college=Count("id", filter=Q(education__in=COLLEGE_OR_ABOVE)),
        members=Count("id", filter=Q(is_party_member=True)),
    )
    figures.cadres = row["n"]
    figures.average_age = Decimal(str(row["age"])).quantize(Decimal("0.1")) if row["age"] is not None else None
    figures.college_or_above = row["college"]
    figures.party_members = row["members"]
    # 4. 一肩挑: communities where one person holds the secretary and the director posts on that day
    figures.one_shoulder = (
        Cadre.objects.filter(community__code__startswith=prefix)
        .filter(holds_post(Post.SECRETARY, on), holds_post(Post.DIRECTOR, on))
        .values("community_id")
        .distinct()
        .count()
    )
    # 5. courses organized by the node or beneath it in the year
    figures.courses = TrainingCourse.objects.filter(organizer__code__startswith=prefix, start_date__year=year).count()
    # 6. training of the node's cadres in the year, whoever organized it
    row = Attendance.objects.filter(cadre__community__code__startswith=prefix, course__start_date__year=year).aggregate(
        n=Count("id"), hours=Sum(F("course__hours"))
    )
    figures.person_times = row["n"]
    figures.training_hours = row["hours"] or Decimal("0")
    # 7. volunteer teams founded by the day, and their members who had joined by then
    row = VolunteerTeam.objects.filter(community__code__startswith=prefix, founded_on__lte=on).aggregate(
        teams=Count("id", distinct=True), members=Count("members", filter=Q(members__joined_on__lte=on))
    )
    figures.teams = row["teams"]
    figures.volunteers = row["members"]
    return figures


def cadre_posts(cadres, on: date | None = None) -> dict[int, list[Appointment]]:
    """Posts held on ``on`` (today) by each of ``cadres``: one query."""
    on = on or timezone.localdate()
    result: dict[int, list[Appointment]] = {c.pk: [] for c in cadres}
    for appointment in Appointment.objects.filter(active_on(on), cadre_id__in=list(result)).order_by("start_date"):
        result[appointment.cadre_id].append(appointment)
    return result

