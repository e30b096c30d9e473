"""master.xlsx (总台账): every item and sub-row with its stable key, and the latest reports.

Written whole from the ledger's items, atomically, after a backup. Values already in the
report columns are carried over by key, so nothing a clerk or a collect put there is lost.
Read back by one parser (read_master) wherever duban needs it: import's carry-over,
collect's merge, and the office corrections every output shows (store.corrections).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace
from dataclasses import field as _field
from pathlib import Path

from ..core import schema
from ..core.assign import other_units
from ..core.errors import DubanError
from ..core.model import Item
from ..core.text import cell_text, column_letter, fit_cell, xml_text
from .fsutil import atomic_path
from .historysheet import HistorySheet
from .sheetstyle import formats, row_height
from .workspace import Config
from .xlsxparts import write_parts

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


def write_master(path: Path, cfg: Config, items: list[Item], gone: list[Item], carried: dict[str, dict[str, str]],
                 history: HistorySheet) -> None:
    """Write master.xlsx: title, header, group rows, item and sub-rows, report values by key;
    then the 历次情况 sheet."""
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
        # drawn into the file the way collect draws it again (store.historysheet)
        data = tmp.read_bytes()
        write_parts(data, tmp, history.parts(data))


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
    each report column is, and the text of every cell in the report columns.

    A master the clerk edited by hand may lack a report column (renamed or deleted: `missing`)
    or have one header twice (a column added with the same name: `duplicates`). A header that
    comes twice has no column in `columns` until `settled` tells, from what duban last wrote
    there, which of them is duban's: until then it is neither written nor read for edits."""

    sha256: str
    sheet: str
    rows: dict[str, int]  # key → row, 1-based: the first row with that key
    columns: dict[str, int]  # report header → column, 1-based
    cells: dict[tuple[int, int], str]  # (row, column) → text, in the report columns
    header_row: int = 2  # 1-based
    fields: dict[str, str] = _field(default_factory=dict)  # report header → its field (a role, or a source column)
    missing: list[str] = _field(default_factory=list)  # report headers not found in the header row
    duplicates: dict[str, list[int]] = _field(default_factory=dict)  # report header → its columns, when more than one
    others: dict[str, list[int]] = _field(default_factory=dict)  # settled: header → the clerk's columns of that name
    refilled: list[str] = _field(default_factory=list)  # settled: report headers whose column is new (see settled)

    def value(self, key: str, header: str) -> str | None:
        """The text in the key's row under `header`; None when the row or column is gone."""
        r, c = self.rows.get(key), self.columns.get(header)
        return None if r is None or c is None else self.cells.get((r, c), "")

    def settled(self, written: dict[tuple[str, str], str]) -> MasterView:
        """This view with each twice-found header settled where the cells tell: the column
        that holds what duban last wrote (`written`: (key, field) → text, the ledger's
        master_cells) in more rows than any other is duban's, the rest are the clerk's own.
        Where nothing tells them apart (nothing written yet, or the same texts), the header
        stays unsettled: neither written nor read, and the clerk is told.

        A report column in which every cell duban wrote text into is empty now (at least
        REFILL of them) is a column deleted and added again, not the clerk clearing every
        unit's answer: it is `refilled` (written again from the ledger, no edits read from
        it), and collect says so."""
        columns, duplicates, others = dict(self.columns), {}, dict(self.others)
        for header, cols in self.duplicates.items():
            f = self.fields.get(header, header)
            score = {c: sum(1 for key, r in self.rows.items()
                            if written.get((key, f)) and self.cells.get((r, c), "") == written[(key, f)]) for c in cols}
            best = max(score.values())
            winners = [c for c in cols if score[c] == best]
            if best and len(winners) == 1:
                columns[header] = winners[0]
                others[header] = [c for c in cols if c != winners[0]]
            else:
                duplicates[header] = cols
        refilled = []
        for header, c in columns.items():
            f = self.fields.get(header)
            wrote = [self.cells.get((r, c), "") for key, r in self.rows.items() if f and written.get((key, f))]
            if len(wrote) >= REFILL and not any(wrote):
                refilled.append(header)
        return replace(self, columns=columns, duplicates=duplicates, others=others, refilled=refilled)

    def report_cells(self, written: dict[tuple[str, str], str] | None = None) -> dict[str, dict[str, str]]:
        """key → {report header: text} of the cells that hold something (what a rewrite keeps).
        A rewrite that would lose a column the clerk has (a second column of one header) or
        empty one duban wrote (a report column renamed or deleted) is refused: a DubanError
        that says what to put right in master.xlsx."""
        view = self.settled(written or {})
        for header, cols in {**view.duplicates, **view.others}.items():
            letters = "、".join(column_letter(c) for c in cols if c != view.columns.get(header))
            raise _unrewritable(f"第{self.header_row}行有不止一列叫“{header}”（{letters} 列是另加的），重写总台账会丢掉其中一列",
                                f"请把你自己加的那一列改个名字（例如“{header}（督查室）”）")
        for header in view.missing:
            f = view.fields.get(header, header)
            if any(v for (key, field_), v in (written or {}).items() if field_ == f):
                raise _unrewritable(f"第{self.header_row}行表头中没有“{header}”列（可能被改名或删除了），重写总台账会清空各单位报送的{header}",
                                    f"请把该列的表头改回“{header}”（删掉了就在报送内容各列的右边加一列，表头写“{header}”）")
        out: dict[str, dict[str, str]] = {}
        for key, r in view.rows.items():
            values = {h: view.cells[(r, c)] for h, c in view.columns.items() if view.cells.get((r, c))}
            if values:
                out[key] = values
        return out


REFILL = 3  # cells duban wrote, all empty now, that make a report column a new one


def answer_headers(cfg: Config) -> dict[str, str]:
    """A unit answer's field (its role, as the ledger's reports name it) → the master's column
    header (the header duban.toml gives it)."""
    return {role: cfg.header(role) for role in cfg.report_fields}


def read_master(path: Path, cfg: Config, data: bytes | None = None) -> MasterView:
    """The one reader of master.xlsx (import, collect, summary, status). The sheet is 总台账,
    or, renamed or moved, the sheet that has a 键 header; the header row is the first with a
    cell 键 (its column holds the keys). The report columns start at the longest run of
    answer and source headers side by side (each once) and run to the right end, with any
    column the clerk added there. A broken master is a DubanError with exit code 3: the ledger
    holds everything, so the message says how to get a master back."""
    import python_calamine as pc

    data = path.read_bytes() if data is None else data
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        name, grid, (head, key_col) = _master_sheet(wb)
    except DubanError:
        raise
    except Exception as e:  # calamine's errors carry no stable type
        raise _broken(f"{path.name} 无法读取（{str(e)[:80]}）") from e
    if name is None:
        sheets = "、".join(f"“{n}”" for n in wb.sheet_names)
        raise _broken(f"{path.name} 中找不到总台账：没有哪个工作表有表头为“{KEY_HEADER}”的列（现有工作表：{sheets}）",
                      f"如果改过总台账表头行的“{KEY_HEADER}”，请改回“{KEY_HEADER}”后重新运行；否则")
    view = _report_columns(grid[head], cfg)
    rows, cells = {}, {}
    area = sorted(set(view.columns.values()) | {c for cols in view.duplicates.values() for c in cols})
    for i in range(head + 1, len(grid)):
        row = grid[i]
        key = cell_text(row[key_col]) if key_col < len(row) else ""
        if key:
            rows.setdefault(key, i + 1)
        for c in area:
            if c - 1 < len(row):
                cells[(i + 1, c)] = cell_text(row[c - 1])
    return replace(view, sha256=hashlib.sha256(data).hexdigest(), sheet=name, rows=rows, cells=cells, header_row=head + 1)


def _master_sheet(wb) -> tuple[str | None, list, tuple[int, int]]:
    """(sheet name, its cells, (header row, key column), 0-based): 总台账 when it has a 键
    column, else the first sheet that has one (the clerk renamed or moved it)."""
    names = wb.sheet_names
    for name in ([SHEET] if SHEET in names else []) + [n for n in names if n != SHEET]:
        grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for i, row in enumerate(grid[:HEADER_SEARCH]):
            for c, cell in enumerate(row):
                if cell_text(cell) == KEY_HEADER:
                    return name, grid, (i, c)
    return None, [], (0, 0)


HEADER_SEARCH = 20  # rows searched for the header row


def _report_columns(header: list, cfg: Config) -> MasterView:
    """Where the report columns are (an otherwise empty MasterView): header → column
    (1-based) from the first report column on. The first is the start of the longest run of
    answer and source headers next to each other, none twice: duban writes them side by
    side, so a master written before extras got a header of their own (the table's own 备注
    left of the units' 进展情况 … 备注) and a column the clerk added with a report's header
    further right both leave the report columns where duban wrote them. A field's default
    header counts as its configured one: a master written before a header was renamed in
    duban.toml keeps its answers."""
    texts = [cell_text(h) for h in header]
    configured = {text: cfg.header(role) for text, role in cfg.header_roles(cfg.report_fields).items()}
    configured.update({h: h for h in SOURCE_COLUMNS})
    fields = {cfg.header(role): role for role in cfg.report_fields} | {h: h for h in SOURCE_COLUMNS}
    first, longest = None, 0
    for start in range(len(texts)):
        seen: set[str] = set()
        end = start
        while end < len(texts) and texts[end] in configured and configured[texts[end]] not in seen:
            seen.add(configured[texts[end]])
            end += 1
        if end - start > longest:
            first, longest = start, end - start
    if first is None:
        return MasterView("", "", {}, {}, {}, fields=fields, missing=list(fields))
    found: dict[str, list[int]] = {}
    for c in range(first, len(texts)):
        if texts[c]:
            found.setdefault(configured.get(texts[c], texts[c]), []).append(c + 1)
    columns = {h: cols[-1] for h, cols in found.items() if h not in fields or len(cols) == 1}
    duplicates = {h: cols for h, cols in found.items() if h in fields and len(cols) > 1}
    missing = [h for h in fields if h not in found]
    return MasterView("", "", {}, columns, {}, fields=fields, missing=missing, duplicates=duplicates)


def _broken(what: str, hint: str = "") -> DubanError:
    err = DubanError(f"总台账 {what}；{hint}请从 .duban/backups 中找回上一版放回原处，或删除它让 duban 按台账库重建"
                     "（已收集的报送和已记下的更正都在台账库里，不会丢失）。")
    err.exit_code = 3
    return err


def _unrewritable(what: str, hint: str) -> DubanError:
    err = DubanError(f"总台账 master.xlsx {what}；{hint}，保存后重新运行（这次什么都没有改动）。")
    err.exit_code = 3
    return err


def desired_cells(shown: dict[str, dict], cfg: Config) -> dict[tuple[str, str], str]:
    """(key, field) → what the master should show, from `shown` (key → the report the row
    shows, see store.corrections.shown_reports), as a cell holds it. A field is an answer's
    role (its column is answer_headers') or a source column (报送轮次, 报送单位文件); the
    ledger's master_cells are keyed the same way."""
    labels = {r.name: r.label for r in cfg.rounds}
    round_column, file_column = SOURCE_COLUMNS
    fields = list(answer_headers(cfg))
    cells: dict[tuple[str, str], str] = {}
    for key, rep in shown.items():
        for field in fields:
            cells[(key, field)] = fit_cell(xml_text(rep["fields"].get(field, "")))  # the ledger keeps it whole
        cells[(key, round_column)] = labels.get(rep["round"], rep["round"])
        cells[(key, file_column)] = xml_text(rep["file"])
    return cells
