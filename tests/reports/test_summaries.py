"""Year-end summaries: the figures against the hand-computed data set (tests/reports/conftest.py),
the problems and the communities they name, drafting and finalising, the Word and Excel
downloads read back, the background job, and scope."""

import datetime
import io
import re
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx.oxml.ns import qn

from assessments.models import Result, Scheme, State
from reports import drafting, services
from reports.models import ProblemKind, SuggestionText, Summary, SummaryState
from tests.regional_building import factories as rb
from tests.reports.conftest import YEAR, allocate, appoint, cadre

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def weak(data):
    """北关社区's approved assessment: 55 points, below the pass mark of 60."""
    scheme = Scheme.objects.create(district=data.district, year=YEAR, name="2025年考核")
    Result.objects.create(scheme=scheme, community=data.community_a2, year=YEAR, state=State.APPROVED,
                          computed_total=Decimal("55"), final_total=Decimal("55"))
    Result.objects.create(scheme=scheme, community=data.community_a1, year=YEAR, state=State.APPROVED,
                          computed_total=Decimal("92"), final_total=Decimal("92"))
    return data


def start(user, node, year=YEAR, **kw):
    return services.summary_start(actor=user, node=node, year=year, **kw)


# ---- figures -----------------------------------------------------------------------------

def test_figures_of_the_street_match_the_hand_computed_data(weak):
    f = drafting.summary_figures(node=weak.street_a, year=YEAR, today=D(2026, 11, 30))
    cur, prev = f["current"], f["previous"]
    assert (cur["communities"], cur["cadres"], prev["cadres"]) == (2, 5, 4)
    assert (cur["college"], cur["college_share"], prev["college_share"]) == (4, "80.0", "50.0")
    assert (cur["one_shoulder"], cur["one_shoulder_share"], prev["one_shoulder_share"]) == (1, "50.0", "50.0")
    assert (cur["working_funds"], prev["working_funds"]) == ("32000.00", "27000.00")
    assert (cur["funds_with_standard"], cur["funds_meeting"], cur["funds_compliance_rate"]) == (2, 1, "50.0")
    assert (prev["funds_with_standard"], prev["funds_meeting"]) == (2, 1)  # 2024: 北关 met 10,000 + 5,000
    assert (cur["area_with_standard"], cur["area_meeting"], cur["built_area"]) == (2, 1, "570.00")
    assert (prev["area_with_standard"], prev["area_compliance_rate"], prev["built_area"]) == (0, None, "250.00")
    assert (cur["agreements_in_force"], cur["commitments_due"], cur["commitments_kept"], cur["commitments_overdue"]) == (1, 2, 1, 1)
    assert (cur["members_registered"], prev["members_registered"]) == (3, 1)
    assert (cur["meetings_held"], prev["meetings_held"]) == (2, 1)
    assert (cur["assessed"], cur["grade_excellent"], cur["grade_fail"]) == (2, 1, 1)
    assert f["as_of"] == "2025-12-31"


def test_the_text_states_the_figures_and_the_change_against_last_year(weak, personas):
    summary = start(personas.street_clerk, weak.street_a)
    text = {b["key"]: b["text"] for b in summary.blocks}
    assert text["title"] == "酒泉路街道2025年“三有一化”\n工作总结"
    assert text["intro"].startswith("2025年，酒泉路街道党工委坚持以习近平新时代中国特色社会主义思想为指导，")
    assert "在岗社区干部5名，比上年增加1名，平均年龄45岁，大专以上学历4名、占80.0%" in text["staffing"]
    assert "2个城市社区中有1个实现党组织书记、居委会主任“一肩挑”，占50.0%" in text["staffing"]
    assert "全年社区到位工作经费3.2万元，比上年增加5000元，平均每个社区1.6万元" in text["funding"]
    assert "每个社区每年办公经费1.5万元、党建工作经费5000元" in text["funding"]
    assert "执行保障标准的2个社区中1个足额到位，达标率50.0%" in text["funding"]
    assert "全年新建（购置）社区办公活动用房1处、320平方米，其中北关社区新建320平方米" in text["venues"]
    assert "总面积570平方米，比上年增加320平方米" in text["venues"]
    assert "到期承诺事项2项，已兑现1项，兑现率50.0%" in text["regional"]
    assert "全年3名在职党员到居住地社区报到，比上年增加2名" in text["regional"]
    assert "全年召开党建联席会议2次，比上年增加1次，研究“共驻共建年度计划”等事项" in text["regional"]
    # the grades in their own paragraph, only those that occur
    assert text["assessment"].endswith("年度考核考评已审定2个社区的结果，优秀1个、不合格1个。")
    assert "考核" not in text["regional"]
    # no machine phrasing
    whole = "".join(text.values())
    assert not re.search(r"(?<![0-9.])0(\.0)?[个份名次项%]", whole)  # no "0个/0份/0.0%" clauses
    for phrase in ("上年无记录", "社区平均", "一站式"):
        assert phrase not in whole, phrase
    assert text["signature"] == "中共酒泉路街道工作委员会"
    kinds = [b["kind"] for b in summary.blocks]
    assert kinds[0] == "title" and kinds[-2:] == ["signature", "date"]
    headings = [b["text"] for b in summary.blocks if b["kind"] in ("h1", "h2")]
    assert headings == [
        "一、“三有一化”工作进展情况", "（一）加强队伍建设，实现“有人管事”", "（二）完善保障机制，实现“有钱办事”",
        "（三）加大建设力度，实现“有场所议事”", "（四）推进共驻共建，城市基层党建区域化格局逐步形成",
        "二、存在的问题", "三、意见和建议",
    ]


# ---- problems ----------------------------------------------------------------------------

def test_problems_name_the_communities(weak):
    rb.conference(weak.community_b1, level="community", name="中山社区第二联席分会")  # never met
    problems = {p["kind"]: p["items"] for p in drafting.find_problems(node=weak.district, year=YEAR)}
    named = {kind: [i["name"] for i in items] for kind, items in problems.items()}
    # 中山社区 has no cadres and no funds recorded: data not reported, not "no 一肩挑" nor "below standard"
    assert named == {
        ProblemKind.DATA_MISSING: ["中山社区"],
        ProblemKind.FUNDS_BELOW: ["北关社区"],
        ProblemKind.AREA_BELOW: ["南关社区", "中山社区"],
        ProblemKind.NO_ONE_SHOULDER: ["北关社区"],
        ProblemKind.NO_PARTY_WORKER: ["北关社区"],
        ProblemKind.CONFERENCE_IDLE: ["中山社区第二联席分会"],
        ProblemKind.COMMITMENTS_OVERDUE: ["南关社区"],
        ProblemKind.WEAK_ASSESSMENT: ["北关社区"],
    }
    assert problems[ProblemKind.DATA_MISSING][0]["detail"] == "社区干部、工作经费"
    assert problems[ProblemKind.FUNDS_BELOW][0]["detail"] == "到位1.2万元，标准2万元"
    assert problems[ProblemKind.FUNDS_BELOW][0]["street"] == "酒泉路街道"
    assert problems[ProblemKind.AREA_BELOW][0]["detail"] == "现有250平方米，标准300平方米"
    assert problems[ProblemKind.COMMITMENTS_OVERDUE][0]["detail"] == "逾期1项"
    assert problems[ProblemKind.WEAK_ASSESSMENT][0]["detail"] == "55.00分"


def test_low_education_is_found_below_the_target(data):
    c = data.community_b1
    for n, education in enumerate(["secondary", "secondary", "college"]):
        appoint(cadre(c, 20 + n, education), "member")
    problems = {p["kind"]: p["items"] for p in drafting.find_problems(node=data.street_b, year=YEAR)}
    assert [(i["name"], i["detail"]) for i in problems[ProblemKind.LOW_COLLEGE]] == [("中山社区", "33.3%")]


def test_problems_and_suggestions_in_the_text(weak, personas):
    SuggestionText.objects.create(node=weak.district, kind=ProblemKind.FUNDS_BELOW, text="区里统一补足经费缺口。")
    summary = start(personas.street_clerk, weak.street_a)
    text = {b["key"]: b["text"] for b in summary.blocks}
    lead, *lines = text["problems"].split("\n")
    assert lead == "对照全年数据分析，“三有一化”工作还存在以下问题（涉及的社区名单见附表）："
    assert lines[0] == ("一是社区工作经费保障还不到位。1个社区到位经费低于保障标准（北关社区），"
                        "其中1个社区党建工作经费未足额到位。")
    assert lines[1] == "二是社区阵地建设仍有短板。1个社区办公活动用房面积未达标准（南关社区）。"
    assert lines[-1] == "六是部分社区考核结果不理想。1个社区年度考核未达到合格分数线（北关社区）。"
    suggestions = text["suggestions"].split("\n")
    assert suggestions[0] == "（一）区里统一补足经费缺口。"  # the district's own text wins over the built-in one
    assert suggestions[1].startswith("（二）着力加强社区阵地建设")
    assert len(suggestions) == len(lines) + 1  # one per problem, then the general one
    # the street's own text is nearer than the district's
    SuggestionText.objects.create(node=weak.street_a, kind=ProblemKind.FUNDS_BELOW, text="街道自筹补足。")
    assert drafting.suggestion_texts(weak.street_a)[ProblemKind.FUNDS_BELOW] == "街道自筹补足。"
    assert drafting.suggestion_texts(weak.street_b)[ProblemKind.FUNDS_BELOW] == "区里统一补足经费缺口。"


def test_no_problem_found(tree, personas):
    summary = start(personas.district_reviewer, tree.street_a)
    text = {b["key"]: b["text"] for b in summary.blocks}
    # nothing recorded at all: the one problem is that the data were not reported
    assert text["problems"].split("\n")[1] == (
        "一是部分数据未报送。2个社区未录入社区干部任职数据、2个社区未录入工作经费到位数据（南关社区、北关社区），"
        "相关情况未计入本总结，需督促及时补录。")
    assert "一肩挑”有待推进" not in text["problems"] and "专职党务工作者配备不齐" not in text["problems"]
    Summary.objects.all().delete()
    problems = drafting.compose(
        node=tree.street_a, year=YEAR, on=D(2025, 12, 31), suggestions=drafting.default_suggestions(),
        figures={**drafting.summary_figures(node=tree.street_a, year=YEAR), "problems": []},
    )
    assert {b["key"]: b["text"] for b in problems}["problems"] == "对照全年数据检查，未发现突出问题。"


# ---- drafting, editing, finalising -------------------------------------------------------

def test_edit_then_finalise_freezes_text_figures_and_files(weak, login, personas, django_capture_on_commit_callbacks):
    clerk = personas.street_clerk
    summary = start(clerk, weak.street_a)
    assert summary.state == SummaryState.DRAFT and summary.version == 1 and summary.statistics
    client = login(clerk)
    url = reverse("reports:summary_detail", args=[summary.pk])
    page = client.get(url)
    assert page.status_code == 200 and "保存并定稿" in page.content.decode()
    form = {b["key"]: b["text"] for b in summary.blocks}
    form["staffing"] = form["staffing"] + "\n街道党工委书记带头讲党课。"
    response = client.post(url, {**form, "_revision": summary.revision, "finalise": "1"})
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.state == SummaryState.FINAL and summary.finalised_by == clerk and summary.document
    frozen_blocks, frozen_figures = summary.blocks, summary.figures
    word = client.get(reverse("reports:summary_docx", args=[summary.pk])).content
    excel = client.get(reverse("reports:summary_xlsx", args=[summary.pk])).content

    # the data change: 北关社区 now meets the funding standard (office 15,000, party 5,000)
    allocate(weak.community_a2, YEAR, "office", "5000"), allocate(weak.community_a2, YEAR, "party", "5000")
    summary.refresh_from_db()
    assert summary.blocks == frozen_blocks and summary.figures == frozen_figures
    assert client.get(reverse("reports:summary_docx", args=[summary.pk])).content == word
    assert client.get(reverse("reports:summary_xlsx", args=[summary.pk])).content == excel
    # a final summary takes no more edits
    assert client.post(url, form).status_code == 403
    with pytest.raises(ValidationError):
        services.summary_update_text(actor=clerk, summary=summary, texts={"staffing": "改"})

    # drafting again makes version 2 from today's data; version 1 stays as it was
    with django_capture_on_commit_callbacks(execute=True):  # the job drafts it (a page never does)
        response = client.post(reverse("reports:summary_regenerate", args=[summary.pk]))
    new = Summary.objects.get(node=weak.street_a, year=YEAR, version=2)
    assert response["Location"] == new.get_absolute_url() and new.state == SummaryState.DRAFT
    assert new.figures["current"]["funds_meeting"] == 2
    assert ProblemKind.FUNDS_BELOW not in {p["kind"] for p in new.figures["problems"]}
    assert Summary.objects.get(pk=summary.pk).figures["current"]["funds_meeting"] == 1


def test_edit_errors_are_reported_and_nothing_is_saved(weak, login, personas):
    summary = start(personas.street_clerk, weak.street_a)
    client = login(personas.street_clerk)
    form = {b["key"]: b["text"] for b in summary.blocks}
    form["title"] = ""
    form["staffing"] = "改过的文字"
    response = client.post(reverse("reports:summary_detail", args=[summary.pk]), {**form, "_revision": summary.revision, "finalise": "1"})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    summary.refresh_from_db()
    assert summary.state == SummaryState.DRAFT and "改过的文字" not in str(summary.blocks)
    with pytest.raises(ValidationError, match="无法识别的段落"):
        services.summary_update_text(actor=personas.street_clerk, summary=summary, texts={"nope": "x"})


def test_word_download_read_back(weak, login, personas):
    summary = start(personas.street_clerk, weak.street_a)
    response = login(personas.street_clerk).get(reverse("reports:summary_docx", args=[summary.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert paragraphs[0].text == "酒泉路街道2025年“三有一化”\n工作总结"
    title_run = paragraphs[0].runs[0]
    assert title_run.font.size.pt == 22 and title_run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    texts = [p.text for p in paragraphs]
    assert "一、“三有一化”工作进展情况" in texts and "二、存在的问题" in texts and "三、意见和建议" in texts
    body = next(p for p in paragraphs if p.text.startswith("全街道共有城市社区"))
    assert "在岗社区干部5名" in body.text
    assert body.runs[0].font.size.pt == 16 and body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    h1 = next(p for p in paragraphs if p.text == "二、存在的问题")
    assert h1.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert paragraphs[-2].text == "中共酒泉路街道工作委员会"
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


def test_excel_download_read_back(weak, login, personas):
    summary = start(personas.district_reviewer, weak.district)
    response = login(personas.district_reviewer).get(reverse("reports:summary_xlsx", args=[summary.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["附表1 有人管事", "附表2 有钱办事", "附表3 有场所议事", "附表4 区域化党建", "附表5 存在问题清单"]
    ws = book.worksheets[0]
    assert ws["A1"].value == "附表1：城关区2025年“三有一化”工作统计表（有人管事）"
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    names = [row[2] for row in values]
    assert "南关社区" in names and "北关社区" in names and "中山社区" in names
    subtotal = next(row for row in values if row[0] == "酒泉路街道小计")
    total = next(row for row in values if row[0] == "合计")
    header = values[1]
    cadres = header.index("社区干部")
    assert (subtotal[cadres], subtotal[cadres + 1]) == (5, 4)  # 2025 beside 2024
    assert total[cadres] == 5
    assert ws.freeze_panes == "D4"
    # the annex of problems lists every community the text names or counts
    problems = [row for row in book.worksheets[4].iter_rows(min_row=3, values_only=True)]
    assert len(problems) == sum(len(p["items"]) for p in summary.figures["problems"])
    assert ("中山社区" in {row[3] for row in problems}) and problems[0][0] == 1


# ---- the background job ------------------------------------------------------------------

def test_a_large_node_is_drafted_by_the_job_with_progress(weak, settings, login, django_capture_on_commit_callbacks, personas):
    settings.REPORTS_INLINE_COMMUNITIES = 2  # the district has 3 communities: "large"
    client = login(personas.district_reviewer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:summary_start"), {"node": weak.district.pk, "year": YEAR})
    summary = Summary.objects.get(node=weak.district)
    assert response["Location"] == summary.get_absolute_url()
    assert summary.state == SummaryState.QUEUED and len(callbacks) == 1  # queued when the request commits
    page = client.get(summary.get_absolute_url()).content.decode()
    assert 'id="summary-progress"' in page
    progress = client.get(reverse("reports:summary_progress", args=[summary.pk])).json()
    assert (progress["state"], progress["percent"]) == ("queued", 0)
    callbacks[0]()  # the worker runs the task (eager here; tests/reports/test_worker.py uses a real one)
    progress = client.get(reverse("reports:summary_progress", args=[summary.pk])).json()
    assert (progress["state"], progress["percent"], progress["done"]) == ("draft", 100, 4)
    summary.refresh_from_db()
    assert summary.statistics and summary.blocks[0]["text"].startswith("城关区2025年")


def test_starting_a_summary_on_the_page_answers_at_once_and_the_job_reports_progress(
        weak, login, django_capture_on_commit_callbacks, personas, monkeypatch):
    """Even a street's draft takes seconds (figures, problems, workbook): the POST only queues it
    (nothing drafted in the request), the page polls the progress, the job completes it."""
    steps = []
    real = drafting.summary_figures
    monkeypatch.setattr(drafting, "summary_figures", lambda **kw: steps.append("figures") or real(**kw))
    client = login(personas.street_clerk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:summary_start"), {"node": weak.street_a.pk, "year": YEAR})
    summary = Summary.objects.get(node=weak.street_a)
    assert response.status_code == 302 and response["Location"] == summary.get_absolute_url()
    assert summary.state == SummaryState.QUEUED and not summary.blocks and steps == [] and len(callbacks) == 1
    page = client.get(summary.get_absolute_url()).content.decode()
    assert "data-progress-url" in page and "<script>" not in page  # polled by static/js/sanqi.js (strict CSP)
    assert client.get(reverse("reports:summary_progress", args=[summary.pk])).json()["percent"] == 0
    callbacks[0]()  # the worker
    progress = client.get(reverse("reports:summary_progress", args=[summary.pk])).json()
    assert (progress["state"], progress["percent"], progress["done"]) == ("draft", 100, 4) and steps == ["figures"]
    assert "data-progress-url" not in client.get(summary.get_absolute_url()).content.decode()


def test_a_failed_job_says_why(weak, monkeypatch, personas):
    def boom(**kwargs):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(drafting, "summary_figures", boom)
    summary = start(personas.district_reviewer, weak.district)
    assert summary.state == SummaryState.FAILED and "数据库连接中断" in summary.error and not summary.blocks


def test_small_nodes_are_drafted_inline(weak, personas):
    summary = start(personas.street_clerk, weak.street_a)
    assert summary.state == SummaryState.DRAFT and summary.steps_done == summary.steps_total == 4


# ---- scope and rules ---------------------------------------------------------------------

def test_a_street_clerk_cannot_get_the_districts_summary(weak, login, personas):
    district_summary = start(personas.district_reviewer, weak.district)
    neighbour = start(personas.neighbour_clerk, weak.street_b)
    client = login(personas.street_clerk)
    for name in ("summary_detail", "summary_docx", "summary_xlsx", "summary_progress", "summary_regenerate"):
        for other in (district_summary, neighbour):
            method = client.post if name == "summary_regenerate" else client.get
            assert method(reverse(f"reports:{name}", args=[other.pk])).status_code == 404, name
    listed = client.get(reverse("reports:summary_list")).content.decode()
    assert "城关区2025年" not in listed and "张掖路街道2025年" not in listed
    # nor start one: the district is not among the choices, and the service refuses
    response = client.post(reverse("reports:summary_start"), {"node": weak.district.pk, "year": YEAR}, follow=True)
    assert "选择一个有效的选项" in response.content.decode()
    with pytest.raises(PermissionDenied):
        start(personas.street_clerk, weak.district)
    assert Summary.objects.filter(node=weak.district).count() == 1


def test_viewers_read_but_do_not_write(weak, login, personas):
    summary = start(personas.district_reviewer, weak.street_a)
    client = login(personas.viewer)
    page = client.get(summary.get_absolute_url()).content.decode()
    assert "保存并定稿" not in page and 'id="summary-text"' in page
    assert client.post(summary.get_absolute_url(), {"title": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        start(personas.viewer, weak.street_a)


def test_rules_of_starting(weak, personas):
    with pytest.raises(ValidationError, match="不能为单个社区起草"):
        start(personas.street_clerk, weak.community_a1)
    with pytest.raises(ValidationError, match="2000年至"):
        start(personas.street_clerk, weak.street_a, year=2999)
    versions = [start(personas.street_clerk, weak.street_a).version for _ in range(2)]
    assert versions == [1, 2]


def test_list_page_and_start_form(weak, login, personas):
    start(personas.street_clerk, weak.street_a)
    page = login(personas.street_clerk).get(reverse("reports:summary_list")).content.decode()
    assert "根据数据起草" in page and "酒泉路街道2025年“三有一化”工作总结" in page
    options = re.findall(r'<option value="(\d+)"', page.split('id="summary-start"')[1].split("</form>")[0])
    assert options[0] == str(weak.street_a.pk) and str(weak.district.pk) not in options


def test_suggestion_texts_pages(weak, login, personas):
    client = login(personas.street_clerk)
    page = client.get(reverse("reports:suggestion_list")).content.decode()
    assert "内置文本" in page and "着力保障社区工作经费" in page
    response = client.post(reverse("reports:suggestion_add"), {
        "node": weak.street_a.pk, "kind": ProblemKind.NO_PARTY_WORKER, "text": "街道统一招聘专职党务工作者。"})
    assert response.status_code == 302
    assert drafting.suggestion_texts(weak.street_a)[ProblemKind.NO_PARTY_WORKER] == "街道统一招聘专职党务工作者。"
    # not for a node outside the clerk's part of the hierarchy
    response = client.post(reverse("reports:suggestion_add"), {
        "node": weak.district.pk, "kind": ProblemKind.NO_PARTY_WORKER, "text": "越权"})
    assert response.status_code == 200 and SuggestionText.objects.filter(text="越权").count() == 0


def test_the_node_page_links_the_dashboard_and_the_summary(weak, login, personas):
    tree_url = reverse("communities:tree_node", args=[weak.street_a.code]) + f"?year={YEAR}"
    page = login(personas.street_clerk).get(tree_url).content.decode()
    panel = page.split('id="reports-panel"')[1].split("</form>")[0]
    assert f"/reports/dashboard/?node={weak.street_a.code}&year={YEAR}" in panel
    assert "起草2025年年终工作总结" in panel
    summary = start(personas.street_clerk, weak.street_a)
    page = login(personas.street_clerk).get(tree_url).content.decode()
    assert summary.get_absolute_url() in page.split('id="reports-panel"')[1]
    viewer_page = login(personas.viewer).get(reverse("communities:tree_node", args=[weak.street_b.code])).content.decode()
    assert "起草" not in viewer_page.split('id="reports-panel"')[1].split("</div>\n</div>")[0]


def test_drafts_can_be_deleted_final_summaries_cannot(weak, login, personas, django_capture_on_commit_callbacks):
    clerk = personas.street_clerk
    draft = start(clerk, weak.street_a)
    client = login(clerk)
    assert "删除草稿" in client.get(draft.get_absolute_url()).content.decode()
    assert login(personas.neighbour_clerk).post(reverse("reports:summary_delete", args=[draft.pk])).status_code == 404
    client = login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:summary_delete", args=[draft.pk]), follow=True)
    assert "已删除" in response.content.decode() and not Summary.objects.filter(pk=draft.pk).exists()
    assert not draft.statistics.storage.exists(draft.statistics.name)  # its file went with it
    final = services.summary_finalise(actor=clerk, summary=start(clerk, weak.street_a))
    response = client.post(reverse("reports:summary_delete", args=[final.pk]), follow=True)
    assert "已定稿的总结不能删除" in response.content.decode() and Summary.objects.filter(pk=final.pk).exists()
    assert "删除草稿" not in client.get(final.get_absolute_url()).content.decode()


def test_text_without_a_base_or_without_last_year_says_so(tree, personas):
    # no cadres, no standards, no records in 2024: "not entered", no dashes, no "increase" from nothing
    allocate(tree.community_a1, YEAR, "office", "15000")
    text = {b["key"]: b["text"] for b in start(personas.street_clerk, tree.street_a).blocks}
    assert "全街道共有城市社区2个。一是选好配强社区班子。2025年社区干部任职数据尚未录入。" in text["staffing"]
    assert "全年社区到位工作经费1.5万元，平均每个社区7500元" in text["funding"]
    assert "2025年尚未确定社区经费保障标准。" in text["funding"]
    assert "社区办公活动用房数据尚未录入。" in text["venues"]
    assert "2025年党建联席会议情况尚未录入。" in text["regional"]
    assert "2025年度考核考评结果尚未审定。" in text["assessment"]
    whole = "".join(text.values())
    assert "—" not in whole and "上年无记录" not in whole and "比上年" not in whole


def test_this_years_summary_speaks_of_so_far(tree, personas):
    from django.utils import timezone

    this_year = timezone.localdate().year
    allocate(tree.community_a1, this_year, "office", "15000")
    text = {b["key"]: b["text"] for b in start(personas.street_clerk, tree.street_a, year=this_year).blocks}
    if timezone.localdate() < datetime.date(this_year, 12, 31):
        day = timezone.localdate()
        assert text["intro"].startswith("今年以来，酒泉路街道党工委")
        assert f"截至{day.year}年{day.month}月{day.day}日，社区到位工作经费1.5万元" in text["funding"]
    else:  # on 31 December the year is complete
        assert "全年社区到位工作经费" in text["funding"]


def test_signing_bodies(tree):
    from communities.models import Node

    town = Node(code="620102003000", name="青白石镇", level=4)
    assert drafting.signing_body(tree.street_a) == "中共酒泉路街道工作委员会"
    assert drafting.signing_body(town) == "中共青白石镇委员会"
    assert drafting.signing_body(tree.district) == "中共城关区委组织部"


def test_only_the_newest_version_is_edited_and_the_newest_final_is_official(weak, login, personas):
    clerk = personas.street_clerk
    v1 = services.summary_finalise(actor=clerk, summary=start(clerk, weak.street_a))
    v2 = start(clerk, weak.street_a)
    v3 = start(clerk, weak.street_a)
    with pytest.raises(ValidationError, match="只有最新版本（第3版）可以修改或定稿"):
        services.summary_finalise(actor=clerk, summary=v2)
    page = login(clerk).get(v2.get_absolute_url()).content.decode()
    assert 'id="not-newest"' in page and "保存并定稿" not in page
    assert login(clerk).post(v2.get_absolute_url(), {"title": "x"}).status_code == 403
    services.summary_update_text(actor=clerk, summary=v3, texts={"intro": "改写的开头。"})
    v3 = services.summary_finalise(actor=clerk, summary=Summary.objects.get(pk=v3.pk))
    v1.refresh_from_db()
    assert (v1.state, v3.state, v3.revision) == (SummaryState.SUPERSEDED, SummaryState.FINAL, 1)
    assert v1.is_final and "已被新定稿取代" in login(clerk).get(reverse("reports:summary_list")).content.decode()
    with pytest.raises(ValidationError):
        services.summary_delete(actor=clerk, summary=v1)  # a superseded final summary is kept too


def test_a_summary_being_drafted_cannot_be_deleted(weak, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        queued = start(personas.district_reviewer, weak.district, enqueue=True)
    assert queued.state == SummaryState.QUEUED
    with pytest.raises(ValidationError, match="仍在生成中"):
        services.summary_delete(actor=personas.district_reviewer, summary=queued)
    Summary.objects.filter(pk=queued.pk).delete()  # deleted behind the job's back: the job leaves nothing
    services.draft_summary(queued.pk)
    assert not Summary.objects.filter(pk=queued.pk).exists()


def test_the_organization_department_writes_suggestion_texts(weak, login, personas):
    client = login(personas.district_reviewer)
    assert 'href="/reports/suggestions/add/"' in client.get(reverse("reports:suggestion_list")).content.decode()
    response = client.post(reverse("reports:suggestion_add"), {
        "node": weak.district.pk, "kind": ProblemKind.WEAK_ASSESSMENT, "text": "区委组织部派员蹲点帮扶。"})
    assert response.status_code == 302
    text = SuggestionText.objects.get(text="区委组织部派员蹲点帮扶。")
    assert client.get(reverse("reports:suggestion_edit", args=[text.pk])).status_code == 200
    assert drafting.suggestion_texts(weak.street_a)[ProblemKind.WEAK_ASSESSMENT] == "区委组织部派员蹲点帮扶。"
    # a viewer may read them, not write them
    viewer = login(personas.viewer)
    assert viewer.get(reverse("reports:suggestion_add")).status_code == 403
    assert viewer.get(reverse("reports:suggestion_edit", args=[text.pk])).status_code == 403
