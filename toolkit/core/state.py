"""Status (完成状态): the one rule for a reporting row, an item, a round's counts and a unit.

- A reporting row (every row of the breakdown table: the item row and each sub-row, see
  core.assign) has the worst of its accepted answers, in the configured order (best first);
  未报送 without one.
- An item is as far as its least advanced row: 未报送 as soon as one row has no accepted answer.
- A round counts its items by status: every configured status, then any other word found,
  then 未报送.
- A unit has submitted when a file of it stands (accepted or partly accepted) for the round;
  late when that file was late; missing otherwise. Its rows with no accepted answer of its own
  are outstanding (a partly accepted file's rejected rows): submitted, but not done with.
- An item's light (红黄绿) follows its status: green done, red a problem status or 未报送,
  yellow otherwise, unless a row is still not done a round after its deadline (red).
status, summary, its 统计 sheet, the dashboard, the bulletin, the terminal, collect and mail all call these.
"""

from __future__ import annotations

import datetime as dt
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


def row_due(row: Reporting, rnd: Round, cfg: Config) -> dt.date | None:
    """The row's last deadline as a date (None when its 完成时限 names none)."""
    dates = split_deadline_cell(row.deadline, cfg.year or plan_year(rnd.due))
    return max(d.day for d in dates) if dates else None


def overdue(row: Reporting, rnd: Round, cfg: Config) -> bool:
    """Past its deadline (on or before the round's due date) and not done."""
    due = row_due(row, rnd, cfg)
    return due is not None and due <= rnd.due and row.status != cfg.done_status


def previous_due(rnd: Round, cfg: Config) -> dt.date | None:
    """The due date of the configured round before `rnd` (None for the first)."""
    return max((r.due for r in cfg.rounds if r.due < rnd.due), default=None)


GREEN, YELLOW, RED = "green", "yellow", "red"


def status_colour(status: str, cfg: Config) -> str:
    """The 红黄绿 of a status alone (an item's light also weighs its deadlines, and the history's
    dots show this): green done; red behind, suspended, 未报送 or a word not configured; else yellow."""
    if status == cfg.done_status:
        return GREEN
    if status == UNREPORTED or status in cfg.problem_statuses or status not in cfg.statuses:
        return RED
    return YELLOW


def light(item_status: str, rows: list[Reporting], rnd: Round, cfg: Config) -> tuple[str, str]:
    """An item's light (green/yellow/red) and why, from its status and its rows.

    Green is done; red a problem status (未按进度完成, 暂缓实施) or 未报送; yellow is what the
    unit calls on track (基本按进度完成). Units report, each round, on the targets that fell due
    since the last round, so a target due in this round's period and called on track is
    yellow: the unit's own word, as the summary prints it. Only a row that was already due at
    the previous round and is still not done turns its item red (逾期). Counting every target
    due on or before this round's date as overdue made yellow impossible in the year's last
    round (every 12月15日 target is due by 1月3日): the 19 items Heshan itself called
    基本按进度完成 at the year's end all showed red beside the 12 really behind.
    """
    colour = status_colour(item_status, cfg)
    if colour == GREEN:
        return GREEN, item_status
    if item_status == UNREPORTED and any(r.answers for r in rows):
        return RED, f"未报送（共 {len(rows)} 行，{sum(not r.answers for r in rows)} 行未报）"
    if colour == RED:
        return RED, item_status
    before = previous_due(rnd, cfg)
    for row in rows:
        due = row_due(row, rnd, cfg)
        if before is not None and due is not None and due <= before and row.status != cfg.done_status:
            return RED, f"已过完成时限（{row.deadline}）仍未完成"
    due_now = next((r for r in rows if overdue(r, rnd, cfg)), None)  # what the summary lists as 逾期未完成
    return YELLOW, f"{item_status}（完成时限{due_now.deadline}已到）" if due_now else item_status


@dataclass(frozen=True)
class UnitState:
    """How a unit stands in a round: submitted (a file stands), late, and that file; the rows
    it still owes when its file was only partly accepted."""

    name: str
    submitted: bool
    late: bool
    file: str | None
    outstanding: tuple[str, ...] = ()  # numbers (26, 26-2) of its rows without an accepted answer of its own

    @property
    def partial(self) -> bool:
        """Submitted, but rows of it were sent back (部分退回): not plainly 已报."""
        return self.submitted and bool(self.outstanding)


def unit_states(expected: list[str], standing: dict[str, dict], rows: dict[str, list] | None = None,
                answers: dict[str, list[Answer]] | None = None) -> list[UnitState]:
    """`expected` units in order, from their standing files (unit → {late, file_name}); with
    each unit's rows (core.assign.unit_rows) and the round's answers, what a submitted unit
    still owes."""
    out = []
    for unit in expected:
        sub = standing.get(unit)
        owed = ()
        if sub is not None and rows is not None and answers is not None:
            owed = tuple(r.number for r in rows.get(unit, ())
                         if not any(a.unit == unit for a in answers.get(r.key, ())))
        out.append(UnitState(unit, sub is not None, bool(sub and sub.get("late")),
                             sub.get("file_name") if sub else None, owed))
    return out


def missing_units(states: list[UnitState]) -> list[str]:
    return [s.name for s in states if not s.submitted]


def late_units(states: list[UnitState]) -> list[str]:
    return [s.name for s in states if s.late]
