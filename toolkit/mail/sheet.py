"""The workbook attached to a correction mail (退回修改清单): the unit's correction list for
its latest file, built from the findings the ledger stored for that file, laid out as the
unit's sheet of rounds/R/report.xlsx is (report.xlsx itself is never read back)."""

from __future__ import annotations

import io

from ..core.findings import Finding
from ..store.report import (
    CorrectionNotice,
    correction_rows,
    correction_sheet,
    correction_title,
    new_workbook,
    sheet_name,
)
from ..store.sheetstyle import formats


def correction_workbook(unit: str, round_label: str, file_name: str, findings: list[Finding],
                        titles: dict[str, str], notice: CorrectionNotice) -> bytes:
    """A small .xlsx with one sheet, named after the unit: what it must correct in `file_name`."""
    buffer = io.BytesIO()
    wb = new_workbook(buffer)
    ws = wb.add_worksheet(sheet_name(unit, set()))
    correction_sheet(ws, formats(wb), correction_title(unit, "", round_label), correction_rows([(file_name, findings)], titles),
                     notice)
    wb.close()
    return buffer.getvalue()
