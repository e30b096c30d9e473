"""The summary's columns: the names duban.toml gives them, and what each shows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core import schema
from ..core.config import Config
from ..core.errors import ConfigError
from ..core.model import Item
from ..store.summaryconfig import SummaryConfig, default_columns

# What a summary column can show, by the words a table uses for it (beyond schema.ROLE_SYNONYMS).
SUMMARY_WORDS = {
    "completion": ("完成情况", "进展情况", "工作进展", "完成进度", "推进情况", "落实情况"),
    "status": ("完成状态", "状态"),
    "completed_on": ("完成日期", "实际完成时间"),
    "remarks": ("备注",),
}

WIDTHS = {"number": 5, "title": 20, "plan": 30, "deadline": 11, "leader": 12, "lead_unit": 14,
          "implementing": 14, "cooperating": 14, "completion": 51, "status": 11, "completed_on": 11,
          "remarks": 10}


@dataclass(frozen=True)
class Column:
    id: str  # number, title, plan, deadline, leader, lead_unit, … completion, status, extra:名称
    header: str
    width: float


def resolve_columns(scfg: SummaryConfig, cfg: Config, items: list[Item]) -> list[Column]:
    """The configured column names → what each shows; a clear error for a name not understood."""
    names = scfg.columns or default_columns(cfg)
    extras = {k for it in items for k in it.extras}
    out = []
    for i, name in enumerate(names):
        cid = column_id(name, extras)
        if cid is None:
            raise ConfigError(f"duban.toml 的 [summary] columns 中的列名“{name}”认不出；可用：序号、项目名称、节点计划、"
                              "完成时间、分管领导、责任单位、实施单位、协办单位、完成情况、完成状态、完成日期、备注，或分解表中其他列的原名。")
        width = scfg.widths[i] if scfg.widths else WIDTHS.get(cid, 14)
        out.append(Column(cid, name, float(width)))
    return out


def column_id(name: str, extras: set[str] = frozenset()) -> str | None:
    word = re.sub(r"\s+", "", name)
    for cid, words in SUMMARY_WORDS.items():
        if word in words:
            return cid
    role = schema.match_role(word)
    if role:
        return role[0]
    return f"extra:{name}" if name in extras else None
