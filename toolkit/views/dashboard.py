"""dashboard.html: a round at a glance, with 红黄绿 warnings, for a browser, offline, and on paper.

The colour is core.state's light, from the item's status by the one rule: green (绿) done;
yellow (黄) on track but not done; red (红) behind or suspended (the problem statuses of
duban.toml), not reported (a row without an accepted answer), or a row still not done a round
after its deadline. The page also counts the items per status, the same figures as status,
summary and its 统计 sheet, and shows each unit's submission by the same rule (部分退回 for a
file only partly accepted). One self-contained HTML file (no scripts, no web fonts): it opens
from a shared folder or an e-mail attachment on any office computer, and prints on A4.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from ..core.config import Config
from ..core.history import ARROWS, TREND_CN, WORSE
from ..core.state import GREEN, RED, YELLOW, UnitState, light, status_colour
from ..mail.message import render, template_environment
from ..store.fsutil import ELSEWHERE, atomic_write_text
from ..store.workspace import Workspace
from .status import Status, status

LIGHTS = {GREEN: "绿", YELLOW: "黄", RED: "红"}


def texts(reports: list[dict], role: str) -> list[str]:
    """The item's answers for `role`, once each (nodes one unit answered alike show it once, as
    the summary merges them), each after its unit's name where several units answered."""
    several = len({r["unit"] for r in reports}) > 1
    seen = dict.fromkeys((r["unit"], r[role].strip()) for r in reports if r[role] and r[role].strip())
    return [f"{unit}：{text}" if several else text for unit, text in seen]


def grouped(items: list[dict]) -> list[tuple[str, list[dict]]]:
    """Items in table order under their categories (one group, named "", without any)."""
    out: list[tuple[str, list[dict]]] = []
    for item in items:
        if not out or out[-1][0] != item["category"]:
            out.append((item["category"], []))
        out[-1][1].append(item)
    return out


def unit_entry(state: UnitState) -> dict:
    shown = "部分退回" if state.partial else "已报" if state.submitted else "缺报"
    return {"name": state.name, "submitted": state.submitted, "late": state.late, "file": state.file,
            "partial": state.partial, "outstanding": list(state.outstanding), "shown": shown}


def build(ws: Workspace, round_name: str | None = None, st: Status | None = None) -> dict:
    """Everything the template shows, as plain data."""
    cfg = ws.config()
    st = st or status(ws, round_name)
    items = []
    for item in st.items:
        colour, why = light(item["status"], st.rows[item["key"]], st.rnd, cfg)
        items.append({**item, "light": colour, "light_cn": LIGHTS[colour], "why": why,
                      "progress": texts(item["reports"], "progress"), "problems": texts(item["reports"], "problems"),
                      **_trend(item, cfg)})
    lights = Counter(i["light"] for i in items)
    units = [unit_entry(s) for s in st.unit_states]
    warnings = [i for i in items if i["light"] == RED]
    return {
        "title": cfg.title, "round": st.round, "label": st.rnd.label, "due": st.rnd.due.isoformat(),
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "items": items, "groups": grouped(items), "warnings": warnings, "warning_groups": grouped(warnings),
        "leaders": any(i["leader"] for i in items), "units": units,
        "lights": {k: lights.get(k, 0) for k in LIGHTS}, "counts": st.counts,
        "submitted": sum(u["submitted"] for u in units), "late": [u["name"] for u in units if u["late"]],
        "missing": [u["name"] for u in units if not u["submitted"]],
        "partial": [u for u in units if u["partial"]],
        "worse": [i for i in items if i["trend"] == WORSE],
    }


def _trend(item: dict, cfg: Config) -> dict:
    """The item over the rounds collected: a dot per round (its status's colour, the status as
    the tip), the arrow against the round before, and for an item that got worse what it was."""
    steps = item["history"]
    dots = [{"colour": status_colour(s["status"], cfg), "tip": f"{s['label']}：{s['status']}"} for s in steps]
    trend = item["trend"]
    return {"dots": dots, "arrow": ARROWS.get(trend, ""), "trend_cn": TREND_CN.get(trend, ""),
            "before": steps[-2]["status"] if len(steps) > 1 else "", "before_label": steps[-2]["label"] if len(steps) > 1 else ""}


def _trend(item: dict, cfg: Config) -> dict:
    """The item over the rounds collected: a dot per round (its status's colour, the status as
    the tip), the arrow against the round before, and for an item that got worse what it was."""
    steps = item["history"]
    dots = [{"colour": status_colour(s["status"], cfg), "tip": f"{s['label']}：{s['status']}"} for s in steps]
    trend = item["trend"]
    before = steps[-2] if len(steps) > 1 else None
    return {"dots": dots, "arrow": ARROWS.get(trend, ""), "trend_cn": TREND_CN.get(trend, ""),
            "before": before["status"] if before else "", "before_label": before["label"] if before else ""}


def write_dashboard(ws: Workspace, path: Path | None = None, round_name: str | None = None,
                    st: Status | None = None) -> Path:
    data = build(ws, round_name, st)
    env = template_environment(ws.root, autoescape=True)  # units' texts go into the page
    html = render(env, "dashboard.html", data)
    path = Path(path) if path else ws.output_dir / f"dashboard-{data['round']}.html"
    atomic_write_text(path, html, ELSEWHERE.format(option="--html", name=path.name))
    return path
