"""Who reports on what (assignments): an item's reporting rows, and each unit's rows in a round.

Every row of the breakdown table is a reporting row with its own answer and status: the item
row, and each sub-row (a plan node with its own deadline, Heshan style, or a part with a unit
of its own, Zhanjiang style). A row is reported by the first unit of its own unit cell, else by
the item's lead (牵头单位, the first listed); cooperating units too when duban.toml says
report.cooperating_units_report = true. generate writes these rows, collect checks returned
files against them and merges them, status, summary and mail count who is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .config import Config
from .model import Item
from .schema import READ_ONLY, SAME_AS_TARGETS
from .targets import round_targets


@dataclass(frozen=True)
class Row:
    """One reporting row of an item: the item row (node None) or its sub-row number `node`
    (1, 2, … in table order; its key is `item.key` + "." + node + 1)."""

    key: str
    node: int | None
    plan: str
    deadline: str  # the row's own, else the item's last (a node left blank runs to the end)
    units: tuple[str, ...]  # who answers for it: its own units, else the item's

    @property
    def lead(self) -> str:
        return self.units[0] if self.units else ""

    @property
    def label(self) -> str:
        """How a sub-row is numbered in the unit's workbook: 26-2 is the item's second row."""
        return "" if self.node is None else f"-{self.node + 1}"


def rows_of(item: Item) -> list[Row]:
    """The item's reporting rows, in table order."""
    last = item.final_deadline
    out = [Row(item.key, None, item.plan or "", item.deadline or last, tuple(item.units))]
    for n, sub in enumerate(item.subrows, start=1):
        out.append(Row(sub.key, n, sub.plan or "", sub.deadline or last, tuple(sub.units or item.units)))
    return out


def reporting_units(item: Item) -> list[str]:
    """Who reports on the item, in table order: the lead of each of its rows, once each."""
    return list(dict.fromkeys(row.lead for row in rows_of(item) if row.lead))


def other_units(item: Item) -> list[str]:
    """Everyone else the item names: co-leads after the first, implementing and cooperating
    units, once each."""
    reporting = set(reporting_units(item))
    others = item.units[1:] + item.implementing + item.cooperating
    for sub in item.subrows:
        others += sub.units[1:] + sub.implementing + sub.cooperating
    return [u for u in dict.fromkeys(others) if u not in reporting]


def all_units(item: Item) -> list[str]:
    return reporting_units(item) + other_units(item)


def row_leads(items: list[Item]) -> dict[str, str]:
    """row key → the unit whose answer the master shows for it."""
    return {row.key: row.lead for item in items for row in rows_of(item) if row.lead}


@dataclass
class UnitRow:
    """One row of a unit's workbook: its read-only texts, and what the unit answered last."""

    key: str
    number: str
    title: str
    targets: str  # this round's targets (本期目标)
    deadline: str
    plan: str  # the row's whole plan for the year (全年工作目标)
    units: tuple[str, ...] = ()  # who answers for the row, its lead first
    others: str = ""  # the row's other responsible units, as the workbook shows them
    item: str = ""  # the item's own number (a node row's number is the item's + -N)
    previous: dict[str, str] = field(default_factory=dict)  # field → last accepted answer

    @property
    def lead(self) -> str:
        return self.units[0] if self.units else ""

    @property
    def plan_shown(self) -> str:
        """The 全年工作目标 cell: 同本期目标 where the plan is the round's targets word for word."""
        return SAME_AS_TARGETS if self.plan.strip() and _same_text(self.plan, self.targets) else self.plan

    def cells(self) -> dict[str, str]:
        """Column id → the read-only cell's text, as the workbook shows it."""
        return {"number": self.number, "title": self.title, "targets": self.targets, "deadline": self.deadline,
                "plan": self.plan_shown, "lead": self.lead, "others": self.others}

    def read_only(self, shown: list[str] | None = None) -> list[str]:
        """The read-only texts in READ_ONLY's order; "" for a column the workbook has not
        (`shown`: the columns it has), as a returned file without it reads. The signed hash
        is taken of these."""
        cells = self.cells()
        return [cells[cid] if shown is None or cid in shown else "" for cid, _, _ in READ_ONLY]

    def earlier_cell(self, cid: str) -> str | None:
        """The text a workbook generated before the layout changed held in a column, where it
        differs from today's: the whole plan under 全年工作目标, every unit under 牵头单位."""
        if cid == "plan":
            return self.plan
        if cid == "lead":
            return "、".join(self.units)
        return None

    def holds(self, cid: str, text: str) -> bool:
        """Is `text` what duban wrote in this row's column `cid`, now or in an earlier layout?"""
        return _same_text(text, self.cells()[cid]) or _same_text(text, self.earlier_cell(cid) or "\x00")


def shown_columns(rows: list[UnitRow]) -> list[str]:
    """The read-only column ids a unit's workbook has: all, but 全年工作目标 only where some
    row's plan says more than its targets (a Heshan table's node rows never do)."""
    ids = [cid for cid, _, _ in READ_ONLY]
    if rows and all(r.plan_shown in (SAME_AS_TARGETS, "") for r in rows):
        ids.remove("plan")
    return ids


def _same_text(a: str, b: str) -> bool:
    """Equal as a spreadsheet shows them: white space and line breaks aside."""
    return " ".join(a.split()) == " ".join(b.split())


def unit_rows(items: list[Item], cfg: Config, due: dt.date) -> dict[str, list[UnitRow]]:
    """unit → its rows for this round, in table order."""
    year = cfg.year or due.year
    out: dict[str, list[UnitRow]] = {}
    for item in items:
        shared = []  # the rows reported by the item's lead: cooperating units answer them too
        for row in rows_of(item):
            if not row.lead:
                continue
            unit_row = _unit_row(item, row, year, due)
            out.setdefault(row.lead, []).append(unit_row)
            if row.units == tuple(item.units):
                shared.append(unit_row)
        if cfg.cooperating_units_report:
            for unit in item.cooperating:
                if unit not in reporting_units(item):
                    out.setdefault(unit, []).extend(shared)
    return out


def _unit_row(item: Item, row: Row, year: int, due: dt.date) -> UnitRow:
    targets = round_targets(row.plan, due, deadlines=[row.deadline], year=year)
    title = "★" + item.title if item.star else item.title
    return UnitRow(key=row.key, number=item.number + row.label, title=title, targets=targets.text,
                   deadline=row.deadline, plan=row.plan, units=row.units, others="、".join(_others(item, row)),
                   item=item.number)


def _others(item: Item, row: Row) -> list[str]:
    """The row's responsible units besides its lead: co-leads, implementing and cooperating
    units (a sub-row's own, else the item's)."""
    sub = item.subrows[row.node - 1] if row.node else None
    source = sub if sub is not None and (sub.units or sub.implementing or sub.cooperating) else item
    units = list(row.units[1:]) + list(source.implementing) + list(source.cooperating)
    return [u for u in dict.fromkeys(units) if u != row.lead]


def items_of(rows: list[UnitRow]) -> list[tuple[str, str]]:
    """(number, title) of the items these rows belong to, once each, in order."""
    return list(dict.fromkeys((r.item or r.number, r.title) for r in rows))
