"""Issue 12, finding 8: hostile workbooks are refused before they are parsed (declared
dimensions, part sizes, markup Excel never writes), and parsing itself runs in a child process
with a time and memory budget, so one upload never holds a web worker."""

import io
import re
import signal
import time
import zipfile
from contextlib import contextmanager

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import Node
from tests.test_excel import IMPORT_URL, assert_rejected, fill, row, template_workbook, upload, xlsx_upload

FAST = 5  # seconds: a refusal must come at least this fast (today's main takes minutes)


@contextmanager
def no_longer_than(seconds):
    """Fail instead of hanging when the code under test never answers."""

    def alarm(signum, frame):
        raise AssertionError(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    start = time.monotonic()
    try:
        yield lambda: time.monotonic() - start
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def template_bytes(client) -> bytes:
    wb = fill(template_workbook(client), [row("620102001010", "新一社区", "620102001000")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rewrite(data: bytes, edit, extra: dict | None = None) -> SimpleUploadedFile:
    """The workbook with the first worksheet's XML passed through ``edit`` and ``extra`` parts added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            z.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    assert len(out.getvalue()) < 1024 * 1024  # small on the wire
    return SimpleUploadedFile("hostile.xlsx", out.getvalue())


def declare(body: bytes, ref: str) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body)


def far_cell(body: bytes, cell: str) -> bytes:
    number = re.sub(r"[A-Z]", "", cell)
    extra = f'<row r="{number}"><c r="{cell}" t="inlineStr"><is><t> </t></is></c></row>'.encode()
    return body.replace(b"</sheetData>", extra + b"</sheetData>")


@pytest.mark.django_db
def test_ninety_megabytes_of_xml_comments_are_refused_at_once(login, tree, personas):
    client = login(personas.street_clerk)
    payload = b"<!--" + b"x" * (90 * 1024 * 1024) + b"-->"
    hostile = rewrite(template_bytes(client), lambda b: b.replace(b"<sheetData>", b"<sheetData>" + payload, 1))
    before = Node.objects.count()
    with no_longer_than(60) as elapsed:
        assert_rejected(upload(client, hostile), "Excel")
    assert elapsed() < FAST
    assert Node.objects.count() == before


@pytest.mark.django_db
def test_a_million_declared_blank_rows_are_refused_before_reading(login, tree, personas):
    client = login(personas.street_clerk)
    hostile = rewrite(template_bytes(client), lambda b: far_cell(declare(b, "A1:M1000000"), "M1000000"))
    with no_longer_than(120) as elapsed:
        body = assert_rejected(upload(client, hostile), "1000000")
    assert elapsed() < FAST, body


@pytest.mark.django_db
def test_rows_far_below_without_a_declared_dimension_are_refused(login, tree, personas):
    client = login(personas.street_clerk)
    hostile = rewrite(template_bytes(client), lambda b: far_cell(re.sub(rb"<dimension[^>]*/>", b"", b), "AZ1000000"))
    with no_longer_than(120) as elapsed:
        assert_rejected(upload(client, hostile), "行")
    assert elapsed() < FAST


@pytest.mark.django_db
def test_a_sheet_declared_16384_columns_wide_is_refused(login, tree, personas):
    client = login(personas.street_clerk)
    hostile = rewrite(template_bytes(client), lambda b: far_cell(declare(b, "A1:XFD3000"), "XFD3000"))
    with no_longer_than(120) as elapsed:
        assert_rejected(upload(client, hostile), "列")
    assert elapsed() < FAST


@pytest.mark.django_db
def test_large_parts_that_carry_no_data_are_refused_before_parsing(login, tree, personas, monkeypatch):
    client = login(personas.street_clerk)
    data = template_bytes(client)

    def fail(*args, **kwargs):
        raise AssertionError("openpyxl must not be called")

    monkeypatch.setattr("openpyxl.load_workbook", fail)
    hostile = rewrite(data, lambda b: b, extra={"xl/media/image1.png": b"\0" * (40 * 1024 * 1024)})
    assert_rejected(upload(client, hostile), "MB")


@pytest.mark.django_db
def test_a_huge_tag_is_refused_before_parsing(login, tree, personas):
    client = login(personas.street_clerk)
    attribute = b' x="' + b"y" * (8 * 1024 * 1024) + b'"'
    hostile = rewrite(template_bytes(client), lambda b: b.replace(b"<sheetData", b"<sheetData" + attribute, 1))
    with no_longer_than(120) as elapsed:
        assert_rejected(upload(client, hostile), "Excel")
    assert elapsed() < FAST


@pytest.mark.django_db
def test_parsing_runs_with_a_time_budget(login, tree, personas, settings, monkeypatch):
    """Whatever the checks before parsing miss, the parse is cut off at the budget."""
    settings.SANQI_UPLOAD_PARSE_SECONDS = 1
    client = login(personas.street_clerk)
    data = template_bytes(client)
    monkeypatch.setattr("core.excel.scan_parts", lambda archive, infos: None)  # let a slow file through
    payload = b"<!--" + b"x" * (12 * 1024 * 1024) + b"-->"  # minutes of expat's quadratic work
    hostile = rewrite(data, lambda b: b.replace(b"<sheetData>", b"<sheetData>" + payload, 1))
    with no_longer_than(60) as elapsed:
        assert_rejected(upload(client, hostile), "秒")
    assert elapsed() < FAST


@pytest.mark.django_db
def test_an_ordinary_upload_still_saves(login, tree, personas):
    client = login(personas.street_clerk)
    response = upload(client, SimpleUploadedFile("ok.xlsx", template_bytes(client)))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Node.objects.filter(code="620102001010").exists()


@pytest.mark.django_db
def test_row_limit_counts_rows_of_data(login, tree, personas, settings):
    settings.SANQI_UPLOAD_MAX_ROWS = 3
    client = login(personas.street_clerk)
    wb = fill(template_workbook(client), [row(f"62010200102{i}", f"社区{i}", "620102001000") for i in range(5)])
    assert_rejected(upload(client, xlsx_upload(wb)), "3")
