"""Per-community facts of 有人管事 for one year, set-based: four aggregate queries whatever the
number of communities (GROUP BY community). Used by the annual assessment (and the year-end
summary). Facts describe the day :func:`staffing.selectors.as_of_date` of the year.

Keys of each community's dict:
- ``secretary_in_post`` (bool): someone holds the party-organization secretary post;
- ``director_in_post`` (bool): someone holds the residents' committee director post;
- ``one_shoulder`` (bool): one person holds both (一肩挑);
- ``full_time_deputy`` (bool): a full-time deputy secretary or deputy director is in post;
- ``staff_count`` (int): serving cadres (distinct people with any post);
- ``party_workers`` (int): full-time party workers in post;
- ``college_count`` (int): serving cadres with junior college (大专) or above;
- ``college_share`` (Decimal, percent, 0.1): college_count / staff_count, 0 when nobody serves;
- ``training_hours`` (Decimal): course hours attended by the community's cadres in the year;
- ``training_hours_per_cadre`` (Decimal, 0.1): training_hours / staff_count, 0 when nobody serves.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from staffing.models import COLLEGE_OR_ABOVE, Appointment, Attendance, Cadre, Post
from staffing.selectors import active_on, as_of_date, holds_post

KEYS = [
    "secretary_in_post", "director_in_post", "one_shoulder", "full_time_deputy", "staff_count",
    "party_workers", "college_count", "college_share", "training_hours", "training_hours_per_cadre",
]


def _ratio(part, whole, percent=False) -> Decimal:
    if not whole:
        return Decimal("0.0")
    value = Decimal(part) * (100 if percent else 1) / Decimal(whole)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def community_facts(*, community_ids: list[int], year: int) -> dict[int, dict]:
    on = as_of_date(year)
    ids = list(community_ids)
    facts = {
        pk: dict(secretary_in_post=False, director_in_post=False, one_shoulder=False, full_time_deputy=False,
                 staff_count=0, party_workers=0, college_count=0, training_hours=Decimal("0"))
        for pk in ids
    }
    # 1. people in each post
    for community_id, post, n in (
        Appointment.objects.filter(active_on(on), cadre__community_id__in=ids)
        .values_list("cadre__community_id", "post")
        .annotate(n=Count("cadre", distinct=True))
        .order_by()
    ):
        row = facts[community_id]
        if post == Post.SECRETARY:
            row["secretary_in_post"] = True
        elif post == Post.DIRECTOR:
            row["director_in_post"] = True
        elif post in (Post.DEPUTY_SECRETARY, Post.DEPUTY_DIRECTOR):
            row["full_time_deputy"] = True
        elif post == Post.PARTY_WORKER:
            row["party_workers"] = n
    # 2. 一肩挑
    for community_id in (
        Cadre.objects.filter(community_id__in=ids)
        .filter(holds_post(Post.SECRETARY, on), holds_post(Post.DIRECTOR, on))
        .values_list("community_id", flat=True)
        .distinct()
    ):
        facts[community_id]["one_shoulder"] = True
    # 3. serving cadres and their education
    for row in (
        Cadre.objects.filter(community_id__in=ids)
        .filter(Exists(Appointment.objects.filter(active_on(on), cadre=OuterRef("pk"))))
        .values("community_id")
        .annotate(n=Count("id"), college=Count("id", filter=Q(education__in=COLLEGE_OR_ABOVE)))
        .order_by()
    ):
        facts[row["community_id"]].update(staff_count=row["n"], college_count=row["college"])
    # 4. training hours in the year
    for row in (
        Attendance.objects.filter(cadre__community_id__in=ids, course__start_date__year=year)
        .values("cadre__community_id")
        .annotate(hours=Sum("course__hours"))
        .order_by()
    ):
        facts[row["cadre__community_id"]]["training_hours"] = Decimal(row["hours"] or 0)
    for row in facts.values():
        row["college_share"] = _ratio(row["college_count"], row["staff_count"], percent=True)
        row["training_hours_per_cadre"] = _ratio(row["training_hours"], row["staff_count"])
    return facts
