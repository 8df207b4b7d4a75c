"""Writes of the funding app. Each takes the acting user and goes through
``core.services.scoped_save``/``scoped_delete`` (validation, scope, audit).

Money rule: a community may not spend more in a year than it received for that year. Every
write that can lower a community-year's balance (spending, changing or deleting spending or an
allocation) locks the community's row first (``SELECT ... FOR UPDATE``), then re-reads the
sums and checks them inside the same transaction; two clerks posting at the same moment are
serialised on that lock, so the second sees the first's spending and cannot overdraw.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from communities.models import Node
from core import versioning
from core.contention import lock_nodes
from core.scope import Action, node_in_scope
from core.services import scoped_delete, scoped_save
from core.versioning import locked_update
from funding.models import ZERO, Allocation, Expenditure, Standard

STANDARD_FIELDS = ["node", "year", "office_amount", "party_amount", "total_amount", "basis"]
ALLOCATION_FIELDS = ["community", "year", "category", "source", "amount", "received_on", "document_number", "note"]
EXPENDITURE_FIELDS = ["community", "spent_on", "category", "amount", "purpose", "voucher_number"]


def _yuan(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _require_scope(actor, node) -> None:
    """Refuse before any figure of an out-of-scope community is read (nothing leaks)."""
    if node is None or not node_in_scope(actor, node, Action.CHANGE):
        raise PermissionDenied(_("This record lies outside the part of the hierarchy you may edit."))


def _lock_communities(*community_ids: int) -> None:
    """Lock the community rows, always in id order so that two writers cannot deadlock."""
    lock_nodes(*community_ids)


def funds_position(community_id: int, year: int, *, exclude_allocation=None, exclude_expenditure=None) -> tuple[Decimal, Decimal]:
    """(received, spent) of a community in a year; optionally leaving one record out."""
    allocations = Allocation.objects.filter(community_id=community_id, year=year)
    if exclude_allocation is not None:
        allocations = allocations.exclude(pk=exclude_allocation)
    expenditures = Expenditure.objects.filter(community_id=community_id, year=year)
    if exclude_expenditure is not None:
        expenditures = expenditures.exclude(pk=exclude_expenditure)
    received = allocations.aggregate(s=Sum("amount"))["s"] or ZERO
    spent = expenditures.aggregate(s=Sum("amount"))["s"] or ZERO
    return received, spent


def _check_spending(expenditure: Expenditure) -> None:
    received, spent = funds_position(expenditure.community_id, expenditure.year, exclude_expenditure=expenditure.pk)
    balance = received - spent
    if expenditure.amount > balance:
        raise ValidationError(
            {
                "amount": _(
                    "Spending of %(amount)s exceeds the funds available: %(community)s received %(received)s for "
                    "%(year)s and has spent %(spent)s, a balance of %(balance)s."
                )
                % {
                    "amount": _yuan(expenditure.amount),
                    "community": expenditure.community.name,
                    "received": _yuan(received),
                    "year": expenditure.year,
                    "spent": _yuan(spent),
                    "balance": _yuan(balance),
                }
            }
        )


def _check_allocations_cover_spending(community: Node, year: int, *, exclude_allocation=None, adding=ZERO) -> None:
    received, spent = funds_position(community.pk, year, exclude_allocation=exclude_allocation)
    received += adding
    if received < spent:
        raise ValidationError(
            _(
                "%(community)s has already spent %(spent)s in %(year)s; after this change it would have received only "
                "%(received)s. Correct or delete the spending first."
            )
            % {"community": community.name, "spent": _yuan(spent), "year": year, "received": _yuan(received)}
        )


# ---- standards ----

def standard_create(*, actor, **fields) -> Standard:
    return scoped_save(actor=actor, instance=Standard(**fields))


@transaction.atomic
def standard_update(*, actor, standard: Standard, **fields) -> Standard:
    return scoped_save(actor=actor, instance=locked_update(standard, fields))


def standard_delete(*, actor, standard: Standard) -> None:
    scoped_delete(actor=actor, instance=standard)


# ---- allocations ----

def allocation_create(*, actor, **fields) -> Allocation:
    return scoped_save(actor=actor, instance=Allocation(**fields))


@transaction.atomic
def allocation_update(*, actor, allocation: Allocation, **fields) -> Allocation:
    """Change an allocation; refused when the community-year it leaves or shrinks would then
    have spent more than it received."""
    _require_scope(actor, allocation.community)
    new_community = fields.get("community")
    # Communities first, then the record (re-read under its lock, with only the given fields
    # applied): the same order as every other funding write.
    _lock_communities(allocation.community_id, new_community.pk if new_community else None)
    allocation = versioning.lock(allocation)
    versioning.check_version(allocation, fields.get("version"))
    old_community, old_year = allocation.community, allocation.year
    for name, value in fields.items():
        setattr(allocation, name, value)
    allocation.full_clean()
    _require_scope(actor, allocation.community)
    _lock_communities(old_community.pk, allocation.community_id)
    if (old_community.pk, old_year) == (allocation.community_id, allocation.year):
        _check_allocations_cover_spending(
            allocation.community, allocation.year, exclude_allocation=allocation.pk, adding=allocation.amount
        )
    else:
        _check_allocations_cover_spending(old_community, old_year, exclude_allocation=allocation.pk)
    return scoped_save(actor=actor, instance=allocation)


@transaction.atomic
def allocation_delete(*, actor, allocation: Allocation) -> None:
    _require_scope(actor, allocation.community)
    _lock_communities(allocation.community_id)
    _check_allocations_cover_spending(allocation.community, allocation.year, exclude_allocation=allocation.pk)
    scoped_delete(actor=actor, instance=allocation)


# ---- expenditures ----

@transaction.atomic
def expenditure_create(*, actor, **fields) -> Expenditure:
    """Record spending; refused, with the balance, when it exceeds the funds received for the
    year. Safe against two clerks posting at once (the community row is locked)."""
    expenditure = Expenditure(**fields)
    expenditure.full_clean()
    _require_scope(actor, expenditure.community)
    _lock_communities(expenditure.community_id)
    _check_spending(expenditure)
    return scoped_save(actor=actor, instance=expenditure)


@transaction.atomic
def expenditure_update(*, actor, expenditure: Expenditure, **fields) -> Expenditure:
    _require_scope(actor, expenditure.community)
    new_community = fields.get("community")
    _lock_communities(expenditure.community_id, new_community.pk if new_community else None)
    expenditure = locked_update(expenditure, fields)
    expenditure.full_clean()
    _require_scope(actor, expenditure.community)
    _lock_communities(expenditure.community_id)
    _check_spending(expenditure)
    return scoped_save(actor=actor, instance=expenditure)


def expenditure_delete(*, actor, expenditure: Expenditure) -> None:
    scoped_delete(actor=actor, instance=expenditure)
