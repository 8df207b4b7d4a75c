from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("reports")
    sanqi_nav_group = _("Reports")
    sanqi_nav = [
        (_("Dashboard"), "reports:dashboard"),
        (_("Year-end summaries"), "reports:summary_list"),
        (_("Suggestion texts"), "reports:suggestion_list"),
    ]
    sanqi_api = True
    sanqi_todo = ["reports.todo.items"]
    sanqi_node_panels = ["reports.panels.reports_panel"]

    def ready(self):
        import reports.signals  # noqa: F401  (clears cached dashboards when data changes)
