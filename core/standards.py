"""Standards set on any node of the hierarchy and inherited by everything below it: a community
is held to the standard of its nearest ancestor (or itself) that has one. Used by funding and
venue standards alike."""

from __future__ import annotations

from django.db.models import Q

from communities.models import Node, ancestor_codes, level_of_code
from core.scope import Action, ScopedQuerySet, scope_prefixes, scope_q


class InheritedStandardQuerySet(ScopedQuerySet):
    """Standards are read by everyone they apply to: a viewer sees the standards set in their
    part of the hierarchy and those set on its ancestors (the district's standard that a street
    clerk's communities inherit), on every channel (lists, detail pages, API). Changing one
    still needs the change scope on its node."""

    def visible_to(self, user):
        prefixes = scope_prefixes(user, Action.VIEW)
        if prefixes is None or not prefixes:
            return self.restrict(user, Action.VIEW)
        ancestors = set()
        for prefix in prefixes:
            code = prefix.ljust(12, "0")
            ancestors.update(ancestor_codes(code, level_of_code(code)))
        return self.filter(scope_q(user, Action.VIEW, self.model.scope_path) | Q(node__code__in=ancestors))


def nearest_standards(queryset, nodes, *, root: Node | None = None, node_field: str = "node") -> dict[int, object]:
    """``{node id: row}``: for each of ``nodes``, the row of ``queryset`` attached to the node
    itself or to its nearest ancestor; nodes with none are absent.

    ``queryset`` must hold at most one row per node (filter by year/kind first). One query,
    whatever the number of nodes: rows on the ancestors of ``root`` (or of each node) plus rows
    anywhere under ``root``.
    """
    nodes = list(nodes)
    if not nodes:
        return {}
    if root is not None:
        condition = Q(**{f"{node_field}__code__in": ancestor_codes(root.code, root.level) + [root.code]}) | Q(
            **{f"{node_field}__code__startswith": root.prefix}
        )
    else:
        codes = set()
        for node in nodes:
            codes.update(ancestor_codes(node.code, node.level))
            codes.add(node.code)
        condition = Q(**{f"{node_field}__code__in": codes})
    by_code = {getattr(row, node_field).code: row for row in queryset.filter(condition).select_related(node_field)}
    result = {}
    for node in nodes:
        for code in [node.code, *reversed(ancestor_codes(node.code, node.level))]:
            if code in by_code:
                result[node.id] = by_code[code]
                break
    return result
