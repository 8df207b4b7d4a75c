"""Ranking and grades (district and street, ties, thresholds), the Excel export, the pages and
the scheme/job endpoints."""

import io
from decimal import Decimal

import openpyxl
import pytest

from assessments import services
from assessments.models import Grade, Result, Scheme
from assessments.selectors import ranking
from tests.conftest import community_facts, make_node


@pytest.fixture
def ranked(tree, personas):
    """Five communities with fixed totals: A1 95, A2 80, B1 80, B2 59.99, B3 60."""
    scheme = services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=2024)
    b2 = make_node("620102002002", "皋兰路社区", tree.street_b, **community_facts())
    b3 = make_node("620102002003", "广武门社区", tree.street_b, **community_facts())
    totals = {tree.community_a1: "95", tree.community_a2: "80", tree.community_b1: "80", b2: "59.99", b3: "60"}
    for community, total in totals.items():
        Result.objects.create(scheme=scheme, community=community, year=2024, final_total=Decimal(total), computed_total=Decimal(total))
    return scheme


def test_grades_follow_thresholds(ranked):
    assert [ranked.grade_for(Decimal(v)) for v in ("100", "90", "89.99", "80", "60", "59.99", "0")] == [
        Grade.EXCELLENT, Grade.EXCELLENT, Grade.GOOD, Grade.GOOD, Grade.PASS, Grade.FAIL, Grade.FAIL]


def test_ranking_within_district_and_street(ranked, personas):
    rows = {r.result.community.name: r for r in ranking(user=personas.district_reviewer, scheme=ranked)}
    assert {n: (r.district_rank, r.street_rank, r.grade) for n, r in rows.items()} == {
        "南关社区": (1, 1, "excellent"), "北关社区": (2, 2, "good"), "中山社区": (2, 1, "good"),
        "广武门社区": (4, 2, "pass"), "皋兰路社区": (5, 3, "fail"),
    }
    # a street clerk sees their street's rows, with the district ranks
    assert [(r.result.community.name, r.district_rank) for r in ranking(user=personas.street_clerk, scheme=ranked)] == [
        ("南关社区", 1), ("北关社区", 2)]


def test_configurable_thresholds(ranked, personas):
    services.scheme_update(actor=personas.district_reviewer, scheme=ranked, excellent_from=Decimal("95"),
                           good_from=Decimal("85"), pass_from=Decimal("50"))
    ranked = Scheme.objects.get(pk=ranked.pk)
    rows = {r.result.community.name: r.grade for r in ranking(user=personas.district_reviewer, scheme=ranked)}
    assert rows == {"南关社区": "excellent", "北关社区": "pass", "中山社区": "pass", "广武门社区": "pass", "皋兰路社区": "pass"}


def test_ranking_page_and_excel(ranked, personas, login):
    client = login(personas.district_reviewer)
    page = client.get(f"/assessments/schemes/{ranked.pk}/ranking/")
    html = page.content.decode()
    assert page.status_code == 200 and "优秀" in html and "不合格" in html and "广武门社区" in html
    export = client.get(f"/assessments/schemes/{ranked.pk}/ranking/?format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "区内排名" and rows[1][:4] == (1, 1, "酒泉路街道", "南关社区") and rows[1][6] == "优秀"
    assert len(rows) == 6


def test_queue_filters(ranked, personas, login):
    client = login(personas.district_reviewer)
    html = client.get(f"/assessments/results/?scheme={ranked.pk}&grade=good").content.decode()
    assert "北关社区" in html and "中山社区" in html and "南关社区" not in html
    html = client.get(f"/assessments/results/?street={ranked.district.children.get(name='张掖路街道').pk}&state=draft").content.decode()
    assert "中山社区" in html and "南关社区" not in html


def test_pages_of_a_scored_scheme(scored, scheme, personas, login, facts_data):
    client = login(personas.district_reviewer)
    html = client.get(f"/assessments/schemes/{scheme.pk}/").content.decode()
    assert "有人管事" in html and "评分已开始" in html
    run_page = client.get(f"/assessments/runs/{scored.pk}/").content.decode()
    # The page polls through static/js/sanqi.js (no inline script under the CSP).
    assert "run-bar" in run_page and f'data-progress-url="/assessments/runs/{scored.pk}/progress.json"' in run_page
    progress = client.get(f"/assessments/runs/{scored.pk}/progress.json").json()
    assert progress == {"id": scored.pk, "state": "finished", "state_label": "已完成", "done": 3, "total": 3, "percent": 100}
    result = Result.objects.get(community=facts_data.community_a1)
    card = login(personas.street_clerk).get(f"/assessments/results/{result.pk}/").content.decode()
    assert "已建成场所面积（平方米）：250.00" in card and "提交审核" in card and "67.78" in card
    assert client.get("/assessments/schemes/").status_code == 200
    assert login(personas.neighbour_clerk).get(f"/assessments/results/{result.pk}/").status_code == 404


def test_page_workflow_and_adjust(scored, personas, client, facts_data):
    result = Result.objects.get(community=facts_data.community_a1)
    client.force_login(personas.district_reviewer)  # an automatic score: the reviewer's to adjust
    score = result.scores.get(indicator__name="专职党务工作者")
    client.post(f"/assessments/results/{result.pk}/", {"form": "adjust", "score": score.pk, "version": 0, "final": "1", "reason": "离岗"})
    client.force_login(personas.street_clerk)
    client.post(f"/assessments/results/{result.pk}/", {"action": "submit", "version": 1, "comment": ""})
    result.refresh_from_db()
    assert result.state == "submitted" and result.final_total == Decimal("64.78")
    response = client.post(f"/assessments/results/{result.pk}/", {"action": "submit", "version": 1, "comment": ""}, follow=True)
    assert "已被他人修改" in response.content.decode()


def test_scheme_api(tree, personas, api, django_capture_on_commit_callbacks, facts_data):
    reviewer = api(user=personas.district_reviewer)
    r = reviewer.post("/api/v1/assessments/schemes/", {"district": tree.district.pk, "year": 2025}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert api(user=personas.street_clerk).post("/api/v1/assessments/schemes/", {"district": tree.district.pk, "year": 2026},
                                                format="json").status_code == 403
    tree_json = reviewer.get(f"/api/v1/assessments/schemes/{pk}/tree/").json()
    assert len(tree_json) == 4
    bad = reviewer.post("/api/v1/assessments/indicators/", {"scheme": pk, "name": "x", "weight": "1", "method": "auto",
                                                            "rule": "count", "params": {"fact": "x.y", "at_least": 1},
                                                            "parent": tree_json[0]["id"]}, format="json")
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        r = reviewer.post(f"/api/v1/assessments/schemes/{pk}/start/", {"chunk_size": 2}, format="json")
    assert r.status_code == 201
    run = reviewer.get(f"/api/v1/assessments/runs/{r.json()['id']}/").json()
    assert (run["done"], run["total"], run["percent"], run["state"]) == (3, 3, 100, "finished")
    ranking_rows = reviewer.get(f"/api/v1/assessments/schemes/{pk}/ranking/").json()
    assert ranking_rows[0]["community_name"] == "南关社区" and ranking_rows[0]["district_rank"] == 1
    locked = reviewer.patch(f"/api/v1/assessments/indicators/{tree_json[0]['children'][0]['id']}/", {"weight": "6"}, format="json")
    assert locked.status_code == 400


def test_scheme_editor_pages(tree, personas, login):
    client = login(personas.district_reviewer)
    response = client.post("/assessments/schemes/", {"district": tree.district.pk, "year": 2026, "name": ""})
    scheme = Scheme.objects.get(district=tree.district, year=2026)
    assert response.status_code == 302 and scheme.indicators.count() == 23
    area = scheme.indicators.get(name="有人管事")
    url = f"/assessments/schemes/{scheme.pk}/indicators/add/"
    bad = client.post(url, {"parent": area.pk, "position": 7, "name": "志愿服务", "weight": "2", "method": "auto",
                            "rule": "count", "params": "{not json"})
    assert "规则参数必须是有效的JSON" in bad.content.decode()
    unknown = client.post(url, {"parent": area.pk, "position": 7, "name": "志愿服务", "weight": "2", "method": "auto",
                                "rule": "count", "params": '{"fact": "staffing.volunteers", "at_least": 10}'})
    assert "数据项无法识别" in unknown.content.decode()
    ok = client.post(url, {"parent": area.pk, "position": 7, "name": "志愿服务", "weight": "2", "method": "auto",
                           "rule": "threshold", "params": '{"fact": "staffing.party_workers", "min": 2}'})
    assert ok.status_code == 302
    page = client.get(f"/assessments/schemes/{scheme.pk}/").content.decode()
    assert "“有人管事”下的指标分值合计为27，应为25。" in page  # the editor warns until the weights add up
    assert login(personas.street_clerk).get(url).status_code == 403


def test_street_clerk_reads_the_scheme_and_their_rows_of_the_ranking(ranked, personas, login, api):
    client = login(personas.street_clerk)
    assert client.get(f"/assessments/schemes/{ranked.pk}/").status_code == 200
    html = client.get(f"/assessments/schemes/{ranked.pk}/ranking/").content.decode()
    assert "南关社区" in html and "中山社区" not in html
    assert [s["id"] for s in api(user=personas.street_clerk).get("/api/v1/assessments/schemes/").json()["results"]] == [ranked.pk]
    other = login(personas.neighbour_clerk)
    assert "南关社区" not in other.get(f"/assessments/schemes/{ranked.pk}/ranking/").content.decode()
