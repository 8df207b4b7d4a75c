from django.apps import apps
from django.conf import settings
from django.urls import reverse


def navigation(request):
    """The site title and the menu: one entry per page that domain apps declare (sanqi_nav)."""
    items = []
    path = getattr(request, "path", "")
    for config in apps.get_app_configs():
        for label, url_name in getattr(config, "sanqi_nav", None) or []:
            url = reverse(url_name)
            items.append({"label": label, "url": url, "active": path.startswith(url)})
    return {"site_title": settings.SANQI_SITE_TITLE, "nav_items": items}
