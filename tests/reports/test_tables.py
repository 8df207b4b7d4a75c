"""The statistical tables of the year-end summary: the table of facts per community for two
years, against the hand-computed data set of tests/reports/conftest.py (its docstring works the
figures out), and the Excel workbook read back with openpyxl.

``street_records`` adds 一化 records kept by nodes other than communities, for the "本级" rows:
  酒泉路街道 (street joint conference): meetings 2025-03-01, 2025-10-01, 2024-05-01; an agreement
    in force 2025-01-01 – 2026-12-31 with one commitment due 2025-07-01, kept.
    → own 2025: meetings 2, agreements 1, due 1, kept 1;  2024: meetings 1, nothing else.
  城关区 (district guidance committee): one meeting 2025-06-01 → own 2025: meetings 1.
  西园街道 (七里河区): an agreement in force in 2024 only → own 2024: agreements 1 (outside 城关区).
  张掖路街道: nothing of its own → no row.
With them, 酒泉路街道 subtotal: meetings 4 / 2, agreements 2 / 1, due 3 / 1, kept 2 / 1;
城关区 total: meetings 2 + 2 + 1 + 1 = 6 / 1 + 1 = 2, agreements 2 / 1.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from communities.models import Level, Node
from reports.tables import COLUMNS, community_table, statistics_workbook
from tests.reports.conftest import PREVIOUS, YEAR, allocate, appoint, cadre
from tests.regional_building import factories as rb

D = datetime.date
KEYS = [key for key, _label, _kind in COLUMNS]
RB = ["meetings_held", "agreements_in_force", "commitments_due", "commitments_kept", "members_registered"]


def own(name):
    return _("%(node)s (own)") % {"node": name}


def regional(values):
    return [values[f"regional_building.{k}"] for k in RB]


@pytest.fixture
def street_records(data):
    street_conf = rb.conference(data.street_a, level="street")
    for held in (D(2025, 3, 1), D(2025, 10, 1), D(2024, 5, 1)):
        rb.meeting(street_conf, held_on=held)
    unit = rb.unit(data.street_a)
    agr = rb.agreement(data.street_a, unit, signed_on=D(2025, 1, 1), valid_from=D(2025, 1, 1),
                       valid_until=D(2026, 12, 31))
    rb.fulfilment(rb.commitment(agr, due_on=D(2025, 7, 1)), done_on=D(2025, 6, 1))
    rb.meeting(rb.conference(data.district, level="district"), held_on=D(2025, 6, 1))
    rb.agreement(data.street_c, rb.unit(data.street_c), signed_on=D(2024, 1, 1), valid_from=D(2024, 1, 1),
                 valid_until=D(2024, 12, 31))
    return data


def num(value):
    return None if value is None else Decimal(str(value))


# ---------------------------------------------------------------------------------------------
# community_table


@pytest.mark.django_db
def test_table_shape_and_columns(data):
    table = community_table(node=data.district, year=YEAR)
    assert table["node"] == {"code": data.district.code, "name": "城关区"}
    assert (table["year"], table["previous_year"]) == (YEAR, PREVIOUS)
    assert [c["key"] for c in table["columns"]] == KEYS
    assert {c["kind"] for c in table["columns"]} == {"int", "money", "area", "percent", "bool"}
    by_key = {c["key"]: c for c in table["columns"]}
    assert by_key["funding.working_funds"] == {"key": "funding.working_funds", "label": _("Working funds (yuan)"),
                                               "kind": "money"}
    assert by_key["staffing.one_shoulder"]["kind"] == "bool" and by_key["venues.built_area"]["kind"] == "area"
    # rows by code, 七里河区's community left out
    assert [(r["street_name"], r["name"], r["code"]) for r in table["rows"]] == [
        ("酒泉路街道", "南关社区", "620102001001"),
        ("酒泉路街道", "北关社区", "620102001002"),
        ("张掖路街道", "中山社区", "620102002001"),
    ]
    assert table["rows"][0]["street_code"] == data.street_a.code


@pytest.mark.django_db
def test_table_values_for_both_years(data):
    rows = {r["name"]: r for r in community_table(node=data.district, year=YEAR)["rows"]}
    a1, a2, b1 = rows["南关社区"], rows["北关社区"], rows["中山社区"]
    now, before = a1["current"], a1["previous"]
    assert (now["staffing.staff_count"], now["staffing.college_count"], num(now["staffing.college_share"])) == (3, 2, Decimal("66.7"))
    assert (before["staffing.staff_count"], before["staffing.college_count"], num(before["staffing.college_share"])) == (
        3, 1, Decimal("33.3"))
    assert now["staffing.one_shoulder"] is True and before["staffing.one_shoulder"] is True
    assert now["staffing.party_workers"] == 1
    assert num(now["funding.working_funds"]) == 20000 and num(now["funding.working_standard"]) == 20000
    assert now["funding.funds_meet_standard"] is True and num(now["funding.party_work_share"]) == Decimal("75.0")
    assert num(before["funding.working_funds"]) == 12000 and num(before["funding.working_standard"]) == 15000
    assert before["funding.funds_meet_standard"] is False
    assert before["funding.party_work_share"] is None  # nothing spent: no share, not 0 %
    assert num(now["venues.built_area"]) == 250 and num(now["venues.required_area"]) == 300
    assert now["venues.area_meets_standard"] is False
    # no area standard in 2024: blank standard and blank "meets", not 0 and no
    assert num(before["venues.built_area"]) == 250 and before["venues.required_area"] is None
    assert before["venues.area_meets_standard"] is None
    assert [now[f"regional_building.{k}"] for k in ("meetings_held", "agreements_in_force", "commitments_due",
                                                     "commitments_kept", "members_registered")] == [2, 1, 2, 1, 3]
    assert [before[f"regional_building.{k}"] for k in ("meetings_held", "agreements_in_force", "commitments_due",
                                                        "commitments_kept", "members_registered")] == [1, 1, 1, 1, 1]
    # 北关
    assert (a2["current"]["staffing.staff_count"], a2["previous"]["staffing.staff_count"]) == (2, 1)
    assert a2["current"]["staffing.one_shoulder"] is False
    assert num(a2["current"]["funding.working_funds"]) == 12000 and a2["current"]["funding.funds_meet_standard"] is False
    assert a2["previous"]["funding.funds_meet_standard"] is True and num(a2["previous"]["funding.party_work_share"]) == 100
    assert num(a2["current"]["venues.built_area"]) == 320 and a2["current"]["venues.area_meets_standard"] is True
    # no venue yet in 2024: not entered, blank (not 0 ㎡)
    assert a2["previous"]["venues.built_area"] is None and a2["previous"]["venues.area_meets_standard"] is None
    # 中山: nothing but a meeting; it inherits the standards; no cadres, no funds entered: blank, not 0
    assert b1["current"]["staffing.staff_count"] is None and b1["current"]["staffing.college_share"] is None
    assert b1["current"]["funding.party_work_share"] is None and b1["current"]["funding.funds_meet_standard"] is None
    assert num(b1["current"]["funding.working_standard"]) == 20000 and b1["current"]["funding.working_funds"] is None
    assert b1["current"]["regional_building.meetings_held"] == 1 and b1["current"]["regional_building.commitments_due"] == 0
    assert b1["previous"]["regional_building.meetings_held"] is None  # nothing of 一化 in 2024


@pytest.mark.django_db
def test_table_is_json_serialisable_with_decimals_as_strings(data):
    import json

    table = community_table(node=data.district, year=YEAR)
    assert json.loads(json.dumps(table)) == table
    row = table["rows"][0]["current"]
    assert isinstance(row["funding.working_funds"], str) and isinstance(row["staffing.college_share"], str)
    assert isinstance(row["staffing.staff_count"], int) and isinstance(row["staffing.one_shoulder"], bool)


@pytest.mark.django_db
def test_a_street_or_a_community_as_node(data):
    assert [r["name"] for r in community_table(node=data.street_a, year=YEAR)["rows"]] == ["南关社区", "北关社区"]
    assert [r["name"] for r in community_table(node=data.community_b1, year=YEAR)["rows"]] == ["中山社区"]
    assert [r["name"] for r in community_table(node=data.city, year=YEAR)["rows"]] == ["南关社区", "北关社区", "中山社区", "西湖社区"]


@pytest.mark.django_db
def test_no_standard_leaves_the_standard_blank(data):
    """西湖社区 (七里河区) has no funding standard and no area standard in either year."""
    rows = {r["name"]: r for r in community_table(node=data.city, year=YEAR)["rows"]}
    for which in ("current", "previous"):
        values = rows["西湖社区"][which]
        assert values["funding.working_funds"] is None and values["venues.built_area"] is None  # not entered
        assert values["funding.working_standard"] is None and values["funding.funds_meet_standard"] is None
        assert values["venues.required_area"] is None and values["venues.area_meets_standard"] is None
    assert rows["南关社区"]["previous"]["funding.working_standard"] == "15000.00"  # the district's applies


@pytest.mark.django_db
def test_own_rows_of_streets_and_districts(street_records):
    data = street_records
    rows = community_table(node=data.district, year=YEAR)["rows"]
    assert [(r["name"], r.get("own", False)) for r in rows] == [
        ("南关社区", False), ("北关社区", False), (own("酒泉路街道"), True), ("中山社区", False), (own("城关区"), True),
    ]
    street, district = rows[2], rows[4]
    assert (street["street_code"], street["street_name"], street["code"]) == (data.street_a.code, "酒泉路街道",
                                                                              data.street_a.code)
    assert (district["street_code"], district["street_name"], district["code"]) == ("", "", data.district.code)
    assert regional(street["current"]) == [2, 1, 1, 1, 0] and regional(street["previous"]) == [1, 0, 0, 0, 0]
    assert regional(district["current"]) == [1, 0, 0, 0, 0] and regional(district["previous"]) == [None] * 5
    # everything but 一化 is blank on an own row (the street is not a community)
    others = [k for k in street["current"] if not k.startswith("regional_building.")]
    assert others and all(street[w][k] is None for k in others for w in ("current", "previous"))
    # the communities' own figures are unchanged: a street's records are not a community's
    assert regional(rows[0]["current"]) == [2, 1, 2, 1, 3]
    # a street as node: its own row after its communities; a community as node: none
    assert [r["name"] for r in community_table(node=data.street_a, year=YEAR)["rows"]] == [
        "南关社区", "北关社区", own("酒泉路街道")]
    assert [r["name"] for r in community_table(node=data.street_b, year=YEAR)["rows"]] == ["中山社区"]
    assert [r["name"] for r in community_table(node=data.community_a1, year=YEAR)["rows"]] == ["南关社区"]
    # a city: every district's rows, each district's own row after its streets; a record of the
    # previous year only still gives a row
    city = community_table(node=data.city, year=YEAR)["rows"]
    assert [r["name"] for r in city] == ["南关社区", "北关社区", own("酒泉路街道"), "中山社区", own("城关区"),
                                         "西湖社区", own("西园街道")]
    assert regional(city[-1]["current"]) == [None] * 5 and regional(city[-1]["previous"]) == [0, 1, 0, 0, 0]


def add_communities(tree, n):
    start = Node.objects.filter(parent=tree.street_b).count() + 10
    nodes = Node.objects.bulk_create(
        Node(code=f"620102002{start + i:03d}", name=f"新社区{start + i}", parent=tree.street_b, level=Level.COMMUNITY,
             households=1000)
        for i in range(n)
    )
    for i, node in enumerate(nodes):
        allocate(node, YEAR, "office", "9000"), allocate(node, PREVIOUS, "office", "8000")
        appoint(cadre(node, 40 + i, "college"), "secretary")
        rb.registration(node, registered_on=D(2024, 3, 5))


@pytest.mark.django_db
def test_the_table_costs_a_constant_number_of_queries(street_records):
    data = street_records

    def count():
        with CaptureQueriesContext(connection) as ctx:
            table = community_table(node=data.district, year=YEAR)
        return len(ctx.captured_queries), len(table["rows"])

    community_table(node=data.district, year=YEAR)  # warm any per-process caches
    three = count()
    add_communities(data, 9)
    street = Node.objects.create(code="620102003000", name="新街道", parent=data.district, level=Level.TOWNSHIP)
    rb.meeting(rb.conference(street, level="street"), held_on=D(2025, 2, 1))
    community_table(node=data.district, year=YEAR)  # the new communities' facts are computed (catch-up)
    twelve = count()
    assert three[1] == 3 + 2 and twelve[1] == 12 + 3  # with the own rows of 酒泉路街道, 城关区 (and 新街道)
    assert three[0] == twelve[0], (three, twelve)
    # read from the facts table: the dirty marks, the streets with communities, the rows of both years
    assert three[0] <= 3


# ---------------------------------------------------------------------------------------------
# statistics_workbook


TITLE = "城关区2025年“三有一化”统计表"
SHEET_NAMES = ["附表1 有人管事", "附表2 有钱办事", "附表3 有场所议事", "附表4 区域化党建"]


class Col(int):
    """A column of one sheet of the workbook (found by its header label)."""

    def __new__(cls, ws, col):
        obj = int.__new__(cls, col)
        obj.ws = ws
        return obj

    def __add__(self, n):
        return Col(self.ws, int(self) + n)


class Book:
    """The workbook read back: ``cell(row, column)`` on the sheet that holds ``column`` (a
    :class:`Col`), else on the first sheet; other attributes are the first sheet's."""

    def __init__(self, wb):
        self.wb = wb
        self.first = wb.worksheets[0]

    def cell(self, row, column):
        ws = column.ws if isinstance(column, Col) else self.first
        return ws.cell(row=row, column=int(column))

    def __getitem__(self, key):
        return self.first[key]

    def __getattr__(self, name):
        return getattr(self.first, name)


def reopen(table, title=TITLE, problems=None):
    buffer = io.BytesIO()
    statistics_workbook(table, title=title, problems=problems).save(buffer)
    buffer.seek(0)
    return Book(openpyxl.load_workbook(buffer))


def column_of(book, label):
    """The column of a figure's current-year value, found by its header label on any sheet."""
    for ws in book.wb.worksheets:
        for cell in ws[2]:
            if cell.value == label:
                return Col(ws, cell.column)
    raise AssertionError(f"no header {label!r}")


def row_of(ws, text):
    ws = ws.first if isinstance(ws, Book) else ws
    for row in ws.iter_rows(min_row=4):
        if any(c.value == text for c in row[:4]):
            return row[0].row
    raise AssertionError(f"no row {text!r}")


@pytest.fixture
def sheet(data):
    return reopen(community_table(node=data.district, year=YEAR))


@pytest.mark.django_db
def test_title_and_two_row_header(sheet):
    """One sheet per part of the work (附表1–4), each with the title, its figures over two years."""
    assert [ws.title for ws in sheet.wb.worksheets] == SHEET_NAMES  # no problems given: no problem sheet
    year_label = pgettext("year column of a statistics table", "%(year)s")
    for ws, (prefix, part) in zip(sheet.wb.worksheets, [("staffing.", "有人管事"), ("funding.", "有钱办事"),
                                                          ("venues.", "有场所议事"), ("regional_building.", "区域化党建")]):
        columns = [(key, label) for key, label, _kind in COLUMNS if key.startswith(prefix)]
        assert ws["A1"].value == f"附表{ws.title[2]}：{TITLE}（{part}）"
        last = 4 + 2 * len(columns)
        assert any(str(r) == f"A1:{openpyxl.utils.get_column_letter(last)}1" for r in ws.merged_cells.ranges)
        assert [ws.cell(row=2, column=c).value for c in range(1, 5)] == [
            _("No."), _("Street"), _("Community"), _("Division code")]
        for c in range(1, 5):  # merged down over both header rows
            letter = openpyxl.utils.get_column_letter(c)
            assert f"{letter}2:{letter}3" in {str(r) for r in ws.merged_cells.ranges}
        for index, (_key, label) in enumerate(columns):
            col = 5 + 2 * index
            assert ws.cell(row=2, column=col).value == str(label)
            letters = openpyxl.utils.get_column_letter(col), openpyxl.utils.get_column_letter(col + 1)
            assert f"{letters[0]}2:{letters[1]}2" in {str(r) for r in ws.merged_cells.ranges}
            assert ws.cell(row=3, column=col).value == year_label % {"year": YEAR}
            assert ws.cell(row=3, column=col + 1).value == year_label % {"year": PREVIOUS}
        assert ws.max_column == last
        assert ws["E3"].fill.fgColor.rgb.endswith("DDEBF7") and ws["E3"].border.left.style == "thin"
        # Chinese fonts: 黑体 header, 宋体 cells, 方正小标宋简体 title
        assert (ws["A1"].font.name, ws["E2"].font.name, ws["C4"].font.name) == ("方正小标宋简体", "黑体", "宋体")


@pytest.mark.django_db
def test_community_rows_for_both_years(sheet):
    ws = sheet
    yes, no = _("yes"), _("no")
    r = row_of(ws, "南关社区")
    assert r == 4
    assert [ws.cell(row=r, column=c).value for c in range(1, 5)] == [1, "酒泉路街道", "南关社区", "620102001001"]
    staff, share = column_of(ws, _("Cadres")), column_of(ws, _("College or above (%)"))
    funds, meets = column_of(ws, _("Working funds (yuan)")), column_of(ws, _("Funds meet the standard"))
    area, shoulder = column_of(ws, _("Office and activity space (㎡)")), column_of(ws, _("Secretary also director"))
    assert (ws.cell(row=r, column=staff).value, ws.cell(row=r, column=staff + 1).value) == (3, 3)
    assert (ws.cell(row=r, column=share).value, ws.cell(row=r, column=share + 1).value) == (66.7, 33.3)
    assert (ws.cell(row=r, column=funds).value, ws.cell(row=r, column=funds + 1).value) == (20000, 12000)
    assert (ws.cell(row=r, column=meets).value, ws.cell(row=r, column=meets + 1).value) == (yes, no)
    assert (ws.cell(row=r, column=shoulder).value, ws.cell(row=r, column=shoulder + 1).value) == (yes, yes)
    assert ws.cell(row=r, column=area).value == 250
    a2 = row_of(ws, "北关社区")
    assert a2 == 5 and ws.cell(row=a2, column=1).value == 2
    assert (ws.cell(row=a2, column=funds).value, ws.cell(row=a2, column=funds + 1).value) == (12000, 15000)
    assert (ws.cell(row=a2, column=meets).value, ws.cell(row=a2, column=meets + 1).value) == (no, yes)
    assert ws.cell(row=a2, column=area).value == 320
    # number formats: whole yuan and ㎡ without ".00"
    assert ws.cell(row=r, column=funds).number_format == "#,##0"
    assert ws.cell(row=r, column=area).number_format == "#,##0"
    assert ws.cell(row=r, column=staff).number_format == "#,##0"
    assert ws.cell(row=r, column=share).number_format == '0.0"%"'


@pytest.mark.django_db
def test_street_subtotal_and_total(sheet):
    ws = sheet
    col = {key: column_of(ws, str(label)) for key, label, _kind in COLUMNS}

    def values(row, key):
        return ws.cell(row=row, column=col[key]).value, ws.cell(row=row, column=col[key] + 1).value

    sub = row_of(ws, _("%(street)s subtotal") % {"street": "酒泉路街道"})
    assert sub == 6  # after 南关 and 北关
    assert ws.cell(row=sub, column=1).font.b and ws.cell(row=sub, column=col["funding.working_funds"]).font.b
    assert values(sub, "staffing.staff_count") == (5, 4)
    assert values(sub, "staffing.college_count") == (4, 2)
    assert values(sub, "staffing.college_share") == (80, 50)  # recomputed, not averaged
    assert values(sub, "staffing.one_shoulder") == (1, 1)  # communities with yes
    assert values(sub, "staffing.party_workers") == (1, 1)
    assert values(sub, "funding.working_funds") == (32000, 27000)
    assert values(sub, "funding.working_standard") == (None, None)  # standards are not summed
    assert values(sub, "funding.funds_meet_standard") == (1, 1)
    assert values(sub, "funding.party_work_share") == (50, 100)  # 3,000 / 6,000 and 1,000 / 1,000
    assert values(sub, "venues.built_area") == (570, 250)
    assert values(sub, "venues.required_area") == (None, None)
    assert values(sub, "venues.area_meets_standard") == (1, None)  # nor counted
    assert values(sub, "regional_building.meetings_held") == (2, 1)
    assert values(sub, "regional_building.commitments_due") == (2, 1)
    assert values(sub, "regional_building.members_registered") == (3, 1)
    b_sub = row_of(ws, _("%(street)s subtotal") % {"street": "张掖路街道"})
    assert b_sub == 8 and ws.cell(row=7, column=3).value == "中山社区"
    assert values(b_sub, "regional_building.meetings_held") == (1, None)  # 2024: nothing entered, blank
    # 中山 alone: no cadres, nothing spent: no share, neither in its row nor in the subtotal
    for key in ("staffing.college_share", "funding.party_work_share"):
        assert values(7, key) == (None, None) and values(b_sub, key) == (None, None)
    assert values(b_sub, "funding.funds_meet_standard") == (None, None)  # no funds entered: not "not met"
    assert values(b_sub, "staffing.staff_count") == (None, None) and values(7, "staffing.staff_count") == (None, None)
    total = row_of(ws, _("Total"))
    assert total == 9 == ws.max_row
    assert values(total, "staffing.staff_count") == (5, 4)
    assert values(total, "staffing.college_share") == (80, 50)
    assert values(total, "funding.working_funds") == (32000, 27000)
    assert values(total, "funding.working_standard") == (None, None)
    assert values(total, "funding.funds_meet_standard") == (1, 1)
    assert values(total, "venues.required_area") == (None, None)
    assert values(total, "venues.area_meets_standard") == (1, None)
    assert values(total, "regional_building.meetings_held") == (3, 1)
    assert ws.cell(row=total, column=col["funding.working_funds"]).number_format == "#,##0"
    assert ws.cell(row=total, column=col["staffing.one_shoulder"]).number_format == "#,##0"
    assert ws.cell(row=total, column=col["funding.working_funds"]).font.b


@pytest.mark.django_db
def test_blank_cells_for_no_standard_and_no_base(sheet):
    ws = sheet
    r = row_of(ws, "南关社区")
    share = column_of(ws, _("Party work share of spending (%)"))
    required, meets = column_of(ws, _("Area standard (㎡)")), column_of(ws, _("Area meets the standard"))
    assert ws.cell(row=r, column=share).value == 75 and ws.cell(row=r, column=share + 1).value is None
    assert ws.cell(row=r, column=required).value == 300 and ws.cell(row=r, column=required + 1).value is None
    assert ws.cell(row=r, column=meets).value == _("no") and ws.cell(row=r, column=meets + 1).value is None


@pytest.mark.django_db
def test_no_funding_standard_in_the_workbook(data):
    ws = reopen(community_table(node=data.city, year=YEAR))
    standard, meets = column_of(ws, _("Funding standard (yuan)")), column_of(ws, _("Funds meet the standard"))
    r, sub = row_of(ws, "西湖社区"), row_of(ws, _("%(street)s subtotal") % {"street": "西园街道"})
    for row in (r, sub):
        assert (ws.cell(row=row, column=standard).value, ws.cell(row=row, column=standard + 1).value) == (None, None)
        assert (ws.cell(row=row, column=meets).value, ws.cell(row=row, column=meets + 1).value) == (None, None)
    total = row_of(ws, _("Total"))
    assert (ws.cell(row=total, column=standard).value, ws.cell(row=total, column=meets).value) == (None, 1)


@pytest.mark.django_db
def test_own_rows_in_the_workbook(street_records):
    book = reopen(community_table(node=street_records.district, year=YEAR))
    regional_sheet = book.wb.worksheets[3]
    col = {key: column_of(book, str(label)) for key, label, _kind in COLUMNS}

    def values(row, key):
        return book.cell(row, col[key]).value, book.cell(row, col[key] + 1).value

    # own rows are on the regional sheet only (their only figures); the other sheets list communities
    assert [row_of(book, name) for name in ("南关社区", "北关社区", "中山社区")] == [4, 5, 7]
    assert all(c.value != own("酒泉路街道") for ws in book.wb.worksheets[:3] for c in ws["C"])
    street = row_of(regional_sheet, own("酒泉路街道"))
    sub = row_of(regional_sheet, _("%(street)s subtotal") % {"street": "酒泉路街道"})
    assert (row_of(regional_sheet, "北关社区"), street, sub) == (5, 6, 7)  # after the communities, before the subtotal
    assert [regional_sheet.cell(row=street, column=c).value for c in range(1, 5)] == [
        None, "酒泉路街道", own("酒泉路街道"), "620102001000"]
    assert regional_sheet.cell(row=street, column=3).font.i and not regional_sheet.cell(row=street, column=3).font.b
    assert regional_sheet.cell(row=street, column=col["regional_building.meetings_held"]).font.i
    assert values(street, "regional_building.meetings_held") == (2, 1)
    assert values(street, "regional_building.agreements_in_force") == (1, 0)  # records that year: 0, not blank
    # the subtotal and the total include them
    assert values(sub, "regional_building.meetings_held") == (4, 2)
    assert values(sub, "regional_building.agreements_in_force") == (2, 1)
    assert values(sub, "regional_building.commitments_due") == (3, 1)
    assert values(sub, "regional_building.commitments_kept") == (2, 1)
    zhongshan = row_of(regional_sheet, "中山社区")
    assert regional_sheet.cell(row=zhongshan, column=1).value == 3  # numbering skips the own row
    district, total = row_of(regional_sheet, own("城关区")), row_of(regional_sheet, _("Total"))
    assert district == row_of(regional_sheet, _("%(street)s subtotal") % {"street": "张掖路街道"}) + 1
    assert total == district + 1 == regional_sheet.max_row
    assert [regional_sheet.cell(row=district, column=c).value for c in range(1, 4)] == [None, None, own("城关区")]
    assert values(district, "regional_building.meetings_held") == (1, None)  # nothing of its own in 2024
    assert values(total, "regional_building.meetings_held") == (6, 2)
    assert values(total, "regional_building.agreements_in_force") == (2, 1)
    assert values(row_of(book, _("Total")), "staffing.staff_count") == (5, 4)
    # a street as node: its own row, then the total straight away (one street, no subtotal)
    book = reopen(community_table(node=street_records.street_a, year=YEAR))
    regional_sheet = book.wb.worksheets[3]
    assert row_of(regional_sheet, own("酒泉路街道")) == 6 and row_of(regional_sheet, _("Total")) == 7
    assert values(7, "regional_building.meetings_held") == (4, 2)
    assert values(7, "regional_building.agreements_in_force") == (2, 1)


@pytest.mark.django_db
def test_view_and_print_setup(sheet):
    ws = sheet
    assert ws.freeze_panes == "D4"  # below the header, right of the community name
    # the labels of subtotals and the total are merged over A:C, left of the frozen split
    data_merges = sorted(str(r) for r in ws.merged_cells.ranges if r.min_row >= 4)
    assert data_merges == ["A6:C6", "A8:C8", "A9:C9"]
    assert ws["A9"].value == _("Total") and ws["D9"].value is None
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    venues = ws.wb.worksheets[2]  # 3 figures: a narrow sheet is widened to fill the page
    widths = [venues.column_dimensions[openpyxl.utils.get_column_letter(c)].width
              for c in range(1, venues.max_column + 1)]
    assert sum(widths) == pytest.approx(150, abs=1)
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == "2:3"
    assert ws.print_area.endswith(f"$A$1:${openpyxl.utils.get_column_letter(ws.max_column)}$9")
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.page_margins.left == pytest.approx(0.4)
    assert ws.column_dimensions["C"].width >= 16


@pytest.mark.django_db
def test_frozen_tables_without_ratio_parts_and_hostile_names(data):
    """A table frozen without the ratio parts leaves the party share blank in sums; names that
    look like formulas are written inert; a single street gets no subtotal repeating the total."""
    table = community_table(node=data.street_a, year=YEAR)
    for row in table["rows"]:
        for which in ("current", "previous"):
            row[which].pop("funding.spent"), row[which].pop("funding.party_work_spent")
    table["rows"][0]["name"] = "=HYPERLINK(\"http://x\")"
    ws = reopen(table, title="+title")
    assert ws["A1"].value == "附表1：+title（有人管事）"
    assert reopen(table, title="=1+1")["A1"].value == "附表1：=1+1（有人管事）"  # not a formula
    assert ws["C4"].value == "'=HYPERLINK(\"http://x\")" and ws["C4"].data_type == "s"
    total = row_of(ws, _("Total"))
    assert total == 6 == ws.max_row  # two communities, then the total straight away
    share = column_of(ws, _("Party work share of spending (%)"))
    assert ws.cell(row=total, column=share).value is None
    assert ws.cell(row=total, column=column_of(ws, _("College or above (%)"))).value == 80


@pytest.mark.django_db
def test_an_empty_node_still_gives_a_workbook(tree):
    empty = Node.objects.create(code="620102003000", name="空街道", parent=tree.district, level=Level.TOWNSHIP)
    community_table(node=empty, year=YEAR)  # the new street's facts are computed (catch-up)
    with CaptureQueriesContext(connection) as ctx:
        table = community_table(node=empty, year=YEAR)
    assert table["rows"] == [] and len(ctx.captured_queries) == 3  # dirty marks, streets, the facts rows
    ws = reopen(table)
    assert ws.cell(row=4, column=1).value == _("Total")
    # a street without communities that keeps an agreement itself: its own row and the total
    rb.agreement(empty, rb.unit(empty), signed_on=D(2025, 1, 1), valid_from=D(2025, 1, 1))
    table = community_table(node=empty, year=YEAR)
    assert [(r["name"], r["own"]) for r in table["rows"]] == [(own("空街道"), True)]
    book = reopen(table)
    ws = book.wb.worksheets[3]  # the regional sheet holds the own row
    agreements = column_of(book, _("Co-building agreements"))
    assert ws.cell(row=4, column=3).value == own("空街道") and ws.cell(row=5, column=1).value == _("Total")
    assert ws.cell(row=5, column=agreements).value == 1 and ws.max_row == 5
    assert book.first.cell(row=4, column=1).value == _("Total")  # the other sheets: no community, a blank total


@pytest.mark.django_db
def test_the_problem_sheet_lists_what_the_summary_names(data):
    """The summary names a few communities and says where the rest are; the annex lists them all."""
    from reports import drafting
    from reports.models import ProblemKind

    problems = drafting.find_problems(node=data.district, year=YEAR)
    book = reopen(community_table(node=data.district, year=YEAR), problems=problems)
    assert [ws.title for ws in book.wb.worksheets] == SHEET_NAMES + ["附表5 存在问题清单"]
    ws = book.wb.worksheets[4]
    assert ws["A1"].value == f"附表5：{TITLE}（存在问题清单）"
    assert [c.value for c in ws[2]] == ["序号", "问题", "街道", "社区（联席会议、街道本级）", "具体情况"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert len(rows) == sum(len(p["items"]) for p in problems)
    assert ["数据未报送", "张掖路街道", "中山社区", "社区干部、工作经费"] == rows[0][1:]
    assert [str(ProblemKind.FUNDS_BELOW.label), "酒泉路街道", "北关社区", "到位1.2万元，标准2万元"] == rows[1][1:]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows.replace("$", "") == "2:2"
