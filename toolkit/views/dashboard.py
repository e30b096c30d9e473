"""dashboard.html: a round at a glance, with 红黄绿 warnings, for a browser, offline.

Green (绿): done. Yellow (黄): reported and on track but not done. Red (红): behind or
suspended (the problem statuses of duban.toml), not reported, or past its deadline and
not done. One self-contained HTML file (no scripts, no web fonts): it opens from a shared
folder or an e-mail attachment on any office computer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from ..core.dates import parse_date
from ..mail.message import render, template_environment
from ..store.fsutil import atomic_write_text
from ..store.workspace import Config, Workspace
from .status import Status, status

LIGHTS = {"green": "绿", "yellow": "黄", "red": "红"}


def light(item: dict, cfg: Config, due: dt.date | None) -> tuple[str, str]:
    """(colour, why) for one item of `duban status`."""
    statuses = [r["status"] for r in item["reports"] if r["status"]]
    if not statuses:
        return "red", "未报送"
    worst = max(statuses, key=lambda s: cfg.statuses.index(s) if s in cfg.statuses else len(cfg.statuses))
    if any(s in cfg.problem_statuses for s in statuses):
        return "red", worst
    if all(s == cfg.done_status for s in statuses):
        return "green", cfg.done_status
    deadline = parse_date(item["deadline"], year=cfg.year) if item["deadline"] else None
    if due and deadline and deadline.day < due:
        return "red", f"已过完成时限（{item['deadline']}）仍未完成"
    return "yellow", worst


def build(ws: Workspace, round_name: str | None = None) -> dict:
    """Everything the template shows, as plain data."""
    cfg = ws.config()
    st: Status = status(ws, round_name)
    due = next((r.due for r in cfg.rounds if r.name == st.round), None)
    label = next((r.label for r in cfg.rounds if r.name == st.round), st.round)
    items = []
    for item in st.items:
        colour, why = light(item, cfg, due)
        items.append({**item, "light": colour, "light_cn": LIGHTS[colour], "why": why})
    counts = Counter(i["light"] for i in items)
    return {
        "title": cfg.title, "round": st.round, "label": label, "due": due.isoformat() if due else "",
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "items": items, "units": st.units, "lights": {k: counts.get(k, 0) for k in LIGHTS},
        "warnings": [i for i in items if i["light"] == "red"],
        "submitted": sum(u["submitted"] for u in st.units), "late": [u["name"] for u in st.units if u["late"]],
        "missing": [u["name"] for u in st.units if not u["submitted"]],
    }


def write_dashboard(ws: Workspace, path: Path | None = None, round_name: str | None = None) -> Path:
    data = build(ws, round_name)
    env = template_environment(ws.root, autoescape=True)  # units' texts go into the page
    html = render(env, "dashboard.html", data)
    path = Path(path) if path else ws.output_dir / f"dashboard-{data['round']}.html"
    atomic_write_text(path, html)
    return path
