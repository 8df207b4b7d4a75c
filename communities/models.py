import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scope import ScopedQuerySet
from core.fields import PhoneField
from core.versioning import VersionedModel


class Level(models.IntegerChoices):
    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    COUNTY = 3, _("district/county")
    TOWNSHIP = 4, _("street/township")
    COMMUNITY = 5, _("community")


# How many leading digits of the 12-digit 统计用区划代码 identify a node of each level.
PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.COMMUNITY: 12}
CODE_RE = re.compile(r"^\d{12}$")


def level_of_code(code: str) -> Level | None:
    """The level a well-formed code denotes, read from where its trailing zeros start."""
    if not CODE_RE.match(code or "") or code[:2] == "00":
        return None
    for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        if set(code[PREFIX_LENGTH[level]:]) == {"0"}:
            return level
    return Level.COMMUNITY


def ancestor_codes(code: str, level: int) -> list[str]:
    """Codes of every ancestor of a node, root first; derived from the code, no queries."""
    return [code[: PREFIX_LENGTH[lv]].ljust(12, "0") for lv in Level if lv < level]


def require_community_code(code: str) -> str:
    """Refuse a code of a higher level where a community is expected."""
    level = level_of_code(code)
    if level not in (None, Level.COMMUNITY):
        raise ValidationError(
            _("%(code)s is the code of a %(level)s, not of a community; its last three digits cannot be 000.")
            % {"code": code, "level": level.label}
        )
    return code


class CommunityType(models.TextChoices):
    COMMERCIAL = "commercial", _("commercial housing estate")
    WORK_UNIT = "work_unit", _("work-unit compound")
    MIXED = "mixed", _("mixed")
    OLD = "old", _("old residential area")
    RELOCATION = "relocation", _("resettlement estate")
    VILLAGE_CONVERTED = "village_converted", _("village converted to community")
    OTHER = "other", _("other")


class PartyOrgForm(models.TextChoices):
    COMMITTEE = "committee", _("party committee")
    GENERAL_BRANCH = "general_branch", _("general party branch")
    BRANCH = "branch", _("party branch")


code_validator = RegexValidator(CODE_RE, _("The division code must be exactly 12 digits."))


class Node(VersionedModel):
    """One node of the administrative hierarchy 省 → 市 → 区/县 → 街道/乡镇 → 社区.

    The community facts are filled for nodes of the community level only. The level is
    derived from the code and checked against the parent; it is never typed in.
    """

    code = models.CharField(_("division code"), max_length=12, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    # Community facts.
    community_type = models.CharField(_("community type"), max_length=20, choices=CommunityType.choices, blank=True)
    is_urban = models.BooleanField(_("urban community"), default=True)
    resident_population = models.PositiveIntegerField(_("resident population"), null=True, blank=True)
    floating_population = models.PositiveIntegerField(_("floating population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    party_members = models.PositiveIntegerField(_("party members"), null=True, blank=True)
    party_org_form = models.CharField(
        _("party organization form"), max_length=20, choices=PartyOrgForm.choices, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = PhoneField(_("office phone"), blank=True)
    # Set when an imported 统计用区划代码 table no longer lists the node (区划调整): it is never
    # deleted by the import, but flagged for an administrator's decision (merge, keep, delete).
    vanished = models.DateField(_("missing from the division code table since"), null=True, blank=True)

    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("name", "code", "address")

    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = ScopedQuerySet.as_manager()
    scope_path = ""

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        # The unique ``code`` already has, on PostgreSQL, Django's extra varchar_pattern_ops
        # index ("..._like"), which serves the scope's LIKE 'prefix%'.
        indexes = [models.Index(fields=["level", "code"], name="node_level_code_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        if self.level == Level.COMMUNITY:
            return reverse("communities:community_detail", args=[self.pk])
        return reverse("communities:tree_node", args=[self.code])

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[Level(self.level)]]

    @property
    def is_community(self) -> bool:
        return self.level == Level.COMMUNITY

    def clean(self):
        super().clean()
        level = level_of_code(self.code or "")
        if level is None:
            if CODE_RE.match(self.code or ""):
                raise ValidationError({"code": _("%(code)s is not a valid division code.") % {"code": self.code}})
            return  # the field validator already reports the format
        self.level = level
        parent = self.parent
        if parent is None:
            if level != Level.PROVINCE:
                raise ValidationError({"parent": _("A %(level)s must have a parent.") % {"level": level.label}})
            return
        if parent.level != level - 1:
            raise ValidationError(
                {
                    "parent": _("The parent of a %(level)s must be a %(parent_level)s.")
                    % {"level": level.label, "parent_level": Level(level - 1).label}
                }
            )
        if not self.code.startswith(parent.prefix):
            raise ValidationError(
                {
                    "code": _("The code %(code)s does not start with its parent's prefix %(prefix)s (%(parent)s).")
                    % {"code": self.code, "prefix": parent.prefix, "parent": parent.name}
                }
            )
