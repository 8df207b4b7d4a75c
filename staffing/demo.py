"""Demo roster for 兰州市城关区: every community gets its cadres, posts, training, welfare and
volunteer teams, so that the figures look like the seeds' (average age about 41, about 80%
大专以上, 92 of 125 communities 一肩挑, 66 teams with 550+ volunteers, 1,900+ person-times).
Deterministic (seeded), and loading it twice changes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from communities.models import Level, Node
from staffing.idnumber import make_id_number
from staffing.models import (
    Appointment,
    Attendance,
    Cadre,
    CourseKind,
    Education,
    EmploymentForm,
    Gender,
    Post,
    Recognition,
    RecognitionKind,
    RecognitionLevel,
    RecruitmentChannel,
    SelectionMethod,
    ServiceType,
    TrainingCourse,
    Volunteer,
    VolunteerTeam,
    Welfare,
)

DISTRICT = "620102000000"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN_M = ["建国", "志强", "海军", "永红", "明", "伟", "军", "斌", "涛", "鹏", "晓东", "文华", "国庆", "立新", "宏伟", "俊杰"]
GIVEN_F = ["丽", "芳", "秀兰", "静", "敏", "燕", "玉梅", "红霞", "晓燕", "丽娟", "雪梅", "婷", "慧", "桂英", "小红", "佳"]
TEAM_NAMES = {
    ServiceType.PUBLICITY: "党员宣传教育志愿服务队", ServiceType.DISABLED: "党员助残扶困志愿服务队",
    ServiceType.MEDICAL: "党员医疗保健志愿服务队", ServiceType.HOUSEHOLD: "党员家政咨询志愿服务队",
    ServiceType.CULTURE: "党员文体卫生志愿服务队", ServiceType.SAFETY: "党员平安巡逻志愿服务队",
}


def _person(rng, today, seq):
    gender = rng.choice([Gender.MALE, Gender.FEMALE, Gender.FEMALE])  # community staff: more women
    age = max(24, min(58, int(rng.gauss(41, 7.5))))
    born = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    education = rng.choices(
        [Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE, Education.SECONDARY],
        weights=[3, 37, 41, 19],
    )[0]
    member = rng.random() < 0.85
    return {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN_M if gender == Gender.MALE else GIVEN_F),
        "gender": gender,
        "birth_date": born,
        "education": education,
        "is_party_member": member,
        "party_join_date": date(born.year + rng.randint(19, min(30, age - 2)), rng.randint(1, 12), 1) if member else None,
        "phone": f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
    }


@transaction.atomic
def load() -> str:
    communities = list(Node.objects.filter(level=Level.COMMUNITY, code__startswith="620102").order_by("code"))
    if not communities:
        return "有人管事：没有演示社区，未生成干部数据。"
    if Cadre.objects.filter(community__code__startswith="620102").exists():
        return "有人管事：演示干部数据已存在，保持不变。"
    rng = random.Random(3)
    today = timezone.localdate()
    district = Node.objects.get(code=DISTRICT)
    used_ids: set[str] = set()
    cadres: list[Cadre] = []
    plans: list[tuple[int, list]] = []  # (index of cadre, [(post, start, form, channel, method)])
    seq = 0

    def new_cadre(community):
        nonlocal seq
        seq += 1
        p = _person(rng, today, seq)
        n = 0
        while True:
            number = make_id_number("620102", p["birth_date"], (seq * 7 + n) % 450 * 2 + (1 if p["gender"] == Gender.MALE else 0))
            if number not in used_ids:
                break
            n += 1
        used_ids.add(number)
        p["id_number"] = number
        cadre = Cadre(community=community, **p)
        cadres.append(cadre)
        return len(cadres) - 1

    def start(years_back_max=8, at_least_days=120):
        return today - timedelta(days=rng.randint(at_least_days, 365 * years_back_max))

    for community in communities:
        one_shoulder = community.is_urban and rng.random() < 0.74
        secretary = new_cadre(community)
        if one_shoulder:
            s = start(at_least_days=400)
            plans.append((secretary, [
                (Post.SECRETARY, s, EmploymentForm.CAREER, RecruitmentChannel.STREET_SECONDED, SelectionMethod.GENERAL_ELECTION),
                (Post.DIRECTOR, s, EmploymentForm.CAREER, RecruitmentChannel.STREET_SECONDED, SelectionMethod.GENERAL_ELECTION),
            ]))
            if rng.random() < 0.3:
                deputy = new_cadre(community)
                plans.append((deputy, [(Post.DEPUTY_SECRETARY, start(5), EmploymentForm.CONTRACT, RecruitmentChannel.OPEN_RECRUITMENT, SelectionMethod.OPEN_SELECTION)]))
        else:
            plans.append((secretary, [(Post.SECRETARY, start(at_least_days=400), EmploymentForm.CAREER, RecruitmentChannel.STREET_SECONDED, rng.choice([SelectionMethod.TWO_RECOMMEND_ONE_ELECT, SelectionMethod.OPEN_RECOMMEND_DIRECT]))]))
            director = new_cadre(community)
            plans.append((director, [(Post.DIRECTOR, start(at_least_days=400), EmploymentForm.CONTRACT, RecruitmentChannel.OPEN_RECRUITMENT, SelectionMethod.GENERAL_ELECTION)]))
        worker = new_cadre(community)
        plans.append((worker, [(Post.PARTY_WORKER, start(6), EmploymentForm.CONTRACT, RecruitmentChannel.OPEN_RECRUITMENT, SelectionMethod.OPEN_SELECTION)]))
        for _ in range(rng.randint(1, 3)):
            other = new_cadre(community)
            post, form, channel = rng.choice([
                (Post.MEMBER, EmploymentForm.CONTRACT, RecruitmentChannel.OPEN_RECRUITMENT),
                (Post.PARTY_ASSISTANT, EmploymentForm.CONTRACT, RecruitmentChannel.ASSISTANT_HIRED),
                (Post.GRADUATE_ASSISTANT, EmploymentForm.SECONDED, RecruitmentChannel.SELECTED_GRADUATE),
                (Post.PUBLIC_WELFARE, EmploymentForm.PUBLIC_WELFARE, RecruitmentChannel.PUBLIC_WELFARE),
            ])
            plans.append((other, [(post, start(5), form, channel, SelectionMethod.OPEN_SELECTION)]))
    for cadre in cadres:
        cadre.full_clean(validate_unique=False)
        cadre.fill_lookup_hashes()  # bulk_create does not call save()
    cadres = bulk_create_with_history(cadres, Cadre, batch_size=500)
    by_code = {c.id_number: c for c in Cadre.objects.filter(id_number__in=used_ids).select_related("community")}
    cadres = [by_code[c.id_number] for c in cadres]

    appointments = []
    for index, posts in plans:
        for post, begun, form, channel, method in posts:
            appointments.append(Appointment(
                cadre=cadres[index], post=post, start_date=begun, employment_form=form, recruitment_channel=channel,
                selection_method=method, appointed_by="城关区委组织部" if post in (Post.SECRETARY, Post.DIRECTOR) else "街道党工委",
            ))
    bulk_create_with_history(appointments, Appointment, batch_size=500)

    # Training: per year, district classes for secretaries and directors and a concentrated
    # class for all cadres; each street an induction class.
    leaders = [cadres[i] for i, posts in plans if posts[0][0] in (Post.SECRETARY, Post.DIRECTOR)]
    streets = list(Node.objects.filter(level=Level.TOWNSHIP, code__startswith="620102").order_by("code"))
    courses, attendance_plan = [], []
    for year in (today.year - 1, today.year):
        latest = today if year == today.year else date(year, 12, 31)
        for k in range(2):
            begin = date(year, 3 + k * 4, 10)
            if begin > latest:
                continue
            courses.append(TrainingCourse(name=f"{year}年城关区社区书记主任培训班（第{k + 1}期）", kind=CourseKind.LEADERS,
                                          organizer=district, start_date=begin, end_date=begin + timedelta(days=2),
                                          hours=Decimal("24"), location="城关区委党校"))
            attendance_plan.append((len(courses) - 1, rng.sample(leaders, len(leaders) // 2)))
        begin = date(year, 6, 15)
        if begin <= latest:
            courses.append(TrainingCourse(name=f"{year}年社区干部集中培训", kind=CourseKind.CONCENTRATED, organizer=district,
                                          start_date=begin, end_date=begin + timedelta(days=1), hours=Decimal("12"),
                                          location="城关区委党校"))
            attendance_plan.append((len(courses) - 1, rng.sample(cadres, int(len(cadres) * 0.7))))
        for street in streets:
            begin = date(year, 9, rng.randint(1, 25))
            if begin > latest:
                continue
            courses.append(TrainingCourse(name=f"{street.name}{year}年社区干部岗前培训", kind=CourseKind.INDUCTION,
                                          organizer=street, start_date=begin, end_date=begin, hours=Decimal("6"),
                                          location=f"{street.name}党员活动室"))
            local = [c for c in cadres if c.community.code.startswith(street.prefix)]
            attendance_plan.append((len(courses) - 1, rng.sample(local, max(1, len(local) // 2))))
    courses = bulk_create_with_history(courses, TrainingCourse)
    courses = list(TrainingCourse.objects.filter(organizer__code__startswith="620102").order_by("id"))
    attendances = [Attendance(course=courses[i], cadre=c, completed=rng.random() < 0.95) for i, group in attendance_plan for c in group]
    bulk_create_with_history(attendances, Attendance, batch_size=1000)

    # Welfare: last year and this year.
    welfare = []
    for cadre in cadres:
        base = Decimal(rng.choice([18000, 21600, 24000, 30000, 36000]))
        for year in (today.year - 1, today.year):
            welfare.append(Welfare(cadre=cadre, year=year, allowance=base, pension=(base * Decimal("0.16")).quantize(Decimal("0.01")),
                                   medical=(base * Decimal("0.08")).quantize(Decimal("0.01")),
                                   unemployment=(base * Decimal("0.005")).quantize(Decimal("0.01"))))
    bulk_create_with_history(welfare, Welfare, batch_size=1000)

    recognitions = []
    for cadre in rng.sample(leaders, 30):
        recognitions.append(Recognition(cadre=cadre, kind=RecognitionKind.AWARD, title="优秀社区党组织书记",
                                        level=rng.choice([RecognitionLevel.DISTRICT, RecognitionLevel.CITY]),
                                        date=date(today.year - 1, 7, 1), granted_by="中共兰州市城关区委"))
    for cadre in rng.sample(cadres, 28):
        recognitions.append(Recognition(cadre=cadre, kind=RecognitionKind.PROMOTION, title="提拔为街道办事处副主任",
                                        level=RecognitionLevel.STREET, date=date(today.year - rng.randint(0, 1), 3, 1) if today.month > 3 else date(today.year - 1, 3, 1),
                                        granted_by="城关区委组织部"))
    bulk_create_with_history(recognitions, Recognition)

    teams = []
    for community in communities:
        if rng.random() < 0.45:
            kind = rng.choice(list(TEAM_NAMES))
            teams.append(VolunteerTeam(name=f"{community.name}{TEAM_NAMES[kind]}", community=community, service_type=kind,
                                       founded_on=date(rng.randint(2012, today.year - 1), rng.randint(1, 12), 1),
                                       leader=rng.choice(SURNAMES) + rng.choice(GIVEN_M + GIVEN_F)))
    bulk_create_with_history(teams, VolunteerTeam)
    teams = list(VolunteerTeam.objects.filter(community__code__startswith="620102"))
    members = []
    for team in teams:
        for _ in range(rng.randint(6, 11)):
            gender = rng.choice([Gender.MALE, Gender.FEMALE])
            members.append(Volunteer(team=team, name=rng.choice(SURNAMES) + rng.choice(GIVEN_M if gender == Gender.MALE else GIVEN_F),
                                     gender=gender, is_party_member=rng.random() < 0.9, joined_on=team.founded_on + timedelta(days=rng.randint(0, 300)),
                                     skills=rng.choice(["", "理发", "义诊", "法律咨询", "书法", "家电维修", "心理疏导"])))
    for m in members:
        m.joined_on = min(m.joined_on, today)
    bulk_create_with_history(members, Volunteer, batch_size=1000)
    return (
        f"有人管事：{len(communities)} 个社区，干部 {len(cadres)} 名、任职 {len(appointments)} 条，培训班 {len(courses)} 期、"
        f"培训 {len(attendances)} 人次，志愿服务队 {len(teams)} 支、队员 {len(members)} 名。"
    )
