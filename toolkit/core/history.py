"""History (历次情况): each item's status in every round collected so far, and its trend.

An item's status in a round is the one rule (core.state) applied to that round's answers:
nothing here re-derives it. The rounds shown are those with at least one accepted report (a
round not collected yet would only say 未报送 everywhere), up to the round asked, which is
always shown. A trend compares an item's status with its status in the round shown before,
by the configured order, best first: an unknown word after the configured statuses, 未报送
last, so an item whose unit has not reported yet this round counts as worse.
status --json, the dashboard and master.xlsx's 历次情况 sheet all call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import Item
from .rounds import Round, known
from .state import answers_by_key, item_status, reportings

BETTER, SAME, WORSE = "better", "same", "worse"
ARROWS = {BETTER: "▲", SAME: "＝", WORSE: "▼"}
TREND_CN = {BETTER: "变好", SAME: "持平", WORSE: "变差"}


@dataclass(frozen=True)
class Step:
    """An item in one round: its status by the one rule, and the date of the latest accepted
    file among its answers ('' when it has none)."""

    rnd: Round
    status: str
    date: str

    def to_json(self) -> dict:
        return {"round": self.rnd.name, "label": self.rnd.label, "status": self.status, "date": self.date or None}


def rounds_shown(configured: list[Round], reported: Iterable[str], upto: Round | None = None) -> list[Round]:
    """The rounds a history shows, oldest first: those with an accepted report (`reported`:
    their names; one duban.toml no longer lists keeps its default label), not after `upto`,
    and `upto` itself."""
    shown = {name: known(configured, name) for name in set(reported)}
    if upto is not None:
        shown = {name: r for name, r in shown.items() if r.due <= upto.due}
        shown[upto.name] = upto
    return sorted(shown.values(), key=lambda r: r.due)


def item_history(items: list[Item], reports: list[dict], rounds: list[Round], rank) -> dict[str, list[Step]]:
    """item key → its Step in each of `rounds`, from the reports that count ({key, unit,
    round, fields, saved_at …}, corrections applied) of every round."""
    by_round: dict[str, list[dict]] = {}
    for rep in reports:
        by_round.setdefault(rep["round"], []).append(rep)
    out: dict[str, list[Step]] = {item.key: [] for item in items}
    for rnd in rounds:
        answers = answers_by_key(by_round.get(rnd.name, []))
        for item in items:
            rows = reportings(item, answers, rank)
            dates = [a.saved_at[:10] for row in rows for a in row.answers if a.saved_at]
            out[item.key].append(Step(rnd, item_status(rows, rank), max(dates, default="")))
    return out


def trend(steps: list[Step], rank) -> str | None:
    """BETTER, SAME or WORSE: the last step against the one before it; None with one step."""
    if len(steps) < 2:
        return None
    before, now = rank(steps[-2].status), rank(steps[-1].status)
    return SAME if now == before else (BETTER if now < before else WORSE)
