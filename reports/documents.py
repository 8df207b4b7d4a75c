"""The Word (.docx) writer of the year-end 三有一化 summary (年终工作总结).

:func:`summary_docx` lays the summary's blocks out as a 党政机关公文 after GB/T 9704-2012: A4 with
the standard 156 × 225 mm type area, 方正小标宋简体 title, 黑体 / 楷体_GB2312 headings, 仿宋_GB2312
body text in 三号 on 28 pt lines, right-aligned signature and date, and "— 1 —" page numbers.

Every run carries both its Latin font (Times New Roman, for digits and letters) and its East-Asian
font, because Word picks the font per character class and python-docx's ``font.name`` only sets
the Latin one. ``w:hint="eastAsia"`` makes Word draw the characters both classes share (curly
quotes “”, the dash —, the ellipsis …) in the Chinese font, as a Chinese typist would expect.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LATIN_FONT = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_PITCH = Pt(28)  # exact line spacing: 22 lines in the 225 mm type area
CHARS_PER_LINE = 28  # GB/T 9704: 28 characters of 三号 on each line of the 156 mm type area
INDENT = Pt(32)  # two characters of 三号
SIGNATURE_RIGHT_INDENT = Pt(64)  # about four characters

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
# The page number sits about 7 mm under the type area: its line (四号 ≈ 6 mm high) ends ~22 mm above the edge.
FOOTER_DISTANCE = Mm(22)
HEADER_DISTANCE = Mm(15)

KINDS = ("title", "h1", "h2", "body", "signature", "date")

# Characters XML 1.0 cannot hold (C0 controls except tab/newline/return, lone surrogates,
# U+FFFE/U+FFFF), plus DEL and the C1 controls, which are never wanted in a printed summary.
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Every way a pasted text may break a line, normalised to "\n" (\v is Word's manual line break).
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

# Children of w:pPr that come after w:snapToGrid, in schema order (python-docx does not model it).
_AFTER_SNAP_TO_GRID = (
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
    "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


@dataclass(frozen=True)
class _Look:
    """How one kind of block is set."""

    font: str
    size: Pt
    alignment: WD_ALIGN_PARAGRAPH
    first_line_indent: Pt | None = None
    right_indent: Pt | None = None
    outline_level: int | None = None  # shows headings in Word's navigation pane
    keep_with_next: bool = False
    snap_to_grid: bool = True


_LOOKS = {
    # Off the character grid: a 22 pt glyph would otherwise take two 16 pt grid cells.
    "title": _Look(TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=True, snap_to_grid=False),
    "h1": _Look(H1_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, INDENT, outline_level=0, keep_with_next=True),
    "h2": _Look(H2_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, INDENT, outline_level=1, keep_with_next=True),
    "body": _Look(BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, INDENT),
    "signature": _Look(BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, right_indent=SIGNATURE_RIGHT_INDENT,
                       keep_with_next=True),
    "date": _Look(BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, right_indent=SIGNATURE_RIGHT_INDENT),
}  # fmt: skip
_BLANK = _LOOKS["body"]


def clean_text(text: str) -> str:
    """``text`` with line breaks normalised to "\\n" and the characters XML cannot hold removed."""
    return _UNPRINTABLE.sub("", _LINE_BREAKS.sub("\n", text))


def _lines(text: str) -> list[str]:
    """The non-empty lines of ``text``, stripped (also of the full-width spaces typed as indent)."""
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


def summary_docx(blocks: list[dict]) -> bytes:
    """The summary as a .docx file. ``blocks`` are ``{"key", "kind", "text"}`` dicts in reading order.

    In a title or heading "\\n" breaks the line; in body, signature and date text it starts a new
    paragraph. Empty lines are dropped. Raises ValueError on a block of unknown kind.
    """
    checked = list(_checked(blocks))
    document = Document()
    _set_up_styles(document)
    _set_up_page(document)
    _add_page_number(document)

    title = ""
    previous = None
    for kind, lines in checked:
        if kind in ("signature", "date") and previous not in ("signature", "date", None):
            _add_paragraph(document, _BLANK, [])  # one blank line between the text and the signature
        if kind in ("title", "h1", "h2"):
            _add_paragraph(document, _LOOKS[kind], lines)
        else:
            for line in lines:
                _add_paragraph(document, _LOOKS[kind], [line])
        if kind == "title":
            _add_paragraph(document, _BLANK, [])  # GB/T 9704: a blank line under the title
            title = title or "".join(lines)
        previous = kind

    _set_properties(document, title, next((lines for kind, lines in checked if kind == "signature"), []))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _checked(blocks: Iterable[Mapping]) -> Iterable[tuple[str, list[str]]]:
    """(kind, non-empty lines) of each block that has text; ValueError on a malformed block."""
    for number, block in enumerate(blocks, start=1):
        if not isinstance(block, Mapping):
            raise ValueError(_("Summary block %(number)d is not a mapping.") % {"number": number})
        kind = block.get("kind")
        if kind not in _LOOKS:
            raise ValueError(
                _("Summary block %(number)d (%(key)s) has unknown kind %(kind)r; expected one of %(kinds)s.")
                % {"number": number, "key": block.get("key", ""), "kind": kind, "kinds": ", ".join(KINDS)}
            )
        text = block.get("text") or ""
        if not isinstance(text, str):
            raise ValueError(
                _("Summary block %(number)d (%(key)s) has text that is not a string.")
                % {"number": number, "key": block.get("key", "")}
            )
        lines = _lines(text)
        if lines:
            yield kind, lines


def _set_fonts(rpr, font: str, size: Pt, latin: str = LATIN_FONT) -> None:
    """Latin and East-Asian font and the size on a w:rPr (of a run or a style)."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in list(fonts.attrib):  # theme fonts would win over the names set here
        del fonts.attrib[attribute]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")
    rpr.get_or_add_sz().val = size


def _set_up_styles(document) -> None:
    """Normal (and the document defaults) set as body text, so blank paragraphs and edits inherit it."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_fonts(rpr, BODY_FONT, BODY_SIZE)
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is not None:
        size_cs.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    language = rpr.find(qn("w:lang"))
    if language is not None:
        language.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    if spacing is not None:
        spacing.getparent().remove(spacing)

    normal = document.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT, BODY_SIZE)
    _set_spacing(normal.paragraph_format)
    normal.paragraph_format.widow_control = True


def _set_spacing(paragraph_format) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = LINE_PITCH
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def _set_up_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
    section.gutter = Emu(0)
    # A character grid of 28 three-size characters a line, as GB/T 9704 asks: charSpace is the
    # difference between the grid pitch and the Normal font size, in 4096ths of a point. Lines
    # keep their exact 28 pt spacing (exact spacing is not snapped to the line grid).
    text_width = Emu(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT).pt
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))
    grid.set(qn("w:charSpace"), str(math.floor((text_width / CHARS_PER_LINE - BODY_SIZE.pt) * 4096)))


def _add_page_number(document) -> None:
    """"— 1 —" centred in the footer, 宋体 四号, the number a PAGE field."""
    footer = document.sections[0].footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.first_line_indent = Pt(0)
    _snap_to_grid(paragraph, False)

    def run(text: str = ""):
        new = paragraph.add_run(text)
        _set_fonts(new._r.get_or_add_rPr(), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FONT)
        return new

    def field_char(kind: str) -> None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run()._r.append(char)

    run("— ")
    field_char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run()._r.append(instruction)
    field_char("separate")
    run("1")  # shown until the field is updated; Word and LibreOffice update PAGE on their own
    field_char("end")
    run(" —")


def _snap_to_grid(paragraph, snap: bool) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    element = ppr.find(qn("w:snapToGrid"))
    if element is None:
        element = OxmlElement("w:snapToGrid")
        ppr.insert_element_before(element, *_AFTER_SNAP_TO_GRID)
    element.set(qn("w:val"), "1" if snap else "0")


def _add_paragraph(document, look: _Look, lines: list[str]):
    """A paragraph set as ``look``; its lines are joined by line breaks."""
    paragraph = document.add_paragraph()
    paragraph.alignment = look.alignment
    paragraph_format = paragraph.paragraph_format
    _set_spacing(paragraph_format)
    if look.first_line_indent is not None:
        paragraph_format.first_line_indent = look.first_line_indent
    if look.right_indent is not None:
        paragraph_format.right_indent = look.right_indent
    if look.keep_with_next:
        paragraph_format.keep_with_next = True
    if not look.snap_to_grid:
        _snap_to_grid(paragraph, False)
    if look.outline_level is not None:
        paragraph._p.get_or_add_pPr().get_or_add_outlineLvl().val = look.outline_level
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        if number < len(lines) - 1:
            run.add_break()
        _set_fonts(run._r.get_or_add_rPr(), look.font, look.size)
    return paragraph


def _set_properties(document, title: str, signature: list[str]) -> None:
    properties = document.core_properties
    now = datetime.now(UTC).replace(microsecond=0)
    properties.title = title
    properties.language = "zh-CN"
    properties.author = properties.last_modified_by = "".join(signature[:1])
    properties.comments = properties.subject = properties.keywords = properties.category = ""
    properties.created = properties.modified = now
    properties.revision = 1
    # python-docx's template carries a thumbnail of its own sample page; Explorer would show it.
    package_rels = document.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            package_rels.pop(rid)
