"""Drafting the year-end summary from the data: its figures, the problems found in them, and the
text in the shape of the seed documents (title — 一、工作进展情况 (一)…(四) — 二、存在的问题 —
三、意见和建议 — signing body and date).

The text is written in the active language (Simplified Chinese by default) through gettext, so
every sentence below has an English msgid and a Chinese translation in reports/locale.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import Grade, Result, State
from assessments.rules import all_facts
from communities.models import PREFIX_LENGTH, Level, Node, ancestor_codes
from funding.models import Source
from regional_building.models import Commitment, JointConference
from reports import figures as dashboard_figures
from reports import narrative
from reports.models import ProblemKind, SuggestionText
from staffing.selectors import as_of_date
from venues.models import Venue, VenueStatus

# A community is "low" in education below this share of cadres with junior college or above.
COLLEGE_SHARE_TARGET = Decimal("60")
# A problem names its communities when there are this many or fewer, else says where they are
# (the streets with most of them); the full list is in the annex table of the workbook.
NAMES_IN_TEXT = 5
STREETS_IN_TEXT = 3
COURSES_SHOWN = narrative.COURSES_SHOWN
TOPICS_SHOWN = narrative.TOPICS_SHOWN
VENUES_SHOWN = narrative.VENUES_SHOWN
NUMERALS = "一二三四五六七八九十"


def numeral(i: int) -> str:
    return NUMERALS[i] if i < len(NUMERALS) else str(i + 1)


def default_suggestions() -> dict[str, str]:
    """The built-in 意见和建议 paragraph for each kind of problem (a node may write its own)."""
    return {
        ProblemKind.GUIDING: _("guided by Xi Jinping Thought on Socialism with Chinese Characteristics for a New Era"),
        ProblemKind.DATA_MISSING: _(
            "Report the data in time. Streets should see that every community enters its cadres, funds, venues and "
            "joint-building records as they change, check them every quarter, and make the figures complete and "
            "accurate."
        ),
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


def _change(current, previous, *, places: int = 0, points: bool = False, unit: str = "plain",
            since: str | None = None) -> str:
    """", 3 people more than last year" / ", the same as last year" in the active language;
    ``since`` names what is compared with instead of last year ("the same period of last year",
    "the end of last year"). Nothing when last year has no record: a first year on the platform
    is not an increase, and "none recorded" is not repeated in every sentence."""
    if current is None or previous is None:
        return ""
    diff = Decimal(current) - Decimal(previous)
    if not points and Decimal(previous) == 0:
        return ""
    amount = _fmt(abs(diff), places, trim=not points)
    if not points:
        amount = quantities()[unit] % {"n": _money(abs(diff)) if unit == "yuan" else amount}
    if since is None:
        if diff == 0:
            return _(", the same as last year")
        if points:
            if diff > 0:
                return _(", up %(n)s percentage points on last year") % {"n": amount}
            return _(", down %(n)s percentage points on last year") % {"n": amount}
        if diff > 0:
            return _(", %(n)s more than last year") % {"n": amount}
        return _(", %(n)s fewer than last year") % {"n": amount}
    if diff == 0:
        return _(", the same as %(since)s") % {"since": since}
    if diff > 0:
        return _(", %(n)s more than %(since)s") % {"n": amount, "since": since}
    return _(", %(n)s fewer than %(since)s") % {"n": amount, "since": since}


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


def leading_body(node: Node) -> str:
    """The organisation that speaks in the opening ("城关区委", "东岗西路街道党工委")."""
    if node.level == Level.TOWNSHIP and not node.name.endswith(("镇", "乡")):
        return _("the Party Working Committee of %(node)s") % {"node": node.name}
    if node.level in (Level.TOWNSHIP, Level.COMMUNITY):
        return _("the Party Committee of %(node)s") % {"node": node.name}
    return _("the %(node)s Party Committee") % {"node": node.name}


def organiser(node: Node) -> str:
    """Who organises the node's own training courses ("区委组织部", "街道党工委")."""
    if node.level == Level.TOWNSHIP:
        return _("the street party working committee") if not node.name.endswith(("镇", "乡")) else \
            _("the township party committee")
    if node.level == Level.COUNTY:
        return _("the district organization department")
    return _("the organization department")


def scope_word(node: Node) -> str:
    """"全区", "全街道", "全市": the whole of the node."""
    if node.level == Level.TOWNSHIP:
        return _("the whole street")
    if node.level == Level.COUNTY:
        return _("the whole county") if node.name.endswith("县") else _("the whole district")
    if node.level == Level.CITY:
        return _("the whole city")
    return _("the whole province")


def _period_word(complete: bool, date: str) -> str:
    return _("During the year") if complete else _("As of %(date)s,") % {"date": date}


def _quoted(names: list[str], shown: int) -> str:
    """“A”“B”“C” (Chinese) / "A", "B", "C": names as a document quotes them."""
    if _chinese():
        return "".join(f"“{n}”" for n in names[:shown])
    return ", ".join(f'"{n}"' for n in names[:shown])


def _series(parts: list[str]) -> str:
    """Items of a list: "甲、乙、丙"."""
    return ("、" if _chinese() else ", ").join(p for p in parts if p)


def _clauses(parts: list[str]) -> str:
    """Clauses of one sentence: "甲，乙"."""
    return ("，" if _chinese() else ", ").join(p for p in parts if p)


# ---- problems ----------------------------------------------------------------------------

def find_problems(*, node: Node, year: int, today: datetime.date | None = None) -> list[dict]:
    """The problems of ``node``'s communities in ``year``, each naming the communities (or
    conferences, or streets' own records) concerned: ``[{"kind", "label", "items": [{"code",
    "name", "street", "detail", "own"?}], …}]`` in the order of :class:`ProblemKind`; kinds
    without a finding are left out. A constant number of queries.

    No records is no fact: a community without cadres (funds) recorded in the year is listed
    under "data not reported" (数据未报送), not as lacking a secretary or below the funding
    standard. 一肩挑 applies to urban communities (居委会) only. A record kept by a street is the
    street's own ("<street>本级"), never counted as a community.
    """
    today = today or timezone.localdate()
    as_of = as_of_date(year)
    streets = narrative.street_names(node)
    found: dict[str, list[dict]] = defaultdict(list)
    extra: dict[str, dict] = defaultdict(dict)

    def street_of(code: str) -> str:
        return streets.get(code[: PREFIX_LENGTH[Level.TOWNSHIP]], "")

    def item(c, detail="", **more):
        return {"code": c["code"], "name": c["name"], "street": street_of(c["code"]), "detail": detail, **more}

    building = set(
        Venue.objects.filter(community__code__startswith=node.prefix, status=VenueStatus.UNDER_CONSTRUCTION)
        .values_list("community_id", flat=True)
    )
    for c, f in _community_facts(node=node, year=year):
        no_cadres = not f["staffing.staff_count"]
        no_funds = not (f["funding.working_funds"] or f["funding.office_funds"] or f["funding.party_funds"])
        missing = [label for flag, label in ((no_cadres, _("cadres")), (no_funds, _("working funds"))) if flag]
        if missing:
            found[ProblemKind.DATA_MISSING].append(item(c, _series(missing), cadres=no_cadres, funds=no_funds))
        if f["funding.has_standard"] and not no_funds and not f["funding.funds_meet_standard"]:
            found[ProblemKind.FUNDS_BELOW].append(item(
                c, _("%(got)s of %(need)s yuan") % {
                    "got": _money(f["funding.working_funds"]), "need": _money(f["funding.working_standard"])},
                party_short=not f["funding.party_meets_standard"], office_short=not f["funding.office_meets_standard"]))
        if f["venues.has_area_standard"] and not f["venues.area_meets_standard"]:
            found[ProblemKind.AREA_BELOW].append(item(c, _("%(got)s of %(need)s ㎡") % {
                "got": _fmt(f["venues.built_area"], 2), "need": _fmt(f["venues.required_area"], 2)},
                building=c["id"] in building))
        if no_cadres:
            continue
        if f["staffing.college_share"] < COLLEGE_SHARE_TARGET:
            found[ProblemKind.LOW_COLLEGE].append(item(c, f"{_fmt(f['staffing.college_share'], 1, trim=False)}%"))
        if c["is_urban"] and not f["staffing.one_shoulder"]:
            found[ProblemKind.NO_ONE_SHOULDER].append(item(c, deputy=bool(f.get("staffing.full_time_deputy"))))
        if not f["staffing.party_workers"]:
            found[ProblemKind.NO_PARTY_WORKER].append(item(c))

    idle = (
        JointConference.objects.filter(node__code__startswith=node.prefix)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=as_of))
        .annotate(held=Count("meetings", filter=Q(meetings__held_on__year=year, meetings__held_on__lte=as_of)))
        .filter(held=0)
        .order_by("node__code", "name")
        .values("name", "node__code", "node__name", "node__level")
    )
    for conf in idle:
        found[ProblemKind.CONFERENCE_IDLE].append({
            "code": conf["node__code"], "name": conf["name"], "street": street_of(conf["node__code"]),
            "detail": "" if conf["node__name"] in conf["name"] else conf["node__name"],
            "own": conf["node__level"] != Level.COMMUNITY,
        })

    overdue = (
        Commitment.objects.filter(agreement__node__code__startswith=node.prefix, due_on__year=year)
        .with_status(today)
        .filter(status_value="overdue")
        .values("agreement__node__code", "agreement__node__name", "agreement__node__level")
        .annotate(n=Count("id"))
        .order_by("agreement__node__code")
    )
    for row in overdue:
        own = row["agreement__node__level"] != Level.COMMUNITY
        name = row["agreement__node__name"]
        found[ProblemKind.COMMITMENTS_OVERDUE].append({
            "code": row["agreement__node__code"], "street": street_of(row["agreement__node__code"]),
            # a street's (or district's) own agreements are its own, not a community's
            "name": _("%(node)s (own)") % {"node": name} if own else name, "own": own, "n": row["n"],
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
            "code": row["community__code"], "name": row["community__name"], "street": street_of(row["community__code"]),
            "detail": _("%(score)s points") % {"score": _fmt(row["final_total"], 2, trim=False)},
        })

    return [
        {"kind": kind.value, "label": str(kind.label), "items": found[kind], **extra[kind]}
        for kind in ProblemKind if found.get(kind)
    ]


def _community_facts(*, node: Node, year: int):
    """``({"id", "code", "name", "is_urban"}, facts keyed as all_facts names them)`` of each
    community under ``node`` in code order, one at a time: read from the facts table in chunks
    (after catching up a few dirty marks), so that a province's 120,000 communities are never
    all in memory; a year the table does not keep is computed from the raw rows."""
    from figures import selectors as facts
    from figures.models import Facts
    from figures.refresh import years

    if year not in years():
        communities = list(
            Node.objects.filter(code__startswith=node.prefix, level=Level.COMMUNITY).order_by("code")
            .values("id", "code", "name", "is_urban")
        )
        computed = all_facts(community_ids=[c["id"] for c in communities], year=year)
        for c in communities:
            yield c, computed[c["id"]]
        return
    facts.catch_up(node.prefix)
    columns = facts.fact_columns()
    rows = (
        Facts.objects.filter(code__startswith=node.prefix, year=year, level=Level.COMMUNITY).order_by("code")
        .values_list("node_id", "code", "node__name", "is_urban", *columns).iterator(chunk_size=2000)
    )
    for pk, code, name, is_urban, *values in rows:
        yield {"id": pk, "code": code, "name": name, "is_urban": is_urban}, facts.keyed_facts(dict(zip(columns, values)))


def suggestion_texts(node: Node) -> dict[str, str]:
    """For each kind of problem (and the opening's guiding clause): the text of the node itself
    or of its nearest ancestor that wrote one, else the built-in text. One query."""
    texts = default_suggestions()
    codes = ancestor_codes(node.code, node.level) + [node.code]
    rows = SuggestionText.objects.filter(node__code__in=codes).values("kind", "text", "node__code")
    for row in sorted(rows, key=lambda r: codes.index(r["node__code"])):  # nearest last, so it wins
        texts[row["kind"]] = row["text"]
    return texts


# ---- figures and text --------------------------------------------------------------------

def summary_figures(*, node: Node, year: int, today: datetime.date | None = None) -> dict:
    """What the text states: this year's and last year's totals (reports.figures, "no data" as
    None), the records of the period and the same period of last year (reports.narrative), and
    the problems. JSON-ready (reports.figures.as_json)."""
    data = dashboard_figures.dashboard(node=node, year=year, today=today)
    as_of = as_of_date(year) if today is None else min(datetime.date(year, 12, 31), today)
    return dashboard_figures.as_json({
        "node": data["node"],
        "year": year,
        "as_of": as_of.isoformat(),
        "current": data["totals"][year],
        "previous": data["totals"][year - 1],
        "records": narrative.records(node=node, year=year, as_of=as_of),
        "problems": find_problems(node=node, year=year, today=today),
    })


def _d(value):
    return None if value is None else Decimal(value)


def _grouped(items: list[dict]) -> str:
    """Where the items are, as a clause: " (南关社区、北关社区)" for a few, ", mainly in 酒泉路街道 (3)、
    张掖路街道 (2) and 5 other streets" for many (grouped by street), "" when that says nothing."""
    if len(items) <= NAMES_IN_TEXT:
        return _(" (%(where)s)") % {"where": _series([it["name"] for it in items])}
    by_street = Counter(it["street"] for it in items if it.get("street"))
    if len(by_street) <= 1:
        return ""
    top = [(street, k) for street, k in by_street.most_common(STREETS_IN_TEXT) if k > 1]
    if not top or 10 * sum(k for _street, k in top) < 4 * len(items):  # not concentrated anywhere
        return _(", spread over %(n)s streets") % {"n": len(by_street)}
    return _(", mainly in %(streets)s of %(n)s streets") % {"n": len(by_street), "streets": _series([
        _("%(street)s (%(n)s)") % {"street": street, "n": k} for street, k in top])}


def _problem_sentence(p: dict, *, year: int, complete: bool, date: str, node: Node) -> str:
    """One problem as an analysed sentence: its size, where it is, its cause where the data
    show one; the full list is in the annex table."""
    items, kind = p["items"], p["kind"]
    n = len(items)
    where = _grouped(items)
    if kind == ProblemKind.DATA_MISSING:
        cadres = sum(1 for it in items if it.get("cadres"))
        funds = sum(1 for it in items if it.get("funds"))
        parts = []
        if cadres:
            parts.append(_("%(n)s communities have not entered their cadres") % {"n": cadres})
        if funds:
            parts.append(_("%(n)s communities have not entered the working funds they received") % {"n": funds})
        return _("Some data have not been reported: %(parts)s%(where)s, so their figures are left out of this "
                 "summary and must be entered.") % {"parts": _series(parts), "where": where}
    if kind == ProblemKind.FUNDS_BELOW:
        party = sum(1 for it in items if it.get("party_short"))
        cause = _(", in %(n)s of them the party-building funds were not paid in full") % {"n": party} if party else ""
        return _("Working funds are not yet guaranteed: %(n)s communities received less than the standard%(where)s"
                 "%(cause)s.") % {"n": n, "where": where, "cause": cause}
    if kind == ProblemKind.AREA_BELOW:
        building = sum(1 for it in items if it.get("building")) if _recent(year) else 0
        cause = (_(", all of them have a new building under construction") if building == n else
                 _(", of which %(n)s have a new building under construction") % {"n": building}) if building else ""
        return _("Venues are still short: the office and activity space of %(n)s communities is below the "
                 "standard%(where)s%(cause)s.") % {"n": n, "where": where, "cause": cause}
    if kind == ProblemKind.LOW_COLLEGE:
        return _("The education of cadres is uneven: in %(n)s communities less than %(target)s%% of the cadres "
                 "have junior college education or above%(where)s.") % {
            "n": n, "where": where, "target": _fmt(COLLEGE_SHARE_TARGET)}
        # noqa
    if kind == ProblemKind.NO_ONE_SHOULDER:
        deputies = sum(1 for it in items if it.get("deputy"))
        cause = _(", %(n)s of them have a full-time deputy secretary") % {"n": deputies} if deputies else ""
        return _("In %(n)s urban communities the secretary does not yet also serve as director%(where)s"
                 "%(cause)s.") % {"n": n, "where": where, "cause": cause}
    if kind == ProblemKind.NO_PARTY_WORKER:
        return _("%(n)s communities have no full-time party worker%(where)s.") % {"n": n, "where": where}
    if kind == ProblemKind.CONFERENCE_IDLE:
        own = sum(1 for it in items if it.get("own"))
        counted = _series([
            _("%(n)s community sub-conferences") % {"n": n - own} if n - own else "",
            _("%(n)s street conferences") % {"n": own} if own else "",
        ])
        text = _("Joint conferences do not all work: %(counted)s held no meeting in the year%(where)s.") if complete \
            else _("Joint conferences do not all work: %(counted)s held no meeting by %(date)s%(where)s.")
        return text % {"counted": counted, "where": where, "date": date}
    if kind == ProblemKind.COMMITMENTS_OVERDUE:
        total = sum(it.get("n", 0) for it in items)
        own = [it for it in items if it.get("own")]
        kept_by_communities = [it for it in items if not it.get("own")]
        whose = _series([
            _("%(n)s communities%(where)s") % {"n": len(kept_by_communities), "where": _grouped(kept_by_communities)}
            if kept_by_communities else "",
            _series([it["name"] for it in own]) if 0 < len(own) <= NAMES_IN_TEXT
            else (_("%(n)s streets' own agreements") % {"n": len(own)} if own else ""),
        ])
        return _("Some joint-building commitments are overdue: %(total)s commitments of %(whose)s.") % {
            "total": total, "whose": whose}
    return _("%(n)s communities were assessed below the pass mark%(where)s.") % {"n": n, "where": where}


def compose(*, node: Node, year: int, figures: dict, suggestions: dict[str, str], on: datetime.date) -> list[dict]:
    """The summary's text blocks (see reports.documents.summary_docx for the kinds), in the
    shape of the seed summaries: the organisation as subject, what was done in "一是…二是…" form
    from the records, problems analysed, suggestions. A figure nobody entered is said to be not
    entered (未录入), never 0; comparisons are made only where last year (or its same period,
    for a current-year draft) has records."""
    cur, prev = figures["current"], figures["previous"]
    rec = figures.get("records") or {}
    now, before = rec.get("current") or {}, rec.get("previous") or {}
    as_of = datetime.date.fromisoformat(figures["as_of"])
    complete = as_of >= datetime.date(year, 12, 31)
    date = formats.date_format(as_of, "DATE_FORMAT")
    scope = scope_word(node)
    ctx = {"node": node.name, "year": year, "date": date, "scope": scope}
    period = _period_word(complete, date)

    def n(value, places=0, trim=True):
        return _fmt(_d(value), places, trim)

    def stock_change(key, unit="people", points=False, places=0):
        """Against last year's end; nothing when last year has no record."""
        if prev.get(key) is None or cur.get(key) is None:
            return ""
        return _change(_d(cur[key]), _d(prev[key]), places=places, points=points, unit=unit,
                       since=_("the end of last year") if not complete else None)

    def flow_change(now_value, before_value, unit="plain", places=0, recorded=True):
        """Against last year, or its same period for a current-year draft; nothing without records."""
        if not recorded or not before_value:
            return ""
        return _change(_d(now_value), _d(before_value), places=places, unit=unit,
                       since=None if complete else _("the same period of last year"))

    def points(parts):
        return sentences([_("%(ordinal)s, %(text)s") % {"ordinal": _ordinal(i), "text": t}
                          for i, t in enumerate(p for p in parts if p)])

    # (一) 有人管事 ---------------------------------------------------------------------------
    urban, villages = rec.get("urban", cur.get("urban_communities")), rec.get("villages", 0)
    opening = (_("%(scope)s has %(streets)s streets and %(urban)s urban communities") if rec.get("streets")
               else _("%(scope)s has %(urban)s urban communities")) % {
        "scope": scope, "urban": urban, "streets": rec.get("streets")}
    if villages:
        opening += _(" (and %(n)s village committees)") % {"n": villages}
    staff_points = []
    if cur.get("cadres") is None:
        staff_points.append(_("Choose strong community leaderships. The cadres of the communities have not been "
                              "entered for %(year)s.") % ctx)
    else:
        text = _("Choose strong community leaderships. As of %(date)s there are %(cadres)s community cadres in post"
                 "%(change)s, of an average age of %(age)s, %(college)s of them (%(share)s%%) with junior college "
                 "education or above") % {
            **ctx, "cadres": n(cur["cadres"]), "change": stock_change("cadres"), "age": n(cur["average_age"], 1),
            "college": n(cur["college"]), "share": n(cur["college_share"], 1, False)}
        if urban:
            text += _("; in %(one)s of the %(urban)s urban communities the party secretary also serves as director "
                      "of the residents' committee (%(share)s%%)") % {
                "one": n(cur["one_shoulder"]), "urban": urban, "share": n(cur["one_shoulder_share"], 1, False)}
        extras = _series([
            _("%(n)s full-time deputy secretaries") % {"n": rec["deputy_secretaries"]} if rec.get("deputy_secretaries") else "",
            _("%(n)s full-time party workers") % {"n": rec["party_workers"]} if rec.get("party_workers") else "",
        ])
        if extras:
            text += _(", with %(extras)s") % {"extras": extras}
        staff_points.append(text + _("."))
    training = _training_point(node, now, before, complete=complete, scope=scope, period=period)
    staff_points.append(training)
    if now.get("promotions") or now.get("awards"):
        staff_points.append(_("Reward good work. %(period)s %(parts)s.") % {"period": period, "parts": _clauses([
            _("%(n)s community cadres were promoted to posts in streets or district departments") % {"n": now["promotions"]}
            if now.get("promotions") else "",
            (_("%(n)s were commended") if now.get("promotions") else _("%(n)s community cadres were commended")) % {
                "n": now["awards"]} if now.get("awards") else ""])})
    if rec.get("teams"):
        staff_points.append(_("Build up volunteer teams. %(scope)s has %(teams)s party-member volunteer service teams "
                              "with %(volunteers)s volunteers.") % {**ctx, "teams": rec["teams"],
                                                                   "volunteers": rec["volunteers"]})
    staffing_text = sentences([opening + _("."), points(staff_points)])

    # (二) 有钱办事 ---------------------------------------------------------------------------
    standard = rec.get("standard")
    money_points = []
    if standard:
        if standard.get("total"):
            rule = _("each community receives %(total)s yuan of working funds a year, at least %(party)s yuan of "
                     "them for party building") % {"total": _money(standard["total"]), "party": _money(standard["party"])}
        else:
            rule = _("each community receives %(office)s yuan of office funds and %(party)s yuan of party-building "
                     "funds a year") % {"office": _money(standard["office"]), "party": _money(standard["party"])}
        beneath = [
            _("%(node)s sets its own: %(office)s yuan of office funds and %(party)s yuan of party-building funds") % {
                "node": s["node"], "office": _money(s["office"]), "party": _money(s["party"])}
            for s in rec.get("standards_beneath", [])
        ]
        money_points.append(sentences([
            _("Carry out the funding standard. Under the standard set by %(by)s, %(rule)s") % {
                "by": standard["node"], "rule": rule} + (_("; %(beneath)s") % {"beneath": _series(beneath)}
                                                          if beneath else "") + _(".")]))
    else:
        money_points.append(_("Carry out the funding standard. No funding standard for communities was set for "
                              "%(year)s.") % ctx)
    if cur.get("working_funds") is None:
        money_points.append(_("Raise funds through several channels. The working funds the communities received in "
                              "%(year)s have not been entered.") % ctx)
    else:
        funds = now.get("funds") or cur["working_funds"]
        text = _("Raise funds through several channels. %(period)s the communities received %(funds)s yuan of "
                 "working funds%(change)s, %(per)s yuan per community on average") % {
            "period": period, "funds": _money(funds),
            "change": flow_change(funds, before.get("funds"), unit="yuan", places=2),
            "per": _money(Decimal(funds) / rec["communities"]) if rec.get("communities") else "—"}
        sources = sorted(((Decimal(v), k) for k, v in (now.get("sources") or {}).items()), reverse=True)
        if len(sources) > 1:
            text += _(": %(sources)s") % {"sources": _series([
                _("%(amount)s yuan from %(source)s") % {"amount": _money(a), "source": Source(k).label}
                for a, k in sources])}
        if cur.get("funds_with_standard") and cur.get("funds_meeting") == cur["funds_with_standard"]:
            text += _("; all %(with)s communities held to the standard received it in full") % {
                "with": n(cur["funds_with_standard"])}
        elif cur.get("funds_with_standard") and cur.get("funds_meeting") is not None:
            text += _("; %(meeting)s of the %(with)s communities held to the standard received it in full (%(rate)s%%)") % {
                "meeting": n(cur["funds_meeting"]), "with": n(cur["funds_with_standard"]),
                "rate": n(cur["funds_compliance_rate"], 1, False)}
        money_points.append(text + _("."))
    funding_text = points(money_points)

    # (三) 有场所议事 -------------------------------------------------------------------------
    venue_points = []
    built = now.get("built") or []
    new = [b for b in built if not b["expanded"]]
    expanded = [b for b in built if b["expanded"]]
    text = _("Build venues.")
    if built:
        named = [
            (_("%(community)s expanded by %(area)s ㎡") if b["expanded"] else _("%(community)s built %(area)s ㎡ anew")) % {
                "community": b["community"], "area": n(b["area"], 2)} for b in built[:VENUES_SHOWN]]
        text += " " * (not _chinese()) + _("%(period)s %(parts)s, among them %(named)s.") % {
            "period": period, "named": _series(named), "parts": _series([
                _("%(n)s venues of %(area)s ㎡ were newly built or bought") % {
                    "n": len(new), "area": n(sum(Decimal(b["area"]) for b in new), 2)} if new else "",
                _("%(n)s venues were expanded by %(area)s ㎡") % {
                    "n": len(expanded), "area": n(sum(Decimal(b["area"]) for b in expanded), 2)} if expanded else ""])}
    if cur.get("built_area") is None:
        text += " " * (not _chinese()) + _("The communities' venues have not been entered.")
    else:
        text += " " * (not _chinese()) + _("As of %(date)s the communities' office and activity venues cover "
                                           "%(area)s ㎡%(change)s") % {
            **ctx, "area": n(cur["built_area"], 2), "change": stock_change("built_area", unit="sqm", places=2)}
        if cur.get("area_with_standard"):
            text += _("; %(meeting)s of the %(with)s communities held to the area standard meet it (%(rate)s%%)") % {
                "meeting": n(cur["area_meeting"]), "with": n(cur["area_with_standard"]),
                "rate": n(cur["area_compliance_rate"], 1, False)}
        building = (rec.get("under_construction") or []) if _recent(year) else []
        if building:
            text += _("; the venues of %(n)s communities (%(names)s) are under construction") % {
                "n": len(building), "names": _series([b["community"] for b in building[:NAMES_IN_TEXT]])}
        text += _(".")
    venue_points.append(text)
    if rec.get("halls"):
        opened = now.get("halls_opened")
        venue_points.append(_("Build one-stop service halls. %(scope)s has %(halls)s community one-stop service halls"
                              "%(opened)s.") % {**ctx, "halls": rec["halls"],
                                                "opened": _(", %(n)s of them opened this year") % {"n": opened}
                                                if opened else ""})
    venues_text = points(venue_points)

    # (四) 区域化党建 -------------------------------------------------------------------------
    regional_points = []
    conferences = rec.get("conferences") or {}
    organisation = []
    if rec.get("units"):
        organisation.append(_("%(scope)s has %(units)s resident units with %(members)s party members") % {
            **ctx, "units": rec["units"], "members": rec["unit_members"]})
    bodies = _series([
        _("%(n)s street joint conferences") % {"n": conferences["street"]} if conferences.get("street") else "",
        _("%(n)s community joint sub-conferences") % {"n": conferences["community"]} if conferences.get("community") else "",
    ])
    if bodies:
        organisation.append(_("%(bodies)s have been set up") % {"bodies": bodies})
    text = _("Build the organisation of regional party building.")
    if organisation:
        text += " " * (not _chinese()) + _clauses(organisation) + _(".")
    if cur.get("meetings_held") is None and not now.get("meetings"):
        text += " " * (not _chinese()) + _("No joint conference meeting has been entered for %(year)s.") % ctx
    elif now.get("meetings"):
        text += " " * (not _chinese()) + _("%(period)s joint conferences met %(n)s times%(change)s") % {
            "period": period, "n": now["meetings"],
            "change": flow_change(now["meetings"], before.get("meetings"), unit="times")}
        if now.get("topics"):
            text += _(", taking up %(topics)s and other matters") % {"topics": _quoted(now["topics"], TOPICS_SHOWN)}
        text += _(".")
    regional_points.append(text)
    if now.get("agreements_in_force") or now.get("agreements_signed") or now.get("commitments_due"):
        text = _("Deepen joint building.")
        parts = []
        if now.get("agreements_signed"):
            parts.append(_("%(period)s %(n)s joint-building agreements were signed") % {
                "period": period, "n": now["agreements_signed"]})
        parts.append(_("as of %(date)s %(n)s agreements are in force and being carried out") % {
            **ctx, "n": now["agreements_in_force"]} + (
            _(" (%(n)s were terminated in the year)") % {"n": now["agreements_terminated"]}
            if now.get("agreements_terminated") else ""))
        text += " " * (not _chinese()) + _clauses(parts) + _(".")
        if now.get("commitments_due"):
            text += " " * (not _chinese()) + _(
                "Around the four ones (a party day activity, solving one problem for the community, one proposal for "
                "community building, one practical thing for residents), %(kept)s of the %(due)s commitments due "
                "were kept (%(rate)s%%).") % {
                "due": now["commitments_due"], "kept": now["commitments_kept"],
                "rate": _fmt(Decimal(100) * now["commitments_kept"] / now["commitments_due"], 1, trim=False)}
        regional_points.append(text)
    if now.get("members_registered") or now.get("posts_claimed"):
        parts = []
        if now.get("members_registered"):
            parts.append(_("%(n)s in-service party members registered in their home communities%(change)s") % {
                "n": now["members_registered"],
                "change": flow_change(now["members_registered"], before.get("members_registered"), unit="people")})
        if now.get("posts_claimed"):
            parts.append(_("%(posts)s community service posts were claimed (%(claims)s claims)") % {
                "posts": now["posts_claimed"], "claims": now["claims"]})
        regional_points.append(_("Bring in-service party members into communities. %(period)s %(parts)s.") % {
            "period": period, "parts": _clauses(parts)})
    regional_text = points(regional_points)

    # Assessment: its own paragraph.
    if cur.get("assessed"):
        grades = [(g, cur.get(f"grade_{g}") or 0) for g in ("excellent", "good", "pass", "fail")]
        named = [_("%(grade)s %(n)s") % {"grade": Grade(g).label, "n": k} for g, k in grades if k]
        if len(named) == 1:
            grade_text = _("all of them %(grade)s") % {"grade": Grade(next(g for g, k in grades if k)).label}
        else:
            grade_text = _series(named)
        assessment = _("Carry out the party-building responsibility system. In the annual assessment the results of "
                       "%(n)s communities have been approved: %(grades)s.") % {"n": cur["assessed"], "grades": grade_text}
    else:
        assessment = _("Carry out the party-building responsibility system. No result of the annual assessment of "
                       "%(year)s has been approved yet.") % ctx

    blocks = [
        {"key": "title", "kind": "title", "text": _("%(node)s %(year)s Year-end Summary of the 三有一化 Work") % ctx},
        {"key": "intro", "kind": "body", "text": _intro(node, year, complete, suggestions)},
        {"key": "progress", "kind": "h1", "text": _("I. Progress of the 三有一化 work")},
        {"key": "staffing_heading", "kind": "h2", "text": _("(1) Someone to manage affairs")},
        {"key": "staffing", "kind": "body", "text": staffing_text},
        {"key": "assessment", "kind": "body", "text": assessment},
        {"key": "funding_heading", "kind": "h2", "text": _("(2) Money to get things done")},
        {"key": "funding", "kind": "body", "text": funding_text},
        {"key": "venues_heading", "kind": "h2", "text": _("(3) A place to discuss matters")},
        {"key": "venues", "kind": "body", "text": venues_text},
        {"key": "regional_heading", "kind": "h2", "text": _("(4) Regional party building")},
        {"key": "regional", "kind": "body", "text": regional_text},
        {"key": "problems_heading", "kind": "h1", "text": _("II. Problems")},
    ]
    problems = figures["problems"]
    if problems:
        lines = [_("Checked against the data of the year, the 三有一化 work still has these problems (the communities "
                   "concerned are listed in the annex table):") if complete else
                 _("Checked against the data so far this year, the 三有一化 work still has these problems (the "
                   "communities concerned are listed in the annex table):")]
        for i, p in enumerate(problems):
            lines.append(_("%(ordinal)s, %(text)s") % {"ordinal": _ordinal(i), "text": _problem_sentence(
                p, year=year, complete=complete, date=date, node=node)})
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


def carry_edits(previous: list[dict] | None, blocks: list[dict]) -> list[dict]:
    """A redraft's blocks with the user's edits of the version before kept.

    Every block remembers the text drafting computed for it (``computed``). A block of the
    previous version whose text differs from its ``computed`` was edited by hand: the new
    version keeps that text, and when the freshly computed text differs from it, offers it
    beside (``fresh``) to accept or to dismiss (:func:`reports.services.summary_take_fresh`) —
    unless it is what the user had already replaced (the data behind it did not change).
    The date is not carried: it is set when the summary is finalised."""
    before = {b["key"]: b for b in previous or [] if "computed" in b}
    result = []
    for block in blocks:
        block = {**block, "computed": block["text"]}
        old = before.get(block["key"])
        if old is not None and block["kind"] != "date" and old["text"] != old["computed"]:
            block["text"] = old["text"]
            news = block["computed"] != old["computed"] or "fresh" in old  # changed, or not yet settled
            if news and block["computed"] != old["text"]:
                block["fresh"] = block["computed"]
        result.append(block)
    return result


def _intro(node: Node, year: int, complete: bool, suggestions: dict[str, str]) -> str:
    guiding = (suggestions.get(ProblemKind.GUIDING) or "").strip().rstrip("，,。.；;")
    ctx = {"year": year, "body": leading_body(node), "scope": scope_word(node),
           "guiding": (_(", %(text)s") % {"text": guiding}) if guiding else ""}
    if complete:
        return _("In %(year)s, %(body)s%(guiding)s, took the 三有一化 construction of communities (someone to manage "
                 "affairs, money to get things done, a place to discuss matters, and regional party building) as the "
                 "foundation of community party building and carried it forward in every community of %(scope)s. The "
                 "work of the year is summarised as follows.") % ctx
    return _("Since the beginning of this year, %(body)s%(guiding)s, has taken the 三有一化 construction of communities "
             "(someone to manage affairs, money to get things done, a place to discuss matters, and regional party "
             "building) as the foundation of community party building and carried it forward in every community of "
             "%(scope)s. The work so far is summarised as follows.") % ctx


def _training_point(node: Node, now: dict, before: dict, *, complete: bool, scope: str, period: str) -> str:
    """The courses the node organised itself (named), those of the nodes beneath it (counted),
    and its cadres' attendance at every course — saying which is which."""
    own = now.get("own_courses") or []
    beneath = sum((now.get("courses_beneath") or {}).values())
    attendance = now.get("attendance") or {}
    if not own and not beneath and not attendance.get("times"):
        return ""
    parts = []
    if own:
        names = [c["name"] for c in own]
        parts.append(_("%(organiser)s held %(names)s%(more)s, %(n)s courses in all") % {
            "organiser": organiser(node), "names": _quoted(names, COURSES_SHOWN),
            "more": _(" and others") if len(names) > COURSES_SHOWN else "", "n": len(names)}
            if len(names) > 1 else _("%(organiser)s held %(names)s") % {
                "organiser": organiser(node), "names": _quoted(names, 1)})
    if beneath:
        parts.append((_("the streets held %(n)s courses") if node.level < Level.TOWNSHIP
                      else _("the communities held %(n)s courses")) % {"n": beneath})
    text = _("Train community cadres.") + " " * (not _chinese()) + _clauses(parts) + (_(";") if parts else "")
    if attendance.get("times"):
        text += " " * (not _chinese()) + _("%(period)s the cadres of %(scope)s attended training %(times)s times at all "
                                           "levels, %(hours)s class hours in all%(change)s") % {
            "period": period, "scope": scope, "times": attendance["times"], "hours": _fmt(_d(attendance["hours"]), 1),
            "change": _change(attendance["times"], (before.get("attendance") or {}).get("times"), unit="attendances",
                              since=None if complete else _("the same period of last year"))
            if (before.get("attendance") or {}).get("times") else ""}
        at_own = (now.get("attendance_own") or {}).get("times") or 0
        if own and at_own != attendance["times"]:
            text += _(", of which %(own)s at the courses of %(organiser)s and %(other)s at courses held by others") % {
                "own": at_own, "organiser": organiser(node), "other": attendance["times"] - at_own}
    return text + _(".")


def _recent(year: int) -> bool:
    """Whether a state without a date (a venue under construction) may be told of in the summary
    of ``year``: this year's, or last year's written early this year — not a summary of years ago."""
    return year >= timezone.localdate().year - 1


def _ordinal(i: int) -> str:
    return _("Point %(n)s") % {"n": numeral(i)}
