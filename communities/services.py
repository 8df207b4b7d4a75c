"""Writes to the hierarchy and community facts. Each takes the acting user."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Node
from core.services import scoped_delete, scoped_save
from core.versioning import locked_update

EDITABLE_FIELDS = [
    "code", "name", "parent", "community_type", "is_urban", "resident_population", "floating_population",
    "households", "party_members", "party_org_form", "address", "phone",
]


def node_create(*, actor, **fields) -> Node:
    return scoped_save(actor=actor, instance=Node(**fields))


@transaction.atomic
def node_update(*, actor, node: Node, **fields) -> Node:
    old_code = Node.objects.values_list("code", flat=True).get(pk=node.pk)
    node = locked_update(node, fields)
    if node.code != old_code and node.children.exists():
        raise ValidationError(
            {"code": _("The code of a division that has subordinate divisions cannot change.")}
        )
    return scoped_save(actor=actor, instance=node)


def node_delete(*, actor, node: Node) -> None:
    scoped_delete(actor=actor, instance=node)
