"""The reporting workbook a unit receives (报送表): one sheet to fill in, protected, signed.

Macro-free .xlsx written with XlsxWriter. Read-only cells (序号, 事项, 本期目标 …) are locked;
the report cells are not. The sheet is protected without a password: a guard against slips,
not a lock. A very hidden sheet carries the signed metadata that collect identifies it by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..core import schema
from ..core.assign import UnitRow, shown_columns
from ..core.dates import format_cn, report_period_end
from ..core.schema import KEY_HEADER, LISTS_SHEET, READ_ONLY, SAME_AS_TARGETS, SHEET
from ..core.signing import META_SHEET, Metadata, to_cells
from ..store.sheetstyle import BODY_FONT, lines_needed, row_height

INLINE_LIST_LIMIT = 255  # Excel's limit for a dropdown list written inline
PREVIOUS_FILL = "#DDEBF7"  # last round's accepted answer, pre-filled
INPUT_FILL = "#FFFFFF"
LOCKED_FILL = "#F2F2F2"

# The instructions: as large as the table's text, so that they stay readable when the sheet is
# shrunk to one page wide; points per wrapped line at that size.
NOTES_SIZE = 11
NOTES_LINE = 16

REPORT_WIDTHS = {schema.PROGRESS: 34, schema.PROBLEMS: 18, schema.NEXT_STEPS: 18, schema.STATUS: 11,
                 schema.COMPLETED_ON: 11, schema.REMARKS: 8}  # by role


@dataclass
class UnitSheet:
    title: str
    unit: str
    round_label: str
    due: dt.date
    statuses: list[str]
    report_fields: list[str]  # roles
    signoff_fields: list[str]  # roles
    rows: list[UnitRow]
    headers: dict[str, str] = field(default_factory=dict)  # column id → the table's own header
    field_headers: dict[str, str] = field(default_factory=dict)  # role → header (duban.toml)
    contact: str = ""
    previous_round: str = ""
    problem_statuses: list[str] = field(default_factory=lambda: list(schema.PROBLEM_STATUSES))
    done_status: str = schema.DONE_STATUS

    def header(self, role: str) -> str:
        return self.field_headers.get(role) or schema.DEFAULT_HEADERS.get(role, role)

    @property
    def columns(self) -> list[str]:
        """The read-only columns this workbook has (core.assign.shown_columns)."""
        return shown_columns(self.rows)


def instructions(s: UnitSheet) -> str:
    """填报说明: how to fill the sheet in and send it back, in the clerk's words, with example
    dates of the round's own year."""
    h = {role: s.header(role) for role in schema.DEFAULT_HEADERS}
    statuses = "".join(f"“{x}”" for x in s.statuses)
    needs_problems = "".join(f"“{x}”" for x in s.problem_statuses if x in s.statuses) or "“未按进度完成”"
    example = report_period_end(s.due)
    grey = "、".join(f"“{header}”" for cid, header, _ in _columns(s) if not cid.startswith("report:") and cid != "key")
    same = f"；“{s.headers.get('plan', '全年工作目标')}”写“{SAME_AS_TARGETS}”的，全年目标就是本期目标" \
        if "plan" in s.columns and any(r.plan_shown == SAME_AS_TARGETS for r in s.rows) else ""
    lines = [
        "填报说明：",
        f"1. 灰色格子（{grey}）是分解表的内容，已锁定，请勿改动；请只在白色格子里填写。“本期目标”是本次报送对照的目标{same}。",
        f"2. “{h['status']}”请从下拉列表中选择（点格子右侧的下拉箭头），只能选{statuses}之一；选{needs_problems}的，必须在“{h['problems']}”中写明原因。",
        f"3. “{h['progress']}”写截至{format_cn(example)}实际完成的工作和数据，不能只写“无”“同上”；“{h['next_steps']}”写下一阶段的具体安排。",
        f"4. 事项已完成（选“{s.done_status}”）的，“{h['completed_on']}”填写完成日期，写成 {example.isoformat()} 或 {format_cn(example)}；未完成的不填。",
        f"5. 表格下方的{'、'.join(s.header(r) for r in s.signoff_fields)}请填写完整（须经单位主要负责人审阅）。",
        "6. 请勿增删行列、合并单元格或改动表格结构，也不要把内容复制到新的工作簿里填写。",
        f"7. 填好后直接保存本文件（另存为 .xls 也可以），于{format_cn(s.due)}前作为邮件附件发回督查室（回复督查室发来的邮件即可）。",
    ]
    if s.previous_round:
        lines.append(f"8. 浅蓝色底的内容是上一轮（{s.previous_round}）已采纳的报送，请在此基础上更新，不要照抄。")
    lines.append(f"如有疑问请联系：{s.contact}" if s.contact else "如有疑问请与督查室联系。")
    return "\n".join(lines)


def write_unit_workbook(path: Path, s: UnitSheet, meta: Metadata) -> None:
    """Write one unit's reporting workbook to `path`."""
    import xlsxwriter

    # in_memory: no temporary file per XML part (a third of the time for small workbooks)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "in_memory": True})
    wb.set_properties({"title": f"{s.title}报送表", "subject": f"{s.unit} {s.round_label}",
                       "author": "duban", "comments": "由 duban 生成；请勿删除隐藏的工作表。"})
    for name, value in (("duban_workspace", meta.workspace_id), ("duban_round", meta.round),
                        ("duban_unit", meta.unit), ("duban_signature", meta.signature)):
        wb.set_custom_property(name, value)
    ws = wb.add_worksheet(SHEET)
    fmt = _formats(wb)
    cols = _columns(s)
    _header_block(ws, fmt, s, cols)
    first = 4
    for i, row in enumerate(s.rows):
        _data_row(ws, fmt, s, cols, first + i, row)
    last = first + len(s.rows) - 1
    _validations(wb, ws, s, cols, first, last)
    _signoff(ws, fmt, s, last + 2)
    _page_setup(ws, cols, last + 3)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})
    ws.activate()
    _meta_sheet(wb, meta)
    wb.close()


def _formats(wb) -> dict:
    base = {"font_name": BODY_FONT, "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
    spec = {
        "title": {"font_name": BODY_FONT, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"},
        "subtitle": {"font_name": BODY_FONT, "font_size": 11, "align": "left", "valign": "vcenter"},
        "notes": {"font_name": BODY_FONT, "font_size": NOTES_SIZE, "text_wrap": True, "valign": "top", "border": 1},
        "header": {**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#D9D9D9"},
        "locked": {**base, "bg_color": LOCKED_FILL},
        "locked_center": {**base, "bg_color": LOCKED_FILL, "align": "center"},
        "input": {**base, "locked": False, "bg_color": INPUT_FILL, "num_format": "@"},
        "previous": {**base, "locked": False, "bg_color": PREVIOUS_FILL, "num_format": "@"},
        "date_input": {**base, "locked": False, "num_format": "yyyy-mm-dd", "align": "center"},
        "status_input": {**base, "locked": False, "align": "center"},
        "sign_label": {"font_name": BODY_FONT, "font_size": 11, "bold": True, "align": "right", "valign": "vcenter"},
        "sign_input": {"font_name": BODY_FONT, "font_size": 11, "locked": False, "bottom": 1, "num_format": "@"},
        "hidden_key": {"font_name": BODY_FONT, "font_size": 8, "font_color": "#808080"},
    }
    return {name: wb.add_format(props) for name, props in spec.items()}


def _columns(s: UnitSheet) -> list[tuple[str, str, float]]:
    shown = s.columns
    # Without 全年工作目标, 本期目标 takes some of its width: the one text has more room.
    widen = 0 if "plan" in shown else 10
    cols = [(cid, s.headers.get(cid, header), width + (widen if cid == "targets" else 0))
            for cid, header, width in READ_ONLY if cid in shown]
    cols += [(f"report:{role}", s.header(role), REPORT_WIDTHS.get(role, 12)) for role in s.report_fields]
    return cols + [("key", KEY_HEADER, 8)]


def _header_block(ws, fmt, s: UnitSheet, cols) -> None:
    last = len(cols) - 2  # the key column stays out of the printed block
    ws.merge_range(0, 0, 0, last, f"{s.title}进展情况报送表", fmt["title"])
    ws.set_row(0, 32)
    ws.merge_range(1, 0, 1, last, f"报送单位：{s.unit}　　报送轮次：{s.round_label}　　截止日期：{format_cn(s.due)}", fmt["subtitle"])
    ws.set_row(1, 22)
    text = instructions(s)
    ws.merge_range(2, 0, 2, last, text, fmt["notes"])
    # A merged cell does not grow with its text: the height is worked out from the block's width.
    width = sum(w for _, _, w in cols[:-1])
    ws.set_row(2, min(409, NOTES_LINE * lines_needed(text, width * 10 / NOTES_SIZE) + 8))
    for c, (_, header, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write_string(3, c, header, fmt["header"])
    ws.set_column(len(cols) - 1, len(cols) - 1, 8, None, {"hidden": True})
    ws.set_row(3, 30)


def _data_row(ws, fmt, s: UnitSheet, cols, r: int, row: UnitRow) -> None:
    values = row.cells()
    heights = []
    for c, (cid, _, width) in enumerate(cols):
        if cid == "key":
            ws.write_string(r, c, row.key, fmt["hidden_key"])
        elif cid.startswith("report:"):
            name = cid[len("report:"):]
            value = row.previous.get(name, "")
            style = "previous" if value else ("status_input" if name == schema.STATUS else
                                              "date_input" if name == schema.COMPLETED_ON else "input")
            ws.write_string(r, c, value, fmt[style]) if value else ws.write_blank(r, c, None, fmt[style])
            heights.append((value, width))
        else:
            ws.write_string(r, c, values[cid], fmt["locked_center" if cid in ("number", "deadline") else "locked"])
            heights.append((values[cid], width))
    ws.set_row(r, row_height(heights, minimum=48))


def _validations(wb, ws, s: UnitSheet, cols, first: int, last: int) -> None:
    ids = [c for c, _, _ in cols]
    # Excel caps a validation's titles at 32 characters; a header is far shorter in practice.
    if f"report:{schema.STATUS}" in ids:
        c, title = ids.index(f"report:{schema.STATUS}"), s.header(schema.STATUS)[:20]
        source = _status_source(wb, s.statuses)
        ws.data_validation(first, c, last, c, {
            "validate": "list", "source": source, "error_title": f"{title}不在可选范围内",
            "error_message": "请从下拉列表中选择：" + "、".join(s.statuses)[:200],
            "input_title": title, "input_message": "请从下拉列表中选择"})
    if f"report:{schema.COMPLETED_ON}" in ids:
        example = report_period_end(s.due)
        c, title = ids.index(f"report:{schema.COMPLETED_ON}"), s.header(schema.COMPLETED_ON)[:20]
        ws.data_validation(first, c, last, c, {
            "validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
            "maximum": dt.date(2100, 12, 31), "error_title": f"{title}不是日期",
            "error_message": f"请填写日期，例如 {example.isoformat()} 或 {example.year}/{example.month}/{example.day}；未完成的事项可以不填。",
            "input_title": title, "input_message": f"已完成的事项填写完成日期，如 {example.isoformat()}"})


def _status_source(wb, statuses: list[str]):
    """Inline list when it fits Excel's 255 characters, else a range on a hidden sheet."""
    if len(",".join(statuses)) <= INLINE_LIST_LIMIT:
        return list(statuses)
    lists = wb.add_worksheet(LISTS_SHEET)
    for i, status in enumerate(statuses):
        lists.write_string(i, 0, status)
    lists.very_hidden()
    return f"={LISTS_SHEET}!$A$1:$A${len(statuses)}"


def _signoff(ws, fmt, s: UnitSheet, r: int) -> None:
    """填报人 / 联系电话 / 单位负责人审核 / 填报日期 under the table, each with a cell to fill."""
    pairs = [(0, 1), (3, 4), (6, 7), (9, 10)]
    for (label_col, input_col), role in zip(pairs, s.signoff_fields):
        ws.write_string(r, label_col + 1 if label_col == 0 else label_col, f"{s.header(role)}：", fmt["sign_label"])
        ws.write_blank(r, input_col + 1 if label_col == 0 else input_col, None, fmt["sign_input"])
    ws.set_row(r, 28)


def _page_setup(ws, cols, last_row: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3)
    ws.print_area(0, 0, last_row, len(cols) - 2)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页 共 &N 页")
    ws.freeze_panes(4, 2)


def _meta_sheet(wb, meta: Metadata) -> None:
    sheet = wb.add_worksheet(META_SHEET)
    for r, row in enumerate(to_cells(meta)):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    sheet.protect("")
    sheet.very_hidden()
