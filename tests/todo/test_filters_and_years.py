"""Filters offer "无" (?x=null) only where the column can be empty, and year selectors start
where the data start (the first year any record bears, else SANQI_FIRST_YEAR), not at an
arbitrary 2000."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django_filters.utils import get_model_field

import core.filters  # noqa: F401  (BaseFilterSet)
from core.filters import BaseFilterSet
from funding.models import Allocation
from venues.filters import VenueFilterSet

THIS_YEAR = timezone.localdate().year


def all_filtersets(cls=BaseFilterSet):
    for sub in cls.__subclasses__():
        if sub.__module__.split(".")[0] != "tests":
            yield sub
        yield from all_filtersets(sub)


@pytest.mark.django_db
def test_no_filter_offers_none_for_a_required_column():
    import django.apps

    for config in django.apps.apps.get_app_configs():  # import every app's filters
        try:
            __import__(f"{config.name}.filters")
        except ModuleNotFoundError:
            pass
    checked = 0
    for fs_class in set(all_filtersets()):
        if fs_class._meta.model is None:
            continue
        fs = fs_class(queryset=fs_class._meta.model._default_manager.none(), request=None)
        for name, f in fs.filters.items():
            if not f.extra.get("null_label"):
                continue
            try:
                field = get_model_field(fs_class._meta.model, f.field_name)
            except FieldDoesNotExist:
                field = None
            assert field is not None and field.null, f"{fs_class.__name__}.{name} offers 无 for a required column"
            checked += 1
        checked += 1
    assert checked > 20  # the walk found the apps' filter sets




@pytest.mark.django_db
def test_year_pickers_start_where_the_data_start(settings, login, tree, personas):
    from core.panels import year_choices

    settings.SANQI_FIRST_YEAR = THIS_YEAR - 2
    assert year_choices(None) == [THIS_YEAR, THIS_YEAR - 1, THIS_YEAR - 2]  # nothing entered yet
    Allocation.objects.create(community=tree.community_a1, year=THIS_YEAR - 4, category="office", source="district",
                              amount=Decimal("1"), received_on=datetime.date(THIS_YEAR - 4, 1, 1))
    assert year_choices(None)[-1] == THIS_YEAR - 4 and year_choices()[-1] == THIS_YEAR - 4
    Allocation.objects.filter(year=THIS_YEAR - 4).update(year=THIS_YEAR - 15)
    assert year_choices(None)[-1] == THIS_YEAR - 15
    assert len(year_choices()) == 6  # pages of figures stay within the facts table's years

    client = login(personas.street_clerk)
    compliance = client.get("/funding/compliance/").context["year_choices"]
    assert compliance[0] == THIS_YEAR and compliance[-1] == THIS_YEAR - 15
    venues = client.get("/venues/compliance/").context["year_choices"]
    assert venues[-1] == THIS_YEAR - 15 and 2000 not in venues
    offered = [int(v) for v, _label in VenueFilterSet(request=None).filters["year"].extra["choices"]()]
    assert offered == compliance
    node = client.get(tree.community_a1.get_absolute_url()).context["year_choices"]
    assert node == list(range(THIS_YEAR, THIS_YEAR - 6, -1))
