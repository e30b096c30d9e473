import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.core import schema
from toolkit.core.text import clean, fold, one_line, split_star
from toolkit.core.units import people, split_units


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
    assert people("曹  兴") == ["曹兴"]


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


# --- clean and one_line against the plain definitions they are fast forms of --------------------

_REF_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’…—"
_REF_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_REF_CJK}])[ \t\u3000\xa0]+|[ \t\u3000\xa0]+(?=[{_REF_CJK}])")
_REF_LINE_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def _reference_clean(text):
    lines = []
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if " " in line or "\t" in line or "\u3000" in line or "\xa0" in line:
            line = _REF_LINE_SPACES.sub(" ", _REF_SPACE_NEAR_CJK.sub("", line))
        lines.append(line.strip())
    return "\n".join(line for line in lines if line)


def _reference_one_line(text):
    return _reference_clean(_reference_clean(text).replace("\n", " "))


# Letters, CJK characters and punctuation, every kind of space clean knows, line breaks, and
# white space it does not fold (em space, form feed) but str.strip removes at line ends.
WRAPPED = st.text(st.sampled_from(list("ab1甲乙丙，。：“ \t\u3000\xa0\n\r\u2003\x0c")), max_size=40)


@settings(max_examples=1000, deadline=None)  # kept to the suite's time; the fixed cases below hold the known corners
@given(WRAPPED)
def test_clean_and_one_line_match_their_plain_definitions(text):
    assert clean(text) == _reference_clean(text)
    assert one_line(text) == _reference_one_line(text)


@pytest.mark.parametrize("text", [
    "a\n\u3000\u3000b", "a\u3000\n\u3000b", "甲 \n b", "a \n 乙", "\r\n\t甲\xa0\r\r乙\u3000", "a\u2003\nb",
    " 第一季度：完成。\n", "", "\n\n", "a\u3000\u3000b",
])
def test_clean_and_one_line_edge_cases(text):
    assert clean(text) == _reference_clean(text)
    assert one_line(text) == _reference_one_line(text)


def test_the_unicode_facts_the_placeholder_shortcut_rests_on():
    """validate._is_placeholder does not fold texts of more than 4 × the longest placeholder's
    length: NFKC must turn no character but white space into nothing, and a composed
    character must stand for at most 4 (its canonical decomposition). Checked over all of
    Unicode, so a new Python's Unicode version cannot break it unseen."""
    import unicodedata

    from toolkit.collect.validate import _NEVER_PLACEHOLDER, _is_placeholder

    chars = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
    assert not [ch for ch in chars if not ch.isspace() and not fold(ch)]
    assert max(len(unicodedata.normalize("NFD", ch)) for ch in chars) <= 4
    assert _NEVER_PLACEHOLDER >= 4 * max(map(len, schema.PLACEHOLDERS))
    assert _is_placeholder(" 暂 无 ") and not _is_placeholder("暂无" * 5)
