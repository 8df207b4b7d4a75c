"""Rule kinds of automatic indicators: a small registry, each with JSON parameters.

Facts are named ``<app>.<key>`` (e.g. ``staffing.one_shoulder``); see each app's ``facts.py``.
A rule turns the facts of one community and an indicator's maximum score into a score
(Decimal, two places, between 0 and the maximum):

- ``boolean``  {"facts": [..], "mode": "all"|"any"} — full score when all (any) facts are true;
- ``threshold`` {"fact": f, "min": n} — full score when the fact is at least ``min``, else 0;
- ``count``    {"fact": f, "at_least": n} — proportional to the fact up to ``at_least`` (full);
- ``ratio``    {"numerator": a, "denominator": b, "target": t} — proportional to a / b up to the
  target ratio ``t`` (full); 0 when ``b`` is 0.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from funding import facts as funding_facts
from regional_building import facts as regional_facts
from staffing import facts as staffing_facts
from venues import facts as venue_facts

FACT_SOURCES = {
    "staffing": staffing_facts,
    "funding": funding_facts,
    "venues": venue_facts,
    "regional_building": regional_facts,
}
FACT_NAMES = sorted(f"{app}.{key}" for app, module in FACT_SOURCES.items() for key in module.KEYS)
CENT = Decimal("0.01")


def all_facts(*, community_ids: list[int], year: int) -> dict[int, dict]:
    """``{community id: {"<app>.<key>": value}}`` from every facts module: a constant number of queries."""
    merged: dict[int, dict] = {pk: {} for pk in community_ids}
    for app, module in FACT_SOURCES.items():
        for pk, facts in module.community_facts(community_ids=community_ids, year=year).items():
            merged[pk].update({f"{app}.{key}": value for key, value in facts.items()})
    return merged


def _num(value) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    return Decimal(value or 0)


def _share(value: Decimal, full: Decimal, weight: Decimal) -> Decimal:
    if full <= 0:
        return weight
    return weight * min(Decimal(1), max(Decimal(0), value / full))


def _boolean(params, facts, weight):
    values = [bool(facts.get(name)) for name in params["facts"]]
    ok = any(values) if params.get("mode") == "any" else all(values)
    return weight if ok else Decimal(0)


def _threshold(params, facts, weight):
    return weight if _num(facts.get(params["fact"])) >= Decimal(str(params["min"])) else Decimal(0)


def _count(params, facts, weight):
    return _share(_num(facts.get(params["fact"])), Decimal(str(params["at_least"])), weight)


def _ratio(params, facts, weight):
    denominator = _num(facts.get(params["denominator"]))
    if denominator <= 0:
        return Decimal(0)
    ratio = _num(facts.get(params["numerator"])) / denominator
    return _share(ratio, Decimal(str(params.get("target", 1))), weight)


RULES = {
    # kind: (function, fact parameters, number parameters)
    "boolean": (_boolean, ["facts"], []),
    "threshold": (_threshold, ["fact"], ["min"]),
    "count": (_count, ["fact"], ["at_least"]),
    "ratio": (_ratio, ["numerator", "denominator"], ["target"]),
}


def rule_choices():
    from django.utils.translation import gettext_lazy

    return [
        ("boolean", gettext_lazy("yes/no facts")),
        ("threshold", gettext_lazy("threshold on a fact")),
        ("count", gettext_lazy("count up to a target")),
        ("ratio", gettext_lazy("ratio of two facts")),
    ]


def validate_rule(kind: str, params) -> None:
    """Raise a ValidationError in Chinese when the rule or its parameters are unusable."""
    if kind not in RULES:
        raise ValidationError({"rule": _("Choose a rule for an automatic indicator.")})
    if not isinstance(params, dict):
        raise ValidationError({"params": _("Rule parameters must be a JSON object.")})
    _fn, fact_keys, number_keys = RULES[kind]
    for key in fact_keys:
        names = params.get(key)
        names = names if isinstance(names, list) else [names]
        if not names or any(name not in FACT_NAMES for name in names):
            raise ValidationError({"params": _("Unknown fact in “%(key)s”: %(value)s") % {"key": key, "value": params.get(key)}})
    for key in number_keys:
        if key == "target" and key not in params:
            continue
        try:
            if Decimal(str(params[key])) < 0:
                raise InvalidOperation
        except (KeyError, InvalidOperation, TypeError):
            raise ValidationError({"params": _("“%(key)s” must be a number of at least 0.") % {"key": key}}) from None


def used_facts(kind: str, params) -> list[str]:
    _fn, fact_keys, _n = RULES[kind]
    names = []
    for key in fact_keys:
        value = params[key]
        names.extend(value if isinstance(value, list) else [value])
    return names


def apply_rule(kind: str, params, facts: dict, weight: Decimal) -> tuple[Decimal, dict]:
    """(score, evidence) of one automatic indicator for one community."""
    fn = RULES[kind][0]
    score = fn(params, facts, Decimal(weight)).quantize(CENT, rounding=ROUND_HALF_UP)
    evidence = {
        "rule": kind,
        "params": params,
        "facts": {name: _jsonable(facts.get(name)) for name in used_facts(kind, params)},
        "max": str(weight),
        "score": str(score),
    }
    return score, evidence


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def evidence_labels() -> dict:
    """Names of the keys and values of a score's evidence and an indicator's parameters, for
    the change log (``{'method': 'manual', 'max': '3.00'}`` reads 评分方式：人工评分；满分：3.00)."""
    from django.utils.translation import gettext_lazy

    from assessments.models import Method

    labels = {
        "method": gettext_lazy("scoring method"),
        "rule": gettext_lazy("rule"),
        "params": gettext_lazy("rule parameters"),
        "facts": gettext_lazy("facts used"),
        "fact": gettext_lazy("fact"),
        "max": gettext_lazy("full marks"),
        "score": gettext_lazy("score"),
        "min": gettext_lazy("minimum"),
        "at_least": gettext_lazy("at least"),
        "numerator": gettext_lazy("numerator"),
        "denominator": gettext_lazy("denominator"),
        "target": gettext_lazy("target"),
        Method.MANUAL.value: gettext_lazy("scored by hand"),
        Method.AUTO.value: Method.AUTO.label,
    }
    labels.update(dict(rule_choices()))
    labels.update(fact_labels())
    return labels


def fact_labels() -> dict:
    """Readable names of the facts, for evidence on pages and in the scheme editor."""
    from django.utils.translation import gettext_lazy

    return {
        "staffing.secretary_in_post": gettext_lazy("party secretary in post"),
        "staffing.director_in_post": gettext_lazy("committee director in post"),
        "staffing.one_shoulder": gettext_lazy("secretary also director (one shoulder)"),
        "staffing.full_time_deputy": gettext_lazy("full-time deputy in post"),
        "staffing.staff_count": gettext_lazy("serving cadres"),
        "staffing.party_workers": gettext_lazy("number of full-time party workers"),
        "staffing.college_count": gettext_lazy("cadres with college education or above"),
        "staffing.college_share": gettext_lazy("share with college education or above (%)"),
        "staffing.training_hours": gettext_lazy("training hours"),
        "staffing.training_hours_per_cadre": gettext_lazy("training hours per cadre"),
        "funding.office_funds": gettext_lazy("office funds received"),
        "funding.party_funds": gettext_lazy("party-building funds received"),
        "funding.working_funds": gettext_lazy("working funds received"),
        "funding.office_standard": gettext_lazy("office funds standard"),
        "funding.party_standard": gettext_lazy("party-building funds standard"),
        "funding.working_standard": gettext_lazy("working funds standard"),
        "funding.has_standard": gettext_lazy("a funding standard applies"),
        "funding.office_meets_standard": gettext_lazy("office funds meet the standard"),
        "funding.party_meets_standard": gettext_lazy("party-building funds meet the standard"),
        "funding.funds_meet_standard": gettext_lazy("all funds meet the standard"),
        "funding.spent": gettext_lazy("spending of the year"),
        "funding.party_work_spent": gettext_lazy("spending on party work"),
        "funding.party_work_share": gettext_lazy("party-work share of spending (%)"),
        "venues.built_area": gettext_lazy("completed venue area (sqm)"),
        "venues.required_area": gettext_lazy("required venue area (sqm)"),
        "venues.has_area_standard": gettext_lazy("an area standard applies"),
        "venues.area_meets_standard": gettext_lazy("venue area meets the standard"),
        "venues.venues": gettext_lazy("number of completed venues"),
        "venues.service_hall": gettext_lazy("has a one-stop service hall"),
        "venues.functional_rooms": gettext_lazy("functional room types"),
        "venues.equipment_items": gettext_lazy("equipment items"),
        "regional_building.meetings_held": gettext_lazy("joint conference meetings held"),
        "regional_building.agreements_in_force": gettext_lazy("agreements in force"),
        "regional_building.commitments_due": gettext_lazy("commitments due"),
        "regional_building.commitments_kept": gettext_lazy("number of commitments kept"),
        "regional_building.members_registered": gettext_lazy("in-service members registered"),
        "regional_building.posts_offered": gettext_lazy("service posts offered"),
        "regional_building.posts_claimed": gettext_lazy("service posts claimed"),
    }
