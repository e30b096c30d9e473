"""Status (完成状态): the one rule for a reporting row, an item and a round's counts.

A reporting row (Reporting) is what one unit answers for: the item row with the plan nodes that
share its units, or a sub-row with units of its own. Its status is the worst of its accepted
answers, 未报送 without one. An item is as far as its least advanced row. status, summary, its
统计 sheet, the dashboard and mail all call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import schema
from .model import Item

UNREPORTED = "未报送"
NO_STATUS = "未填状态"  # an answer without a status (a workspace whose report has no 完成状态 column)


# -- the rows units report on, and their answers ---------------------------------------------------


@dataclass
class Answer:
    """One unit's accepted report on one row, in this round."""

    unit: str
    fields: dict[str, str]

    @property
    def status(self) -> str:
        return str(self.fields.get(schema.STATUS) or "").strip()


@dataclass
class Reporting:
    """A row a unit reports on: the item (with the nodes sharing its units) or a sub-row with
    units of its own. status is the worst of its answers, 未报送 without one."""

    key: str
    item: Item
    units: list[str]
    deadline: str  # the last deadline of its nodes, as the table writes it
    answers: list[Answer]
    status: str

    @property
    def lead(self) -> str:
        return self.units[0] if self.units else ""


@dataclass(frozen=True)
class Node:
    """A row of the breakdown table: the item row or one of its sub-rows."""

    plan: str
    deadline: str
    owner: str  # key of the Reporting that answers for it


def nodes_of(item: Item) -> list[Node]:
    return [Node(item.plan, item.deadline, item.key)] + [
        Node(s.plan, s.deadline, s.key if s.units else item.key) for s in item.subrows]


def status_rank(statuses: list[str]):
    """Sort key, best first: the configured statuses, then unknown words, then 未报送."""
    order = {s: i for i, s in enumerate(statuses)}
    return lambda s: order.get(s, len(statuses) + (1 if s == UNREPORTED else 0))


def reportings(item: Item, answers: dict[str, list[Answer]], rank) -> list[Reporting]:
    shared = [item.deadline] + [s.deadline for s in item.subrows if not s.units]
    rows = [(item.key, item.units, next((d for d in reversed(shared) if d), ""))]
    rows += [(s.key, s.units, s.deadline or item.deadline) for s in item.subrows if s.units]
    out = []
    for key, units, deadline in rows:
        found = sorted(answers.get(key, []), key=lambda a: (a.unit != (units[0] if units else ""), a.unit))
        status = max((a.status or NO_STATUS for a in found), key=rank, default=UNREPORTED)
        out.append(Reporting(key, item, list(units), deadline, found, status))
    return out


def item_status(rows: list[Reporting], rank) -> str:
    """An item is as far as its least advanced row (未报送 when any row has no report)."""
    return max((r.status for r in rows), key=rank)
