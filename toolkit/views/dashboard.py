"""dashboard.html: a round at a glance, with 红黄绿 warnings, for a browser, offline.

The colour comes from the item's status by the one rule (core.state): green (绿) done; yellow
(黄) on track but not done; red (红) behind or suspended (the problem statuses of duban.toml),
not reported (a row without an accepted answer), or a row past its deadline and not done.
The page also counts the items per status, the same figures as status, summary and its 统计
sheet. One self-contained HTML file (no scripts, no web fonts): it opens from a shared folder
or an e-mail attachment on any office computer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from ..core.config import Config
from ..core.history import ARROWS, TREND_CN, WORSE
from ..core.history import colour as status_colour
from ..core.rounds import Round
from ..core.state import Reporting, overdue
from ..mail.message import render, template_environment
from ..store.fsutil import ELSEWHERE, atomic_write_text
from ..store.workspace import Workspace
from .status import Status, status

LIGHTS = {"green": "绿", "yellow": "黄", "red": "红"}


def light(item_status: str, rows: list[Reporting], cfg: Config, rnd: Round) -> tuple[str, str]:
    """(colour, why) for an item of status `item_status` with these reporting rows."""
    if item_status == cfg.done_status:
        return "green", item_status
    if item_status in cfg.problem_statuses or item_status not in cfg.statuses:  # 未报送 too
        return "red", item_status
    late = next((r for r in rows if overdue(r, rnd, cfg)), None)
    if late is not None:
        return "red", f"已过完成时限（{late.deadline}）仍未完成"
    return "yellow", item_status


def build(ws: Workspace, round_name: str | None = None, st: Status | None = None) -> dict:
    """Everything the template shows, as plain data."""
    cfg = ws.config()
    st = st or status(ws, round_name)
    items = []
    for item in st.items:
        colour, why = light(item["status"], st.rows[item["key"]], cfg, st.rnd)
        # Nodes one unit answered with the same text show it once (as the summary merges them).
        progress = list(dict.fromkeys(r["progress"] for r in item["reports"] if r["progress"]))
        items.append({**item, "light": colour, "light_cn": LIGHTS[colour], "why": why, "progress": progress,
                      **_trend(item, cfg)})
    lights = Counter(i["light"] for i in items)
    return {
        "title": cfg.title, "round": st.round, "label": st.rnd.label, "due": st.rnd.due.isoformat(),
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "items": items, "units": st.units, "lights": {k: lights.get(k, 0) for k in LIGHTS},
        "counts": st.counts, "warnings": [i for i in items if i["light"] == "red"],
        "worse": [i for i in items if i["trend"] == WORSE],
        "submitted": sum(u["submitted"] for u in st.units), "late": [u["name"] for u in st.units if u["late"]],
        "missing": [u["name"] for u in st.units if not u["submitted"]],
    }


def _trend(item: dict, cfg: Config) -> dict:
    """The item over the rounds collected: a dot per round (its status's colour, the status as
    the tip), the arrow against the round before, and for an item that got worse what it was."""
    steps = item["history"]
    dots = [{"colour": status_colour(s["status"], cfg), "tip": f"{s['label']}：{s['status']}"} for s in steps]
    trend = item["trend"]
    return {"dots": dots, "arrow": ARROWS.get(trend, ""), "trend_cn": TREND_CN.get(trend, ""),
            "before": steps[-2]["status"] if len(steps) > 1 else "", "before_label": steps[-2]["label"] if len(steps) > 1 else ""}


def write_dashboard(ws: Workspace, path: Path | None = None, round_name: str | None = None,
                    st: Status | None = None) -> Path:
    data = build(ws, round_name, st)
    env = template_environment(ws.root, autoescape=True)  # units' texts go into the page
    html = render(env, "dashboard.html", data)
    path = Path(path) if path else ws.output_dir / f"dashboard-{data['round']}.html"
    atomic_write_text(path, html, ELSEWHERE.format(option="--html", name=path.name))
    return path
