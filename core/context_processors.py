from django.apps import apps
from django.conf import settings
from django.urls import reverse

from core.recycle import may_restore


def navigation(request):
    """The site title and the menu, built from the domain apps' AppConfigs.

    ``sanqi_nav`` lists (label, URL name) entries; an app that also sets ``sanqi_nav_group``
    shows them as one dropdown under that label, so the bar stays on one line.
    """
    items = []
    path = getattr(request, "path", "")
    for config in apps.get_app_configs():
        entries = [
            {"label": label, "url": reverse(url_name), "active": path.startswith(reverse(url_name))}
            for label, url_name in getattr(config, "sanqi_nav", None) or []
        ]
        group = getattr(config, "sanqi_nav_group", None)
        if group and entries:
            items.append({"label": group, "children": entries, "active": any(e["active"] for e in entries)})
        else:
            items.extend(entries)
    user = getattr(request, "user", None)
    show_bin = bool(user is not None and user.is_authenticated and may_restore(user))
    return {"site_title": settings.SANQI_SITE_TITLE, "nav_items": items, "show_recycle_bin": show_bin}
