"""The site's URL patterns as data: what the security sweep (tests/test_sweep.py) and the page
benchmark (``manage.py bench_pages``) walk. Nobody lists a new page anywhere: it comes from
Django's resolver; only what cannot be walked, or whose record cannot be told from the view, is
named here."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

# URL namespaces (or full names) that are not walked, and why.
NOT_WALKED = {
    "admin": "Django's admin: staff only (every persona but the administrator is sent to its login; "
             "tests/test_sweep.py::test_admin_is_for_staff_only), and the administrator sees every record by design",
    "login": "no record and no scope: the login form",
    "logout": "no record and no scope",
    "set_language": "no record and no scope: stores the chosen language",
    "healthz": "no record and no scope: liveness probe",
    "schema": "the OpenAPI document: the same for everyone, no record",
    "api-docs": "Swagger UI: static page, no record",
    "accounts:division_preview": "a division import belongs to the administrator who uploaded it, not to a node "
                                 "(tests/accounts/test_divisions.py: another administrator gets 404)",
    "accounts:session_logout": "a login session is the one a real login opened (axes' access log): "
                               "tests/accounts/test_login_records.py checks a neighbour's session is 404",
}
# URL parameters that name no record: the value put there.
FIXED_PARAMS = {"action": "disable"}  # accounts:user_action (the other actions reach the same lookup)


def url_models() -> dict:
    """Page URLs whose record id a function view looks up itself: which model the id names."""
    from assessments.models import Indicator, Result, Run, Scheme
    from communities.models import Node
    from core.models import RecycleEntry
    from reports.models import Summary

    User = get_user_model()
    return {
        "assessments:scheme_detail": Scheme,
        "assessments:ranking": Scheme,
        "assessments:indicator_add": Scheme,
        "assessments:indicator_edit": Indicator,
        "assessments:indicator_delete": Indicator,
        "assessments:run_detail": Run,
        "assessments:run_progress": Run,
        "assessments:result_detail": Result,
        "reports:summary_detail": Summary,
        "reports:summary_regenerate": Summary,
        "reports:summary_delete": Summary,
        "reports:summary_progress": Summary,
        "core:recycle_entry": RecycleEntry,
        "core:recycle_restore": RecycleEntry,
        "accounts:user_detail": User,
        "accounts:user_edit": User,
        "accounts:user_action": User,
        "accounts:role_revoke": User,
        "accounts:division_edit": Node,
        "reports:summary_docx": Summary,
        "reports:summary_xlsx": Summary,
    }


def param_models() -> dict:
    """URL parameters ``<model>_pk`` whose model is not in the view's app."""
    from core.models import Assignment

    return {"assignment_pk": Assignment}


class UnknownRecord(LookupError):
    pass


@dataclass
class Route:
    name: str  # "namespace:name"
    pattern: URLPattern
    params: list[str]

    @property
    def callback(self):
        return self.pattern.callback

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def is_api(self) -> bool:
        return self.name.split(":")[0].endswith("-api")


def routes(resolver=None, namespace="") -> list[Route]:
    found = []
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            found.extend(routes(p, ns))
        elif p.name:
            params = list(p.pattern.regex.groupindex)
            if "format" in params:
                continue  # DRF's ".json" twins of each route
            found.append(Route(f"{namespace}:{p.name}".lstrip(":"), p, params))
    return found


def walked(route: Route) -> bool:
    return not any(route.name == key or route.name.startswith(f"{key}:") for key in NOT_WALKED)


def model_of(route: Route, param: str):
    """The model whose record ``param`` of ``route`` names (``UnknownRecord`` when it cannot be told)."""
    from communities.models import Node

    if param == "code":
        return Node
    if param in param_models():
        return param_models()[param]
    if param.endswith("_pk"):
        return apps.get_model(route.callback.__module__.split(".")[0], param[:-3])
    if route.name in url_models():
        return url_models()[route.name]
    cls = route.view_class
    model = getattr(cls, "model", None)
    if model is None and getattr(cls, "queryset", None) is not None:
        model = cls.queryset.model
    if model is None and getattr(cls, "serializer_class", None) is not None:
        model = getattr(getattr(cls.serializer_class, "Meta", None), "model", None)
    if model is None:
        raise UnknownRecord(f"cannot tell which record {route.name} ({param}) names: add it to url_models() or NOT_WALKED")
    return model


def methods_of(route: Route) -> list[str]:
    actions = getattr(route.callback, "actions", None)
    if actions:  # PUT and PATCH reach the same update (one of them is enough)
        return sorted(m for m in actions if not (m == "put" and "patch" in actions))
    cls = route.view_class
    if cls is not None:
        return [m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)]
    return ["get", "post"]  # a function view: whatever it refuses, it must refuse without a 500


def route_kwargs(route: Route, pick) -> dict | None:
    """The URL arguments of ``route``, each record parameter filled with ``pick(model, param)`` (its
    ``code`` for a node named by code, else its pk); None when a record is missing or unknown."""
    kwargs = {}
    for param in route.params:
        if param in FIXED_PARAMS:
            kwargs[param] = FIXED_PARAMS[param]
            continue
        try:
            obj = pick(model_of(route, param), param)
        except UnknownRecord:
            return None
        if obj is None:
            return None
        kwargs[param] = obj.code if param == "code" else obj.pk
    return kwargs
