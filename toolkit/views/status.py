"""status: the merged state of a round, for the terminal, scripts (--json) and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import schema
from ..core.assign import unit_rows
from ..store import corrections
from ..store.ledger import Ledger
from ..store.workspace import Workspace

REPORT_KEYS = {"status": schema.STATUS, "progress": schema.PROGRESS, "problems": schema.PROBLEMS,
               "next_steps": schema.NEXT_STEPS, "completed_on": schema.COMPLETED_ON}


@dataclass
class Status:
    round: str
    items: list[dict]
    units: list[dict]

    def to_json(self) -> dict:
        return {"round": self.round, "items": self.items, "units": self.units}


def status(ws: Workspace, round_name: str | None = None) -> Status:
    cfg = ws.config()
    rnd = ws.round(round_name, cfg)
    rnd_name, due = rnd.name, rnd.due
    with Ledger(ws.ledger_path) as ledger:
        items = ledger.items_or_stop()
        reports = corrections.reports(ws, ledger, rnd_name)  # never writes: unrecorded edits applied on the fly
        standing = ledger.standing(rnd_name)
    by_key: dict[str, list[dict]] = {}
    for rep in reports:
        by_key.setdefault(rep["key"], []).append(rep)
    out_items = [_item(item, by_key) for item in items]
    expected = list(unit_rows(items, cfg, due)) if due else sorted({u for it in items for u in it.reporting_units})
    units = [{"name": u, "submitted": u in standing, "late": bool(standing.get(u, {}).get("late")),
              "file": standing.get(u, {}).get("file_name")} for u in expected]
    return Status(rnd_name, out_items, units)


def _item(item, by_key) -> dict:
    reports = []
    for key in [item.key] + [s.key for s in item.subrows]:
        for rep in by_key.get(key, []):
            entry = {"unit": rep["unit"]}
            entry.update({k: rep["fields"].get(v, "") for k, v in REPORT_KEYS.items()})
            entry["file"] = rep["file"]
            reports.append(entry)
    return {"key": item.key, "number": item.number, "title": item.title, "category": item.category or "",
            "leader": item.leader, "lead_unit": item.lead_unit, "units": item.reporting_units,
            "other_units": item.other_units, "deadline": item.final_deadline, "reports": reports}
