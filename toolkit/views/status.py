"""status: the merged state of a round, for the terminal, scripts (--json) and the dashboard.

Every status shown is the one rule's (core.state): each reporting row's, each item's from its
rows, the round's counts, each unit's submission.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..core import schema
from ..core.assign import other_units, reporting_units, unit_rows
from ..core.history import Step, item_history, rounds_shown, trend
from ..core.model import Item
from ..core.rounds import Round
from ..core.state import Reporting, answers_by_key, count_statuses, item_status, reportings, status_rank, unit_states
from ..store import corrections
from ..store.ledger import Ledger
from ..store.workspace import Workspace

# The answers status --json shows, by role (CLI.md names them as the ledger stores them).
REPORT_ROLES = (schema.STATUS, schema.PROGRESS, schema.PROBLEMS, schema.NEXT_STEPS, schema.COMPLETED_ON)


@dataclass
class Status:
    rnd: Round
    items: list[dict]  # as `status --json` shows them, in table order
    counts: dict[str, int]  # items per status, best first, 未报送 last
    units: list[dict]
    rows: dict[str, list[Reporting]]  # item key → its reporting rows, with answers and status
    history: dict[str, list[Step]]  # item key → its status in each round shown, this one last

    @property
    def round(self) -> str:
        return self.rnd.name

    def to_json(self) -> dict:
        return {"round": self.round, "items": self.items, "counts": self.counts, "units": self.units}


def status(ws: Workspace, round_name: str | None = None) -> Status:
    cfg = ws.config()
    rnd = ws.round(round_name, cfg)
    with Ledger(ws.ledger_path, readonly=True) as ledger:  # works in a workspace it cannot write
        items = ledger.items_or_stop()
        # never writes: the clerk's unrecorded edits in master.xlsx are applied on the fly
        every = corrections.reports(ws, ledger)  # every round's: the history shows the earlier ones
        standing = ledger.standing(rnd.name)
    answers = answers_by_key([rep for rep in every if rep["round"] == rnd.name])
    rank = status_rank(cfg.statuses)
    rows = {item.key: reportings(item, answers, rank) for item in items}
    past = item_history(items, every, rounds_shown(cfg.rounds, {rep["round"] for rep in every}, rnd), rank)
    out_items = [_item(item, rows[item.key], item_status(rows[item.key], rank), past[item.key], rank) for item in items]
    counts = count_statuses([i["status"] for i in out_items], cfg.statuses)
    units = [asdict(s) for s in unit_states(list(unit_rows(items, cfg, rnd.due)), standing)]
    return Status(rnd, out_items, counts, units, rows, past)


def _item(item: Item, rows: list[Reporting], status_: str, steps: list[Step], rank) -> dict:
    reports = []
    for row in rows:
        for answer in row.answers:
            entry = {"unit": answer.unit, "node": row.node}
            entry.update({role: answer.fields.get(role, "") for role in REPORT_ROLES})
            entry["file"] = answer.file
            reports.append(entry)
    return {"key": item.key, "number": item.number, "title": item.title, "category": item.category or "",
            "leader": item.leader, "lead_unit": item.lead_unit, "units": reporting_units(item),
            "other_units": other_units(item), "deadline": item.final_deadline, "status": status_,
            "reports": reports, "history": [step.to_json() for step in steps], "trend": trend(steps, rank)}
