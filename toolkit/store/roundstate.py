"""A round's state as every output shows it: the items, their reporting rows with the answers
that count (the office's corrections applied), each row's and item's status, the round's
counts and each unit's submission, all by the one rule (core.state).

status (and its dashboard) and the bulletin read a round through this one function, so they
cannot disagree. It never writes: the clerk's edits in master.xlsx not yet recorded are
applied on the fly (store.corrections), and the ledger is opened read-only, so it works in a
workspace it cannot write and beside a collect that is rewriting the master.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.assign import unit_rows
from ..core.config import Config
from ..core.history import Step, item_history, rounds_shown
from ..core.model import Item
from ..core.rounds import Round
from ..core.state import (
    Reporting,
    UnitState,
    answers_by_key,
    count_statuses,
    item_status,
    reportings,
    status_rank,
    unit_states,
)
from . import corrections
from .ledger import Ledger
from .workspace import Workspace


@dataclass
class RoundState:
    cfg: Config
    rnd: Round
    items: list[Item]  # in table order
    rows: dict[str, list[Reporting]]  # item key → its reporting rows, with answers and status
    statuses: dict[str, str]  # item key → the item's status
    counts: dict[str, int]  # items per status, best first, 未报送 last
    units: list[UnitState]  # the units that report this round, in table order
    history: dict[str, list[Step]]  # item key → its status in each round collected up to this one, this one last

    def rank(self):
        return status_rank(self.cfg.statuses)


def round_state(ws: Workspace, round_name: str | None = None) -> RoundState:
    cfg = ws.config()
    rnd = ws.round(round_name, cfg)
    with Ledger(ws.ledger_path, readonly=True) as ledger:
        items = ledger.items_or_stop()
        every = corrections.reports(ws, ledger)  # every round's: the history shows the earlier ones
        standing = ledger.standing(rnd.name)
    answers = answers_by_key([rep for rep in every if rep["round"] == rnd.name])
    rank = status_rank(cfg.statuses)
    rows = {item.key: reportings(item, answers, rank) for item in items}
    statuses = {item.key: item_status(rows[item.key], rank) for item in items}
    counts = count_statuses(list(statuses.values()), cfg.statuses)
    owed = unit_rows(items, cfg, rnd.due)
    units = unit_states(list(owed), standing, owed, answers)  # with the rows a partly accepted unit still owes
    history = item_history(items, every, rounds_shown(cfg.rounds, {rep["round"] for rep in every}, rnd), rank)
    return RoundState(cfg, rnd, items, rows, statuses, counts, units, history)
