"""``{% freshness updated pending %}``: how fresh the figures a panel shows are
("数据更新于 10:42", and "正在统计最近的修改" while changes wait for the background refresh)."""

from django import template

from figures.selectors import freshness_text

register = template.Library()


@register.inclusion_tag("figures/_freshness.html")
def freshness(updated, pending=False):
    return {"updated": freshness_text(updated), "pending": bool(pending)}
