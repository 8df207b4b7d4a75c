from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _administers(user) -> bool:
    from core.scope import Action, scope_prefixes

    return user.is_superuser or bool(scope_prefixes(user, Action.ADMINISTER))


def _reads_logins(user) -> bool:
    from core.scope import Action, scope_prefixes

    return user.is_superuser or any(scope_prefixes(user, a) for a in (Action.ADMINISTER, Action.SECURE, Action.AUDIT))


def _manages_sessions(user) -> bool:
    from core.scope import Action, scope_prefixes

    return user.is_superuser or any(scope_prefixes(user, a) for a in (Action.ADMINISTER, Action.SECURE))


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and login records")
    # 系统管理: shown only to those who hold a duty (the third element decides).
    sanqi_nav_group = _("System administration")
    sanqi_nav_place = "user"  # in the user menu: the bar is full
    sanqi_nav = [
        (_("Accounts"), "accounts:user_list", _administers),
        (_("Divisions"), "accounts:division_list", _administers),
        (_("Division codes"), "accounts:division_import", _administers),
        (_("Login records"), "accounts:login_list", _reads_logins),
        (_("Online users"), "accounts:session_list", _manages_sessions),
        (_("Security policy"), "accounts:security", _manages_sessions),
        (_("Account administration log"), "accounts:event_list", _reads_logins),
    ]

    def ready(self):
        from accounts import signals  # noqa: F401
        from accounts.models import Profile
        from core.audit import register_audited
        from core.models import Assignment

        register_audited(Profile)
        register_audited(Assignment)
