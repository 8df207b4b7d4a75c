from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Divisions and communities")

    def ready(self):
        from communities.models import Node
        from core.audit import register_audited

        register_audited(Node)
