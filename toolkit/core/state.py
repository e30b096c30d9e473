"""Status (完成状态): the one rule for a reporting row, an item, a round's counts and a unit.

- A reporting row (every row of the breakdown table: the item row and each sub-row, see
  core.assign) has the worst of its accepted answers, in the configured order (best first);
  未报送 without one.
- An item is as far as its least advanced row: 未报送 as soon as one row has no accepted answer.
- A round counts its items by status: every configured status, then any other word found,
  then 未报送.
- A unit has submitted when a file of it stands (accepted or partly accepted) for the round;
  late when that file was late; missing otherwise.
status, summary, its 统计 sheet, the dashboard, the terminal, collect and mail all call these.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import schema
from .assign import rows_of
from .config import Config
from .model import Item
from .rounds import Round
from .targets import plan_year, split_deadline_cell

UNREPORTED = "未报送"
NO_STATUS = "未填状态"  # an answer without a status (a workspace whose report has no 完成状态 column)


@dataclass
class Answer:
    """One unit's accepted report on one row, in this round."""

    unit: str
    fields: dict[str, str]
    file: str = ""  # the file it was accepted from
    saved_at: str = ""  # that file's own last-saved time (ISO), '' when unknown

    @property
    def status(self) -> str:
        return str(self.fields.get(schema.STATUS) or "").strip()


@dataclass
class Reporting:
    """A row of an item that units answer for, with its answers and its status by the rule."""

    key: str
    item: Item
    node: int | None  # None: the item row; else the sub-row's number within the item (1, 2, …)
    plan: str
    deadline: str  # as the table writes it (the item's last where the row has none)
    units: list[str]
    answers: list[Answer]
    status: str

    @property
    def lead(self) -> str:
        return self.units[0] if self.units else ""


def answers_by_key(reports: list[dict]) -> dict[str, list[Answer]]:
    """The ledger's current reports of a round ({key, unit, fields}) by row key."""
    out: dict[str, list[Answer]] = {}
    for rep in reports:
        out.setdefault(rep["key"], []).append(Answer(rep["unit"], rep["fields"], rep.get("file") or "", rep.get("saved_at") or ""))
    return out


def status_rank(statuses: list[str]):
    """Sort key, best first: the configured statuses, then unknown words, then 未报送."""
    order = {s: i for i, s in enumerate(statuses)}
    return lambda s: order.get(s, len(statuses) + (1 if s == UNREPORTED else 0))


def row_status(answers: list[Answer], rank) -> str:
    """A reporting row's status: its worst accepted answer; 未报送 without one."""
    return max((a.status or NO_STATUS for a in answers), key=rank, default=UNREPORTED)


def reportings(item: Item, answers: dict[str, list[Answer]], rank) -> list[Reporting]:
    """The item's reporting rows with their answers (the lead's first) and status."""
    out = []
    for row in rows_of(item):
        found = sorted(answers.get(row.key, []), key=lambda a: (a.unit != row.lead, a.unit))
        out.append(Reporting(row.key, item, row.node, row.plan, row.deadline, list(row.units), found,
                             row_status(found, rank)))
    return out


def item_status(rows: list[Reporting], rank) -> str:
    """An item is as far as its least advanced row (未报送 when any row has no report)."""
    return max((r.status for r in rows), key=rank)


def status_order(statuses: list[str], present=()) -> list[str]:
    """The statuses a round is counted by, best first: the configured ones, any other word
    found, 未报送 last."""
    return sorted(set(statuses) | set(present) | {UNREPORTED}, key=status_rank(statuses))


def count_statuses(item_statuses: list[str], statuses: list[str]) -> dict[str, int]:
    """Items per status, in status_order (zeros included)."""
    counts = {s: 0 for s in status_order(statuses, item_statuses)}
    for s in item_statuses:
        counts[s] += 1
    return counts


def overdue(row: Reporting, rnd: Round, cfg: Config) -> bool:
    """Past its deadline (on or before the round's due date) and not done."""
    dates = split_deadline_cell(row.deadline, cfg.year or plan_year(rnd.due))
    return bool(dates) and max(d.day for d in dates) <= rnd.due and row.status != cfg.done_status


@dataclass(frozen=True)
class UnitState:
    """How a unit stands in a round: submitted (a file stands), late, and that file."""

    name: str
    submitted: bool
    late: bool
    file: str | None


def unit_states(expected: list[str], standing: dict[str, dict]) -> list[UnitState]:
    """`expected` units in order, from their standing files (unit → {late, file_name})."""
    out = []
    for unit in expected:
        sub = standing.get(unit)
        out.append(UnitState(unit, sub is not None, bool(sub and sub.get("late")), sub.get("file_name") if sub else None))
    return out


def missing_units(states: list[UnitState]) -> list[str]:
    return [s.name for s in states if not s.submitted]


def late_units(states: list[UnitState]) -> list[str]:
    return [s.name for s in states if s.late]
