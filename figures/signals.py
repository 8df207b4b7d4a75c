"""Mark the facts of a node dirty when a record behind them is saved or deleted (figures.marking).

Only the models the facts are computed from are watched (:data:`WATCHED`; a new app that adds
figures adds its models here). A record marks the node its ``scope_path`` leads to, and on an
update also the node it was under before (a cadre moved to another community changes both).
Standards mark the subtree of their node for their year; a course marks its attendees'
communities; a node marks itself, and its whole subtree when its code changes (the rows copy the
codes). ``QuerySet.update()`` and ``bulk_create()`` send no signals: code that changes these
models that way calls ``figures.marking.mark`` (or ``mark_query``) itself.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_save

from core.services import scope_node_id
from figures import marking

WATCHED = [
    "staffing.Cadre", "staffing.Appointment", "staffing.Attendance", "staffing.TrainingCourse",
    "staffing.VolunteerTeam", "staffing.Volunteer",
    "funding.Standard", "funding.Allocation", "funding.Expenditure",
    "venues.AreaStandard", "venues.Venue",
    "regional_building.JointConference", "regional_building.Meeting", "regional_building.Agreement",
    "regional_building.Commitment", "regional_building.Fulfilment", "regional_building.MemberRegistration",
    "regional_building.ServicePost", "regional_building.Claim",
    "communities.Node",
]
STANDARDS = {"funding.Standard", "venues.AreaStandard"}
NODE_FIELDS = ["code", "level", "party_members", "households", "is_urban"]  # what of a node the facts use


def _old(sender, instance, fields):
    if instance._state.adding or instance.pk is None:
        return None
    return sender._default_manager.filter(pk=instance.pk).values(*fields).first()


def before_save(sender, instance, **kwargs):
    """Remember where an updated record was, to mark that node too."""
    label = sender._meta.label
    if label == "communities.Node":
        instance._figures_old = _old(sender, instance, NODE_FIELDS)
    elif label in STANDARDS:
        instance._figures_old = _old(sender, instance, ["node__code", "node__level", "year"])
    elif label != "staffing.TrainingCourse":
        instance._figures_old = _old(sender, instance, [sender.scope_path])


def _prefix(code: str, level: int) -> str:
    from communities.models import PREFIX_LENGTH, Level

    return code[: PREFIX_LENGTH[Level(level)]]


def changed(sender, instance, **kwargs):
    label = sender._meta.label
    old = getattr(instance, "_figures_old", None)
    if label == "communities.Node":
        if "created" not in kwargs:
            return  # deleted: its rows went with it (CASCADE)
        if old and all(old[f] == getattr(instance, f) for f in NODE_FIELDS):
            return  # a new name, an address…: no figure changes
        marking.mark([instance.pk])
        if old and old["code"] != instance.code:
            marking.mark_subtree(instance.prefix)
        return
    if label in STANDARDS:
        node = getattr(instance, "node", None)
        if node is not None:
            marking.mark_subtree(node.prefix, instance.year)
        if old and (old["node__code"], old["year"]) != (getattr(node, "code", None), instance.year):
            marking.mark_subtree(_prefix(old["node__code"], old["node__level"]), old["year"])
        return
    if label == "staffing.TrainingCourse":
        from staffing.models import Attendance

        marking.mark_query(Attendance.objects.filter(course_id=instance.pk), "cadre__community_id", 0)
        return
    try:
        node_id = scope_node_id(instance)
    except Exception:  # a parent deleted in the same cascade: its own deletion marks the node
        node_id = None
    ids = [node_id]
    if old:
        ids.append(next(iter(old.values())))
    marking.mark(ids)


for label in WATCHED:
    model = apps.get_model(label)
    uid = f"figures-{label}"
    pre_save.connect(before_save, sender=model, dispatch_uid=f"{uid}-pre")
    post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save")
    post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete")
