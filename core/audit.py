"""Reading the audit trail kept by django-simple-history: who changed what, before and after.

django-simple-history was chosen over a home-made log because it records create, update and
delete (including admin and bulk paths) as full snapshots in a table per model, so a history
row keeps the record's node and can be scoped with the same rule as the record itself.

The change log (``/changelog/``) reads every audited model's history table as one list:
a ``UNION ALL`` of the tables' (date, id, kind) columns, each narrowed by the viewer's scope
and the filters, ordered and cut to one page in the database. Only the rows of that page are
then read in full, with a constant number of queries per page whatever the size of the
history: per kind on the page, its rows and the rows just before them (for the "before"
values); per related model, the names of the records the page refers to; one for the people.
See docs/changelog.md.

Who wrote a row: ``history_user`` is the person (a request's user, or the actor a service
names); background jobs write as nobody and say which job in ``history_change_reason``
(``job:…``, see :func:`audited_as`), imports name themselves (``import:…``) and keep their
person, the recycle bin marks its deletes and restores.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache, reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.signals import pre_create_historical_record

from core.fields import AreaField, MoneyField
from core.masking import can_see_personal_data, mask_field, personal_fields, record_unmasked_views
from core.scope import scope_q

# The kinds of change a person reads in the log (history_type plus the recycle bin's restores).
CREATED, CHANGED, DELETED, RESTORED = "created", "changed", "deleted", "restored"
ACTION_LABELS = {
    CREATED: pgettext_lazy("change type", "created"),
    CHANGED: pgettext_lazy("change type", "changed"),
    DELETED: pgettext_lazy("change type", "deleted"),
    RESTORED: pgettext_lazy("change type", "restored"),
}
ACTION_CSS = {CREATED: "bg-success", CHANGED: "bg-primary", DELETED: "bg-danger", RESTORED: "bg-info text-dark"}
# Kept for callers that still map history_type directly.
CHANGE_TYPES = {"+": ACTION_LABELS[CREATED], "~": ACTION_LABELS[CHANGED], "-": ACTION_LABELS[DELETED]}

# The history_change_reason core.recycle writes on the rows it deletes into the bin and restores.
DELETE_REASON = "recycle-bin:delete"
RESTORE_REASON = "recycle-bin:restore"
# Background jobs and imports: history_change_reason "job:<name>" / "import:<name>".
JOB_PREFIX = "job:"
IMPORT_PREFIX = "import:"
SCORING_JOB = "job:scoring"
FACTS_JOB = "job:facts"
DEMO_JOB = "job:demo"
EXCEL_IMPORT = "import:excel"
DIVISIONS_IMPORT = "import:divisions"
VIA_LABELS = {
    DELETE_REASON: _("moved to the recycle bin"),
    RESTORE_REASON: _("from the recycle bin"),
    SCORING_JOB: _("scoring run"),
    FACTS_JOB: _("facts refresh"),
    DEMO_JOB: _("demo data"),
    EXCEL_IMPORT: _("Excel upload"),
    DIVISIONS_IMPORT: _("division code import"),
}

# Models whose history the change-log page shows; apps register theirs in AppConfig.ready().
AUDITED_MODELS: list[type[models.Model]] = []
# Readable names of the keys (and of well-known string values) of JSON fields, per app.
JSON_LABELS: dict[str, object] = {}


def register_audited(model) -> None:
    if model not in AUDITED_MODELS:
        AUDITED_MODELS.append(model)


def register_json_labels(labels) -> None:
    """``labels``: a dict, or a callable returning one (evaluated when a page is drawn, so
    lazy translations and data-defined names are current)."""
    JSON_LABELS[getattr(labels, "__qualname__", repr(labels))] = labels


# ---------------------------------------------------------------- who wrote it

_marker: ContextVar[tuple[str, bool] | None] = ContextVar("sanqi_audit_marker", default=None)


@contextmanager
def audited_as(reason: str, *, system: bool = False):
    """History rows written inside the block carry ``reason`` (unless the write names its own);
    ``system=True`` (a background job) also writes them as nobody, even when the job runs
    inline inside a person's request (the history middleware would otherwise name them)."""
    token = _marker.set((reason, system))
    try:
        yield
    finally:
        _marker.reset(token)


def current_marker() -> tuple[str, bool] | None:
    return _marker.get()


def record_changes(model, queryset, *, reason: str) -> int:
    """History rows for records written in bulk (``bulk_create``, ``update``, raw upserts
    write none), as a job: no person, ``reason`` as the change reason. One statement, set-based:
    a creation (``+``) for each row of ``queryset`` without history (or whose last history row
    is a deletion), a change (``~``) for each row whose tracked values differ from its last
    history row; rows as their history last saw them get nothing. Returns the rows written.

    Call it inside the transaction that wrote the rows: their row locks make a second writer of
    the same rows wait until the first commits, and its statement then compares with the first's
    history rows (READ COMMITTED), so a change is written once (tests/test_changelog.py)."""
    from django.db import connection

    hm = history_model(model)
    qn = connection.ops.quote_name
    tracked = [f.column for f in _tracked_fields(model)]
    pk = qn(model._meta.pk.column)
    try:
        ids_sql, ids_params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. ``pk__in=[]`` (a scoring chunk whose results are all submitted)
        return 0
    latest = (
        f"SELECT h.history_id FROM {qn(hm._meta.db_table)} h WHERE h.{pk} = s.{pk} "
        f"ORDER BY h.history_date DESC, h.history_id DESC LIMIT 1"
    )
    differs = " OR ".join(f"s.{qn(c)} IS DISTINCT FROM last.{qn(c)}" for c in tracked if c != model._meta.pk.column)
    columns = ", ".join(qn(c) for c in tracked)
    sql = (
        f"INSERT INTO {qn(hm._meta.db_table)} ({columns}, history_date, history_type, history_user_id, history_change_reason) "
        f"SELECT {', '.join(f's.{qn(c)}' for c in tracked)}, %s, "
        f"CASE WHEN last.history_id IS NULL OR last.history_type = '-' THEN '+' ELSE '~' END, NULL, %s "
        f"FROM {qn(model._meta.db_table)} s LEFT JOIN {qn(hm._meta.db_table)} last ON last.history_id = ({latest}) "
        f"WHERE s.{pk} IN ({ids_sql}) AND (last.history_id IS NULL OR last.history_type = '-' OR {differs or 'FALSE'})"
    )
    with connection.cursor() as cursor:
        # the date as the database stores it (SQLite: naive UTC text, like Django's own writes)
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(timezone.now()), reason, *ids_params])
        return cursor.rowcount


@receiver(pre_create_historical_record)
def _apply_marker(sender, history_instance, **kwargs):
    marker = _marker.get()
    if marker is None:
        return
    reason, system = marker
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = reason
    if system:
        history_instance.history_user = None


# ---------------------------------------------------------------- entries


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    date: dt.datetime
    user: object
    type: str
    type_label: str
    object_repr: str
    object_id: int
    model_label: str
    changes: list[Change] = field(default_factory=list)
    action: str = CHANGED
    actor: str = ""
    system: bool = False
    via: str = ""
    app_label: str = ""
    css: str = ""
    history_id: int = 0
    model: type | None = None

    # the first changes shown in a row, the rest folded under "另有 N 项"
    FOLD_AFTER = 8

    @property
    def shown_changes(self) -> list[Change]:
        return self.changes[: self.FOLD_AFTER]

    @property
    def folded_changes(self) -> list[Change]:
        return self.changes[self.FOLD_AFTER :]


def action_of(history_type: str, reason: str | None) -> str:
    if history_type == "-":
        return DELETED
    if history_type == "+":
        return RESTORED if reason == RESTORE_REASON else CREATED
    return CHANGED


def _action_q(action: str) -> Q:
    return {
        CREATED: Q(history_type="+") & (Q(history_change_reason__isnull=True) | ~Q(history_change_reason=RESTORE_REASON)),
        RESTORED: Q(history_type="+", history_change_reason=RESTORE_REASON),
        CHANGED: Q(history_type="~"),
        DELETED: Q(history_type="-"),
    }[action]


def person_name(user) -> str:
    """A user's name as Chinese writes it (李录入), else the login name."""
    from core.templatetags.sanqi import person

    return person(user)


HIDDEN_NAMES = {"id", "version"}


def _hidden(f) -> bool:
    """Bookkeeping nobody reads in a log: ids, versions, hashes and tokens, automatic stamps."""
    if f.name in HIDDEN_NAMES or f.primary_key:
        return True
    if f.name.endswith(("_hash", "hash", "_digest", "_token", "token", "_key")):
        return True
    return bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))


@lru_cache(maxsize=None)
def history_model(model):
    """The historical model of ``model``. (``model.history`` builds a new manager class on
    every access: a few milliseconds each, too many for a page of rows.)"""
    return model.history.model


@lru_cache(maxsize=None)
def _tracked_fields(model):
    excluded = set(getattr(history_model(model), "_history_excluded_fields", []) or [])
    return tuple(f for f in model._meta.concrete_fields if f.name not in excluded)


@lru_cache(maxsize=None)
def _shown_fields(model):
    hidden = set(getattr(model, "audit_hidden_fields", ()) or ())
    return [f for f in _tracked_fields(model) if not _hidden(f) and f.name not in hidden]


def display_name(obj) -> str:
    """How the log names a record: its ``change_log_name()`` when it has one, a person by
    their name, else ``str()``."""
    if obj is None:
        return ""
    if isinstance(obj, get_user_model()):
        return person_name(obj)
    named = getattr(obj, "change_log_name", None)
    return str(named() if callable(named) else obj)


def _json_labels() -> dict:
    labels: dict = {}
    for source in JSON_LABELS.values():
        labels.update(source() if callable(source) else source)
    return labels


def _json_text(value, labels: dict) -> str:
    if isinstance(value, dict):
        if not value:
            return "—"
        return "；".join(f"{labels.get(k, k)}：{_json_text(v, labels)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_json_text(v, labels) for v in value) or "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return str(labels.get(value, value))
    return str(value)


class _Names:
    """Names of the records rows refer to, fetched in one query per related model."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.objects: dict[tuple[type, object], object] = {}
        self.json_labels: dict | None = None

    def want(self, model, pk) -> None:
        if pk is not None:
            self.wanted.setdefault(model, set()).add(pk)

    def fetch(self) -> None:
        for related, ids in self.wanted.items():
            ids = {pk for pk in ids if (related, pk) not in self.objects}
            if not ids:
                continue
            # One level of select_related: a related record's own name may use its parent
            # (a result is named by its community).
            one_hop = [f.name for f in related._meta.concrete_fields if isinstance(f, models.ForeignKey)]
            for obj in related._base_manager.select_related(*one_hop).filter(pk__in=ids):
                self.objects[(related, obj.pk)] = obj
            missing = ids - {pk for (m, pk) in self.objects if m is related}
            if missing and related in AUDITED_MODELS:
                # Deleted since: named by their last snapshot.
                fields = _tracked_fields(related)
                for rec in history_model(related).objects.filter(id__in=missing).order_by("id", "-history_date", "-history_id"):
                    if (related, rec.id) not in self.objects:
                        self.objects[(related, rec.id)] = related(**{f.attname: getattr(rec, f.attname) for f in fields})
        self.wanted = {}

    def get(self, model, pk):
        return self.objects.get((model, pk))

    def name(self, model, pk) -> str:
        obj = self.get(model, pk)
        if obj is None:
            return f"#{pk}"
        try:
            return display_name(obj)
        except models.ObjectDoesNotExist:
            return f"#{pk}"

    def labels(self) -> dict:
        if self.json_labels is None:
            self.json_labels = _json_labels()
        return self.json_labels


def _display(f, value, names: _Names) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.name(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(f, MoneyField):
        return f"¥{Decimal(value):,.2f}"
    if isinstance(f, AreaField):
        return f"{Decimal(value):,.2f} ㎡"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(f, models.JSONField) or isinstance(value, (dict, list)):
        return _json_text(value, names.labels())
    return str(value)


def _snapshot(model, rec, names: _Names):
    """The record as the history row saw it, its foreign keys filled from ``names`` (no query)."""
    obj = model(**{f.attname: getattr(rec, f.attname) for f in _tracked_fields(model)})
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey):
            related = names.get(f.related_model, getattr(obj, f.attname))
            if related is not None:
                f.set_cached_value(obj, related)
            elif getattr(obj, f.attname) is not None:
                # Gone without a trace: a blank stand-in rather than a query per row.
                f.set_cached_value(obj, f.related_model(pk=getattr(obj, f.attname)))
    return obj


def _record_name(model, rec, names: _Names) -> str:
    try:
        return display_name(_snapshot(model, rec, names)) or f"#{rec.id}"
    except Exception:  # noqa: BLE001 - a name that cannot be drawn must not break the log
        return f"#{rec.id}"


def render_entries(groups, *, user, users: dict | None = None, channel: str | None = None) -> list[Entry]:
    """Entries for ``groups``: ``[(model, records, previous)]`` where ``previous`` maps a
    history row id to the row just before it of the same record (absent: none). Every lookup is
    batched over all groups: one query per related model, one for the people.

    ``channel`` (``"page"``, ``"export"``): the records whose personal fields the entries show
    unmasked are recorded as seen through it, one insert per model, as every other channel
    records them (core.masking); None where the caller records the record itself (a detail
    page's history card)."""
    names = _Names()
    unmasked: dict[type, dict] = {}
    see_personal = can_see_personal_data(user)
    for model, records, previous in groups:
        for rec in [*records, *previous.values()]:
            for f in model._meta.concrete_fields:
                if isinstance(f, models.ForeignKey):
                    names.want(f.related_model, getattr(rec, f.attname))
    if users is None:
        user_ids = {rec.history_user_id for _m, records, _p in groups for rec in records if rec.history_user_id}
        users = {u.pk: u for u in get_user_model()._base_manager.filter(pk__in=user_ids)} if user_ids else {}
    names.fetch()
    entries: list[Entry] = []
    for model, records, previous in groups:
        fields = _shown_fields(model)
        personal = set() if see_personal else set(personal_fields(model))
        verbose = str(model._meta.verbose_name)
        for rec in records:
            reason = getattr(rec, "history_change_reason", None) or ""
            action = action_of(rec.history_type, reason)
            before = previous.get(rec.history_id)
            if before is not None and (before.history_type == "-" or action in (CREATED, RESTORED)):
                before = None  # a creation or a return from the bin lists every value it has
            changes = []
            if action != DELETED:
                for f in fields:
                    new = getattr(rec, f.attname)
                    if before is None:
                        if new is None or new == "" or new is False or new == {} or new == []:
                            continue
                        old_text = ""
                    else:
                        old = getattr(before, f.attname)
                        if old == new:
                            continue
                        old_text = _display(f, old, names)
                    new_text = _display(f, new, names)
                    if f.name in personal:
                        old_text, new_text = mask_field(f.name, old_text), mask_field(f.name, new_text)
                    elif see_personal and channel and f.name in personal_fields(model):
                        unmasked.setdefault(model, {}).setdefault(rec.id, rec)
                    changes.append(Change(str(f.verbose_name), old_text, new_text))
            person = users.get(rec.history_user_id) if rec.history_user_id else None
            system = person is None
            via = str(VIA_LABELS.get(reason, "")) if reason else ""
            if system:
                actor = f"{_('system')}" + (f" · {via}" if via and reason.startswith(JOB_PREFIX) else "")
            else:
                actor = person_name(person)
            entries.append(
                Entry(
                    date=rec.history_date,
                    user=person,
                    type=rec.history_type,
                    type_label=str(ACTION_LABELS[action]),
                    object_repr=_record_name(model, rec, names),
                    object_id=rec.id,
                    model_label=verbose,
                    changes=changes,
                    action=action,
                    actor=actor,
                    system=system,
                    via=via if reason and not (system and reason.startswith(JOB_PREFIX)) else "",
                    app_label=model._meta.app_label,
                    css=ACTION_CSS[action],
                    history_id=rec.history_id,
                    model=model,
                )
            )
    for model, seen in unmasked.items():
        record_unmasked_views(
            user=user, objects=[_snapshot(model, rec, names) for rec in seen.values()],
            fields=list(personal_fields(model)), channel=channel,
        )
    entries.sort(key=lambda e: (e.date, e.history_id), reverse=True)
    return entries


def _previous_link(hm):
    """The history id of the row just before each row of the same record (None: the first)."""
    return Subquery(
        hm.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )


def rows_with_previous(hm, history_ids) -> tuple[list, dict]:
    """The history rows ``history_ids`` and ``{history_id: the row before it of the same
    record}``: two queries, each by primary key (the link is a correlated subquery on the
    ``id`` index; an ``IN (…) OR IN (subquery)`` in one query made PostgreSQL scan the table)."""
    records = list(hm.objects.filter(history_id__in=history_ids).annotate(prev_id=_previous_link(hm)))
    wanted = {r.prev_id for r in records if r.prev_id is not None}
    before = {r.history_id: r for r in hm.objects.filter(history_id__in=wanted)} if wanted else {}
    return records, {r.history_id: before[r.prev_id] for r in records if r.prev_id in before}


def entries_from_records(model, records, previous: dict | None = None, *, user=None) -> list[Entry]:
    """Entries of one model's history rows; ``previous`` maps a record id to its history row
    just before the oldest one given (kept for callers of the older interface)."""
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    last: dict = dict(previous or {})
    by_history: dict = {}
    for rec in ordered:
        if rec.id in last:
            by_history[rec.history_id] = last[rec.id]
        last[rec.id] = rec
    return render_entries([(model, ordered, by_history)], user=user)


def history_for(obj, *, user, limit: int = 100) -> list[Entry]:
    """The audit trail of one record as ``user`` may read it, newest first, with before/after
    of each change (personal fields masked for users without the permission)."""
    records = list(obj.history.order_by("-history_date", "-history_id")[: limit + 1])
    shown = records[:limit]
    by_history = {newer.history_id: older for newer, older in zip(records, records[1:])}
    return render_entries([(type(obj), shown, by_history)], user=user)


# ---------------------------------------------------------------- the change log


@dataclass
class LogFilter:
    """What the change log is narrowed to; every part optional."""

    person: int | None = None  # a user id; 0: the system (jobs, no person)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    app: str = ""
    action: str = ""
    kind: str = ""  # "app_label.modelname"


def kind_key(model) -> str:
    return model._meta.label_lower


def _scope(user, model, actions: tuple) -> Q:
    parts = [scope_q(user, a, model.scope_path) for a in (*actions, *getattr(model, "audit_actions", ()))]
    # An empty Q is "everything" (the superuser); Q() | Q(x) would narrow it to x.
    return Q() if any(not p for p in parts) else reduce(or_, parts)


def _day_start(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _branch_querysets(user, flt: LogFilter, actions: tuple):
    for index, model in enumerate(AUDITED_MODELS):
        if flt.app and model._meta.app_label != flt.app:
            continue
        if flt.kind and kind_key(model) != flt.kind:
            continue
        qs = history_model(model).objects.filter(_scope(user, model, actions))
        if flt.person == 0:
            qs = qs.filter(history_user__isnull=True)
        elif flt.person:
            qs = qs.filter(history_user_id=flt.person)
        if flt.date_from:
            qs = qs.filter(history_date__gte=_day_start(flt.date_from))
        if flt.date_to:
            qs = qs.filter(history_date__lt=_day_start(flt.date_to + dt.timedelta(days=1)))
        if flt.action in ACTION_LABELS:
            qs = qs.filter(_action_q(flt.action))
        yield index, qs.order_by().values_list("history_date", "history_id")


def _scope_key(user, actions: tuple) -> tuple:
    from core.scope import Action, scope_prefixes

    every = {*actions, *(a for m in AUDITED_MODELS for a in getattr(m, "audit_actions", ()))}
    return tuple((str(a), None if (p := scope_prefixes(user, Action(a))) is None else tuple(p)) for a in sorted(every, key=str))


_compiled: dict = {}


def _compiled_branches(user, flt: LogFilter, actions: tuple) -> list[tuple[int, str, tuple]]:
    """``[(kind, sql, params)]`` of every branch. Compiling ~35 scoped querysets costs more than
    running them, so the SQL is kept per process for each (scope, filter): a pure function of
    the code prefixes the user reaches and the filter, never of the data."""
    from django.db import connection

    key = (connection.vendor, _scope_key(user, actions), flt.person, flt.date_from, flt.date_to, flt.app, flt.action, flt.kind)
    found = _compiled.get(key)
    if found is None:
        found = []
        for index, qs in _branch_querysets(user, flt, actions):
            try:
                sql, params = qs.query.sql_with_params()
            except EmptyResultSet:  # a scope that reaches nothing
                continue
            found.append((index, sql, tuple(params)))
        if len(_compiled) > 512:
            _compiled.clear()
        _compiled[key] = found
    return found


@dataclass
class Cursor:
    """A position in the log: the (date, kind, history id) of a row, newest first."""

    date: dt.datetime
    kind: int
    history_id: int

    def token(self) -> str:
        # microseconds since the epoch: no "+" of a time zone to be read back as a space
        return f"{(self.date - _EPOCH) // dt.timedelta(microseconds=1)}~{self.kind}~{self.history_id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """The cursor a link carries; None for anything else (a page starts at the newest)."""
        if not token:
            return None
        try:
            micros, kind, history_id = (int(part) for part in token.split("~"))
            return cls(_EPOCH + dt.timedelta(microseconds=micros), kind, history_id)
        except (ValueError, TypeError, OverflowError):
            return None


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _aware(value):
    """A history date read by raw SQL: SQLite gives naive UTC (or its text), PostgreSQL aware."""
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value


class LogQuery:
    """Every audited history table the user may read as one list of ``(history_date,
    history_id, kind)`` rows, newest first (``kind`` indexes :data:`AUDITED_MODELS`), each
    table narrowed by the same scope rule as its records.

    Paged by keyset: each table is asked for the next rows after the cursor, in the order of its
    ``history_date`` index, so a page costs the same on the first page as on the thousandth
    and whatever the size of the log; no COUNT."""

    def __init__(self, user, flt: LogFilter | None = None, actions: tuple = ("view",)):
        self.branches = _compiled_branches(user, flt or LogFilter(), actions)

    def _run(self, sql: str, params: list) -> list:
        from django.db import connection

        # Dates as each database stores them (SQLite: naive UTC text), and back as aware UTC.
        params = [connection.ops.adapt_datetimefield_value(p) if isinstance(p, dt.datetime) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(_aware(row[0]), *row[1:]) for row in cursor.fetchall()]

    def rows(self, *, after: Cursor | None = None, before: Cursor | None = None, limit: int = 50) -> list[tuple]:
        """Up to ``limit`` rows older than ``after`` (or newer than ``before``), newest first."""
        if not self.branches:
            return []
        newer = before is not None
        at = before if newer else after
        cmp, direction = (">", "ASC") if newer else ("<", "DESC")
        parts, params = [], []
        for kind, sql, branch_params in self.branches:
            where, extra = "", []
            if at is not None:
                if kind == at.kind:
                    where, extra = f"WHERE (b.history_date, b.history_id) {cmp} (%s, %s)", [at.date, at.history_id]
                elif (kind < at.kind) != newer:
                    where, extra = f"WHERE b.history_date {cmp}= %s", [at.date]
                else:
                    where, extra = f"WHERE b.history_date {cmp} %s", [at.date]
            # Each member wrapped as a derived table: SQLite refuses a parenthesised member of a
            # compound SELECT, and both databases accept this form (PostgreSQL needs the alias).
            parts.append(
                f"SELECT * FROM (SELECT b.history_date, b.history_id, {int(kind)} AS kind FROM ({sql}) b {where} "
                f"ORDER BY b.history_date {direction}, b.history_id {direction} LIMIT {int(limit)}) m{int(kind)}"
            )
            params.extend(branch_params)
            params.extend(extra)
        union = " UNION ALL ".join(parts)
        found = self._run(
            f"SELECT * FROM ({union}) u ORDER BY 1 {direction}, 3 {direction}, 2 {direction} LIMIT {int(limit)}", params
        )
        return list(reversed(found)) if newer else found

    def iterate(self, *, chunk: int = 500, limit: int | None = None):
        """Every row, newest first, a chunk at a time (exports)."""
        after, seen = None, 0
        while True:
            rows = self.rows(after=after, limit=chunk)
            if limit is not None:
                rows = rows[: max(0, limit - seen)]
            if not rows:
                return
            yield rows
            seen += len(rows)
            if len(rows) < chunk:
                return
            after = Cursor(rows[-1][0], rows[-1][2], rows[-1][1])


def log_rows(user, flt: LogFilter | None = None, actions: tuple = ("view",)) -> LogQuery:
    return LogQuery(user, flt, actions)


def entries_for_rows(rows, *, user, channel: str = "page") -> list[Entry]:
    """The entries of one page of :func:`log_rows`: per kind on the page two queries (its rows,
    the rows before them), per related model one, one for the people (and, for a reader who
    sees personal data, one insert recording it per model that shows some)."""
    by_kind: dict[int, list[int]] = {}
    for _date, history_id, kind in rows:
        by_kind.setdefault(kind, []).append(history_id)
    groups = []
    for kind, ids in by_kind.items():
        model = AUDITED_MODELS[kind]
        groups.append((model, *rows_with_previous(history_model(model), ids)))
    entries = render_entries(groups, user=user, channel=channel)
    position = {(AUDITED_MODELS[k], hid): n for n, (_d, hid, k) in enumerate(rows)}
    entries.sort(key=lambda e: position[(e.model, e.history_id)])
    return entries


def recent_changes(user, limit: int = 100, actions: tuple = ("view",)) -> list[Entry]:
    """The latest changes the user may see, across every audited model, newest first.

    ``actions``: the duties whose scope counts (the change-log page adds the auditor's); a
    model may add its own in ``audit_actions`` (accounts: their administrators')."""
    return entries_for_rows(LogQuery(user, actions=actions).rows(limit=limit), user=user)


def app_choices() -> list[tuple[str, str]]:
    from django.apps import apps

    labels = {m._meta.app_label for m in AUDITED_MODELS}
    return sorted(((label, str(apps.get_app_config(label).verbose_name)) for label in labels), key=lambda c: c[0])


def kind_choices(app: str = "") -> list[tuple[str, str]]:
    return sorted(
        ((kind_key(m), str(m._meta.verbose_name)) for m in AUDITED_MODELS if not app or m._meta.app_label == app),
        key=lambda c: c[0],
    )
