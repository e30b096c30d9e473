"""bench/collect: duban collect on N returned workbooks, against (a) a plain openpyxl loop
reading the same files (as scripts call load_workbook, and in its faster read-only mode) and
(b) the floor: every file's sheet XML read with zipfile alone. Also measured in the same run,
to tell the machine's disk from duban: (c) the write floor, every file copied into a new
folder, the least that the archive (CLI.md: rounds/R/received/<sha256>.<ext>, one file per
returned file) must write; and collect with its workers started afresh, as on Windows and
macOS, for 100 and 1,000 files.

The returned files are built from the Zhanjiang sample scaled up to N units of 2 items each:
the round's workbooks are generated with last round's answers pre-filled, which makes each
one a filled, signed workbook as a unit returns it. Built inputs are cached in bench/.cache.

    python -m bench collect [N ...]        (default: 100 1000 10000)

Goals (issue 5), on a 2-core machine: 1,000 files <= 5 s, 10,000 <= 60 s, >= 10x faster
than the openpyxl loop, within 3x of the floor.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.common import scaled_breakdown
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger
from toolkit.store.samples import sample_path
from toolkit.store.workspace import Workspace

CACHE = Path(__file__).parent / ".cache"
VERSION = 2  # bump when the built inputs change
PREVIOUS, ROUND = "2022-05-03", "2022-07-03"
PER_UNIT = 2


def build(n: int, per_unit: int = PER_UNIT) -> tuple[Path, Path]:
    """(pristine workspace, inbox of n returned files from n units of `per_unit` items each),
    built once and cached."""
    home = CACHE / (f"collect-v{VERSION}-{n}" if per_unit == PER_UNIT else f"collect-v{VERSION}-{n}x{per_unit}")
    ws_dir, inbox = home / "ws", home / "inbox"
    if (home / "ready").exists():
        return ws_dir, inbox
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    table = home / "table.xlsx"
    scaled_breakdown(sample_path("zhanjiang-2022"), table, n, per_unit)
    ws, _ = init_workspace(ws_dir, table)
    _previous_answers(ws)
    files = generate(ws, ROUND).files
    inbox.mkdir()
    for f in files:
        _as_returned(f.path, inbox / f.path.name, len(f.items))
    _forget_previous(ws)
    (home / "ready").write_text("ok")
    return ws_dir, inbox


def _previous_answers(ws: Workspace) -> None:
    """Last round's answers for every row, so this round's workbooks come pre-filled."""
    with Ledger(ws.ledger_path) as ledger:
        with ledger.transaction():
            for item in ledger.items():
                sha = f"prev-{item.key}"
                ledger.add_submission({"sha256": sha, "round": PREVIOUS, "unit": item.lead_unit, "file_name": "上一轮.xlsx",
                                       "archived": "", "saved_at": "2022-05-01T10:00:00", "received_at": "2022-05-01T11:00:00",
                                       "outcome": "accepted", "late": 0, "identified_by": "metadata", "findings": []})
                ledger.add_reports([(item.key, item.lead_unit, PREVIOUS, {
                    "progress": f"{item.title[:20]}：1-6月完成年度计划的55%，项目按节点推进。", "problems": "",
                    "next_steps": "继续加快推进，确保完成全年目标。", "status": "基本按进度完成", "completed_on": "", "remarks": ""}, sha)])


SAVED = b"2022-07-01T02:30:00Z"
SIGNOFF = {"C": "张三", "E": "0759-3333333", "H": "李四", "K": "2022年7月1日"}


def _as_returned(src: Path, dst: Path, rows: int) -> None:
    """A generated workbook as a unit sends it back: signed off, saved before the due date.
    Edits the XML parts directly (openpyxl would take minutes for 10,000 files)."""
    signoff_row = 4 + rows + 2  # 1-based: header on row 4, the rows, a blank row, the sign-off
    with zipfile.ZipFile(src) as z_in, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z_out:
        for info in z_in.infolist():
            data = z_in.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+", rb"\g<1>" + SAVED, data)
            elif info.filename == "xl/worksheets/sheet1.xml":
                for col, text in SIGNOFF.items():
                    cell = f'<c r="{col}{signoff_row}" s="(\\d+)"/>'.encode()
                    value = f'<c r="{col}{signoff_row}" s="\\1" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
                    data = re.sub(cell, value, data)
            z_out.writestr(info, data)


def _forget_previous(ws: Workspace) -> None:
    with Ledger(ws.ledger_path) as ledger:
        ledger.db.execute("DELETE FROM reports")
        ledger.db.execute("DELETE FROM submissions")


def time_duban(ws_dir: Path, inbox: Path, scratch: Path) -> float:
    """collect into a fresh copy of the pristine workspace. The copy leaves out the round's
    generated workbooks (collect does not read them), and copies are deleted only when the
    whole benchmark ends: on ext4, thousands of files deleted shortly before make creating
    files slower (the allocator steps over recently freed inodes), and collect creates one
    archive file per returned file, so the benchmark's own copying and clean-up would be
    timed too."""
    fresh = Path(tempfile.mkdtemp(dir=scratch)) / "ws"
    shutil.copytree(ws_dir, fresh, ignore=lambda folder, names: names if Path(folder).name == "outbox" else [])
    start = time.perf_counter()
    result = collect(Workspace.open(fresh), inbox, ROUND)
    elapsed = time.perf_counter() - start
    outcomes = {f.outcome for f in result.files}
    assert outcomes == {"accepted"}, outcomes
    return elapsed


def time_openpyxl(inbox: Path, read_only: bool) -> float:
    """Every cell of every sheet of every file: plainly (load_workbook as most scripts call
    it), or in openpyxl's faster read-only mode."""
    import openpyxl

    start = time.perf_counter()
    for path in sorted(inbox.iterdir()):
        wb = openpyxl.load_workbook(path, read_only=read_only, data_only=True)
        for sheet in wb.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass
        wb.close()
    return time.perf_counter() - start


def time_write_floor(inbox: Path, scratch: Path) -> float:
    """Every file copied into a new folder, as collect's archive must (without hashing or
    renaming): how fast this disk creates files just now."""
    target = Path(tempfile.mkdtemp(dir=scratch))
    start = time.perf_counter()
    for i, path in enumerate(sorted(inbox.iterdir())):
        shutil.copyfile(path, target / f"{i}.xlsx")
    return time.perf_counter() - start


def time_spawned(ws_dir: Path, inbox: Path, scratch: Path) -> float:
    """collect with workers started afresh (DUBAN_START=spawn), as on Windows and macOS."""
    before = os.environ.get("DUBAN_START")
    os.environ["DUBAN_START"] = "spawn"
    try:
        return time_duban(ws_dir, inbox, scratch)
    finally:
        if before is None:
            del os.environ["DUBAN_START"]
        else:
            os.environ["DUBAN_START"] = before


def time_floor(inbox: Path) -> float:
    start = time.perf_counter()
    for path in sorted(inbox.iterdir()):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                    z.read(name)
    return time.perf_counter() - start


def main(sizes: list[int] | None = None) -> None:
    sizes = sizes or [int(a) for a in sys.argv[2:]] or [100, 1000, 10000]
    print("collect: N returned workbooks (2 items each), end to end")
    print(f"  {'N':>6} {'duban':>8} {'openpyxl':>9} {'read-only':>10} {'floor':>7} {'write':>7} {'openpyxl/duban':>15} "
          f"{'read-only/duban':>16} {'duban/floor':>12} {'spawned':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for n in sizes:
            _row(n, Path(scratch))


def _row(n: int, scratch: Path) -> None:
    ws_dir, inbox = build(n)
    duban = time_duban(ws_dir, inbox, scratch)
    write = time_write_floor(inbox, scratch)
    spawned = f"{time_spawned(ws_dir, inbox, scratch):7.2f}s" if n <= 1000 else f"{'-':>8}"
    floor = time_floor(inbox)
    fast = time_openpyxl(inbox, read_only=True)
    plain = time_openpyxl(inbox, read_only=False)
    print(f"  {n:>6} {duban:7.2f}s {plain:8.2f}s {fast:9.2f}s {floor:6.2f}s {write:6.2f}s {plain / duban:14.1f}x "
          f"{fast / duban:15.1f}x {duban / floor:11.1f}x {spawned}")
