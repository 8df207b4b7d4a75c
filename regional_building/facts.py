"""Per-community facts of 一化 (区域化党建) for one year, set-based: six aggregate queries
grouped by community whatever the number of communities. Only records kept by the community
itself count (a street's conference or agreement is not a community's). Definitions follow
:func:`regional_building.selectors.node_figures`. Used by the annual assessment (and the
year-end summary).

Keys of each community's dict (all int):
- ``meetings_held``: meetings of the community's joint conferences dated in the year;
- ``agreements_in_force``: agreements in force at some time in the year;
- ``commitments_due``: commitments of its agreements due in the year; ``commitments_kept``: of
  those, with a fulfilment recorded (四个一 and the rest);
- ``members_registered``: in-service members (在职党员) registered in the year;
- ``posts_offered``: service posts offered in the year; ``posts_claimed``: posts with a claim
  dated in the year.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q

from regional_building.models import Agreement, Claim, Commitment, Fulfilment, Meeting, MemberRegistration, ServicePost

KEYS = ["meetings_held", "agreements_in_force", "commitments_due", "commitments_kept", "members_registered",
        "posts_offered", "posts_claimed"]


def _counts(qs, path, **aggregates):
    return {row[path]: row for row in qs.values(path).annotate(**aggregates).order_by()}


def community_facts(*, community_ids: list[int], year: int) -> dict[int, dict]:
    ids = list(community_ids)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    facts = {pk: {key: 0 for key in KEYS} for pk in ids}
    sources = [
        ("meetings_held", Meeting.objects.filter(conference__node_id__in=ids, held_on__year=year),
         "conference__node_id", {"n": Count("id")}),
        ("agreements_in_force", Agreement.objects.filter(node_id__in=ids, valid_from__lte=last, valid_until__gte=first)
         .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=first)), "node_id", {"n": Count("id")}),
        ("commitments_due", Commitment.objects.filter(agreement__node_id__in=ids, due_on__year=year)
         .annotate(kept=Exists(Fulfilment.objects.filter(commitment=OuterRef("pk")))),
         "agreement__node_id", {"n": Count("id"), "kept_n": Count("id", filter=Q(kept=True))}),
        ("members_registered", MemberRegistration.objects.filter(community_id__in=ids, registered_on__year=year),
         "community_id", {"n": Count("id")}),
        ("posts_offered", ServicePost.objects.filter(community_id__in=ids, offered_on__year=year),
         "community_id", {"n": Count("id")}),
        ("posts_claimed", Claim.objects.filter(post__community_id__in=ids, claimed_on__year=year),
         "post__community_id", {"n": Count("post", distinct=True)}),
    ]
    for key, qs, path, aggregates in sources:
        for community_id, row in _counts(qs, path, **aggregates).items():
            facts[community_id][key] = row["n"]
            if "kept_n" in row:
                facts[community_id]["commitments_kept"] = row["kept_n"]
    return facts
