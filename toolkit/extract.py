"""The report table inside a returned workbook, wherever the unit moved it.

Columns are found by their header text, so reordered columns, inserted rows, renamed or
added sheets still read right. The table ends at the sign-off block (填报人：…).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import schema
from .reader import LIST_SHEETS, Returned
from .tables import Sheet
from .template import KEY_HEADER, READ_ONLY
from .text import cell_text, squash

HEADER_SCAN_ROWS = 40
READ_ONLY_HEADERS = {cid: header for cid, header, _ in READ_ONLY}


@dataclass
class ReturnedRow:
    row: int  # 1-based row in the sheet
    key: str
    read_only: dict[str, str]  # column id (number, title, targets …) → text as returned
    fields: dict[str, Any]  # report field → raw cell value

    @property
    def number(self) -> str:
        return self.read_only.get("number", "")

    @property
    def title(self) -> str:
        return self.read_only.get("title", "")

    def is_blank(self) -> bool:
        return not any(cell_text(v) for v in self.fields.values()) and not any(self.read_only.values())


@dataclass
class ReturnedTable:
    sheet: str
    header_row: int  # 1-based
    columns: dict[str, int]  # column id or "report:<field>" → 0-based column
    rows: list[ReturnedRow]
    signoff: dict[str, str] = field(default_factory=dict)
    above: list[list] = field(default_factory=list, repr=False)  # the rows above the header

    @property
    def preamble(self) -> list[str]:
        """Texts above the header (title, 报送单位：…); only identification by content needs them."""
        return [t for row in self.above for t in map(cell_text, row) if t]


def find_table(returned: Returned, report_fields: list[str], signoff_fields: list[str]) -> ReturnedTable | None:
    """The first sheet whose header names the report fields; None when no sheet has one."""
    sheets = [s for s in returned.sheets if s.name not in LIST_SHEETS]
    for sheet in sheets:
        found = _header(sheet, tuple(report_fields))
        if found is not None:
            header_row, columns = found
            return _table(sheet, header_row, columns, report_fields, signoff_fields)
    return None


@lru_cache(maxsize=64)
def _known_headers(report_fields: tuple[str, ...]) -> dict[str, str]:
    """Squashed header text → column id, for the words duban itself writes."""
    known = {squash(header): cid for cid, header in READ_ONLY_HEADERS.items()}
    known.update({squash(KEY_HEADER): "key", "键": "key"})
    known.update({squash(f): f"report:{f}" for f in report_fields})
    return known


@lru_cache(maxsize=4096)
def _column_id(text: str, report_fields: tuple[str, ...]) -> str | None:
    """Cached: the texts above and in the header repeat from file to file."""
    t = squash(text)
    if not t:
        return None
    known = _known_headers(report_fields).get(t)
    if known:
        return known
    hit = schema.match_role(t)  # the table's own words for 序号 and 事项, e.g. 项目名称
    if hit and hit[0] in ("number", "title"):
        return hit[0]
    if hit and hit[0] == "deadline" and t != "完成时间":  # 完成时间 is the unit's own date
        return "deadline"
    return None


def _header(sheet: Sheet, report_fields: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            cid = _column_id(cell_text(value), report_fields)
            if cid and cid not in columns:
                columns[cid] = c
        reports = sum(1 for k in columns if k.startswith("report:"))
        if reports >= 2 and ("number" in columns or "title" in columns or "key" in columns):
            return r, columns
    return None


def _table(sheet: Sheet, h: int, columns: dict[str, int], report_fields, signoff_fields) -> ReturnedTable:
    rows: list[ReturnedRow] = []
    header_texts = [squash(cell_text(v)) for v in sheet.rows[h]]
    first = header_texts[0] if header_texts else None
    labels = _signoff_labels(tuple(signoff_fields))
    end = len(sheet.rows)
    for r in range(h + 1, len(sheet.rows)):
        values = sheet.rows[r]
        texts = [cell_text(v) for v in values]
        if any(_label(t, labels) for t in texts if t):  # a sign-off row: the table ends
            end = r
            break
        if not any(texts) or (texts[0] and squash(texts[0]) == first
                              and [squash(t) for t in texts[: len(header_texts)]] == header_texts):
            continue  # blank, or the header pasted again
        rows.append(_row(r, values, columns, report_fields))
    signoff = _signoff(sheet.rows[end:], signoff_fields)
    return ReturnedTable(sheet.name, h + 1, columns, rows, signoff, sheet.rows[:h])


def _row(r: int, values: list, columns: dict[str, int], report_fields: list[str]) -> ReturnedRow:
    def get(cid):
        c = columns.get(cid)
        return values[c] if c is not None and c < len(values) else None

    read_only = {cid: cell_text(get(cid)) for cid in READ_ONLY_HEADERS if cid in columns}
    fields = {f: get(f"report:{f}") for f in report_fields if f"report:{f}" in columns}
    return ReturnedRow(r + 1, squash(cell_text(get("key"))), read_only, fields)


class _Labels(dict):
    """Squashed sign-off label → field; `firsts` are the labels' first characters."""

    firsts: frozenset


@lru_cache(maxsize=16)
def _signoff_labels(signoff_fields: tuple[str, ...]) -> _Labels:
    labels = _Labels((squash(f), f) for f in signoff_fields)
    labels.firsts = frozenset(label[:1] for label in labels)
    return labels


def _is_signoff_row(texts: list[str], signoff_fields: list[str]) -> bool:
    """A row holding a sign-off label (填报人：, or 填报人：张三 with the name inline)."""
    labels = _signoff_labels(tuple(signoff_fields))
    return any(_label(t, labels) for t in texts if t)


def _signoff(rows: list[list], signoff_fields: list[str]) -> dict[str, str]:
    """field → what is written after its label (填报人：张三, or in the cells up to the next
    label), from the rows under the table."""
    labels = _signoff_labels(tuple(signoff_fields))
    out: dict[str, str] = {}
    for row in rows[:10]:
        texts = [cell_text(v) for v in row]
        marks = [(c, _label(t, labels)) for c, t in enumerate(texts)]
        marks = [(c, hit) for c, hit in marks if hit]
        for i, (c, (name, inline)) in enumerate(marks):
            stop = marks[i + 1][0] if i + 1 < len(marks) else len(texts)
            value = inline or next((x for x in texts[c + 1:stop] if x), "")
            out.setdefault(name, value.strip())
    return out


def _label(text: str, labels: _Labels) -> tuple[str, str] | None:
    """(field, text written inline after the colon) when a cell is a sign-off label."""
    head = text.lstrip()[:1]  # the squashed name's first character, or a colon when it is empty
    if head not in labels.firsts and head not in ":：":
        return None  # most cells: not a label, seen without squashing them
    name, _, inline = text.replace(":", "：").partition("：")
    name = squash(name)
    return (labels[name], inline.strip()) if name in labels else None
