"""The workbook attached to a correction mail (退回修改清单): the unit's own sheet of
rounds/R/report.xlsx, copied into a small workbook so a unit never sees other units' results.

report.xlsx holds the sheets of the units in the latest collect run only. When the unit's
sheet is not there, or is about an older file than the ledger's latest, the same list is
built from the findings the ledger kept for that file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ..store.report import SEVERITY_CN, SUMMARY_SHEET
from ..store.sheetstyle import formats, row_height

HEADER = ["文件", "行", "序号", "列", "填报内容", "级别", "问题及改正方法"]
WIDTHS = [30, 6, 6, 14, 30, 8, 70]
FIRST_ROW = 2  # report.xlsx: title in row 0, header in row 1, findings from row 2 (0-based)


@dataclass
class CorrectionSheet:
    title: str
    header: list[str]
    rows: list[list[str]]
    widths: list[float]


def correction_sheet(in_report: dict[str, CorrectionSheet], unit: str, round_name: str, file_name: str,
                     findings: list[dict]) -> CorrectionSheet:
    """The unit's correction list for `file_name`: its sheet of report.xlsx (`in_report`, from
    `report_sheets`) when that sheet is about this file, else built from the ledger's
    `findings` (dicts in the FINDING shape of CLI.md)."""
    sheet = in_report.get(unit)
    if sheet and any(r and r[0] == file_name for r in sheet.rows):
        return sheet
    return _from_findings(unit, round_name, file_name, findings)


def report_sheets(path: Path) -> dict[str, CorrectionSheet]:
    """unit → its sheet in report.xlsx, told by the title "<unit> <round> 一轮报送 退回修改清单"
    (sheet names are cut to 31 characters; unit names have no spaces)."""
    if not path.exists():
        return {}
    import openpyxl

    wb = openpyxl.load_workbook(path)  # not read_only: column widths are not read in that mode
    try:
        return {str(ws.cell(1, 1).value).split(" ")[0]: _sheet(ws) for ws in wb.worksheets
                if ws.title != SUMMARY_SHEET and ws.cell(1, 1).value}
    finally:
        wb.close()


def _sheet(ws) -> CorrectionSheet:
    rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(min_row=3, values_only=True)]
    header = [str(c.value or "") for c in ws[2]]
    widths = [ws.column_dimensions[c.column_letter].width or 10 for c in ws[2]]
    return CorrectionSheet(str(ws.cell(1, 1).value), header, rows, widths)


def _from_findings(unit: str, round_name: str, file_name: str, findings: list[dict]) -> CorrectionSheet:
    ordered = sorted(findings, key=lambda f: (f.get("severity") != "error", f.get("row") or 0))
    rows = [[file_name, str(f.get("row") or ""), f.get("item") or "", f.get("column") or "", f.get("value") or "",
             SEVERITY_CN.get(f.get("severity"), f.get("severity") or ""), f.get("message") or ""] for f in ordered]
    return CorrectionSheet(f"{unit} {round_name} 一轮报送 退回修改清单", HEADER, rows, WIDTHS)


def workbook_bytes(sheet: CorrectionSheet, sheet_title: str) -> bytes:
    """The sheet as a small .xlsx, laid out like report.xlsx's: A4 landscape, one page wide."""
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    fmt = formats(wb)
    ws = wb.add_worksheet(sheet_title)
    last = max(1, len(sheet.header)) - 1
    ws.merge_range(0, 0, 0, last, sheet.title, fmt["title"])
    for c, (h, w) in enumerate(zip(sheet.header, sheet.widths)):
        ws.set_column(c, c, w)
        ws.write_string(1, c, h, fmt["header"])
    for r, values in enumerate(sheet.rows, start=FIRST_ROW):
        for c, v in enumerate(values):
            ws.write_string(r, c, v, fmt["cell"])  # text stays text: a unit's "=…" is no formula
        ws.set_row(r, row_height([(v, w) for v, w in zip(values, sheet.widths)]))
    ws.freeze_panes(2, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(1)
    wb.close()
    return buffer.getvalue()
