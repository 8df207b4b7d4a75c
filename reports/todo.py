"""To-do items of the year-end summaries (:mod:`core.todo`): drafts not yet finalised, for
those who may write summaries."""

from django.utils.translation import gettext as _

from core.scope import scope_prefixes
from core.todo import TodoItem, filtered
from reports.filters import SummaryFilterSet
from reports.models import Summary, SummaryState
from reports.services import WRITERS


def items(user) -> list[TodoItem]:
    if not any(scope_prefixes(user, action) is None or scope_prefixes(user, action) for action in WRITERS):
        return []
    params = {"state": SummaryState.DRAFT.value}
    return [TodoItem("summaries_draft", _("Summary drafts not finalised"),
                     filtered(SummaryFilterSet, Summary.objects.visible_to(user), params),
                     "reports:summary_list", params, nav="reports:summary_list")]
