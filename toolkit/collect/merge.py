"""Merge: the latest values into master.xlsx, and returned files into the archive.

The ledger is the truth; master.xlsx shows, for each row, the latest accepted report of its
reporting unit, with the office's corrections (store.corrections: the clerk's edits of
answers, recorded before this run's reports, so each corrects the answer it was made on).
A correction stands against a later file of the same round (master-conflict tells the
clerk what the unit sent). Only the changed cells of the master are rewritten (xlsxpatch),
so the clerk's own formatting and notes stay; it is replaced atomically after a backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
from pathlib import Path

from ..core.findings import Finding, finding
from ..core.model import Item
from ..core.text import column_letter
from ..store import faults
from ..store.corrections import corrected, current_view, find_edits, record, shown_reports, written_cells
from ..store.fsutil import atomic_path, backup, writing
from ..store.historysheet import HistorySheet, history_sheet
from ..store.ledger import Ledger
from ..store.master import MasterView, answer_headers, desired_cells, write_master
from ..store.workspace import Config, Workspace
from ..store.xlsxparts import CannotEdit, write_parts
from .reader import MAX_FILE_BYTES, open_plain
from .xlsxpatch import CannotPatch, patch_cells


def update_master(ws: Workspace, ledger: Ledger, items: list[Item], cfg: Config,
                  seen: MasterView | None = None) -> tuple[int, list[Finding]]:
    """Write changed report cells into master.xlsx; returns (cells written, conflicts).
    `seen`: the master as read earlier in the run, used when its bytes are still the same."""
    if not ws.master_path.exists():  # deleted by hand: rebuilt from the ledger, nothing is lost
        ledger.db.execute("DELETE FROM master_cells")
        write_master(ws.master_path, cfg, items, [], {}, _history(ledger, items, cfg))
    data = ws.master_path.read_bytes()
    # The cells are compared with, and patched into, these very bytes: a master saved by
    # hand since it was seen is read again.
    master = current_view(ws.master_path, cfg, seen, data)
    shown, noted = shown_reports(ledger, items, cfg), ledger.master_cells()
    written_before = written_cells(master, noted, cfg)  # with rows a rebuilt ledger never wrote
    # Edits left now are in rows that showed no report when the run began: they correct the
    # report that arrived (the earlier ones were recorded before this run's reports).
    edits = find_edits(master, shown, written_before, cfg)
    if edits:
        record(ledger, edits)
        shown, noted = shown_reports(ledger, items, cfg), ledger.master_cells()
        written_before = written_cells(master, noted, cfg)
    conflicts = [_edit_kept(e) for e in edits] + _answers_after_corrections(shown, cfg)
    master = master.settled(written_before)
    written, changes, unwritten = {}, {}, []
    headers = answer_headers(cfg)
    for (key, column), value in desired_cells(shown, cfg).items():
        header = headers.get(column, column)
        r, c = master.rows.get(key), master.columns.get(header)
        if r is None or c is None:
            if value != written_before.get((key, column), ""):  # new: in the ledger, and the clerk is told why not here
                unwritten.append((key, header))
            continue
        now_there = master.cells.get((r, c), "")
        if now_there == value:
            written[(key, column)] = value
            continue
        if now_there != written_before.get((key, column), "") and header not in master.refilled:  # 报送轮次 or 报送单位文件 typed over
            conflicts.append(finding("master-conflict", item=key, column=header, value=now_there, new=value))
            continue
        changes[(r, c)] = value
        written[(key, column)] = value
    history = _history(ledger, items, cfg)  # with the edits just recorded
    parts = _history_parts(data, history)
    if changes or parts != {}:
        backup(ws.master_path, ws.backups_dir, dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
        _write_cells(ws.master_path, data, master.sheet, changes, history, parts)
    faults.point("after-master")
    ledger.set_master_cells({k: v for k, v in written.items() if noted.get(k) != v})
    return len(changes), conflicts + _layout_problems(master, unwritten, shown, items)


def _layout_problems(master: MasterView, unwritten: list[tuple[str, str]], shown: dict[str, dict],
                     items: list[Item]) -> list[Finding]:
    """What in master.xlsx, as the clerk edited it, kept new reports out of it (they are in
    the ledger): a report column renamed or deleted, a header twice, a row deleted. One
    finding per column or row, saying what to put right; a run after that writes them."""
    out = [finding("master-column-refilled", row=master.header_row, column=header) for header in master.refilled]
    for header, cols in master.others.items():
        out.append(finding("master-column-duplicate:settled", row=master.header_row, column=header,
                           value=column_letter(master.columns[header]), others="、".join(column_letter(c) for c in cols)))
    by_header: dict[str, int] = {}
    gone_rows: dict[str, None] = {}
    for key, header in unwritten:
        if key not in master.rows:
            gone_rows[key] = None
        else:
            by_header[header] = by_header.get(header, 0) + 1
    for header, count in by_header.items():
        if header in master.duplicates:
            out.append(finding("master-column-duplicate", row=master.header_row, column=header, count=len(master.duplicates[header]),
                               value="、".join(column_letter(c) for c in master.duplicates[header])))
        else:
            out.append(finding("master-column-missing", row=master.header_row, column=header, count=count))
    rows = {sub.key if sub else it.key: it for it in items for sub in [None, *it.subrows]}
    for key in gone_rows:
        item = rows.get(key)
        out.append(finding("master-row-missing", item=key, unit=shown[key]["unit"], number=item.number if item else "",
                           title=item.title if item else ""))
    return out


def _edit_kept(edit: dict) -> Finding:
    return finding("master-conflict:corrected", unit=edit["unit"], item=edit["key"], column=edit["header"],
                   value=edit["new"], new=edit["old"])


def _answers_after_corrections(shown: dict[str, dict], cfg: Config) -> list[Finding]:
    """A unit that sent a new file for a round after the office corrected its answer: the
    correction stands (the master keeps it), the clerk is told what the unit sent."""
    headers = answer_headers(cfg)
    out = []
    for key, rep in shown.items():
        for field, c in rep.get("corrected", {}).items():
            if c["sha256"] != rep["sha256"] and c["sent"] != c["new"]:
                out.append(finding("master-conflict:after-correction", unit=rep["unit"], item=key,
                                   column=headers.get(field, field), value=c["new"], new=c["sent"]))
    return out


def _history(ledger: Ledger, items: list[Item], cfg: Config) -> HistorySheet:
    """The 历次情况 sheet as the ledger has it now: every round's reports, corrections applied."""
    return history_sheet(cfg, items, corrected(ledger.current_reports(), ledger.corrections()))


def _history_parts(data: bytes, history: HistorySheet) -> dict[str, bytes] | None:
    """The parts that bring the 历次情况 sheet of the master `data` up to date ({} when it is);
    None when the master's layout is one only openpyxl's rewrite can take."""
    try:
        return history.parts(data)
    except (CannotEdit, KeyError):  # KeyError: a part the workbook lacks (no styles.xml …)
        return None


def _write_cells(path: Path, data: bytes, sheet: str, changes: dict[tuple[int, int], str], history: HistorySheet,
                 parts: dict[str, bytes] | None) -> None:
    """Patch the cells into the sheet XML of `data` (the master's bytes) and the 历次情况
    sheet's `parts` (history.parts(data)) into it, and replace the master with it; a layout
    the patcher does not know goes through openpyxl instead (slower, but any valid workbook),
    and the history is drawn into what openpyxl saved."""
    try:
        if parts is None:
            raise CannotPatch("history sheet")
        with atomic_path(path) as tmp:
            patch_cells(data, tmp, sheet, changes, parts)
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
    saved = io.BytesIO()
    wb.save(saved)
    with atomic_path(path) as tmp:
        write_parts(saved.getvalue(), tmp, history.parts(saved.getvalue()))


class NotAsRead(Exception):
    """The file on disk is no longer the bytes that were read and judged (replaced or
    changed since, or grown past the size a workbook may have)."""


def archive(ws: Workspace, source: Path, round_name: str, sha256: str) -> Path:
    """Copy a returned file, unchanged, to rounds/R/received/<sha256>.<ext>: exactly the
    bytes that were judged. The copy is hashed as it is made; one whose hash is not
    `sha256` is removed and NotAsRead raised, so nothing is archived (or recorded) under a
    hash its bytes do not have."""
    folder = ws.round_dir(round_name) / "received"
    suffix = re.sub(r"[^.a-z0-9]", "", source.suffix.lower())[:8] or ".bin"
    target = folder / f"{sha256}{suffix}"
    if not os.path.exists(target):
        # Copy, then rename: a reader never sees half a file. No fsync per file (it doubled
        # collect's time): a killed process loses nothing the page cache holds, and the
        # unit's original stays in the inbox folder.
        tmp = folder / f".{sha256}.tmp"
        # The unit's file is opened first: what stops reading it (moved, a link put in its
        # place) is about that file; only what stops writing is about the workspace.
        with open_plain(source) as src, writing(target):  # a full disk: told; the next run archives it
            try:
                _copy_checked(src, source, tmp, sha256)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            os.replace(tmp, target)
    return target


def _copy_checked(src, source: Path, tmp: Path, sha256: str) -> None:
    """Copy the open unit's file `src` (opened never through a link put in its place since)
    to `tmp`, hashing as it goes."""
    h, size = hashlib.sha256(), 0
    try:
        dst = open(tmp, "wb")
    except FileNotFoundError:  # the folder's first file (no mkdir per file)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        dst = open(tmp, "wb")
    with dst:
        while chunk := src.read(1 << 20):
            size += len(chunk)
            if size > MAX_FILE_BYTES:  # grown since it was read: not copied whole
                raise NotAsRead(source)
            h.update(chunk)
            dst.write(chunk)
    if h.hexdigest() != sha256:
        raise NotAsRead(source)
