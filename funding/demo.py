"""Demo funds for 兰州市城关区: the district's standard of 15,000 office funds and 5,000
party-building funds per community (the 2010 seed figure, kept for recent years), a street
that sets a higher standard of its own, each community's allocations by source and its
spending through the year, and a few communities below standard so that the lists show
something. Deterministic (seeded random); loading twice changes nothing."""

import random
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from communities.models import Level, Node
from funding.models import Allocation, AllocationCategory, Expenditure, ExpenditureCategory, Source, Standard

DISTRICT_CODE = "620102000000"
OVERRIDE_STREET_CODE = "620102001000"  # 酒泉路街道 tops up party-building funds
SPENDING = [
    (ExpenditureCategory.UTILITIES, "社区办公用房水电费", (300, 900)),
    (ExpenditureCategory.PHONE, "办公电话及宽带费", (100, 300)),
    (ExpenditureCategory.PAPER, "打印纸、文具等办公耗材", (150, 500)),
    (ExpenditureCategory.NEWSPAPERS, "订阅《人民日报》《甘肃日报》等党报党刊", (400, 900)),
    (ExpenditureCategory.PARTY_ACTIVITY, "“七一”主题党日活动", (500, 1800)),
    (ExpenditureCategory.PARTY_ACTIVITY, "党员志愿服务活动物资", (300, 1200)),
    (ExpenditureCategory.TRAINING, "社区干部业务培训", (300, 1000)),
    (ExpenditureCategory.EQUIPMENT, "服务大厅电脑及打印机", (1500, 4000)),
    (ExpenditureCategory.HEATING, "冬季取暖费", (1500, 3500)),
]


def demo_years() -> list[int]:
    this_year = timezone.localdate().year
    return [2010, this_year - 1, this_year]


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


@transaction.atomic
def load() -> str:
    district = Node.objects.filter(code=DISTRICT_CODE).first()
    if district is None:
        return "有钱办事：未找到城关区，跳过"
    street = Node.objects.filter(code=OVERRIDE_STREET_CODE).first()
    communities = list(Node.objects.filter(level=Level.COMMUNITY, code__startswith=district.prefix).order_by("code"))
    made = {"standards": 0, "allocations": 0, "expenditures": 0}
    today = timezone.localdate()
    for year in demo_years():
        _, created = Standard.objects.get_or_create(
            node=district, year=year,
            defaults={"office_amount": _money(15000), "party_amount": _money(5000),
                      "basis": f"城关区委组织部、区财政局关于社区办公经费和党建工作经费的通知（{year}年）"},
        )
        made["standards"] += created
        if street is not None and year != 2010:
            _, created = Standard.objects.get_or_create(
                node=street, year=year,
                defaults={"office_amount": _money(15000), "party_amount": _money(8000),
                          "basis": f"{street.name}党工委关于加大社区党建经费投入的意见（{year}年）"},
            )
            made["standards"] += created
        if Allocation.objects.filter(year=year, community__code__startswith=district.prefix).exists():
            continue
        rng = random.Random(f"sanqi-funding-{year}")
        below = set(rng.sample(range(len(communities)), min(9, max(1, len(communities) // 15))))  # a few fall short
        allocations, expenditures = [], []
        last_day = today if year == today.year else date(year, 12, 31)
        for index, community in enumerate(communities):
            office = _money(15000 if index not in below else rng.choice([8000, 10000, 12000]))
            party = _money(5000 if index not in below or rng.random() < 0.5 else 3000)
            if community.code.startswith(OVERRIDE_STREET_CODE[:9]) and year != 2010 and index not in below:
                party = _money(8000)
            doc = rng.randint(10, 90)
            received = date(year, 3, rng.randint(1, 28))
            allocations.append(Allocation(community=community, year=year, category=AllocationCategory.OFFICE,
                                          source=Source.DISTRICT, amount=office, received_on=received,
                                          document_number=f"城财行〔{year}〕{doc}号"))
            party_from_dues = _money(rng.choice([0, 1000, 2000])) if party >= 3000 else _money(0)
            allocations.append(Allocation(community=community, year=year, category=AllocationCategory.PARTY,
                                          source=Source.DISTRICT, amount=party - party_from_dues, received_on=received,
                                          document_number=f"城组发〔{year}〕{doc + 3}号"))
            if party_from_dues:
                allocations.append(Allocation(community=community, year=year, category=AllocationCategory.PARTY,
                                              source=Source.PARTY_DUES, amount=party_from_dues,
                                              received_on=date(year, 6, 20), note="区委组织部下拨党费"))
            extra = 0
            if rng.random() < 0.3:
                extra = rng.choice([2000, 3000, 5000])
                allocations.append(Allocation(community=community, year=year, category=AllocationCategory.OTHER,
                                              source=rng.choice([Source.DEPARTMENT, Source.SOCIAL, Source.PAID_SERVICES,
                                                                 Source.STREET, Source.SELF_GENERATED]),
                                              amount=_money(extra), received_on=date(year, 5, rng.randint(1, 28)),
                                              note="民政、计生等部门随工作下放经费（费随事转）"))
            budget = office + party + extra
            spent = Decimal("0")
            # Office costs first, as the seeds complain, then what is left for party work.
            for voucher, (category, purpose, (low, high)) in enumerate(SPENDING, start=1):
                day = date(year, rng.randint(1, 12), rng.randint(1, 28))
                if day > last_day:
                    continue
                amount = _money(rng.randint(low, high))
                if spent + amount > budget * Decimal("0.9"):
                    break
                spent += amount
                expenditures.append(Expenditure(community=community, spent_on=day, year=year, category=category,
                                                amount=amount, purpose=purpose,
                                                voucher_number=f"{community.code[-3:]}-{year}-{voucher:03d}"))
        Allocation.objects.bulk_create(allocations)
        Expenditure.objects.bulk_create(expenditures)
        made["allocations"] += len(allocations)
        made["expenditures"] += len(expenditures)
    return (
        f"有钱办事：新增经费标准 {made['standards']} 条、经费拨付 {made['allocations']} 笔、"
        f"经费支出 {made['expenditures']} 笔（{'、'.join(str(y) for y in demo_years())}年）"
    )
