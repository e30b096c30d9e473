"""Merge: accepted rows into the ledger, and the latest values into master.xlsx.

The ledger is the truth; master.xlsx shows, for each row, the latest accepted report of its
reporting unit. A master cell the clerk edited by hand since duban last wrote it is left
alone and reported (master-conflict). Only the changed cells of the master are rewritten
(xlsxpatch), so the clerk's own formatting and notes stay; it is replaced atomically after a
backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.assign import row_leads
from ..core.errors import DubanError
from ..core.findings import Finding, warning
from ..core.model import Item
from ..core.text import cell_text
from ..store import faults
from ..store.fsutil import atomic_path, backup
from ..store.ledger import Ledger
from ..store.master import KEY_HEADER, SHEET, SOURCE_COLUMNS, write_master
from ..store.workspace import Config, Workspace
from .xlsxpatch import CannotPatch, patch_cells, xml_text

ROUND_COLUMN, FILE_COLUMN = SOURCE_COLUMNS


def desired_cells(ledger: Ledger, items: list[Item], cfg: Config) -> dict[tuple[str, str], str]:
    """(key, header) → what the master should show: each row's reporting unit's latest report."""
    reporting = row_leads(items)
    labels = {r.name: r.label for r in cfg.rounds}
    cells: dict[tuple[str, str], str] = {}
    for rep in ledger.current_reports():  # ordered by round: later rounds overwrite
        if reporting.get(rep["key"]) != rep["unit"]:
            continue
        for header in cfg.report_fields:
            cells[(rep["key"], header)] = rep["fields"].get(header, "")
        cells[(rep["key"], ROUND_COLUMN)] = labels.get(rep["round"], rep["round"])
        cells[(rep["key"], FILE_COLUMN)] = rep["file"]
    return cells


@dataclass
class MasterView:
    """What merging needs of master.xlsx, for the exact bytes read (their SHA-256): where
    each key's row and each header's column is, and the text of the cells collect writes
    (under merged_headers)."""

    sha256: str
    sheet: str
    rows: dict[str, int]  # key → row, 1-based
    columns: dict[str, int]  # header → column, 1-based
    current: dict[tuple[int, int], str]


def read_master(path: Path, cfg: Config, data: bytes | None = None) -> MasterView:
    data = path.read_bytes() if data is None else data
    return MasterView(hashlib.sha256(data).hexdigest(), *_parse_master(path, data, merged_headers(cfg)))


def merged_headers(cfg: Config) -> list[str]:
    """The master's columns collect writes: the report fields and where each came from."""
    return [*cfg.report_fields, ROUND_COLUMN, FILE_COLUMN]


def update_master(ws: Workspace, ledger: Ledger, items: list[Item], cfg: Config,
                  seen: MasterView | None = None) -> tuple[int, list[Finding]]:
    """Write changed report cells into master.xlsx; returns (cells written, conflicts).
    `seen`: the master as read earlier in the run, used when its bytes are still the same."""
    want = desired_cells(ledger, items, cfg)
    if not ws.master_path.exists():  # deleted by hand: rebuilt from the ledger, nothing is lost

        ledger.db.execute("DELETE FROM master_cells")
        write_master(ws.master_path, cfg, items, [], {})
    data = ws.master_path.read_bytes()
    # The cells are compared with, and patched into, these very bytes: a master saved by
    # hand since it was seen is read again.
    same = seen is not None and seen.sha256 == hashlib.sha256(data).hexdigest()
    master = seen if same else read_master(ws.master_path, cfg, data)
    rows, columns, current = master.rows, master.columns, master.current
    written_before = ledger.master_cells()
    written, conflicts, changes = {}, [], {}
    for (key, header), value in want.items():
        r, c = rows.get(key), columns.get(header)
        if r is None or c is None:
            continue
        value = xml_text(value)  # what the cell will hold, so the comparison is like for like
        now_there = current.get((r, c), "")
        if now_there == value:
            written[(key, header)] = value
            continue
        if now_there != written_before.get((key, header), ""):
            conflicts.append(warning("master-conflict", f"总台账中“{header}”（键 {key}）已被手工改过，未覆盖；新报送的内容是：{value[:60]}",
                                     item=key, column=header, value=now_there))
            continue
        changes[(r, c)] = value
        written[(key, header)] = value
    if changes:
        backup(ws.master_path, ws.backups_dir, dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
        _write_cells(ws.master_path, data, master.sheet, changes)
    faults.point("after-master")
    ledger.set_master_cells({k: v for k, v in written.items() if written_before.get(k) != v})
    return len(changes), conflicts


def _parse_master(path: Path, data: bytes, headers: list[str]) -> tuple[str, dict[str, int], dict[str, int], dict[tuple[int, int], str]]:
    """(sheet name, key → row, header → column, (row, col) → text of the cells under
    `headers`), 1-based, read with calamine."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = SHEET if SHEET in wb.sheet_names else wb.sheet_names[0]
        grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as e:  # calamine's errors carry no stable type

        err = DubanError(f"总台账 {path.name} 无法读取（{str(e)[:80]}）；请从 .duban/backups 中找回上一版放回原处，"
                         "或删除它让 duban 按台账库重建（已收集的内容都在台账库里）。")
        err.exit_code = 3
        raise err from e
    head = next((i for i, row in enumerate(grid[:10]) if row and cell_text(row[0]) == KEY_HEADER), None)
    if head is None:
        _no_header()
    # The report columns are at the right: where a header repeats, the rightmost one counts.
    columns = {cell_text(h): c + 1 for c, h in enumerate(grid[head]) if cell_text(h)}
    rows, current = {}, {}
    report_cols = {columns[h] for h in headers if h in columns}
    for i in range(head + 1, len(grid)):
        row = grid[i]
        key = cell_text(row[0]) if row else ""
        if key:
            rows.setdefault(key, i + 1)
        for c in report_cols:
            if c - 1 < len(row):
                current[(i + 1, c)] = cell_text(row[c - 1])
    return name, rows, columns, current


def _write_cells(path: Path, data: bytes, sheet: str, changes: dict[tuple[int, int], str]) -> None:
    """Patch the cells into the sheet XML of `data` (the master's bytes) and replace the
    master with it; a layout the patcher does not know goes through openpyxl instead
    (slower, but any valid workbook)."""
    try:
        with atomic_path(path) as tmp:
            patch_cells(data, tmp, sheet, changes)
        return
    except CannotPatch:
        pass
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    for (r, c), value in changes.items():
        cell = ws.cell(r, c)
        cell.value = value
        cell.data_type = "s"  # a unit's text starting with = + - @ stays text, never a formula
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _no_header() -> None:
    err = DubanError("总台账 master.xlsx 中找不到表头（第一列应为“键”）；请从 .duban/backups 中恢复上一版，或重新导入分解表。")
    err.exit_code = 3
    raise err


def archive(ws: Workspace, source: Path, round_name: str, sha256: str) -> Path:
    """Copy a returned file, unchanged, to rounds/R/received/<sha256>.<ext>."""
    import shutil

    folder = ws.round_dir(round_name) / "received"
    suffix = re.sub(r"[^.a-z0-9]", "", source.suffix.lower())[:8] or ".bin"
    target = folder / f"{sha256}{suffix}"
    if not os.path.exists(target):
        # Copy, then rename: a reader never sees half a file. No fsync per file (it doubled
        # collect's time): a killed process loses nothing the page cache holds, and the
        # unit's original stays in the inbox folder.
        tmp = folder / f".{sha256}.tmp"
        try:
            shutil.copyfile(source, tmp)
        except FileNotFoundError:  # the folder's first file (no mkdir per file)
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return target
