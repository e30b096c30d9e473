"""status: the merged state of a round, for the terminal, scripts (--json) and the dashboard.

Every status shown is the one rule's (core.state): each reporting row's, each item's from its
rows, the round's counts, each unit's submission.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core import schema
from ..core.assign import other_units, reporting_units
from ..core.history import Step, trend
from ..core.model import Item
from ..core.rounds import Round
from ..core.state import Reporting, UnitState
from ..store.roundstate import round_state
from ..store.workspace import Workspace

# The answers status --json shows, by role (CLI.md names them as the ledger stores them).
REPORT_ROLES = (schema.STATUS, schema.PROGRESS, schema.PROBLEMS, schema.NEXT_STEPS, schema.COMPLETED_ON)


@dataclass
class Status:
    rnd: Round
    items: list[dict]  # as `status --json` shows them, in table order
    counts: dict[str, int]  # items per status, best first, 未报送 last
    units: list[dict]  # as `status --json` shows them (CLI.md): name, submitted, late, file
    rows: dict[str, list[Reporting]]  # item key → its reporting rows, with answers and status
    unit_states: list[UnitState] = field(default_factory=list)  # the units, with the rows they still owe

    @property
    def round(self) -> str:
        return self.rnd.name

    def to_json(self) -> dict:
        return {"round": self.round, "items": self.items, "counts": self.counts, "units": self.units}


def status(ws: Workspace, round_name: str | None = None) -> Status:
    rs = round_state(ws, round_name)  # never writes: works in a workspace it cannot write
    rank = rs.rank()
    out_items = [_item(item, rs.rows[item.key], rs.statuses[item.key], rs.history[item.key], rank) for item in rs.items]
    # CLI.md's four keys per unit; what a partly accepted unit still owes stays in unit_states
    units = [{"name": s.name, "submitted": s.submitted, "late": s.late, "file": s.file} for s in rs.units]
    return Status(rs.rnd, out_items, rs.counts, units, rs.rows, rs.units)


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
