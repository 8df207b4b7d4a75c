from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Divisions and communities")
    # Navigation entries (label, URL name), in menu order, and whether it serves /api/v1/.
    sanqi_nav = [(_("Hierarchy"), "communities:tree"), (_("Communities"), "communities:community_list")]
    sanqi_api = True

    def ready(self):
        from communities.models import Node
        from core.audit import register_audited

        register_audited(Node)
