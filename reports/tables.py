"""The statistical tables of the year-end 三有一化 summary: one row per community with the
year's figures beside the previous year's, and the Excel workbook that prints them.

:func:`table_rows` reads the facts of every community under a node for a year and the year
before from the facts table (figures.models.Facts), one row at a time from one chunked query;
:func:`community_table` lists them in a JSON-serialisable dict. :func:`statistics_workbook` lays
such rows out, as they come, in a write-only workbook with street subtotals and a total; it
needs no database, so a table kept as data prints exactly as it was.

一化 records (joint conferences and their meetings, agreements and their commitments) may be
kept by a street or a district itself rather than by a community. Each such node gets a row of
its own ("<name>本级", ``"own": True``) with only the 一化 figures, after the rows under it, so
that subtotals and the total agree with the summary's text and the dashboard.

Blanks (None) mean "does not apply" or "not entered": the standards and "meets the standard"
where no standard applies that year, a percentage whose base is 0 (no cadres, nothing spent), and
every figure of a family (cadres, funds, venues, 一化) a community has no record of in the year —
the one rule for "no data" of the summary and the dashboard (reports.figures.RECORD_FAMILIES):
未录入 is blank, never 0.

The workbook prints as the summary's annex (附表): one sheet per part of the work (people, money,
venues, regional building) rather than one sheet 38 columns wide, a sheet of the problems the
summary names, a Chinese font, whole yuan without ".00", and standards (what each community
should have) never summed into subtotals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from copy import copy

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.dimensions import SheetFormatProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.worksheet.page import PageMargins

from assessments.rules import all_facts
from regional_building import facts as regional_facts
from communities.models import PREFIX_LENGTH, Level, Node
from core.excel import HEADER_FILL, neutralise

# (fact key, label, kind); kind is one of int, money, area, percent, bool.
COLUMNS = [
    ("staffing.staff_count", gettext_lazy("Cadres"), "int"),
    ("staffing.college_count", gettext_lazy("College or above"), "int"),
    ("staffing.college_share", gettext_lazy("College or above (%)"), "percent"),
    ("staffing.one_shoulder", gettext_lazy("Secretary also director"), "bool"),
    ("staffing.party_workers", gettext_lazy("Full-time party workers"), "int"),
    ("funding.working_funds", gettext_lazy("Working funds (yuan)"), "money"),
    ("funding.working_standard", gettext_lazy("Funding standard (yuan)"), "money"),
    ("funding.funds_meet_standard", gettext_lazy("Funds meet the standard"), "bool"),
    ("funding.party_work_share", gettext_lazy("Party work share of spending (%)"), "percent"),
    ("venues.built_area", gettext_lazy("Office and activity space (㎡)"), "area"),
    ("venues.required_area", gettext_lazy("Area standard (㎡)"), "area"),
    ("venues.area_meets_standard", gettext_lazy("Area meets the standard"), "bool"),
    ("regional_building.meetings_held", gettext_lazy("Joint conference meetings"), "int"),
    ("regional_building.agreements_in_force", gettext_lazy("Co-building agreements"), "int"),
    ("regional_building.commitments_due", gettext_lazy("Commitments due"), "int"),
    ("regional_building.commitments_kept", gettext_lazy("Commitments kept"), "int"),
    ("regional_building.members_registered", gettext_lazy("In-service members registered"), "int"),
]

# Percent columns that subtotals recompute from summed parts: key → (numerator, denominator).
# The parts are stored in every row (even when not shown as columns) so that a frozen table
# can still be summed.
RATIOS = {
    "staffing.college_share": ("staffing.college_count", "staffing.staff_count"),
    "funding.party_work_share": ("funding.party_work_spent", "funding.spent"),
}
_EXTRA_KEYS = sorted({part for parts in RATIOS.values() for part in parts} - {key for key, _l, _k in COLUMNS})
_KIND_OF_EXTRA = {"funding.party_work_spent": "money", "funding.spent": "money"}

# Figures blanked when no standard applies: the flag → the keys it governs.
STANDARD_FLAGS = {
    "funding.has_standard": ("funding.working_standard", "funding.funds_meet_standard"),
    "venues.has_area_standard": ("venues.required_area", "venues.area_meets_standard"),
}
# The 一化 columns: the only figures a street's or a district's own row has.
REGIONAL_PREFIX = "regional_building."
REGIONAL_KEYS = [key for key, _l, _k in COLUMNS if key.startswith(REGIONAL_PREFIX)]

FIXED_COLUMNS = 4  # 序号, 街道, 社区, 代码
LABEL_COLUMNS = 3  # subtotal/total labels are merged over 序号..社区, left of the frozen split
HEADER_ROWS = (2, 3)
FIRST_DATA_ROW = 4
NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0.00", "area": "#,##0.00", "percent": '0.0"%"', "bool": "#,##0"}
TENTH = Decimal("0.1")


# ---------------------------------------------------------------------------------------------
# The table


def _json_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, int):
        return value
    return str(value)


# "No data" per community and year: a family without any record leaves its figures blank.
# (record test on the facts, figures it blanks)
NO_DATA = {
    "staffing.": (("staffing.staff_count",), None),
    "funding.": (("funding.working_funds", "funding.office_funds", "funding.party_funds", "funding.spent"),
                 ("funding.working_standard",)),  # the standard applies whether or not funds were entered
    "venues.": (("venues.built_area",), ("venues.required_area",)),
    "regional_building.": (tuple(f"regional_building.{k}" for k in (
        "meetings_held", "agreements_in_force", "commitments_due", "members_registered")), None),
}


def _unrecorded(facts: dict) -> set[str]:
    """The keys of ``facts`` to leave blank because their family has no record (see NO_DATA)."""
    blank = set()
    for prefix, (tests, kept) in NO_DATA.items():
        if not any(facts.get(key) for key in tests):
            blank |= {key for key in facts if key.startswith(prefix) and key not in (kept or ())}
    return blank


def _pick(facts: dict, keys: list[str]) -> dict:
    """A community's values of ``keys``, with blanks where a figure does not apply or was not entered."""
    values = {key: _json_value(facts.get(key)) for key in keys}
    if facts:
        for key in _unrecorded(facts):
            if key in values:
                values[key] = None
    for flag, governed in STANDARD_FLAGS.items():
        if not facts.get(flag):
            values.update({key: None for key in governed if key in values})
    for key, (_numerator, denominator) in RATIOS.items():
        if key in values and not facts.get(denominator):
            values[key] = None  # no cadres / nothing spent: no share (not 0 %)
    return values


def _own_values(facts: dict, keys: list[str]) -> dict:
    """A street's or district's own row: its 一化 figures (``facts`` keyed ``"<app>.<key>"``; blank
    in a year it has no record of), blank for everything else."""
    recorded = any(facts.get(key) for key in NO_DATA[REGIONAL_PREFIX][0])
    return {key: _json_value(facts.get(key)) if key in REGIONAL_KEYS and recorded else None for key in keys}


def _own_sort_key(node: Node) -> str:
    """Sorts after every code under ``node`` (codes are digits) and before the next sibling's."""
    return node.prefix + "~"


def community_table(*, node: Node, year: int) -> dict:
    """The communities under ``node`` (itself when it is one), with ``year``'s facts and the year before's.

    Besides one row per community, every street or district under (and including) ``node`` that
    keeps 一化 records itself gets a row ``"own": True`` with those figures (blank elsewhere),
    after the rows under it: a street's before its subtotal, ``node``'s own before the total.

    Read from the facts table (figures.models.Facts): :func:`table_rows` yields the rows one at a
    time from one query, so that the workbook of a province (:func:`statistics_workbook` given
    ``rows`` as a function) never holds them all; this function lists them (``rows``) for a
    caller that keeps the table. Decimals are strings.
    """
    return {**table_header(node=node, year=year), "rows": list(table_rows(node=node, year=year))}


def table_header(*, node: Node, year: int) -> dict:
    """Everything of :func:`community_table` but the rows, and ``summed_streets``: how many
    streets have communities (the workbook writes street subtotals when there are several)."""
    return {
        "node": {"code": node.code, "name": node.name},
        "year": year,
        "previous_year": year - 1,
        "columns": [{"key": key, "label": str(label), "kind": kind} for key, label, kind in COLUMNS],
        "summed_streets": Node.objects.filter(code__startswith=node.prefix, level=Level.COMMUNITY)
        .order_by().values("parent_id").distinct().count(),
    }


def table_rows(*, node: Node, year: int):
    """The rows of :func:`community_table`, in order, one at a time: one query over the facts
    table (the rows of the two years under ``node``, with the names of their nodes and streets)
    read in chunks, so nothing holds more than a chunk of narrow tuples. A year the table does
    not keep (older than ``FIGURES_YEARS_BACK``) is computed from the raw rows."""
    from figures import selectors as facts
    from figures.models import Facts
    from figures.refresh import years

    if year not in years() or year - 1 not in years():
        yield from _rows_from_raw(node=node, year=year)
        return
    facts.catch_up(node.prefix)
    keys = [key for key, _label, _kind in COLUMNS] + _EXTRA_KEYS
    columns = facts.fact_columns()
    regional = [key[len(REGIONAL_PREFIX):] for key in REGIONAL_KEYS]
    rows = (
        Facts.objects.filter(code__startswith=node.prefix, year__in=[year, year - 1])
        .order_by("code", "-year")
        .values_list("node_id", "year", "level", "code", "node__name", "node__parent__code", "node__parent__name",
                     *columns)
        .iterator(chunk_size=2000)
    )
    waiting: list[tuple[str, dict]] = []  # own rows of the streets/districts we are inside: (prefix, row)

    def made(group):
        now = before = None
        for row in group:
            values = dict(zip(columns, row[7:]))
            if row[1] == year:
                now = values
            else:
                before = values
        _pk, _y, level, code, name, parent_code, parent_name = group[0][:7]
        if level == Level.COMMUNITY:
            return None, {
                "street_code": parent_code or "", "street_name": parent_name or "", "code": code, "name": name,
                "current": _pick(facts.keyed_facts(now) if now else {}, keys),
                "previous": _pick(facts.keyed_facts(before) if before else {}, keys),
            }
        now, before = now or {}, before or {}
        if not any(now.get(key) or before.get(key) for key in regional):
            return None, None  # keeps nothing itself
        street = level == Level.TOWNSHIP  # a street's own row belongs to its group (and subtotal)
        prefix = code[: PREFIX_LENGTH[Level(level)]]
        return prefix, {
            "own": True, "street_code": code if street else "", "street_name": name if street else "",
            "code": code, "name": _("%(node)s (own)") % {"node": name},
            "current": _own_values(_prefixed(now), keys), "previous": _own_values(_prefixed(before), keys),
        }

    def emit(group):
        prefix, row = made(group)
        out = []
        code = group[0][3]
        while waiting and not code.startswith(waiting[-1][0]):
            out.append(waiting.pop()[1])
        if prefix is not None:
            waiting.append((prefix, row))
        elif row is not None:
            out.append(row)
        return out

    group: list = []
    for row in rows:
        if group and row[0] != group[0][0]:
            yield from emit(group)
            group = []
        group.append(row)
    if group:
        yield from emit(group)
    while waiting:
        yield waiting.pop()[1]


def _prefixed(values: dict) -> dict:
    """A node's own facts as :func:`_own_values` reads them."""
    return {f"{REGIONAL_PREFIX}{key}": value for key, value in values.items()
            if f"{REGIONAL_PREFIX}{key}" in REGIONAL_KEYS}


def _rows_from_raw(*, node: Node, year: int):
    """:func:`table_rows` from the raw rows (years the facts table does not keep): a constant
    number of queries, holding every community's facts."""
    nodes = list(Node.objects.filter(code__startswith=node.prefix).select_related("parent").order_by("code"))
    communities = [n for n in nodes if n.level == Level.COMMUNITY]
    others = [n for n in nodes if n.level != Level.COMMUNITY]
    ids, other_ids = [c.pk for c in communities], [n.pk for n in others]
    previous_year = year - 1
    current = all_facts(community_ids=ids, year=year) if ids else {}
    previous = all_facts(community_ids=ids, year=previous_year) if ids else {}
    own_current = regional_facts.community_facts(community_ids=other_ids, year=year) if other_ids else {}
    own_previous = regional_facts.community_facts(community_ids=other_ids, year=previous_year) if other_ids else {}
    keys = [key for key, _label, _kind in COLUMNS] + _EXTRA_KEYS
    keyed_rows = []
    for c in communities:
        street = c.parent
        keyed_rows.append((c.code, {
            "street_code": street.code if street else "",
            "street_name": street.name if street else "",
            "code": c.code,
            "name": c.name,
            "current": _pick(current.get(c.pk, {}), keys),
            "previous": _pick(previous.get(c.pk, {}), keys),
        }))
    for other in others:
        now, before = own_current.get(other.pk, {}), own_previous.get(other.pk, {})
        figures = [key[len(REGIONAL_PREFIX):] for key in REGIONAL_KEYS]
        if not any(now.get(key) or before.get(key) for key in figures):
            continue  # keeps nothing itself
        street = other.level == Level.TOWNSHIP  # a street's own row belongs to its group (and subtotal)
        keyed_rows.append((_own_sort_key(other), {
            "own": True,
            "street_code": other.code if street else "",
            "street_name": other.name if street else "",
            "code": other.code,
            "name": _("%(node)s (own)") % {"node": other.name},
            "current": _own_values(_prefixed(now), keys),
            "previous": _own_values(_prefixed(before), keys),
        }))
    keyed_rows.sort(key=lambda pair: pair[0])
    for _key, row in keyed_rows:
        yield row


# ---------------------------------------------------------------------------------------------
# The workbook


def _number(value: Any, kind: str) -> Any:
    """A stored table value → the typed value of a cell (None stays blank)."""
    if value is None or value == "":
        return None
    if kind == "bool":
        return bool(value)
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _kind_of(key: str, kinds: dict[str, str]) -> str:
    return kinds.get(key) or _KIND_OF_EXTRA.get(key) or "money"


# What each community should have: a sum of standards means nothing, so subtotals leave them blank.
STANDARD_KEYS = {"funding.working_standard", "venues.required_area"}


class _Running:
    """A subtotal kept while rows go by (one year's values at a time): sums and counts of yes
    over the values present (a blank is neither summed nor counted; nothing present is blank,
    not 0), ratios recomputed from the summed parts, standards left blank."""

    def __init__(self, kinds: dict[str, str]):
        self.kinds = kinds
        keys = set(kinds) | {part for parts in RATIOS.values() for part in parts}
        self.summed = [(key, _kind_of(key, kinds)) for key in sorted(keys)
                       if _kind_of(key, kinds) != "percent" and key not in STANDARD_KEYS]
        self.totals: dict[str, Any] = dict.fromkeys(keys)

    def add(self, values: dict) -> None:
        totals = self.totals
        for key, kind in self.summed:
            value = values.get(key)
            if value is None:
                continue
            number = _number(value, kind)
            if kind == "bool":
                totals[key] = (totals[key] or 0) + (1 if number else 0)
            elif number is not None:
                totals[key] = (totals[key] if totals[key] is not None else (0 if kind == "int" else Decimal("0.00"))) + number

    def result(self) -> dict[str, Any]:
        totals = dict(self.totals)
        for key, (numerator, denominator) in RATIOS.items():
            if key not in self.kinds:
                continue
            part, whole = totals.get(numerator), totals.get(denominator)
            if part is None or not whole:
                totals[key] = None  # no base (or a frozen table without the parts): no share
            else:
                totals[key] = (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)
        return totals


def _aggregate(values: list[dict], kinds: dict[str, str]) -> dict[str, Any]:
    """Subtotal of some rows' values (one year), as :class:`_Running` keeps it."""
    running = _Running(kinds)
    for v in values:
        running.add(v)
    return running.result()


TABLE_FONT = "宋体"  # offices print statistical tables in 宋体 (仿宋 for documents)
HEADER_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
FONT_SIZE = 11


class _Styles:
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    plain = Font(name=TABLE_FONT, size=FONT_SIZE)
    header_font = Font(name=HEADER_FONT, size=FONT_SIZE)
    title_font = Font(name=TITLE_FONT, size=18)
    bold = Font(name=TABLE_FONT, size=FONT_SIZE, bold=True)
    italic = Font(name=TABLE_FONT, size=FONT_SIZE, italic=True)
    subtotal_fill = PatternFill("solid", fgColor="F2F2F2")
    total_fill = PatternFill("solid", fgColor="E2EFDA")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center")
    right = Alignment(horizontal="right", vertical="center")


def _value_cells(columns: list[dict]) -> list[tuple[int, dict, str]]:
    """(sheet column, column spec, "current"/"previous") for every value cell of a row."""
    cells = []
    for index, column in enumerate(columns):
        first = FIXED_COLUMNS + 1 + 2 * index
        cells.append((first, column, "current"))
        cells.append((first + 1, column, "previous"))
    return cells


class _Writer:
    """Cells of a write-only sheet with the table's styles: each combination of font, fill,
    alignment and number format is made once and copied onto the cells (a province's sheet has
    millions of cells; setting each style on each cell would cost more than the data)."""

    def __init__(self, ws):
        self.ws = ws
        self.styles: dict = {}

    def cell(self, value=None, *, font=None, fill=None, alignment=None, number_format=None, border=True):
        key = (id(font), id(fill), id(alignment), number_format, border)
        style = self.styles.get(key)
        if style is None:
            model = WriteOnlyCell(self.ws)
            model.font = font if font is not None else _Styles.plain
            if border:
                model.border = _Styles.border
            if fill is not None:
                model.fill = fill
            if alignment is not None:
                model.alignment = alignment
            if number_format is not None:
                model.number_format = number_format
            style = self.styles[key] = model._style
        cell = WriteOnlyCell(self.ws, value)
        cell._style = copy(style)
        return cell

    def values(self, cells, values: dict[str, dict], *, bool_as_text: bool, font=None, fill=None) -> list:
        yes, no = _("yes"), _("no")
        out = []
        for _col, column, which in cells:
            kind = column["kind"]
            value = values[which].get(column["key"])
            if kind == "bool" and bool_as_text:
                out.append(self.cell(None if value is None else (yes if value else no), font=font, fill=fill,
                                     alignment=_Styles.center))
            else:
                number = _number(value, "int" if kind == "bool" else kind)
                out.append(self.cell(number, font=font, fill=fill, alignment=_Styles.right,
                                     number_format=_number_format(number, kind)))
        return out


def _number_format(value, kind: str) -> str:
    """Yuan and ㎡ as offices write them: whole amounts without ".00"."""
    if kind in ("money", "area") and isinstance(value, Decimal) and value == value.to_integral_value():
        return NUMBER_FORMATS["int"]
    return NUMBER_FORMATS[kind]


# The sheets of the workbook: (key prefix of their figures, sheet name) — the four parts of the
# work, as the summary's (一)–(四).
SHEETS = [
    ("staffing.", gettext_lazy("Someone to manage affairs")),
    ("funding.", gettext_lazy("Money to get things done")),
    ("venues.", gettext_lazy("A place to discuss matters")),
    (REGIONAL_PREFIX, gettext_lazy("Regional party building")),
]
# A4 landscape, 277 mm of printable width, is about this many Excel width units of 宋体 11 pt:
# narrower sheets are widened to it so that a street's few columns fill the page.
PAGE_WIDTH_UNITS = 150


def statistics_workbook(table: dict, *, title: str, problems: list[dict] | None = None) -> openpyxl.Workbook:
    """The statistical tables as a printable workbook, the summary's annex (附表): one sheet per
    part of the work (:data:`SHEETS`), then, given the summary's ``problems``, a sheet listing
    the communities (and streets' own records) each problem concerns.

    Each table sheet: title, two-row header (each figure over "<year>" and "<previous year>"),
    one row per community, streets' and districts' own rows (italic, unnumbered; on the
    regional sheet only, the only figures they have), street subtotals and a total. Values
    are written as numbers (not formulas), so they read back without Excel; yes/no figures show
    是/否 per community and the number of communities with yes in sums. Blank values (no
    standard, no base for a percentage, nothing entered) stay blank and are left out of sums;
    standards are not summed. Printed on A4 landscape, one page wide.

    The workbook is write-only (openpyxl ``write_only``): rows go to the file as they are
    written, every sheet at once in one pass over the rows, so a province's 120,000 rows never
    sit in memory, as cells or as rows. ``table["rows"]`` is a list or an iterator
    (:func:`table_rows`), read once; ``table["summed_streets"]`` says how many streets have
    communities (subtotals are written only when there are several; counted from the rows when
    absent). Save it once.
    """
    wb = openpyxl.Workbook(write_only=True)
    rows = table["rows"]
    summed_streets = table.get("summed_streets")
    if summed_streets is None:
        rows = list(rows)
        summed_streets = len({r["street_code"] for r in rows if r["street_code"] and not r.get("own")})
    sheets = []
    number = 0
    for prefix, name in SHEETS:
        columns = [c for c in table["columns"] if c["key"].startswith(prefix)]
        if not columns:
            continue
        number += 1
        sheets.append(_TableSheet(
            wb.create_sheet(_sheet_name(number, str(name))), {**table, "columns": columns},
            own_rows=prefix == REGIONAL_PREFIX, with_subtotals=summed_streets > 1,
            title=_("Annex %(n)s: %(title)s (%(part)s)") % {"n": number, "title": title, "part": name}))
    for r in rows:
        for sheet in sheets:
            sheet.add(r)
    for sheet in sheets:
        sheet.finish()
    if problems is not None:
        number += 1
        _problems_sheet(wb.create_sheet(_sheet_name(number, str(_("Problems found")))), problems,
                        title=_("Annex %(n)s: %(title)s (%(part)s)") % {
                            "n": number, "title": title, "part": _("Problems found")})
    return wb


def _sheet_name(number: int, name: str) -> str:
    return (_("Annex %(n)s %(name)s") % {"n": number, "name": name})[:31]


def _merge(ws, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Merge cells of a write-only sheet (written with the sheet when it is saved)."""
    ws.merged_cells.add(CellRange(min_row=first_row, min_col=first_col, max_row=last_row, max_col=last_col))


def _title_row(ws, w: _Writer, title: str, last_col: int) -> None:
    ws.row_dimensions[1].height = 36
    ws.append([w.cell(neutralise(title), font=_Styles.title_font, border=False,
                      alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))])
    _merge(ws, 1, 1, 1, last_col)


def _problems_sheet(ws, problems: list[dict], *, title: str) -> None:
    """The full list behind the summary's 二、存在的问题: one row per community (or own record)."""
    headers = [(_("No."), 6), (_("Problem"), 34), (_("Street"), 18), (_("Community or conference"), 30),
               (_("Particulars"), 40)]
    w = _Writer(ws)
    for col, (_label, width) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.sheet_format = SheetFormatProperties()
    ws.freeze_panes = "A3"  # a write-only sheet writes its view and properties before the first row
    _print_setup(ws)
    _title_row(ws, w, title, len(headers))
    ws.append([w.cell(str(label), font=_Styles.header_font, fill=HEADER_FILL, alignment=_Styles.center)
               for label, _width in headers])
    wrap = Alignment(vertical="center", wrap_text=True)
    row = 3
    for number, item in enumerate((it | {"label": p["label"]} for p in problems for it in p["items"]), start=1):
        values = [number, item["label"], item.get("street", ""), item["name"], item.get("detail", "")]
        ws.append([w.cell(neutralise(value) if isinstance(value, str) else value,
                          alignment=_Styles.center if col == 1 else wrap)
                   for col, value in enumerate(values, start=1)])
        row += 1
    if row == 3:
        ws.append([w.cell(str(_("No problem found in the data.")), border=False)])
        _merge(ws, 3, 1, 3, len(headers))
        row += 1
    ws.print_title_rows = "2:2"
    ws.print_area = f"A1:{get_column_letter(len(headers))}{row - 1}"


def _print_setup(ws) -> None:
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.center.text = _("Page &P of &N")
    ws.evenFooter.center.text = _("Page &P of &N")


class _TableSheet:
    """One table sheet, written as its rows come (in code order, each once): title and header
    first, then each row, a street's subtotal when its rows are over (kept while they go by),
    and the total at the end (:meth:`finish`). ``own_rows``: the sheet shows the streets' and
    districts' own rows (only the regional sheet: the only figures they have)."""

    def __init__(self, ws, table: dict, *, own_rows: bool, with_subtotals: bool, title: str):
        self.ws, self.own_rows, self.with_subtotals = ws, own_rows, with_subtotals
        columns = table["columns"]
        self.kinds = {c["key"]: c["kind"] for c in columns}
        self.cells = _value_cells(columns)
        self.last_col = FIXED_COLUMNS + 2 * len(columns)
        self.w = w = _Writer(ws)
        self.row = FIRST_DATA_ROW
        self.number = 0
        self.total = self._running()
        self.group_code, self.group_name, self.group_summed, self.group = None, "", False, self._running()

        # Column widths (before the first row: a write-only sheet writes them first). A narrow
        # sheet is widened to the page: its value columns share what the fixed ones leave.
        fixed = [(_("No."), 6), (_("Street"), 16), (_("Community"), 18), (_("Division code"), 15)]
        widths = [width for _label, width in fixed] + [
            13 if column["kind"] == "money" else 11 for _col, column, _w in self.cells]
        if sum(widths) < PAGE_WIDTH_UNITS:
            extra = (PAGE_WIDTH_UNITS - sum(widths)) / (self.last_col - FIXED_COLUMNS)
            widths = widths[:FIXED_COLUMNS] + [round(width + extra, 1) for width in widths[FIXED_COLUMNS:]]
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        # Every data row 20 points high: the sheet's default (no dimension object per row).
        ws.sheet_format = SheetFormatProperties(defaultRowHeight=20, customHeight=True)
        # Columns 序号..社区 stay in view when scrolling right; the merged labels of subtotals and
        # the total (A:C) end where the frozen columns do. (A write-only sheet writes its view
        # and its properties, such as fit-to-page, before the first row.)
        ws.freeze_panes = f"{get_column_letter(LABEL_COLUMNS + 1)}{FIRST_DATA_ROW}"
        _print_setup(ws)

        _title_row(ws, w, title, self.last_col)

        # Two-row header.
        top, bottom = HEADER_ROWS
        head = dict(font=_Styles.header_font, fill=HEADER_FILL, alignment=_Styles.center)
        label = pgettext("year column of a statistics table", "%(year)s")
        current_label, previous_label = label % {"year": table["year"]}, label % {"year": table["previous_year"]}
        ws.row_dimensions[top].height = 45
        ws.row_dimensions[bottom].height = 18
        ws.append([w.cell(str(label), **head) for label, _width in fixed]
                  + [w.cell(column["label"] if which == "current" else None, **head) for _c, column, which in self.cells])
        ws.append([w.cell(None, **head) for _f in fixed]
                  + [w.cell(current_label if which == "current" else previous_label, **head)
                     for _c, _s, which in self.cells])
        for col in range(1, FIXED_COLUMNS + 1):
            _merge(ws, top, col, bottom, col)
        for col, _column, which in self.cells:
            if which == "current":
                _merge(ws, top, col, top, col + 1)

    def _running(self) -> dict:
        return {"current": _Running(self.kinds), "previous": _Running(self.kinds)}

    def _sum_row(self, label: str, running: dict, fill) -> None:
        w, bold = self.w, _Styles.bold
        sums = {which: r.result() for which, r in running.items()}
        self.ws.append([w.cell(neutralise(label), font=bold, fill=fill, alignment=_Styles.center)]
                       + [w.cell(None, font=bold, fill=fill) for _c in range(2, FIXED_COLUMNS + 1)]
                       + w.values(self.cells, sums, bool_as_text=False, font=bold, fill=fill))
        _merge(self.ws, self.row, 1, self.row, LABEL_COLUMNS)
        self.row += 1

    def _close_group(self) -> None:
        # Rows are grouped by street (ordered by code, a street's own row last); a district's
        # own row has no street and sits alone before the next district.
        if self.with_subtotals and self.group_code and self.group_summed:  # a street with communities
            self._sum_row(_("%(street)s subtotal") % {"street": self.group_name}, self.group, _Styles.subtotal_fill)

    def add(self, r: dict) -> None:
        own = bool(r.get("own"))
        if own and not self.own_rows:
            return
        if self.group_code is None or r["street_code"] != self.group_code:
            if self.group_code is not None:
                self._close_group()
            self.group_code, self.group_name, self.group_summed = r["street_code"], r["street_name"], False
            self.group = self._running()
        w = self.w
        font = _Styles.italic if own else None
        if own:  # a street's or district's own row is no community: no number
            first = w.cell(None, font=font)
        else:
            self.number += 1
            self.group_summed = True
            first = w.cell(self.number, font=font, alignment=_Styles.center)
        self.ws.append([first, w.cell(neutralise(r["street_name"]), font=font, alignment=_Styles.left),
                        w.cell(neutralise(r["name"]), font=font, alignment=_Styles.left),
                        w.cell(str(r["code"]), font=font, alignment=_Styles.center)]
                       + w.values(self.cells, r, bool_as_text=True, font=font))
        self.row += 1
        for which in ("current", "previous"):
            self.group[which].add(r[which])
            self.total[which].add(r[which])

    def finish(self) -> None:
        if self.group_code is not None:
            self._close_group()
        self._sum_row(_("Total"), self.total, _Styles.total_fill)
        # Printing.
        ws = self.ws
        top, bottom = HEADER_ROWS
        ws.print_title_rows = f"{top}:{bottom}"
        ws.print_area = f"A1:{get_column_letter(self.last_col)}{self.row - 1}"
