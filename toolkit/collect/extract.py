"""The report table inside a returned workbook, wherever the unit moved it.

Columns are found by their header text, so reordered columns, inserted rows, renamed or
added sheets still read right. The table ends at the sign-off block (填报人：…). Report
columns and sign-off labels are found by any header their role has had (Config.header_roles):
what is read is keyed by role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

from ..core import schema
from ..core.schema import KEY_HEADER, READ_ONLY, SHEET
from ..core.text import cell_text, squash, strip_invisible
from ..store.tables import Sheet
from .reader import LIST_SHEETS, Returned

HEADER_SCAN_ROWS = 40
READ_ONLY_HEADERS = {cid: header for cid, header, _ in READ_ONLY}


@dataclass
class ReturnedRow:
    row: int  # 1-based row in the sheet
    key: str
    read_only: dict[str, str]  # column id (number, title, targets …) → text as returned
    fields: dict[str, Any]  # report role → raw cell value

    @property
    def number(self) -> str:
        return self.read_only.get("number", "")

    @property
    def title(self) -> str:
        return self.read_only.get("title", "")

    def is_blank(self) -> bool:
        # the cheap test first: both are pure, so `and` gives the same answer either way round
        return not any(self.read_only.values()) and not any(cell_text(v) for v in self.fields.values())


@dataclass
class ReturnedTable:
    sheet: str
    header_row: int  # 1-based
    columns: dict[str, int]  # column id or "report:<role>" → 0-based column
    rows: list[ReturnedRow]
    signoff: dict[str, str] = field(default_factory=dict)
    above: list[list] = field(default_factory=list, repr=False)  # the rows above the header
    # Report cells merged down over several rows: (role, first row, last row), 1-based; each
    # covered row reads the merge's text (the unit sees it beside each of them).
    merges: list[tuple[str, int, int]] = field(default_factory=list)
    # Other sheets holding a report table with different answers (a sheet copied with
    # 移动或复制 and filled in): not read, named in a finding.
    others: list[str] = field(default_factory=list)

    @property
    def preamble(self) -> list[str]:
        """Texts above the header (title, 报送单位：…); only identification by content needs them."""
        return [t for row in self.above for t in map(cell_text, row) if t]


# (header, role) pairs, the preferred header of a role first: hashable, so lookups built from
# them are cached across the files of a collect.
Headers = tuple[tuple[str, str], ...]


def headers_for(mapping: dict[str, str]) -> Headers:
    """Headers from Config.header_roles' header → role."""
    return tuple(mapping.items())


# The name Excel and WPS give a sheet copied with 移动或复制 (建立副本): 报送表 (2), Sheet1 (3).
_COPY_NAME = re.compile(r".\s*[(（]\d+[)）]$")


def find_table(returned: Returned, report: Headers, signoff: Headers) -> ReturnedTable | None:
    """The report table; None when no sheet has a header naming the report fields. Where
    several sheets have one (a copy made with 移动或复制 lands before the original), the
    sheet duban wrote (报送表) is read, else the first that is not named as a copy; the
    others with different answers are listed in `others`."""
    tables = []
    for sheet in returned.sheets:
        if sheet.name in LIST_SHEETS:
            continue
        found = _header(sheet, report)
        if found is not None:
            tables.append(_table(sheet, *found, report, signoff))
    if len(tables) <= 1:
        return tables[0] if tables else None
    chosen = (next((t for t in tables if t.sheet == SHEET), None)
              or next((t for t in tables if not _COPY_NAME.search(t.sheet)), tables[0]))
    mine = _answers(chosen)
    chosen.others = [t.sheet for t in tables if t is not chosen and _answers(t) != mine]
    return chosen


def _answers(table: ReturnedTable) -> list[tuple]:
    """What a table answers, row by row (key or number, then each report field as seen)."""
    return [(row.key or row.number, *(strip_invisible(cell_text(v)) for v in row.fields.values()))
            for row in table.rows if not row.is_blank()]


@lru_cache(maxsize=64)
def _known_headers(report: Headers) -> dict[str, str]:
    """Squashed header text → column id, for the words duban itself writes."""
    known = {squash(header): cid for cid, header in READ_ONLY_HEADERS.items()}
    known.update({squash(KEY_HEADER): "key", "键": "key"})
    for header, role in report:
        known.setdefault(squash(header), f"report:{role}")
    return known


@lru_cache(maxsize=4096)
def _column_id(text: str, report: Headers) -> str | None:
    """Cached: the texts above and in the header repeat from file to file."""
    t = squash(text)
    if not t:
        return None
    known = _known_headers(report).get(t)
    if known:
        return known
    hit = schema.match_role(t)  # the table's own words for 序号 and 事项, e.g. 项目名称
    if hit and hit[0] in ("number", "title"):
        return hit[0]
    if hit and hit[0] == "deadline" and t != "完成时间":  # 完成时间 is the unit's own date
        return "deadline"
    return None


def _header(sheet: Sheet, report: Headers) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        if len(row) - row.count("") - row.count(None) < 3:
            continue  # a title or a blank row: fewer filled cells than the three columns below
        columns: dict[str, int] = {}
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            cid = _column_id(cell_text(value), report)
            if cid and cid not in columns:
                columns[cid] = c
        if len(columns) < 3:  # two report columns and one of number, title, key: three at least
            continue
        reports = sum(1 for k in columns if k.startswith("report:"))
        if reports >= 2 and ("number" in columns or "title" in columns or "key" in columns):
            return r, columns
    return None


def _table(sheet: Sheet, h: int, columns: dict[str, int], report: Headers, signoff: Headers) -> ReturnedTable:
    rows: list[ReturnedRow] = []
    header = sheet.rows[h]
    first = squash(cell_text(header[0])) if header else None
    header_texts = None  # all of them, squashed, when a row starts like the header
    labels = _signoff_labels(signoff)
    may_label = labels.may_label
    # The cells each row's fields come from, worked out once per table, not per row.
    read_only_at = [(cid, columns[cid]) for cid in READ_ONLY_HEADERS if cid in columns]
    fields_at = [(role, columns[k]) for role, k in _report_keys(report) if k in columns]
    key_at = columns.get("key")
    end, end_texts = len(sheet.rows), None
    fills, merges = _merged_fills(sheet, h, columns)
    for r in range(h + 1, len(sheet.rows)):
        values = sheet.rows[r]
        if r in fills and any(cell_text(v) for v in values):  # a blank row under the table stays blank
            values = _filled(values, fills[r])
        texts = list(map(cell_text, values))
        # cell_text strips, so a text's first character is what _label looks at; a row with
        # no cell starting like a label has no label (the common case, seen without _label).
        if may_label("\x00" + "\x00".join(texts)) and any(_label(t, labels) for t in texts if t):
            end, end_texts = r, texts  # a sign-off row: the table ends
            break
        if not any(texts):
            continue  # blank
        if texts[0] and squash(texts[0]) == first:
            if header_texts is None:
                header_texts = [squash(t) for t in map(cell_text, header)]
            if [squash(t) for t in texts[: len(header_texts)]] == header_texts:
                continue  # the header pasted again
        rows.append(_row(r, values, texts, read_only_at, fields_at, key_at))
    signed = _signoff(sheet.rows[end:], signoff, end_texts)
    merges = [(role, r0 + 1, min(r1, end - 1) + 1) for role, r0, r1 in merges if r0 < end - 1]
    return ReturnedTable(sheet.name, h + 1, columns, rows, signed, sheet.rows[:h], merges)


def _merged_fills(sheet: Sheet, h: int, columns: dict[str, int]) -> tuple[dict[int, dict[int, Any]], list]:
    """For report cells merged down over several rows below the header: row → {column: the
    merge's value} for each covered row, and the merges as (role, first row, last row), 0-based.
    Only the merge's first column is filled: a merge across columns is one answer, not two."""
    if not sheet.merged:
        return {}, []
    roles = {c: cid[len("report:"):] for cid, c in columns.items() if cid.startswith("report:")}
    fills: dict[int, dict[int, Any]] = {}
    merges = []
    for r0, c0, r1, _ in sheet.merged:
        if r1 <= r0 or r0 <= h or c0 not in roles or r0 >= len(sheet.rows):
            continue
        top = sheet.rows[r0]
        value = top[c0] if c0 < len(top) else None
        if not cell_text(value):
            continue
        for r in range(r0 + 1, min(r1, len(sheet.rows) - 1) + 1):
            fills.setdefault(r, {})[c0] = value
        merges.append((roles[c0], r0, r1))
    return fills, merges


def _filled(values: list, fill: dict[int, Any]) -> list:
    """A covered row's values with the merge's value in each empty covered cell."""
    out = list(values) + [None] * (max(fill) + 1 - len(values))
    for c, value in fill.items():
        if not cell_text(out[c]):
            out[c] = value
    return out


@lru_cache(maxsize=64)
def _report_keys(report: Headers) -> tuple[tuple[str, str], ...]:
    """(role, its column id "report:<role>") for each report role."""
    return tuple((role, f"report:{role}") for role in dict.fromkeys(role for _, role in report))


def _row(r: int, values: list, texts: list[str], read_only_at, fields_at, key_at) -> ReturnedRow:
    """A row from its values and their texts (texts[c] is cell_text(values[c])); a column
    past the row's end reads as an empty cell (None)."""
    n = len(values)
    read_only = {cid: texts[c] if c < n else "" for cid, c in read_only_at}
    fields = {f: values[c] if c < n else None for f, c in fields_at}
    key = squash(texts[key_at]) if key_at is not None and key_at < n else ""
    return ReturnedRow(r + 1, key, read_only, fields)


class _Labels(dict):
    """Squashed sign-off label → role; `firsts` are the labels' first characters, `heads`
    the first characters (of a text, white space stripped) that can start a label.
    `may_label(NUL + NUL.join(texts))` finds a NUL followed by a non-empty head: when it finds
    none, no text starts with one, so none is a label (a hit may be a NUL inside a text: then
    _label decides)."""

    firsts: frozenset
    heads: frozenset
    may_label: Callable[[str], Any]


@lru_cache(maxsize=16)
def _signoff_labels(signoff: Headers) -> _Labels:
    labels = _Labels()
    for header, role in signoff:
        labels.setdefault(squash(header), role)
    labels.firsts = frozenset(label[:1] for label in labels)
    # A text that is empty or starts with a colon has an empty name before the colon, so it is
    # a label only when some field's label is empty (all white space): then those heads too.
    labels.heads = labels.firsts | {"", ":", "："} if "" in labels else labels.firsts
    starts = "".join(sorted(map(re.escape, labels.heads - {""})))
    labels.may_label = re.compile(f"\x00[{starts}]" if starts else "(?!)").search
    return labels


def _signoff(rows: list[list], signoff: Headers, first_texts: list[str] | None = None) -> dict[str, str]:
    """role → what is written after its label (填报人：张三, or in the cells up to the next
    label), from the rows under the table. `first_texts`: the texts of rows[0], when the
    caller has them already."""
    labels = _signoff_labels(signoff)
    heads = labels.heads
    out: dict[str, str] = {}
    for n, row in enumerate(rows[:10]):
        texts = first_texts if n == 0 and first_texts is not None else list(map(cell_text, row))
        # cell_text strips, so t[:1] is the head _label tests: a cell whose head is not in
        # `heads` gives None there, and is left out here without the call.
        marks = [(c, hit) for c, t in enumerate(texts) if t[:1] in heads and (hit := _label(t, labels))]
        for i, (c, (name, inline)) in enumerate(marks):
            stop = marks[i + 1][0] if i + 1 < len(marks) else len(texts)
            value = inline or next(filter(None, texts[c + 1:stop]), "")  # the first non-empty
            out.setdefault(name, value.strip())
    return out


def _label(text: str, labels: _Labels) -> tuple[str, str] | None:
    """(role, text written inline after the colon) when a cell is a sign-off label."""
    if text.lstrip()[:1] not in labels.heads:  # the squashed name's first character
        return None  # most cells: not a label, seen without squashing them
    name, _, inline = text.replace(":", "：").partition("：")
    name = squash(name)
    return (labels[name], inline.strip()) if name in labels else None
