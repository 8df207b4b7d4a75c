"""Writes of the annual assessment: schemes and indicators, scoring runs, the review workflow
and manual adjustments. Business rules live here; pages and API call these functions."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Chunk, Event, Indicator, Method, Result, Run, RunState, Scheme, Score, ScoredBy, State
from assessments.rules import apply_rule, used_facts
from communities.models import Level, Node
from core import versioning
from core.audit import SCORING_JOB, record_changes
from core.contention import duplicates_refused, retry_once
from core.jobs import queue_after_commit, queue_now
from core.jobs import stall_seconds as job_stall_seconds
from core.scope import Action, node_in_scope
from figures.selectors import assessment_facts

log = logging.getLogger(__name__)
DEFAULT_SCHEME = Path(__file__).resolve().parent / "data" / "default_scheme.json"
HUNDRED = Decimal("100")


# The record changed since the caller read it (HTTP 409): the one exception of core.versioning.
Conflict = versioning.Conflict


# ---------------------------------------------------------------- schemes and indicators


def _may_manage(actor, district: Node) -> None:
    """Schemes and runs belong to the district's organization department: its reviewers."""
    if district is None or not node_in_scope(actor, district, Action.REVIEW):
        raise PermissionDenied(_("Only the district's organization department may manage its assessment."))


def _save(actor, instance):
    instance.full_clean()
    instance._history_user = actor
    with duplicates_refused(instance):  # e.g. the same district's scheme created twice at once
        versioning.save(instance)
    return instance


def _check_unlocked(scheme: Scheme) -> None:
    if scheme.locked:
        raise ValidationError(_("Scoring has started: this scheme can no longer be edited. Copy it to a new year instead."))


def load_default_definition() -> dict:
    return json.loads(DEFAULT_SCHEME.read_text(encoding="utf-8"))


def _create_tree(actor, scheme: Scheme, items: list[dict], parent: Indicator | None = None) -> None:
    for position, item in enumerate(items, start=1):
        children = item.get("children") or []
        indicator = Indicator(
            scheme=scheme,
            parent=parent,
            position=position,
            name=item["name"],
            weight=Decimal(str(item["weight"])),
            method=Method.MANUAL if item.get("method") == "manual" else Method.AUTO,
            scored_by=item.get("scored_by", "") if item.get("method") == "manual" else "",
            rule="" if children else item.get("rule", ""),
            params={} if children else item.get("params", {}),
            description=item.get("description", ""),
        )
        _save(actor, indicator)
        _create_tree(actor, scheme, children, indicator)


def scheme_tree(scheme: Scheme) -> list[dict]:
    """The scheme's indicators as nested dicts (the shape of the default scheme file): one query."""
    indicators = list(scheme.indicators.all())
    by_parent: dict = {}
    for ind in indicators:
        by_parent.setdefault(ind.parent_id, []).append(ind)

    def build(parent_id):
        out = []
        for ind in sorted(by_parent.get(parent_id, []), key=lambda i: (i.position, i.pk)):
            item = {"id": ind.pk, "name": ind.name, "weight": str(ind.weight), "method": ind.method,
                    "rule": ind.rule, "params": ind.params, "scored_by": ind.scored_by,
                    "scored_by_label": ind.get_scored_by_display(), "description": ind.description, "children": build(ind.pk)}
            out.append(item)
        return out

    return build(None)


@transaction.atomic
def scheme_create(*, actor, district: Node, year: int, name: str = "", source: Scheme | None = None) -> Scheme:
    """A scheme for ``district`` and ``year``: a copy of ``source`` (any year), or the shipped default."""
    _may_manage(actor, district)
    if source is not None:
        _may_manage(actor, source.district)
        items = scheme_tree(source)
        thresholds = {k: getattr(source, k) for k in ("excellent_from", "good_from", "pass_from")}
        name = name or source.name
    else:
        definition = load_default_definition()
        items = definition["indicators"]
        thresholds = {k: Decimal(str(v)) for k, v in definition["thresholds"].items()}
        name = name or definition["name"]
    if Scheme.objects.filter(district=district, year=year).exists():
        raise ValidationError(_("%(district)s already has a scheme for %(year)s.") % {"district": district.name, "year": year})
    scheme = _save(actor, Scheme(district=district, year=year, name=name, **thresholds))
    _create_tree(actor, scheme, items)
    validate_weights(scheme)
    return scheme


@transaction.atomic
def scheme_update(*, actor, scheme: Scheme, **fields) -> Scheme:
    _may_manage(actor, scheme.district)
    # the thresholds grade the results already scored: a locked scheme keeps them (copy it instead)
    _check_unlocked(Scheme.objects.select_for_update().get(pk=scheme.pk))
    return _save(actor, versioning.locked_update(scheme, fields))


def validate_weights(scheme: Scheme) -> None:
    """Children's weights sum to their parent's; top-level weights sum to 100."""
    indicators = list(scheme.indicators.all())
    errors = []
    top = sum((i.weight for i in indicators if i.parent_id is None), Decimal(0))
    if top != HUNDRED:
        errors.append(_("The top-level indicators weigh %(sum)s in all; they must weigh 100.") % {"sum": top.normalize()})
    for parent in indicators:
        children = [i for i in indicators if i.parent_id == parent.pk]
        if children:
            total = sum((c.weight for c in children), Decimal(0))
            if total != parent.weight:
                errors.append(
                    _("The indicators under “%(name)s” weigh %(sum)s; they must weigh %(weight)s.")
                    % {"name": parent.name, "sum": total.normalize(), "weight": parent.weight.normalize()}
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_create(*, actor, scheme: Scheme, **fields) -> Indicator:
    _may_manage(actor, scheme.district)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _check_unlocked(scheme)
    return _save(actor, Indicator(scheme=scheme, **fields))


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **fields) -> Indicator:
    _may_manage(actor, indicator.scheme.district)
    Scheme.objects.select_for_update().get(pk=indicator.scheme_id)
    _check_unlocked(indicator.scheme)
    return _save(actor, versioning.locked_update(indicator, fields))


@transaction.atomic
def indicator_delete(*, actor, indicator: Indicator) -> None:
    _may_manage(actor, indicator.scheme.district)
    Scheme.objects.select_for_update().get(pk=indicator.scheme_id)
    _check_unlocked(indicator.scheme)
    indicator._history_user = actor
    indicator.delete()


# ---------------------------------------------------------------- scoring


def run_start(*, actor, scheme: Scheme, chunk_size: int = 200, enqueue: bool = True) -> Run:
    """Start scoring every community of the scheme's district; chunks are queued after commit
    (``enqueue=False``: the caller scores the chunks itself, e.g. the demo loader)."""
    _may_manage(actor, scheme.district)
    if chunk_size < 1:
        raise ValidationError(_("The chunk size must be at least 1."))
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().select_related("district").get(pk=scheme.pk)
        validate_weights(scheme)
        if scheme.runs.filter(state=RunState.RUNNING).exists():
            raise ValidationError(_("A scoring job of this scheme is still running."))
        ids = list(
            Node.objects.filter(level=Level.COMMUNITY, code__startswith=scheme.district.prefix)
            .order_by("code")
            .values_list("pk", flat=True)
        )
        run = Run.objects.create(scheme=scheme, total=len(ids), chunk_size=chunk_size, started_by=actor)
        Chunk.objects.bulk_create(
            [Chunk(run=run, number=n, community_ids=ids[i : i + chunk_size]) for n, i in enumerate(range(0, len(ids), chunk_size))]
        )
        if not ids:
            Run.objects.filter(pk=run.pk).update(state=RunState.FINISHED, finished=timezone.now())
    if enqueue and ids:
        # Only once the run is committed; a broker that cannot take the chunks withdraws the run
        # (no "running" row that nothing runs, blocking every new start) and refuses the start.
        queue_after_commit(lambda: _queue_chunks(run.pk), withdraw=lambda: Run.objects.filter(pk=run.pk).delete())
    return run


def _queue_chunks(run_id: int) -> int:
    from assessments.tasks import score_chunk

    pending = list(Chunk.objects.filter(run_id=run_id, done=False).values_list("pk", flat=True))
    for pk in pending:
        score_chunk.delay(pk)
    return len(pending)


def run_resume(*, run_id: int) -> int:
    """Queue every chunk of the run not yet done (after a crash, a lost queue, or at start). Chunks
    are idempotent, so a chunk queued twice is scored once. Raises ``QueueUnavailable`` (a
    ValidationError) when the broker cannot be reached."""
    queued = []
    queue_now(lambda: queued.append(_queue_chunks(run_id)))
    Run.objects.filter(pk=run_id, state=RunState.RUNNING).update(progressed=timezone.now())
    return queued[0]


def requeue_stalled_runs(*, stall_seconds: int | None = None) -> list[int]:
    """The periodic check (Celery beat): queue again the unfinished chunks of every running job
    that made no progress for ``stall_seconds`` (its queue was lost, its worker killed). Returns
    the ids of the runs queued again."""
    stall = stall_seconds if stall_seconds is not None else job_stall_seconds()
    cutoff = timezone.now() - timedelta(seconds=stall)
    requeued = []
    for run_id in Run.objects.filter(state=RunState.RUNNING, progressed__lt=cutoff).values_list("pk", flat=True):
        try:
            count = run_resume(run_id=run_id)
        except ValidationError as exc:  # the broker is still down: the next check tries again
            log.warning("could not queue stalled run %s again: %s", run_id, exc.messages[0])
            break
        log.warning("scoring run %s made no progress for %ss: queued its %s unfinished chunks again", run_id, stall, count)
        requeued.append(run_id)
    return requeued


def _sum_of(field: str):
    return Coalesce(
        Subquery(
            Score.objects.filter(result=OuterRef("pk")).order_by().values("result").annotate(s=Sum(field)).values("s")
        ),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )


def _refresh_totals(results) -> None:
    results.update(computed_total=_sum_of("computed"), final_total=_sum_of("final"))


def score_chunk(chunk_id: int) -> bool:
    """Score one chunk: a constant number of set-based queries whatever its size. Re-running it
    rewrites the same rows; a chunk already done is skipped (False).

    The hot path builds no model object per community: the facts come from the facts table as
    values, each (indicator, facts it reads) is scored once per chunk (rules are pure functions
    of those facts; communities share them often), and results and scores are written with one
    ``INSERT … ON CONFLICT`` each, the score's final value in the same statement."""
    with transaction.atomic():
        chunk = Chunk.objects.select_for_update().filter(pk=chunk_id, done=False).first()
        if chunk is None:
            return False
        run = Run.objects.select_related("scheme").get(pk=chunk.run_id)
        scheme, year = run.scheme, run.scheme.year
        ids = list(chunk.community_ids)
        leaves = _leaves(scheme)
        now = timezone.now()
        result_ids = _upsert_results(scheme, ids, year, now)  # submitted/approved results are left alone
        open_ids = sorted(result_ids)
        facts = assessment_facts(community_ids=open_ids, year=year)  # the facts table (figures)
        _upsert_scores(_score_rows(leaves, open_ids, facts, result_ids, year))
        _refresh_totals(Result.objects.filter(pk__in=list(result_ids.values())))
        # The upserts leave no history: the run writes it as itself (系统 · 考核评分 in the change
        # log), a creation for each new row and a change for each row it moved, set-based.
        record_changes(Result, Result.objects.filter(pk__in=list(result_ids.values())), reason=SCORING_JOB)
        record_changes(Score, Score.objects.filter(result_id__in=list(result_ids.values())), reason=SCORING_JOB)
        chunk.done = True
        chunk.save(update_fields=["done"])
        Run.objects.filter(pk=run.pk).update(done=F("done") + len(ids), progressed=now)
        Run.objects.filter(pk=run.pk, state=RunState.RUNNING, done__gte=F("total")).update(
            state=RunState.FINISHED, finished=timezone.now()
        )
    return True


def _values_upsert(model, columns: list[str], rows: list[tuple], conflict: list[str], update_sql: str,
                   returning: str = "") -> list[tuple]:
    """``INSERT INTO <model> (columns) VALUES … ON CONFLICT (conflict) DO UPDATE SET update_sql``
    [``RETURNING``] with already adapted values: one statement on PostgreSQL, split only at the
    database's parameter limit (SQLite)."""
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    limit = connection.features.max_query_params
    per = max(1, limit // len(columns)) if limit else len(rows)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(batch))} "
                f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {update_sql}" + (f" RETURNING {returning}" if returning else ""),
                [v for row in batch for v in row],
            )
            if returning:
                out.extend(cursor.fetchall())
    return out


def _upsert_results(scheme: Scheme, ids: list[int], year: int, now) -> dict[int, int]:
    """Create or touch the communities' results; ``{community id: result id}`` of the open ones
    (draft or returned): a submitted or approved result is not updated, so not returned."""
    table = connection.ops.quote_name(Result._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    zero = connection.ops.adapt_decimalfield_value(Decimal("0"), 6, 2)
    rows = [(scheme.pk, pk, year, State.DRAFT.value, zero, zero, "", at, 0) for pk in ids]
    returned = _values_upsert(
        Result, ["scheme_id", "community_id", "year", "state", "computed_total", "final_total", "comment", "scored", "version"],
        rows, ["community_id", "year"],
        f"scheme_id = excluded.scheme_id, scored = excluded.scored "
        f"WHERE {table}.state IN ('{State.DRAFT.value}', '{State.RETURNED.value}')",
        returning="community_id, id",
    )
    return dict(returned)


def _score_rows(leaves: list[Indicator], ids: list[int], facts: dict[int, dict], result_ids: dict[int, int], year: int):
    """The score rows (adapted values) of these communities: each indicator is scored once per
    distinct combination of the facts it reads."""
    ops = connection.ops
    evidence_field = Score._meta.get_field("evidence")
    plans = []
    for indicator in leaves:
        if indicator.method == Method.AUTO:
            plans.append((indicator, used_facts(indicator.rule, indicator.params), {}))
        else:  # no computed score; the evidence says so
            plans.append((indicator, None, evidence_field.get_db_prep_save({"method": "manual", "max": str(indicator.weight)}, connection)))
    rows = []
    for pk in ids:
        community_facts = facts[pk]
        result_id = result_ids[pk]
        for indicator, names, memo in plans:
            if names is None:  # manual: ``memo`` is its evidence
                rows.append((result_id, pk, year, indicator.pk, None, None, memo, ""))
                continue
            key = tuple(community_facts.get(name) for name in names)
            scored = memo.get(key)
            if scored is None:
                value, evidence = apply_rule(indicator.rule, indicator.params, community_facts, indicator.weight)
                value = ops.adapt_decimalfield_value(value, 6, 2)
                scored = memo[key] = (value, evidence_field.get_db_prep_save(evidence, connection))
            rows.append((result_id, pk, year, indicator.pk, scored[0], scored[0], scored[1], ""))
    return rows


def _upsert_scores(rows: list[tuple]) -> None:
    """Write the scores: the computed value and evidence always; the final value too unless a
    person adjusted it (then it keeps theirs). One statement (PostgreSQL)."""
    table = connection.ops.quote_name(Score._meta.db_table)
    _values_upsert(
        Score, ["result_id", "community_id", "year", "indicator_id", "computed", "final", "evidence", "adjust_reason"],
        rows, ["community_id", "year", "indicator_id"],
        "result_id = excluded.result_id, computed = excluded.computed, evidence = excluded.evidence, "
        f"final = CASE WHEN {table}.adjusted_at IS NULL THEN excluded.final ELSE {table}.final END",
    )


def _leaves(scheme: Scheme) -> list[Indicator]:
    indicators = list(scheme.indicators.all())
    parents = {i.parent_id for i in indicators}
    return [i for i in indicators if i.pk not in parents]


# ---------------------------------------------------------------- workflow

SUBMIT, APPROVE, RETURN, REOPEN = "submit", "approve", "return", "reopen"
TRANSITIONS = {
    # action: (allowed from, to, who)
    SUBMIT: ({State.DRAFT, State.RETURNED}, State.SUBMITTED, "clerk"),
    APPROVE: ({State.SUBMITTED}, State.APPROVED, "reviewer"),
    RETURN: ({State.SUBMITTED}, State.RETURNED, "reviewer"),
    REOPEN: ({State.APPROVED}, State.DRAFT, "admin"),
}


def is_street_clerk(actor, result: Result) -> bool:
    """A data-entry clerk of the community's street (or above) — not of the community alone."""
    street = result.community.parent
    return street is not None and node_in_scope(actor, street, Action.CHANGE)


def is_reviewer(actor, result: Result) -> bool:
    return Result.objects.restrict(actor, Action.REVIEW).filter(pk=result.pk).exists()


def _check_actor(actor, result: Result, who: str) -> None:
    if who == "clerk" and not is_street_clerk(actor, result):
        raise PermissionDenied(_("Only a data-entry clerk of the community's street may submit its result."))
    if who == "reviewer" and not is_reviewer(actor, result):
        raise PermissionDenied(_("Only a reviewer of the district may approve or return this result."))
    if who == "admin" and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only a system administrator may reopen an approved result."))


def allowed_actions(actor, result: Result) -> list[str]:
    out = []
    for action, (sources, _to, who) in TRANSITIONS.items():
        if result.state in sources:
            try:
                _check_actor(actor, result, who)
            except PermissionDenied:
                continue
            out.append(action)
    return out


def result_transition(*, actor, result: Result, action: str, comment: str = "", version: int | None = None) -> Result:
    """Move a result through the workflow. Raises PermissionDenied for the wrong person,
    ValidationError for an illegal move, and Conflict when someone else changed it first."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    sources, target, who = TRANSITIONS[action]
    _check_actor(actor, result, who)
    comment = (comment or "").strip()
    if action in (RETURN, REOPEN) and not comment:
        raise ValidationError({"comment": _("Give a reason (comment) for this step.")})
    seen_state = result.state
    with transaction.atomic():
        current = Result.objects.select_for_update().get(pk=result.pk)
        if (version is not None and current.version != version) or current.state != seen_state:
            raise Conflict(_("This result has already been changed by someone else; reload it and try again."))
        if current.state not in sources:
            raise ValidationError(
                _("A result that is %(state)s cannot be %(action)s.")
                % {"state": State(current.state).label, "action": ACTION_VERBS[action]}
            )
        Event.objects.create(result=current, action=action, from_state=current.state, to_state=target, actor=actor, comment=comment)
        current.state = target
        current.version += 1
        if action in (RETURN, REOPEN):
            current.comment = comment
        current._history_user = actor
        current.save()
    return current


@dataclass
class RowOutcome:
    """What one row of a batch came to: ``status`` is ok, conflict (changed since the caller read
    it), invalid (a move its state does not allow), forbidden (not this person's to move) or
    missing (not in the caller's scope, or no such result)."""

    id: int
    status: str
    message: str
    community: str = ""
    state: str = ""
    version: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


BULK_LIMIT = 200


def results_bulk_transition(*, actor, action: str, rows: list[tuple[int, int | None]], comment: str = "",
                            visible=None) -> list[RowOutcome]:
    """Move many results through the workflow at once (批量提交 / 通过 / 退回), each row on its own.

    ``rows``: (result id, the version the caller saw, or None). ``visible``: the results the caller
    may read (default: their scope); any other id is reported missing, never moved.

    One transaction per row, by design: the rows are independent decisions about different
    communities, so one row that someone changed meanwhile (or that is in the wrong state) is
    reported and the others still go through, rather than a whole page of approvals failing on
    one stale row. Each row goes through :func:`result_transition` (same checks, same Event and
    history), which locks only that row; rows are taken in id order, so two batches never hold
    locks the other waits for, and a deadlock against the scoring job is retried once
    (``core.contention.retry_once``). A return needs its comment before any row is touched."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    comment = (comment or "").strip()
    if action in (RETURN, REOPEN) and not comment:
        raise ValidationError({"comment": _("Give a reason (comment) for this step.")})
    wanted: dict[int, int | None] = {}
    for pk, version in rows:
        wanted[int(pk)] = version
    if not wanted:
        raise ValidationError(_("Tick at least one result."))
    if len(wanted) > BULK_LIMIT:
        raise ValidationError(_("At most %(n)s results at a time.") % {"n": BULK_LIMIT})
    if visible is None:
        visible = Result.objects.visible_to(actor)
    found = {r.pk: r for r in visible.filter(pk__in=list(wanted)).select_related("community__parent", "scheme")}
    outcomes = []
    for pk in sorted(wanted):
        result = found.get(pk)
        if result is None:
            outcomes.append(RowOutcome(pk, "missing", _("No such result in your scope.")))
            continue
        name = result.community.name
        try:
            moved = retry_once(result_transition, actor=actor, result=result, action=action, comment=comment,
                               version=wanted[pk])
        except Conflict as exc:
            outcomes.append(RowOutcome(pk, "conflict", str(exc), name, result.state, result.version))
        except PermissionDenied as exc:
            outcomes.append(RowOutcome(pk, "forbidden", str(exc), name, result.state, result.version))
        except ValidationError as exc:
            outcomes.append(RowOutcome(pk, "invalid", " ".join(exc.messages), name, result.state, result.version))
        else:
            outcomes.append(RowOutcome(pk, "ok", _("Done."), name, moved.state, moved.version))
    return outcomes


ACTION_VERBS = {SUBMIT: gettext_lazy("submitted"), APPROVE: gettext_lazy("approved"), RETURN: gettext_lazy("returned"),
                REOPEN: gettext_lazy("reopened")}


def adjust_refusal(indicator: Indicator, state: str, *, reviewer: bool, clerk: bool) -> str | None:
    """Why this person may not set this indicator's score on a result in ``state`` (None: they
    may). Who scores what: an automatic score is computed from the data, so only a reviewer of
    the district changes it; a manual indicator is scored by whoever it names (``scored_by``);
    the street's clerks only before they submit, a reviewer once it is submitted. Pure: the page
    asks it for every row without a query."""
    if state == State.APPROVED:
        return _("An approved result is final; it can only be changed after an administrator reopens it.")
    if indicator.method == Method.AUTO:
        if not reviewer:
            return _("Automatic scores are computed from the data; only a reviewer of the district may change one, "
                     "giving the reason.")
        return None
    if indicator.scored_by == ScoredBy.DISTRICT:
        if not reviewer:
            return _("This indicator is scored by the district's organization department; only its reviewers may score it.")
        return None
    if state == State.SUBMITTED:
        return None if reviewer else _("A submitted result can only be adjusted by a reviewer.")
    return None if clerk else _(
        "Only a data-entry clerk of the community's street may adjust a result before it is submitted.")


def score_adjust(*, actor, score: Score, final, reason: str, version: int | None = None) -> Score:
    """Set a score's final value by hand, keeping the computed one, who, when and why (the
    score's history keeps every adjustment). Who may: :func:`adjust_refusal`."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    try:
        final = Decimal(str(final))
    except Exception:
        raise ValidationError({"final": _("Enter the final score as a number.")}) from None
    result = score.result
    with transaction.atomic():
        current = Result.objects.select_for_update(of=("self",)).select_related("community__parent").get(pk=result.pk)
        if version is not None and current.version != version:
            raise Conflict(_("This result has already been changed by someone else; reload it and try again."))
        score = Score.objects.select_related("indicator").get(pk=score.pk)
        refusal = adjust_refusal(score.indicator, current.state, reviewer=is_reviewer(actor, current),
                                 clerk=is_street_clerk(actor, current))
        if refusal:
            if current.state == State.APPROVED:
                raise ValidationError(refusal)
            raise PermissionDenied(refusal)
        if final < 0 or final > score.indicator.weight:
            raise ValidationError({"final": _("The score must lie between 0 and %(max)s.") % {"max": score.indicator.weight}})
        score.final = final.quantize(Decimal("0.01"))
        score.adjusted_by = actor
        score.adjusted_at = timezone.now()
        score.adjust_reason = reason
        score._history_user = actor
        score.save()
        _refresh_totals(Result.objects.filter(pk=current.pk))
        Result.objects.filter(pk=current.pk).update(version=F("version") + 1)
    return score


def scheme_for_community_year(community: Node, year: int) -> Scheme | None:
    return Scheme.objects.filter(district__code=community.code[:6] + "000000", year=year).first()
