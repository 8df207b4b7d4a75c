from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _queue_label(user):
    from assessments.selectors import queue_label

    return queue_label(user)


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("assessments")
    sanqi_nav = [
        (pgettext_lazy("menu", "Schemes"), "assessments:scheme_list"),  # short: the bar is one line at 1366 px
        (_queue_label, "assessments:result_list"),  # 待审核 / 待提交 / 审核队列, by role
    ]
    sanqi_api = True
    sanqi_todo = ["assessments.todo.items"]
    sanqi_demo = "assessments.demo.load"

    def ready(self):
        from assessments.models import Indicator, Result, Scheme, Score
        from assessments.rules import evidence_labels
        from core.audit import register_audited, register_json_labels

        for model in (Scheme, Indicator, Result, Score):
            register_audited(model)
        register_json_labels(evidence_labels)
        import assessments.tasks  # noqa: F401  (registers the tasks and the worker-ready hook)
