"""Issue 15's assessment workflow: batch submit / approve / return row by row (service, page, API),
the queue opening on what the reader has to act on, who scores which indicator, a locked scheme
refusing edits everywhere, copying a scheme to a new year, and people shown by their names."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments import services
from assessments.models import Event, Indicator, Result, Scheme, State


@pytest.fixture
def results(scored, facts_data):
    """南关 (A1) and 北关 (A2) of 街道A, 中山 (B1) of 街道B, all drafts of 2025."""
    return {r.community.name: r for r in Result.objects.select_related("community")}


def _submit(result, clerk):
    return services.result_transition(actor=clerk, result=Result.objects.get(pk=result.pk), action="submit")


# ---------------------------------------------------------------- batch actions


def test_batch_approve_reports_each_row_and_moves_only_the_good_ones(results, personas):
    clerk, reviewer = personas.street_clerk, personas.district_reviewer
    a1, a2 = _submit(results["南关社区"], clerk), _submit(results["北关社区"], clerk)
    b1 = results["中山社区"]  # still a draft
    seen_a2 = a2.version
    services.result_transition(actor=personas.admin, result=a2, action="return", comment="凭证不全")  # meanwhile
    outcomes = services.results_bulk_transition(
        actor=reviewer, action="approve", rows=[(b1.pk, b1.version), (a2.pk, seen_a2), (a1.pk, a1.version), (987654, None)])
    by_id = {o.id: o for o in outcomes}
    assert [o.id for o in outcomes] == sorted(by_id)  # taken in id order
    assert by_id[a1.pk].status == "ok" and by_id[a1.pk].state == State.APPROVED
    assert by_id[a2.pk].status == "conflict" and "已被他人修改" in by_id[a2.pk].message
    assert by_id[b1.pk].status == "invalid" and "草稿" in by_id[b1.pk].message
    assert by_id[987654].status == "missing"
    assert dict(Result.objects.values_list("pk", "state")) == {
        a1.pk: State.APPROVED, a2.pk: State.RETURNED, b1.pk: State.DRAFT}
    assert list(Event.objects.filter(action="approve").values_list("result_id", "actor")) == [(a1.pk, reviewer.pk)]


def test_batch_return_needs_one_comment_before_any_row_moves(results, personas):
    a1, a2 = _submit(results["南关社区"], personas.street_clerk), _submit(results["北关社区"], personas.street_clerk)
    rows = [(a1.pk, a1.version), (a2.pk, a2.version)]
    with pytest.raises(ValidationError):
        services.results_bulk_transition(actor=personas.district_reviewer, action="return", rows=rows, comment=" ")
    assert set(Result.objects.filter(pk__in=[a1.pk, a2.pk]).values_list("state", flat=True)) == {State.SUBMITTED}
    outcomes = services.results_bulk_transition(actor=personas.district_reviewer, action="return", rows=rows,
                                                comment="党建经费凭证不全")
    assert all(o.ok for o in outcomes)
    assert set(Result.objects.filter(pk__in=[a1.pk, a2.pk]).values_list("comment", flat=True)) == {"党建经费凭证不全"}


def test_batch_submit_scope_and_persons(results, personas):
    a1, b1 = results["南关社区"], results["中山社区"]
    # 街道A's clerk: their own row moves; 中山社区 (街道B) is outside their scope: reported, untouched
    outcomes = {o.id: o for o in services.results_bulk_transition(
        actor=personas.street_clerk, action="submit", rows=[(a1.pk, a1.version), (b1.pk, b1.version)])}
    assert outcomes[a1.pk].ok and outcomes[b1.pk].status == "missing"
    # a community clerk sees their community but may not submit it
    a2 = results["北关社区"]
    outcome, = services.results_bulk_transition(actor=personas.community_clerk, action="submit", rows=[(a1.pk, None)])
    assert outcome.status in ("invalid", "forbidden")
    outcome, = services.results_bulk_transition(actor=personas.district_reviewer, action="submit", rows=[(a2.pk, None)])
    assert outcome.status == "forbidden" and Result.objects.get(pk=a2.pk).state == State.DRAFT


def test_bulk_api_answers_row_by_row(results, personas, api):
    a1, a2 = _submit(results["南关社区"], personas.street_clerk), _submit(results["北关社区"], personas.street_clerk)
    url = "/api/v1/assessments/results/bulk-transition/"
    reviewer = api(user=personas.district_reviewer)
    r = reviewer.post(url, {"action": "approve", "results": [{"id": a1.pk, "version": a1.version},
                                                             {"id": a2.pk, "version": a2.version - 1}]}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["done"], body["failed"]) == (1, 1)
    rows = {row["id"]: row for row in body["results"]}
    assert rows[a1.pk]["status"] == "ok" and rows[a1.pk]["state"] == "approved" and rows[a1.pk]["community_name"] == "南关社区"
    assert rows[a2.pk]["status"] == "conflict" and rows[a2.pk]["state"] == "submitted"
    r = reviewer.post(url, {"action": "return", "results": [{"id": a2.pk}]}, format="json")
    assert r.status_code == 400 and "comment" in r.json()
    assert reviewer.post(url, {"action": "approve", "results": []}, format="json").status_code == 400
    assert reviewer.post(url, {"action": "reopen", "results": [{"id": a2.pk}]}, format="json").status_code == 400
    assert api(token=personas.read_token).post(url, {"action": "approve", "results": [{"id": a2.pk}]},
                                               format="json").status_code == 403
    r = api(user=personas.neighbour_clerk).post(url, {"action": "submit", "results": [{"id": a2.pk}]}, format="json")
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "missing"
    assert Result.objects.get(pk=a2.pk).state == State.SUBMITTED


def test_bulk_page_reports_each_row(results, personas, login):
    a1, a2 = results["南关社区"], results["北关社区"]
    client = login(personas.street_clerk)
    response = client.post("/assessments/results/", {"bulk": "submit", "comment": "",
                                                     "pick": [f"{a1.pk}:{a1.version}", f"{a2.pk}:{a2.version + 5}"]},
                           follow=True)
    html = response.content.decode()
    assert "共 2 条，成功 1 条" in html and 'id="bulk-report"' in html and "已被他人修改" in html
    assert Result.objects.get(pk=a1.pk).state == State.SUBMITTED and Result.objects.get(pk=a2.pk).state == State.DRAFT
    html = client.post("/assessments/results/", {"bulk": "submit", "pick": []}, follow=True).content.decode()
    assert "请至少勾选一条考核结果" in html
    html = client.post("/assessments/results/", {"bulk": "submit", "pick": ["x:1"]}, follow=True).content.decode()
    assert "表单不完整" in html


# ---------------------------------------------------------------- the queue and its menu entry


def test_queue_opens_on_what_the_reader_has_to_act_on(results, personas, login):
    a1 = _submit(results["南关社区"], personas.street_clerk)

    def rows(user, query=""):
        html = login(user).get(f"/assessments/results/{query}").content.decode()
        table = html[html.index('id="result-table"'):]
        return {name for name in ("南关社区", "北关社区", "中山社区") if f">{name}</a>" in table}, html

    names, html = rows(personas.district_reviewer)
    assert names == {"南关社区"} and "<title>待审核" in html and ">待审核<" in html and "批量通过" in html
    names, html = rows(personas.street_clerk)
    assert names == {"北关社区"} and ">待提交<" in html and "批量提交" in html and "批量通过" not in html
    services.result_transition(actor=personas.district_reviewer, result=a1, action="return", comment="补充材料")
    assert rows(personas.street_clerk)[0] == {"南关社区", "北关社区"}  # drafts and returned ones
    names, html = rows(personas.viewer)
    assert names == {"南关社区", "北关社区", "中山社区"} and ">审核队列<" in html and "批量" not in html
    assert rows(personas.district_reviewer, "?state=draft")[0] == {"北关社区", "中山社区"}  # an explicit filter wins
    assert rows(personas.district_reviewer, "?scheme=")[0] == {"南关社区", "北关社区", "中山社区"}


# ---------------------------------------------------------------- who scores what


def test_manual_indicators_name_who_scores_them(tree, personas, login, api):
    client = login(personas.district_reviewer)
    client.post("/assessments/schemes/", {"district": tree.district.pk, "year": 2026, "name": ""})
    scheme = Scheme.objects.get(district=tree.district, year=2026)
    assert scheme.indicators.get(method="manual").scored_by == "district"  # the shipped default
    area = scheme.indicators.get(name="有人管事")
    url = f"/assessments/schemes/{scheme.pk}/indicators/add/"
    data = {"parent": area.pk, "position": 7, "name": "街道走访", "weight": "2", "method": "manual", "scored_by": ""}
    assert "请选择该人工指标的评分单位" in client.post(url, data).content.decode()
    assert client.post(url, {**data, "scored_by": "street"}).status_code == 302
    page = client.get(f"/assessments/schemes/{scheme.pk}/").content.decode()
    assert "街道评定" in page and "区级评定" in page
    tree_json = api(user=personas.district_reviewer).get(f"/api/v1/assessments/schemes/{scheme.pk}/tree/").json()
    leaves = {leaf["name"]: leaf["scored_by"] for area in tree_json for leaf in area["children"]}
    assert leaves["街道走访"] == "street" and leaves["群众满意度（人工评定）"] == "district" and leaves["书记、主任在岗"] == ""
    auto = scheme.indicators.get(name="书记、主任在岗")
    services.indicator_update(actor=personas.district_reviewer, indicator=auto, scored_by="street")
    assert Indicator.objects.get(pk=auto.pk).scored_by == ""  # only manual indicators name a scorer


# ---------------------------------------------------------------- locked schemes and copies


def test_a_locked_scheme_refuses_every_edit(scored, scheme, personas, login, api):
    reviewer = personas.district_reviewer
    with pytest.raises(ValidationError, match="不能再修改"):
        services.scheme_update(actor=reviewer, scheme=scheme, excellent_from=Decimal("95"))
    client = login(reviewer)
    page = client.get(f"/assessments/schemes/{scheme.pk}/").content.decode()
    assert "不能再修改" in page and 'name="t-excellent_from"' not in page and "复制到新年度" in page
    response = client.post(f"/assessments/schemes/{scheme.pk}/", {"t-name": "改名", "t-excellent_from": "95",
                                                                  "t-good_from": "80", "t-pass_from": "60",
                                                                  "t-version": scheme.version})
    assert "不能再修改" in response.content.decode()
    leaf = scheme.indicators.get(name="专职党务工作者")
    response = client.get(f"/assessments/indicators/{leaf.pk}/edit/", follow=True)
    assert "不能再修改" in response.content.decode() and 'name="weight"' not in response.content.decode()
    r = api(user=reviewer).patch(f"/api/v1/assessments/schemes/{scheme.pk}/", {"excellent_from": "95"}, format="json")
    assert r.status_code == 400 and "不能再修改" in str(r.json())
    scheme.refresh_from_db()
    assert (scheme.name, scheme.excellent_from) != ("改名", Decimal("95")) and scheme.excellent_from == Decimal("90")


def test_copy_to_a_new_year(scored, scheme, personas, login, api):
    client = login(personas.district_reviewer)
    response = client.post(f"/assessments/schemes/{scheme.pk}/", {"copy": "1", "c-year": "2026", "c-name": ""})
    copy = Scheme.objects.get(district=scheme.district, year=2026)
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert not copy.locked and copy.name == scheme.name and copy.indicators.count() == scheme.indicators.count()
    assert copy.indicators.get(method="manual").scored_by == "district"
    again = client.post(f"/assessments/schemes/{scheme.pk}/", {"copy": "1", "c-year": "2026", "c-name": ""})
    assert again.status_code == 400 and "已有2026年度的考核方案" in again.content.decode()
    r = api(user=personas.district_reviewer).post(f"/api/v1/assessments/schemes/{scheme.pk}/copy/", {"year": 2027}, format="json")
    assert r.status_code == 201 and r.json()["year"] == 2027 and not r.json()["locked"]
    r = api(user=personas.district_reviewer).post(f"/api/v1/assessments/schemes/{scheme.pk}/copy/", {"year": 2027}, format="json")
    assert r.status_code == 400
    # a street clerk reads the scheme but may not copy it; another district's reviewer does not see it
    assert api(user=personas.street_clerk).post(f"/api/v1/assessments/schemes/{scheme.pk}/copy/", {"year": 2028},
                                                format="json").status_code == 403
    assert login(personas.street_clerk).post(f"/assessments/schemes/{scheme.pk}/",
                                             {"copy": "1", "c-year": "2028"}).status_code == 403
    assert api(user=personas.other_reviewer).post(f"/api/v1/assessments/schemes/{scheme.pk}/copy/", {"year": 2028},
                                                  format="json").status_code == 404
    assert not Scheme.objects.filter(year=2028).exists()


# ---------------------------------------------------------------- names, not logins


def test_people_are_shown_by_their_names(results, personas, login, api):
    reviewer, clerk = personas.district_reviewer, personas.street_clerk
    reviewer.last_name, reviewer.first_name = "王", "审核"
    reviewer.save()
    clerk.last_name, clerk.first_name = "李", "录入"
    clerk.save()
    a1 = results["南关社区"]
    score = a1.scores.get(indicator__name="群众满意度（人工评定）")
    services.score_adjust(actor=reviewer, score=score, final=2, reason="入户测评")
    _submit(a1, clerk)
    html = login(reviewer).get(f"/assessments/results/{a1.pk}/").content.decode()
    history = html[html.index('id="workflow-history"'):]
    assert "李录入" in history and "street_clerk" not in history
    adjustments = html[html.index('id="adjustments"'):]
    assert "王审核" in adjustments and "入户测评" in adjustments and "district_reviewer" not in adjustments
    detail = api(user=reviewer).get(f"/api/v1/assessments/results/{a1.pk}/").json()
    assert detail["events"][0]["actor_name"] == "李录入"
    assert {s["adjusted_by_name"] for s in detail["scores"] if s["adjusted_by_name"]} == {"王审核"}


def test_clerk_refused_on_district_indicator_in_every_channel(results, personas, api):
    a1 = results["南关社区"]
    score = a1.scores.get(indicator__name="群众满意度（人工评定）")
    with pytest.raises(PermissionDenied, match="由区委组织部评定"):
        services.score_adjust(actor=personas.street_clerk, score=score, final=3, reason="自评")
    r = api(user=personas.street_clerk).post(f"/api/v1/assessments/scores/{score.pk}/adjust/",
                                             {"final": "3", "reason": "自评"}, format="json")
    assert r.status_code == 403 and "由区委组织部评定" in r.json()["detail"]
    r = api(user=personas.district_reviewer).post(f"/api/v1/assessments/scores/{score.pk}/adjust/",
                                                  {"final": "3", "reason": ""}, format="json")
    assert r.status_code == 400
    r = api(user=personas.district_reviewer).post(f"/api/v1/assessments/scores/{score.pk}/adjust/",
                                                  {"final": "3", "reason": "走访测评"}, format="json")
    assert r.status_code == 200 and r.json()["scored_by"] == "district"
