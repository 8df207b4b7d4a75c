"""Demo 一化 data for 兰州市城关区, modelled on the seeds: every street has a joint conference
(大党委) with member units, concurrent committee members and meetings; units sign 共驻共建
agreements carrying the 四个一 commitments, some kept and some overdue; in-service party
members register in their home communities and claim the communities' service posts.

Deterministic (seeded per street) and idempotent: a street whose conference exists is skipped,
so running the loader twice changes nothing. Dates are laid out around the current year.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from communities.models import Level, Node
from regional_building import models as m
from regional_building.codes import ALPHABET, make_credit_code

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
         "霞", "平", "刚", "桂英", "建华", "文", "海燕", "志强", "晓东", "国庆", "红梅", "玉兰", "俊", "鹏", "颖"]
# (kind, name pattern, registration-authority/category prefix of the credit code, party form, members range)
UNIT_PATTERNS = [
    (m.UnitKind.AGENCY, "城关区{stem}派出所", "11", "branch", (12, 30)),
    (m.UnitKind.SCHOOL, "兰州市{stem}小学", "12", "general_branch", (30, 70)),
    (m.UnitKind.HOSPITAL, "{stem}社区卫生服务中心", "12", "branch", (8, 25)),
    (m.UnitKind.STATE_ENTERPRISE, "国网兰州供电公司{stem}供电所", "91", "branch", (15, 40)),
    (m.UnitKind.STATE_ENTERPRISE, "兰州银行{stem}支行", "91", "branch", (10, 28)),
    (m.UnitKind.INSTITUTION, "城关区{stem}文化站", "12", "branch", (5, 12)),
    (m.UnitKind.PRIVATE_ENTERPRISE, "兰州{stem}商贸有限公司", "91", "branch", (3, 9)),
    (m.UnitKind.SOCIAL_ORG, "城关区{stem}志愿服务协会", "52", "branch", (3, 8)),
]
BIG_UNITS = [  # large units located in some streets, each with a party committee
    (m.UnitKind.HOSPITAL, "甘肃省人民医院", "12"), (m.UnitKind.SCHOOL, "兰州大学", "12"),
    (m.UnitKind.STATE_ENTERPRISE, "中国移动甘肃公司", "91"), (m.UnitKind.AGENCY, "甘肃省邮政管理局", "11"),
    (m.UnitKind.HOSPITAL, "兰州市第一人民医院", "12"), (m.UnitKind.SCHOOL, "西北民族大学", "12"),
    (m.UnitKind.STATE_ENTERPRISE, "兰州石化公司", "91"), (m.UnitKind.INSTITUTION, "甘肃省博物馆", "12"),
]
FOUR_ONES_TEXT = {
    m.CommitmentCategory.PARTY_DAY: ["与社区党员共同开展主题党日活动", "组织党员到社区开展“七一”党日活动"],
    m.CommitmentCategory.SOLVE_PROBLEM: ["协助解决老旧小区楼道照明问题", "出资修缮社区活动室屋顶", "协调解决小区停车难问题"],
    m.CommitmentCategory.ADVICE: ["为社区垃圾分类工作提出建议", "为社区养老服务站建设献策"],
    m.CommitmentCategory.PRACTICAL_DEED: ["为辖区困难群众送温暖", "开展义诊进社区活动", "为居民免费检修电路"],
}
POSTS = [
    (m.PostCategory.VULNERABLE, "关爱空巢老人"), (m.PostCategory.HEALTH, "健康义诊"), (m.PostCategory.LAW, "法律咨询"),
    (m.PostCategory.EDUCATION, "四点半课堂辅导"), (m.PostCategory.SAFETY, "平安巡逻"), (m.PostCategory.CULTURE, "文体活动组织"),
    (m.PostCategory.SCIENCE, "科普宣传"), (m.PostCategory.LAID_OFF, "下岗职工再就业指导"), (m.PostCategory.RESIDENTS, "环境卫生整治"),
]
MEETING_TOPICS = [
    ("研究部署本年度共驻共建工作要点", "通过年度共驻共建项目清单，明确各成员单位“四个一”承诺事项"),
    ("通报上半年共驻共建项目进展", "对逾期未履行的承诺事项督促落实，确定完成时限"),
    ("协调解决辖区老旧小区改造中的难题", "成员单位分片包干，协助社区做好居民工作"),
    ("总结全年区域化党建工作", "评选共驻共建先进单位，部署在职党员进社区服务"),
]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _credit_code(rng, prefix: str) -> str:
    body = "".join(rng.choice(ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return make_credit_code(f"{prefix}620102{body}")


def _date(year: int, rng, months=(1, 12)) -> datetime.date:
    return datetime.date(year, rng.randint(*months), rng.randint(1, 28))


def _street_stem(street: Node) -> str:
    return street.name.removesuffix("街道")


@transaction.atomic
def _load_street(street: Node, index: int, today: datetime.date) -> dict:
    rng = random.Random(f"rb-{street.code}")
    year = today.year
    stem = _street_stem(street)
    communities = list(street.children.filter(level=Level.COMMUNITY).order_by("code"))
    counts = dict(units=0, agreements=0, commitments=0, registrations=0, claims=0)

    units = []
    patterns = rng.sample(UNIT_PATTERNS, k=rng.randint(5, len(UNIT_PATTERNS)))
    for n, (kind, pattern, prefix, form, members) in enumerate(patterns):
        node = street if n % 2 == 0 or not communities else communities[n % len(communities)]
        units.append(m.ResidentUnit(
            name=pattern.format(stem=stem), kind=kind, credit_code=_credit_code(rng, prefix), node=node,
            party_org_form=form, party_member_count=rng.randint(*members), contact_person=_name(rng),
            contact_phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            address=f"兰州市城关区{stem}{rng.randint(1, 300)}号",
        ))
    if index % 3 == 0:
        kind, name, prefix = BIG_UNITS[(index // 3) % len(BIG_UNITS)]
        units.append(m.ResidentUnit(
            name=name, kind=kind, credit_code=_credit_code(rng, prefix), node=street, party_org_form="committee",
            party_member_count=rng.randint(300, 1200), contact_person=_name(rng),
            contact_phone=f"0931-{rng.randint(8000000, 8999999)}", address=f"兰州市城关区{stem}{rng.randint(1, 300)}号",
        ))
    for unit in units:
        unit.full_clean()
        unit.save()
    counts["units"] = len(units)

    conference = m.JointConference.objects.create(
        name=f"{street.name}大党委党建联席会", level=m.ConferenceLevel.STREET, node=street,
        established_on=datetime.date(year - 2, rng.randint(3, 6), rng.randint(1, 28)),
        notes="实行“大党委制”，驻区单位党组织负责人任兼职委员，每季度召开一次联席会议。",
    )
    term_start = conference.established_on
    term_end = datetime.date(term_start.year + 3, term_start.month, term_start.day)
    members = []
    for n, unit in enumerate(units):
        role = m.MemberRole.CHAIR if n == 0 else m.MemberRole.VICE_CHAIR if n == 1 else m.MemberRole.MEMBER
        members.append(m.ConferenceMember.objects.create(conference=conference, unit=unit, role=role,
                                                         term_start=term_start, term_end=term_end))
    for unit in units[: rng.randint(3, 5)]:
        m.CommitteeMember.objects.create(
            conference=conference, person_name=_name(rng), unit=unit, post="兼职委员",
            unit_post=rng.choice(["党委书记", "党支部书记", "党总支书记", "副院长", "副校长"]),
            term_start=term_start, term_end=term_end,
        )
    for y in (year - 1, year):
        held = 4 if y < year else max(1, (today.month - 1) // 3 + (1 if today.month % 3 else 0))
        for q in range(held):
            topic, resolution = MEETING_TOPICS[q % len(MEETING_TOPICS)]
            day = datetime.date(y, 3 * q + rng.randint(1, 3), rng.randint(1, 28))
            if day > today:
                continue
            meeting = m.Meeting.objects.create(conference=conference, held_on=day, topics=topic, resolutions=resolution)
            meeting.attendees.set(rng.sample(units, k=max(2, len(units) - rng.randint(0, 2))))
    if communities:
        community = communities[0]
        m.JointConference.objects.create(
            name=f"{community.name}党建联席分会", level=m.ConferenceLevel.COMMUNITY, node=community,
            established_on=datetime.date(year - 1, 4, 1),
        )

    # Agreements: each unit with the street or with a community of the street, with the 四个一.
    for n, unit in enumerate(units):
        node = street if n % 3 == 0 or not communities else communities[n % len(communities)]
        signed = datetime.date(year - 1, rng.randint(1, 6), rng.randint(1, 28))
        span = rng.choice([1, 2, 3])
        agreement = m.Agreement(
            title=f"{node.name}与{unit.name}共驻共建协议", node=node, unit=unit, signed_on=signed, valid_from=signed,
            valid_until=datetime.date(signed.year + span, signed.month, signed.day) - datetime.timedelta(days=1),
        )
        if n == len(units) - 1 and index % 4 == 0:
            agreement.terminated_on = datetime.date(year - 1, 11, 30)
            agreement.termination_reason = "单位迁出辖区"
        agreement.full_clean()
        agreement.save()
        counts["agreements"] += 1
        for category in m.FOUR_ONES:
            due = datetime.date(year, rng.choice([3, 6, 9, 11]), 28)
            commitment = m.Commitment.objects.create(
                agreement=agreement, category=category, description=rng.choice(FOUR_ONES_TEXT[category]), due_on=due,
            )
            counts["commitments"] += 1
            # Most commitments already due are kept, a few are overdue; some later ones are kept early.
            if (due <= today and rng.random() < 0.7) or (due > today and rng.random() < 0.25):
                done = min(due - datetime.timedelta(days=rng.randint(0, 40)), today)
                m.Fulfilment.objects.create(
                    commitment=commitment, done_on=max(done, signed),
                    what_was_done=f"{unit.name}{commitment.get_category_display()}：{commitment.description}",
                    evidence=rng.choice(["活动照片8张", "会议记录", "居民签字确认单", "社区出具的证明"]),
                )

    # In-service members and service posts, community by community.
    for community in communities:
        regs = []
        for _ in range(rng.randint(6, 14)):
            work_unit = rng.choice(units) if rng.random() < 0.6 else None
            regs.append(m.MemberRegistration.objects.create(
                name=_name(rng), phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
                work_unit=work_unit,
                work_unit_name="" if work_unit else rng.choice(["甘肃省财政厅", "兰州市教育局", "兰州交通大学", "甘肃日报社", "兰州市城市管理局"]),
                community=community, registered_on=_date(rng.choice([year - 1, year]), rng, (1, min(today.month, 12))),
            ))
        regs = [r for r in regs if r.registered_on <= today]
        counts["registrations"] += len(regs)
        if len(regs) > 3 and rng.random() < 0.3:
            revoked = regs.pop()
            revoked.status, revoked.revoked_on, revoked.revoke_reason = "revoked", today, "工作调动，已转至新居住地社区报到"
            revoked.save()
        for category, title in rng.sample(POSTS, k=rng.randint(2, 4)):
            post = m.ServicePost.objects.create(
                community=community, title=title, category=category, capacity=rng.randint(2, 6),
                offered_on=datetime.date(year, 1, rng.randint(5, 25)), description=f"{community.name}{title}服务岗位",
            )
            claimants = rng.sample(regs, k=min(len(regs), rng.randint(1, post.capacity)))
            for reg in claimants:
                claimed_on = max(post.offered_on, reg.registered_on)
                if claimed_on > today:
                    continue
                m.Claim.objects.create(post=post, member=reg, claimed_on=claimed_on,
                                       hours=Decimal(rng.randint(2, 40)) / 2)
                counts["claims"] += 1
            if rng.random() < 0.3 and len(post.claims.all()) < post.capacity:
                m.Claim.objects.create(post=post, unit=rng.choice(units), claimed_on=post.offered_on,
                                       hours=Decimal(rng.randint(4, 24)))
                counts["claims"] += 1
        for reg in regs[:3]:
            for quarter in range(1, (today.month - 1) // 3 + 1):
                m.Feedback.objects.create(registration=reg, year=year, quarter=quarter,
                                          assessment="按时参加社区服务活动，表现良好。", sent_on=datetime.date(year, quarter * 3, 28) + datetime.timedelta(days=5))
    return counts


def load() -> str:
    today = timezone.localdate()
    streets = list(Node.objects.filter(level=Level.TOWNSHIP, code__startswith="620102").order_by("code"))
    done = set(m.JointConference.objects.filter(level=m.ConferenceLevel.STREET, node__in=streets).values_list("node_id", flat=True))
    totals = dict(units=0, agreements=0, commitments=0, registrations=0, claims=0)
    for index, street in enumerate(streets):
        if street.pk in done:
            continue
        for key, value in _load_street(street, index, today).items():
            totals[key] += value
    if not any(totals.values()):
        return "区域化党建：演示数据已存在，未作改动。"
    return (
        f"区域化党建：新增驻区单位 {totals['units']} 个、共驻共建协议 {totals['agreements']} 份"
        f"（承诺 {totals['commitments']} 项）、在职党员报到 {totals['registrations']} 人、岗位认领 {totals['claims']} 次。"
    )
