"""The facts table: one narrow row per node and year holding every per-community figure of the
apps' ``facts.py`` (counts, sums, flags, the numerators and denominators of shares), kept current
incrementally (docs/figures.md). Everything that shows figures reads it and rolls it up by code
prefix; nothing here is typed in by a person.

Rows exist for every community and every year of :func:`figures.refresh.years`, and for the
streets/districts that keep regional-building records of their own (only those columns are
filled for them). ``code`` and ``level`` copy the node's so that a roll-up is one scan of this
table grouped by ``substr(code, 1, n)``; a node's move marks its subtree dirty and the refresh
rewrites them.

Missing data stays distinguishable from zero: ``cadre_records``, ``allocation_records``,
``expenditure_records`` and ``venue_records`` count the records of each kind, so "nothing
entered" (未录入, 0 records) and "entered, and the figure is 0" are told apart.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = dict(max_digits=16, decimal_places=2, default=0)


class Facts(models.Model):
    node = models.ForeignKey("communities.Node", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    # The figures describe this day (``staffing.selectors.as_of_date`` for the current year,
    # commitments overdue "today"): the row goes stale after it. NULL: a past year, final.
    valid_until = models.DateField(null=True)

    party_members = models.PositiveIntegerField(default=0)
    is_urban = models.BooleanField(default=False)  # a 居委会 (一肩挑 is a share of these)

    # 有人管事 (staffing.facts) and the dashboard's age and education structure
    cadre_records = models.PositiveIntegerField(default=0)  # cadres on file, serving or not
    secretary_in_post = models.BooleanField(default=False)
    director_in_post = models.BooleanField(default=False)
    one_shoulder = models.BooleanField(default=False)
    full_time_deputy = models.BooleanField(default=False)
    staff_count = models.PositiveIntegerField(default=0)
    party_workers = models.PositiveIntegerField(default=0)
    college_count = models.PositiveIntegerField(default=0)
    training_hours = models.DecimalField(max_digits=10, decimal_places=1, default=0)
    age_sum = models.PositiveIntegerField(default=0)
    age_35 = models.PositiveIntegerField(default=0)
    age_36_45 = models.PositiveIntegerField(default=0)
    age_46_55 = models.PositiveIntegerField(default=0)
    age_56 = models.PositiveIntegerField(default=0)
    education_postgraduate = models.PositiveIntegerField(default=0)
    education_bachelor = models.PositiveIntegerField(default=0)
    education_college = models.PositiveIntegerField(default=0)
    education_secondary = models.PositiveIntegerField(default=0)
    education_junior = models.PositiveIntegerField(default=0)
    # the tree page's staffing panel: people in each post (full-time party workers: party_workers),
    # serving cadres who are party members, training attendances of the year, volunteer teams
    # founded and their members joined by the day the figures describe
    headcount_secretary = models.PositiveIntegerField(default=0)
    headcount_director = models.PositiveIntegerField(default=0)
    headcount_deputy_secretary = models.PositiveIntegerField(default=0)
    headcount_deputy_director = models.PositiveIntegerField(default=0)
    headcount_member = models.PositiveIntegerField(default=0)
    headcount_party_assistant = models.PositiveIntegerField(default=0)
    headcount_graduate_assistant = models.PositiveIntegerField(default=0)
    headcount_contract = models.PositiveIntegerField(default=0)
    headcount_public_welfare = models.PositiveIntegerField(default=0)
    cadre_party_members = models.PositiveIntegerField(default=0)
    training_attendances = models.PositiveIntegerField(default=0)
    volunteer_teams = models.PositiveIntegerField(default=0)
    volunteers = models.PositiveIntegerField(default=0)

    # 有钱办事 (funding.facts)
    allocation_records = models.PositiveIntegerField(default=0)  # allocations of the year
    expenditure_records = models.PositiveIntegerField(default=0)  # expenditures of the year
    office_funds = models.DecimalField(**MONEY)
    party_funds = models.DecimalField(**MONEY)
    working_funds = models.DecimalField(**MONEY)
    allocated = models.DecimalField(**MONEY)
    office_standard = models.DecimalField(**MONEY)
    party_standard = models.DecimalField(**MONEY)
    working_standard = models.DecimalField(**MONEY)
    has_standard = models.BooleanField(default=False)
    office_meets_standard = models.BooleanField(default=False)
    party_meets_standard = models.BooleanField(default=False)
    funds_meet_standard = models.BooleanField(default=False)
    spent = models.DecimalField(**MONEY)
    party_work_spent = models.DecimalField(**MONEY)

    # 有场所议事 (venues.facts)
    venue_records = models.PositiveIntegerField(default=0)  # venues on file, any status
    built_area = models.DecimalField(**MONEY)
    required_area = models.DecimalField(**MONEY)
    has_area_standard = models.BooleanField(default=False)
    area_meets_standard = models.BooleanField(default=False)
    venues = models.PositiveIntegerField(default=0)
    service_hall = models.BooleanField(default=False)
    functional_rooms = models.PositiveSmallIntegerField(default=0)
    equipment_items = models.PositiveIntegerField(default=0)

    # 一化 (regional_building.facts)
    meetings_held = models.PositiveIntegerField(default=0)
    agreements_in_force = models.PositiveIntegerField(default=0)
    commitments_due = models.PositiveIntegerField(default=0)
    commitments_kept = models.PositiveIntegerField(default=0)
    commitments_overdue = models.PositiveIntegerField(default=0)
    members_registered = models.PositiveIntegerField(default=0)
    posts_offered = models.PositiveIntegerField(default=0)
    posts_claimed = models.PositiveIntegerField(default=0)
    service_hours = models.DecimalField(max_digits=12, decimal_places=1, default=0)  # hours of the year's claims

    class Meta:
        verbose_name = _("figures of a year")
        verbose_name_plural = _("figures of a year")
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="figures_facts_node_year")]
        indexes = [
            # roll-ups: WHERE year = … AND code LIKE 'prefix%' GROUP BY substr(code, 1, n)
            models.Index(fields=["year", "code"], name="figures_facts_year_code", opclasses=["int2_ops", "varchar_pattern_ops"]),
            models.Index(fields=["valid_until"], name="figures_facts_valid_until", condition=models.Q(valid_until__isnull=False)),
        ]


class Dirty(models.Model):
    """A node whose facts must be recomputed: for one year, or for every year (``year`` 0).

    Written in the same transaction as the change (so a committed change always has its mark),
    with an upsert that takes the row's lock: the refresh (``SELECT … FOR UPDATE SKIP LOCKED``)
    never takes a mark whose writer has not committed yet, and a writer that comes while the
    refresh holds the mark waits and then writes a new one (so its change is computed again)."""

    node_id = models.IntegerField()
    year = models.PositiveSmallIntegerField(default=0)
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node_id", "year"], name="figures_dirty_node_year")]
