"""`duban import`: the quirks of real breakdown tables (title rows, messy headers, repeated
headers, merged sub-rows, Heshan categories/groups/nodes, unit lists, notes and junk rows).
Fixtures: tests/fixtures/make_import_fixtures.py (rows taken from the Zhanjiang and Heshan seeds)."""
from pathlib import Path

import pytest

from toolkit.importing.breakdown import read_breakdown

FIX = Path(__file__).parent / "fixtures" / "import"


def read(name, **kw):
    return read_breakdown(FIX / name, **kw)


def mapped(bd):
    return {role: text for role, text in bd.mapping.items() if text}


def found(bd):
    """(code, row) of every finding, in row order."""
    return sorted(((f.code, f.row) for f in bd.findings), key=lambda t: (t[1] or 0, t[0]))


# --------------------------------------------------------------------------- title rows
def test_attachment_line_blank_row_and_title_before_header():
    bd = read("title_rows_and_attachment_line.xlsx")
    assert (bd.title, bd.year, bd.sheet, bd.header_row) == (
        "2022年市《政府工作报告》重点督办事项分解表", 2022, "附件1", 4)
    assert [(i.number, i.row, i.deadline) for i in bd.items] == [
        ("6", 5, "2022年12月"), ("7", 6, "2022年3月"), ("8", 7, "2022年12月")]
    assert bd.items[1].cooperating == ["湛江机场迁建工程建设指挥部办公室", "吴川市政府"]
    assert bd.findings == []


# --------------------------------------------------------------------------- messy header
def test_header_spaces_and_line_breaks_are_ignored_when_mapping():
    bd = read("header_with_spaces_and_linebreaks.xlsx")
    assert bd.header_row == 1
    assert mapped(bd) == {"number": "序号", "title": "事项", "plan": "季度工作目标", "deadline": "完成时限",
                          "leader": "市政府分管领导", "lead_unit": "牵头单位",
                          "implementing": "实施单位（承办单位）", "cooperating": "协办单位"}


def test_leaders_column_not_mistaken_for_lead_unit_and_kept_as_extra():
    items = read("header_with_spaces_and_linebreaks.xlsx").items
    assert [i.lead_unit for i in items] == ["市发展改革局"] * 3
    for i in items:
        assert list(i.extras) == ["牵头单位主要领导和分管领导"]
        assert i.extras["牵头单位主要领导和分管领导"].split() == ["主要领导：李心声", "分管领导：黄丽萍"]


def test_line_breaks_and_spaces_removed_from_titles_and_leaders():
    items = read("header_with_spaces_and_linebreaks.xlsx").items
    assert [i.title for i in items] == ["加快推进深湛铁路机场支线前期工作", "谋划建设河茂铁路西延线",
                                        "全面加快广湛高铁湛江段建设"]
    assert [i.leader for i in items] == ["黄明忠"] * 3
    assert items[0].cooperating == ["吴川市政府", "市自然资源局", "市交通运输局", "市交通投资集团有限公司"]
    assert items[1].cooperating == []


# --------------------------------------------------------------------------- repeated header
def test_repeated_header_rows_skipped_with_warnings():
    bd = read("repeated_header.xlsx")
    assert [(i.number, i.row) for i in bd.items] == [("17", 2), ("18", 3), ("19", 5), ("20", 6), ("21", 8)]
    assert [(f.code, f.severity, f.row) for f in bd.findings] == [
        ("repeated-header", "warning", 4), ("repeated-header", "warning", 7)]


def test_two_lead_units_first_is_lead():
    items = read("repeated_header.xlsx").items
    assert (items[2].units, items[2].lead_unit) == (["市投资促进局", "市旅游控股集团公司"], "市投资促进局")
    assert items[4].cooperating == ["各县（市、区）政府（管委会）", "市公安局", "市市场监督管理局", "广东海洋大学"]


# --------------------------------------------------------------------------- merged sub-rows
MS1_TITLE = "完成桥梁和渡槽安全隐患项目整治"
MS1_PLANS = [
    "负责38座危桥整治。第一季度：开展前期工作。第二季度：开工整治5座危桥。第三季度：累计完成危桥整治20座，开展危桥整治5座。第四季度：完成38座危桥整治。",
    "负责9座渡槽整治。第一季度：累计完成2座渡槽的整治。第二季度：累计完成3座渡槽的整治。第三季度：累计完成5座渡槽的整治。第四季度：累计完成9座渡槽的整治。",
    "负责3座危桥和3座渡槽整治。第一季度：完成项目方案设计及招投标工作。第二季度：完成项目施工。第三季度：完成项目验收工作。",
]


@pytest.mark.parametrize("name, first_row", [
    ("merged_subrows.xlsx", 3), ("merged_subrows.xls", 3), ("merged_subrows.docx", None)])
def test_merged_subrows_make_one_item_with_subrows(name, first_row):
    bd = read(name)
    assert [(i.number, i.title) for i in bd.items] == [
        ("1", MS1_TITLE), ("2", "完成部分自然村村内道路硬化"), ("3", "建成湛江市引调水工程")]
    it = bd.items[0]
    assert (it.plan, it.deadline, it.leader) == (MS1_PLANS[0], "2022年12月", "黄明忠")
    assert (it.units, it.lead_unit) == (["市交通运输局"], "市交通运输局")
    # the first row's own units come first (sub-rows' 实施/协办 units may be added after them)
    assert it.implementing[:2] == ["各县（市、区）政府（管委会）", "市公路事务中心"]
    assert [(s.plan, s.deadline, s.units) for s in it.subrows] == [
        (MS1_PLANS[1], "2022年12月", ["市水务局"]),
        (MS1_PLANS[2], "2022年9月", ["市雷州青年运河管理局"])]
    assert [i.subrows for i in bd.items[1:]] == [[], []]
    assert [i.leader for i in bd.items[1:]] == ["程凤英", "程凤英"]
    assert {"市交通运输局", "市水务局", "市雷州青年运河管理局"} <= set(bd.units)
    assert bd.findings == []
    if first_row is not None:
        assert (bd.title, bd.year, bd.header_row) == ("2022年市10件民生实事责任分工表", 2022, 2)
        assert [it.row] + [s.row for s in it.subrows] + [i.row for i in bd.items[1:]] == [3, 4, 5, 6, 7]


# --------------------------------------------------------------------------- Heshan layout
C1, C2, C3, C4 = "一、重点指标类（2项）", "二、重点项目类（2项）", "三、重点工作类（3项）", "四、民生实事类（2项）"
S1 = "（一）聚焦党的建设，不断夯实干事创业的坚强堡垒（3项）"
G1 = "陈文光常委、市委办主任、市委统战部部长分管工作（共2项）"
G2 = "张镇就常委、市委宣传部部长分管工作（共1项）"


@pytest.fixture(scope="module")
def heshan():
    return read("heshan_categories_groups_nodes.xlsx")


def test_heshan_title_header_and_mapping(heshan):
    assert (heshan.title, heshan.year, heshan.header_row) == ("2022年鹤山市委、市政府重点工作任务分解表", 2022, 2)
    assert mapped(heshan) == {"number": "序号", "title": "项目名称", "plan": "节点计划",
                              "lead_unit": "责任单位", "deadline": "完成时间"}


def test_heshan_items_categories_groups_and_node_counts(heshan):
    assert heshan.categories == [C1, C2, C3, C4]
    assert [(i.number, i.row, i.category, i.subcategory, i.leader_group, i.star, len(i.subrows))
            for i in heshan.items] == [
        ("1", 4, C1, None, None, False, 4),
        ("2", 9, C1, None, None, False, 3),
        ("1", 14, C2, None, None, True, 2),
        ("2", 17, C2, None, None, True, 2),
        ("1", 23, C3, S1, G1, False, 0),
        ("2", 24, C3, S1, G1, False, 3),
        ("3", 29, C3, S1, G2, False, 0),
        ("1", 31, C4, None, None, True, 3),
        ("2", 35, C4, None, None, True, 3),
    ]


def test_heshan_nodes_first_node_on_item_rest_as_subrows(heshan):
    gdp = heshan.items[0]
    assert (gdp.title, gdp.plan, gdp.deadline) == (
        "地区生产总值（GDP）增长10.5%。", "（1）研判分析一季度经济运行中存在的问题和困难，提出下一步工作举措。", "4月底")
    assert [(s.deadline, s.units, s.row) for s in gdp.subrows] == [
        ("5月底", [], 5), ("7月底", [], 6), ("10月底", [], 7), ("12月15日", [], 8)]
    assert gdp.subrows[0].plan == "（2）将GDP核算基础指标涉及的任务逐项分解到市直各部门，落实部门主体责任。"
    assert [(s.plan, s.deadline, s.row) for s in heshan.items[1].subrows][-1] == (
        "（4）工业投资增长15%，争取全年完成155亿元。（市科工商务局牵头）", "", 12)


def test_heshan_units_split_and_no_leader_columns(heshan):
    gdp = heshan.items[0]
    assert gdp.units == ["市发展改革局", "市科工商务局", "市财政局", "市住房城乡建设局", "市农业农村局", "各镇（街）"]
    assert gdp.lead_unit == "市发展改革局"
    assert heshan.items[4].units == ["市委办公室", "各镇（街）党（工）委", "市委各部委办", "市有关单位党委（党组）"]
    assert all(i.implementing == [] and i.cooperating == [] for i in heshan.items)
    assert all(i.leader == "" for i in heshan.items if i.leader_group is None)  # no leader column


def test_heshan_star_stripped_from_title(heshan):
    assert heshan.items[2].title == "欧达可精机（鹤山）有限公司生产手机、电视、3G电子产品零部件项目。"
    assert heshan.items[7].title == "推动职业教育发展，完成职教园区鹤山职校新校区建设。"


def test_heshan_unit_list(heshan):
    assert heshan.units == [
        "市发展改革局", "市科工商务局", "市财政局", "市住房城乡建设局", "市农业农村局", "各镇（街）",
        "市教育局", "市交通运输局", "市水利局", "市卫生健康局", "市城市管理综合执法局", "市珠西物流管委会",
        "市工业城管委会", "市委办公室", "各镇（街）党（工）委", "市委各部委办", "市有关单位党委（党组）",
        "市人大机关", "市政府办公室", "市政协机关", "市直各单位", "市委宣传部", "市委组织部", "市委党校",
        "沙坪街道"]


def test_heshan_notes_at_end_are_notes_and_counts_match(heshan):
    assert found(heshan) == [("note-row", 39), ("note-row", 40)]


def test_count_mismatch_reported_on_the_category_row():
    bd = read("count_mismatch.xlsx")
    assert [i.number for i in bd.items] == ["1", "2", "1"]
    assert bd.categories == ["一、重点指标类（3项）", "二、重点项目类（1项）"]
    assert [(f.code, f.severity, f.row, f.value) for f in bd.findings] == [
        ("count-mismatch", "warning", 3, "一、重点指标类（3项）")]


# --------------------------------------------------------------------------- unit lists
@pytest.fixture(scope="module")
def unit_lists():
    return read("unit_lists.xlsx")


def test_units_split_on_dunhao_comma_semicolon_and_line_breaks(unit_lists):
    items = unit_lists.items
    three = ["市发展改革局", "市生态环境局", "市应急管理局"]
    assert items[0].cooperating == three          # line breaks
    assert items[1].cooperating == three          # ；
    assert items[1].units == ["市工业和信息化局", "湛江经开区管委会"]  # ，
    assert items[0].units == ["市工业和信息化局", "湛江经开区管委会"]  # 、
    assert items[1].lead_unit == "市工业和信息化局"


def test_unit_broken_by_line_break_stays_one_unit(unit_lists):
    assert unit_lists.items[3].cooperating == ["市自然资源局", "市生态环境局", "市投资促进局", "市钢铁石化项目建设协调小组"]


def test_inner_spaces_and_break_after_separator(unit_lists):
    it = unit_lists.items[2]
    assert (it.units, it.lead_unit) == (["市工业和信息化局"], "市工业和信息化局")
    assert it.cooperating == ["市发展改革局", "市生态环境局", "市自然资源局", "市交通运输局"]


def test_parenthesised_dunhao_not_split(unit_lists):
    assert unit_lists.items[4].cooperating == ["各县（市、区）政府（管委会）", "市直有关单位"]


def test_leader_spaces_removed_and_star_flag(unit_lists):
    items = unit_lists.items
    assert [i.leader for i in items] == ["李汉东", "李汉东", "李汉东", "曹兴", "陈峻华"]
    assert [(i.number, i.star) for i in items] == [("30", False), ("31", True), ("32", False), ("34", False), ("92", False)]
    assert items[1].title == "推动宝钢湛江钢铁氢基竖炉项目开工"


def test_unit_lists_all_units(unit_lists):
    assert unit_lists.units == [
        "市工业和信息化局", "湛江经开区管委会", "宝钢湛江钢铁有限公司", "市发展改革局", "市生态环境局",
        "市应急管理局", "市自然资源局", "市交通运输局", "雷州市政府", "湛江奋勇高新区管委会", "市投资促进局",
        "市钢铁石化项目建设协调小组", "各县（市、区）政府（管委会）", "市直有关单位"]
    assert unit_lists.findings == []


# --------------------------------------------------------------------------- synonyms
def test_synonym_headers_mapped():
    bd = read("synonyms_alt_headers.xlsx")
    assert mapped(bd) == {"number": "序号", "title": "工作任务", "plan": "目标任务", "deadline": "时间节点",
                          "leader": "分管市领导", "lead_unit": "主办单位", "implementing": "承办单位",
                          "cooperating": "配合单位"}
    assert [(i.number, i.lead_unit, i.implementing, i.deadline) for i in bd.items] == [
        ("40", "市民政局", ["各县（市、区）政府（管委会）"], "2022年12月"),
        ("43", "市政务服务数据管理局", ["中国电信股份有限公司广东分公司"], "2022年6月"),
        ("44", "市政务服务数据管理局", ["数字广东网络建设有限公司"], "2022年12月")]
    assert bd.items[1].plan == "第一季度：完成设备采购。第二季度：完成项目建设。"
    assert bd.items[1].title == "推进政务外网IPv6升级改造"
    assert {i.leader for i in bd.items} == {"李汉东"}
    assert bd.findings == []


# --------------------------------------------------------------------------- notes, blanks, junk
def test_blank_rows_skipped_junk_row_and_note_reported():
    bd = read("notes_and_blank_rows.xlsx")
    assert [(i.number, i.row) for i in bd.items] == [("48", 2), ("49", 4), ("50", 6), ("51", 9)]
    assert found(bd) == [("unrecognised-row", 5), ("note-row", 10)]
    junk = [f for f in bd.findings if f.code == "unrecognised-row"][0]
    assert (junk.severity, junk.value) == ("warning", "（此页无正文）")


def test_note_and_junk_do_not_leak_into_items():
    items = read("notes_and_blank_rows.xlsx").items
    assert items[1].subrows == [] and items[3].subrows == []
    assert items[3].cooperating == ["市交通建设指挥部"]
    assert items[3].plan == ("第一季度：完成项目年度投资14008万元。第二季度：累计完成年度投资24292万元。"
                             "第三季度：累计完成年度投资43506万元。第四季度：累计完成年度投资62999万元。")


def test_missing_lead_unit_is_a_warning_not_an_error():
    bd = read("missing_lead_unit.xlsx")
    assert [i.number for i in bd.items] == ["59", "60", "61"]
    assert (bd.items[1].units, bd.items[1].lead_unit) == ([], "")
    assert bd.items[0].implementing == []
    assert [(f.code, f.severity, f.row) for f in bd.findings] == [("missing-lead-unit", "warning", 3)]
