"""The venue and area-standard sheets: template, export and upload in Excel."""

import copy

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Level, Node
from core.excel import Column, Sheet
from core.scope import Action, scope_q
from venues.forms import AreaStandardForm, VenueForm
from venues.models import EQUIPMENT_TYPES, ROOM_TYPES, Acquisition, AreaStandard, Venue, VenueStatus
from venues.services import areastandard_create, areastandard_update, venue_create, venue_update


class VenueSheet(Sheet):
    title = gettext_lazy("venues")
    key = "id"
    model = Venue
    missing_record_message = gettext_lazy("Venue number %(id)s does not exist or lies outside the part of the hierarchy you may edit.")
    columns = [
        Column("id", gettext_lazy("venue number"), kind="int", width=10,
               help=gettext_lazy("leave empty for a new venue; keep the number from an export to update that venue")),
        Column("community", gettext_lazy("community code"), kind="node", levels=(Level.COMMUNITY,), required=True, width=16,
               export=lambda v: v.community.code, help=gettext_lazy("the community's 12-digit division code")),
        Column("community_name", gettext_lazy("community name"), width=16, importable=False,
               export=lambda v: v.community.name),
        Column("name", gettext_lazy("venue name"), required=True, width=22),
        Column("address", gettext_lazy("venue address"), width=28),
        Column("usable_area", gettext_lazy("usable area (㎡)"), kind="decimal", required=True, width=12),
        Column("acquisition", gettext_lazy("how obtained"), kind="choice", choices=Acquisition, required=True, width=14),
        Column("status", gettext_lazy("construction status"), kind="choice", choices=VenueStatus, required=True, width=12),
        Column("completion_date", gettext_lazy("completion date"), kind="date", width=12,
               help=gettext_lazy("YYYY-MM-DD; required for a completed venue")),
        Column("investment", gettext_lazy("investment (yuan)"), kind="decimal", width=14),
        Column("has_service_hall", gettext_lazy("one-stop service hall"), kind="bool", width=10),
        *[Column(name, label, kind="bool", width=10) for name, label in ROOM_TYPES],
        Column("other_rooms", gettext_lazy("other rooms"), width=18),
        *[Column(name, label, kind="int", width=10) for name, label in EQUIPMENT_TYPES],
        Column("other_equipment", gettext_lazy("other equipment"), width=18),
        Column("note", gettext_lazy("note"), width=20),
    ]
    instructions = [
        gettext_lazy("One venue per row. The first row is the header: keep it as it is."),
        gettext_lazy("A row with a venue number updates that venue; a row without one creates a new venue."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    BOOLEANS = ["has_service_hall", *[name for name, _label in ROOM_TYPES]]
    COUNTS = [name for name, _label in EQUIPMENT_TYPES]

    def __init__(self, user):
        super().__init__(user)
        self._communities = None

    def communities(self) -> dict[str, Node]:
        """Communities the uploader may enter data in, by code: one query for the whole file."""
        if self._communities is None:
            qs = Node.objects.filter(level=Level.COMMUNITY).filter(scope_q(self.user, Action.CHANGE))
            self._communities = {n.code: n for n in qs.select_related("parent")}
        return self._communities

    def lookup_existing(self, keys):
        ids = [int(k) for k in keys if str(k).isdigit()]
        return {str(v.pk): v for v in Venue.objects.filter(pk__in=ids).select_related("community")}

    def check_existing(self, existing):
        if not Venue.objects.restrict(self.user, Action.CHANGE).filter(pk=existing.pk).exists():
            return _("Venue number %(id)s does not exist or lies outside the part of the hierarchy you may edit.") % {
                "id": existing.pk
            }
        return None

    def prepare_row(self, data, existing):
        errors = {}
        code = str(data.get("community") or "")
        community = self.communities().get(code)
        if code and community is None:
            errors["community"] = [
                _("Community %(code)s does not exist or is outside the part of the hierarchy you may edit.") % {"code": code}
            ]
        form_data = {k: v for k, v in data.items() if v != "" and k != "id"}
        form_data["community"] = community.pk if community else ""
        for name in self.BOOLEANS:
            if data.get(name) is not True:
                form_data.pop(name, None)  # an unchecked box
        for name in self.COUNTS:
            form_data.setdefault(name, 0)
        form_data.setdefault("investment", 0)
        form = VenueForm(data=form_data, instance=copy.copy(existing), user=self.user)
        form.fields["community"].queryset = Node.objects.filter(pk__in=[community.pk] if community else [])
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name == "community" and "community" in errors:
                    continue
                errors.setdefault(name if name in {c.name for c in self.columns} else "", []).extend(messages)
        return (form.cleaned_data if not errors else None), errors

    def save_row(self, prepared, existing):
        return self.save_record(dict(prepared), existing, create=venue_create, update=venue_update, venue=existing)


class AreaStandardSheet(Sheet):
    title = gettext_lazy("area standards")
    key = "id"
    model = AreaStandard
    missing_record_message = gettext_lazy("Standard number %(id)s does not exist or lies outside the part of the hierarchy you may edit.")
    columns = [
        Column("id", gettext_lazy("standard number"), kind="int", width=10,
               help=gettext_lazy("leave empty for a new standard; keep the number from an export to update that standard")),
        Column("node", gettext_lazy("division code of the setter"), kind="node", required=True, width=16,
               export=lambda s: s.node.code, help=gettext_lazy("the 12-digit code of the division that sets the standard")),
        Column("node_name", gettext_lazy("set by"), width=16, importable=False, export=lambda s: s.node.name),
        Column("year", gettext_lazy("year"), kind="int", required=True, width=8),
        Column("minimum_area", gettext_lazy("minimum area (㎡)"), kind="decimal", required=True, width=12),
        Column("area_per_100_households", gettext_lazy("area per 100 households (㎡)"), kind="decimal", width=14),
        Column("document", gettext_lazy("document"), width=28),
        Column("note", gettext_lazy("note"), width=20),
    ]
    instructions = [
        gettext_lazy("One standard per row. The first row is the header: keep it as it is."),
        gettext_lazy("A row with a standard number updates that standard; a row without one creates a new standard."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    def __init__(self, user):
        super().__init__(user)
        self._nodes = None

    def nodes(self) -> dict[str, Node]:
        if self._nodes is None:
            self._nodes = {n.code: n for n in Node.objects.filter(scope_q(self.user, Action.CHANGE)).select_related("parent")}
        return self._nodes

    def lookup_existing(self, keys):
        ids = [int(k) for k in keys if str(k).isdigit()]
        return {str(s.pk): s for s in AreaStandard.objects.filter(pk__in=ids).select_related("node")}

    def check_existing(self, existing):
        # An inherited standard (set above the uploader's part) comes with the export and may
        # come back unchanged; changing it is refused by the service when the row is saved.
        if not AreaStandard.objects.visible_to(self.user).filter(pk=existing.pk).exists():
            return _("Standard number %(id)s does not exist or lies outside the part of the hierarchy you may edit.") % {
                "id": existing.pk
            }
        return None

    def prepare_row(self, data, existing):
        errors = {}
        code = str(data.get("node") or "")
        node = self.nodes().get(code)
        if node is None and existing is not None and existing.node.code == code:
            node = existing.node  # an inherited standard, sent back as exported
        if code and node is None:
            errors["node"] = [
                _("Division %(code)s does not exist or is outside the part of the hierarchy you may edit.") % {"code": code}
            ]
        form_data = {k: v for k, v in data.items() if v != "" and k != "id"}
        form_data["node"] = node.pk if node else ""
        form = AreaStandardForm(data=form_data, instance=copy.copy(existing), user=self.user)
        form.fields["node"].queryset = Node.objects.filter(pk__in=[node.pk] if node else [])
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name == "node" and "node" in errors:
                    continue
                errors.setdefault(name if name in {c.name for c in self.columns} else "", []).extend(messages)
        return (form.cleaned_data if not errors else None), errors

    def save_row(self, prepared, existing):
        return self.save_record(dict(prepared), existing, create=areastandard_create, update=areastandard_update,
                                areastandard=existing)
