"""The Word (.docx) writer of the year-end 三有一化 summary (年终工作总结).

:func:`summary_docx` lays the summary's blocks out as a 党政机关公文 after GB/T 9704-2012: A4 with
the standard 156 × 225 mm type area, 方正小标宋简体 title, 黑体 / 楷体_GB2312 headings, 仿宋_GB2312
body text in 三号 on 28 pt lines, the signature and date of an unsealed document, and page numbers.

Signature and date (7.3.5.2, 不加盖印章的公文): the signing body (发文机关署名) is set right-aligned
with a right indent of two characters (右空二字), the date (成文日期) on the line under it with its first
character two characters right of the signature's first (首字比发文机关署名首字右移二字). The date is
set left-aligned at that place (the signature's start is known from its width, CJK characters
counting one and ASCII digits half), so the spacing a renderer adds between "2026" and "年" cannot
move it; the closing paragraphs also switch Word's CJK-digit autospacing off. A date nearly as long
as the signature is right-aligned instead, its right indent the signature's width less its own, so
that it never runs past the margin. When the date is longer
than the signature, the standard sets the date 右空二字 and moves the signature left instead, so that
its first character stays two characters left of the date's. A date without a signature keeps a
right indent of four characters.

Page numbers (7.5): "— 1 —", the number a PAGE field between two em dashes (一字线), 四号 宋体, odd
pages right-aligned one character from the right (单页码居右空一字), even pages left-aligned one
character from the left (双页码居左空一字), with Word's different odd and even footers switched on.

Every run carries both its Latin font (Times New Roman, for digits and letters) and its East-Asian
font, because Word picks the font per character class and python-docx's ``font.name`` only sets
the Latin one. ``w:hint="eastAsia"`` makes Word draw the characters both classes share (curly
quotes “”, the dash —, the ellipsis …) in the Chinese font, as a Chinese typist would expect.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Length, Mm, Pt

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
SIGNATURE_RIGHT_INDENT = INDENT  # 右空二字
DATE_SHIFT = 2  # the date's first character is two characters right of the signature's
DATE_ALONE_RIGHT_INDENT = Pt(64)  # four characters, for a date with no signature above it
PAGE_NUMBER_INDENT = PAGE_NUMBER_SIZE  # 空一字: one character of the page number's 四号

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
    auto_space: bool = True  # Word's extra space between CJK and Latin letters or digits


_LOOKS = {
    # Off the character grid: a 22 pt glyph would otherwise take two 16 pt grid cells.
    "title": _Look(TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=True, snap_to_grid=False),
    "h1": _Look(H1_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, INDENT, outline_level=0, keep_with_next=True),
    "h2": _Look(H2_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, INDENT, outline_level=1, keep_with_next=True),
    "body": _Look(BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, INDENT),
    # No automatic CJK-digit spacing in the closing: the date's place is computed from the widths
    # of its characters, and "2026年12月2日" would otherwise be wider than that by four gaps.
    "signature": _Look(BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, right_indent=SIGNATURE_RIGHT_INDENT,
                       keep_with_next=True, auto_space=False),
    "date": _Look(BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, right_indent=DATE_ALONE_RIGHT_INDENT,
                  auto_space=False),
}  # fmt: skip
_BLANK = _LOOKS["body"]
_DATE_AT = _Look(BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, first_line_indent=Pt(0), auto_space=False)


def clean_text(text: str) -> str:
    """``text`` with line breaks normalised to "\\n" and the characters XML cannot hold removed."""
    return _UNPRINTABLE.sub("", _LINE_BREAKS.sub("\n", text))


def _lines(text: str) -> list[str]:
    """The non-empty lines of ``text``, stripped (also of the full-width spaces typed as indent)."""
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


def text_width(text: str) -> int:
    """The width of ``text`` in half characters: 2 for each CJK or full-width character (and for the
    punctuation both scripts share, which the East-Asian font hint draws full-width), 1 for each
    half-width one (ASCII digits, letters, spaces), 0 for combining marks."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WFA" else 1
        for char in text
    )


def _half_characters(count: int) -> Length:
    """``count`` half characters of 三号 as a length."""
    return Emu(BODY_SIZE * count // 2)


def closing_indents(signature: list[str], date: list[str]) -> tuple[Length, Length]:
    """The right indents of the signature lines and of the date lines (GB/T 9704-2012 7.3.5.2).

    The signature is right-aligned 右空二字 and the date's first character falls two characters right
    of the signature's (of its widest line); a date longer than the signature is set 右空二字 and the
    signature moved left to keep that relation. Nothing is pushed beyond a 28-character line.
    """
    line = 2 * CHARS_PER_LINE
    signature_width = max(map(text_width, signature), default=0)
    date_width = max(map(text_width, date), default=0)
    if not signature:
        return SIGNATURE_RIGHT_INDENT, DATE_ALONE_RIGHT_INDENT
    margin, shift = 2 * 2, 2 * DATE_SHIFT  # 右空二字, 右移二字, in half characters
    if date_width > signature_width:
        signature_indent = max(margin, min(margin + date_width + shift, line) - signature_width)
        return _half_characters(signature_indent), SIGNATURE_RIGHT_INDENT
    date_indent = min(margin + signature_width, line) - shift - date_width
    return SIGNATURE_RIGHT_INDENT, _half_characters(max(date_indent, 0))


# Room left after a left-aligned date for the spacing a renderer may still put between its digits
# and 年/月/日 (LibreOffice does, whatever autoSpaceDN says): one character.
DATE_SLACK = 2  # half characters


def date_left_indent(signature: list[str], date: list[str]) -> Length | None:
    """Where the date starts, when it is set left-aligned: two characters right of the
    signature's first character (7.3.5.2), so that its place does not depend on how wide a
    renderer draws it (CJK-digit spacing). None when the date is too long for that — as long as
    the signature, or longer — and is right-aligned by :func:`closing_indents` instead."""
    signature_width = max(map(text_width, signature), default=0)
    date_width = max(map(text_width, date), default=0)
    if not signature or not date or date_width + DATE_SLACK > signature_width:
        return None
    line = 2 * CHARS_PER_LINE
    return _half_characters(line - 2 * 2 - signature_width + 2 * DATE_SHIFT)


def summary_docx(blocks: list[dict]) -> bytes:
    """The summary as a .docx file. ``blocks`` are ``{"key", "kind", "text"}`` dicts in reading order.

    In a title or heading "\\n" breaks the line; in body, signature and date text it starts a new
    paragraph. Empty lines are dropped. Raises ValueError on a block of unknown kind.
    """
    checked = list(_checked(blocks))
    document = Document()
    _set_up_styles(document)
    _set_up_page(document)
    _add_page_numbers(document)
    right_indents = dict(
        zip(
            ("signature", "date"),
            closing_indents(
                [line for kind, lines in checked if kind == "signature" for line in lines],
                [line for kind, lines in checked if kind == "date" for line in lines],
            ),
        )
    )

    signature_lines = [line for kind, lines in checked if kind == "signature" for line in lines]
    date_lines = [line for kind, lines in checked if kind == "date" for line in lines]
    date_start = date_left_indent(signature_lines, date_lines)
    title = ""
    previous = None
    last = None
    for kind, lines in checked:
        if kind in ("signature", "date") and previous not in ("signature", "date", None):
            # The closing is never alone on a page (GB/T 9704 7.3.5): the last paragraph of the
            # text and the blank line under it keep with the signature.
            if last is not None:
                last.paragraph_format.keep_with_next = True
            blank = _add_paragraph(document, _BLANK, [])  # one blank line between the text and the signature
            blank.paragraph_format.keep_with_next = True
        if kind in ("title", "h1", "h2"):
            last = _add_paragraph(document, _LOOKS[kind], lines)
        else:
            for line in lines:
                if kind == "date" and date_start is not None:
                    last = _add_paragraph(document, _DATE_AT, [line], left_indent=date_start)
                else:
                    last = _add_paragraph(document, _LOOKS[kind], [line], right_indent=right_indents.get(kind))
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
    _set_character_pitch(normal.element.get_or_add_rPr())
    _set_spacing(normal.paragraph_format)
    normal.paragraph_format.widow_control = True
    _no_overflow_punctuation(normal.element.get_or_add_pPr())


def _set_character_pitch(rpr) -> None:
    """28 三号 characters a line (GB/T 9704): a 16 pt character plus this spacing is the type
    area's width / 28 (442 pt / 28 = 15.8 pt), rounded down to a twentieth of a point."""
    type_area_width = Emu(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT).pt
    twentieths = math.floor((type_area_width / CHARS_PER_LINE - BODY_SIZE.pt) * 20)
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.append(spacing)
    spacing.set(qn("w:val"), str(twentieths))


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
    # 22 lines a page on the line grid; the 28 characters a line come from the body's character
    # spacing (_set_up_styles), not from a character grid: LibreOffice spreads text laid on a
    # character grid over whole cells (about 15 characters a line was seen), Word and WPS do not.
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    for attribute in list(grid.attrib):
        del grid.attrib[attribute]
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))


def _add_page_numbers(document) -> None:
    """Odd and even footers: 单页码居右空一字 in the default (odd) one, 双页码居左空一字 in the even one."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    _add_page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _add_page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _add_page_number(footer, alignment: WD_ALIGN_PARAGRAPH) -> None:
    """"— 1 —" in ``footer``, 宋体 四号, the number a PAGE field, one character in from the aligned side."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = alignment
    paragraph_format = paragraph.paragraph_format
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)
    paragraph_format.first_line_indent = Pt(0)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph_format.right_indent = PAGE_NUMBER_INDENT
    else:
        paragraph_format.left_indent = PAGE_NUMBER_INDENT
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


def _no_overflow_punctuation(ppr) -> None:
    """Punctuation stays inside the type area (w:overflowPunct off): Word and LibreOffice would
    otherwise hang a line-final "、" or "，" past the right margin (LibreOffice then drops it from
    the page altogether); with it off they push a character down instead."""
    element = ppr.find(qn("w:overflowPunct"))
    if element is None:
        element = OxmlElement("w:overflowPunct")
        ppr.insert_element_before(element, "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                                  "w:adjustRightInd", "w:snapToGrid", *_AFTER_SNAP_TO_GRID)
    element.set(qn("w:val"), "0")


def _no_auto_space(paragraph) -> None:
    """Switch off the automatic space between East-Asian text and Latin letters (autoSpaceDE) and
    digits (autoSpaceDN) in one paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = ppr.find(qn(name))
        if element is None:
            element = OxmlElement(name)
            ppr.insert_element_before(element, "w:bidi", "w:adjustRightInd", "w:snapToGrid", *_AFTER_SNAP_TO_GRID)
        element.set(qn("w:val"), "0")


def _add_paragraph(document, look: _Look, lines: list[str], right_indent: Length | None = None,
                   left_indent: Length | None = None):
    """A paragraph set as ``look`` (with ``right_indent`` instead of its own, if given, and
    ``left_indent``); its lines are joined by line breaks."""
    paragraph = document.add_paragraph()
    _no_overflow_punctuation(paragraph._p.get_or_add_pPr())
    paragraph.alignment = look.alignment
    paragraph_format = paragraph.paragraph_format
    _set_spacing(paragraph_format)
    if look.first_line_indent is not None:
        paragraph_format.first_line_indent = look.first_line_indent
    if right_indent is None:
        right_indent = look.right_indent
    if right_indent is not None:
        paragraph_format.right_indent = right_indent
    if left_indent is not None:
        paragraph_format.left_indent = left_indent
    if look.keep_with_next:
        paragraph_format.keep_with_next = True
    if not look.snap_to_grid:
        _snap_to_grid(paragraph, False)
    if not look.auto_space:
        _no_auto_space(paragraph)
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
