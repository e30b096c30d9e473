"""rounds/R/report.xlsx (收集情况与退回修改清单): the outcome of every unit and file first,
then one sheet per unit listing what it must correct, to e-mail back as it is."""

from __future__ import annotations

import re
from pathlib import Path

from .fsutil import atomic_path
from .sheetstyle import formats, row_height

OUTCOME_CN = {"accepted": "已采纳", "partial": "部分采纳", "rejected": "退回", "superseded": "已被更新的文件取代",
              "unchanged": "已收集过", "unidentified": "无法识别", "unreadable": "无法读取", "ignored": "已忽略",
              "missing": "缺报"}
SEVERITY_CN = {"error": "须改正", "warning": "提示"}
SUMMARY_SHEET = "收集情况"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


def sheet_name(unit: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _BAD_SHEET_CHARS.sub("", unit)[:31] or "单位"
    name, n = base, 2
    while name.lower() in used:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def write_report(path: Path, cfg, result) -> Path:
    import xlsxwriter

    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
        fmt = formats(wb)
        used = {SUMMARY_SHEET.lower()}
        _summary(wb.add_worksheet(SUMMARY_SHEET), fmt, cfg, result)
        for unit, files in _by_unit(result).items():
            findings = [(f, x) for f in files for x in f.findings if x.for_unit]
            if findings:
                _unit_sheet(wb.add_worksheet(sheet_name(unit, used)), fmt, cfg, result, unit, findings)
        wb.close()
    return path


def _by_unit(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in result.files:
        if f.unit:
            out.setdefault(f.unit, []).append(f)
    return out


def _summary(ws, fmt, cfg, result) -> None:
    headers = [("单位", 26), ("结果", 14), ("文件", 44), ("最后保存时间", 18), ("迟报", 6), ("须改正", 8), ("提示", 8), ("说明", 60)]
    title = f"{cfg.title} {result.round} 一轮收集情况" + ("（试运行，未并入总台账）" if result.dry_run else "")
    ws.merge_range(0, 0, 0, len(headers) - 1, title, fmt["title"])
    for c, (h, w) in enumerate(headers):
        ws.set_column(c, c, w)
        ws.write_string(1, c, h, fmt["header"])
    r = 2
    by_unit = _by_unit(result)
    expected, missing = set(result.expected_units), set(result.missing_units)  # sets: 10,000 units
    for unit in result.expected_units + [u for u in by_unit if u not in expected]:
        files = by_unit.get(unit, [])
        if not files:
            outcome = "missing" if unit in missing else "accepted"
            note = "本轮尚未收到报送" if outcome == "missing" else "此前已收集"
            _summary_row(ws, fmt, r, [unit, OUTCOME_CN[outcome], "", "", "", "", "", note])
            r += 1
        for f in files:
            r = _file_row(ws, fmt, r, unit, f)
    for f in result.files:
        if not f.unit and f.outcome != "ignored":
            r = _file_row(ws, fmt, r, "（未识别）", f)
    ws.freeze_panes(2, 1)
    ws.autofilter(1, 0, max(2, r - 1), len(headers) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(1)


def _file_row(ws, fmt, r: int, unit: str, f) -> int:
    errors = sum(1 for x in f.findings if x.severity == "error")
    warnings = sum(1 for x in f.findings if x.severity == "warning")
    first_error = next((x.message for x in f.findings if x.severity == "error"), "")
    saved = f.saved_at.strftime("%Y-%m-%d %H:%M") if f.saved_at else ""
    _summary_row(ws, fmt, r, [unit, OUTCOME_CN.get(f.outcome, f.outcome), f.name, saved, "是" if f.late else "",
                              str(errors or ""), str(warnings or ""), first_error])
    return r + 1


def _summary_row(ws, fmt, r: int, values: list[str]) -> None:
    for c, v in enumerate(values):
        ws.write_string(r, c, v, fmt["cell"])
    ws.set_row(r, row_height([(values[-1], 60), (values[2], 44)]))


def _unit_sheet(ws, fmt, cfg, result, unit: str, findings) -> None:
    headers = [("文件", 30), ("行", 6), ("序号", 6), ("列", 14), ("填报内容", 30), ("级别", 8), ("问题及改正方法", 70)]
    ws.merge_range(0, 0, 0, len(headers) - 1, f"{unit} {result.round} 一轮报送 退回修改清单", fmt["title"])
    for c, (h, w) in enumerate(headers):
        ws.set_column(c, c, w)
        ws.write_string(1, c, h, fmt["header"])
    r = 2
    for f, x in sorted(findings, key=lambda p: (p[1].severity != "error", p[0].name, p[1].row or 0)):
        values = [f.name, str(x.row or ""), x.item or "", x.column or "", x.value or "", SEVERITY_CN.get(x.severity, x.severity), x.message]
        for c, v in enumerate(values):
            ws.write_string(r, c, v, fmt["cell"])
        ws.set_row(r, row_height([(values[-1], 70), (values[4], 30)]))
        r += 1
    ws.freeze_panes(2, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(1)
