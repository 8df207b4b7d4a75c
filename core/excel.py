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
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.audit import EXCEL_IMPORT, audited_as
from core.contention import Busy, lock_nodes, retry_once
from core.downloads import content_disposition, download_response, export_name, template_name
from core.masking import mask_field, personal_fields
from core.versioning import Conflict, is_versioned

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
    # "id_number", "phone" or "code": a number that is text (Excel must not turn it into a
    # number). Inferred from the name when not given; kind="node" columns are codes.
    identifier: str = ""
    levels: tuple = ()  # kind="node": the levels of the hierarchy offered and accepted
    scope_action: str = "change"  # kind="node": the scope the uploader needs on the node

    def __post_init__(self):
        if not self.identifier and self.kind in ("text", "node"):
            self.identifier = infer_identifier(self.name, self.kind)

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
        if self.identifier and not isinstance(raw, (bool, datetime, date)):
            return parse_identifier(raw, self)
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


def infer_identifier(name: str, kind: str) -> str:
    """What kind of text number a column holds, from its name: every sheet's ID number, phone
    and code columns are then kept as text without each sheet saying so."""
    if kind == "node" or name == "code" or name.endswith("_code"):
        return "code"
    if "id_number" in name:
        return "id_number"
    if "phone" in name:
        return "phone"
    return ""


# Excel keeps 15 significant digits of a number: an 18-digit ID number typed into a General
# cell becomes 6.20102E+17 and its last three digits are gone for good.
EXCEL_DIGITS = 15
SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
FLOAT_TEXT = re.compile(r"(\d+)\.0+")


def number_lost(column: Column, shown: str) -> ValueError:
    return ValueError(
        _("Excel stored %(column)s as a number (%(shown)s) and kept only its first 15 digits: the rest is lost and cannot be recovered. Format the column as text and type the number again.")
        % {"column": column.title, "shown": shown}
    )


def parse_identifier(raw: Any, column: Column) -> str:
    """A text number (ID number, phone, code) from a cell: a number Excel made of it is taken
    back when nothing was lost (a 12-digit code, an 11-digit mobile), refused with what happened
    and how to fix it when digits were lost or it reads in scientific notation."""
    if isinstance(raw, (int, float)):
        exact = isinstance(raw, int) or (raw.is_integer() and abs(raw) < 10**EXCEL_DIGITS)
        if column.identifier == "id_number" and abs(raw) >= 10**EXCEL_DIGITS:
            exact = False  # an 18-digit number in a numeric cell went through Excel's 15 digits
        if not exact:
            raise number_lost(column, f"{raw:.5E}")
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(_("%(column)s was stored as a number with decimals (%(shown)s). Format the column as text and type the number again.")
                             % {"column": column.title, "shown": raw})
        return str(int(raw))
    text = str(raw)
    if SCIENTIFIC.fullmatch(text):
        raise number_lost(column, text)
    converted = FLOAT_TEXT.fullmatch(text)
    if converted:  # "620102001001.0": a number written back as text
        if len(converted.group(1)) > EXCEL_DIGITS:
            raise number_lost(column, text)
        return converted.group(1)
    return text


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
_STYLES = (  # 0 plain, 1 header (bold, filled, centred), 2 date, 3 date and time: openpyxl's formats, 4 Text (@)
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00DDEBF7"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
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


def _xlsx_text_cell(ref: str, value) -> str:
    """A cell of an identifier column (ID number, phone, code): text, formatted as Text, so that
    editing it in Excel keeps every digit."""
    if value is None or value == "":
        return ""
    return f'<c r="{ref}" t="inlineStr" s="4"><is><t xml:space="preserve">{_xml_text(str(value))}</t></is></c>'


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


def xlsx_stream(title: str, headers: list[str], widths: list[int], rows, max_rows: int = XLSX_MAX_ROWS,
                text: list[bool] | None = None):
    """The bytes of an .xlsx workbook of ``rows`` (sequences of cell values), yielded as they are
    written. Each sheet has the header row (bold, filled, frozen) and the column widths; past
    ``max_rows`` rows (Excel's limit) the rows go on in a new sheet named "<title>（续2）"…
    Columns marked in ``text`` are Text (column and cells): what is typed there stays text."""
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
    text = text or [False] * len(headers)
    cellers = [_xlsx_text_cell if as_text else _xlsx_cell for as_text in text]
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"' + (' style="4"/>' if as_text else "/>")
        for i, (w, as_text) in enumerate(zip(widths, text), start=1)
    )
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
                             + "".join([cell(f"{letter}{number}", v) for cell, letter, v in zip(cellers, letters, pending)])
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


VERSION_HELP = gettext_lazy(
    "the version the export was made at: leave it as exported; a row whose record was changed by "
    "someone else since then is refused instead of overwriting that change"
)
TEXT_FORMAT = "@"  # Excel's Text number format: what is typed stays as typed


class Sheet:
    """A model's Excel layout: the template, the export and the import share it.

    Subclasses set ``title``, ``columns``, ``key`` (the column naming a row's identity for
    updates) and implement :meth:`lookup_existing`, :meth:`prepare_row` and :meth:`save_row`.

    The round trip (docs/excel.md) is the same for every sheet and done here: ``key`` is the
    record number ("id") or another stable number; a sheet with a ``model`` gets the record's
    version as its last column (a row whose record changed since the export is refused, not
    overwritten), and its personal fields (``model.personal_fields``) exported masked count as
    unchanged when they still equal the mask of the stored value. ``natural_key`` (optional)
    finds the record of a row without a number (a cadre by the full ID number).
    """

    title: str = "sheet"
    columns: list[Column] = []
    key: str = ""
    natural_key: str = ""
    model = None
    instructions: list[str] = []
    # Every uploadable list takes its own export back (tests/test_excel_roundtrip.py); a sheet
    # that cannot says why here.
    round_trip = True
    round_trip_exception = ""
    missing_record_message = gettext_lazy(
        "Record %(id)s does not exist or is outside the part of the hierarchy you may edit."
    )

    def __init__(self, user):
        self.user = user
        self.row_version = None
        self._node_index: dict[str, tuple[dict, dict]] = {}
        if self.model is not None and is_versioned(self.model) and self.key:
            self.columns = [*self.columns, Column("version", gettext_lazy("version"), kind="int", width=6, help=VERSION_HELP)]

    # ---- nodes named by name or code (kind="node") ----
    def node_index(self, column: Column) -> tuple[dict, dict]:
        """The nodes ``column`` may name for this user: (by code, by name → [nodes]); one query."""
        from communities.models import Node
        from core.scope import Action, scope_q

        if column.name not in self._node_index:
            qs = Node.objects.filter(scope_q(self.user, Action(column.scope_action)))
            if column.levels:
                qs = qs.filter(level__in=column.levels)
            by_code, by_name = {}, {}
            for node in qs.order_by("code").only("id", "code", "name", "level"):
                by_code[node.code] = node
                by_name.setdefault(node.name, []).append(node)
            self._node_index[column.name] = (by_code, by_name)
        return self._node_index[column.name]

    def node_labels(self, column: Column) -> list[str]:
        """What the template's drop-down offers: each node by name, or by name and code where
        two nodes in scope share the name."""
        by_code, by_name = self.node_index(column)
        return [
            node.name if len(by_name[node.name]) == 1 else f"{node.name}（{node.code}）"
            for node in by_code.values()
        ]

    def node_code(self, column: Column, value: str) -> str:
        """The code a node cell names: the code itself, a name unique in scope, or "name（code）"
        as the drop-down writes it; anything else is left for the sheet to refuse."""
        by_code, by_name = self.node_index(column)
        if value in by_code:
            return value
        labelled = re.fullmatch(r"(.+?)\s*[（(]\s*(\d{12})\s*[)）]", value)
        if labelled and labelled.group(2) in by_code and by_code[labelled.group(2)].name == labelled.group(1):
            return labelled.group(2)
        named = by_name.get(value, [])
        if len(named) > 1:
            raise ValueError(
                _("More than one division you may enter data in is named “%(name)s” (%(codes)s); choose it from the drop-down list or give its 12-digit code.")
                % {"name": value, "codes": "、".join(n.code for n in named)}
            )
        return named[0].code if named else value

    # ---- writing ----
    def _header(self, ws):
        ws.append([c.title for c in self.columns])
        for idx, column in enumerate(self.columns, start=1):
            cell = ws.cell(row=1, column=idx)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center")
            dimension = ws.column_dimensions[get_column_letter(idx)]
            dimension.width = column.width
            if column.identifier:
                dimension.number_format = TEXT_FORMAT  # new cells of the column are Text
        ws.freeze_panes = "A2"

    def _dropdowns(self, wb, ws, max_row: int = 5000):
        """Lists of choices on a hidden sheet, referenced by range: an inline list is limited to
        255 characters, which the communities of one street already exceed."""
        lists = wb.create_sheet(str(_("choices")))
        lists.sheet_state = "hidden"
        list_col = 0
        for idx, column in enumerate(self.columns, start=1):
            if not column.importable:
                continue
            strict = True
            if column.kind == "choice":
                labels = [str(label) for _v, label in column.choices.choices]
            elif column.kind == "bool":
                labels = [str(_("yes")), str(_("no"))]
            elif column.kind == "node":
                labels = self.node_labels(column)
                strict = False  # a code typed in is accepted too
            else:
                continue
            if not labels:
                continue
            list_col += 1
            letter = get_column_letter(list_col)
            for row, label in enumerate(labels, start=1):
                lists.cell(row=row, column=list_col, value=label)
            dv = DataValidation(
                type="list",
                formula1=f"'{lists.title}'!${letter}$1:${letter}${len(labels)}",
                allow_blank=not column.required,
                showErrorMessage=strict,
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
        if any(c.identifier for c in self.columns):
            notes.append([str(_("ID numbers, phones and codes must be typed into cells formatted as Text (the template's are); otherwise Excel turns an 18-digit ID number into 6.20102E+17 and loses its last digits."))])
        if any(c.kind == "node" for c in self.columns):
            notes.append([str(_("Divisions: choose the name from the drop-down list or type the 12-digit code."))])
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
                             self.export_rows(queryset), text=[bool(c.identifier) for c in self.columns])
        return streaming_download(chunks, export_name(self.user, self.title))

    # ---- reading ----
    def lookup_existing(self, keys: list[str]) -> dict[str, Any]:
        """Existing records by key, any scope: ``{key: obj}``."""
        raise NotImplementedError

    def lookup_natural(self, values: list[str]) -> dict[str, Any]:
        """Existing records by ``natural_key`` (rows without a key), any scope: ``{value: obj}``."""
        return {}

    def prepare_row(self, data: dict, existing) -> tuple[Any, dict[str, list[str]]]:
        """Validate one row's data; return (something to save, {column name: [errors]})."""
        raise NotImplementedError

    def save_row(self, prepared, existing) -> str:
        """Save one validated row; return "created", "updated" or "unchanged"."""
        raise NotImplementedError

    def save_record(self, fields: dict, existing, *, create, update, **target) -> str:
        """The usual ``save_row``: create, or update through the service with the version the
        row was exported at (a stale one raises Conflict), or nothing when nothing changed."""
        if existing is None:
            create(actor=self.user, **fields)
            return "created"
        if all(getattr(existing, k) == v for k, v in fields.items()):
            return "unchanged"
        update(actor=self.user, **target, **self.versioned(fields))
        return "updated"

    def versioned(self, fields: dict) -> dict:
        """``fields`` with the version the current row was exported at, when it gives one."""
        return {**fields, "version": self.row_version} if self.row_version is not None else fields

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

    def _unmask(self, data: dict, existing) -> dict[str, str]:
        """Personal values exported masked and sent back: equal to the mask of the stored value,
        they mean "unchanged" and become the stored value; any other masked value is refused."""
        errors = {}
        for name in personal_fields(self.model) if self.model is not None else ():
            value = data.get(name)
            if not isinstance(value, str) or "*" not in value:
                continue
            stored = getattr(existing, name, None) if existing is not None else None
            if stored and value == mask_field(name, stored):
                data[name] = stored
            else:
                errors[name] = _("“%(value)s” is a masked value that does not match the record: fill in the full number, or leave the cell exactly as exported to keep the stored one.") % {"value": value}
        return errors

    def _parse_rows(self, headers, rows):
        """Every cell of every row parsed, node names turned into codes: [(row, data, errors)]."""
        position = {h: i for i, h in enumerate(headers)}
        parsed_rows = []
        for number, values in rows:
            data, row_errors = {}, []
            for column in self.columns:
                if not column.importable or column.title not in position:
                    continue
                idx = position[column.title]
                raw = values[idx] if idx < len(values) else None
                try:
                    value = column.parse(raw)
                    if column.kind == "node" and value != "":
                        value = self.node_code(column, value)
                    data[column.name] = value
                except ValueError as exc:
                    row_errors.append(RowError(number, column.title, str(exc)))
                    data[column.name] = ""
            parsed_rows.append((number, data, row_errors))
        return parsed_rows

    def _import_rows(self, headers, rows) -> ImportResult:
        result = ImportResult()
        expected = [c.title for c in self.columns]
        optional = {"version"}  # a template or export made before the column existed
        missing = [c.title for c in self.columns if c.title not in headers and c.name not in optional]
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
        by_name = {c.name: c for c in self.columns}
        key_column = by_name[self.key]
        parsed_rows = self._parse_rows(headers, rows)
        seen_keys: dict[str, int] = {}
        seen_naturals: dict[str, int] = {}
        for number, data, row_errors in parsed_rows:
            key = str(data.get(self.key, "") or "")
            natural = str(data.get(self.natural_key, "") or "").upper() if self.natural_key and not key else ""
            seen, column, value = (seen_keys, key_column, key) if key else (seen_naturals, by_name.get(self.natural_key), natural)
            if not value or "*" in value:
                continue
            if value in seen:
                row_errors.append(
                    RowError(number, column.title, _("%(key)s appears twice in the file (also row %(row)d).") % {"key": value, "row": seen[value]})
                )
            else:
                seen[value] = number
        naturals = list(seen_naturals)
        existing_by_key = self.lookup_existing(list(seen_keys))
        existing_by_natural = self.lookup_natural(naturals) if naturals else {}
        prepared_rows, versions = [], {}
        for number, data, row_errors in parsed_rows:
            # Every problem of the row in one pass: the cells that did not parse, the record,
            # the masked values and the form's checks of everything else.
            failed = {e.column for e in row_errors}
            errors = list(row_errors)
            key = str(data.get(self.key, "") or "")
            existing = existing_by_key.get(key) if key else existing_by_natural.get(str(data.get(self.natural_key, "") or ""))
            if key and existing is None and self.key == "id" and key_column.title not in failed:
                errors.append(RowError(number, key_column.title, str(self.missing_record_message) % {"id": key, "n": key}))
                failed.add(key_column.title)
            if existing is not None:
                problem = self.check_existing(existing)
                if problem:
                    errors.append(RowError(number, key_column.title, problem))
                    failed.add(key_column.title)
                    existing = None
            for name, message in self._unmask(data, existing).items():
                if by_name[name].title not in failed:
                    errors.append(RowError(number, by_name[name].title, message))
                    failed.add(by_name[name].title)
            version = data.pop("version", "")
            prepared, field_errors = self.prepare_row(data, existing)
            for name, messages in field_errors.items():
                title = by_name[name].title if name in by_name else ""
                if title and title in failed:
                    continue  # the cell's own problem is already reported
                for message in messages:
                    errors.append(RowError(number, title, message))
            result.errors.extend(errors)
            if not errors:
                prepared_rows.append((number, prepared, existing))
                versions[number] = version if existing is not None and version != "" else None
        if result.errors:
            return result
        try:
            # the change log names the person and says the rows came from an upload
            with transaction.atomic(), audited_as(EXCEL_IMPORT):
                lock_nodes(*{pk for _n, prepared, existing in prepared_rows for pk in self.nodes_touched(prepared, existing)})
                for number, prepared, existing in prepared_rows:
                    self.row_version = versions[number]
                    try:
                        outcome = self.save_row(prepared, existing)
                    except Conflict as exc:
                        now = exc.current.version if exc.current is not None else "?"
                        result.errors.append(RowError(number, str(_("version")), _(
                            "This record was changed by someone else after the export (it is now at version %(now)s); nothing was saved. Export the list again and redo the change."
                        ) % {"now": now}))
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
                    finally:
                        self.row_version = None
                if result.errors:
                    raise _Rollback
        except _Rollback:
            result.created = result.updated = result.unchanged = 0
        return result
