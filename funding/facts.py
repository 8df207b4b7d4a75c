"""Per-community facts of 有钱办事 for one year, set-based: four queries whatever the number of
communities, and no model object per community (the definitions of
:func:`funding.selectors.funds_for`). Used by the annual
assessment (and the year-end summary).

Keys of each community's dict (money in yuan, Decimal):
- ``office_funds``, ``party_funds``, ``working_funds``: received in the year (working = office +
  party-building + heating);
- ``office_standard``, ``party_standard``, ``working_standard``: the amounts of the standard that
  applies (the community's own or its nearest ancestor's), 0 when none applies;
- ``has_standard`` (bool): a standard applies;
- ``office_meets_standard``, ``party_meets_standard``, ``funds_meet_standard`` (bool): received ≥
  the standard (False when no standard applies);
- ``spent``, ``party_work_spent`` (Decimal): spending of the year, and of it on party work;
- ``party_work_share`` (Decimal, percent 0.1): party_work_spent / spent, 0 when nothing was spent.
"""

from __future__ import annotations

from collections import namedtuple
from decimal import Decimal

from django.db.models import Count, Q, Sum

from communities.models import Node
from core.numbers import percent
from core.standards import nearest_standards
from funding.models import PARTY_WORK_CATEGORIES, WORKING_CATEGORIES, Allocation, AllocationCategory, Expenditure, Standard

KEYS = [
    "office_funds", "party_funds", "working_funds", "office_standard", "party_standard", "working_standard",
    "has_standard", "office_meets_standard", "party_meets_standard", "funds_meet_standard", "spent",
    "party_work_spent", "party_work_share",
]
ZERO = Decimal("0.00")
# What nearest_standards needs of a node, without building model objects (120,000 of them for a
# province cost more than the queries).
_Node = namedtuple("_Node", "id code level")


def community_rows(*, community_ids: list[int], year: int) -> dict[int, dict]:
    """The facts of :data:`KEYS` plus ``allocated`` (every category) and the number of
    allocations and expenditures of the year (``allocation_records``, ``expenditure_records``:
    0 means nothing was entered). Three queries and the standards' one."""
    ids = list(community_ids)
    nodes = [_Node(*row) for row in Node.objects.filter(pk__in=ids).values_list("id", "code", "level")]
    standards = nearest_standards(Standard.objects.filter(year=year), nodes)
    received = {pk: {"office": ZERO, "party": ZERO, "working": ZERO, "allocated": ZERO, "n": 0} for pk in ids}
    for row in (
        Allocation.objects.filter(year=year, community_id__in=ids)
        .values("community_id")
        .annotate(
            office=Sum("amount", filter=Q(category=AllocationCategory.OFFICE)),
            party=Sum("amount", filter=Q(category=AllocationCategory.PARTY)),
            working=Sum("amount", filter=Q(category__in=list(WORKING_CATEGORIES))),
            allocated=Sum("amount"),
            n=Count("id"),
        )
        .order_by()
    ):
        received[row["community_id"]] = {k: (row[k] if row[k] is not None else ZERO) for k in ("office", "party", "working", "allocated", "n")}
    spending = {
        row["community_id"]: row
        for row in Expenditure.objects.filter(year=year, community_id__in=ids)
        .values("community_id")
        .annotate(total=Sum("amount"), party=Sum("amount", filter=Q(category__in=PARTY_WORK_CATEGORIES)), n=Count("id"))
        .order_by()
    }
    facts = {}
    for node in nodes:
        s = standards.get(node.id)
        r = received[node.id]
        spent_row = spending.get(node.id)
        spent = (spent_row["total"] or ZERO) if spent_row else ZERO
        party_spent = (spent_row["party"] or ZERO) if spent_row else ZERO
        office_ok = bool(s) and r["office"] >= s.office_amount
        party_ok = bool(s) and r["party"] >= s.party_amount
        share = percent(party_spent, spent)
        facts[node.id] = dict(
            office_funds=r["office"],
            party_funds=r["party"],
            working_funds=r["working"],
            office_standard=s.office_amount if s else ZERO,
            party_standard=s.party_amount if s else ZERO,
            working_standard=s.effective_total if s else ZERO,
            has_standard=s is not None,
            office_meets_standard=office_ok,
            party_meets_standard=party_ok,
            funds_meet_standard=office_ok and party_ok and r["working"] >= s.effective_total,
            spent=spent,
            party_work_spent=party_spent,
            party_work_share=share if share is not None else Decimal("0.0"),
            allocated=r["allocated"],
            allocation_records=r["n"],
            expenditure_records=spent_row["n"] if spent_row else 0,
        )
    return facts


def community_facts(*, community_ids: list[int], year: int) -> dict[int, dict]:
    return {pk: {key: row[key] for key in KEYS} for pk, row in community_rows(community_ids=community_ids, year=year).items()}
