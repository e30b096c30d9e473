"""Build toolkit/templates/bulletin.docx, the Word template of `duban bulletin` (the 通报 draft).

    python toolkit/templates/build_bulletin_template.py

The template is an ordinary Word document an office may open in Word or WPS and edit: the
title, the 主送 line, the wording around the figures, the 存在问题 and 下一步工作要求 text, the
signature. The {{ … }} tags are filled by duban (docxtpl, Jinja2); a copy saved as
templates/bulletin.docx in a workspace wins over this one. What each tag holds is listed in
README.md (督查通报).

Layout after GB/T 9704-2012 (党政机关公文格式): A4, margins 37/35/28/26 mm (top, bottom, left,
right); title 方正小标宋简体 二号 centred; text 仿宋_GB2312 三号, first line indented two
characters, line spacing fixed at 29 pt (22 lines in the 225 mm type area); 一、 headings 黑体
三号, （一） headings 楷体_GB2312 三号; page numbers "— 1 —" 宋体 四号 below the type area, odd
pages right and even pages left, one character in from the edge. The attachments follow on
landscape pages (their tables are wide), each table's header row repeated on every page.

Structure and wording follow real bulletins of supervision offices: 金寨县 2025 (上半年《政府
工作报告》目标任务落实情况: "明确145项目标任务…细化为222个具体工作内容…欠进度的有17个，
占总任务的7.7%", then 下一步工作要求 一是…二是…), 寿县 2022 (关于印发2022年《政府工作报告》
主要任务上半年落实情况的通报: the 主送 line, 附件), 城厢区 (为民办实事项目进展情况: 附件1
慢序时项目, 附件2 按序时项目), and a city's 督查督办平台使用情况的通报 (units named: 其中较好的
单位…; 超期未办件数较多的单位…; 二、存在问题).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
TARGET = HERE / "bulletin.docx"

FANGSONG, HEITI, KAITI, SONGTI, TITLE_FONT = "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体", "方正小标宋简体"
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4 = Pt(22), Pt(16), Pt(14), Pt(12)  # 二号, 三号, 四号, 小四
LINE = Pt(29)  # fixed line spacing of the text: 22 lines in the 225 mm type area

NEXT_STEPS = (
    "一是压实责任，紧盯时限。各责任单位要把重点工作任务落实作为硬任务，主要领导亲自抓、分管领导具体抓，"
    "对照分解表逐项倒排工期，确保按时保质完成。",
    "二是分析原因，精准施策。对未按进度完成、暂缓实施和已过完成时限仍未完成的事项，牵头单位要认真查找原因，"
    "制定整改措施，明确完成时限，加强与协办单位的沟通配合，尽快赶上进度。",
    "三是按时报送，如实反映。各单位要在每轮报送截止日前，按报送表的要求如实填写进展情况、存在问题和下一步工作计划，"
    "经单位负责人审核后报送；未报送、迟报的单位要说明原因，并在下一轮按时报送。",
    "市政府督查室将对进度滞后的事项开展重点督查，持续跟踪推进情况，并将落实情况作为年度考核的重要参考。",
)


def set_fonts(target, name: str, size=None, bold: bool | None = None) -> None:
    """A style's or run's font, for Chinese text too: Word takes CJK glyphs from w:eastAsia."""
    target.font.name = name
    if size is not None:
        target.font.size = size
    if bold is not None:
        target.font.bold = bold
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def indent_chars(pf_element, first_line_chars: int = 200) -> None:
    """First-line indent in hundredths of a character (200: two characters), as Word's own
    "首行缩进 2 字符" writes it: the indent follows the font size if the office changes it."""
    ppr = pf_element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(first_line_chars))
    ind.set(qn("w:firstLine"), str(first_line_chars * 16 * 20 // 100))  # twips at 三号, for old readers


def paragraph_style(doc, name: str, font: str, size, *, bold=False, align=None, indent=True, line=LINE,
                    before=0, after=0, keep_next=False):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    set_fonts(style, font, size, bold)
    pf = style.paragraph_format
    pf.alignment = align
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = line
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.keep_with_next = keep_next
    pf.widow_control = True
    if indent:
        indent_chars(style.element)
    return style


def page_setup(section, landscape: bool = False) -> None:
    if landscape:  # the portrait type area turned: 天头/地脚 left and right, 订口/翻口 top and bottom
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.left_margin, section.right_margin, section.top_margin, section.bottom_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(22)  # the page number's dash 7 mm below the type area


def page_number(paragraph, align) -> None:
    """— N — in 宋体 四号 (a PAGE field between two dashes), one character in from the edge."""
    paragraph.alignment = align
    pf = paragraph.paragraph_format
    pf.right_indent = SIZE_4 if align == WD_ALIGN_PARAGRAPH.RIGHT else None
    pf.left_indent = SIZE_4 if align == WD_ALIGN_PARAGRAPH.LEFT else None
    pf.first_line_indent = None
    for text in ("— ", None, " —"):
        run = paragraph.add_run(text or "")
        set_fonts(run, SONGTI, SIZE_4)
        if text is None:
            for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
                if kind:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                elif instr.strip() == "PAGE":
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = instr
                else:
                    el = OxmlElement("w:t")
                    el.text = instr
                run._r.append(el)


def footers(doc, section) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)  # odd pages
    page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def row_props(row, header: bool = False) -> None:
    """A row kept whole on one page (a row parted by a page break is hard to read on paper);
    the header row also repeated at the top of every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)


def cell_text(cell, text: str, style, align=None) -> None:
    p = cell.paragraphs[0]
    p.style = style
    p.alignment = align
    p.add_run(text)


def table(doc, columns: list[tuple[str, str, float]], loop: str, styles) -> None:
    """A table: a header row (repeated on every page), then a row looped over by docxtpl
    ({%tr for … %} … {%tr endfor %}: those two rows vanish when it is filled)."""
    head, body = styles
    t = doc.add_table(rows=4, cols=len(columns))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False  # fixed layout: Word and LibreOffice keep the widths below
    for i, (header, field, width) in enumerate(columns):
        t.columns[i].width = Mm(width)  # the grid LibreOffice lays out by
        for row in t.rows:
            row.cells[i].width = Mm(width)  # each cell's own, which Word reads
        cell_text(t.rows[0].cells[i], header, head, WD_ALIGN_PARAGRAPH.CENTER)
        centred = field in ("no", "number", "deadline", "status", "situation")
        cell_text(t.rows[2].cells[i], "{{ r.%s }}" % field, body, WD_ALIGN_PARAGRAPH.CENTER if centred else None)
    row_props(t.rows[0], header=True)
    row_props(t.rows[2])
    cell_text(t.rows[1].cells[0], "{%%tr for r in %s %%}" % loop, body)
    cell_text(t.rows[3].cells[0], "{%tr endfor %}", body)


def none_row(doc, loop: str, style) -> None:
    """"（无）" under an empty table, so an empty attachment says so."""
    doc.add_paragraph("{%%p if not %s %%}" % loop, style=style)
    doc.add_paragraph("（无）", style=style).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endif %}", style=style)


def build(target: Path = TARGET) -> Path:
    doc = Document()
    normal = doc.styles["Normal"]
    set_fonts(normal, FANGSONG, SIZE_3)
    pf = normal.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    body = paragraph_style(doc, "通报正文", FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    title = paragraph_style(doc, "通报标题", TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                            line=Pt(35), keep_next=True)
    subtitle = paragraph_style(doc, "通报副标题", KAITI, SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                               after=29, keep_next=True)
    plain = paragraph_style(doc, "主送机关", FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=False)
    level1 = paragraph_style(doc, "一级标题", HEITI, SIZE_3, keep_next=True)
    level2 = paragraph_style(doc, "二级标题", KAITI, SIZE_3, keep_next=True)
    sign = paragraph_style(doc, "落款", FANGSONG, SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    sign.paragraph_format.right_indent = Pt(64)  # 右空四字
    annex_mark = paragraph_style(doc, "附件标识", HEITI, SIZE_3, indent=False, keep_next=True)
    annex_title = paragraph_style(doc, "附件标题", TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                                  line=Pt(35), after=12, keep_next=True)
    cell = paragraph_style(doc, "表格文字", FANGSONG, SIZE_SMALL_4, indent=False, line=Pt(18),
                           align=WD_ALIGN_PARAGRAPH.LEFT)  # justified narrow cells spread 增  长 apart
    cell_head = paragraph_style(doc, "表格标题行", HEITI, SIZE_SMALL_4, indent=False, line=Pt(18),
                                align=WD_ALIGN_PARAGRAPH.CENTER)

    section = doc.sections[0]
    page_setup(section)
    footers(doc, section)

    def para(text: str, style=body):
        return doc.add_paragraph(text, style=style)

    para("关于{{ subject }}落实情况的通报", title)
    para("（{{ period }}）", subtitle)
    para("各镇人民政府、街道办事处，市直各有关单位：", plain)
    para("按照{{ subject }}的分工，市政府督查室对各责任单位{{ round_label }}（截至{{ due }}）的落实情况进行了汇总核实。"
         "现将有关情况通报如下：")

    para("一、总体情况", level1)
    para("{{ subject }}共{{ n_items }}项，细化为{{ n_nodes }}个具体工作内容，由{{ n_units }}个单位报送。"
         "经汇总核实，按事项计，{{ item_figures }}；按具体工作内容计，{{ node_figures }}。{{ overdue_sentence }}")
    para("{{ reporting_sentence }}")

    para("二、各单位落实情况", level1)
    para("（一）推进较好的单位", level2)
    para("{{ good_units_sentence }}")
    para("（二）进度滞后的单位", level2)
    para("{{ behind_units_sentence }}")
    para("（三）报送不及时的单位", level2)
    para("{{ late_units_sentence }}")

    para("三、存在问题", level1)
    para("{{ problems_sentence }}")
    para("{%p for g in red_groups %}")
    para("{{ g.text }}")
    para("{%p endfor %}")
    para("从报送情况看，部分单位对重点工作任务重视程度不够，推进措施不够有力，对存在问题分析不深，"
         "个别单位未按时报送或报送内容过于简单，不能如实反映工作进展。")

    para("四、下一步工作要求", level1)
    for text in NEXT_STEPS:
        para(text)

    para("")
    para("附件：1．进度滞后事项清单", plain).paragraph_format.left_indent = Pt(32)
    p = para("2．逾期未完成事项清单", plain)
    p.paragraph_format.left_indent = Pt(32 + 48)
    p = para("3．未报送、迟报单位名单", plain)
    p.paragraph_format.left_indent = Pt(32 + 48)
    para("")
    para("")
    para("市政府督查室", sign)
    para("{{ issued }}", sign).paragraph_format.right_indent = Pt(48)

    annex = doc.add_section(WD_SECTION.NEW_PAGE)
    page_setup(annex, landscape=True)
    styles = (cell_head, cell)
    # 附件1–3: each a titled table whose body row repeats over one list of the data
    annexes = [
        ("附件1", "进度滞后事项清单", "（{{ period }}）", "red_items",
         [("序号", "no", 14), ("事项序号", "number", 20), ("事项", "title", 52), ("牵头单位", "lead_unit", 30),
          ("分管领导", "leader", 24), ("完成时限", "deadline", 24), ("情况", "situation", 26),
          ("存在问题（单位报送）", "problems", 35)]),
        ("附件2", "逾期未完成事项清单", "（完成时限不晚于{{ due }}、至今未完成的工作内容）", "overdue_rows",
         [("序号", "no", 14), ("事项序号", "number", 20), ("事项", "title", 48), ("工作内容", "plan", 55),
          ("责任单位", "unit", 32), ("完成时限", "deadline", 24), ("完成状态", "status", 32)]),
        ("附件3", "未报送、迟报单位名单", "（{{ period }}）", "unit_rows",
         [("序号", "no", 14), ("单位", "unit", 50), ("情况", "situation", 25), ("应报送的事项", "numbers", 81),
          ("报送文件", "file", 55)]),
    ]
    for n, (mark, heading, note, rows, columns) in enumerate(annexes):
        p = para(mark, annex_mark)
        if n:  # the first opens the landscape section already
            p.paragraph_format.page_break_before = True
        para(heading, annex_title)
        para(note, subtitle)
        table(doc, columns, rows, styles)
        none_row(doc, rows, cell)

    doc.core_properties.title = "督查通报"
    doc.core_properties.author = "duban"
    doc.save(target)
    return target


if __name__ == "__main__":
    sys.stdout.write(f"{build()}\n")
