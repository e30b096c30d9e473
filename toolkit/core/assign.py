"""Who reports on what (assignments): each unit's rows in a round, with their targets and deadline.

The lead unit of an item (牵头单位, the first listed) reports on the item row and the plan nodes
that share its units; a sub-row with units of its own is reported by its own lead; cooperating
units too when duban.toml says report.cooperating_units_report = true. generate writes these
rows, collect checks returned files against them, status and mail count who is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .config import Config
from .model import Item
from .schema import READ_ONLY
from .targets import round_targets, round_targets_for_nodes


@dataclass
class UnitRow:
    key: str
    number: str
    title: str
    targets: str
    deadline: str
    plan: str
    units: str
    previous: dict[str, str] = field(default_factory=dict)  # field → last accepted answer

    def read_only(self) -> list[str]:
        return [getattr(self, cid) for cid, _, _ in READ_ONLY]


def unit_rows(items: list[Item], cfg: Config, due: dt.date) -> dict[str, list[UnitRow]]:
    """unit → its rows for this round, in table order."""
    year = cfg.year or due.year
    out: dict[str, list[UnitRow]] = {}
    for item in items:
        nodes = [(item.plan, item.deadline)]
        if item.subrows:
            nodes += [(s.plan, s.deadline) for s in item.subrows if not s.units]
        lead_row = _row(item.key, item, nodes, year, due, "、".join(item.units))
        lead = item.lead_unit
        if lead:
            out.setdefault(lead, []).append(lead_row)
        for sub in item.subrows:
            if sub.units:
                row = _row(sub.key, item, [(sub.plan, sub.deadline or item.deadline)], year, due, "、".join(sub.units))
                out.setdefault(sub.lead_unit, []).append(row)
        if cfg.cooperating_units_report:
            for unit in item.cooperating:
                if unit not in item.reporting_units:
                    out.setdefault(unit, []).append(lead_row)
    return out


def _row(key: str, item: Item, nodes: list[tuple[str, str]], year: int, due: dt.date, units: str) -> UnitRow:
    if len(nodes) > 1:
        plan = "\n".join(p for p, _ in nodes if p)
        targets = round_targets_for_nodes(nodes, due, year)
        deadline = next((d for _, d in reversed(nodes) if d), item.deadline)
    else:  # one node, the common case: the same as above with nothing to join or look through
        plan, deadline = nodes[0]
        plan = plan or ""
        targets = round_targets(plan, due, deadlines=[deadline], year=year)
        deadline = deadline or item.deadline
    title = "★" + item.title if item.star else item.title
    return UnitRow(key=key, number=item.number, title=title, targets=targets.text, deadline=deadline,
                   plan=plan, units=units)
