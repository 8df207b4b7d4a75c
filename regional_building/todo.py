"""To-do items of regional party building (:mod:`core.todo`): overdue commitments and
agreements expiring within 90 days, for those who keep these records."""

from django.utils.translation import gettext as _

from core.scope import Action, scope_prefixes
from core.todo import TodoItem, filtered
from regional_building.filters import AgreementFilterSet, CommitmentFilterSet
from regional_building.models import Agreement, Commitment, CommitmentStatus


def items(user) -> list[TodoItem]:
    prefixes = scope_prefixes(user, Action.CHANGE)
    if prefixes is not None and not prefixes:
        return []
    overdue = {"status": CommitmentStatus.OVERDUE.value}
    expiring = {"expiring": "true"}
    return [
        TodoItem("commitments_overdue", _("Overdue commitments"),
                 filtered(CommitmentFilterSet, Commitment.objects.visible_to(user), overdue),
                 "regional_building:commitment_list", overdue, nav="regional_building:agreement_list"),
        TodoItem("agreements_expiring", _("Agreements expiring within 90 days"),
                 filtered(AgreementFilterSet, Agreement.objects.visible_to(user), expiring),
                 "regional_building:agreement_list", expiring, nav="regional_building:agreement_list"),
    ]
