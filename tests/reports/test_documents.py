"""The year-end summary's Word writer: order of the text, 公文 fonts and page, footer, bad input."""

from __future__ import annotations

import io

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.documents import summary_docx

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


def test_signature_and_date_are_right_aligned_and_indented():
    document = open_docx()
    for text in ("城关区委组织部", "2025年12月31日"):
        p = paragraph(document, text)
        assert p.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert p.paragraph_format.right_indent == Pt(64)
        assert east_asia(p.runs[0]) == "仿宋_GB2312"


def test_footer_holds_a_centred_page_field_between_dashes():
    footer = open_docx().sections[0].footer
    xml = footer._element.xml
    assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
    assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
    number = footer.paragraphs[0]
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number.text.startswith("— ") and number.text.endswith(" —")
    assert {run.font.size for run in number.runs} == {Pt(14)}


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
