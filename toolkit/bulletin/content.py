"""What the bulletin (督查通报) says, as plain data for its Word template.

Every figure is the one rule's (core.state), read through store.roundstate as status reads it:
items and reporting rows (具体工作内容) per status, with their shares; the red items by the
dashboard's light (core.state.light); overdue rows (core.state.overdue); the units
missing or late. Units are named by outcome:

- 推进较好: the unit sent its file on time and every item it reports on is done or on track
  (not behind, not suspended, nothing past its deadline, nothing unreported);
- 进度滞后: the unit sent its file, but some item it reports on is behind, suspended, overdue
  or (a row rejected) unreported, with how many of each;
- 报送不及时: late and missing units.

A unit's standing on an item is the one rule applied to the rows it reports (the rows it
leads), so a unit is not blamed for another unit's sub-row. The texts units wrote are carried
as text: control characters XML cannot hold are dropped, and the template escapes the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..core import schema
from ..core.dates import format_cn
from ..core.model import Item
from ..core.state import RED, Reporting, count_statuses, item_status, light, overdue, status_colour
from ..core.text import one_line, shorten, xml_text
from ..store.roundstate import RoundState

OVERDUE = "已过完成时限仍未完成"
NONE = "—"
TITLE_IN_TEXT = 30  # characters of an item's title quoted in the body (the attachment has it whole)
PLAN_IN_TABLE = 200
TITLE_IN_TABLE = 60  # of 附件2 (overdue work): the plan is what is late; 附件1 has red items' titles whole
PROBLEMS_IN_TABLE = 150  # a row of 附件1 must fit on a page (rows are kept whole); the summary has it all
_CATEGORY_NUMERAL = re.compile(r"^([一二三四五六七八九十]+)、")


def share(count: int, total: int) -> str:
    """7.7%: one decimal, rounded half up as a person rounds (Python's round() would not)."""
    if not total:
        return "0.0%"
    return f"{(Decimal(count * 100) / Decimal(total)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def figures(counts: dict[str, int], measure: str) -> str:
    """已完成219项、占84.9%，…: the statuses that occur, best first, with their shares."""
    total = sum(counts.values())
    parts = [f"{status}{n}{measure}、占{share(n, total)}" for status, n in counts.items() if n]
    return "，".join(parts) or f"暂无{measure}"


def text(value) -> str:
    """A unit's or the table's text as the document holds it: one paragraph's worth, no characters
    XML forbids (the template escapes < > &; Word has no formulas, so = + - @ stay text)."""
    return xml_text(one_line(str(value or "")))


@dataclass
class UnitOutcome:
    name: str
    submitted: bool
    late: bool
    file: str | None
    statuses: dict[str, int] = field(default_factory=dict)  # items it reports on, by its rows' status
    overdue: int = 0  # items with a row of its past the deadline and not done
    numbers: list[str] = field(default_factory=list)  # the items it reports on

    def troubles(self, cfg) -> dict[str, int]:
        """What holds the unit back: counts of problem statuses, unreported and overdue items."""
        out = {s: n for s, n in self.statuses.items() if n and status_colour(s, cfg) == RED}
        if self.overdue:
            out[OVERDUE] = self.overdue
        return out


def build(rs: RoundState, today: dt.date | None = None) -> dict:
    """The template's context."""
    cfg, rnd = rs.cfg, rs.rnd
    labels = number_labels(rs.items)
    all_rows = [row for item in rs.items for row in rs.rows[item.key]]
    node_counts = count_statuses([row.status for row in all_rows], cfg.statuses)
    red = red_items(rs, labels)
    overdue_rows = [(item, row) for item in rs.items for row in rs.rows[item.key] if overdue(row, rnd, cfg)]
    outcomes = unit_outcomes(rs, labels)
    missing = [u for u in outcomes if not u.submitted]
    late = [u for u in outcomes if u.late]
    subject = text(cfg.title) or "重点工作任务"
    return {
        "subject": subject, "period": f"{text(rnd.label)}，截至{format_cn(rnd.due)}", "due": format_cn(rnd.due),
        "round_label": text(rnd.label),
        "round": rnd.name, "issued": format_cn(today or dt.date.today()),
        "n_items": len(rs.items), "n_nodes": len(all_rows), "n_units": len(outcomes),
        "item_figures": figures(rs.counts, "项"), "node_figures": figures(node_counts, "个"),
        "overdue_sentence": overdue_sentence(overdue_rows),
        "reporting_sentence": reporting_sentence(outcomes, missing, late),
        "good_units_sentence": good_sentence(outcomes, cfg),
        "behind_units_sentence": behind_sentence(outcomes, cfg),
        "late_units_sentence": late_sentence(missing, late),
        "problems_sentence": problems_sentence(red),
        "red_groups": red_groups(red),
        "red_items": red,
        "overdue_rows": [overdue_row(i, item, row, labels) for i, (item, row) in enumerate(overdue_rows, 1)],
        "unit_rows": [unit_row(i, u) for i, u in enumerate(missing + [u for u in late if u.submitted], 1)],
        # for --json and the terminal; the template may use them too
        "counts": rs.counts, "nodes": node_counts,
        "missing_units": [u.name for u in missing], "late_units": [u.name for u in late],
    }


def number_labels(items: list[Item]) -> dict[str, str]:
    """item key → its number as the bulletin cites it: the table's own, with the category's
    numeral before it (三、46) where the table numbers each category afresh (Heshan's does)."""
    numbers = [item.number for item in items]
    repeated = len(set(numbers)) < len(numbers)
    out = {}
    for item in items:
        m = _CATEGORY_NUMERAL.match(item.category or "") if repeated else None
        out[item.key] = f"{m.group(1)}、{item.number}" if m else item.number
    return out


def red_items(rs: RoundState, labels: dict[str, str]) -> list[dict]:
    """The items the dashboard shows red, in table order, for 附件1 and the 存在问题 paragraph."""
    out = []
    for item in rs.items:
        rows = rs.rows[item.key]
        colour, why = light(rs.statuses[item.key], rows, rs.rnd, rs.cfg)
        if colour != RED:
            continue
        kind = why if why == rs.statuses[item.key] else OVERDUE
        out.append({"no": len(out) + 1, "key": item.key, "number": labels[item.key], "title": text(item.title),
                    "lead_unit": text(item.lead_unit), "leader": text(item.leader) or NONE,
                    "deadline": text(item.final_deadline) or NONE, "situation": text(why), "kind": kind,
                    "status": rs.statuses[item.key], "problems": problems_of(rows, rs.cfg.done_status)})
    return out


def problems_of(rows: list[Reporting], done: str) -> str:
    """The 存在问题 the units wrote on the item's rows not done, each once, naming the unit where
    several wrote."""
    found: dict[str, list[str]] = {}
    for row in rows:
        if row.status == done:
            continue
        for answer in row.answers:
            words = text(answer.fields.get(schema.PROBLEMS))
            if words and words not in found.setdefault(answer.unit, []):
                found[answer.unit].append(words)
    found = {unit: words for unit, words in found.items() if words}
    if not found:
        return NONE
    joined = "；".join(("" if len(found) == 1 else f"{text(unit)}：") + "；".join(words)
                      for unit, words in found.items())
    return shorten(joined, PROBLEMS_IN_TABLE)


def overdue_row(no: int, item: Item, row: Reporting, labels: dict[str, str]) -> dict:
    label = "" if row.node is None else f"-{row.node + 1}"
    return {"no": no, "number": labels[item.key] + label, "title": shorten(text(item.title), TITLE_IN_TABLE),
            "plan": shorten(text(row.plan), PLAN_IN_TABLE) or NONE, "unit": text(row.lead) or NONE,
            "deadline": text(row.deadline) or NONE, "status": row.status}


def unit_outcomes(rs: RoundState, labels: dict[str, str]) -> list[UnitOutcome]:
    """Each unit of the round, with its standing on the items it reports on (its own rows)."""
    rank = rs.rank()
    mine: dict[str, dict[str, list[Reporting]]] = {}
    for item in rs.items:
        for row in rs.rows[item.key]:
            mine.setdefault(row.lead, {}).setdefault(item.key, []).append(row)
    out = []
    for state in rs.units:
        rows_by_item = mine.get(state.name, {})  # none for a unit that only cooperates
        statuses = count_statuses([item_status(rows, rank) for rows in rows_by_item.values()], rs.cfg.statuses)
        late_items = sum(any(overdue(r, rs.rnd, rs.cfg) for r in rows) for rows in rows_by_item.values())
        out.append(UnitOutcome(state.name, state.submitted, state.late, state.file, statuses, late_items,
                               [labels[k] for k in rows_by_item]))
    return out


def overdue_sentence(rows: list[tuple[Item, Reporting]]) -> str:
    if not rows:
        return "没有已过完成时限仍未完成的工作内容。"
    items = len({item.key for item, _ in rows})
    return f"已过完成时限仍未完成的有{len(rows)}个具体工作内容，涉及{items}项事项（见附件2）。"


def reporting_sentence(outcomes: list[UnitOutcome], missing: list, late: list) -> str:
    on_time = sum(u.submitted and not u.late for u in outcomes)
    parts = [f"{on_time}个按时报送"]
    if late:
        parts.append(f"{len(late)}个迟报")
    if missing:
        parts.append(f"{len(missing)}个未报送")
    tail = "（名单见附件3）" if late or missing else ""
    return f"应报送的{len(outcomes)}个单位中，{'，'.join(parts)}{tail}。"


def names(units: list[UnitOutcome]) -> str:
    return "、".join(text(u.name) for u in units)


def good_sentence(outcomes: list[UnitOutcome], cfg) -> str:
    good = [u for u in outcomes if u.submitted and not u.late and u.numbers and not u.troubles(cfg)]
    if not good:
        return "本轮没有所承担事项全部完成或按进度推进、且按时报送的单位。"
    return f"以下{len(good)}个单位所承担的事项均已完成或按进度推进，且按时报送：{names(good)}。"


def behind_sentence(outcomes: list[UnitOutcome], cfg) -> str:
    behind = [(u, u.troubles(cfg)) for u in outcomes if u.submitted]
    behind = sorted([(u, t) for u, t in behind if t], key=lambda ut: -sum(ut[1].values()))
    if not behind:
        return "已报送的单位所承担的事项均已完成或按进度推进。"
    listed = "；".join(f"{text(u.name)}（{'、'.join(f'{k}{n}项' for k, n in t.items())}）" for u, t in behind)
    return f"以下{len(behind)}个单位有事项进度滞后：{listed}。"


def late_sentence(missing: list[UnitOutcome], late: list[UnitOutcome]) -> str:
    if not missing and not late:
        return "各单位均在截止日期前报送。"
    parts = []
    if late:
        parts.append(f"迟报的单位{len(late)}个：{names(late)}")
    if missing:
        parts.append(f"未报送的单位{len(missing)}个：{names(missing)}")
    return "；".join(parts) + "。"


def problems_sentence(red: list[dict]) -> str:
    if not red:
        return "本轮没有红色预警事项。"
    return f"本轮红色预警（进度滞后）事项{len(red)}项，详见附件1。其中："


def red_groups(red: list[dict]) -> list[dict]:
    """One paragraph per kind of trouble (未按进度完成, 暂缓实施, overdue, 未报送 …), citing items."""
    groups: dict[str, list[dict]] = {}
    for item in red:
        groups.setdefault(item["kind"], []).append(item)
    out = []
    for kind, items in groups.items():
        cited = "；".join(f"{i['number']}．{shorten(i['title'].rstrip('。；，. '), TITLE_IN_TEXT)}（{i['lead_unit']}）"
                         for i in items)
        out.append({"kind": kind, "count": len(items), "text": f"{kind}的{len(items)}项：{cited}。"})
    return out


def unit_row(no: int, unit: UnitOutcome) -> dict:
    return {"no": no, "unit": text(unit.name), "situation": "未报送" if not unit.submitted else "迟报",
            # ， not 、 between numbers: Heshan's carry 、 (三、46)
            "numbers": "，".join(unit.numbers) or NONE, "file": text(unit.file) or NONE}
