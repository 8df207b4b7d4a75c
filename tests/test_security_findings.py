"""Issue 12, findings 3, 4, 5 and 9: one test per finding (each failed before its fix).

The generic sweep (tests/test_sweep.py) walks every endpoint for the same classes of fault; these
pin the cases the independent sweep reported.
"""

import datetime
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from assessments import services as assessment_services
from assessments.models import Score
from regional_building.models import Agreement
from staffing.models import Cadre
from tests.regional_building import factories as fx
from tests.staffing.conftest import make_cadre

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def schemes(tree, personas):
    """A scheme of each district, created by the administrator (the default indicators)."""
    own = assessment_services.scheme_create(actor=personas.admin, district=tree.district, year=2025)
    foreign = assessment_services.scheme_create(
        actor=personas.admin, district=tree.other_district, year=2025, name="七里河区机密考核方案"
    )
    return own, foreign


# ---- 3: the browsable API offers only records in scope ----

def test_browsable_api_forms_offer_only_records_in_scope(api, personas, schemes):
    own, foreign = schemes
    response = api(personas.community_clerk).get(reverse("assessments-api:indicator-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and "<form" in response.content.decode()
    body = response.content.decode()
    assert foreign.name not in body and "七里河区" not in body
    reviewer = api(personas.district_reviewer).get(reverse("assessments-api:scheme-list"), HTTP_ACCEPT="text/html")
    body = reviewer.content.decode()
    assert own.name in body  # the reviewer's own scheme is offered (as the copy's source)…
    assert foreign.name not in body and "七里河区" not in body  # …another district's is not


def test_relation_ids_outside_the_scope_are_refused(api, personas, schemes):
    own, foreign = schemes
    foreign_indicator = foreign.indicators.first()
    response = api(personas.district_reviewer).post(
        reverse("assessments-api:indicator-list"),
        {"scheme": own.pk, "parent": foreign_indicator.pk, "name": "越权", "weight": "1", "method": "manual"},
        format="json",
    )
    assert response.status_code == 400 and "parent" in response.json()
    assert not own.indicators.filter(name="越权").exists()


def test_browsable_api_is_off_in_production():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "sanqi.example.gov.cn"}
    code = "from django.conf import settings as s; print(s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "['rest_framework.renderers.JSONRenderer']", result.stderr


# ---- 4: number filters out of range are a 400 in Chinese, on the API and on the pages ----

@pytest.mark.parametrize(
    "api_name, page_name, param",
    [
        ("regional_building-api:agreement-list", "regional_building:agreement_list", "signed_year"),
        ("regional_building-api:claim-list", "regional_building:claim_list", "year"),
        ("regional_building-api:commitment-list", "regional_building:commitment_list", "due_year"),
        ("regional_building-api:agreement-list", "regional_building:agreement_list", "unit"),
    ],
)
def test_number_filters_out_of_range_are_400_in_chinese(api, login, personas, api_name, page_name, param):
    response = api(personas.street_clerk).get(reverse(api_name), {param: "620102010000000000000"})
    assert response.status_code == 400, response.content
    assert "确保" in str(response.json()[param])  # Django's "Ensure this value is less than or equal to…"
    response = api(personas.street_clerk).get(reverse(api_name), {param: "620102010000"} if param != "unit" else {param: "-1"})
    assert response.status_code in (200, 400) and response.status_code != 500
    page = login(personas.street_clerk).get(reverse(page_name), {param: "620102010000000000000"})
    assert page.status_code == 400 and "确保" in page.content.decode()


def test_year_filter_out_of_date_range_is_400(api, personas):
    response = api(personas.street_clerk).get(reverse("regional_building-api:agreement-list"), {"signed_year": "620102010000"})
    assert response.status_code == 400 and "signed_year" in response.json()


# ---- 5: a refused write never confirms a foreign record ----

@pytest.fixture
def agreements(tree):
    own = fx.agreement(tree.street_a, fx.unit(tree.street_a))
    foreign = fx.agreement(tree.street_c, fx.unit(tree.street_c))
    return own, foreign


def test_read_only_token_writing_a_foreign_record_gets_404(api, personas, agreements):
    own, foreign = agreements
    client = api(token=personas.read_token)
    for method in ("patch", "put", "delete"):
        response = getattr(client, method)(reverse("regional_building-api:agreement-detail", args=[foreign.pk]), {}, format="json")
        assert response.status_code == 404, (method, response.content)
        response = getattr(client, method)(reverse("regional_building-api:agreement-detail", args=[own.pk]), {}, format="json")
        assert response.status_code == 403 and "只读" in response.json()["detail"]
    assert Agreement.objects.filter(pk=foreign.pk).exists()


def test_read_only_token_on_foreign_assessment_actions_gets_404(api, personas, schemes):
    own, foreign = schemes
    client = api(token=personas.read_token)
    assert client.post(reverse("assessments-api:scheme-start", args=[foreign.pk]), {}, format="json").status_code == 404
    assert client.post(reverse("assessments-api:scheme-start", args=[own.pk]), {}, format="json").status_code == 403
    indicator = foreign.indicators.first()
    assert client.delete(reverse("assessments-api:indicator-detail", args=[indicator.pk])).status_code == 404


def test_create_by_a_viewer_is_403_not_400(api, personas, tree):
    response = api(personas.viewer).post(reverse("regional_building-api:agreement-list"), {}, format="json")
    assert response.status_code == 403, response.content
    response = api(token=personas.read_token).post(reverse("regional_building-api:agreement-list"), {}, format="json")
    assert response.status_code == 403


# ---- 9: also found ----

@pytest.mark.parametrize(
    "api_name, page_name",
    [
        ("regional_building-api:agreement-list", "regional_building:agreement_list"),
        ("staffing-api:cadre-list", "staffing:cadre_list"),
        ("funding-api:allocation-list", "funding:allocation_list"),
        ("venues-api:venue-list", "venues:venue_list"),
    ],
)
def test_null_choice_of_a_node_filter_is_400_not_500(api, login, personas, api_name, page_name):
    response = api(personas.street_clerk).get(reverse(api_name), {"street": "null"})
    assert response.status_code == 400 and "street" in response.json()
    assert login(personas.street_clerk).get(reverse(page_name), {"street": "null"}).status_code == 400


def test_score_adjust_with_a_malformed_id_is_404(api, personas):
    response = api(personas.district_reviewer).post("/api/v1/assessments/scores/null%2Cnull/adjust/", {"final": "1", "reason": "x"}, format="json")
    assert response.status_code == 404
    assert not Score.objects.exists()


def test_resident_unit_page_lists_only_agreements_in_scope(login, personas, tree):
    unit = fx.unit(tree.street_a, name="城关供电公司")
    fx.agreement(tree.community_a1, unit, title="南关社区共建协议")
    fx.agreement(tree.community_a2, unit, title="北关社区机密协议")
    page = login(personas.community_clerk)
    # the unit of the street is not the community clerk's: give them a unit of their own community too
    own_unit = fx.unit(tree.community_a1, name="南关小学")
    fx.agreement(tree.community_a2, own_unit, title="北关社区另一协议")
    body = page.get(reverse("regional_building:residentunit_detail", args=[own_unit.pk])).content.decode()
    assert "北关社区另一协议" not in body
    body = login(personas.street_clerk).get(reverse("regional_building:residentunit_detail", args=[unit.pk])).content.decode()
    assert "南关社区共建协议" in body and "北关社区机密协议" in body  # the street sees both


def test_an_id_number_registered_elsewhere_is_not_confirmed(api, personas, tree):
    foreign = make_cadre(tree.community_b1, name="邻街干部", born=D(1985, 6, 1))
    data = {"community": tree.community_a1.pk, "name": "新干部", "gender": "M", "birth_date": "1985-06-01",
            "education": "bachelor", "is_party_member": False, "id_number": foreign.id_number}
    response = api(personas.street_clerk).post(reverse("staffing-api:cadre-list"), data, format="json")
    assert response.status_code == 400
    message = str(response.json()["id_number"])
    assert "登记" not in message and "already" not in message.lower()
    assert "核对" in message  # as for any value that cannot be accepted
    # within the clerk's own scope the duplicate is named as such (useful, and no secret)
    own = make_cadre(tree.community_a2, name="本街干部", born=D(1986, 6, 1))
    data.update(id_number=own.id_number, birth_date="1986-06-01")
    response = api(personas.street_clerk).post(reverse("staffing-api:cadre-list"), data, format="json")
    assert response.status_code == 400 and "核对" not in str(response.json())
    assert Cadre.objects.filter(name="新干部").count() == 0


def test_load_demo_refuses_production_settings():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "sanqi.example.gov.cn",
           "DATABASE_URL": "sqlite:////nonexistent/never-touched.sqlite3"}
    result = subprocess.run([sys.executable, "manage.py", "load_demo"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "DEBUG=0" in result.stderr, result.stdout + result.stderr
