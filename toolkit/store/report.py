"""rounds/R/report.xlsx (收集情况与退回修改清单): the outcome of every unit and file first,
then one sheet per unit listing what it must correct. The correction list is laid out here
once: the same rows, from the findings stored in the ledger, are what duban mail attaches.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.config import Config
from ..core.dates import format_cn
from ..core.findings import Finding
from ..core.rounds import known, resend_by
from ..core.text import fit_cell
from .fsutil import atomic_path
from .sheetstyle import formats, row_height
from .units import Unit

OUTCOME_CN = {"accepted": "已采纳", "partial": "部分采纳", "rejected": "退回", "superseded": "已被更新的文件取代",
              "unchanged": "已收集过", "unidentified": "无法识别", "unreadable": "无法读取", "ignored": "已忽略",
              "missing": "缺报"}
SEVERITY_CN = {"error": "须改正", "warning": "提示"}
SUMMARY_SHEET = "收集情况"
CORRECTION_COLUMNS = [("文件", 26), ("行", 6), ("序号", 6), ("事项", 20), ("列", 12), ("填报内容", 28), ("级别", 8),
                      ("问题及改正方法", 64)]
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


@dataclass
class CorrectionNotice:
    """What a correction sheet says above its rows: by when the unit resends its file, whom it
    calls with questions (the office, duban.toml's contact) and whom the office calls (the
    unit's own contact in units.xlsx)."""

    resend_by: dt.date
    office_contact: str = ""
    unit_contact: str = ""

    def text(self) -> str:
        parts = [f"请在原报送表中改正后，于{format_cn(self.resend_by)}前把整份表格重新发回督查室（已采用的内容不受影响）。",
                 f"如有疑问请联系：{self.office_contact}。" if self.office_contact else "如有疑问请与督查室联系。"]
        if self.unit_contact:
            parts.append(f"本单位联系人：{self.unit_contact}。")
        return "".join(parts)


def correction_notice(cfg: Config, round_name: str, received: dt.date, unit: Unit | None) -> CorrectionNotice:
    """The notice for a unit's file received on `received`: report.xlsx and the correction mail
    both take it from here, so they name the same day."""
    reach = " ".join(x for x in (unit.contact, unit.phone) if x) if unit else ""
    return CorrectionNotice(resend_by(known(cfg.rounds, round_name).due, received, cfg.resend_days), cfg.contact, reach)


@dataclass
class CorrectionContext:
    """What correction sheets show besides the findings."""

    titles: dict[str, dict[str, str]] = field(default_factory=dict)  # unit → its row numbers (12, 26-2) → titles
    units: list[Unit] = field(default_factory=list)  # units.xlsx
    received: dict[str, dt.date] = field(default_factory=dict)  # sha256 → the day the file was first received


def write_report(path: Path, cfg, result, stored: dict[tuple[str, str], list[Finding]] | None = None,
                 context: CorrectionContext | None = None) -> Path:
    """`stored`: the ledger's findings by (sha256, round). A file this run did not record (a
    dry run; a file already collected, not opened, ignored) is listed with this run's findings."""
    context = context or CorrectionContext()
    book = {u.name: u for u in context.units}
    with atomic_path(path) as tmp:
        wb = new_workbook(str(tmp))
        fmt = formats(wb)
        used = {SUMMARY_SHEET.lower()}
        _summary(wb.add_worksheet(SUMMARY_SHEET), fmt, cfg, result)
        for unit, files in _by_unit(result).items():
            rows = correction_rows([(f.name, _findings(f, stored)) for f in files], context.titles.get(unit))
            if rows:
                received = max(context.received.get(f.sha256, dt.date.today()) for f in files)
                correction_sheet(wb.add_worksheet(sheet_name(unit, used)), fmt,
                                 correction_title(unit, result.round, known(cfg.rounds, result.round).heading), rows,
                                 correction_notice(cfg, result.round, received, book.get(unit)))
        wb.close()
    return path


def _findings(f, stored: dict | None) -> list[Finding]:
    return stored.get((f.sha256, f.round), f.findings) if stored is not None and f.archived else f.findings


def new_workbook(target):
    """An XlsxWriter workbook (a path or a BytesIO) where text stays text: a unit's "=…" is no formula."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})


def correction_title(unit: str, round_name: str, label: str = "") -> str:
    return f"{unit} {label or round_name + ' 一轮'}报送 退回修改清单"


def correction_rows(files: list[tuple[str, list[Finding]]], titles: dict[str, str] | None = None) -> list[list[str]]:
    """The rows of a unit's correction list, from (file name, its findings): what the unit can
    fix (not how its file arrived), errors first, then by file and row. The item's title is
    the one the finding kept; `titles` (row number → title, of the unit's own rows) names it
    for findings stored before they kept one."""
    found = sorted(((name, x) for name, findings in files for x in findings if x.for_unit),
                   key=lambda p: (p[1].severity != "error", p[0], p[1].row or 0))
    return [[name, str(x.row or ""), x.item or "", item_title(x, titles), x.column or "", x.value or "",
             SEVERITY_CN.get(x.severity, x.severity), x.message] for name, x in found]


def item_title(x: Finding, titles: dict[str, str] | None = None) -> str:
    """The title of the item a finding is about ("" for none)."""
    return x.facts.get("item_title") or (titles or {}).get(x.item or "", "")


def correction_sheet(ws, fmt, title: str, rows: list[list[str]], notice: CorrectionNotice) -> None:
    """A correction list: title, by when to resend and whom to call, header, one row per finding."""
    last = len(CORRECTION_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last, title, fmt["title"])
    ws.set_row(0, 30)
    text = notice.text()
    ws.merge_range(1, 0, 1, last, text, fmt["notice"])
    ws.set_row(1, row_height([(text, sum(w for _, w in CORRECTION_COLUMNS) * 10 / 11)], minimum=24))
    for c, (h, w) in enumerate(CORRECTION_COLUMNS):
        ws.set_column(c, c, w)
        ws.write_string(2, c, h, fmt["header"])
    ws.set_row(2, 22)
    for r, values in enumerate(rows, start=3):
        values = [fit_cell(v) for v in values]  # a unit's 100,000 characters: what a cell holds, marked as cut
        for c, v in enumerate(values):
            ws.write_string(r, c, v, fmt["cell"])
        ws.set_row(r, row_height([(values[-1], 64), (values[5], 28), (values[3], 20)]))
    ws.freeze_panes(3, 0)
    print_a4_landscape(ws, header_row=2)


def _by_unit(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in result.files:
        if f.unit:
            out.setdefault(f.unit, []).append(f)
    return out


def _summary(ws, fmt, cfg, result) -> None:
    headers = [("单位", 26), ("结果", 14), ("文件", 44), ("最后保存时间", 18), ("迟报", 6), ("须改正", 8), ("提示", 8), ("说明", 60)]
    title = f"{cfg.title} {known(cfg.rounds, result.round).heading}收集情况" + ("（试运行，未并入总台账）" if result.dry_run else "")
    ws.merge_range(0, 0, 0, len(headers) - 1, title, fmt["title"])
    ws.set_row(0, 30)  # the title and the header each their own height: not squashed together
    ws.set_row(1, 22)
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
    for f in result.files:  # set aside unread (a link, a pipe, the workspace's own files): listed, with why
        if f.outcome == "ignored" and f.findings and f.findings[0].key != "ignored":
            r = _file_row(ws, fmt, r, "（未读取）", f)
    ws.freeze_panes(2, 1)
    ws.autofilter(1, 0, max(2, r - 1), len(headers) - 1)
    print_a4_landscape(ws)


def _file_row(ws, fmt, r: int, unit: str, f) -> int:
    errors = sum(1 for x in f.findings if x.severity == "error")
    warnings = sum(1 for x in f.findings if x.severity == "warning")
    # 说明: the first error, else the first note (a row that counts notes says what they are)
    first = next((x.message for x in f.findings if x.severity == "error"), "") or \
        next((x.message for x in f.findings if x.severity == "warning"), "")
    if f.outcome == "ignored" and f.findings:
        first = f.findings[0].message
    saved = f.saved_at.strftime("%Y-%m-%d %H:%M") if f.saved_at else ""
    _summary_row(ws, fmt, r, [unit, OUTCOME_CN.get(f.outcome, f.outcome), f.name, saved, "是" if f.late else "",
                              errors or "", warnings or "", first])
    return r + 1


def _summary_row(ws, fmt, r: int, values: list) -> None:
    """Texts as text; counts as numbers, so Excel can add them up."""
    values = [v if isinstance(v, int) else fit_cell(v) for v in values]
    for c, v in enumerate(values):
        if isinstance(v, int):
            ws.write_number(r, c, v, fmt["cell"])
        else:
            ws.write_string(r, c, v, fmt["cell"])
    ws.set_row(r, row_height([(values[-1], 60), (values[2], 44)]))


def print_a4_landscape(ws, header_row: int = 1) -> None:
    """A4 landscape, one page wide, the header row (0-based) repeated on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
