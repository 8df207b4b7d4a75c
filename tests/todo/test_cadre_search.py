"""Finding a cadre by a full ID number or phone: the search compares keyed hashes (HMAC with
SANQI_LOOKUP_KEY) kept in indexed columns, so the list never unmasks a number and a partial
number finds nothing through them."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from core.masking import lookup_hash, refill_lookup_hashes
from staffing.models import Cadre
from tests.staffing.conftest import make_cadre

pytestmark = pytest.mark.django_db
LIST = "/staffing/cadres/"


@pytest.fixture
def cadres(tree):
    wang = make_cadre(tree.community_a1, name="王建国", born=date(1980, 1, 1), phone="13987654321")
    li = make_cadre(tree.community_a2, name="李红", born=date(1990, 2, 2), gender="F", phone="0931-8888888")
    zhao = make_cadre(tree.community_b1, name="赵强", born=date(1975, 3, 3), phone="13700001111")
    return wang, li, zhao


def found(client, q, url=LIST):
    return {c.name for c in client.get(url, {"q": q}).context["object_list"]}


def test_hashes_are_keyed_and_kept_on_every_save(cadres, settings):
    wang = cadres[0]
    assert wang.id_number_hash == lookup_hash(wang.id_number) and len(wang.id_number_hash) == 64
    assert wang.id_number not in wang.id_number_hash
    wang.phone = "13500002222"
    wang.save()
    assert Cadre.objects.get(pk=wang.pk).phone_hash == lookup_hash("13500002222")
    settings.SANQI_LOOKUP_KEY = "another key"
    assert lookup_hash(wang.id_number) != wang.id_number_hash  # a key, not a plain digest


def test_full_numbers_find_the_cadre_partial_ones_do_not(cadres, login, personas):
    wang, li, zhao = cadres
    client = login(personas.street_clerk)
    assert found(client, wang.id_number) == {"王建国"}
    assert found(client, wang.id_number.lower()) == {"王建国"}
    assert found(client, f" {wang.id_number} ") == {"王建国"}
    assert found(client, "13987654321") == {"王建国"}
    assert found(client, "139 8765 4321") == {"王建国"}
    assert found(client, "09318888888") == {"李红"}  # as typed without the dash
    for partial in (wang.id_number[:10], wang.id_number[-6:], "1398765", "8888888"):
        assert found(client, partial) == set(), partial
    assert found(client, "王建") == {"王建国"}  # names still match in part


def test_the_list_never_shows_the_number_searched_for(cadres, login, personas):
    """Typed with spaces, the numbers still find the cadre; the page echoes what was typed (the
    search box, the export link) but never the stored number, which stays masked."""
    wang = cadres[0]
    client = login(personas.street_clerk)
    spaced = f"{wang.id_number[:6]} {wang.id_number[6:14]} {wang.id_number[14:]}"
    html = client.get(LIST, {"q": spaced}).content.decode()
    assert "王建国" in html and wang.id_number not in html and wang.id_number[:6] + "*" * 12 in html
    html = client.get(LIST, {"q": "139-8765-4321"}).content.decode()
    assert "王建国" in html and "13987654321" not in html and "139****4321" in html


def test_search_stays_in_scope_and_the_api_searches_alike(cadres, login, api, personas):
    wang, _li, zhao = cadres
    assert found(login(personas.neighbour_clerk), wang.id_number) == set()
    assert found(login(personas.neighbour_clerk), zhao.id_number) == {"赵强"}
    rows = api(personas.street_clerk).get("/api/v1/staffing/cadres/", {"q": wang.id_number}).json()["results"]
    assert [r["name"] for r in rows] == ["王建国"] and "*" in rows[0]["id_number"]


def test_existing_rows_get_their_hashes_from_the_migration(cadres, login, personas):
    Cadre.objects.update(id_number_hash="", phone_hash="")  # rows from before the column
    assert found(login(personas.street_clerk), cadres[0].id_number) == set()
    migration = importlib.import_module("staffing.migrations.0004_cadre_lookup_hashes")
    migration.fill_hashes(apps, None)
    assert found(login(personas.street_clerk), cadres[0].id_number) == {"王建国"}
    Cadre.objects.update(phone_hash="")
    assert refill_lookup_hashes(Cadre, {"phone_hash": "phone"}, batch_size=2) == 3
    assert found(login(personas.street_clerk), "13987654321") == {"王建国"}
