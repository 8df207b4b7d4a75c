"""有场所议事: community venues (office and activity buildings) and the floor-area standards
they are held to."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from communities.models import Level
from core.fields import AreaField, MoneyField
from core.scope import ScopedQuerySet
from core.standards import InheritedStandardQuerySet
from core.versioning import VersionedModel


class Acquisition(models.TextChoices):
    # Context: other apps use the same English words with other meanings (e.g. "completed" course).
    NEW = "new", pgettext_lazy("venue acquisition", "newly built")
    PURCHASED = "purchased", pgettext_lazy("venue acquisition", "purchased")
    CONSOLIDATED = "consolidated", pgettext_lazy("venue acquisition", "consolidated")
    EXPANDED = "expanded", pgettext_lazy("venue acquisition", "expanded")
    DEVELOPER = "developer", pgettext_lazy("venue acquisition", "provided free by the developer")
    RESIDENT_UNIT = "resident_unit", pgettext_lazy("venue acquisition", "provided by a unit in the area")
    GOVERNMENT = "government", pgettext_lazy("venue acquisition", "bought by the government")
    RENTED = "rented", pgettext_lazy("venue acquisition", "rented")


# Acquisitions that add floor area to the programme in the year they are completed.
NEW_OR_EXPANDED = (Acquisition.NEW, Acquisition.EXPANDED, Acquisition.PURCHASED, Acquisition.CONSOLIDATED)


class VenueStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("venue status", "planned")
    UNDER_CONSTRUCTION = "under_construction", pgettext_lazy("venue status", "under construction")
    COMPLETED = "completed", pgettext_lazy("venue status", "completed")


# Functional rooms and service windows: (field name, label). Fixed columns so that pages,
# filters, Excel and the coverage figures all read the same list.
ROOM_TYPES = [
    ("room_party_affairs", _("party affairs")),
    ("room_labour", _("labour and social security")),
    ("room_family_planning", _("family planning")),
    ("room_civil_affairs", _("civil affairs and subsistence allowance")),
    ("room_sanitation", _("environment and sanitation")),
    ("room_party_members", _("party members' activity room")),
    ("room_culture_sports", _("culture and sports room")),
    ("room_party_school", _("community party school / citizens' school")),
    ("room_health_station", _("health service station")),
]
EQUIPMENT_TYPES = [
    ("computers", _("computers")),
    ("televisions", _("televisions")),
    ("dvd_players", _("DVD players")),
    ("led_screens", _("LED display screens")),
    ("newspaper_subscriptions", _("party newspaper and journal subscriptions")),
]

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class AreaStandard(VersionedModel):
    """The floor area a community must have, set on any node for a year and inherited by every
    community below it that has no nearer standard of its own (core.standards.nearest_standards).

    Required area = the larger of ``minimum_area`` and ``area_per_100_households`` × households / 100.
    """

    node = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="area_standards", verbose_name=_("set by")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    minimum_area = AreaField(_("minimum area (㎡)"))
    area_per_100_households = AreaField(
        _("area per 100 households (㎡)"), null=True, blank=True,
        help_text=_("Leave empty when the standard does not depend on the number of households."),
    )
    document = models.CharField(_("document"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("node__name", "node__code", "document", "note")

    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = InheritedStandardQuerySet.as_manager()
    scope_path = "node"

    class Meta:
        verbose_name = _("area standard")
        verbose_name_plural = _("area standards")
        ordering = ["-year", "node__code"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="venues_one_area_standard_per_node_year")]

    def __str__(self):
        return f"{self.node.name} {self.year}"

    @property
    def name(self):  # what the audit trail shows
        return str(self)

    def get_absolute_url(self):
        return reverse("venues:areastandard_detail", args=[self.pk])

    def required_area(self, households: int | None) -> Decimal:
        required = self.minimum_area
        if self.area_per_100_households and households:
            by_households = (self.area_per_100_households * Decimal(households) / 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            required = max(required, by_households)
        return required

    def describe(self) -> str:
        if self.area_per_100_households:
            return str(
                _("%(per)s ㎡ per 100 households, at least %(min)s ㎡")
                % {"per": _num(self.area_per_100_households), "min": _num(self.minimum_area)}
            )
        return str(_("at least %(min)s ㎡") % {"min": _num(self.minimum_area)})

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("node", "year"):
            return ValidationError(
                _("%(node)s already has an area standard for %(year)s; edit that one instead.")
                % {"node": self.node.name, "year": self.year},
                code="unique_together",
            )
        return super().unique_error_message(model_class, unique_check)


def _num(value: Decimal) -> str:
    """12.50 → 12.5, 300.00 → 300."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Venue(VersionedModel):
    """A community's office or activity building (社区办公/活动用房)."""

    community = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="venues", verbose_name=_("community"),
        limit_choices_to={"level": Level.COMMUNITY},
    )
    name = models.CharField(_("venue name"), max_length=100)
    address = models.CharField(_("venue address"), max_length=200, blank=True)
    usable_area = AreaField(_("usable area (㎡)"))
    acquisition = models.CharField(_("how obtained"), max_length=20, choices=Acquisition.choices)
    status = models.CharField(_("construction status"), max_length=20, choices=VenueStatus.choices, default=VenueStatus.COMPLETED)
    completion_date = models.DateField(_("completion date"), null=True, blank=True)
    investment = MoneyField(_("investment (yuan)"), default=Decimal("0.00"))
    has_service_hall = models.BooleanField(_("one-stop service hall"), default=False)

    room_party_affairs = models.BooleanField(ROOM_TYPES[0][1], default=False)
    room_labour = models.BooleanField(ROOM_TYPES[1][1], default=False)
    room_family_planning = models.BooleanField(ROOM_TYPES[2][1], default=False)
    room_civil_affairs = models.BooleanField(ROOM_TYPES[3][1], default=False)
    room_sanitation = models.BooleanField(ROOM_TYPES[4][1], default=False)
    room_party_members = models.BooleanField(ROOM_TYPES[5][1], default=False)
    room_culture_sports = models.BooleanField(ROOM_TYPES[6][1], default=False)
    room_party_school = models.BooleanField(ROOM_TYPES[7][1], default=False)
    room_health_station = models.BooleanField(ROOM_TYPES[8][1], default=False)
    other_rooms = models.CharField(_("other rooms"), max_length=200, blank=True)

    computers = models.PositiveIntegerField(EQUIPMENT_TYPES[0][1], default=0)
    televisions = models.PositiveIntegerField(EQUIPMENT_TYPES[1][1], default=0)
    dvd_players = models.PositiveIntegerField(EQUIPMENT_TYPES[2][1], default=0)
    led_screens = models.PositiveIntegerField(EQUIPMENT_TYPES[3][1], default=0)
    newspaper_subscriptions = models.PositiveIntegerField(EQUIPMENT_TYPES[4][1], default=0)
    other_equipment = models.CharField(_("other equipment"), max_length=200, blank=True)

    note = models.CharField(_("note"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name", "address", "community__name", "community__code")

    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "community"

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["community__code", "name"]
        indexes = [models.Index(fields=["status", "completion_date"], name="venue_status_completion_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("venues:venue_detail", args=[self.pk])

    @property
    def rooms(self) -> list[str]:
        return [str(label) for field, label in ROOM_TYPES if getattr(self, field)]

    @property
    def equipment(self) -> list[tuple[str, int]]:
        return [(str(label), getattr(self, field)) for field, label in EQUIPMENT_TYPES if getattr(self, field)]

    def clean(self):
        super().clean()
        errors = {}
        if self.community_id and self.community.level != Level.COMMUNITY:
            errors["community"] = _("A venue belongs to a community, not to a %(level)s.") % {
                "level": self.community.get_level_display()
            }
        if self.usable_area is not None and self.usable_area <= 0 and self.status == VenueStatus.COMPLETED:
            errors["usable_area"] = _("A completed venue must have a usable area greater than 0 ㎡.")
        today = timezone.localdate()
        if self.status == VenueStatus.COMPLETED:
            if self.completion_date is None:
                errors["completion_date"] = _("A completed venue needs its completion date.")
            elif self.completion_date > today:
                errors["completion_date"] = _(
                    "A completed venue cannot have a completion date in the future (%(date)s); "
                    "choose “planned” or “under construction” instead."
                ) % {"date": self.completion_date.isoformat()}
        if self.completion_date and self.completion_date.year < 1949:
            errors["completion_date"] = _("The completion date %(date)s is not plausible.") % {
                "date": self.completion_date.isoformat()
            }
        if errors:
            raise ValidationError(errors)
