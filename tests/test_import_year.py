"""The workspace's year comes from the table: its title rows, the paragraphs above a Word table,
its file name, else its deadlines; never silently from today's date when the table says
otherwise."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import docx
import openpyxl
import xlsxwriter

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.breakdown import read_breakdown
from toolkit.importing.run import import_table, init_workspace
from toolkit.store.samples import sample_path
from toolkit.store.workspace import Workspace

REALTABLES = Path(__file__).parent / "fixtures" / "realtables"
HEADER = ["序号", "民生实事", "工作标准", "完成时限", "区政府分管领导", "牵头单位"]


def write_table(path: Path, rows, title: str | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(HEADER) - 1, title)
        r = 2
    ws.write_row(r, 0, HEADER)
    for i, row in enumerate(rows, start=r + 1):
        ws.write_row(i, 0, row)
    wb.close()
    return path


ROWS = [[1, "新建改造城市公厕20座", "全部免费开放", "6月底", "王旭锋", "区城管局"],
        [2, "新增公办幼儿园学位900个", "秋季开学前", "9月", "胡金芳", "区教育局"]]


def config(root: Path) -> dict:
    return tomllib.loads((root / "duban.toml").read_text(encoding="utf-8"))


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_the_year_of_a_word_table_is_in_the_paragraphs_above_it():
    # 大竹县 2016: the notice's title and 附件 line stand above the table, not in it
    bd = read_breakdown(next((REALTABLES / "2016-dazhu-minsheng").glob("*.docx")))
    assert (bd.year, bd.year_from) == (2016, "title")
    assert "2016" in bd.title


def test_the_year_written_in_chinese_numerals_counts(tmp_path):
    document = docx.Document()
    document.add_paragraph("附件")
    document.add_paragraph("二〇二一年度区政府民生实事项目责任分解表")
    table = document.add_table(rows=3, cols=len(HEADER))
    for r, row in enumerate([HEADER] + ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = str(value)
    document.save(tmp_path / "分解表.docx")
    bd = read_breakdown(tmp_path / "分解表.docx")
    assert (bd.year, bd.title) == (2021, "二〇二一年度区政府民生实事项目责任分解表")


def test_without_a_title_the_file_name_gives_the_year(tmp_path):
    bd = read_breakdown(write_table(tmp_path / "2019民生实事.xlsx", ROWS))
    assert (bd.year, bd.year_from) == (2019, "file")


def test_without_a_title_or_a_year_in_the_name_the_deadlines_give_it(tmp_path):
    rows = [row[:3] + ["2020年6月底"] + row[4:] for row in ROWS]
    bd = read_breakdown(write_table(tmp_path / "民生实事.xlsx", rows))
    assert (bd.year, bd.year_from) == (2020, "deadlines")
    assert "year-unknown" not in codes(bd.findings)


def test_a_table_with_no_year_anywhere_says_so_and_init_takes_this_year(tmp_path):
    ws, result = init_workspace(tmp_path / "ws", write_table(tmp_path / "民生实事.xlsx", ROWS))
    assert result.breakdown.year is None
    (f,) = [f for f in result.findings if f.code == "year-unknown"]
    assert "找不到年份" in f.message and "duban.toml" in f.message
    assert config(ws.root)["year"] == dt.date.today().year


def test_a_workspace_made_before_its_table_takes_the_table_s_year_and_rounds(tmp_path):
    ws, _ = init_workspace(tmp_path / "ws")  # no table yet: this year
    assert config(ws.root)["year"] == dt.date.today().year
    table = write_table(tmp_path / "表.xlsx", ROWS, title="2021年区政府民生实事项目责任分解表")
    result = import_table(ws, table)
    cfg = config(ws.root)
    assert cfg["year"] == 2021
    assert [str(r["due"]) for r in cfg["rounds"]][:2] == ["2021-04-03", "2021-05-03"]
    assert str(cfg["rounds"][-1]["due"]) == "2022-01-03"
    (f,) = [f for f in result.findings if f.code == "year-changed"]
    assert "2021" in f.message


def test_once_units_have_reported_a_table_of_another_year_does_not_change_the_year(tmp_path):
    ws, _ = init_workspace(tmp_path / "ws", sample_path("heshan-2022"))
    generated = generate(ws, "2022-04-03")
    answers = simulate.heshan_answers(ws, dt.date(2022, 4, 3))
    first = generated.files[0]
    simulate.fill(first.path, tmp_path / "inbox" / first.path.name, answers[first.unit],
                  saved_at=dt.datetime(2022, 4, 1, 10, 0))
    collect(ws, tmp_path / "inbox")
    book = openpyxl.load_workbook(sample_path("heshan-2022"))
    sheet = book.worksheets[0]
    cell = next(c for row in sheet.iter_rows(max_row=5) for c in row if c.value and "2022年" in str(c.value))
    cell.value = str(cell.value).replace("2022年", "2023年")
    book.save(tmp_path / "2023.xlsx")
    result = import_table(Workspace(ws.root), tmp_path / "2023.xlsx")
    assert config(ws.root)["year"] == 2022
    (f,) = [f for f in result.findings if f.code == "year-differs"]
    assert "2023" in f.message and "另建" in f.message
