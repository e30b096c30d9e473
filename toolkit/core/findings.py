"""Findings: what duban noticed about the data, as data (code, where, value, Chinese message).

A finding never stops the run; the caller decides what an `error` means for its stage.
Codes are stable English names that scripts may rely on; messages are for clerks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "error" | "warning"
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    unit: str | None = None
    item: str | None = None

    def to_json(self) -> dict:
        """The FINDING shape of CLI.md (every key present, in that order)."""
        d = asdict(self)
        return {k: d[k] for k in ("code", "severity", "unit", "item", "row", "column", "value", "message")}


def warning(code: str, message: str, **where) -> Finding:
    return Finding(code, "warning", message, **where)


def error(code: str, message: str, **where) -> Finding:
    return Finding(code, "error", message, **where)
