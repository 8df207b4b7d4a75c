"""Data scope (数据权限): the one place that decides which part of the hierarchy a user may
see, change or review.

A user is assigned to nodes of the hierarchy with a role on each. What they may reach is the
subtree of each such node. The 12-digit division code is itself a materialized path (two
digits for the province, two for the city, two for the county, three for the township, three
for the village), so "everything under this node" is a single indexed prefix filter:
``code LIKE '620102%'``. Every interface (pages, API, filter dropdowns, exports, jobs) narrows
its querysets through :class:`ScopedQuerySet`, never by hand.
"""

from __future__ import annotations

from enum import Enum
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q


class Action(str, Enum):
    VIEW = "view"
    CHANGE = "change"
    REVIEW = "review"
    # Delegated administration: accounts and hierarchy (管理员), security settings, lockouts and
    # sessions (安全管理员), reading the change log and login records (审计员).
    ADMINISTER = "administer"
    SECURE = "secure"
    AUDIT = "audit"


def _roles_for(action: Action) -> set[str]:
    from core.models import Role

    return {
        Action.VIEW: {Role.ENTRY, Role.REVIEWER, Role.VIEWER},
        Action.CHANGE: {Role.ENTRY},
        Action.REVIEW: {Role.REVIEWER},
        Action.ADMINISTER: {Role.ADMIN},
        Action.SECURE: {Role.SECURITY},
        Action.AUDIT: {Role.AUDITOR},
    }[action]


def scope_prefixes(user, action: Action | str = Action.VIEW) -> list[str] | None:
    """Code prefixes of the subtrees ``user`` may reach for ``action``.

    ``None`` means unrestricted (system administrators); an empty list means nothing.
    Computed once per user object for every action, so a request that scopes many querysets
    asks the database once.
    """
    action = Action(action)
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cache = getattr(user, "_sanqi_scope_cache", None)
    if cache is None:
        from core.models import Assignment

        # One query for every action: (prefix, role) of each assignment.
        pairs = [(a.node.prefix, a.role) for a in Assignment.objects.filter(user=user).select_related("node")]
        cache = {}
        for each in Action:
            roles = _roles_for(each)
            prefixes = sorted({prefix for prefix, role in pairs if role in roles}, key=len)
            reduced: list[str] = []
            for prefix in prefixes:  # drop subtrees already covered by a shorter prefix
                if not any(prefix.startswith(kept) for kept in reduced):
                    reduced.append(prefix)
            cache[each] = reduced
        try:
            user._sanqi_scope_cache = cache
        except AttributeError:  # pragma: no cover - immutable user proxies
            pass
    return cache[action]


def clear_scope_cache(user) -> None:
    if hasattr(user, "_sanqi_scope_cache"):
        del user._sanqi_scope_cache


def scope_q(user, action: Action | str = Action.VIEW, path: str = "") -> Q:
    """A ``Q`` selecting rows whose node (reached through ``path``) lies in the user's scope."""
    prefixes = scope_prefixes(user, action)
    if prefixes is None:
        return Q()
    if not prefixes:
        return Q(pk__in=[])
    lookup = f"{path}__code__startswith" if path else "code__startswith"
    return reduce(or_, (Q(**{lookup: prefix}) for prefix in prefixes))


class ScopedQuerySet(models.QuerySet):
    """QuerySet that can narrow itself to a user's part of the hierarchy (NetBox ``restrict``).

    A model using it names, in ``scope_path``, the lookup from itself to its node in the
    hierarchy: ``""`` for the node itself, ``"community"`` for a record attached to one.
    """

    def restrict(self, user, action: Action | str | tuple = Action.VIEW) -> "ScopedQuerySet":
        """Rows in the user's scope for ``action``, or for any of several actions (a tuple: a
        record the organization department writes as well as the clerks)."""
        actions = action if isinstance(action, tuple) else (action,)
        return self.filter(reduce(or_, (scope_q(user, a, self.model.scope_path) for a in actions)))

    def visible_to(self, user) -> "ScopedQuerySet":
        return self.restrict(user, Action.VIEW)

    def editable_by(self, user) -> "ScopedQuerySet":
        return self.restrict(user, Action.CHANGE)


def node_in_scope(user, node, action: Action | str = Action.VIEW) -> bool:
    """Whether ``node`` itself lies in the user's scope for ``action``; no query once cached."""
    prefixes = scope_prefixes(user, action)
    if prefixes is None:
        return True
    return any(node.code.startswith(prefix) for prefix in prefixes)


def can_view(user, obj) -> bool:
    """Whether ``user`` may open ``obj`` (its model's ``visible_to``): pages link only to what
    their reader can open. One query; False for models without a scope."""
    manager = type(obj)._default_manager
    if not hasattr(manager, "visible_to"):
        return False
    return manager.visible_to(user).filter(pk=obj.pk).exists()
