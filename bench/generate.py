"""bench/generate: 100 unit workbooks, duban (XlsxWriter) against the same workbooks in openpyxl.

Goal (issue 3): 100 workbooks in ≤ 2 s on a 2-core machine.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from bench.common import best_of, scaled_breakdown
from toolkit.core.assign import unit_rows
from toolkit.core.schema import READ_ONLY
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger
from toolkit.store.samples import sample_path

UNITS, PER_UNIT = 100, 5
ROUND = "2022-05-03"


def openpyxl_equivalent(path: Path, unit: str, rows, cfg) -> None:
    """The same sheet, cells, formats, validations, protection and hidden metadata, in openpyxl."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "报送表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name="宋体", size=10)
    wrap = Alignment(wrap_text=True, vertical="top")
    grey = PatternFill("solid", fgColor="F2F2F2")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=12)
    ws.cell(1, 1, f"{cfg.title}进展情况报送表").font = Font(name="宋体", size=16, bold=True)
    headers = [h for _, h, _ in READ_ONLY] + [cfg.header(r) for r in cfg.report_fields] + ["键"]
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(4, c, h)
        cell.font, cell.border = Font(name="宋体", size=10, bold=True), border
    for r, row in enumerate(rows, start=5):
        for c, value in enumerate(row.read_only(), start=1):
            cell = ws.cell(r, c, value)
            cell.font, cell.alignment, cell.border, cell.fill = font, wrap, border, grey
        for c in range(7, 7 + len(cfg.report_fields)):
            cell = ws.cell(r, c)
            cell.border, cell.protection = border, Protection(locked=False)
        ws.cell(r, 13, row.key)
    dv = DataValidation(type="list", formula1='"' + ",".join(cfg.statuses) + '"', error="请从下拉列表中选择")
    dv.add(f"J5:J{4 + len(rows)}")
    ws.add_data_validation(dv)
    ws.protection.sheet = True
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", 9
    ws.print_title_rows = "4:4"
    meta = wb.create_sheet("_duban")
    for r, row in enumerate(rows, start=1):
        meta.cell(r, 1, row.key)
    meta.sheet_state = "veryHidden"
    wb.save(path)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        table = tmp / "table.xlsx"
        scaled_breakdown(sample_path("zhanjiang-2022"), table, UNITS, PER_UNIT)
        ws, _ = init_workspace(tmp / "ws", table)
        duban = best_of(lambda: generate(ws, ROUND))
        files = len(list((ws.round_dir(ROUND) / "outbox").glob("*.xlsx")))

        cfg = ws.config()
        with Ledger(ws.ledger_path) as ledger:
            rows = unit_rows(ledger.items(), cfg, dt.date.fromisoformat(ROUND))
        out = tmp / "openpyxl"

        def with_openpyxl():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            for i, (unit, unit_rows_) in enumerate(rows.items()):
                openpyxl_equivalent(out / f"{i}.xlsx", unit, unit_rows_, cfg)

        baseline = best_of(with_openpyxl)
    print(f"generate: {files} unit workbooks ({PER_UNIT} items each)")
    print(f"  duban generate (XlsxWriter, end to end) {duban:6.2f} s   {1000 * duban / files:5.1f} ms/workbook")
    print(f"  same workbooks with openpyxl             {baseline:6.2f} s   {1000 * baseline / files:5.1f} ms/workbook")
    print(f"  openpyxl / duban = {baseline / duban:.1f}x   (goal: 100 workbooks <= 2 s)")
