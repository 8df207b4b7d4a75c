"""The demo district: 兰州市城关区 (620102) with its 24 streets and 148 communities, using the
seeds' figures where they fit (126 urban communities, party organizations by size).
Deterministic, so every machine gets the same demo and loading it twice changes nothing."""

import random

from communities.models import CommunityType, Node, PartyOrgForm

PROVINCE = ("620000000000", "甘肃省")
CITY = ("620100000000", "兰州市")
DISTRICT = ("620102000000", "城关区")
STREETS = [
    "酒泉路街道", "张掖路街道", "雁南街道", "临夏路街道", "雁北街道", "五泉街道", "白银路街道", "皋兰路街道",
    "广武门街道", "伏龙坪街道", "靖远路街道", "草场街街道", "火车站街道", "拱星墩街道", "东岗街道",
    "团结新村街道", "东岗西路街道", "铁路东村街道", "铁路西村街道", "渭源路街道", "盐场路街道",
    "嘉峪关路街道", "焦家湾街道", "青白石街道",
]
STEMS = [
    "南关", "北关", "中山", "庆阳路", "武都路", "永昌路", "金塔巷", "民勤街", "天水路", "盘旋路", "东方红",
    "秦安路", "平凉路", "雁园", "雁滩", "高新", "五里铺", "皋兰山", "红山根", "小西湖", "南河", "滨河",
    "团结", "阳光", "和平", "建兰", "畅家巷", "鼓楼", "民主", "益民", "兴隆", "福利", "光辉", "省建",
    "华林", "黄河", "天庆", "大众", "博物馆", "铁路", "安定", "嘉园", "晨曦", "新港城", "锦绣",
    "东湖", "西湖", "文化宫", "曙光", "金城", "前进", "胜利", "拱星", "焦家湾", "雁儿湾", "段家滩",
]
RURAL_STREETS = {"青白石街道", "伏龙坪街道"}
TOTAL_COMMUNITIES = 148


def demo_tree() -> list[dict]:
    """Every node of the demo district, parents before children, as field dicts."""
    rng = random.Random(620102)
    nodes = [
        {"code": PROVINCE[0], "name": PROVINCE[1], "parent": None},
        {"code": CITY[0], "name": CITY[1], "parent": PROVINCE[0]},
        {"code": DISTRICT[0], "name": DISTRICT[1], "parent": CITY[0]},
    ]
    per_street = [TOTAL_COMMUNITIES // len(STREETS)] * len(STREETS)
    for i in range(TOTAL_COMMUNITIES - sum(per_street)):
        per_street[i] += 1
    stems = iter(rng.sample(STEMS, len(STEMS)) * 4)
    used: set[str] = set()
    for s_index, street in enumerate(STREETS, start=1):
        street_code = f"620102{s_index:03d}000"
        nodes.append({"code": street_code, "name": street, "parent": DISTRICT[0]})
        for c_index in range(1, per_street[s_index - 1] + 1):
            rural = street in RURAL_STREETS and c_index > 2
            stem = next(stems)
            name = f"{stem}{'村' if rural else '社区'}"
            while name in used:
                name = f"{stem}{rng.choice('东西南北中')}{'村' if rural else '社区'}"
            used.add(name)
            households = rng.randint(1200, 5200)
            members = rng.randint(60, 420)
            nodes.append(
                {
                    "code": f"620102{s_index:03d}{(200 if rural else 0) + c_index:03d}",
                    "name": name,
                    "parent": street_code,
                    "community_type": (
                        CommunityType.VILLAGE_CONVERTED
                        if rural
                        else rng.choices(
                            [CommunityType.COMMERCIAL, CommunityType.WORK_UNIT, CommunityType.MIXED, CommunityType.OLD],
                            weights=[35, 20, 25, 20],
                        )[0]
                    ),
                    "is_urban": not rural,
                    "households": households,
                    "resident_population": int(households * rng.uniform(2.6, 3.1)),
                    "floating_population": int(households * rng.uniform(0.2, 0.9)),
                    "party_members": members,
                    "party_org_form": (
                        PartyOrgForm.COMMITTEE if members >= 300 else PartyOrgForm.GENERAL_BRANCH if members >= 150 else PartyOrgForm.BRANCH
                    ),
                    "address": f"兰州市城关区{street.removesuffix('街道')}{rng.randint(1, 300)}号",
                    "phone": f"0931-{rng.randint(8000000, 8999999)}",
                }
            )
    return nodes


def load_tree() -> int:
    """Create the nodes that are missing; existing ones are left as they are. Returns how many
    were created."""
    existing = dict(Node.objects.values_list("code", "id"))
    created = 0
    for fields in demo_tree():
        if fields["code"] in existing:
            continue
        parent_code = fields.pop("parent")
        node = Node(parent_id=existing.get(parent_code), **fields)
        node.full_clean()
        node.save()
        existing[node.code] = node.id
        created += 1
    return created
