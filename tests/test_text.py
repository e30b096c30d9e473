from toolkit.text import clean, person, split_star, split_units


def test_units_split_on_separators_but_not_inside_brackets():
    assert split_units("各县（市、区）政府（管委会）、市直有关单位；市财政局，市税务局") == [
        "各县（市、区）政府（管委会）", "市直有关单位", "市财政局", "市税务局"]


def test_a_line_break_inside_a_long_wrapped_name_is_one_unit():
    assert split_units("市钢铁石化项目\n建设协调小组\n市发展改革局") == ["市钢铁石化项目建设协调小组", "市发展改革局"]


def test_spaces_inside_unit_names_are_removed_and_space_lists_split():
    assert split_units("市 发展改革局 市科工商务局  各镇（街）") == ["市发展改革局", "市科工商务局", "各镇（街）"]


def test_a_parenthesised_gloss_stays_with_its_unit():
    assert split_units("市水务局 (市河长 办)、市财政局") == ["市水务局(市河长办)", "市财政局"]


def test_repeated_units_are_listed_once():
    assert split_units("市财政局、市财政局") == ["市财政局"]


def test_person_names_lose_their_spaces():
    assert person("曹  兴") == "曹兴"


def test_wrap_spaces_next_to_chinese_go_but_lines_stay():
    assert clean("初步安排重点 项目 472 个,总\n投资 7971.78 亿 元") == "初步安排重点项目472个,总\n投资7971.78亿元"


def test_star_is_a_flag():
    assert split_star("★广东溢茂电子科技有限公司项目") == (True, "广东溢茂电子科技有限公司项目")
    assert split_star("普通事项") == (False, "普通事项")


def test_a_run_of_place_names_shares_the_body_named_after_the_last():
    assert split_units("赤坎区、霞山区、麻章区、雷州市、廉江市、吴川市、遂溪县、徐闻县政府，市雷州青年运河管理局") == [
        "赤坎区政府", "霞山区政府", "麻章区政府", "雷州市政府", "廉江市政府", "吴川市政府", "遂溪县政府", "徐闻县政府",
        "市雷州青年运河管理局"]
    assert split_units("市发展改革局、廉江市政府") == ["市发展改革局", "廉江市政府"]
