"""The compliance table as an Excel file: the page's filtered rows, formulas neutralised."""


import openpyxl
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.downloads import download_name
from core.excel import HEADER_FILL, neutralise, workbook_response


def compliance_response(funds, *, scope: str = "") -> HttpResponse:
    """``scope``: whose communities, for the file name (the viewer's node, core.downloads.scope_name)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _("funding compliance")
    headers = [
        _("division code"), _("street name"), _("community name"), _("office funds"), _("party-building funds"),
        _("working funds in all"), _("Allocated"), _("Spent"), _("Balance"), _("Party-work share"),
        _("Applicable standard"), _("standard set on"), _("Meets the standard"),
    ]
    ws.append(headers)
    for idx in range(1, len(headers) + 1):
        cell = ws.cell(row=1, column=idx)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(idx)].width = 16
    ws.freeze_panes = "A2"
    for c in funds.communities:
        s = c.standard
        ws.append([neutralise(v) for v in [
            c.community.code, c.community.parent.name if c.community.parent_id else "", c.community.name,
            c.office, c.party, c.working, c.allocated, c.spent, c.balance,
            None if c.party_share is None else f"{c.party_share}%",
            "" if s is None else f"¥{s.office_amount:,.2f} + ¥{s.party_amount:,.2f}（{_('in all')} ¥{s.effective_total:,.2f}）",
            "" if s is None else s.node.name,
            "—" if c.meets_standard is None else (_("meets") if c.meets_standard else _("below standard")),
        ]])
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=9):
        for cell in row:
            cell.number_format = "#,##0.00"
    return workbook_response(wb, download_name(_("%(scope)s %(year)s funding compliance") % {
        "scope": scope, "year": funds.year}, "xlsx"))
