"""A workspace's settings as duban.toml states them (read by store.workspace)."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import schema
from .rounds import RESEND_WORKING_DAYS, Round
from .wording import Wording


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
    report_fields: list[str] = field(default_factory=lambda: list(schema.REPORT_ROLES))  # roles, in order
    signoff_fields: list[str] = field(default_factory=lambda: list(schema.SIGNOFF_ROLES))  # roles, in order
    headers: dict[str, str] = field(default_factory=dict)  # role → header, where not the default
    cooperating_units_report: bool = False
    contact: str = ""  # whom units ask: written into every workbook's instructions
    resend_days: int = RESEND_WORKING_DAYS  # working days a unit has to resend a corrected file
    rounds: list[Round] = field(default_factory=list)
    mail: dict = field(default_factory=dict)
    # [checks]: the schema's phrases and the workspace's own after them (core.wording)
    under_way_words: list[str] = field(default_factory=lambda: list(schema.UNDER_WAY_WORDS))
    not_under_way_words: list[str] = field(default_factory=lambda: list(schema.NOT_UNDER_WAY_WORDS))
    done_words: list[str] = field(default_factory=lambda: list(schema.DONE_WORDS))

    @property
    def wording(self) -> Wording:
        """The phrases collect reads a 进展情况 text by."""
        return Wording(tuple(self.under_way_words), tuple(self.not_under_way_words), tuple(self.done_words))

    def header(self, role: str) -> str:
        """The header units see for a role (a field of the workspace's own is its own header)."""
        return self.headers.get(role) or schema.DEFAULT_HEADERS.get(role, role)

    def role_of(self, name: str) -> str:
        """The role a name in duban.toml means: a role, a configured header or a default one."""
        return schema.report_role(name, {self.header(r): r for r in self.report_fields + self.signoff_fields})

    def header_roles(self, roles: list[str], former: dict[str, list[str]] | None = None) -> dict[str, str]:
        """header → role for `roles`, for reading a returned workbook: the configured headers
        first, then the default ones and those configured before (`former`), so that a workbook
        generated before a rename still reads. Where a text could mean two roles, the first wins."""
        out: dict[str, str] = {}
        for role in roles:
            out.setdefault(self.header(role), role)
        for role in roles:
            out.setdefault(schema.DEFAULT_HEADERS.get(role, role), role)
        for role in roles:
            for header in (former or {}).get(role, ()):
                out.setdefault(header, role)
        return out
