from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Users, roles and access")
    sanqi_api = True  # core/api_urls.py: the recycle bin

    def ready(self):
        from core import schema  # noqa: F401  (registers the OpenAPI extensions)
