"""Demo data: 城关区's assessment of last year, scored from the other apps' demo data and partly
reviewed — 酒泉路 street's clerk (the demo ``street_clerk``) submitted every community, the
reviewer approved most, returned one with a comment and left one waiting; 张掖路 street's
communities wait in the queue. Idempotent: nothing happens once the scheme exists."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments import services
from assessments.models import Result, Scheme, Score, State
from communities.models import Node

DISTRICT = "620102000000"
REVIEWED_STREET = "620102017000"  # the demo street_clerk's street
QUEUED_STREET = "620102014000"  # the demo neighbour_clerk's street


def load() -> str:
    district = Node.objects.filter(code=DISTRICT).first()
    year = timezone.localdate().year - 1
    if district is None:
        return "考核考评：未找到演示区县，跳过。"
    existing = Scheme.objects.filter(district=district, year=year).first()
    if existing is not None:
        return f"考核考评：{year}年度考核已存在（{existing.results.count()} 个社区），保持不变。"
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["district_reviewer", "street_clerk", "neighbour_clerk", "admin"])}
    reviewer = users["district_reviewer"]
    with transaction.atomic():
        scheme = services.scheme_create(actor=reviewer, district=district, year=year)
        run = services.run_start(actor=reviewer, scheme=scheme, enqueue=False)
        for chunk_id in run.chunks.values_list("pk", flat=True):
            services.score_chunk(chunk_id)
        rng = random.Random(f"sanqi-assessments-{year}")
        reviewed = _review_street(scheme, REVIEWED_STREET, users["street_clerk"], reviewer, rng, approve=True)
        queued = _review_street(scheme, QUEUED_STREET, users["neighbour_clerk"], reviewer, rng, approve=False)
    total = scheme.results.count()
    approved = scheme.results.filter(state=State.APPROVED).count()
    return (f"考核考评：{district.name}{year}年度考核已评分 {total} 个社区，"
            f"已提交 {reviewed + queued} 个，已审核通过 {approved} 个。")


def _review_street(scheme, street_code, clerk, reviewer, rng, *, approve: bool) -> int:
    results = list(Result.objects.filter(scheme=scheme, community__parent__code=street_code)
                   .select_related("community__parent").order_by("community__code"))
    for index, result in enumerate(results):
        manual = Score.objects.get(result=result, indicator__method="manual")
        rate = rng.randint(78, 97)
        services.score_adjust(actor=reviewer, score=manual,  # 区委组织部 scores it (scored_by=district)
                              final=round(manual.indicator.weight * rate / 100, 2),
                              reason=f"入户走访测评，群众满意率{rate}%")
        result = services.result_transition(actor=clerk, result=Result.objects.get(pk=result.pk), action="submit")
        if not approve or index == 1:
            continue  # waits for review
        if index == 0:
            services.result_transition(actor=reviewer, result=result, action="return",
                                       comment="党建工作经费支出凭证不全，请补充后重新提交。")
            continue
        services.result_transition(actor=reviewer, result=result, action="approve")
    return len(results)
