"""Reads of the hierarchy. Each takes the viewer and answers only within their scope."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import Substr

from communities.models import PREFIX_LENGTH, Level, Node, ancestor_codes
from core.models import Assignment
from core.scope import Action, node_in_scope, scope_prefixes, scope_q


def community_list(*, user):
    return Node.objects.visible_to(user).filter(level=Level.COMMUNITY).select_related("parent", "parent__parent")


def scope_roots(*, user):
    """The topmost nodes the user can see: their assignments, or the provinces for an admin."""
    prefixes = scope_prefixes(user, Action.VIEW)
    if prefixes is None:
        return list(Node.objects.filter(parent__isnull=True).order_by("code"))
    return list(
        Node.objects.filter(id__in=Assignment.objects.filter(user=user).values("node_id"))
        .filter(scope_q(user, Action.VIEW))
        .order_by("code")
        .distinct()
    )


def breadcrumbs(*, node: Node, user) -> list[tuple[Node, bool]]:
    """Ancestors of ``node`` root first, each with whether the user may open it; one query."""
    codes = ancestor_codes(node.code, node.level)
    ancestors = {n.code: n for n in Node.objects.filter(code__in=codes)}
    return [(ancestors[c], node_in_scope(user, ancestors[c])) for c in codes if c in ancestors]


def children_with_counts(*, node: Node | None, user) -> list[Node]:
    """Visible children of ``node`` (or the user's roots), each annotated with ``community_count``,
    the number of visible communities beneath it. Two queries whatever the number of children."""
    if node is None:
        children = scope_roots(user=user)
    else:
        children = list(Node.objects.visible_to(user).filter(parent=node).order_by("code"))
    if not children:
        return []
    communities = Node.objects.visible_to(user).filter(level=Level.COMMUNITY)
    if node is not None:
        communities = communities.filter(code__startswith=node.prefix)
    counts: dict[str, int] = {}
    for level in {c.level for c in children} - {Level.COMMUNITY}:
        length = PREFIX_LENGTH[Level(level)]
        rows = (
            communities.annotate(head=Substr("code", 1, length))
            .filter(head__in=[c.prefix for c in children if c.level == level])
            .values("head")
            .annotate(n=Count("id"))
        )
        counts.update({row["head"]: row["n"] for row in rows})
    for child in children:
        child.community_count = 1 if child.level == Level.COMMUNITY else counts.get(child.prefix, 0)
    return children


def scope_summary(*, user) -> dict:
    """What the home page shows: the user's assignments and the size of their part."""
    assignments = list(Assignment.objects.filter(user=user).select_related("node", "node__parent").order_by("node__code"))
    visible = Node.objects.visible_to(user)
    counts = {row["level"]: row["n"] for row in visible.values("level").annotate(n=Count("id"))}
    return {
        "assignments": assignments,
        "level_counts": [(Level(level).label, counts.get(level, 0)) for level in Level if counts.get(level)],
        "community_count": counts.get(Level.COMMUNITY, 0),
        "roots": children_with_counts(node=None, user=user),
    }
