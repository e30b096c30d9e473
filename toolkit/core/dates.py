"""Dates as units and plans write them: 2022年4月3日, 2022.4.3, 4月底, 12月15日前, Excel serials.

A date in a plan is often a period, not a day: 4月底 (end of April), 4月中旬 (mid-April),
一季度 (first quarter), 上半年 (first half-year). `ParsedDate` then holds the period's last
day with `vague=True`, because a deadline written as a period is met on its last day.

Reporting rounds (报送轮次) are fixed by due dates such as 4月3日 and 7月3日; a report due
on the 3rd covers the month before it, so the round's period ends on that month's last day.

Pure functions, standard library only; nothing here raises on odd input.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedDate:
    """A day, and whether the text named a period of which `day` is the last day."""

    day: _dt.date
    vague: bool


# Excel's 1900 date system counts 1900-01-01 as 1 and wrongly keeps a 29 Feb 1900 (serial 60);
# from serial 61 on, counting from 1899-12-30 absorbs that phantom day.
_EXCEL_EPOCH = _dt.date(1899, 12, 30)
# Serials outside 1990..2100 are counts or amounts, not dates, in a supervision table.
_SERIAL_MIN = (_dt.date(1990, 1, 1) - _EXCEL_EPOCH).days
_SERIAL_MAX = (_dt.date(2100, 12, 31) - _EXCEL_EPOCH).days

_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10, "十一": 11, "十二": 12}
_QUARTER_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_XUN_DAY = {"上旬": 10, "初": 10, "中旬": 20}  # 下旬 (last ten days) ends with the month

# One Chinese date phrase. Used whole by parse_date and inside running text by find_dates.
_MONTH = r"(?P<m>十[一二]?|[一二三四五六七八九]|\d{1,2})"
_CN_DATE = re.compile(
    r"(?:(?P<y>\d{4})年)?(?:"
    + _MONTH + r"月(?:(?P<d>\d{1,2})[日号]|(?P<end>底|末|份)|(?P<xun>上旬|中旬|下旬|初))?"
    r"|(?:第)?(?P<q>[一二三四1-4])季度(?P<qend>末|底)?"
    r"|(?P<half>上半年|下半年|全年)(?P<hend>末|底)?"
    r"|(?P<ye>年底|年末|底|末)"
    r")(?P<before>之前|以前|前)?"
)
# What a 完成时限 cell may say instead of a date: the work has no end date.
OPEN_ENDED = ("长期", "长期坚持", "持续推进", "持续", "年内", "每季度", "每月", "常态化", "按进度")
_ISO = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_YEAR_MONTH = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
_YEAR_ONLY = re.compile(r"(?P<y>\d{4})年(?:度|全年)?")
_TIME_SUFFIX = re.compile(r"[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*$")


def end_of_month(year: int, month: int) -> _dt.date:
    """The last day of a month."""
    return _dt.date(year, month, calendar.monthrange(year, month)[1])


def report_period_end(due: _dt.date) -> _dt.date:
    """The last day a report due on `due` covers: the end of the month before it."""
    return due.replace(day=1) - _dt.timedelta(days=1)


@functools.lru_cache(maxsize=64)  # every row of a round asks for the same due date's quarter
def quarter_of_round(due: _dt.date) -> tuple[int, int]:
    """(year, quarter) a reporting round judges: the quarter holding its period's last day.

    2022-04-03 → (2022, 1), 2022-05-03 → (2022, 2), 2023-01-03 → (2022, 4).
    """
    end = report_period_end(due)
    return end.year, (end.month - 1) // 3 + 1


def format_cn(d: _dt.date) -> str:
    """A date the way a Chinese official document writes it: 2022年4月3日."""
    return f"{d.year}年{d.month}月{d.day}日"


def parse_date(value: object, *, year: int | None = None) -> ParsedDate | None:
    """A date from a cell value or text, or None when there is none.

    Accepts date/datetime objects, Excel serial numbers (1990-2100), and text such as
    2022年4月3日, 2022.4.3, 2022-04-03 10:20:00, 20220403, 4月3日, 4月底, 4月中旬,
    2022年4月, 十二月底, 一季度, 上半年, 年底, 12月15日前. Text without a year uses
    `year` (None → None). A trailing 前/之前/以前 ("by") is ignored, also after a bare
    month: 7月前 is read as "by July", July 31, as the plans' own deadline cells read it
    (Heshan: "2月前完成…" has the cell 2月底). Ambiguous text
    (4.3, 4/3) and impossible dates (2022-02-30, 13月) give None. Never raises.
    """
    try:
        if isinstance(value, _dt.datetime):
            return ParsedDate(value.date(), False)
        if isinstance(value, _dt.date):
            return ParsedDate(value, False)
        if isinstance(value, bool):  # bool is an int, but True is not day 1
            return None
        if isinstance(value, (int, float)):
            return _from_number(value)
        if isinstance(value, str):
            return _from_text(value, year)
    except (ValueError, OverflowError, TypeError):
        pass
    return None


def find_dates(text: str, *, year: int | None = None) -> list[ParsedDate]:
    """Every date phrase in running text, in order (6月底前完成… → [June 30]).

    Only phrases anchored on a month, a quarter end (一季度末), a half-year end (上半年末)
    or the year end (年底) count: a bare 一季度 or 上半年 in a plan usually names the
    subject (分析上半年经济运行), not a deadline. A month closing a range (1-12月) is
    skipped, and so is a Chinese-numeral month with no 底/日/旬/前 after it (统一月报).
    Phrases without a year use `year`, or are skipped when it is None.
    """
    flat = _normalise(text)
    found = []
    for m in _CN_DATE.finditer(flat):
        if _is_subject_period(m) or _is_loose_cn_month(m):
            continue
        if _closes_range(flat, m.start()) or _inside_number(flat, m):
            continue
        parsed = _from_match(m, year)
        if parsed is not None:
            found.append(parsed)
    return found


def _from_number(value: int | float) -> ParsedDate | None:
    """An Excel serial (time part dropped), or an 8-digit yyyymmdd integer."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int) and 19000101 <= value <= 21001231:
        return _exact(value // 10000, value // 100 % 100, value % 100)
    serial = math.floor(value)
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        return None
    return ParsedDate(_EXCEL_EPOCH + _dt.timedelta(days=serial), False)


def _normalise(text: str) -> str:
    """Full-width digits and spaces folded (２０２２年 → 2022年), white space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _from_text(text: str, year: int | None) -> ParsedDate | None:
    """parse_date for a string: numeric layouts first, then Chinese phrases."""
    raw = unicodedata.normalize("NFKC", text).strip()
    raw = _TIME_SUFFIX.sub("", raw)  # a timestamp keeps its date
    flat = re.sub(r"\s+", "", raw)
    bare = re.sub(r"(?:之前|以前|前)$", "", flat)
    if m := _ISO.fullmatch(bare) or _COMPACT.fullmatch(bare):
        return _exact(int(m["y"]), int(m["m"]), int(m["d"]))
    if m := _YEAR_MONTH.fullmatch(bare):
        return _month_end(int(m["y"]), int(m["m"]))
    if _SERIAL_TEXT.fullmatch(bare):  # a serial that arrived as text
        return _from_number(float(bare))
    if m := _YEAR_ONLY.fullmatch(bare):
        return _vague(int(m["y"]), 12, 31)
    if m := _CN_DATE.fullmatch(flat):
        return _from_match(m, year)
    return None


def _from_match(m: re.Match, year: int | None) -> ParsedDate | None:
    """The date a _CN_DATE match names; None if it needs a year we lack or is impossible."""
    y = int(m["y"]) if m["y"] else year
    if y is None or not 1 <= y <= 9999:
        return None
    if m["m"]:
        return _from_month_match(m, y)
    if m["q"]:
        q = _QUARTER_NUMBERS[m["q"]]
        return _month_end(y, q * 3)
    if m["half"]:
        return _month_end(y, 6 if m["half"] == "上半年" else 12)
    if m["ye"] in ("底", "末") and not m["y"]:
        return None  # a lone 底 or 末 is not a date
    return _vague(y, 12, 31)


def _from_month_match(m: re.Match, y: int) -> ParsedDate | None:
    """A month phrase: a day, a ten-day period (旬), the month end, or 'before the month'."""
    month = _CN_MONTHS.get(m["m"]) or int(m["m"])
    if not 1 <= month <= 12:
        return None
    if m["d"]:
        return _exact(y, month, int(m["d"]))
    if m["xun"] in _XUN_DAY:
        return _vague(y, month, _XUN_DAY[m["xun"]])
    # 7月前 counts as 7月: the seeds' own deadline cells read "2月前完成…" as 2月底 and
    # "12月前完成…" as 12月15日, i.e. 前 means "by", not "before the month starts".
    return _month_end(y, month)


def _is_subject_period(m: re.Match) -> bool:
    """A quarter, half-year or lone 底/末 without an end marker: a topic, not a deadline."""
    if m["q"]:
        return not m["qend"]
    if m["half"]:
        return m["half"] == "全年" or not m["hend"]
    return bool(m["ye"] in ("底", "末") and not m["y"])


def _is_loose_cn_month(m: re.Match) -> bool:
    """A bare 一月 in running text is too often part of a word (统一月报) to be a date."""
    if not m["m"] or m["m"].isdigit():
        return False
    return not (m["d"] or m["end"] or m["xun"] or m["before"])


def _closes_range(flat: str, start: int) -> bool:
    """True for the 12月 in 1-12月 or 1至12月: a span, not a deadline."""
    return bool(re.search(r"\d[-~～—至到]$", flat[:start]))


def _inside_number(flat: str, m: re.Match) -> bool:
    """True when the month digits continue a longer number (子项目4220KV…)."""
    return m.start() > 0 and flat[m.start() - 1].isdigit()


def _exact(y: int, month: int, day: int) -> ParsedDate | None:
    try:
        return ParsedDate(_dt.date(y, month, day), False)
    except ValueError:
        return None


def _vague(y: int, month: int, day: int) -> ParsedDate | None:
    try:
        return ParsedDate(_dt.date(y, month, day), True)
    except ValueError:
        return None


def _month_end(y: int, month: int) -> ParsedDate | None:
    if not (1 <= month <= 12 and 1 <= y <= 9999):
        return None
    return ParsedDate(end_of_month(y, month), True)
