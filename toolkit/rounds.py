"""Reporting rounds (报送轮次): named by their due date, labelled in duban.toml."""

from __future__ import annotations

import datetime as dt

from . import configfile
from .errors import ConfigError
from .workspace import Round, Workspace


def parse_round_name(name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(name.strip())
    except ValueError as e:
        raise ConfigError(f"轮次“{name}”不是日期；请写成截止日期的形式，例如 --round 2022-04-03。") from e


def resolve_round(ws: Workspace, name: str | None, today: dt.date | None = None) -> Round:
    """The round `name` (added to duban.toml when not listed there), or the next one due."""
    cfg = ws.config()
    if name:
        due = parse_round_name(name)
        for r in cfg.rounds:
            if r.due == due:
                return r
        label = f"{due.month}月{due.day}日报送"
        configfile.add_round(ws.config_path, due, label)
        return Round(due, label)
    today = today or dt.date.today()
    upcoming = [r for r in cfg.rounds if r.due >= today]
    if upcoming:
        return upcoming[0]
    last = cfg.rounds[-1].due.isoformat() if cfg.rounds else "2022-04-03"
    raise ConfigError(f"duban.toml 中的报送轮次都已过截止日期；请用 --round 指定轮次，例如 --round {last}，或在 duban.toml 中添加新的轮次。")


def round_label(ws: Workspace, due: dt.date) -> str:
    for r in ws.config().rounds:
        if r.due == due:
            return r.label
    return f"{due.month}月{due.day}日报送"
