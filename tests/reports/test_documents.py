"""The year-end summary's Word writer: order of the text, 公文 fonts and page, signature and date,
odd and even footers, bad input."""

from __future__ import annotations

import io

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.documents import summary_docx, text_width

BLOCKS = [
    {"key": "title", "kind": "title", "text": "城关区2025年“三有一化”\n工作总结"},
    {"key": "intro", "kind": "body", "text": "　　今年以来，城关区坚持党建引领。\n\n全区社区“三有一化”建设稳步推进。"},
    {"key": "progress", "kind": "h1", "text": "一、“三有一化”工作进展情况"},
    {"key": "people", "kind": "h2", "text": "（一）有人管事"},
    {"key": "people_text", "kind": "body", "text": "全区共有社区工作者1234名，其中大专以上学历986名。"},
    {"key": "signature", "kind": "signature", "text": "城关区委组织部"},
    {"key": "date", "kind": "date", "text": "2025年12月31日"},
]


def open_docx(blocks=BLOCKS):
    return docx.Document(io.BytesIO(summary_docx(blocks)))


def paragraph(document, text):
    return next(p for p in document.paragraphs if p.text == text)


def east_asia(run):
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def test_paragraphs_come_in_order_with_body_split_on_newlines():
    document = open_docx()
    assert [p.text for p in document.paragraphs if p.text] == [
        "城关区2025年“三有一化”\n工作总结",  # one centred paragraph, the lines split by a break
        "今年以来，城关区坚持党建引领。",  # the typed full-width indent is dropped: the layout indents
        "全区社区“三有一化”建设稳步推进。",
        "一、“三有一化”工作进展情况",
        "（一）有人管事",
        "全区共有社区工作者1234名，其中大专以上学历986名。",
        "城关区委组织部",
        "2025年12月31日",
    ]
    texts = [p.text for p in document.paragraphs]
    assert texts[1] == ""  # the blank line under the title
    assert texts[texts.index("城关区委组织部") - 1] == ""  # and one above the signature


def test_title_is_centred_xiaobiaosong_22pt():
    title = open_docx().paragraphs[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {east_asia(run) for run in title.runs} == {"方正小标宋简体"}
    assert {run.font.size for run in title.runs} == {Pt(22)}


def test_body_and_headings_fonts_indent_and_line_spacing():
    document = open_docx()
    body = paragraph(document, "全区共有社区工作者1234名，其中大专以上学历986名。")
    h1 = paragraph(document, "一、“三有一化”工作进展情况")
    h2 = paragraph(document, "（一）有人管事")
    assert east_asia(body.runs[0]) == "仿宋_GB2312"
    assert east_asia(h1.runs[0]) == "黑体"
    assert east_asia(h2.runs[0]) == "楷体_GB2312"
    for p in (body, h1, h2):
        assert p.runs[0].font.size == Pt(16)
        assert p.runs[0].font.name == "Times New Roman"  # Latin digits
        assert p.paragraph_format.first_line_indent == Pt(32)
        assert p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert p.paragraph_format.line_spacing == Pt(28)
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_every_run_names_its_east_asian_font():
    document = open_docx()
    runs = [run for p in document.paragraphs for run in p.runs]
    assert runs and all(east_asia(run) for run in runs)


def test_normal_style_carries_body_fonts_for_blank_paragraphs():
    normal = open_docx().styles["Normal"]
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert fonts.get(qn("w:ascii")) == "Times New Roman"
    assert normal.font.size == Pt(16)


def test_page_is_a4_with_gb_9704_margins():
    section = open_docx().sections[0]
    expected = {
        "page_width": 210, "page_height": 297,
        "top_margin": 37, "bottom_margin": 35, "left_margin": 28, "right_margin": 26,
    }  # fmt: skip
    for name, millimetres in expected.items():
        assert abs(getattr(section, name) - Mm(millimetres)) <= Mm(0.5), name


def closing(signature, date):
    """The signature paragraphs and the date paragraph of a summary ending in ``signature``, ``date``."""
    document = open_docx(
        [
            {"key": "body", "kind": "body", "text": "全年工作圆满完成。"},
            {"key": "signature", "kind": "signature", "text": signature},
            {"key": "date", "kind": "date", "text": date},
        ]
    )
    lines = [line for line in signature.split("\n") if line]
    return [paragraph(document, line) for line in lines], paragraph(document, date)


def test_text_width_counts_cjk_as_two_and_ascii_as_one_half_character():
    assert text_width("中共东岗西路街道工作委员会") == 26  # 13 characters
    assert text_width("2026年11月30日") == 14  # 3 characters + 8 half-width digits
    assert text_width("“三有一化”—") == 14  # the shared punctuation is drawn full-width in 仿宋
    assert text_width("（一）A 1") == 9


def test_signature_is_right_aligned_and_the_date_placed_under_it_in_fangsong():
    document = open_docx()
    signature = paragraph(document, "城关区委组织部")
    assert signature.alignment == WD_ALIGN_PARAGRAPH.RIGHT and signature.paragraph_format.keep_with_next
    for text in ("城关区委组织部", "2025年12月31日"):
        assert east_asia(paragraph(document, text).runs[0]) == "仿宋_GB2312"


def test_date_starts_two_characters_right_of_the_signature():
    # GB/T 9704-2012 7.3.5.2: signature 右空二字 (13 characters, so it starts at character 13 of 28);
    # the date's first character two characters right of the signature's: left-aligned at 15
    # characters, wherever a renderer's CJK-digit spacing puts its end.
    (signature,), date = closing("中共东岗西路街道工作委员会", "2026年11月30日")
    assert signature.paragraph_format.right_indent == Pt(32)
    assert date.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert date.paragraph_format.left_indent == Pt(16 * 15) and date.paragraph_format.first_line_indent == Pt(0)


def test_date_is_placed_under_the_widest_line_of_a_two_line_signature():
    signatures, date = closing("中共东岗西路街道工作委员会\n组织部", "2026年11月30日")
    assert [p.paragraph_format.right_indent for p in signatures] == [Pt(32), Pt(32)]
    assert date.paragraph_format.left_indent == Pt(16 * 15)


def test_the_date_leaves_room_for_renderer_spacing_before_the_margin():
    (signature,), date = closing("中共城关区委组织部", "2025年1月10日")  # 9 and 3 + 7 × 0.5 = 6.5 characters
    assert signature.paragraph_format.right_indent == Pt(32)
    assert date.paragraph_format.left_indent == Pt(16 * 19)  # starts at 19, ends at 25.5 of 28
    assert 19 + 6.5 + 1 <= 28


def test_a_date_as_long_as_the_signature_is_set_flush_right():
    (signature,), date = closing("城关区委组织部", "2025年12月31日")  # both 7 characters
    assert signature.paragraph_format.right_indent == Pt(32)
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT  # left-aligned at 21 it could run past 28
    assert date.paragraph_format.right_indent in (None, Pt(0))


def test_a_date_longer_than_the_signature_is_set_two_characters_in_and_the_signature_moves_left():
    # 7.3.5.2: 如成文日期长于发文机关署名，应当使成文日期右空二字编排，并相应增加发文机关署名右空字数.
    # Date 7 characters from 2 in, so it starts at 9; the 3-character signature starts at 11: indent 8.
    (signature,), date = closing("组织部", "2026年11月30日")
    assert date.paragraph_format.right_indent == Pt(32)
    assert signature.paragraph_format.right_indent == Pt(128)


def test_a_date_without_a_signature_keeps_four_characters_indent():
    document = open_docx([{"key": "date", "kind": "date", "text": "2025年12月31日"}])
    date = paragraph(document, "2025年12月31日")
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.paragraph_format.right_indent == Pt(64)


def assert_page_number(footer):
    assert not footer.is_linked_to_previous
    xml = footer._element.xml
    assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
    assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
    number = footer.paragraphs[0]
    assert number.text.startswith("— ") and number.text.endswith(" —")
    assert {run.font.size for run in number.runs} == {Pt(14)}
    assert {east_asia(run) for run in number.runs} == {"宋体"}
    return number


def test_odd_page_numbers_sit_right_one_character_in():
    document = open_docx()
    assert document.settings.odd_and_even_pages_header_footer
    number = assert_page_number(document.sections[0].footer)
    assert number.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert number.paragraph_format.right_indent == Pt(14)
    assert number.paragraph_format.left_indent in (None, Pt(0))


def test_even_page_numbers_sit_left_one_character_in():
    section = open_docx().sections[0]
    number = assert_page_number(section.even_page_footer)
    assert number.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert number.paragraph_format.left_indent == Pt(14)
    assert number.paragraph_format.right_indent in (None, Pt(0))
    assert abs(section.footer_distance - Mm(22)) <= Mm(0.5)


def test_core_properties_carry_the_title():
    properties = open_docx().core_properties
    assert properties.title == "城关区2025年“三有一化”工作总结"
    assert properties.language == "zh-CN"


def test_control_characters_are_stripped_not_fatal():
    document = open_docx(
        [
            {"key": "t", "kind": "title", "text": "工作\x00总结\x1f"},
            {"key": "b", "kind": "body", "text": "第一段\x07有\x08铃声\ud800\r\n第二段\x0b第三段"},
            {"key": "e", "kind": "h1", "text": "\x01\x02"},  # nothing printable: no paragraph at all
        ]
    )
    assert [p.text for p in document.paragraphs if p.text] == ["工作总结", "第一段有铃声", "第二段", "第三段"]


def test_unknown_kind_raises_value_error():
    with pytest.raises(ValueError, match="footnote"):
        summary_docx([{"key": "x", "kind": "footnote", "text": "注"}])


def test_28_characters_a_line_without_a_character_grid():
    """GB/T 9704's 28 characters a line come from the body's character spacing: LibreOffice
    spreads text laid on a character grid over whole grid cells (about 15 characters a line)."""
    document = docx.Document(io.BytesIO(summary_docx(BLOCKS)))
    section = document.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:charSpace")) is None
    assert grid.get(qn("w:linePitch")) == "560"  # 28 pt: 22 lines a page
    spacing = document.styles["Normal"].element.rPr.find(qn("w:spacing"))
    pitch = 16 + int(spacing.get(qn("w:val"))) / 20
    type_area = (section.page_width - section.left_margin - section.right_margin) / 12700  # EMU → pt
    assert int(type_area // pitch) == 28


def test_the_closing_keeps_with_the_last_paragraph():
    """GB/T 9704 7.3.5: the signature is never alone on a page — the last paragraph of the text and
    the blank line under it keep with the signature, the signature with the date."""
    document = open_docx()
    paragraphs = document.paragraphs
    signature = next(i for i, p in enumerate(paragraphs) if p.text == "城关区委组织部")
    last_text, blank = paragraphs[signature - 2], paragraphs[signature - 1]
    assert last_text.text.startswith("全区共有社区工作者") and blank.text == ""
    assert last_text.paragraph_format.keep_with_next and blank.paragraph_format.keep_with_next
    assert paragraphs[signature].paragraph_format.keep_with_next


def test_the_closing_has_no_automatic_cjk_digit_spacing():
    """The date's offset is computed from its characters' widths: Word's automatic space between
    "2025" and "年" would shift it, so the signature and the date switch it off (body text keeps it)."""
    document = open_docx()
    for text in ("城关区委组织部", "2025年12月31日"):
        ppr = paragraph(document, text)._p.pPr
        assert ppr.find(qn("w:autoSpaceDN")).get(qn("w:val")) == "0"
        assert ppr.find(qn("w:autoSpaceDE")).get(qn("w:val")) == "0"
    body = paragraph(document, "全区共有社区工作者1234名，其中大专以上学历986名。")._p.pPr
    assert body.find(qn("w:autoSpaceDN")) is None
    # schema order: autoSpaceDN before snapToGrid, spacing, ind, jc
    names = [child.tag.split("}")[1] for child in paragraph(document, "2025年12月31日")._p.pPr]
    assert names.index("autoSpaceDN") < names.index("spacing") < names.index("ind") < names.index("jc")


def test_punctuation_never_hangs_past_the_margin():
    """w:overflowPunct off in Normal and on every paragraph: a line-final "、" is not hung into the
    right margin (Word's default, and LibreOffice's, which then loses it from its PDF)."""
    document = open_docx()
    normal = document.styles["Normal"].element.pPr
    assert normal.find(qn("w:overflowPunct")).get(qn("w:val")) == "0"
    for p in document.paragraphs:
        names = [child.tag.split("}")[1] for child in p._p.pPr]
        assert p._p.pPr.find(qn("w:overflowPunct")).get(qn("w:val")) == "0", p.text
        assert names[0] == "overflowPunct" or names.index("overflowPunct") < names.index("spacing")
