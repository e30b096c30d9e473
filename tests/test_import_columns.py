"""Tables whose columns other offices name in their own words (issue 13): `--column`, what
import says it understood, the summary's columns by the table's own names, and a table's own
column that shares a header with a report field (备注, 进展情况).

The header words are those of real tables from other places: a district's 民生实事 table
(民生实事, "工 作 标 准", 区政府分管领导, 当前进度, 备注), a county's 目标 table (目标名称,
参与单位) and a progress table (项目内容, 进展情况, 存在问题).
"""

from __future__ import annotations

import tomllib

import openpyxl
import pytest
import xlsxwriter

from toolkit.core.schema import role_named
from toolkit.importing.breakdown import read_breakdown
from toolkit.store.master import read_master
from toolkit.store.workspace import Workspace
from toolkit.views.terminal import understood_lines

# A district's 民生实事 table: title rows, the header on row 3, none of its words for the
# items, the plan or the leader known to duban before.
MINSHENG_HEADER = ["序号", "民生实事", "工 作 标 准", "完成时限", "区政府分管领导", "责任单位", "当前进度", "备注"]
MINSHENG_ROWS = [
    [1, "新建改造城市公厕20座", "年底前新建改造公厕20座，全部免费开放", "2023年12月底", "王旭锋", "区城管局", "已完成选址12处", "区财政保障"],
    [2, "新增公办幼儿园学位900个", "秋季开学前新增学位900个", "2023年9月", "胡金芳", "区教育局、区住建局", "主体完工", ""],
    [3, "改造老旧小区15个", "完成15个小区水电气路改造", "2023年11月底", "王行杰", "区住建局", "已开工8个", "涉及居民3200户"],
]
MINSHENG_COLUMNS = ("--column", "事项=民生实事", "--column", "工作目标=工作标准", "--column", "分管领导=区政府分管领导")


def write_table(path, header, rows, title="2023年某区十件民生实事项目责任分解表"):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    ws.merge_range(0, 0, 0, len(header) - 1, title)
    ws.write_row(2, 0, header)
    for r, row in enumerate(rows, start=3):
        ws.write_row(r, 0, row)
    wb.close()
    return path


@pytest.fixture
def minsheng(tmp_path):
    return write_table(tmp_path / "民生实事.xlsx", MINSHENG_HEADER, MINSHENG_ROWS)


@pytest.fixture
def minsheng_ws(tmp_path, minsheng, run):
    code, out = run("init", tmp_path / "ws", "--from", minsheng, *MINSHENG_COLUMNS, "--json")
    assert code == 0, out
    return tmp_path / "ws"


def config(ws_dir) -> dict:
    return tomllib.loads((ws_dir / "duban.toml").read_text(encoding="utf-8"))


def ledger_items(ws_dir):
    from toolkit.store.ledger import Ledger

    with Ledger(Workspace(ws_dir).ledger_path) as ledger:
        return ledger.items()


def header_of(sheet, first: str = "序号", column: int = 1) -> tuple[int, list]:
    r = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, column).value == first)
    return r, [c.value for c in sheet[r]]


# -- 1. --column ----------------------------------------------------------------------------------


def test_a_table_without_a_known_items_header_says_which_column_option_to_type(tmp_path, run):
    # No header word duban knows for the items or the units: the message names the columns the
    # cells suggest (the first column of long texts, the column of unit names).
    header = ["编码", "民生工程", "标准", "时间", "领导", "单位"]
    rows = [[1, "新建改造城市公厕20座", "年底前新建改造", "2023年12月底", "王旭锋", "区城管局"],
            [2, "新增公办幼儿园学位900个", "秋季开学前新增", "2023年9月", "胡金芳", "区教育局、区住建局"],
            [3, "改造老旧小区15个", "完成水电气路改造", "2023年11月底", "王行杰", "区住建局"]]
    table = write_table(tmp_path / "民生工程.xlsx", header, rows)
    code, out = run("init", tmp_path / "ws", "--from", table)
    assert code == 2
    assert "--column 事项=民生工程" in out and "--column 牵头单位=单位" in out
    assert "duban.toml" not in out and "Traceback" not in out
    assert not (tmp_path / "ws").exists()  # the workspace is made only once the table is read
    code, out = run("init", tmp_path / "ws", "--from", table, "--column", "事项=民生工程", "--column", "牵头单位=单位")
    assert code == 0, out
    assert [it.units for it in ledger_items(tmp_path / "ws")] == [["区城管局"], ["区教育局", "区住建局"], ["区住建局"]]


def test_a_table_of_other_words_imports_unassisted_and_says_what_it_guessed(tmp_path, run):
    # 项目内容 alone is the items' column; 承担单位 the lead unit; 时间安排 is told by its dates.
    header = ["序号", "项目内容", "主要目标", "承担单位", "时间安排"]
    rows = [[1, "建设城市书房5个", "年内建成并开放", "区文广旅体局", "2023年10月"],
            [2, "改造农贸市场3个", "完成提升改造", "区商务局、各街道", "2023年12月"]]
    table = write_table(tmp_path / "项目.xlsx", header, rows)
    code, out = run("init", tmp_path / "ws", "--from", table, "--json")
    assert code == 0, out
    items = ledger_items(tmp_path / "ws")
    assert [(it.title, it.plan, it.units, it.deadline) for it in items] == [
        ("建设城市书房5个", "年内建成并开放", ["区文广旅体局"], "2023年10月"),
        ("改造农贸市场3个", "完成提升改造", ["区商务局", "各街道"], "2023年12月")]
    guessed = [f for f in out["findings"] if f["code"] == "column-guessed"]
    assert [(f["column"], f["value"]) for f in guessed] == [("E", "时间安排")]
    assert "--column 完成时限=" in guessed[0]["message"]


def test_init_column_takes_the_table_s_own_headers_and_duban_toml_remembers_them(minsheng_ws):
    mapping = config(minsheng_ws)["mapping"]
    assert mapping["title"] == "民生实事" and mapping["plan"] == "工作标准" and mapping["leader"] == "区政府分管领导"
    assert mapping["lead_unit"] == "责任单位" and mapping["deadline"] == "完成时限"
    items = ledger_items(minsheng_ws)
    assert [it.title for it in items] == ["新建改造城市公厕20座", "新增公办幼儿园学位900个", "改造老旧小区15个"]
    assert [it.leader for it in items] == ["王旭锋", "胡金芳", "王行杰"]
    assert items[1].units == ["区教育局", "区住建局"]
    assert items[0].plan.startswith("年底前新建改造公厕20座")
    assert items[0].extras == {"当前进度": "已完成选址12处", "备注": "区财政保障"}
    assert config(minsheng_ws)["year"] == 2023  # the year from the title, as without --column


def test_the_column_stays_remembered_when_the_table_is_imported_again_without_it(minsheng_ws, minsheng, run):
    code, out = run("import", minsheng, "-w", minsheng_ws, "--json")
    assert code == 0, out
    assert [it.title for it in ledger_items(minsheng_ws)][0] == "新建改造城市公厕20座"
    assert config(minsheng_ws)["mapping"]["title"] == "民生实事"


def test_the_clerk_s_column_wins_over_the_detected_one_and_over_duban_toml(tmp_path, run):
    # 项目 is a known word for the items' column, but here it holds the category; the items
    # are under 项目内容.
    header = ["序号", "项目", "项目内容", "牵头单位", "完成时限"]
    rows = [[1, "教育", "新建学校2所", "区教育局", "2023年底"], [2, "交通", "改造道路5公里", "区交通局", "2023年10月"]]
    table = write_table(tmp_path / "进度.xlsx", header, rows)
    code, _ = run("init", tmp_path / "ws", "--from", table)
    assert code == 0
    assert [it.title for it in ledger_items(tmp_path / "ws")] == ["教育", "交通"]
    assert config(tmp_path / "ws")["mapping"]["title"] == "项目"
    code, out = run("import", table, "-w", tmp_path / "ws", "--column", "事项=项目内容")
    assert code == 0, out
    items = ledger_items(tmp_path / "ws")
    assert [it.title for it in items] == ["新建学校2所", "改造道路5公里"]
    assert items[0].extras == {"项目": "教育"}
    assert config(tmp_path / "ws")["mapping"]["title"] == "项目内容"
    code, _ = run("import", table, "-w", tmp_path / "ws")  # later imports keep the clerk's choice
    assert code == 0 and [it.title for it in ledger_items(tmp_path / "ws")] == ["新建学校2所", "改造道路5公里"]


def test_a_column_header_stored_for_one_role_can_be_given_to_another(tmp_path, run):
    # duban took 主要内容 for the plan; the clerk says it is the items' column.
    header = ["序号", "目标名称", "主要内容", "牵头单位"]
    rows = [[1, "一、稳增长", "地区生产总值增长6%", "区发改局"], [2, "二、惠民生", "城镇新增就业3000人", "区人社局"]]
    table = write_table(tmp_path / "目标.xlsx", header, rows)
    code, _ = run("init", tmp_path / "ws", "--from", table, "--column", "title=目标名称")
    assert code == 0
    assert config(tmp_path / "ws")["mapping"]["plan"] == "主要内容"
    code, out = run("import", table, "-w", tmp_path / "ws", "--column", "事项=主要内容")
    assert code == 0, out
    assert [it.title for it in ledger_items(tmp_path / "ws")] == ["地区生产总值增长6%", "城镇新增就业3000人"]


@pytest.mark.parametrize("key, role", [("事项", "title"), ("配合单位", "cooperating"), ("参与单位", "cooperating"),
                                       ("title", "title"), ("Lead_Unit", "lead_unit"), ("责任单位", "lead_unit"),
                                       ("工作目标", "plan"), ("分 管 领 导", "leader"), ("进展", None)])
def test_a_column_key_is_a_role_label_a_synonym_or_the_english_name(key, role):
    assert role_named(key) == role


def test_a_synonym_key_names_the_co_units_column(tmp_path, run):
    header = ["序号", "目标名称", "牵头单位", "参与单位", "完成时限"]
    rows = [[1, "建成区级养老服务中心", "区民政局", "区卫健局、区财政局", "2023年底"]]
    table = write_table(tmp_path / "目标.xlsx", header, rows)
    code, out = run("init", tmp_path / "ws", "--from", table, "--column", "title=目标名称", "--column", "配合单位=参与单位")
    assert code == 0, out
    assert ledger_items(tmp_path / "ws")[0].cooperating == ["区卫健局", "区财政局"]
    assert config(tmp_path / "ws")["mapping"]["cooperating"] == "参与单位"


@pytest.mark.parametrize("option, words", [("进展=当前进度", ["进展", "事项", "牵头单位", "协办单位"]),
                                           ("民生实事", ["含义=表头中的列名"]),
                                           ("事项=", ["含义=表头中的列名"])])
def test_a_bad_column_option_exits_2_and_says_what_key_may_be(tmp_path, minsheng, run, option, words):
    code, out = run("init", tmp_path / "ws", "--from", minsheng, "--column", option)
    assert code == 2
    assert all(w in out for w in words), out
    assert not (tmp_path / "ws").exists()


def test_a_column_naming_a_header_the_table_does_not_have_is_refused(tmp_path, minsheng_ws, minsheng, run):
    before = (minsheng_ws / "duban.toml").read_text(encoding="utf-8")
    code, out = run("import", minsheng, "-w", minsheng_ws, "--column", "完成时限=完成时间")
    assert code == 2 and "完成时间" in out and "第3行" in out and "当前进度" in out
    assert (minsheng_ws / "duban.toml").read_text(encoding="utf-8") == before


def test_one_header_given_two_meanings_is_refused(tmp_path, minsheng, run):
    code, out = run("init", tmp_path / "ws", "--from", minsheng, "--column", "事项=民生实事", "--column", "工作目标=民生实事")
    assert code == 2 and "一列只能有一种含义" in out


def test_the_header_compares_without_white_space(tmp_path, minsheng, run):
    code, out = run("init", tmp_path / "ws", "--from", minsheng, "--column", "事项=民 生 实 事", "--column", "工作目标=工 作 标 准")
    assert code == 0, out
    assert config(tmp_path / "ws")["mapping"]["plan"] == "工作标准"


# -- 2. what import understood ---------------------------------------------------------------------


def test_import_says_which_header_row_it_found_and_what_each_column_was_taken_for(tmp_path, minsheng, run):
    code, out = run("init", tmp_path / "ws", "--from", minsheng, "--column", "事项=民生实事")
    assert code == 0, out
    flat = out.replace("\n", "")
    assert "表头：第3行" in flat
    for shown in ("民生实事→事项", "完成时限→完成时限", "责任单位→牵头单位", "当前进度→（保留为附加列）",
                  "工作标准→工作目标", "区政府分管领导→分管领导"):
        assert shown in flat, shown
    assert "没有找到的列" not in flat  # 实施单位 and 协办单位 are not columns every table has


def test_import_json_has_the_header_row_and_each_column_s_role(minsheng_ws, minsheng, run):
    code, out = run("import", minsheng, "-w", minsheng_ws, "--json")
    assert code == 0
    assert out["header_row"] == 3
    assert {(c["header"], c["role"]) for c in out["columns"]} == {
        ("序号", "number"), ("民生实事", "title"), ("工作标准", "plan"), ("完成时限", "deadline"),
        ("区政府分管领导", "leader"), ("责任单位", "lead_unit"), ("当前进度", None), ("备注", None)}
    assert out["roles_not_found"] == ["implementing", "cooperating"]
    assert set(out["columns"][0]) == {"column", "header", "role"}


def test_the_columns_are_shown_with_their_letters_and_a_missing_column_with_what_to_type(tmp_path):
    header = ["序号", "民生实事", "工作标准", "区政府分管领导", "责任单位", "当前进度"]
    rows = [[1, "新建改造城市公厕20座", "全部免费开放", "王旭锋", "区城管局", "已完成选址12处"]]
    bd = read_breakdown(write_table(tmp_path / "无时限.xlsx", header, rows))
    lines = understood_lines(bd)
    assert lines[0] == ("表头：第3行。A 序号→序号，B 民生实事→事项，C 工作标准→工作目标，D 区政府分管领导→分管领导，"
                        "E 责任单位→牵头单位，F 当前进度→（保留为附加列）")
    assert lines[1] == "没有找到的列：完成时限。表中若有这样的列，请指明后重新导入，例如："
    assert lines[2] == "  duban import 无时限.xlsx --column 完成时限=表头中的列名"


# -- 3. the summary's columns ----------------------------------------------------------------------


def summary_sheet(ws_dir, run, tmp_path):
    out_path = tmp_path / "汇总.xlsx"
    code, out = run("summary", "-w", ws_dir, "--round", "2023-04-03", "-o", out_path)
    assert code in (0, 1), out
    return openpyxl.load_workbook(out_path)["完成情况汇总表"]


def test_the_summary_s_default_columns_work_whatever_the_table_called_its_columns(minsheng_ws, run, tmp_path):
    sheet = summary_sheet(minsheng_ws, run, tmp_path)
    _, header = header_of(sheet)
    assert header == ["序号", "民生实事", "工作标准", "责任单位", "完成情况", "完成时限"]
    assert any(sheet.cell(r, 2).value == "新建改造城市公厕20座" for r in range(1, sheet.max_row + 1))


def _set_summary_columns(ws_dir, columns: list[str]) -> None:
    path = ws_dir / "duban.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("columns = []")
    path.write_text(text[:start] + "columns = " + str(columns).replace("'", '"') + text[start + len("columns = []"):], encoding="utf-8")


def test_summary_columns_may_name_the_table_s_own_headers(minsheng_ws, run, tmp_path):
    _set_summary_columns(minsheng_ws, ["序号", "民生实事", "工 作 标 准", "区政府分管领导", "责任单位", "完成情况",
                                       "当前进度", "备注（分解表）", "备注"])
    sheet = summary_sheet(minsheng_ws, run, tmp_path)
    r, header = header_of(sheet)
    assert header[:3] == ["序号", "民生实事", "工 作 标 准"] and header[-3:] == ["当前进度", "备注（分解表）", "备注"]
    row = next(x for x in range(r + 1, sheet.max_row + 1) if sheet.cell(x, 2).value == "新建改造城市公厕20座")
    assert sheet.cell(row, 4).value == "王旭锋"
    assert sheet.cell(row, 7).value == "已完成选址12处"
    assert sheet.cell(row, 8).value == "区财政保障"  # the table's own 备注
    assert sheet.cell(row, 9).value in (None, "")  # the units' 备注: nobody reported yet


def test_a_summary_column_that_is_neither_duban_s_nor_the_table_s_lists_the_table_s_own(minsheng_ws, run, tmp_path):
    _set_summary_columns(minsheng_ws, ["序号", "事项名头"])
    code, out = run("summary", "-w", minsheng_ws, "--round", "2023-04-03", "-o", tmp_path / "x.xlsx")
    assert code == 2 and "事项名头" in out and "民生实事" in out and "当前进度" in out


# -- 4. a table's own column that shares a report field's header --------------------------------------


def test_the_table_s_own_remarks_column_keeps_a_header_of_its_own_in_the_master(minsheng_ws):
    sheet = openpyxl.load_workbook(minsheng_ws / "master.xlsx")["总台账"]
    r, header = header_of(sheet, "键")
    assert header.count("备注") == 1 and header.count("备注（分解表）") == 1
    assert header.index("备注（分解表）") < header.index("进展情况") < header.index("备注")
    row = next(x for x in range(r + 1, sheet.max_row + 1) if sheet.cell(x, header.index("民生实事") + 1).value == "新建改造城市公厕20座")
    assert sheet.cell(row, header.index("备注（分解表）") + 1).value == "区财政保障"
    assert sheet.cell(row, header.index("备注") + 1).value in (None, "")


def _write_master_cell(ws_dir, title: str, header_text: str, value: str) -> str:
    path = ws_dir / "master.xlsx"
    wb = openpyxl.load_workbook(path)
    sheet = wb["总台账"]
    r, header = header_of(sheet, "键")
    row = next(x for x in range(r + 1, sheet.max_row + 1) if sheet.cell(x, header.index("民生实事") + 1).value == title)
    sheet.cell(row, len(header) - header[::-1].index(header_text)).value = value  # the rightmost such column
    wb.save(path)
    return sheet.cell(row, 1).value


def test_the_master_parser_reads_the_units_remarks_not_the_table_s(minsheng_ws, minsheng, run):
    key = _write_master_cell(minsheng_ws, "新建改造城市公厕20座", "备注", "督查室：请补充照片")
    ws = Workspace(minsheng_ws)
    view = read_master(ws.master_path, ws.config())
    assert view.value(key, "备注") == "督查室：请补充照片"
    assert "备注（分解表）" not in view.columns and "当前进度" not in view.columns
    code, out = run("import", minsheng, "-w", minsheng_ws)  # a rewrite keeps each where it was
    assert code == 0, out
    sheet = openpyxl.load_workbook(minsheng_ws / "master.xlsx")["总台账"]
    r, header = header_of(sheet, "键")
    assert header.count("备注") == 1 and header.count("当前进度") == 1
    row = next(x for x in range(r + 1, sheet.max_row + 1) if sheet.cell(x, 1).value == key)
    assert sheet.cell(row, header.index("备注") + 1).value == "督查室：请补充照片"
    assert sheet.cell(row, header.index("备注（分解表）") + 1).value == "区财政保障"


def test_a_master_written_with_two_remarks_headers_still_reads_the_units_one(minsheng_ws):
    # The master as duban wrote it before: the table's 备注 under the same header as the units'.
    path = minsheng_ws / "master.xlsx"
    wb = openpyxl.load_workbook(path)
    sheet = wb["总台账"]
    r, header = header_of(sheet, "键")
    sheet.cell(r, header.index("备注（分解表）") + 1).value = "备注"
    wb.save(path)
    key = _write_master_cell(minsheng_ws, "改造老旧小区15个", "备注", "已核实")
    ws = Workspace(minsheng_ws)
    view = read_master(path, ws.config())
    assert view.value(key, "备注") == "已核实"
    assert "当前进度" not in view.columns  # the table's columns left of the report columns are not report columns
    assert set(view.report_cells()[key]) == {"备注"}


def test_a_progress_table_s_own_report_like_columns_are_marked_in_the_master(tmp_path, run):
    header = ["序号", "项目内容", "责任单位", "完成时限", "进展情况", "存在问题"]
    rows = [[1, "建设污水处理厂", "区水务局", "2023年底", "土建完成60%", "征地滞后"]]
    table = write_table(tmp_path / "进度表.xlsx", header, rows, title="2023年重点项目进度表")
    code, out = run("init", tmp_path / "ws", "--from", table, "--column", "事项=项目内容")
    assert code == 0, out
    sheet = openpyxl.load_workbook(tmp_path / "ws" / "master.xlsx")["总台账"]
    _, header = header_of(sheet, "键")
    assert "进展情况（分解表）" in header and "存在问题（分解表）" in header
    assert header.count("进展情况") == 1 and header.count("存在问题") == 1
    assert header.index("进展情况（分解表）") < header.index("进展情况")
