from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "venues"
    verbose_name = _("venues")
    # One menu entry; the app's pages carry tabs to its three lists (venues, compliance, standards).
    sanqi_nav = [(_("Venues"), "venues:venue_list")]
    sanqi_api = True
    sanqi_demo = "venues.demo.load"
    sanqi_node_panels = ["venues.panels.venue_panel"]

    def ready(self):
        from core.audit import register_audited
        from venues.models import AreaStandard, Venue

        register_audited(Venue)
        register_audited(AreaStandard)
