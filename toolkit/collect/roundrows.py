"""Who reports what in a round: each unit's rows, with look-ups by key and by (序号, 事项).

Built once per round and shared by every file of a collect run: identify and validate ask it
which unit a row belongs to, thousands of times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..core.assign import UnitRow
from ..core.text import fold, split_star


def row_identity(number: str, title: str) -> tuple[str, str]:
    """How a row is recognised without its key: its number and title, ★ and spacing aside."""
    return (fold(number), fold(split_star(title)[1]))


@dataclass
class RoundRows:
    by_unit: dict[str, list[UnitRow]]
    owners_by_key: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for unit, rows in self.by_unit.items():
            for r in rows:
                self.owners_by_key.setdefault(r.key, set()).add(unit)

    @cached_property
    def owners_by_identity(self) -> dict[tuple[str, str], set[str]]:
        """Built when first asked (a row without its key): signed files never ask, and
        folding every title took a third of setting up a round's rows."""
        out: dict[tuple[str, str], set[str]] = {}
        for unit, rows in self.by_unit.items():
            for r in rows:
                out.setdefault(row_identity(r.number, r.title), set()).add(unit)
        return out

    def owners(self, key: str, number: str, title: str) -> set[str]:
        """Units that report on a row given by its key, else by its number and title."""
        found = self.owners_by_key.get(key) if key else None
        return found or self.owners_by_identity.get(row_identity(number, title), set())
