"""Per-community facts of 有钱办事 for one year, set-based: the five queries of
:func:`funding.selectors.funds_for` whatever the number of communities. Used by the annual
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

from decimal import Decimal

from communities.models import Node
from funding.selectors import funds_for

KEYS = [
    "office_funds", "party_funds", "working_funds", "office_standard", "party_standard", "working_standard",
    "has_standard", "office_meets_standard", "party_meets_standard", "funds_meet_standard", "spent",
    "party_work_spent", "party_work_share",
]
ZERO = Decimal("0.00")


def community_facts(*, community_ids: list[int], year: int) -> dict[int, dict]:
    funds = funds_for(user=None, year=year, communities=Node.objects.filter(pk__in=list(community_ids)))
    facts = {}
    for row in funds.communities:
        s = row.standard
        facts[row.community.pk] = dict(
            office_funds=row.office,
            party_funds=row.party,
            working_funds=row.working,
            office_standard=s.office_amount if s else ZERO,
            party_standard=s.party_amount if s else ZERO,
            working_standard=s.effective_total if s else ZERO,
            has_standard=s is not None,
            office_meets_standard=bool(s) and row.office >= s.office_amount,
            party_meets_standard=bool(s) and row.party >= s.party_amount,
            funds_meet_standard=bool(row.meets_standard),
            spent=row.spent,
            party_work_spent=row.party_spent,
            party_work_share=row.party_share if row.party_share is not None else Decimal("0.0"),
        )
    return facts
