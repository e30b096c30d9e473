"""summary: the official 完成情况汇总表 of a round, read back from real workbooks and a real PDF.

The Heshan 2022 workspace (258 items) is built once for the module: import the sample, generate
the year-end round, fill every unit's workbook with Heshan's real texts (one unit sends nothing),
collect. A small workspace (tests/fixtures/import/heshan_categories_groups_nodes.xlsx) is compared
with a committed reference workbook part by part; DUBAN_UPDATE_GOLDEN=1 rewrites the reference.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path
from zipfile import ZipFile

import openpyxl
import pytest
from conftest import FIXTURES, IMPORT, needs_office
from openpyxl.cell.rich_text import CellRichText

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.core.errors import ConfigError
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.office import OfficeMissing, fonts_conf
from toolkit.store.samples import sample_path
from toolkit.store.workspace import Workspace
from toolkit.summary.run import summary
from toolkit.summary.sheet import SHEET, Unit, paginate
from toolkit.summary.table import counted
from toolkit.summary.text import Metrics, cut_lines

# All on one xdist worker (make test's --dist loadgroup): the Heshan round this module's
# fixtures build is built once, not once on each worker its tests land on.
pytestmark = pytest.mark.xdist_group("test_summary")

ROUND = "2023-01-03"
SILENT = "市气象局"  # sends nothing this round
STATUSES = ("已完成", "基本按进度完成", "未按进度完成", "暂缓实施")
GOLDEN = FIXTURES / "summary" / "heshan_small_2022-07-03.xlsx"
HEADER_ROW = 3  # title, subtitle, header


# -- the Heshan workspace, built once ---------------------------------------------------------------


@pytest.fixture(scope="module")
def heshan(tmp_path_factory):
    root = tmp_path_factory.mktemp("heshan")
    ws, _ = init_workspace(root / "ws", sample_path("heshan-2022"))
    generated = generate(ws, ROUND)
    answers = simulate.heshan_answers(ws, dt.date(2023, 1, 3))
    inbox = root / "inbox"
    for f in generated.files:
        if f.unit != SILENT:
            simulate.fill(f.path, inbox / f.path.name, answers[f.unit], saved_at=dt.datetime(2022, 12, 30, 16, 30))
    collect(ws, inbox)
    return ws


@pytest.fixture(scope="module")
def result(heshan):
    return summary(heshan)


@pytest.fixture(scope="module")
def book(result):
    return openpyxl.load_workbook(result.xlsx, rich_text=True)


@pytest.fixture(scope="module")
def sheet(book):
    return book[SHEET]


def text(cell) -> str:
    return str(cell.value) if cell.value is not None else ""


def runs(cell) -> list[tuple[bool, str]]:
    """(bold, text) runs of a cell, rich or plain."""
    if isinstance(cell.value, CellRichText):
        return [(bool(getattr(getattr(b, "font", None), "b", False)), b if isinstance(b, str) else b.text)
                for b in cell.value]
    return [(bool(cell.font.b), text(cell))] if cell.value is not None else []


def merged(sheet) -> set[str]:
    return {str(r) for r in sheet.merged_cells.ranges}


def full_width_rows(sheet) -> list[int]:
    last = openpyxl.utils.get_column_letter(sheet.max_column)
    spans = merged(sheet)
    return [r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if f"A{r}:{last}{r}" in spans]


def item_row(sheet, title_start: str, after: int = HEADER_ROW) -> int:
    return next(r for r in range(after + 1, sheet.max_row + 1) if text(sheet.cell(r, 2)).lstrip("★").startswith(title_start))


# -- the table ------------------------------------------------------------------------------------


def test_title_subtitle_and_heshan_columns(sheet):
    assert sheet["A1"].value == "2022年鹤山市委、市政府重点工作任务完成情况汇总表"
    assert sheet["A2"].value == "（第六次报送，截至2023年1月3日）"
    assert [c.value for c in sheet[HEADER_ROW]] == ["序号", "项目名称", "节点计划", "责任单位", "完成情况", "完成时间"]


def test_group_rows_are_bold_with_counts_computed_from_the_items(sheet):
    groups = [(r, sheet.cell(r, 1).value) for r in full_width_rows(sheet) if not text(sheet.cell(r, 1)).startswith(("备注", "\u3000"))]
    categories = [t for _, t in groups if re.match(r"^[一二三四五六七八九十]+、", t)]
    assert categories == ["一、重点指标类（7项）", "二、重点项目类（68项）", "三、重点工作类（173项）", "四、民生实事类（10项）"]
    assert all(sheet.cell(r, 1).font.b for r, _ in groups)
    # every leader group's count is the number of items printed under it, up to the next group row
    starts = [r for r, _ in groups] + [sheet.max_row + 1]
    leader_groups = [(r, t, nxt) for (r, t), nxt in zip(groups, starts[1:]) if "分管工作" in t]
    assert len(leader_groups) == 51
    for r, t, nxt in leader_groups:
        numbers = {text(sheet.cell(x, 1)) for x in range(r + 1, nxt) if text(sheet.cell(x, 1))}
        assert t.endswith(f"（共{len(numbers)}项）"), t


def test_counts_replace_the_number_in_the_source_text():
    assert counted("二、重点项目类(67项)", 68, "category") == "二、重点项目类（68项）"
    assert counted("陈文副市长分管工作（共4项）", 2, "leader_group") == "陈文副市长分管工作（共2项）"
    assert counted("（一）聚焦党的建设", 15, "subcategory") == "（一）聚焦党的建设（15项）"
    assert counted("李海权副市长分管工作", 1, "leader_group") == "李海权副市长分管工作（共1项）"


def test_an_item_with_nodes_takes_a_row_per_node_with_its_deadline(sheet):
    r = item_row(sheet, "地区生产总值")
    assert {f"A{r}:A{r + 4}", f"B{r}:B{r + 4}", f"D{r}:D{r + 4}"} <= merged(sheet)
    assert [text(sheet.cell(x, 3))[:3] for x in range(r, r + 5)] == ["（1）", "（2）", "（3）", "（4）", "（5）"]
    assert [sheet.cell(x, 6).value for x in range(r, r + 5)] == ["4月底", "5月底", "7月底", "10月底", "12月15日"]
    assert text(sheet.cell(r, 4)).split("\n")[:2] == ["市发展改革局", "市科工商务局"]


def test_completion_opens_with_the_status_in_bold(sheet):
    r = item_row(sheet, "地区生产总值")
    assert runs(sheet.cell(r, 5))[:2] == [(True, "未按进度完成。"), (False, "1-12月，地区生产总值458.51亿元，增长2.8%，增速与开平市并列第4。")]
    firsts = [runs(sheet.cell(x, 5))[0] for x in range(HEADER_ROW + 1, sheet.max_row + 1)
              if sheet.cell(x, 1).value and x not in full_width_rows(sheet) and not text(sheet.cell(x, 2)).endswith("（续）")]
    assert len(firsts) == 258
    assert all(bold and t.split("\n")[0] in {s + "。" for s in STATUSES + ("未报送",)} for bold, t in firsts)


def test_a_node_s_own_lead_is_bold_in_the_plan(sheet):
    r = item_row(sheet, "地方一般公共预算收入增长5%")
    assert runs(sheet.cell(r + 1, 3))[-1] == (True, "（市税务局牵头）")


def test_sub_rows_with_their_own_units_show_each_unit_s_answer(sheet):
    r = item_row(sheet, "加大金融扶持实体经济力度")
    assert [text(sheet.cell(x, 4)) for x in range(r, r + 3)] == [
        "市发展改革局", "市政府办公室（金融股）\n市工商联\n中国人民银行鹤山支行", "市科工商务局\n市政府办公室（金融股）"]
    assert [runs(sheet.cell(x, 5))[0][1] for x in range(r, r + 3)] == ["已完成。", "已完成。", "基本按进度完成。"]
    assert runs(sheet.cell(r + 2, 5))[1][1] == "本年度科技金融贷款贴息工作尚未开始申报。"
    assert f"B{r}:B{r + 2}" in merged(sheet)


def test_an_item_without_an_accepted_report_shows_unreported_in_bold(sheet, result):
    assert [(r.lead, r.item.number, r.node) for r in result.unreported] == [(SILENT, "152", n) for n in (None, 1, 2)]
    r = item_row(sheet, result.unreported[0].item.title[:8], after=item_row(sheet, "加大金融扶持实体经济力度"))
    assert runs(sheet.cell(r, 5)) == [(True, "未报送。")]


def test_star_kept_and_the_tables_own_notes_at_the_end(sheet):
    assert text(sheet.cell(item_row(sheet, "欧达可精机"), 2)).startswith("★欧达可精机")
    assert [sheet.cell(r, 1).value for r in (sheet.max_row - 1, sheet.max_row)] == [
        "备注：1.同一项目如有多个责任单位，排首单位为牵头责任单位并负责报送工作进展情况。",
        "\u3000\u3000\u30002.标注“★”项目为江门市2022年重点建设项目或下达的政府重点工作任务。"]


def test_official_fonts_and_thin_borders(sheet):
    r = item_row(sheet, "地区生产总值")
    assert (sheet["A1"].font.name, sheet["A1"].font.sz) == ("方正小标宋简体", 20)
    assert {sheet.cell(HEADER_ROW, c).font.name for c in range(1, 7)} == {"黑体"}
    assert {sheet.cell(r, c).font.name for c in range(1, 7)} == {"仿宋_GB2312"}
    assert sheet.cell(r, 3).border.left.style == "thin" and sheet.cell(r, 3).alignment.wrap_text


def test_a4_landscape_one_page_wide_header_repeated_footer_gb9704_margins(sheet):
    setup = sheet.page_setup
    fit_width = setup.fitToWidth or 1  # 1 is the default, which XlsxWriter leaves out
    assert (setup.orientation, setup.paperSize, fit_width, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    margins = sheet.page_margins
    assert [round(x * 25.4) for x in (margins.left, margins.right, margins.top, margins.bottom)] == [37, 35, 28, 26]


def test_row_heights_fit_the_text_of_every_unmerged_cell(sheet):
    m = Metrics(11)
    widths = {c: sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].width - 0.7109375 for c in range(1, 7)}
    spans = [r for r in sheet.merged_cells.ranges]
    covered = {(r, c) for s in spans for r in range(s.min_row, s.max_row + 1) for c in range(s.min_col, s.max_col + 1)}
    for r in range(HEADER_ROW + 1, sheet.max_row + 1):
        height = sheet.row_dimensions[r].height
        assert height and height <= 409
        for c in range(1, 7):
            if (r, c) not in covered and sheet.cell(r, c).value:
                assert m.height(m.lines(text(sheet.cell(r, c)), widths[c])) <= height + 0.01, (r, c)


def test_pages_break_between_items_and_never_inside_a_merged_title(sheet):
    breaks = [b.id for b in sheet.row_breaks.brk]
    assert 100 < len(breaks) < 180  # as Excel prints it: its wider wrapping takes more pages than the PDF
    titles = [s for s in sheet.merged_cells.ranges if s.min_col == 2 and s.max_col == 2]
    assert not [s for s in titles for b in breaks if s.min_row <= b < s.max_row]  # a break falls after row b


def test_an_item_parted_by_a_page_repeats_its_number_and_title(sheet):
    continued = [r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if text(sheet.cell(r, 2)).endswith("（续）")]
    assert continued
    for r in continued:
        assert sheet.cell(r, 1).value and (r - 1) in [b.id for b in sheet.row_breaks.brk]


# -- statistics -------------------------------------------------------------------------------------


def section(ws, title: str) -> dict[str, list]:
    start = next(r for r in range(1, ws.max_row + 1) if text(ws.cell(r, 1)).startswith(title))
    out = {}
    for r in range(start + 3, ws.max_row + 1):
        if not ws.cell(r, 1).value:
            break
        out[ws.cell(r, 1).value] = [ws.cell(r, c).value for c in range(2, ws.max_column + 1)]
    return out


def test_statistics_per_status_overall_category_leader_unit(book, result):
    ws = book["统计"]
    assert ws["A1"].value == "2022年鹤山市委、市政府重点工作任务完成情况统计表"
    overall = section(ws, "一、总体情况")["全部事项（258项）"]
    assert overall[0::2] == [218, 19, 13, 7, 1, 258]
    assert overall[1] == pytest.approx(218 / 258)
    assert result.status_counts == {"已完成": 218, "基本按进度完成": 19, "未按进度完成": 13, "暂缓实施": 7, "未报送": 1}
    categories = section(ws, "二、按分类")
    assert {k: v[-1] for k, v in categories.items()} == {"一、重点指标类": 7, "二、重点项目类": 68, "三、重点工作类": 173,
                                                         "四、民生实事类": 10, "合计": 258}
    leaders = section(ws, "三、按分管领导")
    assert leaders["陈文副市长"][-1] == 19 and list(leaders)[-2:] == ["（未明确分管领导）", "合计"]
    # Heshan heads 5 items 谭晓滨副市长、公安局局长 and 1 谭晓滨副市长、市公安局局长: one leader
    tan = [k for k in leaders if k.startswith("谭晓滨")]
    assert len(tan) == 1 and leaders[tan[0]][-1] == 6
    assert leaders["合计"][-1] == 258  # an item under two leaders is counted once in the total
    units = section(ws, "四、按责任单位")
    assert units[SILENT][-3:] == [3, 1.0, 3] and units["合计"][-1] == 762  # reporting rows: 258 items, 504 sub-rows
    assert ws.page_setup.orientation == "landscape"


def test_overdue_rows_are_past_their_deadline_and_not_done(book, result):
    ws = book["逾期未完成"]
    header = next(r for r in range(1, 6) if ws.cell(r, 1).value == "分类")
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1)]
    assert len(rows) == result.overdue == 94  # node rows, each with its own deadline
    assert all(r[5] != "已完成" for r in rows)
    assert [r[4] for r in rows[:5]] == ["4月底", "5月底", "7月底", "10月底", "12月15日"]
    assert rows[0][:6] == ["一、重点指标类", "1", "地区生产总值（GDP）增长10.5%。", "市发展改革局", "4月底", "未按进度完成"]
    assert [r[3] for r in rows if r[5] == "未报送"] == [SILENT] * 3


# -- the reference workbook (golden file) ---------------------------------------------------------

SMALL_ROUND = "2022-07-03"
SMALL_ANSWERS = {  # unit → status, 进展情况 for each of its rows (every node its own), in its workbook's order
    "市发展改革局": [("已完成", "一季度经济运行分析已完成，已提出下一步工作举措。"),
                 ("已完成", "5月底前已将核算基础指标分解到各部门。"),
                 ("基本按进度完成", "1-6月，地区生产总值增长3.1%。\n已完成。上半年经济运行分析已报市政府。"),
                 ("基本按进度完成", "按计划推进。"), ("基本按进度完成", "按计划推进。"),  # one answer for two nodes
                 ("已完成", "已分解目标任务至各镇（街）及各相关单位。"), ("已完成", "已制定市领导挂钩联系重大项目方案。"),
                 ("未按进度完成", "=1-6月固定资产投资下降2.1%，以文字记录，不是公式。"),
                 ("未按进度完成", "1-6月工业投资增长8%。")],
    "市工业城管委会": [("已完成", "厂房已修复。"), ("已完成", "设备已进驻。"), ("基本按进度完成", "试投产准备中。"),
                  ("基本按进度完成", "研发楼装饰工程已完成80%。"), ("基本按进度完成", "厂房建设按计划推进。"),
                  ("基本按进度完成", "设备采购中。")] + [("暂缓实施", "因规划调整，暂缓建设。")] * 4,
    "市委办公室": [("已完成", "全年制定党内规范性文件3份，已报备。"), ("已完成", "已完成25%建设任务。"),
              ("已完成", "已完成50%建设任务。"), ("基本按进度完成", "三季度建设任务按计划推进。"),
              ("基本按进度完成", "四季度建设任务按计划推进。")],
    "市教育局": [("已完成", "室内、外墙批荡已完成，设备已采购。"), ("基本按进度完成", "室内装修及水电安装已完成90%。"),
             ("基本按进度完成", "外墙装修按计划推进。"), ("基本按进度完成", "按计划于9月投入使用。")],
}  # 市委宣传部 sends nothing


def small_workspace(root: Path) -> Workspace:
    ws, _ = init_workspace(root / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    inbox = root / "inbox"
    for f in generate(ws, SMALL_ROUND).files:
        if f.unit not in SMALL_ANSWERS:
            continue
        answers = {}
        for key, (status, progress) in zip(_keys(f.path), SMALL_ANSWERS[f.unit]):
            answers[key] = {"完成状态": status, "进展情况": progress, "存在问题": "无法按期推进。" if "按进度" in status or "暂缓" in status else "",
                            "完成时间": dt.date(2022, 6, 30) if status == "已完成" else None}
        simulate.fill(f.path, inbox / f.path.name, answers, saved_at=dt.datetime(2022, 7, 1, 9, 30))
    collect(ws, inbox)
    return ws


def _keys(path: Path) -> list[str]:
    import python_calamine as pc

    from toolkit.core.signing import META_SHEET, from_cells

    return [k for k, _ in from_cells(pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(META_SHEET).to_python()).rows]


IGNORED_PARTS = {"docProps/core.xml"}  # creation time: changes on every run


def parts(path: Path) -> dict[str, str]:
    with ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n not in IGNORED_PARTS}


def cells(path: Path) -> dict[tuple[str, str], tuple]:
    """What a reader sees: every cell's text, bold runs, font and row height; merges."""
    wb = openpyxl.load_workbook(path, rich_text=True)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    out[(ws.title, c.coordinate)] = (str(c.value), tuple(runs(c)), c.font.name, ws.row_dimensions[c.row].height)
        out[(ws.title, "merged")] = tuple(sorted(merged(ws)))
    return out


def test_the_small_summary_matches_the_reference_workbook(tmp_path):
    ws = small_workspace(tmp_path)
    made = summary(ws, SMALL_ROUND).xlsx
    if os.environ.get("DUBAN_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made, GOLDEN)
        pytest.skip("reference workbook rewritten")
    new, old = cells(made), cells(GOLDEN)
    changed = [(k, old.get(k), new.get(k)) for k in sorted(set(new) | set(old)) if new.get(k) != old.get(k)]
    assert changed[:5] == [], f"{len(changed)} cells differ from the reference (cell, reference, now)"
    new_parts, old_parts = parts(made), parts(GOLDEN)
    assert sorted(new_parts) == sorted(old_parts)
    for name in old_parts:  # part by part, as XlsxWriter's own tests compare with Excel's files
        if new_parts[name] != old_parts[name]:
            diff = difflib.unified_diff(old_parts[name].split("><"), new_parts[name].split("><"), lineterm="", n=1)
            pytest.fail(f"{name} differs from the reference:\n" + "\n".join(list(diff)[:40]))


def test_the_small_summary_reads_as_expected(tmp_path):
    ws = small_workspace(tmp_path)
    res = summary(ws, SMALL_ROUND)
    sheet = openpyxl.load_workbook(res.xlsx, rich_text=True)[SHEET]
    groups = [sheet.cell(r, 1).value for r in full_width_rows(sheet)]
    assert groups[:5] == ["一、重点指标类（2项）", "二、重点项目类（2项）", "三、重点工作类（3项）",
                          "（一）聚焦党的建设，不断夯实干事创业的坚强堡垒（3项）", "陈文光常委、市委办主任、市委统战部部长分管工作（共2项）"]
    r = item_row(sheet, "地区生产总值")  # each node its own 完成情况, opening with its status in bold
    assert [runs(sheet.cell(r + n, 5))[0] for n in range(4)] == [
        (True, "已完成。"), (True, "已完成。"), (True, "基本按进度完成。"), (True, "基本按进度完成。")]
    assert runs(sheet.cell(r + 2, 5)) == [(True, "基本按进度完成。"), (False, "1-6月，地区生产总值增长3.1%。"),
                                         (True, "\n已完成。"), (False, "上半年经济运行分析已报市政府。")]
    # the last two nodes, answered alike, share one cell
    assert f"E{r + 3}:E{r + 4}" in merged(sheet)
    formula_like = sheet.cell(item_row(sheet, "固定资产投资") + 2, 5)
    assert runs(formula_like)[1][1].startswith("=1-6月") and formula_like.data_type == "s"
    assert [(u.lead, u.item.number) for u in res.unreported] == [("市委宣传部", "3")]
    assert res.exit_code == 1


# -- layout helpers ---------------------------------------------------------------------------------


def test_text_parted_at_a_page_goes_on_where_its_line_ended():
    m = Metrics(11, "libreoffice")
    text = [[(True, "已完成。"), (False, "推进工作，完成154.22亿元。" * 40)], [(False, "下一段。")]]
    lines = sum(len(m.wrap("".join(t for _, t in p), 50)) for p in text)
    head, rest = cut_lines(text, 50, m, 5)
    assert sum(m.lines("".join(t for _, t in p), 50) for p in head) == 5 and head[0][0] == (True, "已完成。")
    assert "".join(t for p in head + rest for _, t in p) == "".join(t for p in text for _, t in p)
    assert sum(m.lines("".join(t for _, t in p), 50) for p in rest) == lines - 5
    assert all("154.22" in "".join(t for _, t in p) or "154" not in "".join(t for _, t in p) for p in head)
    assert cut_lines(text, 50, m, lines) == (text, [])


def test_paginate_fills_pages_parting_a_row_where_a_page_ends():
    m = Metrics(10, "excel")  # 13 pt a line, 4 pt a row more
    item = Unit([10, 30, 10], head=2)
    starts = paginate([Unit([20]), Unit(None, 20, sticky=True), item], m, capacity=400, header=30, first=60)
    # 60 + 264 (20 lines) + 20 (group row) = 344: the 56 pt left hold 3 lines of the item's first
    # row (4 need 56.25), then its other 7 and 20 of its second row fill the next page; the rest of
    # it and its third row go on the next
    assert starts == {(2, 0, 3), (2, 1, 20)}
    starts = paginate([Unit([25]), Unit(None, 20, sticky=True), Unit([10, 5], head=8)], m, 400, 30, 60)
    assert starts == {(1, 0, 0)}  # its 项目名称 (8 lines) does not fit a page that is full: a new page
    starts = paginate([Unit([5]), Unit(None, 20, sticky=True), Unit([20, 20], head=40)], m, 400, 30, 60)
    assert starts == {(2, 0, 18)}  # …but a page less than half full is not left so: begun, parted
    starts = paginate([Unit([24]), Unit([6])], m, 400, 30, 60)
    assert starts == {(1, 0, 0)}  # 6 lines, 23 pt left (1 line): a row is not parted to leave 1 line


# -- configuration ----------------------------------------------------------------------------------


def test_a_new_duban_toml_has_a_commented_summary_table(heshan):
    text_ = heshan.config_path.read_text(encoding="utf-8")
    cfg = tomllib.loads(text_)["summary"]
    assert cfg["columns"] == [] and cfg["body_font"] == "仿宋_GB2312" and cfg["text_fields"] == ["进展情况"]
    assert "# 表末备注" in text_


def _with_summary_table(ws: Workspace, body: str) -> None:
    text_ = ws.config_path.read_text(encoding="utf-8")
    start = text_.index("[summary]")
    end = text_.index("[[rounds]]")
    ws.config_path.write_text(text_[:start] + body + "\n" + text_[end:], encoding="utf-8")


def test_columns_and_notes_come_from_duban_toml(tmp_path):
    ws = small_workspace(tmp_path)
    _with_summary_table(ws, '[summary]\ncolumns = ["序号", "项目名称", "分管领导", "责任单位", "完成状态", "完成情况"]\n'
                            'notes = ["注：本表由督查室汇总。"]\nsubtitle = ""\ntext_fields = ["进展情况", "存在问题"]\n')
    sheet = openpyxl.load_workbook(summary(ws, SMALL_ROUND).xlsx, rich_text=True)[SHEET]
    assert [c.value for c in sheet[2]] == ["序号", "项目名称", "分管领导", "责任单位", "完成状态", "完成情况"]
    assert sheet.cell(sheet.max_row, 1).value == "注：本表由督查室汇总。"
    r = item_row(sheet, "固定资产投资", after=2)
    # a part of a row on the next page (its 项目名称 marked 续) repeats the row's status
    rows = [x for x in range(r, r + 5) if x == r or not text(sheet.cell(x, 2)).endswith("（续）")]
    assert [sheet.cell(x, 5).value for x in rows] == ["已完成", "已完成", "未按进度完成", "未按进度完成"]
    assert runs(sheet.cell(rows[2], 6))[-2:] == [(True, "\n存在问题："), (False, "无法按期推进。")]


def test_a_workspace_without_a_summary_table_gets_the_defaults(tmp_path):
    ws = small_workspace(tmp_path)
    _with_summary_table(ws, "")
    sheet = openpyxl.load_workbook(summary(ws, SMALL_ROUND).xlsx)[SHEET]
    assert [c.value for c in sheet[HEADER_ROW]] == ["序号", "项目名称", "节点计划", "责任单位", "完成情况", "完成时间"]


@pytest.mark.parametrize("body, words", [
    ('[summary]\ncolumns = ["序号", "事项名头"]\n', "事项名头"),
    ('[summary]\nwidths = [5, 6]\n', "widths"),
    ('[summary]\nbody_size = "大"\n', "body_size"),
    ('[summary]\ntext_fields = ["感想"]\n', "感想"),
])
def test_a_bad_summary_table_is_a_clear_configuration_error(tmp_path, body, words):
    ws, _ = init_workspace(tmp_path / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    _with_summary_table(ws, body)
    with pytest.raises(ConfigError, match=words):
        summary(ws, SMALL_ROUND)


# -- the command line -------------------------------------------------------------------------------


def test_cli_writes_the_summary_and_exits_1_while_a_unit_is_missing(heshan, run, tmp_path):
    code, out = run("summary", "-w", heshan.root, "--round", ROUND, "--json", "-o", tmp_path / "汇总.xlsx")
    assert code == 1
    assert out["xlsx"] == str(tmp_path / "汇总.xlsx") and out["pdf"] is None
    title = out["unreported"][0]["title"]  # every row of the silent unit's item: the item row and its two nodes
    assert out["unreported"] == [{"number": "152", "node": n, "title": title, "unit": SILENT} for n in (None, 1, 2)]
    assert out["counts"] == {"已完成": 218, "基本按进度完成": 19, "未按进度完成": 13, "暂缓实施": 7, "未报送": 1}
    assert out["pages"] > 100
    assert (tmp_path / "汇总.xlsx").is_file()
    code, out = run("summary", "-w", heshan.root)
    assert code == 1 and "第六次报送" in out and "未报送" in out and "output/完成情况汇总表-2023-01-03.xlsx" in out


def test_cli_usage_errors_exit_2(heshan, run, tmp_path):
    assert run("summary", "-w", heshan.root, "--round", "明年")[0] == 2
    code, out = run("summary", "-w", heshan.root, "-o", tmp_path / "汇总.xls")
    assert code == 2 and "扩展名" in out
    assert run("summary", "-w", tmp_path / "nowhere")[0] == 2


def test_without_libreoffice_or_excel_the_workbook_is_still_written(heshan, monkeypatch, tmp_path, run):
    monkeypatch.setattr("toolkit.summary.run.pdf_renderer", lambda: None)
    with pytest.raises(OfficeMissing, match="汇总表已写出.*LibreOffice"):
        summary(heshan, ROUND, tmp_path / "a.xlsx", pdf=True)
    assert (tmp_path / "a.xlsx").is_file() and not (tmp_path / "a.pdf").exists()
    code, out = run("summary", "-w", heshan.root, "-o", tmp_path / "b.pdf")
    assert code == 2 and "LibreOffice" in out


# -- PDF through LibreOffice ------------------------------------------------------------------------


def test_fonts_conf_maps_the_official_font_names(tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text(fonts_conf(), encoding="utf-8")
    assert "<family>仿宋_GB2312</family>" in conf.read_text(encoding="utf-8")
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig tools not installed")
    # A fresh machine may have fontconfig but no Chinese font at all; then there is nothing to map
    # to. CI installs fonts-noto-cjk and sets DUBAN_REQUIRE_OFFICE, so there this cannot skip.
    chinese = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout.strip()
    if not chinese and not os.environ.get("DUBAN_REQUIRE_OFFICE"):
        pytest.skip("no Chinese font installed (CI installs fonts-noto-cjk)")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    found = {name: subprocess.run(["fc-match", "-f", "%{family}", name], env=env, capture_output=True, text=True).stdout
             for name in ("仿宋_GB2312", "黑体", "方正小标宋简体")}
    assert all("CJK" in family or "Han" in family or "WenQuanYi" in family for family in found.values()), found


def page_fill(pdf: Path) -> list[float]:
    """How far down each page the table reaches, as a share of the printable height: the lowest
    horizontal rule (a row's bottom border) found in the page rendered at 24 dpi."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-gray", "-r", "24", str(pdf), f"{tmp}/p"], check=True)
        for f in sorted(Path(tmp).glob("p-*.pgm")):
            _, w, h, _, pixels = f.read_bytes().split(maxsplit=4)
            w, h = int(w), int(h)
            top, bottom = round(h * 28 / 210), round(h * (210 - 26) / 210)  # GB/T 9704 margins
            rule = next((y for y in range(bottom, top, -1)
                         if len(pixels[y * w:(y + 1) * w].translate(None, bytes(range(160, 256)))) > w * 0.4), top)
            out.append((rule - top) / (bottom - top))
    return out


@pytest.fixture(scope="module")
def heshan_pdf(heshan, tmp_path_factory):
    return summary(heshan, ROUND, tmp_path_factory.mktemp("pdf") / "汇总表.xlsx", pdf=True)


@pytest.fixture(scope="module")
def heshan_pdf_text(heshan_pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(heshan_pdf.pdf), "-"], capture_output=True, text=True).stdout


@needs_office
def test_the_heshan_summary_prints_to_a_plausible_pdf(heshan_pdf, heshan_pdf_text):
    res = heshan_pdf
    assert res.pdf.name == "汇总表.pdf"
    info = subprocess.run(["pdfinfo", str(res.pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == res.pages  # the pages laid out are the pages printed: LibreOffice added none
    assert 120 <= pages <= 145  # Heshan's own print of the same table has 145 pages
    assert "841.89 x 595.3" in info  # A4 landscape
    flat = re.sub(r"\s+", "", heshan_pdf_text)
    for expected in ("2022年鹤山市委、市政府重点工作任务完成情况汇总表", "一、重点指标类（7项）", "四、民生实事类（10项）",
                     "陈文副市长分管工作（共2项）", f"第1页共{pages}页", "未报送。"):
        assert expected in flat, expected
    fonts = subprocess.run(["pdffonts", str(res.pdf)], capture_output=True, text=True).stdout
    assert "CJK" in fonts and "Serif" in fonts and "Sans" in fonts  # 仿宋/小标宋 → serif, 黑体 → sans


@needs_office
def test_every_page_but_the_last_is_more_than_half_full(heshan_pdf):
    fill = page_fill(heshan_pdf.pdf)
    assert len(fill) == heshan_pdf.pages
    assert min(fill[:-1]) > 0.5, [(n + 1, round(f, 2)) for n, f in enumerate(fill) if f <= 0.5]
    assert sum(fill) / len(fill) > 0.85  # pages end full, not at 70 %
    assert max(fill) < 1.0  # and no row runs past the bottom margin


@needs_office
def test_a_long_answer_goes_on_over_the_page_inside_its_row(heshan_pdf_text):
    """The PDF's text of one long 完成情况 (item 13, 突出政治铸魂…: 48 lines) is the unit's words
    in order, over two pages, the header and the item's title repeated on the second."""
    pages = [re.sub(r"\s+", "", p) for p in heshan_pdf_text.split("\f")]
    on = [n for n, p in enumerate(pages) if "突出政治铸魂" in p]
    assert len(on) >= 2 and on == list(range(on[0], on[-1] + 1))
    for n in on[1:]:
        assert pages[n].startswith("序号项目名称节点计划责任单位完成情况完成时间") and "（续）" in pages[n]
