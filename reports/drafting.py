"""Drafting the year-end summary from the data: its figures, the problems found in them, and the
text in the shape of the seed documents (title — 一、工作进展情况 (一)…(四) — 二、存在的问题 —
三、意见和建议 — signing body and date).

The text is written in the active language (Simplified Chinese by default) through gettext, so
every sentence below has an English msgid and a Chinese translation in reports/locale.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import Result, State
from assessments.rules import all_facts
from communities.models import Level, Node, ancestor_codes
from regional_building.models import Commitment, JointConference
from reports import figures as dashboard_figures
from reports.models import ProblemKind, SuggestionText
from staffing.selectors import as_of_date, staffing_figures

# A community is "low" in education below this share of cadres with junior college or above.
COLLEGE_SHARE_TARGET = Decimal("60")
# How many communities a problem names before "and N others".
NAMES_SHOWN = 30
NUMERALS = "一二三四五六七八九十"


def numeral(i: int) -> str:
    return NUMERALS[i] if i < len(NUMERALS) else str(i + 1)


def default_suggestions() -> dict[str, str]:
    """The built-in 意见和建议 paragraph for each kind of problem (a node may write its own)."""
    return {
        ProblemKind.FUNDS_BELOW: _(
            "Guarantee community working funds. Put the funding standard into the budget at every level, pay the "
            "communities that fall short of it first, and bring every community up to the standard next year; "
            "encourage resident units to support community building."
        ),
        ProblemKind.AREA_BELOW: _(
            "Expand community venues. Through new building, purchase, renting and sharing the premises of resident "
            "units, bring every community's office and activity space up to the standard, and build one-stop "
            "service halls."
        ),
        ProblemKind.LOW_COLLEGE: _(
            "Improve the education of community cadres. Select and appoint graduates, encourage serving cadres to "
            "study for higher qualifications, and train every cadre every year."
        ),
        ProblemKind.NO_ONE_SHOULDER: _(
            "Strengthen the leadership of community party organizations. At the next election, promote the community "
            "party secretary serving also as director of the residents' committee through legal procedures."
        ),
        ProblemKind.NO_PARTY_WORKER: _(
            "Staff every community with a full-time party worker, selected openly and paid according to the rules, "
            "so that party work has someone in charge."
        ),
        ProblemKind.CONFERENCE_IDLE: _(
            "Make joint party-building conferences work. Hold meetings regularly, study the problems of the area "
            "together, and put the resolutions into practice."
        ),
        ProblemKind.COMMITMENTS_OVERDUE: _(
            "Keep joint-building commitments. Check the fulfilment of every agreement's commitments each quarter, "
            "remind the units whose commitments are overdue, and publish the results."
        ),
        ProblemKind.WEAK_ASSESSMENT: _(
            "Help communities with weak assessment results. Street party working committees should set up "
            "contact points in them, find the causes item by item and follow up until they improve."
        ),
    }


def general_suggestion() -> str:
    return _(
        "Consolidate what has been achieved. Keep the 三有一化 construction on the agenda of the party "
        "building responsibility system, check it every year, and spread good practices."
    )


def _chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def _fmt(value, places: int = 0, trim: bool = True) -> str:
    """A number for the text: as official Chinese documents write them (no thousands separators,
    no trailing zeros: 12396学时, 164.15平方米), grouped in other languages; percentages keep their
    one decimal (``trim=False``)."""
    if value is None:
        return "—"
    d = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{d:.{places}f}" if _chinese() else f"{d:,.{places}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _money(value) -> str:
    """Yuan for the text (the sentence says 元 / yuan): 2938000 reads 293.8万 in Chinese."""
    if value is None:
        return "—"
    d = Decimal(value)
    if _chinese() and abs(d) >= 10000:
        return _fmt(d / 10000, 2) + "万"
    return _fmt(d, 2)


def quantities() -> dict[str, str]:
    """How an amount of each kind reads ("%(n)s people" is "%(n)s名" in Chinese)."""
    return {
        "people": _("%(n)s people"), "yuan": _("%(n)s yuan"), "sqm": _("%(n)s ㎡"),
        "agreements": _("%(n)s agreements"), "times": _("%(n)s times"), "attendances": _("%(n)s attendances"),
        "plain": "%(n)s",
    }


def _change(current, previous, *, places: int = 0, points: bool = False, unit: str = "plain") -> str:
    """", 3 people more than last year" / ", the same as last year" in the active language."""
    if current is None or previous is None:
        return ""
    diff = Decimal(current) - Decimal(previous)
    if not points and Decimal(previous) == 0 and diff:
        return _(", none recorded last year")  # a first year on the platform is not an increase
    amount = _fmt(abs(diff), places, trim=not points)
    if not points:
        amount = quantities()[unit] % {"n": _money(abs(diff)) if unit == "yuan" else amount}
    if diff == 0:
        return _(", the same as last year")
    if points:
        if diff > 0:
            return _(", up %(n)s percentage points on last year") % {"n": amount}
        return _(", down %(n)s percentage points on last year") % {"n": amount}
    if diff > 0:
        return _(", %(n)s more than last year") % {"n": amount}
    return _(", %(n)s fewer than last year") % {"n": amount}


def sentences(parts) -> str:
    """Sentences run on: no space after a Chinese full stop, one after a Latin one."""
    text = ""
    for part in filter(None, parts):
        text += (" " if text and text[-1] in ".!?;:" else "") + part
    return text


def signing_body(node: Node) -> str:
    if node.level == Level.TOWNSHIP and not node.name.endswith(("镇", "乡")):
        return _("Party Working Committee of %(node)s") % {"node": node.name}
    if node.level == Level.TOWNSHIP:  # a town or township has its own party committee
        return _("Party Committee of %(node)s") % {"node": node.name}
    if node.level == Level.COMMUNITY:
        return _("Party Committee of %(node)s") % {"node": node.name}
    return _("Organization Department of the %(node)s Party Committee") % {"node": node.name}


# ---- problems ----------------------------------------------------------------------------

def find_problems(*, node: Node, year: int, today: datetime.date | None = None) -> list[dict]:
    """The problems of ``node``'s communities in ``year``, each naming the communities (or
    conferences) concerned: ``[{"kind", "label", "items": [{"code", "name", "detail"}]}]`` in the
    order of :class:`ProblemKind`; kinds without a finding are left out. A constant number of
    queries (the facts modules, then three more)."""
    today = today or timezone.localdate()
    communities = list(
        Node.objects.filter(code__startswith=node.prefix, level=Level.COMMUNITY).order_by("code").values("id", "code", "name")
    )
    facts = all_facts(community_ids=[c["id"] for c in communities], year=year)
    found: dict[str, list[dict]] = defaultdict(list)

    def item(c, detail=""):
        return {"code": c["code"], "name": c["name"], "detail": detail}

    for c in communities:
        f = facts[c["id"]]
        if f["funding.has_standard"] and not f["funding.funds_meet_standard"]:
            found[ProblemKind.FUNDS_BELOW].append(item(c, _("%(got)s of %(need)s yuan") % {
                "got": _money(f["funding.working_funds"]), "need": _money(f["funding.working_standard"])}))
        if f["venues.has_area_standard"] and not f["venues.area_meets_standard"]:
            found[ProblemKind.AREA_BELOW].append(item(c, _("%(got)s of %(need)s ㎡") % {
                "got": _fmt(f["venues.built_area"], 2), "need": _fmt(f["venues.required_area"], 2)}))
        if f["staffing.staff_count"] and f["staffing.college_share"] < COLLEGE_SHARE_TARGET:
            found[ProblemKind.LOW_COLLEGE].append(item(c, f"{_fmt(f['staffing.college_share'], 1, trim=False)}%"))
        if not f["staffing.one_shoulder"]:
            found[ProblemKind.NO_ONE_SHOULDER].append(item(c))
        if not f["staffing.party_workers"]:
            found[ProblemKind.NO_PARTY_WORKER].append(item(c))

    year_end = datetime.date(year, 12, 31)
    idle = (
        JointConference.objects.filter(node__code__startswith=node.prefix)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=year_end))
        .annotate(held=Count("meetings", filter=Q(meetings__held_on__year=year)))
        .filter(held=0)
        .order_by("node__code", "name")
        .values("name", "node__code", "node__name")
    )
    for conf in idle:
        found[ProblemKind.CONFERENCE_IDLE].append({
            "code": conf["node__code"], "name": conf["name"],
            "detail": "" if conf["node__name"] in conf["name"] else conf["node__name"],
        })

    overdue = (
        Commitment.objects.filter(agreement__node__code__startswith=node.prefix, due_on__year=year)
        .with_status(today)
        .filter(status_value="overdue")
        .values("agreement__node__code", "agreement__node__name")
        .annotate(n=Count("id"))
        .order_by("agreement__node__code")
    )
    for row in overdue:
        found[ProblemKind.COMMITMENTS_OVERDUE].append({
            "code": row["agreement__node__code"], "name": row["agreement__node__name"],
            "detail": ngettext("%(n)s overdue", "%(n)s overdue", row["n"]) % {"n": row["n"]},
        })

    weak = (
        Result.objects.filter(community__code__startswith=node.prefix, year=year, state=State.APPROVED)
        .filter(final_total__lt=F("scheme__pass_from"))
        .order_by("community__code")
        .values("community__code", "community__name", "final_total")
    )
    for row in weak:
        found[ProblemKind.WEAK_ASSESSMENT].append({
            "code": row["community__code"], "name": row["community__name"],
            "detail": _("%(score)s points") % {"score": _fmt(row["final_total"], 2, trim=False)},
        })

    return [
        {"kind": kind.value, "label": str(kind.label), "items": found[kind]}
        for kind in ProblemKind if found.get(kind)
    ]


def suggestion_texts(node: Node) -> dict[str, str]:
    """For each kind of problem: the text of the node itself or of its nearest ancestor that
    wrote one, else the built-in text. One query."""
    texts = default_suggestions()
    codes = ancestor_codes(node.code, node.level) + [node.code]
    rows = SuggestionText.objects.filter(node__code__in=codes).values("kind", "text", "node__code")
    for row in sorted(rows, key=lambda r: codes.index(r["node__code"])):  # nearest last, so it wins
        texts[row["kind"]] = row["text"]
    return texts


# ---- figures and text --------------------------------------------------------------------

def summary_figures(*, node: Node, year: int, today: datetime.date | None = None) -> dict:
    """What the text states: this year's and last year's totals (reports.figures), training
    figures, and the problems. JSON-ready (reports.figures.as_json)."""
    data = dashboard_figures.dashboard(node=node, year=year, today=today)
    training = staffing_figures(node=node, year=year)
    before = staffing_figures(node=node, year=year - 1)
    return dashboard_figures.as_json({
        "node": data["node"],
        "year": year,
        "as_of": as_of_date(year).isoformat(),
        "current": data["totals"][year],
        "previous": data["totals"][year - 1],
        "training": {"courses": training.courses, "person_times": training.person_times,
                     "hours": training.training_hours, "volunteers": training.volunteers, "teams": training.teams},
        "training_previous": {"courses": before.courses, "person_times": before.person_times,
                              "hours": before.training_hours},
        "problems": find_problems(node=node, year=year, today=today),
    })


def _d(value):
    return None if value is None else Decimal(value)


def compose(*, node: Node, year: int, figures: dict, suggestions: dict[str, str], on: datetime.date) -> list[dict]:
    """The summary's text blocks (see reports.documents.summary_docx for the kinds). A figure
    without a base (no cadres, no standard in force) gets a sentence saying so, not a dash."""
    cur, prev, training = figures["current"], figures["previous"], figures["training"]
    training_before = figures.get("training_previous") or {}
    as_of = datetime.date.fromisoformat(figures["as_of"])
    so_far = as_of < datetime.date(year, 12, 31)  # this year's summary, written before its end
    ctx = {"node": node.name, "year": year, "date": formats.date_format(as_of, "DATE_FORMAT")}

    def n(key, places=0, trim=True):
        return _fmt(_d(cur[key]), places, trim)

    def ch(key, places=0, points=False, unit="plain"):
        return _change(_d(cur[key]), _d(prev[key]), places=places, points=points, unit=unit)

    def pick(done, ongoing):
        return ongoing if so_far else done

    staffing = []
    if cur["cadres"]:
        staffing.append(_(
            "As of %(date)s, %(node)s has %(communities)s communities with %(cadres)s community cadres%(change)s, "
            "of an average age of %(age)s.") % {
            **ctx, "communities": n("communities"), "cadres": n("cadres"), "change": ch("cadres", unit="people"),
            "age": n("average_age", 1, False)})
        staffing.append(_(
            "%(college)s of them have junior college education or above, %(share)s%% of the cadres%(change)s.") % {
            "college": n("college"), "share": n("college_share", 1, False), "change": ch("college_share", 1, True)})
    else:
        staffing.append(_("As of %(date)s, %(node)s has %(communities)s communities and no serving community cadre "
                          "on record.") % {**ctx, "communities": n("communities")})
    if cur["communities"]:
        staffing.append(_(
            "In %(one)s communities the party secretary also serves as director of the residents' committee, "
            "%(share)s%% of the communities%(change)s.") % {
            "one": n("one_shoulder"), "share": n("one_shoulder_share", 1, False),
            "change": ch("one_shoulder_share", 1, True)})
    if training["person_times"] or training["courses"]:
        staffing.append(pick(
            _("During the year %(courses)s training courses were held, with %(times)s attendances%(change)s and "
              "%(hours)s hours of training."),
            _("So far this year %(courses)s training courses were held, with %(times)s attendances%(change)s and "
              "%(hours)s hours of training."),
        ) % {
            "courses": _fmt(training["courses"]), "times": _fmt(training["person_times"]),
            "hours": _fmt(_d(training["hours"]), 1),
            "change": _change(training["person_times"], training_before.get("person_times"), unit="attendances"),
        })

    funding = [pick(
        _("In the year the communities received %(funds)s yuan of working funds%(change)s."),
        _("So far this year the communities received %(funds)s yuan of working funds%(change)s."),
    ) % {"funds": _money(cur["working_funds"]), "change": ch("working_funds", 2, unit="yuan")}]
    if cur["communities"]:
        funding.append(_("That is %(per)s yuan a community on average.") % {"per": _money(cur["funds_per_community"])})
    if cur["funds_with_standard"]:
        funding.append(_(
            "%(meeting)s of the %(with)s communities held to a funding standard met it, a rate of %(rate)s%%"
            "%(change)s.") % {
            "meeting": n("funds_meeting"), "with": n("funds_with_standard"), "rate": n("funds_compliance_rate", 1, False),
            "change": ch("funds_compliance_rate", 1, True)})
    else:
        funding.append(_("No funding standard applied to the communities in the year."))

    venues = [_("The communities' office and activity venues cover %(area)s ㎡%(change)s.") % {
        "area": n("built_area", 2), "change": ch("built_area", 2, unit="sqm")}]
    if cur["area_with_standard"]:
        venues.append(_(
            "%(meeting)s of the %(with)s communities held to an area standard met it, a rate of %(rate)s%%"
            "%(change)s.") % {
            "meeting": n("area_meeting"), "with": n("area_with_standard"), "rate": n("area_compliance_rate", 1, False),
            "change": ch("area_compliance_rate", 1, True)})
    else:
        venues.append(_("No venue area standard applied to the communities in the year."))

    regional = [
        _("%(agreements)s joint-building agreements with resident units were in force%(change)s, and joint "
          "conferences met %(meetings)s times%(mchange)s.") % {
            "agreements": n("agreements_in_force"), "change": ch("agreements_in_force", unit="agreements"),
            "meetings": n("meetings_held"), "mchange": ch("meetings_held", unit="times")},
        _("Of the %(due)s commitments due in the year, %(kept)s were kept (%(rate)s%%) and %(overdue)s are "
          "overdue.") % {
            "due": n("commitments_due"), "kept": n("commitments_kept"), "rate": n("commitments_kept_rate", 1, False),
            "overdue": n("commitments_overdue")}
        if cur["commitments_due"] else _("No joint-building commitment fell due in the year."),
        _("%(members)s in-service party members registered in their home communities%(change)s.") % {
            "members": n("members_registered"), "change": ch("members_registered", unit="people")},
        _("In the annual assessment %(assessed)s communities were approved: %(excellent)s excellent, %(good)s "
          "good, %(pass)s pass and %(fail)s fail.") % {
            "assessed": n("assessed"), "excellent": n("grade_excellent"), "good": n("grade_good"),
            "pass": n("grade_pass"), "fail": n("grade_fail")}
        if cur["assessed"] else _("No assessment result of the year has been approved yet."),
    ]

    blocks = [
        {"key": "title", "kind": "title", "text": _("%(node)s %(year)s Year-end Summary of the 三有一化 Work") % ctx},
        {"key": "intro", "kind": "body", "text": pick(
            _("In %(year)s, %(node)s took the 三有一化 construction of communities (someone to manage affairs, money "
              "to get things done, a place to discuss matters, and regional party building) as the foundation of "
              "community party building and carried it forward in every community. The work of the year is "
              "summarised as follows."),
            _("Since the beginning of %(year)s, %(node)s has taken the 三有一化 construction of communities (someone "
              "to manage affairs, money to get things done, a place to discuss matters, and regional party "
              "building) as the foundation of community party building and carried it forward in every community. "
              "The work so far is summarised as follows."),
        ) % ctx},
        {"key": "progress", "kind": "h1", "text": _("I. Progress of the 三有一化 work")},
        {"key": "staffing_heading", "kind": "h2", "text": _("(1) Someone to manage affairs")},
        {"key": "staffing", "kind": "body", "text": sentences(staffing)},
        {"key": "funding_heading", "kind": "h2", "text": _("(2) Money to get things done")},
        {"key": "funding", "kind": "body", "text": sentences(funding)},
        {"key": "venues_heading", "kind": "h2", "text": _("(3) A place to discuss matters")},
        {"key": "venues", "kind": "body", "text": sentences(venues)},
        {"key": "regional_heading", "kind": "h2", "text": _("(4) Regional party building")},
        {"key": "regional", "kind": "body", "text": sentences(regional)},
        {"key": "problems_heading", "kind": "h1", "text": _("II. Problems")},
    ]
    problems = figures["problems"]
    if problems:
        lines = [_("Checked against the data of the year, the 三有一化 work of the communities still has these "
                   "problems:")]
        for i, p in enumerate(problems):
            listed = "、".join(
                f"{it['name']}（{it['detail']}）" if it["detail"] else it["name"] for it in p["items"][:NAMES_SHOWN]
            )
            if len(p["items"]) > NAMES_SHOWN:
                listed += _(" and others")
            count = (_("%(n)s conferences") if p["kind"] == ProblemKind.CONFERENCE_IDLE
                     else _("%(n)s communities")) % {"n": len(p["items"])}
            lines.append(_("%(ordinal)s, %(problem)s: %(count)s — %(list)s.") % {
                "ordinal": _problem_ordinal(i), "problem": p["label"], "count": count, "list": listed})
        text = "\n".join(lines)
    else:
        text = _("The data of the year show no outstanding problem.")
    blocks.append({"key": "problems", "kind": "body", "text": text})
    blocks.append({"key": "suggestions_heading", "kind": "h1", "text": _("III. Opinions and suggestions")})
    paragraphs = [
        _("(%(n)s) %(text)s") % {"n": numeral(i), "text": suggestions[p["kind"]]} for i, p in enumerate(problems)
    ]
    paragraphs.append(_("(%(n)s) %(text)s") % {"n": numeral(len(problems)), "text": general_suggestion()})
    blocks.append({"key": "suggestions", "kind": "body", "text": "\n".join(paragraphs)})
    blocks.append({"key": "signature", "kind": "signature", "text": signing_body(node)})
    blocks.append({"key": "date", "kind": "date", "text": formats.date_format(on, "DATE_FORMAT")})
    return blocks


def _problem_ordinal(i: int) -> str:
    return _("Point %(n)s") % {"n": numeral(i)}
