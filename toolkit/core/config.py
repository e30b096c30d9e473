"""A workspace's settings as duban.toml states them (read by store.workspace)."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import schema
from .rounds import Round


@dataclass
class Config:
    """duban.toml as read; see `config_text` for what each key means."""

    title: str = ""
    year: int | None = None
    workspace_id: str = ""
    source: str = ""
    sheet: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    statuses: list[str] = field(default_factory=lambda: list(schema.DEFAULT_STATUSES))
    done_status: str = schema.DONE_STATUS
    problem_statuses: list[str] = field(default_factory=lambda: list(schema.PROBLEM_STATUSES))
    report_fields: list[str] = field(default_factory=lambda: list(schema.REPORT_FIELDS))
    signoff_fields: list[str] = field(default_factory=lambda: list(schema.SIGNOFF_FIELDS))
    cooperating_units_report: bool = False
    contact: str = ""  # whom units ask: written into every workbook's instructions
    rounds: list[Round] = field(default_factory=list)
    mail: dict = field(default_factory=dict)
