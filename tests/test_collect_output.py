"""What collect prints: totals, then only what needs the clerk (problem files with their reason,
ignored files by name, missing and late units), in lines that fit an 80-column console."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import python_calamine as pc
from conftest import IMPORT
from rich.cells import cell_len

from toolkit import simulate
from toolkit.core.signing import META_SHEET, from_cells
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace

ROUND = "2022-07-03"


@pytest.fixture
def sent(tmp_path):
    ws, _ = init_workspace(tmp_path / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    files = {f.unit: f for f in generate(ws, ROUND).files}
    return ws, files, tmp_path / "inbox"


def send_all(files, inbox, mistyped: str) -> None:
    """Every unit returns its workbook filled in; `mistyped` types a status that is not allowed."""
    for unit, f in files.items():
        meta = pc.CalamineWorkbook.from_path(str(f.path)).get_sheet_by_name(META_SHEET).to_python()
        status = "差不多完成了" if unit == mistyped else "基本按进度完成"
        answers = {k: {"进展情况": "1-6月按计划推进。", "完成状态": status} for k, _ in from_cells(meta).rows}
        simulate.fill(f.path, inbox / f.path.name, answers, saved_at=dt.datetime(2022, 7, 1))


def collect_out(run, ws, inbox):
    inbox.mkdir(exist_ok=True)
    return run("collect", inbox, "-w", ws.root, "--round", ROUND)


def test_an_empty_folder_says_so_once_and_lists_the_missing_units_without_a_table(sent, run):
    ws, files, inbox = sent
    code, out = collect_out(run, ws, inbox)
    assert code == 1
    assert "文件夹是空的" in out and "都已收集过" not in out  # not two lines that contradict each other
    assert f"应报 {len(files)} 个单位，已报 0" in out and "缺报" in out
    assert "┃" not in out and "│" not in out  # no table of every unit


def test_an_empty_folder_for_a_round_never_generated_says_to_generate_it(tmp_path, run):
    ws, _ = init_workspace(tmp_path / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    code, out = collect_out(run, ws, tmp_path / "inbox")
    assert "还没有生成报送表" in out and "duban generate" in out
    assert "缺报" not in out


def test_ignored_pdf_and_word_files_are_named_and_their_units_asked_for_excel(sent, run):
    ws, files, inbox = sent
    inbox.mkdir()
    (inbox / "市教育局报送表（盖章扫描件）.pdf").write_bytes(b"%PDF-1.4\n%scan\n")
    (inbox / "市发展改革局报送表.docx").write_bytes(b"PK\x03\x04 not really a document")
    code, out = collect_out(run, ws, inbox)
    flat = out.replace("\n", "")
    assert "市教育局报送表（盖章扫描件）.pdf" in flat and "市发展改革局报送表.docx" in flat
    assert "市教育局：只收到 PDF，请对方发回 Excel 报送表" in flat
    assert "市发展改革局：只收到 Word，请对方发回 Excel 报送表" in flat


def test_a_problem_file_is_one_line_with_its_reason_and_accepted_ones_are_only_counted(sent, run):
    ws, files, inbox = sent
    send_all(files, inbox, mistyped="市教育局")
    code, out = collect_out(run, ws, inbox)
    assert code == 1
    lines = [line for line in out.splitlines() if "市教育局" in line]
    assert any("退回" in line or "部分采纳" in line for line in lines), out
    assert "差不多完成了" in out  # the reason, from the finding
    assert "市发展改革局" not in out.split("要处理的文件")[-1]  # accepted units are counted, not listed
    assert f"共 {len(files)} 个文件" in out and "第三次报送（截止 2022-07-03）：应报" in out
    (line,) = [line for line in out.splitlines() if "市教育局：" in line and "退回" in line]  # one line
    assert cell_len(line) <= 80


def test_report_xlsx_is_titled_by_the_round_s_label_with_counts_as_numbers_and_every_row_explained(sent, run):
    import openpyxl

    ws, files, inbox = sent
    send_all(files, inbox, mistyped="市教育局")
    collect_out(run, ws, inbox)
    book = openpyxl.load_workbook(ws.round_dir(ROUND) / "report.xlsx")
    sheet = book["收集情况"]
    assert "第三次报送（截止 2022-07-03）" in sheet["A1"].value
    assert sheet.row_dimensions[1].height and sheet.row_dimensions[2].height  # not squashed together
    header = [c.value for c in sheet[2]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=3)]
    edu = next(r for r in rows if r["单位"] == "市教育局")
    assert isinstance(edu["须改正"], int) and edu["须改正"] >= 1
    assert all(r["说明"] for r in rows if r["须改正"] or r["提示"])  # a row that counts something says what
    assert "第三次报送" in book["市教育局"]["A1"].value


def test_warnings_on_rows_taken_are_counted_in_one_line(sent, run):
    ws, files, inbox = sent
    send_all(files, inbox, mistyped="")
    unit, f = next(iter(files.items()))
    meta = pc.CalamineWorkbook.from_path(str(f.path)).get_sheet_by_name(META_SHEET).to_python()
    # Heshan's own words (seed 002, 98-5) under 已完成: a consistency warning, the row still taken
    answers = {k: {"进展情况": "目前正在进行工可编制。", "完成状态": "已完成", "完成时间": "2022-06-30"}
               for k, _ in from_cells(meta).rows}
    simulate.fill(f.path, inbox / f.path.name, answers, saved_at=dt.datetime(2022, 7, 1))
    code, out = collect_out(run, ws, inbox)
    assert code == 0, out
    (line,) = [line for line in out.splitlines() if "内容已采纳" in line]
    # one unit's rows; a row whose own target is to get work going is not warned (core.wording)
    n = int(re.match(r"提示(\d+)条（1个单位）", line).group(1))
    assert 1 <= n <= len(answers), line
