"""Excel I/O shared by every app: templates with dropdowns, hardened upload reading, an
all-or-nothing import with a row-by-row report, and exports safe against formula injection.

An app describes a sheet once (:class:`Sheet` with :class:`Column` s) and gets the template,
the export and the import from it, so the three always agree.
"""

from __future__ import annotations

import io
import logging
import pickle
import re
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.audit import EXCEL_IMPORT, audited_as
from core.contention import Busy, lock_nodes, retry_once
from core.downloads import content_disposition, download_response, export_name, template_name

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


class _Rollback(Exception):
    """Raised inside the import transaction to undo every row when one fails to save."""


class UploadError(Exception):
    """The upload as a whole is unusable (size, type, structure); nothing was read."""


def neutralise(value: Any) -> Any:
    """Make a text cell that a spreadsheet would run as a formula inert (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def unneutralise(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(DANGEROUS_PREFIXES):
        return value[1:]
    return value


@dataclass
class Column:
    """One column of a sheet. ``name`` is the form field it feeds on import."""

    name: str
    header: Any  # lazy translatable text
    kind: str = "text"  # text, int, decimal, date, bool, choice
    choices: Any = None  # a TextChoices/IntegerChoices class for kind="choice"
    required: bool = False
    width: int = 16
    export: Callable[[Any], Any] | None = None  # value to export, from the object
    importable: bool = True  # False: shown in exports only, ignored on import
    help: Any = ""

    @property
    def title(self) -> str:
        return str(self.header)

    def export_value(self, obj) -> Any:
        if self.export is not None:
            return self.export(obj)
        value = getattr(obj, self.name, None)
        if self.kind == "choice" and value not in (None, ""):
            return str(self.choices(value).label)
        if self.kind == "bool":
            return _("yes") if value else _("no")
        if hasattr(value, "pk"):
            return str(value)
        return value

    def parse(self, raw: Any) -> Any:
        """Cell value → form data; raises ``ValueError`` with a Chinese message."""
        raw = unneutralise(raw)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            return ""
        if self.kind == "choice":
            text = str(raw)
            for value, label in self.choices.choices:
                if text in (str(label), str(value)):
                    return value
            raise ValueError(
                _("“%(value)s” is not one of the choices: %(choices)s.")
                % {"value": text, "choices": "、".join(str(label) for _v, label in self.choices.choices)}
            )
        if self.kind == "bool":
            text = str(raw).lower()
            if text in {str(_("yes")).lower(), "yes", "true", "1", "是"}:
                return True
            if text in {str(_("no")).lower(), "no", "false", "0", "否"}:
                return False
            raise ValueError(_("“%(value)s” must be yes or no.") % {"value": raw})
        if self.kind == "int":
            if isinstance(raw, float) and raw.is_integer():
                return int(raw)
            try:
                return int(str(raw))
            except ValueError:
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": raw})
        if self.kind == "decimal":
            try:
                return Decimal(str(raw))
            except InvalidOperation:
                raise ValueError(_("“%(value)s” is not a number.") % {"value": raw})
        if self.kind == "date":
            if isinstance(raw, datetime):
                return raw.date()
            if isinstance(raw, date):
                return raw
            try:
                return date.fromisoformat(str(raw).replace("/", "-"))
            except ValueError:
                raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw})
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw)


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def workbook_response(wb: openpyxl.Workbook, filename: str) -> HttpResponse:
    """An .xlsx download of ``wb`` named ``filename`` (UTF-8 safe); every export uses it."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return download_response(buffer.getvalue(), filename, XLSX_CONTENT_TYPE)


# ---------------------------------------------------------------- streaming list exports
#
# A list export may hold a million rows. openpyxl (even write_only) and XlsxWriter
# (constant_memory) both assemble the file before the first byte can be sent and write about
# 800–1,100 rows/s here (docs/benchmarks.md); so the list exports write the few XML parts of a
# workbook themselves, into a ZIP that is streamed as it is written: the download starts at
# once, memory stays flat, and the cost is close to that of writing CSV.

XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, the header row included
STREAM_BATCH = 1000  # rows per piece handed to the server
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH = date(1899, 12, 30)
_EPOCH_DT = datetime(1899, 12, 30)
_STYLES = (  # 0 plain, 1 header (bold, filled, centred), 2 date, 3 date and time: openpyxl's formats
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00DDEBF7"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _xml_text(text: str) -> str:
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _xlsx_cell(ref: str, value) -> str:
    kind = type(value)
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float or kind is Decimal:
        if kind is not int and not value.is_finite():
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'
    if kind is datetime:
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        return f'<c r="{ref}" s="3"><v>{(value - _EPOCH_DT).total_seconds() / 86400!r}</v></c>'
    if kind is date:
        return f'<c r="{ref}" s="2"><v>{(value - _EPOCH).days}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(str(value))}</t></is></c>'


class _Sink:
    """A write-only file for ``zipfile``: what was written since the last :meth:`take`."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _sheet_name(title: str, number: int) -> str:
    name = re.sub(r"[\\/*?:\[\]]", "", str(title))[:31] or "sheet"
    if number > 1:  # Excel's 1,048,576 rows are full: the rows go on in a sheet of their own
        suffix = _("(cont. %(n)s)") % {"n": number}
        name = name[: 31 - len(suffix)] + suffix
    return name


def xlsx_stream(title: str, headers: list[str], widths: list[int], rows, max_rows: int = XLSX_MAX_ROWS):
    """The bytes of an .xlsx workbook of ``rows`` (sequences of cell values), yielded as they are
    written. Each sheet has the header row (bold, filled, frozen) and the column widths; past
    ``max_rows`` rows (Excel's limit) the rows go on in a new sheet named "<title>（续2）"…"""
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    sheet_head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        '<row r="1">' + "".join(
            f'<c r="{letter}1" t="inlineStr" s="1"><is><t>{_xml_text(str(h))}</t></is></c>' for letter, h in zip(letters, headers)
        ) + "</row>"
    )
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    names: list[str] = []
    rows = iter(rows)
    pending = next(rows, None)
    while pending is not None or not names:
        names.append(_sheet_name(title, len(names) + 1))
        with archive.open(f"xl/worksheets/sheet{len(names)}.xml", "w", force_zip64=True) as part:
            part.write(sheet_head.encode())
            number = 1
            batch: list[str] = []
            while pending is not None and number < max_rows:
                number += 1
                batch.append(f'<row r="{number}">'
                             + "".join([_xlsx_cell(f"{letter}{number}", v) for letter, v in zip(letters, pending)])
                             + "</row>")
                pending = next(rows, None)
                if len(batch) == STREAM_BATCH:
                    part.write("".join(batch).encode())
                    batch.clear()
                    if sink.parts:
                        yield sink.take()
            part.write(("".join(batch) + "</sheetData></worksheet>").encode())
    sheets = "".join(f'<sheet name="{_xml_text(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1)
    )
    n = len(names) + 1
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n)
    )
    parts = {
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets></workbook>",
        "xl/styles.xml": _STYLES,
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
        f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>",
    }
    for name, text in parts.items():
        archive.writestr(name, text)
    archive.close()
    yield sink.take()


def streaming_download(chunks, filename: str, content_type: str = XLSX_CONTENT_TYPE) -> StreamingHttpResponse:
    """A download sent while it is produced (``chunks`` yields bytes), named like
    :func:`download_response`'s."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


# Parts that hold the data (the sheets and their shared strings) may use the whole
# uncompressed allowance; everything else together (styles, theme, pictures, macros…) only this.
DATA_PART = re.compile(r"^xl/(worksheets/sheet\d+\.xml|sharedStrings\.xml)$")
# Markup Excel never writes. A comment or an over-long tag is one token for the XML parser,
# which re-scans it on every chunk read (expat before 2.6): minutes of CPU for a few MB.
FORBIDDEN_MARKUP = re.compile(rb"<!--|<!DOCTYPE|<!ENTITY|<\?(?!xml[\s?])")
LONG_TAG_BYTES = 64 * 1024
LONG_TAG = re.compile(rb"<[^<>]{%d}" % LONG_TAG_BYTES)


def scan_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str | None:
    """Stream every XML part once, before any parsing: a message when one carries markup
    Excel never writes (comments, DTDs, processing instructions) or a tag over 64 KB."""
    refused = _("The workbook contains XML that Excel does not write (comments, declarations or an over-long tag); it was not read. Save it again from Excel.")
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        tail = b""
        with archive.open(info) as part:
            while chunk := part.read(1 << 20):
                buffer = tail + chunk
                if FORBIDDEN_MARKUP.search(buffer) or LONG_TAG.search(buffer):
                    return refused
                last = buffer.rfind(b"<")
                open_tag = last != -1 and buffer.find(b">", last) == -1
                tail = buffer[last:] if open_tag else buffer[-16:]
    return None


def _parse_in_child(data: bytes) -> tuple:
    """Run :mod:`core.xlsx_reader` on ``data`` in a child process, within the time budget."""
    budget = settings.SANQI_UPLOAD_PARSE_SECONDS
    request = pickle.dumps(
        {
            "data": data,
            "max_rows": settings.SANQI_UPLOAD_MAX_ROWS,
            "max_sheet_rows": settings.SANQI_UPLOAD_MAX_SHEET_ROWS,
            "max_columns": settings.SANQI_UPLOAD_MAX_COLUMNS,
            "memory_bytes": settings.SANQI_UPLOAD_PARSE_MEMORY_MB * 1024 * 1024,
        }
    )
    reader = str(Path(__file__).with_name("xlsx_reader.py"))
    try:
        done = subprocess.run(  # noqa: S603 - our own script, no shell
            [sys.executable, "-I", reader], input=request, capture_output=True, timeout=budget, check=False
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        return ("error", "timeout", {"seconds": budget})
    if done.returncode != 0 or not done.stdout:
        logger.warning("upload parser exited with %s: %s", done.returncode, done.stderr[-2000:])
        return ("error", "memory" if done.returncode < 0 else "not_xlsx", {})
    return pickle.loads(done.stdout)  # noqa: S301 - written by our own child process


def _child_error(code: str, params: dict) -> UploadError:
    messages = {
        "not_xlsx": lambda: _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload again."),
        "empty": lambda: _("The workbook is empty."),
        "rows": lambda: _("The sheet has more than %(limit)d rows; split it into several files.") % params,
        "sheet_rows": lambda: _("The sheet extends beyond row %(limit)d (blank rows count too); delete the empty rows below the data and upload again.") % params,
        "declared_rows": lambda: _("The sheet declares %(rows)d rows, over the limit of %(limit)d (blank rows count too); delete the empty rows below the data and upload again.") % params,
        "declared_columns": lambda: _("The sheet declares %(columns)d columns, over the limit of %(limit)d; delete the empty columns to the right of the data and upload again.") % params,
        "timeout": lambda: _("Reading the workbook took longer than %(seconds)d seconds; it was not read. Save it again from Excel, or split it into several files.") % params,
        "memory": lambda: _("Reading the workbook needed more memory than allowed; it was not read. Split it into several files."),
    }
    return UploadError(messages.get(code, messages["not_xlsx"])())


def read_upload(upload) -> tuple[list[str], list[tuple[int, tuple]]]:
    """Read an uploaded .xlsx defensively; return its header row and data rows (with row numbers).

    Refused before anything is parsed: files over the size limit, files that are not an
    Office Open XML workbook, archives whose uncompressed size exceeds the limit (zip bombs),
    parts without data (styles, pictures, macros…) over their own small limit, and XML that
    Excel never writes (:func:`scan_parts`). The parse itself runs in a child process
    (:mod:`core.xlsx_reader`) with a time and memory budget, which refuses declared
    dimensions over the limits before reading a row and counts blank rows too. openpyxl
    parses the XML through defusedxml, which is installed.
    """
    max_bytes = settings.SANQI_UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadError(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": size / 1048576, "limit": max_bytes / 1048576}
        )
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(_("The file is larger than the limit of %(limit).1f MB.") % {"limit": max_bytes / 1048576})
    not_xlsx = UploadError(_("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload again."))
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise not_xlsx
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    uncompressed = sum(info.file_size for info in infos)
    if uncompressed > settings.SANQI_UPLOAD_MAX_UNCOMPRESSED_BYTES or len(infos) > 1000:
        raise UploadError(
            _("The workbook would unpack to %(size).0f MB, over the limit of %(limit).0f MB; it was not read.")
            % {"size": uncompressed / 1048576, "limit": settings.SANQI_UPLOAD_MAX_UNCOMPRESSED_BYTES / 1048576}
        )
    other = sum(info.file_size for info in infos if not DATA_PART.match(info.filename))
    if other > settings.SANQI_UPLOAD_MAX_OTHER_PARTS_BYTES:
        raise UploadError(
            _("Apart from its data the workbook holds %(size).0f MB (styles, pictures, macros…), over the limit of %(limit).0f MB; it was not read. Copy the data into a new workbook and upload that.")
            % {"size": other / 1048576, "limit": settings.SANQI_UPLOAD_MAX_OTHER_PARTS_BYTES / 1048576}
        )
    try:
        problem = scan_parts(archive, infos)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        raise not_xlsx
    if problem:
        raise UploadError(problem)
    outcome = _parse_in_child(data)
    if outcome[0] != "ok":
        raise _child_error(outcome[1], outcome[2])
    return outcome[1], outcome[2]


class Sheet:
    """A model's Excel layout: the template, the export and the import share it.

    Subclasses set ``title``, ``columns``, ``key`` (the column naming a row's identity for
    updates) and implement :meth:`lookup_existing`, :meth:`prepare_row` and :meth:`save_row`.
    """

    title: str = "sheet"
    columns: list[Column] = []
    key: str = ""
    instructions: list[str] = []

    def __init__(self, user):
        self.user = user

    # ---- writing ----
    def _header(self, ws):
        ws.append([c.title for c in self.columns])
        for idx, column in enumerate(self.columns, start=1):
            cell = ws.cell(row=1, column=idx)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center")
            ws.column_dimensions[get_column_letter(idx)].width = column.width
        ws.freeze_panes = "A2"

    def _dropdowns(self, wb, ws, max_row: int = 5000):
        lists = wb.create_sheet(str(_("choices")))
        lists.sheet_state = "hidden"
        list_col = 0
        for idx, column in enumerate(self.columns, start=1):
            if not column.importable:
                continue
            if column.kind == "choice":
                labels = [str(label) for _v, label in column.choices.choices]
            elif column.kind == "bool":
                labels = [str(_("yes")), str(_("no"))]
            else:
                continue
            list_col += 1
            letter = get_column_letter(list_col)
            for row, label in enumerate(labels, start=1):
                lists.cell(row=row, column=list_col, value=label)
            dv = DataValidation(
                type="list",
                formula1=f"'{lists.title}'!${letter}$1:${letter}${len(labels)}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=str(_("Invalid value")),
                error=str(_("Choose a value from the list.")),
            )
            col_letter = get_column_letter(idx)
            dv.add(f"{col_letter}2:{col_letter}{max_row}")
            ws.add_data_validation(dv)

    def template_response(self) -> HttpResponse:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = str(self.title)
        self._header(ws)
        self._dropdowns(wb, ws)
        notes = wb.create_sheet(str(_("instructions")))
        notes.column_dimensions["A"].width = 100
        for line in self.instructions:
            notes.append([str(line)])
        notes.append([])
        for column in self.columns:
            mark = str(_("required")) if column.required else str(_("optional"))
            if not column.importable:
                mark = str(_("ignored on upload"))
            notes.append([f"{column.title}（{mark}）{column.help or ''}"])
        return workbook_response(wb, template_name(self.title))

    def export_rows(self, queryset):
        """The export's rows (lists of cell values, made inert), read 2,000 records at a time."""
        columns = self.columns
        for obj in queryset.iterator(chunk_size=2000):
            yield [neutralise(c.export_value(obj)) for c in columns]

    def export_response(self, queryset) -> StreamingHttpResponse:
        """The list as a workbook, streamed: the download starts at once and memory stays flat
        whatever the number of rows (past Excel's 1,048,576 rows, in more sheets)."""
        chunks = xlsx_stream(str(self.title), [c.title for c in self.columns], [c.width for c in self.columns],
                             self.export_rows(queryset))
        return streaming_download(chunks, export_name(self.user, self.title))

    # ---- reading ----
    def lookup_existing(self, keys: list[str]) -> dict[str, Any]:
        """Existing records by key, any scope: ``{key: obj}``."""
        raise NotImplementedError

    def prepare_row(self, data: dict, existing) -> tuple[Any, dict[str, list[str]]]:
        """Validate one row's data; return (something to save, {column name: [errors]})."""
        raise NotImplementedError

    def save_row(self, prepared, existing) -> str:
        """Save one validated row; return "created", "updated" or "unchanged"."""
        raise NotImplementedError

    def check_existing(self, existing) -> str | None:
        """An error message when an existing record may not be changed by this user."""
        return None

    def nodes_touched(self, prepared, existing) -> set[int]:
        """Ids of the hierarchy nodes a row writes under: the nodes (and the nodes of scoped
        records) among its prepared values, and the node of the record it changes. The upload
        locks them all, in id order, before saving its first row (core.contention.lock_nodes)."""
        from core.services import scope_node_id

        found: set[int] = set()

        def visit(value):
            if isinstance(value, dict):
                for item in value.values():
                    visit(item)
            elif isinstance(value, Model) and hasattr(value, "scope_path"):
                found.add(scope_node_id(value))

        visit(prepared)
        visit(existing)
        found.discard(None)
        return found

    def import_file(self, upload) -> ImportResult:
        """All-or-nothing import: every row is checked first; if any fails, nothing is saved.

        A deadlock or serialization failure runs the check-and-save once more with a fresh sheet
        (nothing of the first attempt is kept); a second one is reported as "try again"."""
        try:
            headers, rows = read_upload(upload)
        except UploadError as exc:
            return ImportResult(errors=[RowError(0, "", str(exc))])
        sheets = iter([self, type(self)(self.user)])
        try:
            return retry_once(lambda: next(sheets)._import_rows(headers, rows))
        except Busy as exc:
            return ImportResult(errors=[RowError(0, "", exc.messages[0])])

    def _import_rows(self, headers, rows) -> ImportResult:
        result = ImportResult()
        expected = [c.title for c in self.columns]
        missing = [h for h in expected if h not in headers]
        unknown = [h for h in headers if h and h not in expected]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(_("missing columns: %(cols)s") % {"cols": "、".join(missing)})
            if unknown:
                parts.append(_("unknown columns: %(cols)s") % {"cols": "、".join(unknown)})
            result.errors.append(
                RowError(1, "", _("The header row does not match the template (%(detail)s). Download the template and use its header row.") % {"detail": "；".join(parts)})
            )
            return result
        if not rows:
            result.errors.append(RowError(0, "", _("The sheet has no data rows.")))
            return result
        position = {h: i for i, h in enumerate(headers)}
        by_name = {c.name: c for c in self.columns}
        key_column = by_name[self.key]
        parsed_rows = []
        seen_keys: dict[str, int] = {}
        for number, values in rows:
            data, row_errors = {}, []
            for column in self.columns:
                if not column.importable:
                    continue
                idx = position[column.title]
                raw = values[idx] if idx < len(values) else None
                try:
                    data[column.name] = column.parse(raw)
                except ValueError as exc:
                    row_errors.append(RowError(number, column.title, str(exc)))
                    data[column.name] = ""
            key = str(data.get(self.key, "") or "")
            if key:
                if key in seen_keys:
                    row_errors.append(
                        RowError(number, key_column.title, _("%(key)s appears twice in the file (also row %(row)d).") % {"key": key, "row": seen_keys[key]})
                    )
                else:
                    seen_keys[key] = number
            parsed_rows.append((number, data, row_errors))
        existing_by_key = self.lookup_existing(list(seen_keys))
        prepared_rows = []
        for number, data, row_errors in parsed_rows:
            result.errors.extend(row_errors)
            if row_errors:
                continue
            existing = existing_by_key.get(str(data.get(self.key, "")))
            if existing is not None:
                problem = self.check_existing(existing)
                if problem:
                    result.errors.append(RowError(number, key_column.title, problem))
                    continue
            prepared, field_errors = self.prepare_row(data, existing)
            for name, messages in field_errors.items():
                title = by_name[name].title if name in by_name else ""
                for message in messages:
                    result.errors.append(RowError(number, title, message))
            if not field_errors:
                prepared_rows.append((number, prepared, existing))
        if result.errors:
            return result
        try:
            # the change log names the person and says the rows came from an upload
            with transaction.atomic(), audited_as(EXCEL_IMPORT):
                lock_nodes(*{pk for _n, prepared, existing in prepared_rows for pk in self.nodes_touched(prepared, existing)})
                for number, prepared, existing in prepared_rows:
                    try:
                        outcome = self.save_row(prepared, existing)
                    except ValidationError as exc:
                        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                        for name, msgs in messages.items():
                            title = by_name[name].title if name in by_name else ""
                            for message in msgs:
                                result.errors.append(RowError(number, title, message))
                    except PermissionDenied as exc:
                        result.errors.append(RowError(number, "", str(exc)))
                    else:
                        setattr(result, outcome, getattr(result, outcome) + 1)
                if result.errors:
                    raise _Rollback
        except _Rollback:
            result.created = result.updated = result.unchanged = 0
        return result
