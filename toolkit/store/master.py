"""master.xlsx (总台账): every item and sub-row with its stable key, and the latest reports.

Written whole from the ledger's items, atomically, after a backup. Values already in the
report columns are carried over by key, so nothing a clerk or a collect put there is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core import schema
from ..core.model import Item
from ..core.text import cell_text
from .fsutil import atomic_path
from .sheetstyle import formats, row_height
from .workspace import Config

SHEET = "总台账"
KEY_HEADER = "键"
GONE_GROUP = "已不在最新分解表中的事项（有报送记录，予以保留）"
SOURCE_COLUMNS = ("报送轮次", "报送单位文件")


@dataclass(frozen=True)
class Column:
    id: str
    header: str
    width: float


def columns(cfg: Config, extras: list[str]) -> list[Column]:
    m = cfg.mapping
    plan = [Column("key", KEY_HEADER, 8), Column("category", "分类", 14), Column("number", "序号", 6),
            Column("title", m.get("title") or "事项", 30), Column("plan", m.get("plan") or "工作目标", 50),
            # 完成时限, never the table's own 完成时间: a report field has that name
            Column("deadline", "完成时限", 12), Column("leader", m.get("leader") or "分管领导", 10),
            Column("unit", "报送单位", 16), Column("other_units", "其他责任单位", 24)]
    plan += [Column(f"extra:{h}", h, 16) for h in extras]
    widths = {"进展情况": 50, "存在问题": 30, "下一步工作计划": 30}
    report = [Column(f"report:{f}", f, widths.get(f, 12)) for f in cfg.report_fields]
    return plan + report + [Column(f"report:{h}", h, 14) for h in SOURCE_COLUMNS]


def _row_values(item: Item, sub, index: int) -> dict[str, str]:
    """The plan cells of an item row (sub=None) or of its sub-row."""
    values = {"category": item.category or "", "number": item.number, "title": ("★" if item.star else "") + item.title,
              "leader": item.leader}
    if sub is None:
        values.update(key=item.key, plan=item.plan, deadline=item.deadline, unit=item.lead_unit,
                      other_units="、".join(item.other_units))
        values.update({f"extra:{k}": v for k, v in item.extras.items()})
    else:
        values.update(key=sub.key, plan=sub.plan, deadline=sub.deadline or item.deadline, unit=sub.lead_unit or item.lead_unit,
                      other_units="、".join(sub.units[1:]))
    return values


def write_master(path: Path, cfg: Config, items: list[Item], gone: list[Item], carried: dict[str, dict[str, str]]) -> None:
    """Write master.xlsx: title, header, group rows, item and sub-rows, report values by key."""
    import xlsxwriter

    extras = list(dict.fromkeys(k for it in items + gone for k in it.extras))
    cols = columns(cfg, extras)
    known = {c.header for c in cols}
    added = dict.fromkeys(h for values in carried.values() for h in values if h not in known)
    cols += [Column(f"report:{h}", h, 14) for h in added]  # columns the clerk added by hand
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        ws = wb.add_worksheet(SHEET)
        fmt = formats(wb)
        _frame(ws, fmt, cols, f"{cfg.title}总台账" if cfg.title else "总台账")
        r = 2
        section: dict[str, str | None] = {}
        for item in items:
            r = _groups(ws, fmt, cols, r, item, section)
            r = _item_rows(ws, fmt, cols, r, item, carried)
        if gone:
            r = _group_row(ws, fmt, cols, r, GONE_GROUP, "gone")
            for item in gone:
                r = _item_rows(ws, fmt, cols, r, item, carried)
        ws.autofilter(1, 0, max(1, r - 1), len(cols) - 1)
        wb.close()


def _frame(ws, fmt, cols: list[Column], title: str) -> None:
    ws.merge_range(0, 0, 0, len(cols) - 1, title, fmt["title"])
    ws.set_row(0, 30)
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
        ws.write_string(1, c, col.header, fmt["header"])
    ws.set_row(1, 30)
    ws.freeze_panes(2, 4)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(1)


def _groups(ws, fmt, cols, r: int, item: Item, section: dict) -> int:
    for kind in ("category", "subcategory", "leader_group"):
        text = getattr(item, kind)
        if text and section.get(kind) != text:
            section[kind] = text
            if kind == "category":
                section.pop("subcategory", None)
                section.pop("leader_group", None)
            r = _group_row(ws, fmt, cols, r, text, kind)
    return r


def _group_row(ws, fmt, cols, r: int, text: str, kind: str) -> int:
    ws.merge_range(r, 0, r, len(cols) - 1, text, fmt[kind])
    ws.set_row(r, 20)
    return r + 1


def _item_rows(ws, fmt, cols, r: int, item: Item, carried: dict) -> int:
    for index, sub in enumerate([None] + item.subrows):
        values = _row_values(item, sub, index)
        key = values["key"]
        values.update({f"report:{h}": v for h, v in carried.get(key, {}).items()})
        for c, col in enumerate(cols):
            style = "report" if col.id.startswith("report:") else ("muted" if sub is not None and col.id in ("number", "title", "category") else "cell")
            ws.write_string(r, c, values.get(col.id, ""), fmt[style])
        ws.set_row(r, row_height([(values.get(col.id, ""), col.width) for col in cols]))
        r += 1
    return r


def read_report_cells(path: Path) -> dict[str, dict[str, str]]:
    """key → {report header: value} from an existing master.xlsx (what must survive a rewrite)."""
    if not path.exists():
        return {}
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next((list(r) for r in rows if r and r[0] == KEY_HEADER), None)
        if header is None:
            return {}
        report_cols = _report_columns(header)
        out = {}
        for row in rows:
            if not row or not row[0]:
                continue
            values = {h: cell_text(row[c]) for c, h in report_cols if c < len(row) and cell_text(row[c])}
            if values:
                out[str(row[0])] = values
        return out
    finally:
        wb.close()


def _report_columns(header: list) -> list[tuple[int, str]]:
    """Every column from the first report column on: the report fields, where each came from,
    and any column the clerk added to the right of them."""
    texts = [cell_text(h) for h in header]
    known = set(schema.REPORT_FIELDS) | set(SOURCE_COLUMNS)
    starts = [c for c, t in enumerate(texts) if t in known]
    if not starts:
        return []
    return [(c, t) for c, t in enumerate(texts) if c >= starts[0] and t]
