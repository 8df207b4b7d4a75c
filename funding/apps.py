from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("funding")
    sanqi_nav_group = _("Funds")
    sanqi_nav = [
        (_("Funding compliance"), "funding:compliance"),
        (_("Allocations"), "funding:allocation_list"),
        (_("Expenditures"), "funding:expenditure_list"),
    ]
    sanqi_api = True
    sanqi_demo = "funding.demo.load"
    sanqi_node_panels = ["funding.panels.funding_panel"]

    def ready(self):
        from core.audit import register_audited
        from funding.models import Allocation, Expenditure, Standard

        for model in (Standard, Allocation, Expenditure):
            register_audited(model)
