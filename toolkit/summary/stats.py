"""Statistics of a round's summary: counts and shares per status, overall, per category, per
leader and per reporting unit, and the rows past their deadline and not done (逾期未完成).

pandas does the group-bys (DESIGN.md); it is imported inside `compute`, so `duban --help` and
the other commands never pay for it. Written as the summary workbook's 统计 and 逾期未完成 sheets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core import schema
from ..core.dates import format_cn
from ..core.state import count_statuses, item_status, overdue, status_order, status_rank
from ..core.units import leader_key, people
from ..store.workspace import Config, Round
from .styles import Styles, page_setup
from .table import SummaryTable
from .text import MAX_ROW_HEIGHT, Metrics

STATS_SHEET = "统计"
OVERDUE_SHEET = "逾期未完成"
TOTAL = "合计"
NO_GROUP = {"category": "（未分类）", "leader": "（未明确分管领导）", "unit": "（未填责任单位）"}


@dataclass
class Stats:
    round: Round
    order: list[str]  # the statuses shown, best first, 未报送 last
    tables: list[tuple[str, object]]  # (section title, DataFrame: groups × order + 合计)
    overdue: object  # DataFrame, one row per reporting row past its deadline and not done
    items: object  # DataFrame, one row per item

    def item_counts(self) -> dict[str, int]:
        return count_statuses(list(self.items["status"]), self.order)


def compute(table: SummaryTable, cfg: Config, rnd: Round) -> Stats:
    import pandas as pd

    rank = status_rank(cfg.statuses)
    items = pd.DataFrame(_item_records(table, rank), columns=["category", "leaders", "status"])
    leaders = items.explode("leaders").rename(columns={"leaders": "leader"})  # an item under each of its leaders
    rows = pd.DataFrame(_row_records(table, cfg, rnd),
                        columns=["category", "number", "title", "unit", "deadline", "status", "problems", "overdue"])
    order = status_order(cfg.statuses, set(items["status"]) | set(rows["status"]))
    tables = [("一、总体情况（按事项计）", _crosstab(items.assign(all=f"全部事项（{len(items)}项）"), "all", order))]
    for title, frame, column in (("二、按分类（按事项计）", items, "category"),
                                 ("三、按分管领导（按事项计）", leaders, "leader"),
                                 ("四、按责任单位（按各单位报送的行计，分项由其责任单位计）", rows, "unit")):
        if (frame[column] != NO_GROUP[column]).any():  # a table without categories gets no category table
            # 合计 counts items: one with two leaders is in both their rows, once in the total
            tables.append((title, _crosstab(frame, column, order, items if column == "leader" else None)))
    past = rows[rows["overdue"]].drop(columns="overdue").reset_index(drop=True)
    return Stats(rnd, order, tables, past, items)


def _item_records(table: SummaryTable, rank) -> list[tuple]:
    named: dict[str, str] = {}  # leader_key → the leader as first written
    out = []
    for b in table.items:
        leaders = [named.setdefault(leader_key(p), p) for p in people(b.item.leader or "")]
        out.append((_category(b.item.category) or NO_GROUP["category"], list(dict.fromkeys(leaders)) or [NO_GROUP["leader"]],
                    item_status(b.rows, rank)))
    return out


def _category(text: str | None) -> str:
    """一、重点指标类（7项） → 一、重点指标类: the table's stated count may be stale."""
    return schema.COUNT_RE.sub("", text or "").strip()


def _row_records(table: SummaryTable, cfg: Config, rnd: Round) -> list[tuple]:
    out = []
    for block in table.items:
        item = block.item
        for rep in block.rows:
            problems = "\n".join(str(a.fields.get(schema.PROBLEMS) or "") for a in rep.answers if a.fields.get(schema.PROBLEMS))
            out.append((_category(item.category), item.number, ("★" if item.star else "") + item.title,
                        rep.lead or NO_GROUP["unit"], rep.deadline, rep.status, problems,
                        overdue(rep, rnd, cfg)))
    return out


def _crosstab(frame, column: str, order: list[str], whole=None):
    """groups (in table order) × statuses, with a 合计 column and, for several groups, a 合计 row:
    the sum of the groups, or the counts of `whole` where a row may be in several groups."""
    import pandas as pd

    groups = sorted(dict.fromkeys(frame[column]), key=lambda g: g in NO_GROUP.values())  # table order, 未… last
    counts = pd.crosstab(frame[column], frame["status"]).reindex(index=groups, columns=order, fill_value=0)
    counts[TOTAL] = counts[order].sum(axis=1)
    if len(groups) > 1:
        total = counts.sum(axis=0) if whole is None else whole["status"].value_counts().reindex(order, fill_value=0)
        counts.loc[TOTAL] = total
        counts.loc[TOTAL, TOTAL] = counts.loc[TOTAL, order].sum()
    return counts.astype(int)


# -- writing ---------------------------------------------------------------------------------------

GROUP_WIDTH, COUNT_WIDTH, SHARE_WIDTH = 40, 6.5, 8
OVERDUE_COLUMNS = (("category", "分类", 18), ("number", "序号", 6), ("title", "事项", 40), ("unit", "责任单位", 16),
                   ("deadline", "完成时限", 11), ("status", "完成状态", 14), ("problems", "存在问题", 44))


def stats_title(table: SummaryTable) -> str:
    return re.sub("汇总表$", "统计表", table.title) if table.title.endswith("汇总表") else f"{table.title}（统计）"


def write_sheet(wb, styles: Styles, stats: Stats, table: SummaryTable) -> None:
    """The 统计 sheet (one table per grouping) and the 逾期未完成 sheet."""
    ws = wb.add_worksheet(STATS_SHEET)
    ncols = 1 + 2 * len(stats.order) + 1
    ws.set_column(0, 0, GROUP_WIDTH)
    for i in range(len(stats.order)):
        ws.set_column(1 + 2 * i, 1 + 2 * i, COUNT_WIDTH)
        ws.set_column(2 + 2 * i, 2 + 2 * i, SHARE_WIDTH)
    ws.set_column(ncols - 1, ncols - 1, COUNT_WIDTH + 1)
    r = _banners(ws, styles, ncols, stats_title(table), table.subtitle)
    for title, frame in stats.tables:
        r = _section(ws, styles, r, title, frame, stats.order, ncols)
    when = format_cn(stats.round.due)
    text = (f"五、逾期未完成：{len(stats.overdue)} 行（完成时限在{when}之前、尚未完成或未报送），明细见“{OVERDUE_SHEET}”工作表。"
            if len(stats.overdue) else f"五、逾期未完成：无（完成时限在{when}之前的都已完成）。")
    ws.merge_range(r, 0, r, ncols - 1, text, styles.body(bold=True, align="left"))
    ws.set_row(r, 24)
    page_setup(ws, None)
    _overdue_sheet(wb, styles, stats, table)


def _banners(ws, styles: Styles, ncols: int, title: str, subtitle: str) -> int:
    ws.merge_range(0, 0, 0, ncols - 1, title, styles.title)
    ws.set_row(0, styles.scfg.title_size * 1.45 + 14)
    if not subtitle:
        return 2
    ws.merge_range(1, 0, 1, ncols - 1, subtitle, styles.body(align="center"))
    ws.set_row(1, 22)
    return 3


def _section(ws, styles: Styles, r: int, title: str, frame, order: list[str], ncols: int) -> int:
    ws.merge_range(r, 0, r, ncols - 1, title, styles.body(bold=True, align="left"))
    ws.set_row(r, 24)
    head = styles.header
    ws.merge_range(r + 1, 0, r + 2, 0, "分组", head)
    for i, status in enumerate(order):
        ws.merge_range(r + 1, 1 + 2 * i, r + 1, 2 + 2 * i, status, head)
        ws.write_string(r + 2, 1 + 2 * i, "项数", head)
        ws.write_string(r + 2, 2 + 2 * i, "占比", head)
    ws.merge_range(r + 1, ncols - 1, r + 2, ncols - 1, TOTAL, head)
    r += 3
    count, share = styles.cell(align="center"), styles.cell(align="center", num_format="0.0%")
    for name, values in frame.iterrows():
        total = int(values[TOTAL])
        ws.write_string(r, 0, str(name), styles.cell(bold=name == TOTAL))
        for i, status in enumerate(order):
            ws.write_number(r, 1 + 2 * i, int(values[status]), count)
            ws.write_number(r, 2 + 2 * i, values[status] / total if total else 0, share)
        ws.write_number(r, ncols - 1, total, count)
        ws.set_row(r, styles_height(styles, str(name), GROUP_WIDTH))
        r += 1
    return r + 1


def styles_height(styles: Styles, text: str, width: float) -> float:
    m = Metrics(styles.scfg.body_size)  # the statistics sheets are printed from Excel
    return min(MAX_ROW_HEIGHT, max(20, m.height(m.lines(text, width))))


def _overdue_sheet(wb, styles: Styles, stats: Stats, table: SummaryTable) -> None:
    ws = wb.add_worksheet(OVERDUE_SHEET)
    for c, (_, _, width) in enumerate(OVERDUE_COLUMNS):
        ws.set_column(c, c, width)
    title = f"逾期未完成事项（完成时限在{format_cn(stats.round.due)}之前）"
    r = _banners(ws, styles, len(OVERDUE_COLUMNS), title, table.subtitle)
    for c, (_, header, _) in enumerate(OVERDUE_COLUMNS):
        ws.write_string(r, c, header, styles.header)
    ws.set_row(r, 28)
    header_row = r
    for _, row in stats.overdue.iterrows():
        r += 1
        for c, (cid, _, _) in enumerate(OVERDUE_COLUMNS):
            align = "center" if cid in ("number", "deadline", "status") else "left"
            ws.write_string(r, c, str(row[cid]), styles.cell(align=align, bold=cid == "status"))
        ws.set_row(r, max(styles_height(styles, str(row[cid]), w) for cid, _, w in OVERDUE_COLUMNS))
    if len(stats.overdue):
        ws.autofilter(header_row, 0, r, len(OVERDUE_COLUMNS) - 1)
    page_setup(ws, header_row)
