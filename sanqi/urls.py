from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.api_docs import DocsView, SchemaView
from core.views import healthz

admin.site.site_header = _("Sanqi party-building management platform")
admin.site.site_title = _("Sanqi administration")

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("sanqi.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("", include("core.urls")),
]
# Each domain app that declares ``sanqi_nav`` in its AppConfig serves its ``<app>/urls.py``.
urlpatterns += [
    path("", include(f"{config.name}.urls"))
    for config in apps.get_app_configs()
    if getattr(config, "sanqi_nav", None)
]
