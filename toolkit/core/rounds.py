"""Reporting rounds (报送轮次): which round a command means, and what it is called.

A round is named by its due date (YYYY-MM-DD). Every command accepts only the rounds listed in
duban.toml (CLI.md); `generate --new-round` adds one, within the workspace's year and the
January after it. This module decides; it writes nothing (store.configfile adds a round).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import ConfigError


@dataclass(frozen=True)
class Round:
    due: dt.date
    label: str

    @property
    def name(self) -> str:
        return self.due.isoformat()

    @property
    def heading(self) -> str:
        """第六次报送（截止 2023-01-03）: the round as the office names it, its date beside."""
        return f"{self.label}（截止 {self.name}）"


def parse_round_name(name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(name).strip())
    except ValueError as e:
        raise ConfigError(f"轮次“{name}”不是日期；请写成截止日期的形式，例如 --round 2022-04-03。") from e


def safe_round_name(name: str | None) -> str | None:
    """`name` when it names a round (a real date, written YYYY-MM-DD), else None: a round name
    from a file or a folder is used in paths only then (no ../ tricks)."""
    try:
        return name if name and dt.date.fromisoformat(name).isoformat() == name else None
    except ValueError:
        return None


def default_label(due: dt.date) -> str:
    """The label of a round added by date alone (the one rule; duban.toml may rename it)."""
    return f"{due.month}月{due.day}日报送"


def known(rounds: list[Round], name: str) -> Round:
    """The configured round `name`, else the round of that date under its default label (a
    round a file or the ledger names that duban.toml no longer lists): never refused."""
    due = parse_round_name(name)
    return next((r for r in rounds if r.due == due), Round(due, default_label(due)))


def listed(rounds: list[Round], name: str) -> Round:
    """The configured round `name`; a round not in duban.toml is refused, naming those that are."""
    due = parse_round_name(name)
    for r in rounds:
        if r.due == due:
            return r
    known = "、".join(f"{r.name}（{r.label}）" for r in rounds) or "（还没有）"
    raise ConfigError(f"轮次 {due.isoformat()} 不在 duban.toml 的报送轮次中。已配置的轮次：{known}。"
                      f"确需新增一轮，请运行 duban generate --round {due.isoformat()} --new-round。")


def new_round(rounds: list[Round], name: str, year: int | None) -> Round:
    """The round `name` for `generate --new-round`: a listed one as it is, else a new one, which must
    fall in the workspace's year or the January after it (the year's last round, 1月3日)."""
    due = parse_round_name(name)
    for r in rounds:
        if r.due == due:
            return r
    if year and not (due.year == year or (due.year == year + 1 and due.month == 1)):
        raise ConfigError(f"轮次 {due.isoformat()} 不在本工作区的年度（{year}年，及次年1月）之内；请检查日期是否写错。")
    return Round(due, default_label(due))


def next_due(rounds: list[Round], today: dt.date) -> Round:
    """The next round due on or after `today` (generate without --round)."""
    for r in rounds:
        if r.due >= today:
            return r
    last = rounds[-1].name if rounds else "2022-04-03"
    raise ConfigError(f"duban.toml 中的报送轮次都已过截止日期；请用 --round 指定轮次，例如 --round {last}，"
                      "或用 --new-round 新增一轮。")


def current(rounds: list[Round], generated: list[str], today: dt.date) -> Round:
    """The round a command means when none is named: the latest one whose workbooks were
    generated, else the next due, else the last configured."""
    made = [r for r in rounds if r.name in set(generated)]
    if made:
        return made[-1]
    if not rounds:
        raise ConfigError("duban.toml 中还没有报送轮次；请在其中添加 [[rounds]]，或运行 duban generate --round 日期 --new-round。")
    return next((r for r in rounds if r.due >= today), rounds[-1])


def resolve(rounds: list[Round], name: str | None, generated: list[str], today: dt.date) -> Round:
    """The round a command means: the named one (listed, else refused), or the current one."""
    return listed(rounds, name) if name else current(rounds, generated, today)


# A unit whose file was sent back (退回修改) resends it within this many working days of the
# file's receipt, or by the round's due date when that is later: the office needs the corrected
# file before it prints the summary, and a unit needs a day or two to ask around.
RESEND_WORKING_DAYS = 2


def resend_by(due: dt.date, received: dt.date, working_days: int = RESEND_WORKING_DAYS) -> dt.date:
    """The day a corrected file is due: `working_days` working days (Monday to Friday; public
    holidays and the weekends worked in their place are not known here) after `received`, or
    `due` when that is later. report.xlsx's correction sheets and the correction mail both say it."""
    day, left = received, max(0, working_days)
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return max(day, due)
