"""What units do to their reporting workbook: fill it in, re-save it, copy it, edit its structure.

Used by the demo and by collect's tests to produce the files units really send back. Every
function reads a workbook and writes a new one (src → dst, which may be the same path) with
openpyxl, keeping what it does not mean to change: the very hidden "_duban" sheet, custom
properties, validations, protection, print setup. Rows are found by the item key in the
hidden key column and columns by their header text, never by position, so the functions
also work on a workbook an earlier function has already rearranged.

openpyxl stamps dcterms:modified (the last-saved time) with "now" on every save; `_save`
writes the time wanted instead. Structural edits keep the file's last-saved time, as if the
edit were made in the same sitting as the filling.

The Heshan completion texts are real; what `answers_from_completion` adds (存在问题 taken
from the progress text, 完成时间) is made up for the demo, and its docstring says how.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.writer.excel import ExcelWriter

from .core.assign import rows_of
from .core.dates import format_cn
from .core.model import Item
from .core.schema import DEFAULT_STATUSES, KEY_HEADER, SHEET
from .core.signing import META_SHEET, from_cells, to_cells
from .core.text import fold, split_star
from .store.ledger import Ledger
from .store.office import convert
from .store.samples import ROOT

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SAVE_AS_FORMATS = ("xls", "ods", "xlsx")


def default_signoff(day: dt.date) -> dict[str, str]:
    """The sign-off a unit writes under the table when the caller gives none."""
    return {"填报人": "张三", "联系电话": "0750-8888888", "单位负责人审核": "李四", "填报日期": format_cn(day)}


# ---------------------------------------------------------------------------------------------
# Finding the table in a workbook


@dataclass
class Table:
    """Where the report table sits in a sheet (1-based rows and columns)."""

    ws: object  # openpyxl Worksheet
    header_row: int
    columns: dict[str, int]  # header text (white space removed) → column
    rows: dict[str, int]  # item key → row
    first: int  # first data row
    last: int  # last data row (== first - 1 when the table has none)
    signoff_row: int | None  # the row with 填报人： …

    def column(self, header: str) -> int:
        col = self.columns.get(_norm(header))
        if col is None:
            raise ValueError(f"no column headed “{header}” (headers: {'、'.join(self.columns)})")
        return col

    def row(self, key: str) -> int:
        if key not in self.rows:
            raise ValueError(f"no row with key {key!r} in sheet “{self.ws.title}”")
        return self.rows[key]

    @property
    def key_col(self) -> int:
        return self.column(KEY_HEADER)


def _norm(text: object) -> str:
    return "".join(str(text or "").split())


def find_table(wb) -> Table:
    """The report table: sheet 报送表, or (renamed) the first sheet whose header row has 序号
    and the key column; the header is the first such row among the top 20."""
    sheets = ([wb[SHEET]] if SHEET in wb.sheetnames else []) + [s for s in wb.worksheets if s.title != SHEET]
    for ws in sheets:
        for r in range(1, min(ws.max_row, 20) + 1):
            texts = {_norm(c.value): c.column for c in ws[r] if c.value is not None}
            if "序号" in texts and _norm(KEY_HEADER) in texts:
                return _layout(ws, r, texts)
    raise ValueError("no report table (a header row with 序号 and the key column) in this workbook")


def _layout(ws, header_row: int, columns: dict[str, int]) -> Table:
    key_col = columns[_norm(KEY_HEADER)]
    signoff = None
    for r in range(header_row + 1, ws.max_row + 1):
        if any(isinstance(c.value, str) and c.value.strip().startswith("填报人") for c in ws[r]):
            signoff = r
            break
    end = (signoff - 1) if signoff else ws.max_row
    first, last, rows = header_row + 1, header_row, {}
    for r in range(first, end + 1):
        if any(ws.cell(r, c).value not in (None, "") for c in range(1, ws.max_column + 1)):
            last = r
        key = ws.cell(r, key_col).value
        if key not in (None, ""):
            rows[str(key)] = r
    return Table(ws, header_row, columns, rows, first, last, signoff)


# ---------------------------------------------------------------------------------------------
# Loading and saving


def _load(src: Path):
    return openpyxl.load_workbook(src)


def _save(wb, dst: Path, saved_at: dt.datetime | None = None) -> Path:
    """Save with dcterms:modified = `saved_at` (naive means UTC, openpyxl's convention);
    None keeps the time the workbook was loaded with."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    modified = _utc_naive(saved_at) if saved_at is not None else wb.properties.modified
    # Workbook.save() would set properties.modified to now; write through ExcelWriter instead.
    wb.properties.modified = modified
    tmp = dst.with_name(f".{dst.name}.tmp")
    with ZipFile(tmp, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    tmp.replace(dst)
    return dst


def _utc_naive(t: dt.datetime) -> dt.datetime:
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t.replace(microsecond=0)


def _put(cell, value: object) -> None:
    """Write a value the way a unit's typing ends up stored: text stays text (even "=1+1"),
    dates are real dates shown as dates, numbers are numbers, None empties the cell."""
    if isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = DATETIME_FORMAT if value.time() != dt.time(0) else DATE_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would make "=…" a formula
    elif value is None or isinstance(value, (int, float)):
        cell.value = value
    else:
        raise TypeError(f"cannot write a {type(value).__name__} into a cell: {value!r}")


def _copy_cell(source, target, style: bool = True) -> None:
    """Value (with its type) and, optionally, style of one cell into another."""
    target.value = source.value
    if source.data_type == "s" and isinstance(source.value, str):
        target.data_type = "s"
    if style and source.has_style:
        target._style = copy(source._style)


# ---------------------------------------------------------------------------------------------
# Filling in


def fill(src: Path, dst: Path, answers: dict[str, dict[str, object]], signoff: dict[str, str] | None = None,
         saved_at: dt.datetime | None = None) -> Path:
    """Fill in a generated workbook as a unit does and save it to `dst`.

    `answers[key][header] = value`: the row is the one whose hidden key is `key`, the column
    the one whose row-4 header is `header`. `signoff` maps 填报人/联系电话/单位负责人审核/填报日期
    to what is written in the cell right of each label; None writes `default_signoff`, {}
    leaves the sign-off empty. `saved_at` becomes the last-saved time (core.xml
    dcterms:modified; naive = UTC) and the default 填报日期; None means now.
    """
    wb = _load(src)
    table = find_table(wb)
    for key, fields in answers.items():
        r = table.row(key)
        for header, value in fields.items():
            _put(table.ws.cell(r, table.column(header)), value)
    if signoff is None:
        signoff = default_signoff((saved_at or dt.datetime.now()).date())
    write_signoff(table, signoff)
    if signoff.get("填报人"):
        wb.properties.lastModifiedBy = signoff["填报人"]
    return _save(wb, dst, saved_at or dt.datetime.now(dt.timezone.utc))


def write_signoff(table: Table, values: dict[str, object]) -> None:
    """Each value into the cell right of its label (填报人： …) below the table."""
    labels = {}
    for r in range(table.last + 1, table.ws.max_row + 1):
        for c in table.ws[r]:
            if isinstance(c.value, str) and c.value.strip().endswith(("：", ":")):
                labels.setdefault(c.value.strip().rstrip("：:"), (c.row, c.column))
    for name, value in values.items():
        if name not in labels:
            raise ValueError(f"no sign-off label “{name}：” below the table")
        r, c = labels[name]
        _put(table.ws.cell(r, c + 1), value)


# ---------------------------------------------------------------------------------------------
# Re-saving and copying


def save_as(src: Path, fmt: str, outdir: Path) -> Path:
    """Re-save through LibreOffice as "xls" or "ods" (or "xlsx"), as a WPS or LibreOffice user
    does with 另存为; returns outdir/<src stem>.<fmt>."""
    if fmt not in SAVE_AS_FORMATS:
        raise ValueError(f"save_as: format must be one of {SAVE_AS_FORMATS}, not {fmt!r}")
    target = Path(outdir) / f"{Path(src).stem}.{fmt}"
    if target.resolve() == Path(src).resolve():
        raise ValueError("save_as would overwrite its source; choose another outdir")
    return convert([Path(src)], fmt, Path(outdir))[0]


# Transitional (ECMA-376) namespaces and their Strict OOXML forms (ISO/IEC 29500 Strict), as
# Excel writes them under 另存为 “Strict Open XML 电子表格”.
_STRICT = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
           (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
           (b"http://schemas.openxmlformats.org/drawingml/2006/main", b"http://purl.oclc.org/ooxml/drawingml/main")]


def save_as_strict(src: Path, dst: Path) -> Path:
    """The workbook as Excel saves it in Strict Open XML: the same parts, every
    spreadsheet, relationship and drawing namespace in its purl.oclc.org form."""
    with ZipFile(src) as z, ZipFile(dst, "w", ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            for transitional, strict in _STRICT:
                data = data.replace(transitional, strict)
            out.writestr(info, data)
    return Path(dst)


def copy_to_new_workbook(src: Path, dst: Path, drop_columns: list[str] | None = None,
                         sheet_name: str = "Sheet1", saved_at: dt.datetime | None = None) -> Path:
    """"Copy the table into a new workbook": a plain new .xlsx holding the visible sheet's
    values (title, instructions, header, data, sign-off), without hidden columns (so without
    the item keys), the metadata sheet, custom properties or styles. `drop_columns` (header
    texts) are left out too; the remaining columns close up to the left."""
    table = find_table(_load(src))
    ws = table.ws
    hidden = _hidden_columns(ws)
    dropped = {table.column(h) for h in (drop_columns or [])}
    keep = [c for c in range(1, ws.max_column + 1) if c not in hidden and c not in dropped and c != table.key_col]
    out = openpyxl.Workbook()
    sheet = out.active
    sheet.title = sheet_name
    for r in range(1, ws.max_row + 1):
        for i, c in enumerate(keep, start=1):
            source = ws.cell(r, c)
            if source.value is None:
                continue
            target = sheet.cell(r, i)
            _copy_cell(source, target, style=False)
            if source.is_date:
                target.number_format = source.number_format
    return _save(out, dst, saved_at or dt.datetime.now(dt.timezone.utc))


def _hidden_columns(ws) -> set[int]:
    hidden = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden:
            hidden.update(range(dim.min or 1, (dim.max or dim.min or 1) + 1))
    return hidden


# ---------------------------------------------------------------------------------------------
# Structural edits (each src → dst, metadata untouched unless the edit is about it)


def edit_read_only(src: Path, dst: Path, key: str, column_header: str, new_text: str) -> Path:
    """A unit rewrites a locked cell (本期目标, 全年工作目标 …) of one row: tampering."""
    wb = _load(src)
    table = find_table(wb)
    _put(table.ws.cell(table.row(key), table.column(column_header)), new_text)
    return _save(wb, dst)


def insert_row(src: Path, dst: Path, before_key: str | None, values: dict[str, object]) -> Path:
    """A unit types an extra row (no key) before the row of `before_key`, or after the last
    data row when None; `values` maps header text → value. Styles come from the neighbour row."""
    wb = _load(src)
    table = find_table(wb)
    at = table.row(before_key) if before_key is not None else table.last + 1
    model = at if before_key is not None else table.last
    _insert_rows(table.ws, at, 1)
    model = model + 1 if model >= at else model
    _copy_row_style(table.ws, model, at)
    for header, value in values.items():
        _put(table.ws.cell(at, table.column(header)), value)
    return _save(wb, dst)


def delete_row(src: Path, dst: Path, key: str) -> Path:
    """A unit deletes the row of one item: it goes missing from the return."""
    wb = _load(src)
    table = find_table(wb)
    _delete_rows(table.ws, table.row(key), 1)
    return _save(wb, dst)


def reorder_columns(src: Path, dst: Path, order: list[str]) -> Path:
    """Columns moved by header: the places the columns named in `order` hold are refilled in
    that order (["完成状态", "进展情况"] swaps the two). Header and data cells move with their
    styles, validations and widths; title and sign-off rows stay."""
    wb = _load(src)
    table = find_table(wb)
    ws = table.ws
    sources = [table.column(h) for h in order]
    if len(set(sources)) != len(sources):
        raise ValueError("reorder_columns: a header is named twice")
    moves = dict(zip(sources, sorted(sources)))  # old column → new column
    rows = range(table.header_row, table.last + 1)
    snapshot = {(r, c): ws.cell(r, c) for r in rows for c in moves}
    saved = {rc: (cell.value, cell.data_type, copy(cell._style)) for rc, cell in snapshot.items()}
    for (r, c), (value, data_type, style) in saved.items():
        target = ws.cell(r, moves[c])
        target.value = value
        if data_type == "s" and isinstance(value, str):
            target.data_type = "s"
        target._style = style
    for dv in ws.data_validations.dataValidation:
        dv.sqref = MultiCellRange([_move_range_columns(cr, moves) for cr in dv.sqref.ranges])
    widths = _column_widths(ws)
    _set_column_widths(ws, {moves.get(c, c): w for c, w in widths.items()})
    return _save(wb, dst)


def rename_sheet(src: Path, dst: Path, new_name: str) -> Path:
    """A unit renames the table sheet (e.g. to 发改局 or Sheet1)."""
    wb = _load(src)
    find_table(wb).ws.title = new_name
    return _save(wb, dst)


def add_sheet(src: Path, dst: Path, name: str, rows: list[list[object]] | None = None) -> Path:
    """A unit adds a sheet of its own (working notes, a draft) just before the table sheet;
    the table sheet stays the active one."""
    wb = _load(src)
    table = find_table(wb)
    index = wb.index(table.ws)
    sheet = wb.create_sheet(name, index)
    for row in rows if rows is not None else [["本单位内部统计（草稿）"], ["序号", "事项", "备注"], [1, "待核实", ""]]:
        sheet.append(row)
    sheet.sheet_view.tabSelected = False
    wb.active = wb.index(table.ws)
    return _save(wb, dst)


def retarget_metadata(src: Path, dst: Path, **changes) -> Path:
    """Rewrite fields of the "_duban" sheet (round=…, unit=…, workspace_id=…, rows=…,
    signature=…) WITHOUT re-signing: what a forged or copied file looks like. Custom
    properties are left as they were."""
    wb = _load(src)
    if META_SHEET not in wb.sheetnames:
        raise ValueError(f"no “{META_SHEET}” sheet to rewrite")
    sheet = wb[META_SHEET]
    meta = from_cells([list(r) for r in sheet.iter_rows(values_only=True)])
    if meta is None:
        raise ValueError(f"“{META_SHEET}” does not hold duban metadata")
    known = {f.name for f in dataclasses.fields(meta)}
    unknown = set(changes) - known
    if unknown:
        raise ValueError(f"unknown metadata fields: {', '.join(sorted(unknown))}")
    meta = dataclasses.replace(meta, **changes)
    for row in sheet.iter_rows():
        for cell in row:
            cell.value = None
    for r, row in enumerate(to_cells(meta), start=1):
        for c, value in enumerate(row, start=1):
            _put(sheet.cell(r, c), value)
    return _save(wb, dst)


def foreign_rows(src: Path, dst: Path, other_src: Path, keys: list[str] | None = None,
                 replace: bool = True) -> Path:
    """Rows of another unit's workbook (keys, read-only texts and any answers) pasted into this
    one, matched by header text: they replace this table's data rows (`replace`) or follow
    them. `keys` picks some of the other's rows (default all). This file's metadata stays."""
    other = find_table(_load(other_src))
    wanted = keys if keys is not None else sorted(other.rows, key=other.rows.get)
    incoming = [{h: other.ws.cell(other.row(k), c) for h, c in other.columns.items()} for k in wanted]
    wb = _load(src)
    table = find_table(wb)
    ws = table.ws
    start = table.first if replace else table.last + 1
    have = (table.last - table.first + 1) if replace else 0
    if len(incoming) > have:
        extra = len(incoming) - have
        _insert_rows(ws, table.last + 1, extra)
        for r in range(table.last + 1, table.last + 1 + extra):
            _copy_row_style(ws, table.last, r)
    elif len(incoming) < have:
        _delete_rows(ws, start + len(incoming), have - len(incoming))
    for i, cells in enumerate(incoming):
        r = start + i
        for c in range(1, ws.max_column + 1):
            ws.cell(r, c).value = None
        for header, source in cells.items():
            col = table.columns.get(header)
            if col is not None:
                _copy_cell(source, ws.cell(r, col), style=False)
    return _save(wb, dst)


# ---------------------------------------------------------------------------------------------
# Row and column bookkeeping openpyxl leaves to the caller


def _shift(row: int, at: int, delta: int, upper: bool) -> int | None:
    """Where row `row` ends up when `delta` rows are inserted (>0) or deleted (<0) at `at`;
    a deleted row maps to the next (lower bound) or previous (upper bound) surviving one."""
    if row < at:
        return row
    if delta > 0:
        return row + delta
    gone = -delta
    if row >= at + gone:
        return row - gone
    return at if not upper else at - 1


def _shift_range(cr: CellRange, at: int, delta: int) -> CellRange | None:
    lo = _shift(cr.min_row, at, delta, upper=False)
    hi = _shift(cr.max_row, at, delta, upper=True)
    if hi < lo:
        return None
    return CellRange(min_col=cr.min_col, min_row=lo, max_col=cr.max_col, max_row=hi)


def _shift_rows(ws, at: int, delta: int) -> None:
    """Validations, print area and row heights follow an insert/delete at row `at`."""
    for dv in ws.data_validations.dataValidation:
        ranges = [r for r in (_shift_range(cr, at, delta) for cr in dv.sqref.ranges) if r is not None]
        dv.sqref = MultiCellRange(ranges)
    ws.data_validations.dataValidation = [dv for dv in ws.data_validations.dataValidation if dv.sqref.ranges]
    if ws.print_area:
        area = ws.print_area.split("!")[-1].replace("$", "")
        min_col, min_row, max_col, max_row = range_boundaries(area)
        hi = _shift(max_row, at, delta, upper=True)
        ws.print_area = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{hi}"
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
    for r in list(ws.row_dimensions):
        if r >= at:
            del ws.row_dimensions[r]
    for r, h in heights.items():
        if r < at:
            continue
        if delta < 0 and r < at - delta:
            continue  # a deleted row
        ws.row_dimensions[r + delta].height = h


def _insert_rows(ws, at: int, n: int) -> None:
    ws.insert_rows(at, n)
    _shift_rows(ws, at, n)


def _delete_rows(ws, at: int, n: int) -> None:
    ws.delete_rows(at, n)
    _shift_rows(ws, at, -n)


def _copy_row_style(ws, source_row: int, target_row: int) -> None:
    for c in range(1, ws.max_column + 1):
        source = ws.cell(source_row, c)
        if source.has_style:
            ws.cell(target_row, c)._style = copy(source._style)
    height = ws.row_dimensions[source_row].height
    if height is not None:
        ws.row_dimensions[target_row].height = height


def _move_range_columns(cr: CellRange, moves: dict[int, int]) -> CellRange:
    if cr.min_col == cr.max_col and cr.min_col in moves:
        col = moves[cr.min_col]
        return CellRange(min_col=col, min_row=cr.min_row, max_col=col, max_row=cr.max_row)
    return cr


def _column_widths(ws) -> dict[int, tuple[float | None, bool]]:
    """column → (width, hidden), with XlsxWriter's grouped <col min max> spans split up."""
    out = {}
    for dim in ws.column_dimensions.values():
        lo = dim.min or openpyxl.utils.column_index_from_string(dim.index)
        for c in range(lo, (dim.max or lo) + 1):
            out[c] = (dim.width if dim.customWidth else None, bool(dim.hidden))
    return out


def _set_column_widths(ws, widths: dict[int, tuple[float | None, bool]]) -> None:
    ws.column_dimensions.clear()
    for c, (width, hidden) in sorted(widths.items()):
        letter = get_column_letter(c)
        dim = ColumnDimension(ws, index=letter, hidden=hidden)
        if width is not None:
            dim.width = width
        ws.column_dimensions[letter] = dim


# ---------------------------------------------------------------------------------------------
# Answers from the Heshan completion texts (demo)

PROGRESS, PROBLEMS, STATUS, DONE_DATE = "进展情况", "存在问题", "完成状态", "完成时间"
NEEDS_PROBLEM = ("未按进度完成", "暂缓实施")
FALLBACK_PROBLEM = "受客观因素影响，进度滞后"
_EXPLICIT_PROBLEM = re.compile(r"存在(?:的)?问题[：:]\s*([^\n]+)")
_REASON = re.compile(r"因(?!此)|由于|受.{0,15}影响|影响了?.{0,8}(?:进度|成型|建设|施工|推进|开展)|导致|造成|尚未|未能"
                     r"|无法|暂停|暂缓|搁置|取消|延期|滞后|缓慢|停工|问题|待.{0,30}后")
_CONSEQUENCE = re.compile(r"^(因此|所以|从而|导致|造成|致使|产生)")  # the reason is earlier in the sentence
_LEAD_IN = re.compile(r"^(但是|但|另外|同时|此外)")


def answers_from_completion(items: list[Item], completion_rows: list[dict], unit: str, *,
                            due: dt.date | None = None, done_days_before: int = 3,
                            statuses: tuple[str, ...] | list[str] = DEFAULT_STATUSES) -> dict[str, dict]:
    """The answers `unit` gives for a round, from sample_workbooks/heshan-2022/completion.json.

    Rows are matched to items by category + number (the title is checked, ★ aside). Node N is
    the item's N-th row (null or 1: the item row; N ≥ 2: item.subrows[N - 2], key `key.N`),
    and each text answers its own row. A row without a text of its own gets the text of the row
    above it when `unit` reports both: Heshan's summary wrote one 完成情况 in a cell merged over
    the nodes it covers (duban's summary merges such identical answers again).
    status → 完成状态, progress → 进展情况 (both real). Made up for the demo, not in the
    source: 存在问题 for 未按进度完成/暂缓实施 — the text after “存在问题：”, else the clauses
    of the progress text that give a reason (因…, 受…影响, 暂缓, 取消 …), else
    FALLBACK_PROBLEM; 完成时间 for 已完成 rows = `due` − `done_days_before` days; and, for a
    node whose text is its verdict alone, that verdict as 进展情况.
    """
    texts = _texts_by_node(items, completion_rows)
    out = {}
    for item in items:
        given, covering = texts.get(item.key, {}), None
        for n, row in enumerate(rows_of(item), start=1):
            covering = given.get(n, covering)
            if covering is not None and covering.get("unit") == unit and (n in given or row.lead == unit):
                out[row.key] = _answer(covering, due, done_days_before, list(statuses))
    return out


def _texts_by_node(items: list[Item], completion_rows: list[dict]) -> dict[str, dict[int, dict]]:
    """item key → node number → its completion row."""
    by_id = {(fold(it.category or ""), it.number): it for it in items}
    out: dict[str, dict[int, dict]] = {}
    for row in completion_rows:
        item = by_id.get((fold(row.get("category") or ""), str(row.get("number"))))
        if item is None:
            raise ValueError(f"completion row {row.get('category')} {row.get('number')} matches no item")
        if fold(split_star(row.get("title") or "")[1]) != fold(item.title):
            raise ValueError(f"completion row {row.get('number')}: title “{row.get('title')}” ≠ “{item.title}”")
        node = row.get("node") or 1
        if node > 1 + len(item.subrows):
            raise ValueError(f"item {item.number} has no node {node}")
        out.setdefault(item.key, {})[node] = row
    return out


def _answer(row: dict, due: dt.date | None, days: int, statuses: list[str]) -> dict:
    status = row.get("status")
    # A node Heshan answered with its verdict alone (已完成。) says so in 进展情况, which a unit
    # may not leave empty.
    answer: dict[str, object] = {PROGRESS: row.get("progress") or (f"{status}。" if status else "")}
    if status:
        answer[STATUS] = status
        if status in NEEDS_PROBLEM:
            answer[PROBLEMS] = derive_problem(answer[PROGRESS])
        if status == statuses[0] and due is not None:
            answer[DONE_DATE] = due - dt.timedelta(days=days)
    return answer


def derive_problem(progress: str) -> str:
    """A plausible 存在问题 from a progress text (demo only; see answers_from_completion)."""
    explicit = _EXPLICIT_PROBLEM.search(progress)
    if explicit:
        return explicit.group(1).strip()
    found: list[str] = []
    for sentence in re.split(r"[。；;！\n]", progress):
        clauses = [c.strip() for c in re.split(r"[，,]", sentence) if c.strip()]
        for i, clause in enumerate(clauses):
            if not _REASON.search(clause):
                continue
            start = 0 if _CONSEQUENCE.match(clause) else i
            end = i + 1
            while end < len(clauses) and _REASON.search(clauses[end]):
                end += 1
            picked = [_LEAD_IN.sub("", clauses[start]).lstrip("，, ")] + clauses[start + 1:end]
            text = "，".join(c for c in picked if c)
            if text and text not in found:
                found.append(text)
            break
        if len(found) == 3:
            break
    return "；".join(found) + "。" if found else FALLBACK_PROBLEM


def heshan_answers(ws, due: dt.date) -> dict[str, dict[str, dict]]:
    """unit → its answers (key → fields) for a Heshan sample workspace, from the real
    completion texts bundled in sample_workbooks/heshan-2022/completion.json."""
    import json


    rows = json.loads((ROOT / "heshan-2022" / "completion.json").read_text(encoding="utf-8"))
    with Ledger(ws.ledger_path) as ledger:
        items = ledger.items()
    units = dict.fromkeys(r["unit"] for r in rows)
    return {unit: answers_from_completion(items, rows, unit, due=due) for unit in units}
