"""Import: a breakdown table as it arrives (any format, any header) → items and findings.

Works on the grids of `store.tables`, so every format shares one interpretation:
find the header, map columns to roles (schema), then walk the rows, telling items, sub-rows,
group rows (categories, sub-categories, leader groups), notes and repeated headers apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core import schema
from ..core.assign import all_units
from ..core.errors import BadInputError
from ..core.findings import Finding, finding
from ..core.model import Item, SubRow
from ..core.text import cell_text, clean, person, split_star, split_units, squash
from ..store.tables import FORMAT_NAMES, Sheet, read_sheets, sniff
from .hint import no_header_message

HEADER_SCAN_ROWS = 40  # a header sits under a few title rows, never deeper than this
_YEAR_RE = re.compile(r"(20\d\d)\s*年")
_NUMBER_RE = re.compile(r"^\d+([.\-]\d+)*[.、．]?$")


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

    @property
    def units(self) -> list[str]:
        seen: dict[str, None] = {}
        for item in self.items:
            for unit in all_units(item):
                seen.setdefault(unit)
        return list(seen)


def read_breakdown(path, sheet: str | None = None, mapping: dict[str, str] | None = None) -> Breakdown:
    """Read a breakdown table file. `sheet` picks a sheet by name (default: the first with a
    recognisable header); `mapping` (role → header text) overrides the detected columns."""
    path = Path(path)
    sheets = read_sheets(path)
    chosen, header_row = _choose_sheet(path, sheets, sheet, mapping)
    parser = _Parser(path, chosen, header_row, mapping or {})
    breakdown = parser.run()
    kind = sniff(path)
    if not _EXTENSIONS.get(kind, ()) or path.suffix.lower() not in _EXTENSIONS[kind]:
        breakdown.findings.insert(0, finding("extension-mismatch", file=path.name, value=path.suffix,
                                             format=FORMAT_NAMES.get(kind, kind)))
    return breakdown


_EXTENSIONS = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls", ".et"), "ods": (".ods",),
               "csv": (".csv", ".tsv", ".txt"), "docx": (".docx",)}


def _choose_sheet(path: Path, sheets: list[Sheet], name: str | None, mapping) -> tuple[Sheet, int]:
    if name is not None:
        match = [s for s in sheets if s.name == name]
        if not match:
            names = "、".join(f"“{s.name}”" for s in sheets) or "（无）"
            raise BadInputError(f"文件“{path.name}”中没有名为“{name}”的工作表；现有工作表：{names}。请用 --sheet 指定其中之一。")
        candidates = match
    else:
        candidates = sheets
    for s in candidates:
        row = find_header(s.rows, mapping)
        if row is not None:
            return s, row
    if not any(any(cell_text(v) for v in r) for s in candidates for r in s.rows):
        raise BadInputError(f"文件“{path.name}”里没有任何内容，请确认发来的是分解表本身。")
    raise BadInputError(no_header_message(path, candidates))


def _row_roles(row: list, mapping: dict[str, str] | None) -> dict[str, tuple[int, int]]:
    """role → (column, rank) for a candidate header row; the best-ranked column wins a role."""
    forced = {squash(v): k for k, v in (mapping or {}).items() if v}
    roles: dict[str, tuple[int, int]] = {}
    for col, value in enumerate(row):
        text = squash(cell_text(value))
        hit = (forced[text], -1) if text in forced else schema.match_role(text)
        if hit and (hit[0] not in roles or hit[1] < roles[hit[0]][1]):
            roles[hit[0]] = (col, hit[1])
    return roles


def find_header(rows: list[list], mapping: dict[str, str] | None = None) -> int | None:
    """0-based index of the header row: the first near the top naming a title column and at
    least two other roles."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        roles = _row_roles(row, mapping)
        if "title" in roles and len(roles) >= 3:
            return i
    return None


class _Parser:
    def __init__(self, path: Path, sheet: Sheet, header_row: int, mapping: dict[str, str]):
        self.path, self.sheet, self.h = path, sheet, header_row
        header = sheet.rows[header_row]
        self.cols = {role: col for role, (col, _) in _row_roles(header, mapping).items()}
        self.header_texts = [squash(cell_text(v)) for v in header]
        used = set(self.cols.values())
        self.extras = {c: clean(cell_text(v)).replace("\n", "") for c, v in enumerate(header)
                       if c not in used and squash(cell_text(v))}
        self.covered = _covered_cells(sheet.merged)
        self.items: list[Item] = []
        self.findings: list[Finding] = []
        self.categories: list[str] = []
        self.notes: list[str] = []
        self.section = {"category": None, "subcategory": None, "leader_group": None}
        self.group_rows: list[tuple[str, str, int]] = []  # (kind, text, row)
        self.open_groups: dict[str, int] = {}  # kind → row of the group row now in force
        self.group_sizes: dict[int, int] = {}  # group row → items found under it
        self.in_notes = False

    # -- the walk -------------------------------------------------------------------------
    def run(self) -> Breakdown:
        for r in range(self.h + 1, len(self.sheet.rows)):
            self._row(r, self.sheet.rows[r])
        if not self.items:
            raise BadInputError(f"文件“{self.path.name}”的表头下面没有任何事项行，请确认工作表是否选对（可用 --sheet 指定）。")
        self._check_counts()
        self._check_duplicates()
        return Breakdown(
            source=self.path.name, sheet=self.sheet.name, title=self._title(), year=self._year(),
            header_row=self.h + 1, items=self.items, findings=self.findings,
            categories=self.categories, notes=self.notes,
            mapping={role: self.header_texts[col] for role, col in self.cols.items()},
        )

    def _cell(self, r: int, row: list, role: str) -> str:
        col = self.cols.get(role)
        if col is None or col >= len(row) or (r, col) in self.covered:
            return ""
        return cell_text(row[col])

    def _row(self, r: int, row: list) -> None:
        texts = [cell_text(v) for v in row]
        filled = [t for c, t in enumerate(texts) if t and (r, c) not in self.covered]
        if not filled:
            return
        if self._is_repeated_header(texts):
            self.findings.append(finding("repeated-header", row=r + 1))
            return
        if len(set(map(squash, filled))) == 1 and not self._cell(r, row, "number").isdigit():
            if self._group_row(r, filled[0]):
                return
        number = squash(self._cell(r, row, "number"))
        title = self._cell(r, row, "title")
        single = len(filled) == 1
        if number and not _NUMBER_RE.match(number) and single:
            return self._unrecognised(r, filled)
        if number or (title and not single):
            if self.in_notes and not number:
                return self._note(r, " ".join(filled))
            return self._item(r, row, number, title)
        if title and single and not self.in_notes:
            return self._unrecognised(r, filled)
        if self.items and not self.in_notes:
            return self._subrow(r, row)
        self._unrecognised(r, filled)

    def _group_row(self, r: int, text: str) -> bool:
        kind = schema.section_kind(text)
        if kind is None and self.in_notes:
            kind = "note"
        if kind is None:
            return False
        text = clean(text).replace("\n", "")
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
        self.notes.append(clean(text))
        self.findings.append(finding("note-row", row=r + 1, value=clean(text)))

    def _unrecognised(self, r: int, filled: list[str]) -> None:
        text = clean(" ".join(filled))
        self.findings.append(finding("unrecognised-row", row=r + 1, value=text))

    def _is_repeated_header(self, texts: list[str]) -> bool:
        same = sum(1 for c, t in enumerate(texts) if t and c < len(self.header_texts) and squash(t) == self.header_texts[c])
        return same >= max(2, len(self.cols) // 2)

    # -- items and sub-rows ---------------------------------------------------------------
    def _item(self, r: int, row: list, number: str, title: str) -> None:
        star, title = split_star(clean(title).replace("\n", ""))
        units = split_units(self._cell(r, row, "lead_unit"))
        item = Item(
            number=_number(number), title=title, star=star,
            plan=clean(self._cell(r, row, "plan")), deadline=_one_line(self._cell(r, row, "deadline")),
            leader=person(self._cell(r, row, "leader")) or _leader_of_group(self.section["leader_group"]),
            units=units, implementing=split_units(self._cell(r, row, "implementing")),
            cooperating=split_units(self._cell(r, row, "cooperating")), row=r + 1,
            extras={h: clean(cell_text(row[c])) for c, h in self.extras.items() if c < len(row) and cell_text(row[c])},
            **self.section,
        )
        self.items.append(item)
        for group_row in self.open_groups.values():
            self.group_sizes[group_row] += 1
        where = dict(row=r + 1, item=item.number)
        if not number:
            self.findings.append(finding("missing-number", **where, value=title[:40]))
        if not title:
            self.findings.append(finding("missing-title", **where))
        if not units:
            self.findings.append(finding("missing-lead-unit", **where,
                                         column=self.header_texts[self.cols["lead_unit"]] if "lead_unit" in self.cols else "牵头单位"))

    def _subrow(self, r: int, row: list) -> None:
        item = self.items[-1]
        sub = SubRow(plan=clean(self._cell(r, row, "plan")), deadline=_one_line(self._cell(r, row, "deadline")),
                     units=split_units(self._cell(r, row, "lead_unit")), row=r + 1)
        if sub.units and sub.units == item.units:
            sub.units = []  # the same unit cell repeated, not a unit of its own
        for role, target in (("implementing", item.implementing), ("cooperating", item.cooperating)):
            for unit in split_units(self._cell(r, row, role)):
                if unit not in target:
                    target.append(unit)
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

    def _title(self) -> str:
        candidates = []
        for row in self.sheet.rows[: self.h]:
            for v in row:
                t = clean(cell_text(v)).replace("\n", "")
                if t and not re.match(r"^附\s*件", t) and len(t) >= 6:
                    candidates.append(t)
        return max(candidates, key=len) if candidates else ""

    def _year(self) -> int | None:
        for row in self.sheet.rows[: self.h]:
            for v in row:
                m = _YEAR_RE.search(cell_text(v))
                if m:
                    return int(m.group(1))
        return None


def _covered_cells(merged: list[tuple[int, int, int, int]]) -> set[tuple[int, int]]:
    """Cells hidden under a merge (all but its top-left), which read as empty."""
    out = set()
    for r0, c0, r1, c1 in merged:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    out.add((r, c))
    return out


def _number(text: str) -> str:
    t = squash(text).rstrip(".、．")
    return t


def _one_line(text: str) -> str:
    return clean(text).replace("\n", "")


def _leader_of_group(group: str | None) -> str:
    """陈文副市长分管工作（共2项） → 陈文副市长: the leader a group row names."""
    if not group:
        return ""
    return re.split(r"分管", squash(group))[0]
