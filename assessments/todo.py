"""To-do items of the assessment workflow (:mod:`core.todo`): results a street clerk has to
submit or was returned, results a reviewer has to approve or return, scoring jobs running."""

from django.utils.translation import gettext as _

from assessments.filters import ResultFilterSet
from assessments.models import Run, RunState, State
from assessments.selectors import result_list
from core.scope import Action, scope_prefixes
from core.todo import TodoItem, filtered

QUEUE = "assessments:result_list"


def _may(user, action: Action, *, above_community: bool = False) -> bool:
    prefixes = scope_prefixes(user, action)
    if prefixes is None:
        return True
    # A community's result is submitted by its street's clerk (services.is_street_clerk): a clerk
    # of one community alone has nothing to submit.
    return any(len(p) < 12 for p in prefixes) if above_community else bool(prefixes)


def items(user) -> list[TodoItem]:
    out = []
    results = result_list(user=user)

    def queue(key, label, state):
        params = {"state": state}
        return TodoItem(key, label, filtered(ResultFilterSet, results, params), QUEUE, params, nav=QUEUE)

    if _may(user, Action.CHANGE, above_community=True):
        out.append(queue("results_to_submit", _("Assessment results to submit"), State.DRAFT))
        out.append(queue("results_returned", _("Assessment results returned to you"), State.RETURNED))
    if _may(user, Action.REVIEW):
        out.append(queue("results_to_review", _("Assessment results to review"), State.SUBMITTED))
        out.append(TodoItem("runs_running", _("Scoring jobs in progress"),
                            Run.objects.visible_to(user).filter(state=RunState.RUNNING), "assessments:scheme_list"))
    return out
