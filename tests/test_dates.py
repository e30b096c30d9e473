"""Dates as units and plans write them (toolkit.core.dates)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.core.dates import (
    ParsedDate,
    end_of_month,
    find_dates,
    format_cn,
    parse_date,
    quarter_of_round,
    report_period_end,
)

D = dt.date


def exact(y, m, d):
    return ParsedDate(D(y, m, d), False)


def vague(y, m, d):
    return ParsedDate(D(y, m, d), True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2022年4月3日", exact(2022, 4, 3)),
        ("2022年4月3号", exact(2022, 4, 3)),
        ("2022.4.3", exact(2022, 4, 3)),
        ("2022/4/3", exact(2022, 4, 3)),
        ("2022-04-03", exact(2022, 4, 3)),
        ("2022-4-3", exact(2022, 4, 3)),
        ("20220403", exact(2022, 4, 3)),
        ("2022-04-03 10:20:00", exact(2022, 4, 3)),
        ("2022-04-03T10:20", exact(2022, 4, 3)),
        ("２０２２年４月３日", exact(2022, 4, 3)),
        ("2022 年 4 月 3 日", exact(2022, 4, 3)),
        ("2022年4月", vague(2022, 4, 30)),
        ("2022年12月", vague(2022, 12, 31)),
        ("2022年12 月", vague(2022, 12, 31)),  # the 完成时限 column of the Zhanjiang seed
        ("2022 年 12 月", vague(2022, 12, 31)),
        ("2022-02", vague(2022, 2, 28)),
        ("2022年底", vague(2022, 12, 31)),
        ("2022年", vague(2022, 12, 31)),
        ("2022年第一季度", vague(2022, 3, 31)),
        ("2022年4月3日前", exact(2022, 4, 3)),
        ("44654", exact(2022, 4, 3)),  # an Excel serial that arrived as text
    ],
)
def test_parse_date_with_year_in_text(text, expected):
    assert parse_date(text) == expected
    assert parse_date(text, year=1999) == expected  # an explicit year wins


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4月3日", exact(2022, 4, 3)),
        ("4月3号", exact(2022, 4, 3)),
        ("4月底", vague(2022, 4, 30)),
        ("4月末", vague(2022, 4, 30)),
        ("4月上旬", vague(2022, 4, 10)),
        ("4月中旬", vague(2022, 4, 20)),
        ("4月下旬", vague(2022, 4, 30)),
        ("4月", vague(2022, 4, 30)),
        ("4月份", vague(2022, 4, 30)),
        ("2月底", vague(2022, 2, 28)),
        ("12月15日", exact(2022, 12, 15)),
        ("12月15日前", exact(2022, 12, 15)),
        ("6月底前", vague(2022, 6, 30)),
        ("6月底之前", vague(2022, 6, 30)),
        ("6月底以前", vague(2022, 6, 30)),
        ("7月前", vague(2022, 7, 31)),  # 前 = "by": the seeds pair 2月前完成… with 2月底
        ("12月初", vague(2022, 12, 10)),
        ("十二月底", vague(2022, 12, 31)),
        ("三月", vague(2022, 3, 31)),
        ("十月", vague(2022, 10, 31)),
        ("十一月中旬", vague(2022, 11, 20)),
        ("年底", vague(2022, 12, 31)),
        ("年末", vague(2022, 12, 31)),
        ("第一季度", vague(2022, 3, 31)),
        ("一季度", vague(2022, 3, 31)),
        ("第3季度", vague(2022, 9, 30)),
        ("四季度末", vague(2022, 12, 31)),
        ("上半年", vague(2022, 6, 30)),
        ("下半年", vague(2022, 12, 31)),
        ("全年", vague(2022, 12, 31)),
        ("４月３日", exact(2022, 4, 3)),
        (" 4 月 底 ", vague(2022, 4, 30)),
    ],
)
def test_parse_date_needs_the_plan_year(text, expected):
    assert parse_date(text, year=2022) == expected
    assert parse_date(text) is None  # no year in the text and none given


@pytest.mark.parametrize(
    "value",
    [None, "", "  ", "无", "/", "4.3", "4/3", "4-3", "2022-02-30", "2022年2月30日", "13月",
     "2022年13月", "4月31日", "0月", "底", "末", "季度", "第五季度", "20221340", "2022.4.3.5",
     "abc", "12345", 1, -5, 0, 2022, 1e20, -1e20, float("nan"), float("inf"), True, False,
     [], {}, object(), b"2022-04-03"],
)
def test_parse_date_rejects_odd_input(value):
    assert parse_date(value, year=2022) is None


def test_parse_date_objects_and_excel_serials():
    assert parse_date(D(2022, 4, 3)) == exact(2022, 4, 3)
    assert parse_date(dt.datetime(2022, 4, 3, 10, 20)) == exact(2022, 4, 3)
    assert parse_date(44654) == exact(2022, 4, 3)
    assert parse_date(44654.0) == exact(2022, 4, 3)
    assert parse_date(44654.99) == exact(2022, 4, 3)  # a time part keeps the date
    assert parse_date(32874) == exact(1990, 1, 1)  # lower bound of plausible serials
    assert parse_date(32873) is None
    assert parse_date(73415) == exact(2100, 12, 31)
    assert parse_date(73416) is None
    assert parse_date(20220403) == exact(2022, 4, 3)  # yyyymmdd stored as a number


def test_end_of_month():
    assert end_of_month(2022, 2) == D(2022, 2, 28)
    assert end_of_month(2024, 2) == D(2024, 2, 29)
    assert end_of_month(2022, 12) == D(2022, 12, 31)
    assert end_of_month(2022, 4) == D(2022, 4, 30)


@pytest.mark.parametrize(
    "due, expected",
    [
        (D(2022, 4, 3), (2022, 1)),
        (D(2022, 5, 3), (2022, 2)),
        (D(2022, 7, 3), (2022, 2)),
        (D(2022, 9, 3), (2022, 3)),
        (D(2022, 11, 3), (2022, 4)),
        (D(2023, 1, 3), (2022, 4)),
        (D(2022, 4, 1), (2022, 1)),
        (D(2022, 3, 31), (2022, 1)),  # the period is still February
        (D(2022, 1, 31), (2021, 4)),
    ],
)
def test_quarter_of_round(due, expected):
    assert quarter_of_round(due) == expected


def test_report_period_end():
    assert report_period_end(D(2022, 4, 3)) == D(2022, 3, 31)
    assert report_period_end(D(2023, 1, 3)) == D(2022, 12, 31)
    assert report_period_end(D(2022, 3, 3)) == D(2022, 2, 28)


def test_format_cn():
    assert format_cn(D(2022, 4, 3)) == "2022年4月3日"
    assert format_cn(D(2022, 12, 15)) == "2022年12月15日"


def test_find_dates_in_node_texts():
    text = "(1) 6月底前完成厂房修复。 (2) 9月底前完成设备重新进驻。 (3) 12月15日前试投产。"
    assert find_dates(text, year=2022) == [
        vague(2022, 6, 30), vague(2022, 9, 30), exact(2022, 12, 15)]
    # A quarter or half-year that is the subject, a range and an odd 一月 are not deadlines.
    assert find_dates("分析上半年经济运行，研判一季度，1-12月累计，统一月报", year=2022) == []
    assert find_dates("一季度末完成；4月中旬基本完成；年底前完成80%", year=2022) == [
        vague(2022, 3, 31), vague(2022, 4, 20), vague(2022, 12, 31)]
    assert find_dates("力争2023年1月底竣工", year=2022) == [vague(2023, 1, 31)]
    assert find_dates("子项目4220KV侨鹤甲乙线迁改；试运营期6个月", year=2022) == []
    assert find_dates("6月底前完成", year=None) == []


# --- properties ---------------------------------------------------------------------------

DATE_ALPHABET = st.sampled_from(list("0123456789０１２３年月日号底末前之以旬上中下初份季度第半全一二三四五六七八九十.-/ T:"))
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(DATE_ALPHABET, max_size=20),
    st.dates(),
    st.datetimes(),
)


@settings(max_examples=600)
@given(value=ANY_VALUE, year=st.one_of(st.none(), st.integers(-10, 12000)))
def test_parse_date_never_raises(value, year):
    result = parse_date(value, year=year)
    assert result is None or isinstance(result.day, dt.date)


@settings(max_examples=300)
@given(text=st.one_of(st.text(), st.text(DATE_ALPHABET, max_size=30)),
       year=st.one_of(st.none(), st.integers(-10, 12000)))
def test_find_dates_never_raises(text, year):
    assert all(isinstance(d, ParsedDate) for d in find_dates(text, year=year))


@given(st.dates(min_value=D(1000, 1, 1)))
def test_format_cn_round_trips(d):
    assert parse_date(format_cn(d)) == ParsedDate(d, False)
    assert parse_date(format_cn(d), year=2022) == ParsedDate(d, False)
    assert parse_date(d.isoformat()) == ParsedDate(d, False)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)),
       st.floats(min_value=0, max_value=0.999))
def test_excel_serial_round_trips(d, time_part):
    serial = (d - D(1899, 12, 30)).days
    assert parse_date(serial) == ParsedDate(d, False)
    assert parse_date(serial + time_part) == ParsedDate(d, False)


@given(st.dates(min_value=D(1, 2, 1)))
def test_round_period_ends_in_the_month_before_due(due):
    end = report_period_end(due)
    assert end < due and end.month != due.month and (end + dt.timedelta(days=1)).day == 1
    assert quarter_of_round(due) == (end.year, (end.month - 1) // 3 + 1)


@given(st.integers(1, 9999), st.integers(1, 12))
def test_month_end_phrases_agree_with_end_of_month(year, month):
    assert parse_date(f"{month}月底", year=year) == ParsedDate(end_of_month(year, month), True)
