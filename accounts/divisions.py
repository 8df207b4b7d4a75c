"""Hierarchy onboarding: import the official 统计用区划代码 table (code, name, 城乡分类代码)
for a province, city or district from .csv or .xlsx.

The file is read once into a :class:`DivisionImport` (its rows), a plan is computed against
the hierarchy (new, renamed, moved, urban/rural changed, vanished) and shown; applying
recomputes the plan inside one transaction and writes it in bulk, with history. Nodes the
table no longer lists are never deleted: they are flagged (``Node.vanished``) for a decision.

Scope: the importing administrator must administer every root of the file (its shortest
codes), so nothing outside their subtree is created, renamed or flagged.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import PREFIX_LENGTH, Level, Node, level_of_code
from core.excel import UploadError, read_upload
from core.scope import Action, node_in_scope

# 城乡分类代码: 1xx 城镇 (111 主城区, 112 城乡结合区, 121 镇中心区, 122 镇乡结合区, 123 特殊区域),
# 2xx 乡村 (210 乡中心区, 220 村庄).
URBAN_CODES = {"111", "112", "121", "122", "123"}
RURAL_CODES = {"210", "220"}
CODE_HEADERS = {"统计用区划代码", "区划代码", "代码", "code"}
NAME_HEADERS = {"名称", "区划名称", "name"}
CLASS_HEADERS = {"城乡分类代码", "城乡分类", "urban_rural_code"}


@dataclass
class Row:
    line: int
    code: str
    name: str
    klass: str = ""


@dataclass
class Plan:
    new: list = field(default_factory=list)  # (code, name, parent_code, is_urban)
    renamed: list = field(default_factory=list)  # (node, new name)
    moved: list = field(default_factory=list)  # (node, new code, new parent code, new name)
    urban_changed: list = field(default_factory=list)  # (node, is_urban)
    vanished: list = field(default_factory=list)  # nodes
    restored: list = field(default_factory=list)  # nodes listed again after having vanished
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (line, message)

    @property
    def counts(self) -> dict:
        return {k: len(getattr(self, k)) for k in ("new", "renamed", "moved", "urban_changed", "vanished", "restored")}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(upload) -> tuple[list[Row], list[tuple[int, str]]]:
    """Rows of an uploaded .csv (UTF-8 or GB18030) or .xlsx, and problems with lines."""
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".csv"):
        data = upload.read(settings.SANQI_UPLOAD_MAX_BYTES + 1)
        if len(data) > settings.SANQI_UPLOAD_MAX_BYTES:
            raise UploadError(_("The file is larger than the limit of %(limit).1f MB.") % {"limit": settings.SANQI_UPLOAD_MAX_BYTES / 1048576})
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise UploadError(_("The file is neither UTF-8 nor GBK text."))
        table = [(n, tuple(r)) for n, r in enumerate(csv.reader(io.StringIO(text)), start=1) if any(c.strip() for c in r)]
        if not table:
            raise UploadError(_("The file has no rows."))
        headers, body = [c.strip() for c in table[0][1]], table[1:]
    else:
        headers, body = read_upload(upload)
    headers = [_cell(h) for h in headers]
    if headers and len(headers[0]) == 12 and headers[0].isdigit():  # no header row: code, name, class
        body = [(1, tuple(headers))] + list(body)
        positions = (0, 1, 2)
    else:
        def find(names):
            return next((i for i, h in enumerate(headers) if h in names), None)

        positions = (find(CODE_HEADERS), find(NAME_HEADERS), find(CLASS_HEADERS))
        if positions[0] is None or positions[1] is None:
            raise UploadError(_("The first row must name the columns 统计用区划代码 and 名称 (城乡分类代码 optional)."))
    rows, problems, seen = [], [], {}
    for line, values in body:
        def at(i):
            return _cell(values[i]) if i is not None and i < len(values) else ""

        code, name, klass = at(positions[0]), at(positions[1]), at(positions[2])
        if level_of_code(code) is None:
            problems.append((line, _("“%(code)s” is not a 12-digit division code.") % {"code": code}))
            continue
        if not name:
            problems.append((line, _("The name is missing.")))
            continue
        if klass and klass not in URBAN_CODES | RURAL_CODES:
            problems.append((line, _("城乡分类代码 “%(value)s” is not one of 111, 112, 121, 122, 123, 210, 220.") % {"value": klass}))
            continue
        if code in seen:
            problems.append((line, _("%(key)s appears twice in the file (also row %(row)d).") % {"key": code, "row": seen[code]}))
            continue
        seen[code] = line
        rows.append(Row(line, code, name[:100], klass))
    return rows, problems


def parent_code(code: str) -> str | None:
    level = level_of_code(code)
    if level is None or level == Level.PROVINCE:
        return None
    return code[: PREFIX_LENGTH[Level(level - 1)]].ljust(12, "0")


def roots_of(codes: set[str]) -> list[str]:
    """The codes of the file whose parent is not in the file: the subtrees it describes."""
    return sorted(c for c in codes if parent_code(c) not in codes)


def compute_plan(*, actor, rows: list[Row]) -> Plan:
    plan = Plan()
    by_code = {r.code: r for r in rows}
    roots = roots_of(set(by_code))
    prefixes = [root[: PREFIX_LENGTH[level_of_code(root)]] for root in roots]
    # Every existing node under the file's roots (and the roots' parents): one query per root.
    existing: dict[str, Node] = {}
    for prefix in prefixes:
        for node in Node.objects.filter(code__startswith=prefix).only(
            "id", "code", "name", "level", "parent_id", "is_urban", "vanished"
        ):
            existing[node.code] = node
    parents_needed = {parent_code(r) for r in roots} - {None} - set(existing)
    parents = {n.code: n for n in Node.objects.filter(code__in=parents_needed)}
    for root in roots:
        node = existing.get(root) or parents.get(parent_code(root) or "")
        allowed = actor.is_superuser or (node is not None and node_in_scope(actor, node, Action.ADMINISTER))
        if not allowed:
            plan.errors.append((by_code[root].line, _("%(code)s %(name)s lies outside the part of the hierarchy you administer.")
                                % {"code": root, "name": by_code[root].name}))
        elif root not in existing and parent_code(root) and parent_code(root) not in parents:
            plan.errors.append((by_code[root].line, _("The parent division %(code)s of this row does not exist.") % {"code": parent_code(root)}))
    if plan.errors:
        return plan
    new_codes = [c for c in by_code if c not in existing]
    vanished = [n for c, n in existing.items() if c not in by_code]
    # A node that vanished and a new code of the same level and name, both unique: moved
    # (区划调整 gives a community a new code under another street). Only nodes without children
    # move this way; a street's new code makes its communities new codes too.
    has_children = set(Node.objects.filter(parent__in=[n.pk for n in vanished]).values_list("parent_id", flat=True)) if vanished else set()
    vanished_by_key: dict = {}
    for n in vanished:
        vanished_by_key.setdefault((n.level, n.name), []).append(n)
    new_by_key: dict = {}
    for c in new_codes:
        new_by_key.setdefault((level_of_code(c), by_code[c].name), []).append(c)
    moved_codes, moved_nodes = set(), set()
    for k, codes in new_by_key.items():
        candidates = vanished_by_key.get(k, [])
        if len(codes) == 1 and len(candidates) == 1 and candidates[0].pk not in has_children:
            node, code = candidates[0], codes[0]
            plan.moved.append((node, code, parent_code(code), by_code[code].name))
            moved_codes.add(code)
            moved_nodes.add(node.pk)
    for code in sorted(new_codes, key=lambda c: (level_of_code(c), c)):
        if code in moved_codes:
            continue
        row = by_code[code]
        urban = row.klass in URBAN_CODES if row.klass else True
        plan.new.append((code, row.name, parent_code(code), urban))
    for code, row in by_code.items():
        node = existing.get(code)
        if node is None:
            continue
        changed = False
        if node.name != row.name:
            plan.renamed.append((node, row.name))
            changed = True
        if row.klass and node.level == Level.COMMUNITY and node.is_urban != (row.klass in URBAN_CODES):
            plan.urban_changed.append((node, row.klass in URBAN_CODES))
            changed = True
        if node.vanished:
            plan.restored.append(node)
            changed = True
        if not changed:
            plan.unchanged += 1
    plan.vanished = [n for n in vanished if n.pk not in moved_nodes and not n.vanished]
    return plan


@transaction.atomic
def apply_plan(*, actor, rows: list[Row]) -> Plan:
    """Recompute the plan against the hierarchy as it is now and write it, all or nothing."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from core.audit import DIVISIONS_IMPORT

    if not (actor.is_superuser or scope_allows(actor)):
        raise PermissionDenied(_("This page is for system, security or audit administrators."))
    plan = compute_plan(actor=actor, rows=rows)
    if plan.errors:
        return plan
    today = timezone.localdate()
    # New nodes, level by level, so each finds its parent's id.
    ids = dict(Node.objects.filter(code__in={p for *_x, p, _u in plan.new if p}).values_list("code", "id"))
    for level in Level:
        batch = []
        for code, name, parent, urban in plan.new:
            if level_of_code(code) != level:
                continue
            batch.append(Node(code=code, name=name, level=level, parent_id=ids.get(parent) if parent else None, is_urban=urban))
        if batch:
            missing = [n.code for n in batch if n.level != Level.PROVINCE and n.parent_id is None]
            if missing:
                raise PermissionDenied(_("The parent division %(code)s of this row does not exist.") % {"code": parent_code(missing[0])})
            bulk_create_with_history(batch, Node, batch_size=2000, default_user=actor, default_change_reason=DIVISIONS_IMPORT)
            ids.update(Node.objects.filter(code__in=[n.code for n in batch]).values_list("code", "id"))
    changed: dict[int, Node] = {}
    for node, name in plan.renamed:
        node.name = name
        changed[node.pk] = node
    for node, urban in plan.urban_changed:
        node.is_urban = urban
        changed[node.pk] = node
    for node in plan.restored:
        node.vanished = None
        changed[node.pk] = node
    for node in plan.vanished:
        node.vanished = today
        changed[node.pk] = node
    if changed:
        bulk_update_with_history(
            list(changed.values()), Node, ["name", "is_urban", "vanished"], batch_size=2000, default_user=actor,
            default_change_reason=DIVISIONS_IMPORT,
        )
    if plan.moved:
        parent_ids = dict(Node.objects.filter(code__in={m[2] for m in plan.moved}).values_list("code", "id"))
        moved = []
        for node, code, parent, name in plan.moved:
            node.code, node.parent_id, node.name, node.vanished = code, parent_ids[parent], name, None
            moved.append(node)
        bulk_update_with_history(
            moved, Node, ["code", "parent", "name", "vanished"], batch_size=2000, default_user=actor,
            default_change_reason=DIVISIONS_IMPORT,
        )
    roots = roots_of({r.code for r in rows})
    _changed(prefixes=[root[: PREFIX_LENGTH[level_of_code(root)]] for root in roots])
    return plan


def scope_allows(actor) -> bool:
    from core.scope import scope_prefixes

    return bool(scope_prefixes(actor, Action.ADMINISTER))


# ---- 撤并: merging a community into another ----
def _relations():
    """(model, field name) of every record kept by a node, except history rows and the audit
    records, which keep pointing at the community they were written about."""
    from accounts.models import AccountEvent

    for rel in Node._meta.get_fields(include_hidden=True):
        if not (rel.one_to_many or rel.one_to_one) or not rel.auto_created or rel.concrete:
            continue
        model = rel.related_model
        if model is Node or model is AccountEvent or model.__name__.startswith("Historical"):
            continue
        # Derived data (the figures app's facts and dirty marks) is recomputed, not moved.
        if model._meta.app_label in {"axes", "sessions", "figures"}:
            continue
        yield model, rel.field.name


def merge_preview(*, source: Node) -> list[tuple[str, int]]:
    """How many records of each kind the merge would move."""
    counts = []
    for model, name in _relations():
        n = model._base_manager.filter(**{name: source}).count()
        if n:
            counts.append((str(model._meta.verbose_name_plural), n))
    return counts


@transaction.atomic
def community_merge(*, actor, source: Node, target: Node) -> dict:
    """Move every record of ``source`` to ``target`` in one transaction, with history; the
    source stays, flagged as vanished, so the audit records written about it keep their place.
    Refused whole (ValidationError) when a record would collide with one of the target's (for
    example both have a result for the same year)."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError
    from simple_history.utils import bulk_update_with_history

    from core.models import Assignment

    for node in (source, target):
        if node.level != Level.COMMUNITY:
            raise ValidationError(_("Only communities are merged; %(node)s is a %(level)s.") % {"node": node, "level": node.get_level_display()})
        if not (actor.is_superuser or node_in_scope(actor, node, Action.ADMINISTER)):
            raise PermissionDenied(_("%(node)s lies outside the part of the hierarchy you administer.") % {"node": node})
    if source.pk == target.pk:
        raise ValidationError(_("Choose two different communities."))
    source = Node.objects.select_for_update().get(pk=source.pk)
    target = Node.objects.select_for_update().get(pk=target.pk)
    moved = {}
    # Roles already held on the target make the same role on the source redundant.
    for duplicate in Assignment.objects.filter(node=source, user__assignments__node=target).distinct():
        if Assignment.objects.filter(node=target, user=duplicate.user_id, role=duplicate.role).exists():
            duplicate._history_user = actor
            duplicate.delete()
    for model, name in _relations():
        rows = list(model._base_manager.filter(**{name: source}))
        if not rows:
            continue
        for row in rows:
            setattr(row, name, target)
        try:
            with transaction.atomic():
                if hasattr(model, "history"):
                    bulk_update_with_history(rows, model, [name], batch_size=1000, default_user=actor)
                else:
                    model._base_manager.filter(pk__in=[r.pk for r in rows]).update(**{name: target})
        except IntegrityError:
            raise ValidationError(
                _("%(kind)s of %(source)s collide with those of %(target)s (for example the same year); resolve them first.")
                % {"kind": model._meta.verbose_name_plural, "source": source.name, "target": target.name}
            )
        moved[str(model._meta.verbose_name_plural)] = len(rows)
    source.vanished = timezone.localdate()
    source._history_user = actor
    source._change_reason = f"merged into {target.code}"
    source.save(update_fields=["vanished", "last_updated"])
    _changed(ids=[source.pk, target.pk])
    return moved


def _changed(*, ids=(), prefixes=()) -> None:
    """Bulk writes send no save signals: tell the figures table and the dashboard cache."""
    try:
        from figures.marking import mark, mark_subtree

        mark(ids)
        for prefix in prefixes:
            mark_subtree(prefix)
    except ImportError:  # pragma: no cover - without the figures app
        pass
    try:
        from reports.cache import touch_all, touch_ids

        touch_all() if prefixes else touch_ids(ids)
    except ImportError:  # pragma: no cover
        pass


# ---- streets and districts in the portal: create, rename, re-code (move) ----
# Communities are created and edited on the community pages (clerks); the levels above them are
# the administrators' (管理员) in their subtree. A node's place is its code: moving a street to
# another district is giving it the new district's code, as the statistics bureau does, and its
# communities take the new prefix with it.
ADMINISTERED_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWNSHIP)


def _level_refusal(code: str):
    from django.core.exceptions import ValidationError

    level = level_of_code(code or "")
    if level is None:
        return ValidationError({"code": _("%(code)s is not a valid division code.") % {"code": code}})
    if level not in ADMINISTERED_LEVELS:
        return ValidationError({"code": _("Cities, districts and streets are kept here; %(code)s is the code of a %(level)s.")
                                % {"code": code, "level": level.label}})
    return None


def _parent_for(code: str) -> Node:
    from django.core.exceptions import ValidationError

    parent = Node.objects.filter(code=parent_code(code) or "").first()
    if parent is None:
        raise ValidationError({"code": _("The parent division %(code)s of this row does not exist.") % {"code": parent_code(code)}})
    return parent


@transaction.atomic
def division_create(*, actor, code: str, name: str) -> Node:
    """A new city, district or street under an existing parent the actor administers."""
    from django.core.exceptions import ValidationError

    from core.services import scoped_save

    refusal = _level_refusal(code)
    if refusal:
        raise refusal
    parent = _parent_for(code)
    if not (actor.is_superuser or node_in_scope(actor, parent, Action.ADMINISTER)):
        raise PermissionDenied(_("%(node)s lies outside the part of the hierarchy you administer.") % {"node": parent})
    clash = Node.objects.filter(code=code).first()
    if clash is not None:  # division codes are published: naming the holder discloses nothing
        raise ValidationError({"code": _("The code %(code)s is already used by %(name)s; choose another code.")
                               % {"code": clash.code, "name": clash.name}})
    node = scoped_save(actor=actor, instance=Node(code=code, name=(name or "").strip(), parent=parent),
                       actions=(Action.ADMINISTER,))
    _changed(ids=[parent.pk])
    return node


def move_preview(*, node: Node, code: str) -> dict:
    """What re-coding ``node`` to ``code`` would do: its new parent and how many divisions below
    it take the new prefix."""
    parent = Node.objects.filter(code=parent_code(code) or "").first()
    below = Node.objects.filter(code__startswith=node.prefix).exclude(pk=node.pk).count()
    return {"parent": parent, "below": below, "old": node.code, "new": code}


@transaction.atomic
def division_update(*, actor, node: Node, name: str, code: str, version=None) -> Node:
    """Rename a city, district or street, and/or give it a new code of the same level under
    another parent it the actor administers (区划调整): every division below takes the new prefix,
    in one transaction, with history, and the figures follow."""
    from django.core.exceptions import ValidationError
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr
    from simple_history.utils import bulk_update_with_history

    from core.contention import lock_nodes
    from core.models import RecycleEntry
    from core.services import scoped_save
    from core.versioning import check_version
    from figures.models import Facts

    if node.level not in ADMINISTERED_LEVELS:
        raise ValidationError(_("Communities are edited on the community pages."))
    if not (actor.is_superuser or node_in_scope(actor, node, Action.ADMINISTER)):
        raise PermissionDenied(_("%(node)s lies outside the part of the hierarchy you administer.") % {"node": node})
    code = (code or "").strip()
    old_prefix = node.prefix
    subtree = list(Node.objects.filter(code__startswith=old_prefix).values_list("pk", flat=True))
    moving = code != node.code
    new_parent = None
    if moving:
        refusal = _level_refusal(code)
        if refusal:
            raise refusal
        if level_of_code(code) != node.level:
            raise ValidationError({"code": _("The new code must be the code of a %(level)s too.") % {"level": node.get_level_display()}})
        new_parent = _parent_for(code)
        if not (actor.is_superuser or node_in_scope(actor, new_parent, Action.ADMINISTER)):
            raise PermissionDenied(_("%(node)s lies outside the part of the hierarchy you administer.") % {"node": new_parent})
    # One lock order for every writer of the hierarchy: ids ascending.
    lock_nodes(*subtree, *( [new_parent.pk] if new_parent else []))
    current = Node.objects.get(pk=node.pk)
    check_version(current, version)
    current.name = (name or "").strip()
    if not moving:
        return scoped_save(actor=actor, instance=current, actions=(Action.ADMINISTER,))
    new_prefix = code[: len(old_prefix)]
    below = list(Node.objects.filter(code__startswith=old_prefix).exclude(pk=node.pk).order_by("pk"))
    taken = Node.objects.filter(code__in=[code] + [new_prefix + n.code[len(old_prefix):] for n in below]).exclude(pk__in=subtree)
    clash = taken.order_by("code").first()
    if clash is not None:
        raise ValidationError({"code": _("The code %(code)s is already used by %(name)s; choose another code.")
                               % {"code": clash.code, "name": clash.name}})
    current.code, current.parent = code, new_parent
    scoped_save(actor=actor, instance=current, actions=(Action.ADMINISTER,))
    for n in below:
        n.code = new_prefix + n.code[len(old_prefix):]
        n.version += 1  # a form opened before the move must not write the old code back
    if below:
        bulk_update_with_history(below, Node, ["code", "version"], batch_size=2000, default_user=actor,
                                 default_change_reason=f"{old_prefix} → {new_prefix}")
    # Copies of the code kept for scoping and roll-ups follow at once (the refresh would too).
    shifted = Concat(Value(new_prefix), Substr("code", len(old_prefix) + 1))
    Facts.objects.filter(code__startswith=old_prefix).update(code=shifted)
    RecycleEntry.objects.filter(node_code__startswith=old_prefix).update(
        node_code=Concat(Value(new_prefix), Substr("node_code", len(old_prefix) + 1)))
    _changed(prefixes=[new_prefix])
    return current


# ---- 拆分: a new community plus chosen records of an existing one ----
def split_candidates(*, source: Node) -> list[tuple[str, str, list]]:
    """The records of ``source`` that can move, by kind: (label key, kind name, records)."""
    out = []
    for model, name in _relations():
        # Labels name related records (an assignment's user, an allocation's community): fetched
        # with the rows, so the page's queries do not grow with them.
        rows = list(model._base_manager.filter(**{name: source}).select_related().order_by("pk")[:2000])
        for row in rows:
            setattr(row, name, source)
        if rows:
            out.append((_kind_key(model, name), str(model._meta.verbose_name_plural), rows))
    return out


def _kind_key(model, name) -> str:
    return f"{model._meta.label_lower}.{name}"


@transaction.atomic
def community_split(*, actor, source: Node, code: str, name: str, records: dict[str, list[int] | str]) -> tuple[Node, dict]:
    """Create a community beside ``source`` (same street) and move the chosen records to it.

    ``records`` maps a kind key (:func:`split_candidates`) to record ids, or to ``"all"``. The
    moved records, and the records that point at them, are checked again by their own rules (a
    claim whose member moves but whose post stays is refused); anything refused leaves nothing
    changed."""
    from django.core.exceptions import ValidationError
    from simple_history.utils import bulk_update_with_history

    from core.contention import lock_nodes
    from core.services import scoped_save
    from core.versioning import is_versioned

    if source.level != Level.COMMUNITY:
        raise ValidationError(_("Only communities are split; %(node)s is a %(level)s.") % {"node": source, "level": source.get_level_display()})
    if not (actor.is_superuser or node_in_scope(actor, source, Action.ADMINISTER)):
        raise PermissionDenied(_("%(node)s lies outside the part of the hierarchy you administer.") % {"node": source})
    lock_nodes(source.pk, source.parent_id)
    source = Node.objects.get(pk=source.pk)
    code = (code or "").strip()
    if level_of_code(code) != Level.COMMUNITY or not code.startswith(source.parent.prefix):
        raise ValidationError({"code": _("The new community's code must be a community code of %(street)s (starting with %(prefix)s).")
                               % {"street": source.parent.name, "prefix": source.parent.prefix}})
    new = Node(
        code=code, name=(name or "").strip(), parent=source.parent, community_type=source.community_type,
        is_urban=source.is_urban, party_org_form=source.party_org_form,
    )
    new = scoped_save(actor=actor, instance=new, actions=(Action.ADMINISTER,))
    relations = {_kind_key(model, field): (model, field) for model, field in _relations()}
    unknown = set(records) - set(relations)
    if unknown:
        raise ValidationError(_("Unknown kind of record: %(kind)s.") % {"kind": ", ".join(sorted(unknown))})
    moved: dict[str, int] = {}
    problems: list[str] = []
    touched: list = []
    for key, chosen in sorted(records.items()):
        model, field = relations[key]
        qs = model._base_manager.filter(**{field: source})
        ids = None if chosen == "all" else {int(pk) for pk in chosen}
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        rows = list(qs.select_for_update().order_by("pk"))
        # Checked on the locked rows: a record moved away meanwhile is not silently left behind.
        if ids is not None and len(rows) != len(ids):
            raise ValidationError(_("Some chosen records no longer belong to %(node)s; open the page again.") % {"node": source.name})
        if not rows:
            continue
        for row in rows:
            setattr(row, field, new)
            if is_versioned(row):
                row.version += 1
        fields = [field] + (["version"] if is_versioned(model) else [])
        if hasattr(model, "history"):
            bulk_update_with_history(rows, model, fields, batch_size=1000, default_user=actor,
                                     default_change_reason=f"split {source.code} → {new.code}")
        else:
            model._base_manager.filter(pk__in=[r.pk for r in rows]).update(**{field: new})
        moved[str(model._meta.verbose_name_plural)] = len(rows)
        touched.append((model, [r.pk for r in rows]))
    for model, ids in touched:  # once everything chosen has moved
        problems += _recheck(model, ids)
    if problems:
        raise ValidationError(problems[:10])
    _changed(ids=[source.pk, new.pk])
    return new, moved


def _recheck(model, ids: list[int]) -> list[str]:
    """Run the model rules of moved records and of the records pointing at them (one hop)."""
    from django.core.exceptions import ValidationError

    problems = []
    checks = [(model, "pk__in")]
    for rel in model._meta.get_fields():
        if (rel.one_to_many or rel.one_to_one) and rel.auto_created and not rel.concrete:
            related = rel.related_model
            if related.__name__.startswith("Historical") or related._meta.app_label in {"figures", "core"}:
                continue
            checks.append((related, f"{rel.field.name}__in"))
    for checked, lookup in checks:
        for row in checked._base_manager.filter(**{lookup: ids}):
            try:
                row.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                problems.append(f"{checked._meta.verbose_name}「{row}」：{'；'.join(exc.messages)}")
    return problems
