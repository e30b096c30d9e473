"""Unit lists and leader lists read the way the table means them (issue 13).

The wordings are real: the issue's tables from other places (湛江机场↵迁建办, 海东新区↵管委会,
五星街道↵南大街街道↵荷花池街道, 各街道↵市国有公司, 王旭锋↵胡金芳↵王行杰), and the unit and
leader columns of seed 000 (Zhanjiang, cells wrapped by PDF extraction into spaces) and seed
002 (Heshan, units separated by spaces)."""

from __future__ import annotations

import pytest

from toolkit.core.units import Ambiguity, leader_key, people, read_unit_list, split_units, unit_vocabulary
from toolkit.importing.breakdown import read_breakdown
from toolkit.importing.run import import_table, init_workspace


def units(text, known=frozenset()):
    got, ambiguities = read_unit_list(text, known)
    assert ambiguities == [], ambiguities
    return got


# --------------------------------------------------------------------------- glued back together
@pytest.mark.parametrize("text, expected", [
    ("海东新区\n管委会", ["海东新区管委会"]),
    ("雷州市\n政府", ["雷州市政府"]),
    ("湛江经开区\n管理委员会\n市财政局", ["湛江经开区管理委员会", "市财政局"]),
    ("市创文工作\n领导小组办公室", ["市创文工作领导小组办公室"]),
    ("市交通建设\n指挥部", ["市交通建设指挥部"]),
])
def test_a_piece_that_only_names_a_kind_of_body_continues_the_name_before(text, expected):
    assert units(text) == expected


@pytest.mark.parametrize("text, expected", [  # seed 000, cells wrapped into spaces
    ("赤坎区政府、霞 山区政府、廉江 市政府、遂溪县 政府、市交通建 设指挥部",
     ["赤坎区政府", "霞山区政府", "廉江市政府", "遂溪县政府", "市交通建设指挥部"]),
    ("各县(市、区) 政府(管委会)、 市直有关单位", ["各县(市、区)政府(管委会)", "市直有关单位"]),
    ("霞山区政府、市 旅游控股集团 有限公司", ["霞山区政府", "市旅游控股集团有限公司"]),
    ("湛江港(集团) 股份有限公司", ["湛江港(集团)股份有限公司"]),
    ("市自然资源局、 坡头区政府、湛 江经开区管委 会", ["市自然资源局", "坡头区政府", "湛江经开区管委会"]),
    ("广东医科大学 附属第二医院", ["广东医科大学附属第二医院"]),
    ("湛江机场迁建 工程建设指挥 部办公室、吴川 市政府", ["湛江机场迁建工程建设指挥部办公室", "吴川市政府"]),
])
def test_seed_000_wrapped_names_that_were_split_at_a_kind_word_are_whole(text, expected):
    assert units(text) == expected


def test_seed_002_a_group_and_its_member_units_are_one_entry():
    assert units("市农业农村局 驻龙州县协作工作组 市粤桂协作领导小组 成员单位") == [
        "市农业农村局", "驻龙州县协作工作组", "市粤桂协作领导小组成员单位"]


# --------------------------------------------------------------------------- split apart
@pytest.mark.parametrize("text, expected", [
    ("五星街道\n南大街街道\n荷花池街道", ["五星街道", "南大街街道", "荷花池街道"]),
    ("各街道\n市国有公司", ["各街道", "市国有公司"]),
    ("某某乡\n某某镇", ["某某乡", "某某镇"]),
])
def test_a_list_wrapped_one_unit_per_line_is_several_units(text, expected):
    assert units(text) == expected


@pytest.mark.parametrize("text, expected", [  # seed 002: 街道 and 机关 ended no unit, so two were glued
    ("市教育局 沙坪街道 雅瑶镇 鹤城镇 址山镇", ["市教育局", "沙坪街道", "雅瑶镇", "鹤城镇", "址山镇"]),
    ("沙坪街道 市财政局", ["沙坪街道", "市财政局"]),
    ("市委办公室 市人大机关 市政府办公室 市政协机关 市直各单位 各镇（街）",
     ["市委办公室", "市人大机关", "市政府办公室", "市政协机关", "市直各单位", "各镇（街）"]),
])
def test_seed_002_space_separated_lists_split_after_街道_and_机关(text, expected):
    assert units(text) == expected


def test_existing_readings_hold():
    assert units("各县（市、区）政府（管委会）、市直有关单位；市财政局，市税务局") == [
        "各县（市、区）政府（管委会）", "市直有关单位", "市财政局", "市税务局"]
    assert units("市钢铁石化项目\n建设协调小组\n市发展改革局") == ["市钢铁石化项目建设协调小组", "市发展改革局"]
    assert units("市 发展改革局 市科工商务局  各镇（街）") == ["市发展改革局", "市科工商务局", "各镇（街）"]
    assert units("赤坎区、霞山区、遂溪县政府") == ["赤坎区政府", "霞山区政府", "遂溪县政府"]
    assert split_units("市水务局 (市河长 办)、市财政局") == ["市水务局(市河长办)", "市财政局"]


# --------------------------------------------------------------------------- the table's vocabulary
def test_a_name_written_whole_elsewhere_in_the_table_joins_what_the_endings_would_split():
    cell = "各县(市、区) 政府(管委 会),市人力资 源社会保障 局、市生态环 境局、市市场 监督管理局"  # seed 000
    assert units(cell)[-2:] == ["市市场", "监督管理局"]  # 市场 ends like a unit name
    table = unit_vocabulary([cell, "市商务局、市市场监督管理局"])
    assert units(cell, table)[-1] == "市市场监督管理局"


def test_the_vocabulary_holds_one_line_pieces_that_end_like_a_unit_name():
    assert unit_vocabulary(["市财政局、湛江经开区管 委会", "市城市管理和、市场", "管委会", "湛江机场\n迁建办"],
                           names=["迁建办"]) == {"市财政局", "迁建办"}


def test_a_wrapped_name_is_not_split_between_two_pieces_only_one_of_which_is_known():
    known = unit_vocabulary(["综合执法局"])
    assert units("市城市管理和 综合执法局", known) == ["市城市管理和综合执法局"]


# --------------------------------------------------------------------------- ambiguity
def test_a_short_office_piece_is_joined_and_the_other_reading_reported():
    got, ambiguities = read_unit_list("湛江机场\n迁建办")
    assert got == ["湛江机场迁建办"]
    assert ambiguities == [Ambiguity("湛江机场\n迁建办", ["湛江机场迁建办"], ["湛江机场", "迁建办"])]


def test_an_office_piece_after_half_a_name_or_with_a_place_prefix_is_not_ambiguous():
    assert units("湛江机场迁\n建办") == ["湛江机场迁建办"]  # 湛江机场迁 cannot stand alone
    assert units("湛江机场\n市迁建办") == ["湛江机场", "市迁建办"]  # 市… names a unit of its own


@pytest.mark.parametrize("known, expected", [
    ({"湛江机场迁建办"}, ["湛江机场迁建办"]),  # the joined name
    ({"湛江机场", "迁建办"}, ["湛江机场", "迁建办"]),  # both halves
    ({"湛江机场迁建办", "湛江机场", "迁建办"}, ["湛江机场迁建办"]),  # a known join wins
])
def test_a_units_xlsx_name_or_alias_settles_the_reading(known, expected):
    assert units("湛江机场\n迁建办\n吴川市政府", frozenset(known)) == expected + ["吴川市政府"]


def test_one_known_half_does_not_settle_it():
    got, ambiguities = read_unit_list("湛江机场\n迁建办", frozenset({"湛江机场"}))
    assert got == ["湛江机场迁建办"] and len(ambiguities) == 1


def test_the_finding_names_the_cell_both_readings_and_what_settles_it():
    (amb,) = read_unit_list("湛江机场\n迁建办")[1]
    f = amb.finding(row=5, column="牵头单位")
    assert (f.code, f.severity, f.row, f.column) == ("unit-split-ambiguous", "warning", 5, "牵头单位")
    for words in ("第5行", "牵头单位", "湛江机场 迁建办", "“湛江机场迁建办”", "“湛江机场、迁建办”",
                  "在 units.xlsx 中把正确的单位名称或别名填上后重新导入"):
        assert words in f.message, (words, f.message)


# --------------------------------------------------------------------------- people
@pytest.mark.parametrize("text, expected", [
    ("王旭锋\n胡金芳\n王行杰", ["王旭锋", "胡金芳", "王行杰"]),
    ("陈峻华 杨杰东", ["陈峻华", "杨杰东"]),  # seed 000
    ("曹  兴", ["曹兴"]),
    ("黄明忠", ["黄明忠"]),
    ("王旭锋、胡金芳；王行杰", ["王旭锋", "胡金芳", "王行杰"]),
    ("谭晓滨副市长、市公安局局长", ["谭晓滨副市长、市公安局局长"]),
    ("谭晓滨 副市长", ["谭晓滨副市长"]),
    ("常务副市长 王五", ["常务副市长王五"]),
    ("", []),
])
def test_a_leader_cell_is_a_list_of_people_with_their_titles(text, expected):
    assert people(text) == expected


# --------------------------------------------------------------------------- through import
def _table(path, rows):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("分解表")
    ws.write_row(0, 0, ["2021年民生实事项目责任分解表"])
    for r, row in enumerate([["序号", "事项", "牵头单位", "协办单位", "市政府分管领导", "完成时限"], *rows], start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return path


ROWS = [
    ["1", "机场迁建", "湛江机场\n迁建办", "海东新区\n管委会", "王旭锋\n胡金芳\n王行杰", "2021年12月"],
    ["2", "街道改造", "五星街道\n南大街街道\n荷花池街道", "各街道\n市国有公司", "曹  兴", "2021年6月底"],
]


def test_import_reads_the_cells_and_reports_the_ambiguity_with_its_row_and_column(tmp_path):
    bd = read_breakdown(_table(tmp_path / "t.xlsx", ROWS))
    one, two = bd.items
    assert (one.units, one.cooperating, one.leader) == (["湛江机场迁建办"], ["海东新区管委会"], "王旭锋、胡金芳、王行杰")
    assert (two.units, two.cooperating, two.leader) == (
        ["五星街道", "南大街街道", "荷花池街道"], ["各街道", "市国有公司"], "曹兴")
    assert [(f.code, f.row, f.column, f.value) for f in bd.findings] == [
        ("unit-split-ambiguous", 3, "牵头单位", "湛江机场 迁建办")]


def test_import_with_the_name_written_whole_in_another_row_has_no_finding(tmp_path):
    bd = read_breakdown(_table(tmp_path / "t.xlsx", ROWS + [["3", "迁建收尾", "湛江机场迁建办", "", "", ""]]))
    assert bd.items[0].units == ["湛江机场迁建办"] and bd.findings == []


@pytest.mark.parametrize("units_xlsx, expected", [
    ([("湛江机场", ""), ("湛江机场迁建工程建设指挥部办公室", "迁建办")], ["湛江机场", "迁建办"]),
    ([("湛江机场迁建工程建设指挥部办公室", "湛江机场迁建办")], ["湛江机场迁建办"]),
])
def test_import_table_takes_units_xlsx_names_and_aliases_as_known(tmp_path, units_xlsx, expected):
    import xlsxwriter

    ws, _ = init_workspace(tmp_path / "ws")
    wb = xlsxwriter.Workbook(str(ws.units_path))
    sheet = wb.add_worksheet("单位通讯录")
    sheet.write_row(0, 0, ["单位名称", "别名"])
    for r, row in enumerate(units_xlsx, start=1):
        sheet.write_row(r, 0, row)
    wb.close()
    result = import_table(ws, _table(tmp_path / "t.xlsx", ROWS))
    assert result.items[0].units == expected
    assert [f for f in result.findings if f.code == "unit-split-ambiguous"] == []


# -- rules found on other places' tables (tests/fixtures/realtables) ------------------------------
@pytest.mark.parametrize("cell, units", [
    ("市政\n府办\n公厅", ["市政府办公厅"]),            # 长沙 2012: a narrow 牵头单位 column
    ("长沙\n先导\n区管委会", ["长沙先导区管委会"]),
    ("残联\n妇联\n团委", ["残联", "妇联", "团委"]),    # two-character units one per line: a list
])
def test_a_name_wrapped_by_a_narrow_column_is_joined_and_a_list_of_short_names_is_not(cell, units):
    assert read_unit_list(cell)[0] == units


@pytest.mark.parametrize("cell, units", [
    ("审计局、财政局和市直各单位、各区县市", ["审计局", "财政局", "市直各单位", "各区县市"]),  # 长沙 2012
    ("环保局、岳麓区和市直相关单位", ["环保局", "岳麓区", "市直相关单位"]),
    ("市人力资源和社会保障局", ["市人力资源和社会保障局"]),   # 和 inside one name
    ("区市场和质量监督管理局", ["区市场和质量监督管理局"]),
    ("各镇党委和政府", ["各镇党委和政府"]),                   # 政府 alone is no unit
])
def test_two_units_joined_by_he_are_two_and_names_with_he_inside_stay_whole(cell, units):
    assert read_unit_list(cell)[0] == units


def test_a_bracket_on_the_unit_s_part_in_the_work_is_a_note_not_part_of_its_name():
    # 岳阳楼区 2018 and 新建区 2024: the bracket says what the unit does
    units, notes = read_unit_list("区统计局(数据统计评估牵头单位)、区财政局")
    assert units == ["区统计局", "区财政局"]
    (note,) = notes
    f = note.finding(row=3, column="相关单位")
    assert (f.code, f.value) == ("unit-role-note", "区统计局") and "数据统计评估牵头单位" in f.message
    assert read_unit_list("区教体局（区国资公司代建）")[0] == ["区教体局"]
    # brackets that belong to the name stay
    assert read_unit_list("各县（市、区）政府（管委会）、湛江港（集团）股份有限公司")[0] == [
        "各县（市、区）政府（管委会）", "湛江港（集团）股份有限公司"]


@pytest.mark.parametrize("a, b, same", [
    ("谭晓滨副市长、市公安局局长", "谭晓滨副市长、公安局局长", True),  # seed 002 writes both
    ("谭晓滨 副市长、市公安局局长", "谭晓滨副市长，公安局局长", True),
    ("李四副市长、市长", "李四副市长、长", False),  # 市长 is no office without its 市
    ("张三副区长、区委书记", "张三副区长、委书记", False),
    ("陈文副市长", "陈文光副市长", False),
])
def test_a_leader_s_offices_match_with_or_without_the_government_s_level(a, b, same):
    assert (leader_key(people(a)[0]) == leader_key(people(b)[0])) is same
