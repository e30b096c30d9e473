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
from .schema import READ_ONLY
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
    key: str
    number: str
    title: str
    targets: str
    deadline: str
    plan: str
    units: str
    item: str = ""  # the item's own number (a node row's number is the item's + -N)
    previous: dict[str, str] = field(default_factory=dict)  # field → last accepted answer

    def read_only(self) -> list[str]:
        return [getattr(self, cid) for cid, _, _ in READ_ONLY]


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
                   deadline=row.deadline, plan=row.plan, units="、".join(row.units), item=item.number)


def items_of(rows: list[UnitRow]) -> list[tuple[str, str]]:
    """(number, title) of the items these rows belong to, once each, in order."""
    return list(dict.fromkeys((r.item or r.number, r.title) for r in rows))
