from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegionalBuildingConfig(AppConfig):
    name = "regional_building"
    verbose_name = _("Regional party building")
    # One menu entry; the app's own pages carry tabs to each of its lists.
    # The menu's label is short in English so the bar stays one line at 1366 px (区域化党建 in Chinese).
    sanqi_nav = [(pgettext_lazy("menu", "Regional"), "regional_building:agreement_list")]
    sanqi_api = True
    sanqi_todo = ["regional_building.todo.items"]
    sanqi_demo = "regional_building.demo.load"
    sanqi_node_panels = ["regional_building.panels.figures_panel"]

    def ready(self):
        from core.audit import register_audited
        from regional_building import models

        for model in (
            models.ResidentUnit, models.JointConference, models.ConferenceMember, models.CommitteeMember,
            models.Meeting, models.Agreement, models.Commitment, models.Fulfilment, models.MemberRegistration,
            models.ServicePost, models.Claim, models.Feedback,
        ):
            register_audited(model)
