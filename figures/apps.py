from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = _("figures")

    def ready(self):
        import figures.signals  # noqa: F401  (marks changed communities dirty)
