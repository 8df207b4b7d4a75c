from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's name as Chinese writes it (family name first), else the user name."""
    if user is None:
        return ""
    full = f"{user.last_name}{user.first_name}".strip()
    return full or user.get_username()


@register.filter
def yuan(value) -> str:
    """Decimal yuan as ¥12,345.00 (blank for None)."""
    if value is None or value == "":
        return ""
    return f"¥{Decimal(value):,.2f}"


@register.filter
def sqm(value) -> str:
    """Decimal square metres as 1,234.50 ㎡."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f} ㎡"


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    """Render a :class:`core.panels.Panel` with its own context."""
    from django.template.loader import render_to_string

    return render_to_string(panel.template, panel.context, request=context.get("request"))


@register.simple_tag
def page_sizes() -> tuple[int, ...]:
    """The page sizes every list offers (core.pagination.PAGE_SIZES)."""
    from core.pagination import PAGE_SIZES

    return PAGE_SIZES
