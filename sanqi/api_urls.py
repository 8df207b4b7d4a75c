"""/api/v1/: each domain app that declares ``sanqi_api = True`` in its AppConfig contributes
its ``<app>/api_urls.py`` (namespace ``<app>-api``)."""

from django.apps import apps
from django.urls import include, path

urlpatterns = [
    path("", include(f"{config.name}.api_urls"))
    for config in apps.get_app_configs()
    if getattr(config, "sanqi_api", False)
]
