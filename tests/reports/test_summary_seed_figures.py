"""The demo district's drafts state, from the data, every figure of the seed texts the data hold
(issue 14; docs/reports.md lists them with the sentence that states each).

The demo (``load_demo``) is dated around today: venues built and expanded in 2010 (the seed's
programme year), cadres, training, funds and 一化 records in the last and the current year. So
the check reads three drafts of 城关区: 2010, last year (complete) and this year so far. Every
expected value is counted here again from the records with the ORM (or the apps' own
selectors), not taken from the drafting code.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.test import override_settings
from django.utils import formats, timezone

from communities.models import Level, Node
from funding.models import WORKING_CATEGORIES, Allocation, Standard
from regional_building.models import (
    FOUR_ONES, Claim, Commitment, ConferenceLevel, JointConference, Meeting, MemberRegistration,
    ResidentUnit,
)
from reports import drafting
from staffing.models import Appointment, Attendance, Post, Recognition, TrainingCourse, Volunteer, VolunteerTeam
from staffing.selectors import active_on, staffing_figures
from venues.models import NEW_OR_EXPANDED, Acquisition, Venue, VenueStatus
from venues.selectors import venue_figures

pytestmark = pytest.mark.django_db
DISTRICT = "620102000000"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (it takes a while), removed afterwards."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            with override_settings(DEBUG=True):  # the demo loads on development and demo servers only
                call_command("load_demo", stdout=open("/dev/null", "w"))
            # the demo is bulk-created (no signals): bring the facts table the dashboard reads up to date
            call_command("rebuild_facts", stdout=open("/dev/null", "w"))
            yield Node.objects.get(code=DISTRICT)
            transaction.set_rollback(True)


def draft(node, year):
    figures = drafting.summary_figures(node=node, year=year)
    blocks = drafting.compose(node=node, year=year, figures=figures, suggestions=drafting.suggestion_texts(node),
                              on=timezone.localdate())
    return {b["key"]: b["text"] for b in blocks}


def money(value) -> str:
    return drafting._money(Decimal(value))


def test_last_years_draft_states_the_seed_figures(demo):
    year = timezone.localdate().year - 1
    end = datetime.date(year, 12, 31)
    text = draft(demo, year)
    communities = Node.objects.filter(code__startswith="620102", level=Level.COMMUNITY)
    urban = communities.filter(is_urban=True).count()
    streets = Node.objects.filter(code__startswith="620102", level=Level.TOWNSHIP).count()
    # 行政管辖24个街道和148个社区、18个行政村; 全区126个城市社区
    assert f"全区辖{streets}个街道，共有城市社区{urban}个（另有村委会{communities.count() - urban}个）" in text["staffing"]
    # 125个城市社区中有92个社区实现了书记、主任工作“一肩挑”; 平均年龄为41岁; 大专以上学历的占80.7%
    s = staffing_figures(node=demo, year=year)
    assert f"在岗社区干部{s.cadres}名" in text["staffing"]
    assert f"平均年龄{drafting._fmt(s.average_age, 1)}岁" in text["staffing"]
    share = drafting._fmt(Decimal(100) * s.college_or_above / s.cadres, 1, trim=False)
    assert f"大专以上学历{s.college_or_above}名、占{share}%" in text["staffing"]
    assert f"{urban}个城市社区中有{s.one_shoulder}个实现党组织书记、居委会主任“一肩挑”" in text["staffing"]
    # 配备专职副书记27名
    deputies = Appointment.objects.filter(active_on(end), post=Post.DEPUTY_SECRETARY,
                                          cadre__community__code__startswith="620102").values("cadre").distinct()
    assert f"配备专职副书记{deputies.count()}名" in text["staffing"]
    # 举办街道、社区书记主任培训班9期，举办集中社区干部培训班15期，培训街道社区干部1900多人次
    own = list(TrainingCourse.objects.filter(organizer=demo, start_date__year=year).order_by("start_date", "name")
               .values_list("name", flat=True))
    assert "区委组织部举办" + "".join(f"“{n}”" for n in own) + f"共{len(own)}期" in text["staffing"]
    by_streets = TrainingCourse.objects.filter(organizer__level=Level.TOWNSHIP, organizer__code__startswith="620102",
                                               start_date__year=year).count()
    assert f"各街道举办培训班{by_streets}期" in text["staffing"]
    times = Attendance.objects.filter(cadre__community__code__startswith="620102", course__start_date__year=year).count()
    assert f"参加各级培训{times}人次" in text["staffing"]
    # 先后有28名…社区书记(主任)被及时提拔到了街道和区直部门的领导岗位上
    promoted = Recognition.objects.filter(kind="promotion", date__year=year, cadre__community__code__startswith="620102")
    assert f"{promoted.count()}名社区干部被提拔到街道和区直部门领导岗位" in text["staffing"]
    # 成立社区党员志愿服务队66个，共有党员志愿者550多名
    teams = VolunteerTeam.objects.filter(community__code__startswith="620102", founded_on__lte=end)
    volunteers = Volunteer.objects.filter(team__in=teams, joined_on__lte=end).count()
    assert f"社区党员志愿服务队{teams.count()}支，党员志愿者{volunteers}名" in text["staffing"]
    # 社区办公经费和党建工作专项经费分别提高至每社区每年1.5万元和5000元
    standard = Standard.objects.get(node=demo, year=year)
    assert (f"每个社区每年办公经费{money(standard.office_amount)}元、党建工作经费{money(standard.party_amount)}元"
            in text["funding"])
    # 区财政累计为全区147个社区拨付党建经费800余万元
    funds = Allocation.objects.filter(community__code__startswith="620102", year=year,
                                      category__in=list(WORKING_CATEGORIES)).aggregate(s=Sum("amount"))["s"]
    assert f"社区到位工作经费{money(funds)}元" in text["funding"]
    # 全区126个城市社区中阵地达标社区达到124个
    admin = get_user_model().objects.get(username="admin")
    v = venue_figures(user=admin, node=demo, year=year)
    assert f"执行面积标准的{v.with_standard}个社区中{v.compliant}个达标" in text["venues"]
    # 剩余2处重建任务将在年内全部完成
    building = Venue.objects.filter(community__code__startswith="620102", status=VenueStatus.UNDER_CONSTRUCTION)
    assert f"{building.count()}个社区的办公用房正在建设" in text["venues"]
    # 建成社区一门式服务大厅72个
    halls = Venue.objects.filter(community__code__startswith="620102", status=VenueStatus.COMPLETED,
                                 completion_date__lte=end, has_service_hall=True).values("community").distinct()
    assert f"已建成社区一门式服务大厅{halls.count()}个" in text["venues"]
    # 共有800余个单位党组织、9000余名在职党员…参与活动
    units = ResidentUnit.objects.filter(node__code__startswith="620102").aggregate(n=Count("id"),
                                                                                    m=Sum("party_member_count"))
    assert f"全区共有驻区单位{units['n']}个、党员{units['m']}名" in text["regional"]
    # 区委街道社区党建工作指导委员会、街道社区党建工作联席会、社区党建工作联席分会三级网络
    street_conferences = JointConference.objects.filter(node__code__startswith="620102", level=ConferenceLevel.STREET)
    assert f"建立街道党建联席会{street_conferences.count()}个" in text["regional"]
    meetings = Meeting.objects.filter(conference__node__code__startswith="620102", held_on__year=year).count()
    assert f"全年召开党建联席会议{meetings}次" in text["regional"]
    registered = MemberRegistration.objects.filter(community__code__startswith="620102", registered_on__year=year)
    assert f"全年{registered.count()}名在职党员到居住地社区报到" in text["regional"]


def test_the_programme_years_draft_states_the_venues_built(demo):
    """南环和向阳两社区…其中南环600平方米、向阳400平方米; 完成了…25个社区阵地的新建任务和16个面积不达标社区办公用房改扩建工作."""
    text = draft(demo, 2010)
    built = Venue.objects.filter(community__code__startswith="620102", status=VenueStatus.COMPLETED,
                                 completion_date__year=2010, acquisition__in=list(NEW_OR_EXPANDED))
    new = built.exclude(acquisition=Acquisition.EXPANDED).aggregate(n=Count("id"), a=Sum("usable_area"))
    expanded = built.filter(acquisition=Acquisition.EXPANDED).aggregate(n=Count("id"), a=Sum("usable_area"))
    assert (f"全年新建（购置）社区办公活动用房{new['n']}处、{drafting._fmt(new['a'], 2)}平方米、"
            f"改扩建{expanded['n']}处、{drafting._fmt(expanded['a'], 2)}平方米") in text["venues"]
    biggest_new = built.exclude(acquisition=Acquisition.EXPANDED).order_by("-usable_area").first()
    biggest_expansion = built.filter(acquisition=Acquisition.EXPANDED).order_by("-usable_area").first()
    assert biggest_new.usable_area == 600 and biggest_expansion.usable_area == 400  # the seed's 南环 and 向阳
    assert f"{biggest_new.community.name}新建600平方米" in text["venues"]
    assert f"{biggest_expansion.community.name}扩建400平方米" in text["venues"]
    # 2010 has no cadres on record: said so, not 0
    assert "2010年社区干部任职数据尚未录入" in text["staffing"]
    assert "正在建设" not in text["venues"]  # a state of today, not of 2010


def test_this_years_draft_states_the_four_ones_and_the_posts_claimed(demo):
    """围绕“开展一次党日活动…为居民办一件实事”，落实共建内容; 近3000个社区服务岗位得到认领."""
    today = timezone.localdate()
    if today == datetime.date(today.year, 12, 31):
        pytest.skip("on 31 December this year's draft is a whole-year one")
    text = draft(demo, today.year)
    first = datetime.date(today.year, 1, 1)
    due = Commitment.objects.filter(agreement__node__code__startswith="620102", due_on__range=(first, today))
    kept = due.filter(Q(fulfilments__done_on__lte=today)).distinct()
    assert f"截至{formats.date_format(today, 'DATE_FORMAT')}" in text["regional"]
    assert f"到期承诺事项{due.count()}项，已兑现{kept.count()}项" in text["regional"]
    assert set(due.values_list("category", flat=True)) <= set(FOUR_ONES)
    posts = Claim.objects.filter(post__community__code__startswith="620102", claimed_on__range=(first, today))
    assert f"认领社区服务岗位{posts.values('post').distinct().count()}个、{posts.count()}人次" in text["regional"]
