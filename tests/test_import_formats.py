"""`duban import`: the same breakdown in every file format an office receives, sheet choice,
and the inputs that must be refused. Fixtures: tests/fixtures/make_import_fixtures.py."""
import re
from pathlib import Path

import pytest

from toolkit.core.errors import BadInputError
from toolkit.importing.breakdown import read_breakdown

FIX = Path(__file__).parent / "fixtures" / "import"

BASIC_FILES = ["basic.xlsx", "basic.xls", "basic.ods", "basic.xlsm",
               "basic_utf8.csv", "basic_gbk.csv", "basic.tsv", "basic_table.docx"]
ITEM_FIELDS = ("number", "title", "star", "plan", "deadline", "leader", "units", "lead_unit",
               "implementing", "cooperating", "category", "subcategory", "leader_group", "extras")

ZJ_MAPPING = {"number": "序号", "title": "事项", "plan": "季度工作目标", "deadline": "完成时限",
              "leader": "市政府分管领导", "lead_unit": "牵头单位",
              "implementing": "实施单位（承办单位）", "cooperating": "协办单位"}


def read(name, **kw):
    return read_breakdown(FIX / name, **kw)


def view(item):
    """Everything an item carries except its row number."""
    v = {f: getattr(item, f) for f in ITEM_FIELDS}
    v["subrows"] = [(s.plan, s.deadline, s.units) for s in item.subrows]
    return v


def mapped(bd):
    return {role: text for role, text in bd.mapping.items() if text}


# --------------------------------------------------------------------------- basic.xlsx in detail
def test_basic_numbers_titles_and_rows():
    bd = read("basic.xlsx")
    # no title: the year is the deadlines' (2022年12月)
    assert (bd.title, bd.year, bd.year_from, bd.sheet, bd.header_row) == ("", 2022, "deadlines", "分解表", 1)
    assert [(i.number, i.row) for i in bd.items] == [("1", 2), ("2", 3), ("3", 4), ("4", 5), ("5", 6)]
    assert [i.title for i in bd.items] == [
        "初步安排重点项目472个，总投资7971.78亿元，年度计划投资1096.31亿元",
        "动工建设廉江清洁能源项目主体工程",
        "推进乌石17-2油田群开发",
        "开工建设湛江港宝满港区铁路专用线",
        "开工建设湛江港东海岛港区疏港铁路专用线",
    ]
    assert bd.findings == []


def test_basic_mapping():
    assert mapped(read("basic.xlsx")) == ZJ_MAPPING


def test_basic_plan_deadline_leader():
    bd = read("basic.xlsx")
    assert bd.items[0].plan == ("第一季度：完成年度投资计划的25%。第二季度：累计完成年度投资计划的50%。"
                                "第三季度：累计完成年度投资计划的75%。第四季度：累计完成年度投资计划的100%。")
    assert {i.deadline for i in bd.items} == {"2022年12月"}
    assert {i.leader for i in bd.items} == {"黄明忠"}
    assert all(not i.star and i.subrows == [] and i.extras == {} for i in bd.items)
    assert all(i.category is None and i.subcategory is None and i.leader_group is None for i in bd.items)


def test_basic_units_split():
    items = read("basic.xlsx").items
    assert [(i.units, i.lead_unit) for i in items] == [(["市发展改革局"], "市发展改革局")] * 5
    assert [i.implementing for i in items] == [
        ["各项目建设单位"], ["国核湛江核电有限公司"], ["中海石油（中国）有限公司湛江分公司"],
        ["省铁路投资集团有限公司"], ["省铁路投资集团有限公司"]]
    # 、 inside （市、区） does not split; ， splits like 、
    assert items[0].cooperating == ["各县（市、区）政府（管委会）", "市直有关单位"]
    assert items[1].cooperating == ["廉江市政府", "市自然资源局", "市生态环境局", "市交通运输局",
                                    "中林集团雷州林业局有限公司"]
    assert items[3].cooperating[-1] == "湛江港（集团）股份有限公司"


def test_basic_unit_list_in_order_of_first_appearance():
    assert read("basic.xlsx").units == [
        "市发展改革局", "各项目建设单位", "各县（市、区）政府（管委会）", "市直有关单位",
        "国核湛江核电有限公司", "廉江市政府", "市自然资源局", "市生态环境局", "市交通运输局",
        "中林集团雷州林业局有限公司", "中海石油（中国）有限公司湛江分公司", "雷州市政府",
        "省铁路投资集团有限公司", "霞山区政府", "麻章区政府", "市交通建设指挥部",
        "湛江港（集团）股份有限公司", "湛江经开区管委会"]


# --------------------------------------------------------------------------- all formats agree
@pytest.mark.parametrize("name", BASIC_FILES)
def test_every_basic_format_gives_the_same_items(name):
    ref = read("basic.xlsx")
    bd = read(name)
    assert [view(i) for i in bd.items] == [view(i) for i in ref.items]
    assert bd.units == ref.units
    assert mapped(bd) == ZJ_MAPPING
    assert bd.findings == []


@pytest.mark.parametrize("name", BASIC_FILES)
def test_every_basic_format_header_row_and_item_rows(name):
    bd = read(name)
    assert bd.header_row == 1
    assert [i.row for i in bd.items] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize("name, sheet", [
    ("basic.xlsx", "分解表"), ("basic.xls", "分解表"), ("basic.ods", "分解表"), ("basic.xlsm", "分解表"),
    ("basic_utf8.csv", ""), ("basic_gbk.csv", ""), ("basic.tsv", ""), ("basic_table.docx", "表格1")])
def test_sheet_name_reported(name, sheet):
    assert read(name).sheet == sheet


# --------------------------------------------------------------------------- choosing the sheet
def test_prose_sheet_skipped_for_the_first_table_sheet():
    bd = read("second_sheet.xlsx")
    assert (bd.sheet, bd.header_row, bd.title, bd.year) == (
        "分解表", 2, "2022年市《政府工作报告》重点督办事项分解表", 2022)
    assert [i.number for i in bd.items] == ["45", "46", "47"]
    assert [i.implementing for i in bd.items] == [
        ["湛江港（集团）股份有限公司"], ["湛江经开区管委会"], ["湛江港国际集装箱码头有限公司"]]


def test_sheet_option_picks_the_named_sheet():
    bd = read("second_sheet.xlsx", sheet="民生实事")
    assert (bd.sheet, bd.header_row, bd.title) == ("民生实事", 2, "2022年市10件民生实事责任分工表")
    assert [(i.number, i.title) for i in bd.items] == [
        ("4", "加强困难群众生活保障"), ("5", "实施兜底民生服务社会工作“双百工程”全覆盖")]
    assert bd.items[1].cooperating == ["市人力资源社会保障局", "市妇联", "市残联"]
    assert mapped(bd)["title"] == "项目名称"


# --------------------------------------------------------------------------- refused inputs
BAD_FILES = ["not_a_table.xlsx", "no_header.xlsx", "encrypted.xlsx", "corrupt_truncated.xlsx",
             "duplicate_number.xlsx", "empty.xlsx"]


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_input_raises_one_chinese_sentence_naming_the_file(name):
    with pytest.raises(BadInputError) as exc:
        read(name)
    msg = str(exc.value)
    assert name in msg
    assert "\n" not in msg.strip()
    assert re.search(r"[\u4e00-\u9fff]", msg)
    assert "Traceback" not in msg


def test_a_word_file_renamed_xlsx_is_read_by_its_content_with_a_warning():
    bd = read("word_renamed.xlsx")
    assert [view(i) for i in bd.items] == [view(i) for i in read("basic.xlsx").items]
    assert [(f.code, f.value) for f in bd.findings] == [("extension-mismatch", ".xlsx")]
    assert "Word" in bd.findings[0].message


def test_encrypted_message_says_to_remove_the_password():
    with pytest.raises(BadInputError, match="密码"):
        read("encrypted.xlsx")
