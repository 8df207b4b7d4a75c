from django import template

from staffing.tables import table

register = template.Library()


@register.inclusion_tag("staffing/_table.html", takes_context=True)
def staffing_table(context, object_list, model=None):
    model = model or object_list.model
    return table(model, object_list, context["request"].user)


@register.simple_tag(takes_context=True)
def staffing_tabs(context):
    from django.urls import reverse

    from staffing.views import TABS

    path = context["request"].path
    tabs = []
    for label, name in TABS:
        url = reverse(name)
        tabs.append((label, url, path.startswith(url)))
    return tabs
