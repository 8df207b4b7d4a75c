from django.apps import apps
from django.conf import settings
from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse

from core.recycle import may_restore
from core.todo import nav_badges, todo_items


def navigation(request):
    """The site title and the menu, built from the domain apps' AppConfigs.

    ``sanqi_nav`` lists (label, URL name) entries; an app that also sets ``sanqi_nav_group``
    shows them as one dropdown under that label, so the bar stays on one line. An entry may
    carry a third element, a callable taking the user, that decides whether the user sees it
    (系统管理 shows to its duties only). The label may itself be a callable taking the user, for an
    entry named after the reader's role (the assessment queue: 待审核 / 待提交). An app with ``sanqi_nav_place = "user"`` lists its
    entries in the user menu (right) under its group label instead, so the bar stays one line.
    """
    items = []
    user_menu = []
    path = getattr(request, "path", "")
    user = getattr(request, "user", None)
    # The to-do counts (one query, never cached: they change as work is done) badge the menu.
    todo = todo_items(user) if user is not None and user.is_authenticated else []
    badges = nav_badges(todo)
    for config in apps.get_app_configs():
        entries = [
            {"label": entry[0](user) if callable(entry[0]) else entry[0], "url": reverse(entry[1]),
             "active": path.startswith(reverse(entry[1])), "badge": badges.get(entry[1], 0)}
            for entry in getattr(config, "sanqi_nav", None) or []
            if len(entry) < 3 or (user is not None and user.is_authenticated and entry[2](user))
        ]
        group = getattr(config, "sanqi_nav_group", None)
        if entries and getattr(config, "sanqi_nav_place", "bar") == "user":
            user_menu.append({"label": group, "children": entries, "active": any(e["active"] for e in entries)})
        elif group and entries:
            items.append({"label": group, "children": entries, "active": any(e["active"] for e in entries),
                          "badge": sum(e["badge"] for e in entries)})
        else:
            items.extend(entries)
    user = getattr(request, "user", None)
    show_bin = bool(user is not None and user.is_authenticated and may_restore(user))
    return {
        "site_title": settings.SANQI_SITE_TITLE,
        "nav_items": items,
        "user_menu_groups": user_menu,
        "show_recycle_bin": show_bin,
        "back_to_list": back_to_list(request),
        "todo_items": todo,
        "todo_total": sum(item.count for item in todo),
    }


def back_to_list(request) -> str:
    """Every detail page (URL name ``<model>_detail``) links back to its list (``<model>_list``)
    from base.html. Coming from that list, the link keeps its filters and page."""
    match = getattr(request, "resolver_match", None)
    if match is None or not (match.url_name or "").endswith("_detail"):
        return ""
    name = match.url_name[: -len("_detail")] + "_list"
    try:
        url = reverse(f"{match.namespace}:{name}" if match.namespace else name)
    except NoReverseMatch:
        return ""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.path == url and referer.netloc == request.get_host() and referer.query:
        return f"{url}?{referer.query}"
    return url
