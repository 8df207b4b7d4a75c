"""Clear cached dashboards when the data behind them changes (reports.cache).

Every scoped model of the domain apps names the path from a row to its node (``scope_path``);
a saved or deleted row touches that node (by id: no query for a row kept by a node directly).
Standards, schemes and indicators apply to whole subtrees, and node changes may rename codes:
they clear every dashboard. ``QuerySet.update()`` and ``bulk_create()`` send no signals: code
that changes figures that way calls ``reports.cache.touch_ids`` itself.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from core.services import scope_node_id
from reports import cache

DOMAIN_APPS = ("communities", "staffing", "funding", "venues", "regional_building", "assessments")
EVERYTHING = {
    ("funding", "standard"), ("venues", "areastandard"), ("assessments", "scheme"), ("assessments", "indicator"),
    ("communities", "node"),
}


def changed(sender, instance, **kwargs):
    if (sender._meta.app_label, sender._meta.model_name) in EVERYTHING or not sender.scope_path:
        cache.touch_all()
        return
    try:
        node_id = scope_node_id(instance)
    except Exception:  # a parent deleted in the same cascade: clear everything rather than guess
        node_id = None
    if node_id:
        cache.touch_ids([node_id])
    else:
        cache.touch_all()


for model in apps.get_models():
    if model._meta.app_label in DOMAIN_APPS and hasattr(model, "scope_path") and not model.__name__.startswith("Historical"):
        post_save.connect(changed, sender=model, dispatch_uid=f"reports-{model._meta.label}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"reports-{model._meta.label}-delete")
