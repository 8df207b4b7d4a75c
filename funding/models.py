"""有钱办事: funding standards set on any node, allocations received by communities and what
they spent. Amounts are Decimal yuan with two places (``core.fields.MoneyField``)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Level
from core.fields import MoneyField
from core.scope import ScopedQuerySet
from core.standards import InheritedStandardQuerySet
from core.versioning import VersionedModel

ZERO = Decimal("0.00")


def validate_year(value):
    if not 2000 <= value <= 2100:
        raise ValidationError(_("Enter a year between 2000 and 2100."))


class AllocationCategory(models.TextChoices):
    OFFICE = "office", _("office funds")
    PARTY = "party", _("party-building funds")
    HEATING = "heating", _("heating funds")
    ALLOWANCE = "allowance", _("cadre allowances")
    OTHER = "other", _("other funds")


# Allocated categories that count towards a standard's total ("办事" money, not pay).
WORKING_CATEGORIES = (AllocationCategory.OFFICE, AllocationCategory.PARTY, AllocationCategory.HEATING)


class Source(models.TextChoices):
    DISTRICT = "district", _("district budget")
    CITY = "city", _("city budget")
    STREET = "street", _("raised by the street")
    PARTY_DUES = "party_dues", _("party dues")
    SELF_GENERATED = "self_generated", _("self-generated income")
    PAID_SERVICES = "paid_services", _("paid services")
    SOCIAL = "social", _("social support")
    DEPARTMENT = "department", _("department transfer (funds follow duties)")


class ExpenditureCategory(models.TextChoices):
    UTILITIES = "utilities", _("water and electricity")
    PHONE = "phone", _("telephone")
    PAPER = "paper", _("paper and stationery")
    NEWSPAPERS = "newspapers", _("newspapers and periodicals")
    PARTY_ACTIVITY = "party_activity", _("party-building activities")
    TRAINING = "training", _("training")
    EQUIPMENT = "equipment", _("equipment")
    HEATING = "heating", _("heating")
    OTHER = "other", _("other spending")


# Spending that counts as party work in the "share of spending on party work" figure.
PARTY_WORK_CATEGORIES = (ExpenditureCategory.PARTY_ACTIVITY,)


class Standard(VersionedModel):
    """The yearly funds each community under ``node`` should receive, unless a nearer node sets
    its own: office funds, party-building funds and, optionally, a total for the working
    categories (office, party-building, heating). "5,000 in all, of which at least 3,000 for
    party work" is total 5,000 and party 3,000; "15,000 office and 5,000 party" leaves the total
    empty (it is then their sum)."""

    node = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="funding_standards", verbose_name=_("set on")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_year])
    office_amount = MoneyField(_("office funds per community"), default=ZERO)
    party_amount = MoneyField(_("party-building funds per community"), default=ZERO)
    total_amount = MoneyField(
        _("total working funds per community"),
        null=True,
        blank=True,
        help_text=_("Optional. Office, party-building and heating funds together; empty means office plus party-building."),
    )
    basis = models.CharField(_("basis (document)"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    search_fields = ("node__name", "node__code", "basis")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])
    objects = InheritedStandardQuerySet.as_manager()
    scope_path = "node"

    class Meta:
        verbose_name = _("funding standard")
        verbose_name_plural = _("funding standards")
        ordering = ["-year", "node__code"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="funding_standard_node_year")]

    def __str__(self):
        return _("%(node)s %(year)s funding standard") % {"node": self.node.name if self.node_id else "", "year": self.year}

    def get_absolute_url(self):
        return reverse("funding:standard_detail", args=[self.pk])

    @property
    def effective_total(self) -> Decimal:
        return self.total_amount if self.total_amount is not None else self.office_amount + self.party_amount

    def clean(self):
        super().clean()
        office, party = self.office_amount or ZERO, self.party_amount or ZERO
        if self.total_amount is None and office == ZERO and party == ZERO:
            raise ValidationError(_("A standard needs at least one amount above zero."))
        if self.total_amount is not None and self.total_amount < office + party:
            raise ValidationError(
                {"total_amount": _("The total cannot be less than office plus party-building funds (¥%(sum)s).")
                 % {"sum": f"{office + party:,.2f}"}}
            )


def validate_community(node):
    if node is not None and node.level != Level.COMMUNITY:
        raise ValidationError(_("Choose a community, not a %(level)s.") % {"level": node.get_level_display()})


class CommunityRecord(VersionedModel):
    community = models.ForeignKey("communities.Node", on_delete=models.PROTECT, verbose_name=_("community"))
    amount = MoneyField(_("amount (yuan)"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "community"

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.community_id:
            validate_community(self.community)
        if self.amount is not None and self.amount == ZERO:  # negatives: MoneyField says so
            raise ValidationError({"amount": _("The amount must be more than zero.")})


class Allocation(CommunityRecord):
    """Funds a community received for a budget year."""

    community = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="funding_allocations", verbose_name=_("community")
    )
    year = models.PositiveSmallIntegerField(_("budget year"), validators=[validate_year])
    category = models.CharField(_("fund category"), max_length=20, choices=AllocationCategory.choices)
    source = models.CharField(_("source of funds"), max_length=20, choices=Source.choices)
    received_on = models.DateField(_("date received"))
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    search_fields = ("community__name", "community__code", "document_number", "note")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-year", "-received_on", "-id"]
        indexes = [models.Index(fields=["community", "year"], name="funding_alloc_comm_year")]

    def __str__(self):
        name = self.community.name if self.community_id else ""
        return f"{name} {self.year} {self.get_category_display()} ¥{self.amount or 0:,.2f}"

    def get_absolute_url(self):
        return reverse("funding:allocation_detail", args=[self.pk])


class Expenditure(CommunityRecord):
    """What a community spent; it counts against the funds of the year it was spent in."""

    community = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="funding_expenditures", verbose_name=_("community")
    )
    spent_on = models.DateField(_("date spent"))
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    category = models.CharField(_("spending category"), max_length=20, choices=ExpenditureCategory.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    voucher_number = models.CharField(_("voucher number"), max_length=60, blank=True)

    search_fields = ("community__name", "community__code", "purpose", "voucher_number")
    history = HistoricalRecords(excluded_fields=["created", "last_updated"])

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-spent_on", "-id"]
        indexes = [
            models.Index(fields=["community", "year"], name="funding_exp_comm_year"),
            # the list's ordering: a page of 2,000,000 rows reads 50 index entries instead of sorting
            models.Index(fields=["-spent_on", "-id"], name="funding_exp_spent_on_id"),
        ]

    def __str__(self):
        name = self.community.name if self.community_id else ""
        return f"{name} {self.spent_on} {self.get_category_display()} ¥{self.amount or 0:,.2f}"

    def get_absolute_url(self):
        return reverse("funding:expenditure_detail", args=[self.pk])

    def clean(self):
        if self.spent_on is not None:
            self.year = self.spent_on.year
            try:
                validate_year(self.year)
            except ValidationError as exc:
                raise ValidationError({"spent_on": exc.messages})
        super().clean()
