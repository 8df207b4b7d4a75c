"""Export → edit → re-upload, for every list that has an upload page (docs/excel.md).

The lists are found by walking the URLconf for ``ObjectImportView`` s, so a new uploadable list
is covered without a line here; its records come from ``tests.world.build_world`` (one record
of every scoped model), which a new model must feed anyway (tests/test_sweep.py).

Each list, as the street clerk (who may not see personal data: ID numbers and phones are
exported masked), must:
- take its own export back unchanged: nothing created, nothing changed;
- apply an edit of one cell to that record only, through the services (the version goes up);
- refuse an edit of a record someone else changed after the export (version column), while a
  row left as exported is still accepted;
- refuse, row by row, an export of a neighbouring street's records, saving nothing.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from core.excel import Sheet
from core.masking import personal_fields
from core.urlwalk import routes
from core.views import ObjectImportView
from tests.world import build_world

EDIT_MARK = "改"


def import_views() -> list[tuple[str, type]]:
    """(URL name, view class) of every upload page, from the site's route walk (core.urlwalk)."""
    found = [(route.name, route.view_class) for route in routes()
             if isinstance(route.view_class, type) and issubclass(route.view_class, ObjectImportView)]
    return sorted(found, key=lambda item: item[0])


ROUND_TRIP = [(name, view) for name, view in import_views() if view.sheet_class.round_trip]


def test_every_uploadable_list_is_covered():
    """The walk finds the upload pages (a broken walk would make the suite below test nothing);
    a list left out of the round trip says why on its sheet."""
    names = {name for name, _view in ROUND_TRIP}
    assert {"staffing:cadre_import", "funding:allocation_import", "venues:venue_import",
            "communities:community_import"} <= names, names
    for _name, view in import_views():
        if not view.sheet_class.round_trip:
            assert view.sheet_class.round_trip_exception, view.sheet_class


@pytest.fixture
def worlds(tree, personas):
    own = build_world(marker="甲档", community=tree.community_a1, street=tree.street_a, district=tree.district, actor=personas.admin)
    scheme = own.objects[next(m for m in own.objects if m.__name__ == "Scheme")]
    foreign = build_world(marker="乙档", community=tree.community_b1, street=tree.street_b, district=tree.district,
                          actor=personas.admin, scheme=scheme)
    return own, foreign


def export(client, view) -> openpyxl.Workbook:
    response = client.get(reverse(view.list_url), {"export": "xlsx"})
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.getvalue()))


def rows_of(wb) -> tuple[list[str], list[list]]:
    values = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    return [str(h) for h in values[0]], values[1:]


def upload(client, name, wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return client.post(reverse(name), {"file": SimpleUploadedFile("export.xlsx", buffer.getvalue())})


def errors_of(response) -> list:
    result = response.context["result"] if response.context and "result" in response.context else None
    return [(e.row, e.column, e.message) for e in result.errors] if result else []


def editable_column(sheet: Sheet):
    """A free-text cell a clerk would change: importable text, not a key, a code or personal."""
    personal = set(personal_fields(sheet.model)) if sheet.model is not None else set()
    for column in sheet.columns:
        if (column.importable and column.kind == "text" and not column.identifier and column.name not in personal
                and column.name not in (sheet.key, sheet.natural_key)):
            return column
    raise AssertionError(f"{type(sheet).__name__} has no free-text column to edit in the round-trip test")


def model_state(sheet_model):
    return sorted(sheet_model._base_manager.values_list("pk", "version")) if hasattr(sheet_model, "version") else []


@pytest.mark.django_db
@pytest.mark.parametrize("name,view", ROUND_TRIP, ids=[n for n, _v in ROUND_TRIP])
def test_export_comes_back_unchanged(login, tree, personas, worlds, name, view):
    client = login(personas.street_clerk)
    wb = export(client, view)
    headers, rows = rows_of(wb)
    assert rows, f"{name}: the export of the street clerk's list is empty; build_world must give it a record"
    sheet = view.sheet_class(personas.street_clerk)
    before = model_state(sheet.model) if sheet.model is not None else None
    response = upload(client, name, wb)
    assert response.status_code == 302, errors_of(response)
    assert rows_of(export(client, view)) == (headers, rows)
    if sheet.model is not None:
        assert model_state(sheet.model) == before  # nothing saved: no version moved


@pytest.mark.django_db
@pytest.mark.parametrize("name,view", ROUND_TRIP, ids=[n for n, _v in ROUND_TRIP])
def test_an_edited_cell_is_saved_and_a_stale_row_refused(login, tree, personas, worlds, name, view):
    client = login(personas.street_clerk)
    sheet = view.sheet_class(personas.street_clerk)
    column = editable_column(sheet)
    wb = export(client, view)
    headers, rows = rows_of(wb)
    at = headers.index(column.title)
    ws = wb.worksheets[0]
    old = ws.cell(row=2, column=at + 1).value or ""
    ws.cell(row=2, column=at + 1).value = f"{old}{EDIT_MARK}"
    response = upload(client, name, wb)
    assert response.status_code == 302, errors_of(response)
    new_headers, new_rows = rows_of(export(client, view))
    assert new_rows[0][at] == f"{old}{EDIT_MARK}"
    assert [r for r in new_rows[1:]] == [r for r in rows[1:]]  # the other rows as they were
    if sheet.model is None or "version" not in [c.name for c in sheet.columns]:
        return
    # The edited record moved on (version + 1): the same file again is now stale for that row.
    version_at = new_headers.index(str(next(c.title for c in sheet.columns if c.name == "version")))
    assert new_rows[0][version_at] == (rows[0][version_at] or 0) + 1
    key_at = headers.index(next(c.title for c in sheet.columns if c.name == sheet.key))
    record = next(o for o in sheet.model._base_manager.all() if str(getattr(o, sheet.key)) == str(rows[0][key_at]))
    sheet.model._base_manager.filter(pk=record.pk).update(version=F("version") + 1)  # someone else saved it
    ws.cell(row=2, column=at + 1).value = f"{old}{EDIT_MARK}{EDIT_MARK}"
    response = upload(client, name, wb)
    assert response.status_code == 400
    problems = errors_of(response)
    assert [row for row, _c, _m in problems] == [2], problems
    assert "已被他人修改" in problems[0][2]
    assert rows_of(export(client, view))[1][0][at] == f"{old}{EDIT_MARK}"  # nothing overwritten
    # Left as exported, the stale row is accepted: it changes nothing.
    ws.cell(row=2, column=at + 1).value = f"{old}{EDIT_MARK}"
    response = upload(client, name, wb)
    assert response.status_code == 302, errors_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize("name,view", ROUND_TRIP, ids=[n for n, _v in ROUND_TRIP])
def test_a_neighbours_records_are_refused_row_by_row(login, tree, personas, worlds, name, view):
    foreign = export(login(personas.neighbour_clerk), view)
    _headers, foreign_rows = rows_of(foreign)
    assert foreign_rows, f"{name}: the neighbour's export is empty"
    client = login(personas.street_clerk)
    sheet = view.sheet_class(personas.street_clerk)
    before = model_state(sheet.model) if sheet.model is not None else None
    own_before = rows_of(export(client, view))
    response = upload(client, name, foreign)
    assert response.status_code == 400
    refused_rows = {row for row, _c, _m in errors_of(response)}
    assert refused_rows == set(range(2, len(foreign_rows) + 2)), errors_of(response)
    assert rows_of(export(client, view)) == own_before
    if sheet.model is not None:
        assert model_state(sheet.model) == before
