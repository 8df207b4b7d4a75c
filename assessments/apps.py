from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("assessments")
    sanqi_nav = [
        (pgettext_lazy("menu", "Schemes"), "assessments:scheme_list"),  # short: the bar is one line at 1366 px
        (_("Review queue"), "assessments:result_list"),
    ]
    sanqi_api = True
    sanqi_demo = "assessments.demo.load"

    def ready(self):
        from assessments.models import Indicator, Result, Scheme, Score
        from assessments.rules import evidence_labels
        from core.audit import register_audited, register_json_labels

        for model in (Scheme, Indicator, Result, Score):
            register_audited(model)
        register_json_labels(evidence_labels)
        import assessments.tasks  # noqa: F401  (registers the tasks and the worker-ready hook)
