"""master.xlsx's 历次情况 sheet: each item's status and report date in every round collected.

One row per item (序号, 事项, 牵头单位), two columns per round (完成状态, 报送日期) under the
round's heading, and 较上一轮 (▲ 变好, ▼ 变差, ＝ 持平); statuses coloured 红黄绿. The
statuses are core.history's (the one rule, each round's answers with the office's
corrections). duban owns this sheet: it is drawn again on every write of the master (import,
collect) and never read back, so what the clerk types there is not an edit of anything and is
replaced; the master's reader looks for its 键 column, which this sheet does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.config import Config
from ..core.history import ARROWS, TREND_CN, Step, item_history, rounds_shown, trend
from ..core.model import Item
from ..core.rounds import Round
from ..core.state import status_colour as colour
from ..core.state import status_rank
from ..core.text import column_letter
from .sheetstyle import BODY_FONT, row_height
from .xlsxparts import inline_cell, sheet_parts

SHEET = "历次情况"
MEMBER = "xl/worksheets/duban_history.xml"
WIDTHS = {"number": 6, "title": 36, "lead": 16, "status": 14, "date": 11, "trend": 10}
HEAD_ROWS = 3  # title, round headings, 完成状态/报送日期


@dataclass
class HistorySheet:
    cfg: Config  # its statuses and their colours, the title
    rounds: list[Round]  # oldest first
    rows: list[tuple[Item, list[Step], str | None]]  # item, its step in each round, its trend

    def parts(self, workbook: bytes) -> dict[str, bytes]:
        """What to write into the workbook `workbook` (its bytes) for it to hold this sheet:
        {} when it does already."""
        return sheet_parts(workbook, SHEET, MEMBER, self.render)

    def render(self, xf) -> bytes:
        styles = _styles(xf)
        widths = [WIDTHS["number"], WIDTHS["title"], WIDTHS["lead"]]
        widths += [WIDTHS[k] for _ in self.rounds for k in ("status", "date")] + [WIDTHS["trend"]]
        last = column_letter(len(widths))
        title = f"{self.cfg.title}历次情况" if self.cfg.title else "历次情况"
        if not self.rounds:
            title += "（还没有收集到报送）"
        rows = [_row(1, [(title, styles["title"])], 30)]
        heads = [("序号", styles["header"]), ("事项", styles["header"]), ("牵头单位", styles["header"])]
        seconds = [("", styles["header"])] * 3
        for rnd in self.rounds:
            heads += [(rnd.heading, styles["header"]), ("", styles["header"])]
            seconds += [("完成状态", styles["header"]), ("报送日期", styles["header"])]
        heads.append(("较上一轮", styles["header"]))
        seconds.append(("", styles["header"]))
        rows += [_row(2, heads, row_height([(rnd.heading, WIDTHS["status"] + WIDTHS["date"]) for rnd in self.rounds], 30)),
                 _row(3, seconds, 20)]
        for n, (item, steps, change) in enumerate(self.rows, start=HEAD_ROWS + 1):
            name = ("★" if item.star else "") + item.title
            cells = [(item.number, styles["center"]), (name, styles["cell"]), (item.lead_unit, styles["cell"])]
            for step in steps:
                cells += [(step.status, styles[colour(step.status, self.cfg)]), (step.date, styles["center"])]
            cells.append((f"{ARROWS[change]} {TREND_CN[change]}" if change else "", styles[TREND_STYLE.get(change, "center")]))
            rows.append(_row(n, cells, row_height([(name, WIDTHS["title"]), (item.lead_unit, WIDTHS["lead"])])))
        merges = [f"A1:{last}1", "A2:A3", "B2:B3", "C2:C3", f"{last}2:{last}3"]
        merges += [f"{column_letter(4 + 2 * i)}2:{column_letter(5 + 2 * i)}2" for i in range(len(self.rounds))]
        merged = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{last}{HEAD_ROWS + len(self.rows)}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane xSplit="3" ySplit="3" topLeftCell="D4" activePane="bottomRight" '
            'state="frozen"/><selection pane="bottomRight" activeCell="D4" sqref="D4"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>'
            f'<mergeCells count="{len(merges)}">{merged}</mergeCells>'
            '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            '<headerFooter><oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter>'
            '</worksheet>')
        return xml.encode("utf-8")


def history_sheet(cfg: Config, items: list[Item], reports: list[dict]) -> HistorySheet:
    """The sheet for `items` from the reports that count of every round (corrections applied)."""
    rank = status_rank(cfg.statuses)
    rounds = rounds_shown(cfg.rounds, {rep["round"] for rep in reports})
    past = item_history(items, reports, rounds, rank)
    return HistorySheet(cfg, rounds, [(item, past[item.key], trend(past[item.key], rank)) for item in items])


TREND_STYLE = {"better": "green", "worse": "red"}
FILLS = {"header": "FFD9D9D9", "green": "FFE2F0D9", "yellow": "FFFFF2CC", "red": "FFF8CBAD"}


def _styles(xf) -> dict[str, int]:
    """The sheet's cell formats by name, as indexes into the workbook's styles."""
    def font(size: int, bold: bool) -> str:
        return f'<font>{"<b/>" if bold else ""}<sz val="{size}"/><name val="{BODY_FONT}"/><family val="3"/><charset val="134"/></font>'

    def fill(name: str | None) -> str:
        if name is None:
            return '<fill><patternFill patternType="none"/></fill>'
        return f'<fill><patternFill patternType="solid"><fgColor rgb="{FILLS[name]}"/><bgColor indexed="64"/></patternFill></fill>'

    thin = "".join(f'<{side} style="thin"><color auto="1"/></{side}>' for side in ("left", "right", "top", "bottom"))
    border, none = f"<border>{thin}<diagonal/></border>", "<border><left/><right/><top/><bottom/><diagonal/></border>"
    middle = 'vertical="center" wrapText="1"'
    centre = 'horizontal="center" ' + middle
    body = font(10, False)
    out = {"title": xf(font(14, True), fill(None), none, 'horizontal="center" vertical="center"'),
           "header": xf(font(10, True), fill("header"), border, centre),
           "cell": xf(body, fill(None), border, middle),
           "center": xf(body, fill(None), border, centre)}
    out.update({name: xf(body, fill(name), border, centre) for name in ("green", "yellow", "red")})
    return out


def _row(number: int, cells: list[tuple[str, int]], height: float) -> str:
    body = "".join(inline_cell(f"{column_letter(c)}{number}", text, style) for c, (text, style) in enumerate(cells, 1))
    return f'<row r="{number}" ht="{height}" customHeight="1">{body}</row>'
