"""Import: a breakdown table as it arrives (any format, any header) → items and findings.

Works on the grids of `store.tables`, so every format shares one interpretation:
find the header (one row, or two where a heading is merged over sub-headings), map columns to
roles (schema words first, then what the cells hold), then walk the rows, telling items, their
nodes, group rows (categories, sub-categories, leader groups), notes and repeated headers apart.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..core import schema
from ..core.assign import all_units
from ..core.dates import OPEN_ENDED, parse_date
from ..core.errors import BadInputError
from ..core.findings import Finding, finding
from ..core.model import Item, SubRow
from ..core.text import cell_text, clean, column_letter, split_star, squash
from ..core.units import ends_like_unit, looks_like_person, people, read_unit_list, split_units, unit_vocabulary
from ..store.tables import FORMAT_NAMES, Sheet, read_sheets, sniff
from .hint import header_like_row, no_header_message

HEADER_SCAN_ROWS = 40  # a header sits under a few title rows, never deeper than this
SAMPLE_ROWS = 80  # data rows looked at to tell what an unnamed column holds
_YEAR_RE = re.compile(r"(20\d\d)\s*年")
_CN_YEAR_RE = re.compile(r"([二〇零一二三四五六七八九○Ｏ]{4})\s*年")
_BARE_YEAR_RE = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_DEADLINE_YEAR_RE = re.compile(r"(?<!\d)(20\d\d)\s*[年.．\-/]")
_NUMBER_RE = re.compile(r"^\d+([.\-]\d+)*[.、．]?$")
_NODE_NUMBER_RE = re.compile(r"^([（(]\d+[）)]|[①-⑳]|\d+[.\-．]\d+)$")
_SUB_TITLE = re.compile(r"^([（(][一二三四五六七八九十\d]+[）)]|[①-⑳]|\d+[.、．])")
_NOT_ROLE_HEADER = re.compile(r"备注|进度|情况|进展|责任人|联系人|电话|说明|得分|评价")
_CN_DIGIT = {"〇": "0", "○": "0", "Ｏ": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4",
             "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


@dataclass
class Breakdown:
    """What import found in one table."""

    source: str
    sheet: str
    title: str
    year: int | None
    header_row: int
    mapping: dict[str, str]
    items: list[Item]
    findings: list[Finding] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Every column of the header: (0-based column, header text, role or None for an extra).
    columns: list[tuple[int, str, str | None]] = field(default_factory=list)
    year_from: str = ""  # where the year was read: title, file name, deadlines ("" = nowhere)
    first_data_row: int = 0  # 1-based: the first row under the header (two rows for a two-row one)

    @property
    def units(self) -> list[str]:
        seen: dict[str, None] = {}
        for item in self.items:
            for unit in all_units(item):
                seen.setdefault(unit)
        return list(seen)

    @property
    def missing_roles(self) -> list[str]:
        found = {role for _, _, role in self.columns if role}
        return [role for role in schema.ROLE_SYNONYMS if role not in found]


def read_breakdown(path, sheet: str | None = None, mapping: dict[str, str] | None = None,
                   known_units: frozenset[str] = frozenset()) -> Breakdown:
    """Read a breakdown table file. `sheet` picks a sheet by name (default: the first with a
    recognisable header); `mapping` (role → header text) names columns the clerk has told us;
    `known_units` (units.xlsx names and aliases) settle how a wrapped unit cell is read."""
    path = Path(path)
    sheets = read_sheets(path)
    chosen, header = _choose_sheet(path, sheets, sheet, mapping or {})
    breakdown = _Parser(path, chosen, header, known_units).run()
    kind = sniff(path)
    if not _EXTENSIONS.get(kind, ()) or path.suffix.lower() not in _EXTENSIONS[kind]:
        breakdown.findings.insert(0, finding("extension-mismatch", file=path.name, value=path.suffix,
                                             format=FORMAT_NAMES.get(kind, kind)))
    return breakdown


_EXTENSIONS = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls", ".et"), "ods": (".ods",),
               "csv": (".csv", ".tsv", ".txt"), "docx": (".docx",)}


# -- the header ---------------------------------------------------------------------------------
@dataclass
class Header:
    """Where the header is and what each column was taken for."""

    row: int  # 0-based first header row
    data: int  # 0-based first row below the header
    texts: list[str]  # each column's header words (the sub-heading where there are two rows)
    cols: dict[str, int]  # role → column
    plan_parts: list[tuple[int, str]] = field(default_factory=list)  # plan spread over columns
    guessed: dict[str, int] = field(default_factory=dict)  # role → column, told by the cells
    title_parts: list[int] = field(default_factory=list)  # columns under the title's heading too

    @property
    def strong(self) -> bool:
        return "title" in self.cols and len(self.cols) >= 3


def _choose_sheet(path: Path, sheets: list[Sheet], name: str | None, mapping: dict[str, str]) -> tuple[Sheet, Header]:
    if name is not None:
        match = [s for s in sheets if s.name == name]
        if not match:
            names = "、".join(f"“{s.name}”" for s in sheets) or "（无）"
            raise BadInputError(f"文件“{path.name}”中没有名为“{name}”的工作表；现有工作表：{names}。请用 --sheet 指定其中之一。")
        candidates = match
    else:
        candidates = sheets
    weak: list[tuple[Sheet, Header]] = []
    for s in candidates:
        header = find_header(s.rows, mapping, s.merged)
        if header is None:
            continue
        if header.strong:
            _guess_columns(s.rows, header)
            if "title" in header.cols:
                return s, header
        weak.append((s, header))
    for s, header in weak:  # no header names a title: the columns' contents may
        if not header.strong:
            _guess_columns(s.rows, header)
        if "title" in header.cols:
            return s, header
    if not any(any(cell_text(v) for v in r) for s in candidates for r in s.rows):
        raise BadInputError(f"文件“{path.name}”里没有任何内容，请确认发来的是分解表本身。")
    raise BadInputError(no_header_message(path, _suggestion(candidates, weak)))


def _suggestion(sheets: list[Sheet], weak: list[tuple[Sheet, Header]]) -> dict[str, str]:
    """role → header text the clerk might name with --column: the items' column and the lead
    unit's, as the cells under the most header-like row suggest."""
    tries = [(s, h.row) for s, h in weak] + [(s, header_like_row(s.rows)) for s in sheets]
    for s, row in tries:
        if row is None:
            continue
        texts = [clean(cell_text(v)).replace("\n", "") for v in s.rows[row]]
        header = Header(row=row, data=row + 1, texts=texts, cols={})
        _guess_columns(s.rows, header)
        found = {role: texts[header.cols[role]] for role in ("title", "lead_unit")
                 if role in header.cols and texts[header.cols[role]]}
        if "title" in found:
            return found
    return {}


def find_header(rows: list[list], mapping: dict[str, str] | None = None,
                merged: list[tuple[int, int, int, int]] | None = None) -> Header | None:
    """The header: the first row near the top naming a title column and two other roles, else
    the row naming most roles (at least two of title, plan, lead unit, number)."""
    best: Header | None = None
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        header = _header_at(rows, i, mapping or {}, merged or [])
        if header.strong:
            return header
        core = {"title", "plan", "lead_unit", "number"} & set(header.cols)
        if len(header.cols) >= 2 and len(core) >= 1 and (best is None or len(header.cols) > len(best.cols)):
            best = header
    return best


def _header_at(rows: list[list], i: int, mapping: dict[str, str], merged) -> Header:
    texts = [clean(cell_text(v)).replace("\n", "") for v in rows[i]]
    header = Header(row=i, data=i + 1, texts=texts, cols=_assign_roles(texts, mapping))
    if i + 1 < len(rows):
        _second_header_row(rows[i + 1], header, mapping, merged)
    if header.data == i + 1 and "title" in header.cols:
        # A title heading merged across columns with no sub-headings: the columns after the
        # first hold the names of an item's parts (one per node row).
        c = header.cols["title"]
        header.title_parts = [cc for r0, c0, r1, c1 in merged if r0 == i and c0 == c
                              for cc in range(c0 + 1, c1 + 1)]
    return header


def _second_header_row(below: list, header: Header, mapping: dict[str, str], merged) -> None:
    """Two header rows: a heading merged over sub-headings (责任单位 over 牵头单位 | 配合单位;
    季度工作目标 over 第一季度 … 第四季度). The sub-headings name the columns they stand over."""
    texts = [clean(cell_text(v)).replace("\n", "") for v in below]
    filled = [(c, t) for c, t in enumerate(texts) if t]
    if not header.cols or not filled or any(_NUMBER_RE.match(squash(t)) for _, t in filled):
        return
    # Headings merged across a few columns; a merge across (nearly) the whole width is a title.
    width = max(len(header.texts), len(texts))
    spans = [(c0, c1) for r0, c0, r1, c1 in merged
             if r0 == header.row and c1 > c0 and c1 - c0 + 1 < 0.8 * width]
    under = {c: (c0, c1) for c0, c1 in spans for c in range(c0, c1 + 1)}
    # The other headings are merged down over both rows, so sub-headings stand under these (or,
    # where the merges were lost, as in a CSV, under an empty heading cell, naming a role).
    def blank_above(c):
        return c >= len(header.texts) or not header.texts[c]

    if not all(c in under or schema.role_candidates(t) for c, t in filled) \
            or not any(c in under or blank_above(c) for c, _ in filled):
        return
    combined = list(header.texts) + [""] * max(0, len(texts) - len(header.texts))
    plan_parts = []
    for c, t in filled:
        top = combined[under[c][0]] if c in under else ""
        if c in under and schema.role_candidates(top) and schema.role_candidates(top)[0][0] == "plan" \
                and not schema.role_candidates(t):
            plan_parts.append((c, t))  # 第一季度 under 季度工作目标: a part of the plan
        combined[c] = t
    cols = _assign_roles([t if c not in dict(plan_parts) else "" for c, t in enumerate(combined)], mapping)
    if len(cols) + (1 if plan_parts and "plan" not in cols else 0) < len(header.cols):
        return
    header.texts, header.cols, header.data = combined, cols, header.row + 2
    if plan_parts and "plan" not in cols:
        header.plan_parts = plan_parts
        header.cols["plan"] = plan_parts[0][0]


def _forced(mapping: dict[str, str]) -> dict[str, str]:
    return {squash(v): k for k, v in mapping.items() if v}


def _assign_roles(texts: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """role → column. Each column tries its roles best first; where two columns want one role
    the better-ranked keeps it (the left one on a tie) and the other tries its next role."""
    forced = _forced(mapping)
    candidates: dict[int, list[tuple[str, int]]] = {}
    for col, text in enumerate(texts):
        t = squash(text)
        if t in forced:
            candidates[col] = [(forced[t], -1)]
        elif t:
            candidates[col] = list(schema.role_candidates(t))
    cols = _match(candidates)
    if "title" not in cols:
        # No column is only a title: the one that may also be read as the title is it
        # (目标任务 or 项目内容 alone in a table is the list of items, not a plan beside them),
        # and the roles it would have taken go to the other columns.
        titled = [(rank, col) for col, cands in candidates.items() for role, rank in cands if role == "title"]
        if titled:
            rank, col = min(titled)
            candidates[col] = [("title", rank)]
            cols = _match(candidates)
    return cols


def _match(candidates: dict[int, list[tuple[str, int]]]) -> dict[str, int]:
    holder: dict[str, tuple[int, int]] = {}  # role → (column, rank)
    tried = {col: 0 for col in candidates}
    queue = list(candidates)
    while queue:
        col = queue.pop(0)
        while tried[col] < len(candidates[col]):
            role, rank = candidates[col][tried[col]]
            tried[col] += 1
            if role not in holder:
                holder[role] = (col, rank)
                break
            other, other_rank = holder[role]
            if rank < other_rank:
                holder[role] = (col, rank)
                queue.insert(0, other)
                break
    return {role: col for role, (col, _) in holder.items()}


def _guess_columns(rows: list[list], header: Header) -> None:
    """Roles no header word named, told by what the column's cells hold: numbers, dates, people,
    unit names; the title as the column of longest texts."""
    sample = [r for r in rows[header.data: header.data + SAMPLE_ROWS]]
    width = max((len(r) for r in sample), default=0)
    free = [c for c in range(width) if c not in header.cols.values() and c not in dict(header.plan_parts)
            and not _NOT_ROLE_HEADER.search(header.texts[c] if c < len(header.texts) else "")
            and not schema.is_progress_header(header.texts[c] if c < len(header.texts) else "")]

    def values(c):
        return [cell_text(r[c]) for r in sample if c < len(r) and cell_text(r[c])]

    tests = (("number", lambda v: bool(_NUMBER_RE.match(squash(v)))),
             ("deadline", _looks_like_deadline),
             ("leader", _looks_like_people),
             ("lead_unit", _looks_like_units))
    for role, test in tests:
        if role in header.cols:
            continue
        for c in free:
            vals = values(c)
            if len(vals) >= 2 and sum(map(test, vals)) >= 0.6 * len(vals):
                header.cols[role] = header.guessed[role] = c
                free.remove(c)
                break
    if "title" in header.cols and not values(header.cols["title"]):
        # A title column left empty (the published table shifted its cells): the plan column,
        # or the longest texts, are the items.
        del header.cols["title"]
    if "title" not in header.cols:
        # The items' column: the first column of texts (a plan, longer still, comes after it).
        texty = [c for c in free if len(values(c)) >= 2 and sum(map(len, values(c))) / len(values(c)) >= 6]
        if texty:
            header.cols["title"] = header.guessed["title"] = texty[0]
        elif "plan" in header.cols and not header.plan_parts:  # the one text column is the items
            header.cols["title"] = header.guessed["title"] = header.cols.pop("plan")


def _looks_like_deadline(text: str) -> bool:
    return parse_date(text, year=2000) is not None or squash(text).rstrip("前") in OPEN_ENDED


def _looks_like_people(text: str) -> bool:
    names = people(text)
    return bool(names) and all(map(looks_like_person, names))


def _looks_like_units(text: str) -> bool:
    units = split_units(text)
    return bool(units) and all(map(ends_like_unit, units))


# -- the walk -----------------------------------------------------------------------------------
# Roles a cell merged down over several rows hands on to each of them (a lead unit or a leader
# merged over an item's nodes, or over several items). A merged title or number means the rows
# under it are one item's nodes, so those two are not handed on.
_INHERITED = ("plan", "deadline", "leader", "lead_unit", "implementing", "cooperating")
_UNIT_ROLES = ("lead_unit", "implementing", "cooperating")


class _Parser:
    def __init__(self, path: Path, sheet: Sheet, header: Header, known_units: frozenset[str] = frozenset()):
        self.path, self.sheet, self.header = path, sheet, header
        self.h = header.row
        self.cols = dict(header.cols)
        unit_cols = [self.cols[role] for role in _UNIT_ROLES if role in self.cols]
        self.known_units = unit_vocabulary(
            (cell_text(row[c]) for row in sheet.rows[header.data:] for c in unit_cols if c < len(row)), known_units)
        self.ambiguous: set[tuple[str, str]] = set()  # (role, cell text) already reported
        self.header_texts = [squash(t) for t in header.texts]
        self.plan_parts = header.plan_parts
        self.title_parts = header.title_parts
        used = set(self.cols.values()) | {c for c, _ in self.plan_parts} | set(self.title_parts)
        self.extras = {c: t for c, t in enumerate(header.texts) if c not in used and t}
        self.top_left = _top_left(sheet.merged)
        self.items: list[Item] = []
        self.findings: list[Finding] = []
        self.categories: list[str] = []
        self.notes: list[str] = []
        self.section = {"category": None, "subcategory": None, "leader_group": None}
        self.group_rows: list[tuple[str, str, int]] = []  # (kind, text, row)
        self.open_groups: dict[str, int] = {}  # kind → row of the group row now in force
        self.group_sizes: dict[int, int] = {}  # group row → items found under it
        self.in_notes = False
        self.item_open = False  # the last item takes nodes (no group row since)
        for role, col in header.guessed.items():
            self.findings.append(finding("column-guessed", row=self.h + 1, column=column_letter(col + 1),
                                         value=header.texts[col] if col < len(header.texts) else "",
                                         role=schema.ROLE_LABELS[role]))

    def run(self) -> Breakdown:
        for r in range(self.header.data, len(self.sheet.rows)):
            self._row(r, self.sheet.rows[r])
        if not self.items:
            raise BadInputError(f"文件“{self.path.name}”的表头下面没有任何事项行，请确认工作表是否选对（可用 --sheet 指定）。")
        self._check_counts()
        self._check_duplicates()
        title = self._title()
        year, year_from = self._year(title)
        if year is None:
            self.findings.append(finding("year-unknown", file=self.path.name))
        roles = {col: role for role, col in self.cols.items()}
        columns = [(c, t, roles.get(c) or ("plan" if c in dict(self.plan_parts) else None))
                   for c, t in enumerate(self.header.texts) if t]
        return Breakdown(
            source=self.path.name, sheet=self.sheet.name, title=title, year=year,
            header_row=self.h + 1, items=self.items, findings=self.findings,
            categories=self.categories, notes=self.notes, columns=columns, year_from=year_from,
            first_data_row=self.header.data + 1,
            mapping={role: self.header_texts[col] for role, col in self.cols.items()
                     if not (role == "plan" and self.plan_parts)},
        )

    def _cell(self, r: int, row: list, role: str) -> str:
        """The cell's text; under a merge, the merge's text for the roles a merge hands on."""
        if role == "plan" and self.plan_parts:
            parts = [(label, self._cell_at(r, row, c, role)) for c, label in self.plan_parts]
            return "\n".join(f"{label}：{text}" for label, text in parts if text)
        col = self.cols.get(role)
        return "" if col is None else self._cell_at(r, row, col, role)

    def _cell_at(self, r: int, row: list, col: int, role: str) -> str:
        if (r, col) in self.top_left:
            if role not in _INHERITED:
                return ""
            r0, c0 = self.top_left[(r, col)]
            source = self.sheet.rows[r0]
            return cell_text(source[c0]) if c0 < len(source) else ""
        return cell_text(row[col]) if col < len(row) else ""

    def _own(self, r: int, role: str) -> bool:
        """Whether the row has a cell of its own for the role (not one merged from above)."""
        col = self.cols.get(role)
        return col is not None and (r, col) not in self.top_left

    def _row(self, r: int, row: list) -> None:
        texts = [cell_text(v) for v in row]
        filled = [t for c, t in enumerate(texts) if t and (r, c) not in self.top_left]
        if not filled:
            return
        if self._is_repeated_header(texts):
            self.findings.append(finding("repeated-header", row=r + 1))
            return
        number = squash(self._cell(r, row, "number"))
        if len(set(map(squash, filled))) == 1 and not number.isdigit():
            if self._group_row(r, filled[0]):
                return
        title = self._cell(r, row, "title")
        # A row with only its title filled is an item when the rest of it lies under cells merged
        # from above (one lead unit merged over several items), a stray line otherwise.
        single = len(filled) == 1 and not any((r, c) in self.top_left for c in self.cols.values())
        if number and _NODE_NUMBER_RE.match(number) and self.item_open and not self.in_notes:
            return self._subrow(r, row, title)  # (1), ①, 3.1 under item 3: its nodes
        if number and not _NUMBER_RE.match(number) and single:
            return self._unrecognised(r, filled)
        if number:
            return self._item(r, row, number, title)
        if self.in_notes:
            return self._note(r, " ".join(filled)) if title and not single else self._unrecognised(r, filled)
        if self.item_open and (not title or self._numbered()):
            return self._subrow(r, row, title)
        if title and not single:
            return self._item(r, row, number, title)
        if title and single:
            return self._unrecognised(r, filled)
        self._unrecognised(r, filled)

    def _numbered(self) -> bool:
        """The table numbers its items: a row without a number is then a node, not an item."""
        return "number" in self.cols and any(item.number for item in self.items)

    def _group_row(self, r: int, text: str) -> bool:
        kind = schema.section_kind(text)
        if kind is None and self.in_notes:
            kind = "note"
        if kind is None:
            return False
        text = clean(text).replace("\n", "")
        self.item_open = False
        if kind == "note":
            self._note(r, text)
            return True
        # A group row closes the groups below it: a new category ends its sub-category and
        # leader group; the same leader's name may head several groups, counted apart.
        closes = {"category": ("category", "subcategory", "leader_group"),
                  "subcategory": ("subcategory", "leader_group"), "leader_group": ("leader_group",)}[kind]
        for k in closes:
            self.section[k] = None
            self.open_groups.pop(k, None)
        self.section[kind] = text
        self.open_groups[kind] = r + 1
        self.group_sizes[r + 1] = 0
        if kind == "category":
            self.categories.append(text)
        self.group_rows.append((kind, text, r + 1))
        return True

    def _note(self, r: int, text: str) -> None:
        self.in_notes = True
        self.item_open = False
        self.notes.append(clean(text))
        self.findings.append(finding("note-row", row=r + 1, value=clean(text)))

    def _unrecognised(self, r: int, filled: list[str]) -> None:
        text = clean(" ".join(filled))
        self.findings.append(finding("unrecognised-row", row=r + 1, value=text))

    def _is_repeated_header(self, texts: list[str]) -> bool:
        same = sum(1 for c, t in enumerate(texts) if t and c < len(self.header_texts) and squash(t) == self.header_texts[c])
        return same >= max(2, len(self.cols) // 2)

    # -- items and their nodes ----------------------------------------------------------------
    def _title_part(self, r: int, row: list) -> str:
        """The text beside the title under the same heading: the name of this row's part."""
        texts = [cell_text(row[c]) for c in self.title_parts if c < len(row) and (r, c) not in self.top_left]
        return clean(" ".join(t for t in texts if t)).replace("\n", "")

    def _units(self, r: int, row: list, role: str) -> list[str]:
        """The units a cell names; a line break read by a guess is reported once per cell text."""
        text = self._cell(r, row, role)
        units, ambiguities = read_unit_list(text, self.known_units)
        if ambiguities and (role, text) not in self.ambiguous:
            self.ambiguous.add((role, text))
            for amb in ambiguities:
                self.findings.append(amb.finding(row=r + 1, column=self.header.texts[self.cols[role]]))
        return units

    def _leader(self, r: int, row: list) -> str:
        return "、".join(people(self._cell(r, row, "leader")))

    def _item(self, r: int, row: list, number: str, title: str) -> None:
        star, title = split_star(clean(title).replace("\n", ""))
        units = self._units(r, row, "lead_unit")
        plan = "：".join(t for t in (self._title_part(r, row), clean(self._cell(r, row, "plan"))) if t)
        item = Item(
            number=_number(number), title=title, star=star, plan=plan, deadline=_one_line(self._cell(r, row, "deadline")),
            leader=self._leader(r, row) or _leader_of_group(self.section["leader_group"]),
            units=units, implementing=self._units(r, row, "implementing"),
            cooperating=self._units(r, row, "cooperating"), row=r + 1,
            extras={h: clean(cell_text(row[c])) for c, h in self.extras.items() if c < len(row) and cell_text(row[c])},
            **self.section,
        )
        self.items.append(item)
        self.item_open = True
        for group_row in self.open_groups.values():
            self.group_sizes[group_row] += 1
        where = dict(row=r + 1, item=item.number)
        if not number and "number" in self.cols:  # a table without a 序号 column numbers nothing
            self.findings.append(finding("missing-number", **where, value=title[:40]))
        if not title:
            self.findings.append(finding("missing-title", **where))
        if not units:
            self.findings.append(finding("missing-lead-unit", **where,
                                         column=self.header.texts[self.cols["lead_unit"]] if "lead_unit" in self.cols else "牵头单位"))

    def _subrow(self, r: int, row: list, title: str) -> None:
        """A row under an item without a number of its own: one of the item's nodes, with its
        own unit, plan, deadline, leader and co-units where it names them, the item's otherwise."""
        item = self.items[-1]
        own_title = clean(title).replace("\n", "") if self._own(r, "title") else ""
        own_title = own_title or self._title_part(r, row)
        plan = clean(self._cell(r, row, "plan"))
        if own_title and own_title != item.title:
            plan = f"{own_title}：{plan}" if plan else own_title
            # （二）… or ① … in the title column numbers it as the item's part, and a 序号 merged
            # down from the item holds it under the item: no doubt then
            if not _SUB_TITLE.match(own_title) and self._own(r, "number"):
                self.findings.append(finding("unnumbered-node", row=r + 1, item=item.number, value=own_title[:40]))
        sub = SubRow(plan=plan, deadline=_one_line(self._cell(r, row, "deadline")),
                     units=self._units(r, row, "lead_unit"), row=r + 1, leader=self._leader(r, row),
                     implementing=self._units(r, row, "implementing"), cooperating=self._units(r, row, "cooperating"))
        # What equals the item's own is the item's, not the node's (a cell repeated or merged).
        if sub.units == item.units:
            sub.units = []
        if sub.leader == item.leader:
            sub.leader = ""
        if sub.implementing == item.implementing:
            sub.implementing = []
        if sub.cooperating == item.cooperating:
            sub.cooperating = []
        item.subrows.append(sub)

    # -- checks over the whole table --------------------------------------------------------
    def _check_counts(self) -> None:
        for _kind, text, row in self.group_rows:
            stated = schema.stated_count(text)
            if stated is None:
                continue
            found = self.group_sizes[row]
            if found != stated:
                self.findings.append(finding("count-mismatch", row=row, value=text, stated=stated, found=found))

    def _check_duplicates(self) -> None:
        seen: dict[tuple, Item] = {}
        for item in self.items:
            if not item.number:
                continue
            scope = (item.category, item.number)  # numbering restarts in each category (Heshan)
            if scope in seen:
                first = seen[scope]
                raise BadInputError(
                    f"文件“{self.path.name}”中序号 {item.number} 重复（第{first.row}行和第{item.row}行），无法确定事项；请改正序号后重新导入。")
            seen[scope] = item

    # -- title and year -----------------------------------------------------------------------
    def _above(self) -> list[str]:
        """Texts above the table, nearest last: the sheet's title rows, else the paragraphs a
        Word document puts before it."""
        texts = [clean(cell_text(v)).replace("\n", "") for row in self.sheet.rows[: self.h] for v in row]
        return [t for t in self.sheet.preamble + texts if t]

    def _title(self) -> str:
        candidates = [t for t in self._above() if not re.match(r"^附\s*件", t) and 6 <= len(t) <= 100]
        named = [t for t in candidates if re.search(r"(表|清单|台账|分工|分解|计划|方案|实事|任务|项目|工作)$", t)]
        if named:
            return named[-1]  # the one nearest the table
        return max(candidates, key=len) if candidates else ""

    def _year(self, title: str) -> tuple[int | None, str]:
        for text in [title] + self._above()[::-1]:
            year = _year_in(text)
            if year:
                return year, "title"
        m = _BARE_YEAR_RE.search(self.path.stem)
        if m:
            return int(m.group(1)), "file"
        deadlines = [d for it in self.items for d in [it.deadline] + [s.deadline for s in it.subrows]]
        years = Counter(int(m.group(1)) for d in deadlines for m in _DEADLINE_YEAR_RE.finditer(d))
        if years:
            return years.most_common(1)[0][0], "deadlines"
        return None, ""


def _year_in(text: str) -> int | None:
    m = _YEAR_RE.search(text)
    if m:
        return int(m.group(1))
    m = _CN_YEAR_RE.search(text)  # 二〇二一年
    if m:
        digits = "".join(_CN_DIGIT.get(ch, "") for ch in m.group(1))
        if len(digits) == 4 and digits.startswith("20"):
            return int(digits)
    return None


def _top_left(merged: list[tuple[int, int, int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell hidden under a merge (all but its top-left) → the merge's top-left cell."""
    out = {}
    for r0, c0, r1, c1 in merged:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    out[(r, c)] = (r0, c0)
    return out


def _number(text: str) -> str:
    return squash(text).rstrip(".、．")


def _one_line(text: str) -> str:
    return clean(text).replace("\n", "")


def _leader_of_group(group: str | None) -> str:
    """陈文副市长分管工作（共2项） → 陈文副市长: the leader a group row names."""
    if not group:
        return ""
    return re.split(r"分管", squash(group))[0]
