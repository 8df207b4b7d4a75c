"""What the year-end summary tells from the records, besides the dashboard's figures: the named
training courses and who organised them, venues built or expanded, service halls, volunteer
teams, the funding standard in force and where the money came from, conferences held and their
topics, agreements signed and the 四个一 kept, promotions, posts claimed.

Everything is counted over a period: 1 January to ``as_of`` (31 December for a past year, the
drafting day for the current one), and the same period of the previous year, so that a
current-year draft compares like with like ("截至11月30日…比上年同期"). Aggregate queries only,
a fixed number whatever the size of the node; the result is JSON-ready (kept in
``Summary.figures``).

A record kept by a street or a district itself (its own courses, conferences, agreements) is
that node's, never a community's: the counts say whose ("街道本级", "区委组织部举办").
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, Sum

from communities.models import PREFIX_LENGTH, Level, Node, ancestor_codes
from funding.models import WORKING_CATEGORIES, Allocation, Standard
from regional_building.models import (
    FOUR_ONES, Agreement, Claim, Commitment, Fulfilment, JointConference, Meeting, MemberRegistration, ResidentUnit,
)
from staffing.models import Appointment, Attendance, Post, Recognition, RecognitionKind, TrainingCourse, VolunteerTeam
from staffing.selectors import active_on
from venues.models import NEW_OR_EXPANDED, Acquisition, AreaStandard, Venue, VenueStatus

TOPICS_SHOWN = 3
COURSES_SHOWN = 4
VENUES_SHOWN = 3


def _same_day(on: datetime.date, year: int) -> datetime.date:
    try:
        return on.replace(year=year)
    except ValueError:  # 29 February
        return on.replace(year=year, day=28)


def _s(value) -> str | None:
    return None if value is None else str(value)


def _period(node: Node, first: datetime.date, last: datetime.date) -> dict:
    """The flows of one period (training, promotions, money received, venues completed, meetings,
    agreements, commitments, registrations, claims)."""
    prefix = node.prefix
    # Training: the node's own courses by name; courses of the nodes beneath it counted; the
    # node's cadres at every course (whoever organised it), split by the organiser's level.
    courses = TrainingCourse.objects.filter(start_date__range=(first, last))
    own = list(courses.filter(organizer=node).order_by("start_date", "name").values("name", "hours"))
    beneath = dict(
        courses.filter(organizer__code__startswith=prefix).exclude(organizer=node)
        .values_list("organizer__level").annotate(n=Count("id")).order_by()
    )
    attendance = Attendance.objects.filter(cadre__community__code__startswith=prefix,
                                           course__start_date__range=(first, last))
    by_level = {
        row["course__organizer__level"]: {"times": row["n"], "hours": _s(row["hours"] or 0)}
        for row in attendance.values("course__organizer__level").annotate(n=Count("id"), hours=Sum("course__hours"))
        .order_by()
    }
    at_own = attendance.filter(course__organizer=node).aggregate(n=Count("id"), hours=Sum("course__hours"))
    total = attendance.aggregate(n=Count("id"), hours=Sum("course__hours"))

    promotions = Recognition.objects.filter(cadre__community__code__startswith=prefix, date__range=(first, last))
    recognitions = dict(promotions.values_list("kind").annotate(n=Count("id")).order_by())

    money = Allocation.objects.filter(community__code__startswith=prefix, year=first.year,
                                      received_on__lte=last, category__in=list(WORKING_CATEGORIES))
    sources = {row["source"]: _s(row["amount"]) for row in money.values("source").annotate(amount=Sum("amount")).order_by()}
    received = money.aggregate(amount=Sum("amount"), communities=Count("community", distinct=True))

    completed = Venue.objects.filter(community__code__startswith=prefix, status=VenueStatus.COMPLETED,
                                     completion_date__range=(first, last))
    built = [
        {"community": row["community__name"], "name": row["name"], "area": _s(row["usable_area"]),
         "expanded": row["acquisition"] == Acquisition.EXPANDED}
        for row in completed.filter(acquisition__in=list(NEW_OR_EXPANDED))
        .order_by("-usable_area", "community__code").values("community__name", "name", "usable_area", "acquisition")
    ]
    halls_opened = completed.filter(has_service_hall=True).values("community").distinct().count()

    meetings = Meeting.objects.filter(conference__node__code__startswith=prefix, held_on__range=(first, last))
    topics = Counter(meetings.values_list("topics", flat=True))
    meetings_by_level = dict(meetings.values_list("conference__level").annotate(n=Count("id")).order_by())

    agreements = Agreement.objects.filter(node__code__startswith=prefix)
    signed = agreements.filter(signed_on__range=(first, last)).count()
    # In force at the end of the period: begun, not expired, not terminated by then.
    in_force = agreements.filter(valid_from__lte=last, valid_until__gte=last).filter(
        Q(terminated_on__isnull=True) | Q(terminated_on__gt=last)).count()
    terminated = agreements.filter(terminated_on__range=(first, last)).count()

    kept = Exists(Fulfilment.objects.filter(commitment=OuterRef("pk"), done_on__lte=last))
    commitments = (
        Commitment.objects.filter(agreement__node__code__startswith=prefix, due_on__range=(first, last))
        .annotate(is_kept=kept)
        .aggregate(due=Count("id"), kept=Count("id", filter=Q(is_kept=True)),
                   four=Count("id", filter=Q(category__in=list(FOUR_ONES))),
                   four_kept=Count("id", filter=Q(is_kept=True, category__in=list(FOUR_ONES))))
    )
    registered = MemberRegistration.objects.filter(community__code__startswith=prefix,
                                                   registered_on__range=(first, last)).count()
    claims = Claim.objects.filter(post__community__code__startswith=prefix, claimed_on__range=(first, last)).aggregate(
        posts=Count("post", distinct=True), claims=Count("id"), hours=Sum("hours"))
    return {
        "first": first.isoformat(), "last": last.isoformat(),
        "own_courses": [{"name": c["name"], "hours": _s(c["hours"])} for c in own],
        "courses_beneath": {str(level): n for level, n in beneath.items()},
        "attendance_by_level": {str(level): v for level, v in by_level.items()},
        "attendance_own": {"times": at_own["n"], "hours": _s(at_own["hours"] or 0)},
        "attendance": {"times": total["n"], "hours": _s(total["hours"] or 0)},
        "promotions": recognitions.get(RecognitionKind.PROMOTION, 0),
        "awards": recognitions.get(RecognitionKind.AWARD, 0),
        "funds": _s(received["amount"]), "funded_communities": received["communities"], "sources": sources,
        "built": built, "halls_opened": halls_opened,
        "meetings": sum(meetings_by_level.values()), "meetings_by_level": meetings_by_level,
        "topics": [t for t, _n in topics.most_common(TOPICS_SHOWN)],
        "agreements_signed": signed, "agreements_in_force": in_force, "agreements_terminated": terminated,
        "commitments_due": commitments["due"], "commitments_kept": commitments["kept"],
        "four_ones_due": commitments["four"], "four_ones_kept": commitments["four_kept"],
        "members_registered": registered,
        "posts_claimed": claims["posts"], "claims": claims["claims"], "claim_hours": _s(claims["hours"]),
    }


def _standard(node: Node, year: int) -> tuple[dict | None, list[dict]]:
    """The funding standard in force for the node (its own or its nearest ancestor's) and the
    different ones set beneath it, for ``year``."""
    codes = ancestor_codes(node.code, node.level) + [node.code]
    rows = list(
        Standard.objects.filter(Q(node__code__in=codes) | Q(node__code__startswith=node.prefix), year=year)
        .values("node__code", "node__name", "office_amount", "party_amount", "total_amount")
    )

    def plain(r):
        return {"node": r["node__name"], "office": _s(r["office_amount"]), "party": _s(r["party_amount"]),
                "total": _s(r["total_amount"])}

    above = sorted((r for r in rows if r["node__code"] in codes), key=lambda r: codes.index(r["node__code"]))
    below = [plain(r) for r in sorted(rows, key=lambda r: r["node__code"]) if r["node__code"] not in codes]
    return (plain(above[-1]) if above else None), below


def records(*, node: Node, year: int, as_of: datetime.date) -> dict:
    """The records the summary tells of, for the period 1 January – ``as_of`` of ``year`` and the
    same period of the year before, plus stocks on ``as_of`` (see the module docstring)."""
    prefix = node.prefix
    communities = Node.objects.filter(code__startswith=prefix, level=Level.COMMUNITY)
    counts = communities.aggregate(all=Count("id"), urban=Count("id", filter=Q(is_urban=True)))
    streets = Node.objects.filter(code__startswith=prefix, level=Level.TOWNSHIP).count() if node.level < Level.TOWNSHIP else 0
    deputies = (
        Appointment.objects.filter(active_on(as_of), post=Post.DEPUTY_SECRETARY,
                                   cadre__community__code__startswith=prefix, cadre__community__is_urban=True)
        .values("cadre").distinct().count()
    )
    party_workers = (
        Appointment.objects.filter(active_on(as_of), post=Post.PARTY_WORKER, cadre__community__code__startswith=prefix)
        .values("cadre").distinct().count()
    )
    teams = VolunteerTeam.objects.filter(community__code__startswith=prefix, founded_on__lte=as_of).aggregate(
        teams=Count("id", distinct=True), members=Count("members", filter=Q(members__joined_on__lte=as_of)))
    venues = Venue.objects.filter(community__code__startswith=prefix)
    halls = venues.filter(status=VenueStatus.COMPLETED, completion_date__lte=as_of, has_service_hall=True) \
        .values("community").distinct().count()
    building = list(venues.filter(status=VenueStatus.UNDER_CONSTRUCTION).order_by("community__code")
                    .values("community__name", "usable_area"))
    units = ResidentUnit.objects.filter(node__code__startswith=prefix).aggregate(
        units=Count("id"), members=Sum("party_member_count"),
        with_org=Count("id", filter=~Q(party_org_form="")))
    conferences = dict(
        JointConference.objects.filter(node__code__startswith=prefix)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=as_of))
        .values_list("level").annotate(n=Count("id")).order_by()
    )
    standard, standards_beneath = _standard(node, year)
    area = AreaStandard.objects.filter(node__code__in=ancestor_codes(node.code, node.level) + [node.code], year=year) \
        .order_by("-node__level").values("minimum_area", "area_per_100_households").first()
    before = _same_day(as_of, year - 1)
    return {
        "as_of": as_of.isoformat(),
        "complete": as_of >= datetime.date(year, 12, 31),
        "communities": counts["all"], "urban": counts["urban"], "villages": counts["all"] - counts["urban"],
        "streets": streets,
        "deputy_secretaries": deputies, "party_workers": party_workers,
        "teams": teams["teams"], "volunteers": teams["members"],
        "halls": halls,
        "under_construction": [{"community": b["community__name"], "area": _s(b["usable_area"])} for b in building],
        "units": units["units"], "unit_members": units["members"] or 0, "units_with_org": units["with_org"],
        "conferences": conferences,
        "standard": standard, "standards_beneath": standards_beneath,
        "area_standard": {k: _s(v) for k, v in area.items()} if area else None,
        "current": _period(node, datetime.date(year, 1, 1), as_of),
        "previous": _period(node, datetime.date(year - 1, 1, 1), before),
    }


def street_names(node: Node) -> dict[str, str]:
    """Street prefix → name, for grouping communities by street (one query)."""
    if node.level >= Level.TOWNSHIP:
        return {node.prefix: node.name} if node.level == Level.TOWNSHIP else {}
    return {
        code[: PREFIX_LENGTH[Level.TOWNSHIP]]: name
        for code, name in Node.objects.filter(code__startswith=node.prefix, level=Level.TOWNSHIP).values_list("code", "name")
    }
