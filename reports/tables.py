"""The statistical tables of the year-end 三有一化 summary: one row per community with the
year's figures beside the previous year's, and the Excel workbook that prints them.

:func:`community_table` reads the facts (``assessments.rules.all_facts``) of every community
under a node for a year and the year before, in a constant number of queries, and returns a
JSON-serialisable dict (a finalised summary freezes it in a JSONField). :func:`statistics_workbook`
lays such a dict out as an A3-landscape sheet with street subtotals and a total; it needs no
database, so a frozen table prints exactly as it was finalised.

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

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from assessments.rules import all_facts
from regional_building import facts as regional_facts
from communities.models import Level, Node
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
    """A street's or district's own row: its 一化 figures (blank in a year it has no record of),
    blank for everything else."""
    recorded = any(facts.get(key[len(REGIONAL_PREFIX):]) for key in NO_DATA[REGIONAL_PREFIX][0])
    return {key: facts.get(key[len(REGIONAL_PREFIX):]) if key in REGIONAL_KEYS and recorded else None
            for key in keys}


def _own_sort_key(node: Node) -> str:
    """Sorts after every code under ``node`` (codes are digits) and before the next sibling's."""
    return node.prefix + "~"


def community_table(*, node: Node, year: int) -> dict:
    """The communities under ``node`` (itself when it is one), with ``year``'s facts and the year before's.

    Besides one row per community, every street or district under (and including) ``node`` that
    keeps 一化 records itself gets a row ``"own": True`` with those figures (blank elsewhere),
    after the rows under it: a street's before its subtotal, ``node``'s own before the total.

    A constant number of queries whatever the number of communities: the nodes under ``node``
    (with their parents), ``all_facts`` of the communities for each of the two years, and the
    一化 facts of the other nodes for each year (each itself constant). Decimals are strings.
    """
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
            "current": _own_values(now, keys),
            "previous": _own_values(before, keys),
        }))
    keyed_rows.sort(key=lambda pair: pair[0])
    return {
        "node": {"code": node.code, "name": node.name},
        "year": year,
        "previous_year": previous_year,
        "columns": [{"key": key, "label": str(label), "kind": kind} for key, label, kind in COLUMNS],
        "rows": [row for _key, row in keyed_rows],
    }


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


def _aggregate(values: list[dict], kinds: dict[str, str]) -> dict[str, Any]:
    """Subtotal of some rows' values (one year): sums and counts of yes over the values present
    (a blank is neither summed nor counted; nothing present is blank, not 0), ratios recomputed
    from the summed parts, standards left blank."""
    keys = set(kinds) | {part for parts in RATIOS.values() for part in parts}
    totals: dict[str, Any] = {}
    for key in keys:
        kind = _kind_of(key, kinds)
        if kind == "percent" or key in STANDARD_KEYS:
            totals[key] = None
            continue
        present = [_number(v.get(key), kind) for v in values if v.get(key) is not None]
        if not present:
            totals[key] = None
        elif kind == "bool":
            totals[key] = sum(1 for v in present if v)
        elif kind == "int":
            totals[key] = sum(present)
        else:
            totals[key] = sum(present, Decimal("0.00"))
    for key, (numerator, denominator) in RATIOS.items():
        if key not in kinds:
            continue
        part, whole = totals.get(numerator), totals.get(denominator)
        if part is None or not whole:
            totals[key] = None  # no base (or a frozen table without the parts): no share
        else:
            totals[key] = (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)
    return totals


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


def _write_values(ws, row: int, cells, values: dict[str, dict], *, bool_as_text: bool) -> None:
    yes, no = _("yes"), _("no")
    for col, column, which in cells:
        kind = column["kind"]
        value = values[which].get(column["key"])
        cell = ws.cell(row=row, column=col)
        if kind == "bool" and bool_as_text:
            cell.value = None if value is None else (yes if value else no)
            cell.alignment = _Styles.center
        else:
            cell.value = _number(value, "int" if kind == "bool" else kind)
            cell.number_format = _number_format(cell.value, kind)
            cell.alignment = _Styles.right


def _number_format(value, kind: str) -> str:
    """Yuan and ㎡ as offices write them: whole amounts without ".00"."""
    if kind in ("money", "area") and isinstance(value, Decimal) and value == value.to_integral_value():
        return NUMBER_FORMATS["int"]
    return NUMBER_FORMATS[kind]


def _style_row(ws, row: int, last_col: int, *, font=None, fill=None) -> None:
    for col in range(1, last_col + 1):
        cell = ws.cell(row=row, column=col)
        cell.border = _Styles.border
        cell.font = font if font is not None else _Styles.plain
        if fill is not None:
            cell.fill = fill


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
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    number = 0
    for prefix, name in SHEETS:
        columns = [c for c in table["columns"] if c["key"].startswith(prefix)]
        if not columns:
            continue
        number += 1
        ws = wb.create_sheet(_sheet_name(number, str(name)))
        own = prefix == REGIONAL_PREFIX
        rows = [r for r in table["rows"] if own or not r.get("own")]
        _table_sheet(ws, {**table, "columns": columns, "rows": rows},
                     title=_("Annex %(n)s: %(title)s (%(part)s)") % {"n": number, "title": title, "part": name})
    if problems is not None:
        number += 1
        _problems_sheet(wb.create_sheet(_sheet_name(number, str(_("Problems found")))), problems,
                        title=_("Annex %(n)s: %(title)s (%(part)s)") % {
                            "n": number, "title": title, "part": _("Problems found")})
    return wb


def _sheet_name(number: int, name: str) -> str:
    return (_("Annex %(n)s %(name)s") % {"n": number, "name": name})[:31]


def _problems_sheet(ws, problems: list[dict], *, title: str) -> None:
    """The full list behind the summary's 二、存在的问题: one row per community (or own record)."""
    headers = [(_("No."), 6), (_("Problem"), 34), (_("Street"), 18), (_("Community or conference"), 30),
               (_("Particulars"), 40)]
    ws.cell(row=1, column=1, value=neutralise(title)).font = _Styles.title_font
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.row_dimensions[1].height = 36
    for col, (label, width) in enumerate(headers, start=1):
        cell = ws.cell(row=2, column=col, value=str(label))
        cell.font, cell.fill, cell.alignment, cell.border = _Styles.header_font, HEADER_FILL, _Styles.center, _Styles.border
        ws.column_dimensions[get_column_letter(col)].width = width
    row = 3
    for number, item in enumerate((it | {"label": p["label"]} for p in problems for it in p["items"]), start=1):
        values = [number, item["label"], item.get("street", ""), item["name"], item.get("detail", "")]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=neutralise(value) if isinstance(value, str) else value)
            cell.font, cell.border = _Styles.plain, _Styles.border
            cell.alignment = _Styles.center if col == 1 else Alignment(vertical="center", wrap_text=True)
        row += 1
    if row == 3:
        ws.cell(row=3, column=1, value=str(_("No problem found in the data."))).font = _Styles.plain
        ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(headers))
        row += 1
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.print_area = f"A1:{get_column_letter(len(headers))}{row - 1}"
    _print_setup(ws)


def _print_setup(ws) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.center.text = _("Page &P of &N")
    ws.evenFooter.center.text = _("Page &P of &N")


def _table_sheet(ws, table: dict, *, title: str) -> None:
    columns = table["columns"]
    year, previous_year = table["year"], table["previous_year"]
    kinds = {c["key"]: c["kind"] for c in columns}
    cells = _value_cells(columns)
    last_col = FIXED_COLUMNS + 2 * len(columns)
    last_letter = get_column_letter(last_col)

    # Title.
    ws.cell(row=1, column=1, value=neutralise(title)).font = _Styles.title_font
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.row_dimensions[1].height = 36
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    # Two-row header.
    top, bottom = HEADER_ROWS
    fixed = [(_("No."), 6), (_("Street"), 16), (_("Community"), 18), (_("Division code"), 15)]
    for col, (label, width) in enumerate(fixed, start=1):
        ws.cell(row=top, column=col, value=str(label))
        ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
        ws.column_dimensions[get_column_letter(col)].width = width
    current_label = pgettext("year column of a statistics table", "%(year)s") % {"year": year}
    previous_label = pgettext("year column of a statistics table", "%(year)s") % {"year": previous_year}
    for col, column, which in cells:
        if which == "current":
            ws.cell(row=top, column=col, value=column["label"])
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + 1)
        ws.cell(row=bottom, column=col, value=current_label if which == "current" else previous_label)
        ws.column_dimensions[get_column_letter(col)].width = 13 if column["kind"] == "money" else 11
    for row in HEADER_ROWS:
        for col in range(1, last_col + 1):
            cell = ws.cell(row=row, column=col)
            cell.font = _Styles.header_font
            cell.fill = HEADER_FILL
            cell.alignment = _Styles.center
            cell.border = _Styles.border
    ws.row_dimensions[top].height = 45
    ws.row_dimensions[bottom].height = 18

    # Rows grouped by street (rows are ordered by code, so a street's rows are together, its own
    # row last); a district's own row has no street and sits alone before the next district.
    rows = table["rows"]
    groups: list[tuple[str, list[dict]]] = []
    for r in rows:
        if not groups or groups[-1][0] != r["street_code"]:
            groups.append((r["street_code"], []))
        groups[-1][1].append(r)

    def summed(code: str, members: list[dict]) -> bool:  # a street with communities
        return bool(code) and any(not m.get("own") for m in members)

    with_subtotals = sum(1 for code, members in groups if summed(code, members)) > 1  # else it repeats the total

    def write_sum(row: int, label: str, members: list[dict], fill) -> None:
        sums = {
            "current": _aggregate([m["current"] for m in members], kinds),
            "previous": _aggregate([m["previous"] for m in members], kinds),
        }
        _write_values(ws, row, cells, sums, bool_as_text=False)
        _style_row(ws, row, last_col, font=_Styles.bold, fill=fill)
        ws.cell(row=row, column=1, value=neutralise(label)).alignment = _Styles.center
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=LABEL_COLUMNS)

    row = FIRST_DATA_ROW
    number = 0
    for street_code, members in groups:
        for r in members:
            own = bool(r.get("own"))
            if not own:  # a street's or district's own row is no community: no number
                number += 1
                ws.cell(row=row, column=1, value=number).alignment = _Styles.center
            ws.cell(row=row, column=2, value=neutralise(r["street_name"])).alignment = _Styles.left
            ws.cell(row=row, column=3, value=neutralise(r["name"])).alignment = _Styles.left
            ws.cell(row=row, column=4, value=str(r["code"])).alignment = _Styles.center
            _write_values(ws, row, cells, r, bool_as_text=True)
            _style_row(ws, row, last_col, font=_Styles.italic if own else None)
            row += 1
        if with_subtotals and summed(street_code, members):
            label = _("%(street)s subtotal") % {"street": members[0]["street_name"]}
            write_sum(row, label, members, _Styles.subtotal_fill)
            row += 1
    write_sum(row, _("Total"), rows, _Styles.total_fill)
    last_row = row

    # Viewing and printing. Columns 序号..社区 stay in view when scrolling right; the merged labels
    # of subtotals and the total (A:C) end where the frozen columns do.
    ws.freeze_panes = f"{get_column_letter(LABEL_COLUMNS + 1)}{FIRST_DATA_ROW}"
    ws.print_title_rows = f"{top}:{bottom}"
    ws.print_area = f"A1:{last_letter}{last_row}"
    for r in range(FIRST_DATA_ROW, last_row + 1):
        ws.row_dimensions[r].height = 20
    # Widen a narrow sheet to the page: its value columns share what the fixed ones leave.
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, last_col + 1)]
    if sum(widths) < PAGE_WIDTH_UNITS:
        extra = (PAGE_WIDTH_UNITS - sum(widths)) / (last_col - FIXED_COLUMNS)
        for c in range(FIXED_COLUMNS + 1, last_col + 1):
            ws.column_dimensions[get_column_letter(c)].width = round(widths[c - 1] + extra, 1)
    _print_setup(ws)
