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
          "implementing": 14, "cooperating": 14, "completion": 66, "status": 11, "completed_on": 11,
          "remarks": 10}


@dataclass(frozen=True)
class Column:
    id: str  # number, title, plan, deadline, leader, lead_unit, … completion, status, extra:名称
    header: str
    width: float


def resolve_columns(scfg: SummaryConfig, cfg: Config, items: list[Item]) -> list[Column]:
    """The configured column names → what each shows; a clear error for a name not understood.
    A name may be the table's own header for a role (duban.toml's [mapping]: 民生实事 is the
    items' column where the table calls it so), a role's usual words, a summary word, a role's
    English name, or the header of one of the table's other columns."""
    names = scfg.columns or default_columns(cfg)
    extras = list(dict.fromkeys(k for it in items for k in it.extras))
    out = []
    for i, name in enumerate(names):
        cid = column_id(name, extras, cfg.mapping)
        if cid is None:
            own = "、".join(dict.fromkeys([h for h in cfg.mapping.values() if h] + extras))
            raise ConfigError(f"duban.toml 的 [summary] columns 中的列名“{name}”认不出；可用：序号、项目名称、节点计划、"
                              "完成时间、分管领导、责任单位、实施单位、协办单位、完成情况、完成状态、完成日期、备注，"
                              f"或分解表自己的列名{('（' + own + '）') if own else ''}。")
        width = scfg.widths[i] if scfg.widths else WIDTHS.get(cid, 14)
        out.append(Column(cid, _shown(name, cid, cfg.mapping), float(width)))
    return out


def column_id(name: str, extras=(), mapping: dict[str, str] | None = None) -> str | None:
    """What a [summary] column name shows: a role (number, title …), a summary word's id
    (completion, status, completed_on, remarks), or extra:header for a column of the table's
    own. An extra whose header is also duban's (备注) is named with its mark: 备注（分解表）."""
    word = re.sub(r"\s+", "", name)
    for role, header in (mapping or {}).items():  # the table's own words come first
        if header and re.sub(r"\s+", "", header) == word and role in schema.ROLE_SYNONYMS:
            return role
    if word in schema.ROLE_SYNONYMS or word in SUMMARY_WORDS:
        return word
    for cid, words in SUMMARY_WORDS.items():
        if word in words:
            return cid
    role = schema.match_role(word)
    if role:
        return role[0]
    squashed = {re.sub(r"\s+", "", h): h for h in extras}
    if word in squashed:
        return f"extra:{squashed[word]}"
    if word.endswith(schema.TABLE_MARK) and word[: -len(schema.TABLE_MARK)] in squashed:
        return f"extra:{squashed[word[: -len(schema.TABLE_MARK)]]}"
    return None


def _shown(name: str, cid: str, mapping: dict[str, str]) -> str:
    """The header a column is printed under: as written, but a role's English name (title)
    shows the table's own word for it."""
    word = re.sub(r"\s+", "", name)
    if word == cid and cid in schema.ROLE_SYNONYMS:
        return mapping.get(cid) or schema.ROLE_LABELS[cid]
    if word == cid and cid in SUMMARY_WORDS:
        return SUMMARY_WORDS[cid][0]
    return name
