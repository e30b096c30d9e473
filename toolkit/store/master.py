"""master.xlsx (总台账): every item and sub-row with its stable key, and the latest reports.

Written whole from the ledger's items, atomically, after a backup. Values already in the
report columns are carried over by key, so nothing a clerk or a collect put there is lost.
Read back by one parser (read_master) wherever duban needs it: import's carry-over,
collect's merge, and the office corrections every output shows (store.corrections).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ..core import schema
from ..core.assign import other_units
from ..core.errors import DubanError
from ..core.model import Item
from ..core.text import cell_text, fit_cell, xml_text
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
    widths = {schema.PROGRESS: 50, schema.PROBLEMS: 30, schema.NEXT_STEPS: 30}
    report = [Column(f"report:{h}", h, widths.get(f, 12)) for f, h in answer_headers(cfg).items()]
    report += [Column(f"report:{h}", h, 14) for h in SOURCE_COLUMNS]
    # The table's own 备注 (or 进展情况 …) is not the units' one: it keeps a header of its own.
    taken = {c.header for c in plan + report} | set(schema.DEFAULT_HEADERS.values())
    plan += [Column(f"extra:{h}", schema.table_column_header(h, taken), 16) for h in extras]
    return plan + report


def _row_values(item: Item, sub, index: int) -> dict[str, str]:
    """The plan cells of an item row (sub=None) or of its sub-row."""
    values = {"category": item.category or "", "number": item.number, "title": ("★" if item.star else "") + item.title,
              "leader": item.leader}
    if sub is None:
        values.update(key=item.key, plan=item.plan, deadline=item.deadline, unit=item.lead_unit,
                      other_units="、".join(other_units(item)))
        values.update({f"extra:{k}": v for k, v in item.extras.items()})
    else:
        values.update(key=sub.key, plan=sub.plan, deadline=sub.deadline or item.deadline, unit=sub.lead_unit or item.lead_unit,
                      leader=sub.leader or item.leader,
                      other_units="、".join(dict.fromkeys(sub.units[1:] + sub.implementing + sub.cooperating)))
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


@dataclass
class MasterView:
    """master.xlsx as read, for the exact bytes read (their SHA-256): where each key's row and
    each report column is, and the text of every cell in the report columns."""

    sha256: str
    sheet: str
    rows: dict[str, int]  # key → row, 1-based: the first row with that key
    columns: dict[str, int]  # report header → column, 1-based: the rightmost with that header
    cells: dict[tuple[int, int], str]  # (row, column) → text, in the report columns

    def value(self, key: str, header: str) -> str | None:
        """The text in the key's row under `header`; None when the row or column is gone."""
        r, c = self.rows.get(key), self.columns.get(header)
        return None if r is None or c is None else self.cells.get((r, c), "")

    def report_cells(self) -> dict[str, dict[str, str]]:
        """key → {report header: text} of the cells that hold something (what a rewrite keeps)."""
        out: dict[str, dict[str, str]] = {}
        for key, r in self.rows.items():
            values = {h: self.cells[(r, c)] for h, c in self.columns.items() if self.cells.get((r, c))}
            if values:
                out[key] = values
        return out


def answer_headers(cfg: Config) -> dict[str, str]:
    """A unit answer's field (its role, as the ledger's reports name it) → the master's column
    header (the header duban.toml gives it)."""
    return {role: cfg.header(role) for role in cfg.report_fields}


def read_master(path: Path, cfg: Config, data: bytes | None = None) -> MasterView:
    """The one reader of master.xlsx (import, collect, summary, status). The header row is the
    first whose first cell is 键; the report columns run from the first answer or source
    column to the right end, with any column the clerk added there. A broken master is a
    DubanError with exit code 3: the ledger holds everything, so the message says how to
    get a master back."""
    import python_calamine as pc

    data = path.read_bytes() if data is None else data
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = SHEET if SHEET in wb.sheet_names else wb.sheet_names[0]
        grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as e:  # calamine's errors carry no stable type
        raise _broken(f"{path.name} 无法读取（{str(e)[:80]}）") from e
    head = next((i for i, row in enumerate(grid) if row and cell_text(row[0]) == KEY_HEADER), None)
    if head is None:
        raise _broken(f"{path.name} 中找不到表头（第一列应为“{KEY_HEADER}”）")
    columns = _report_columns(grid[head], cfg)
    rows, cells = {}, {}
    for i in range(head + 1, len(grid)):
        row = grid[i]
        key = cell_text(row[0]) if row else ""
        if key:
            rows.setdefault(key, i + 1)
        for c in columns.values():
            if c - 1 < len(row):
                cells[(i + 1, c)] = cell_text(row[c - 1])
    return MasterView(hashlib.sha256(data).hexdigest(), name, rows, columns, cells)


def _report_columns(header: list, cfg: Config) -> dict[str, int]:
    """header → column (1-based) from the first report column on; where a header repeats,
    the rightmost counts. A field's default header counts as its configured one: a master
    written before a header was renamed in duban.toml keeps its answers."""
    texts = [cell_text(h) for h in header]
    configured = {text: cfg.header(role) for text, role in cfg.header_roles(cfg.report_fields).items()}
    known = set(configured) | set(SOURCE_COLUMNS)
    # A header that comes again further right is not where the report columns start: a master
    # written before extras got a header of their own has the table's own 备注 left of the
    # units' 备注, and the table's column is no report column.
    first = next((c for c, t in enumerate(texts) if t in known and t not in texts[c + 1:]), None)
    if first is None:
        return {}
    return {configured.get(t, t): c + 1 for c, t in enumerate(texts) if c >= first and t}


def _broken(what: str) -> DubanError:
    err = DubanError(f"总台账 {what}；请从 .duban/backups 中找回上一版放回原处，或删除它让 duban 按台账库重建"
                     "（已收集的报送和已记下的更正都在台账库里，不会丢失）。")
    err.exit_code = 3
    return err


def desired_cells(shown: dict[str, dict], cfg: Config) -> dict[tuple[str, str], str]:
    """(key, field) → what the master should show, from `shown` (key → the report the row
    shows, see store.corrections.shown_reports), as a cell holds it. A field is an answer's
    role (its column is answer_headers') or a source column (报送轮次, 报送单位文件); the
    ledger's master_cells are keyed the same way."""
    labels = {r.name: r.label for r in cfg.rounds}
    round_column, file_column = SOURCE_COLUMNS
    cells: dict[tuple[str, str], str] = {}
    for key, rep in shown.items():
        for field in answer_headers(cfg):
            cells[(key, field)] = fit_cell(xml_text(rep["fields"].get(field, "")))  # the ledger keeps it whole
        cells[(key, round_column)] = labels.get(rep["round"], rep["round"])
        cells[(key, file_column)] = xml_text(rep["file"])
    return cells
