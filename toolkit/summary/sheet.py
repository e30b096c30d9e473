"""Writing the summary workbook (XlsxWriter): formats, print setup, page breaks, the table sheet.

summary.table decides what goes in each row and how tall it is; this module lays the rows out
on pages. An item block never straddles a page when it fits on the next one, a group row stays
with the item under it, and an item taller than a page is cut between rows: the part on the
next page repeats 序号, 项目名称 (marked 续) and 责任单位, as Heshan's printed table does, instead
of leaving a merged cell cut in two by the page edge.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

from ..store.summaryconfig import SummaryConfig
from .columns import Column
from .stats import write_sheet
from .styles import A4_MM, MARGINS_MM, Styles, page_setup
from .table import (
    NODE_COLUMNS,
    ROW_COLUMNS,
    GroupRow,
    ItemBlock,
    Line,
    SummaryTable,
    item_value,
    merged_cells,
    own_deadline,
    row_value,
    spans,
)
from .text import Metrics, Paragraph, plan_runs, tidy

SHEET = "完成情况汇总表"
PAGE_SLACK = 0.96  # room kept free on each page: printers and Excel round scales and heights
CONTINUED = "（续）"
SPLIT_ROOM = 0.3  # an item is begun at the foot of a page only when this much of the page is left


# Column widths count digits of the workbook's default font: 7 px in Excel for Calibri 11 or
# 仿宋/宋体 11. LibreOffice lacks those and counts in its stand-in's wider digits, so a PDF
# rendered there would wrap, scale and paginate unlike Excel's print. A CJK monospace font at
# 10.5 pt has 7 px digits (half of its 14 px em), so LibreOffice then measures as Excel does.
PRINT_DEFAULT_FONT = ("Noto Sans Mono CJK SC", 10.5)


def write_workbook(path: Path, table: SummaryTable, scfg: SummaryConfig, stats,
                   default_font: tuple[str, float] | None = None) -> int:
    """The summary sheet, and with `stats` the statistics sheets (summary.stats); returns the
    pages the summary sheet prints on. `default_font` (name, size) is the workbook's default
    font; the body font when None."""
    import xlsxwriter

    name, size = default_font or (scfg.body_font, scfg.body_size)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "in_memory": True,
                                         "default_format_properties": {"font_name": name, "font_size": size}})
    wb.set_properties({"title": table.title, "subject": table.subtitle, "author": "duban"})
    styles = Styles(wb, scfg)
    pages = SummarySheet(wb.add_worksheet(SHEET), styles, table).write()
    if stats is not None:
        write_sheet(wb, styles, stats, table)
    wb.close()
    return pages


def page_height(cols: list[Column]) -> float:
    """Printable height of a page in the sheet's points, at the scale Excel fits the width with."""
    width_pt = sum(c.width * 7 + 5 for c in cols) * 0.75  # a width w is 7w + 5 px at 96 dpi
    printable_w = (A4_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72
    printable_h = (A4_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]) / 25.4 * 72
    scale = min(1.0, math.floor(printable_w / width_pt * 100) / 100)  # Excel scales by whole percents
    return printable_h / scale * PAGE_SLACK


def paginate(blocks: list[list[float]], sticky: list[bool], cuts: list[set[int]], capacity: float,
             header: float, first: float) -> set[tuple[int, int]]:
    """Where new pages start, as (block, row) pairs.

    `blocks` are row heights per block; a sticky block (a group row) travels with the block
    after it; `cuts[k]` are the rows of block k a page may start at (none that would part a
    merged cell too short for its text). A unit that does not fit the rest of the page starts
    a new one when it fits there and the rest is small, or when not even its head (the rows
    before its first cut) fits here; otherwise it is cut where pages fill (moving every item that
    does not fit would leave a third of many pages blank). `header` is the header row repeated on
    every page, `first` what page 1 holds before the table.
    """
    starts: set[tuple[int, int]] = set()
    used = base = first
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) - 1 and sticky[j]:
            j += 1
        rows = blocks[j]
        total = sum(sum(blocks[k]) for k in range(i, j + 1))
        head = sum(sum(blocks[k]) for k in range(i, j)) + sum(rows[:min(cuts[j], default=len(rows))])
        room = capacity - used
        small_room = room < SPLIT_ROOM * capacity and total <= capacity - header
        if used > base and used + total > capacity and (small_room or head > room):
            starts.add((i, 0))
            used = base = header
        used += sum(sum(blocks[k]) for k in range(i, j))
        page_top = 0
        for n, h in enumerate(rows):
            if used + h > capacity and used > base:
                cut = max((c for c in cuts[j] if page_top < c <= n), default=None)
                if cut is not None:
                    starts.add((j, cut))
                    used, base, page_top = header + sum(rows[cut:n]), header, cut
            used += h
        i = j + 1
    return starts


class SummarySheet:
    """Writes the table: title, subtitle, header, group rows, item blocks, notes."""

    def __init__(self, ws, styles: Styles, table: SummaryTable):
        self.ws, self.st, self.t = ws, styles, table
        self.cols = table.columns
        self.last_col = len(self.cols) - 1
        self.m = table.metrics
        self.r = 0

    def write(self) -> int:
        """The sheet; returns how many pages it prints on."""
        for c, col in enumerate(self.cols):
            self.ws.set_column(c, c, col.width)
        first = self._banner(self.t.title, self.st.title, self.st.scfg.title_size * self.m.spacing + 14)
        if self.t.subtitle:
            first += self._banner(self.t.subtitle, self.st.body(align="center"), self.m.height(1) + 4)
        header_row = self.r
        header = self._header()
        blocks = list(self.t.blocks) + list(self.t.notes)
        heights = [self._heights(b) for b in blocks]
        starts = paginate(heights, [isinstance(b, GroupRow) for b in blocks], [self._cuts(b) for b in blocks],
                          page_height(self.cols), header, first + header)
        breaks = []
        for k, block in enumerate(blocks):
            cuts = sorted(n for b, n in starts if b == k)
            breaks += [self.r + n for n in cuts]
            if isinstance(block, GroupRow):
                self._group(block)
            elif isinstance(block, ItemBlock):
                self._item(block, [n for n in cuts if n > 0])
            else:
                self._banner(block, self.st.body(align="left"), heights[k][0])
        self.ws.set_h_pagebreaks(breaks)
        page_setup(self.ws, header_row)
        return len(breaks) + 1

    # -- heights ---------------------------------------------------------------------------------
    def _heights(self, block) -> list[float]:
        if isinstance(block, ItemBlock):
            return [self.m.height(x.lines) for x in block.lines]
        text = block.text if isinstance(block, GroupRow) else block
        return [self.m.height(self._span_lines(text)) + (2 if isinstance(block, GroupRow) else 0)]

    def _cuts(self, block) -> set[int]:
        """Rows of an item a page may start at: those that part no merged cell (序号/项目名称,
        责任单位, 节点计划) before the rows above the cut hold its whole text."""
        if not isinstance(block, ItemBlock):
            return set()
        lines = block.lines
        cells = merged_cells(lines, block.item, block.rows, self.cols, self.m)
        above = list(itertools.accumulate((x.lines for x in lines), initial=0))
        return {n for n in range(1, len(lines))
                if all(not (first < n <= last) or above[n] - above[first] >= need for (first, last), need in cells)}

    def _span_lines(self, text: str) -> int:
        return self.m.lines(text, sum(c.width for c in self.cols))

    # -- rows ------------------------------------------------------------------------------------
    def _banner(self, text: str, fmt, height: float) -> float:
        """A row spanning the table without borders: title, subtitle, a note."""
        self.ws.merge_range(self.r, 0, self.r, self.last_col, text, fmt)
        self.ws.set_row(self.r, height)
        self.r += 1
        return height

    def _header(self) -> float:
        size = self.st.scfg.header_size
        lines = max(Metrics(size, self.m.renderer).lines(c.header, c.width) for c in self.cols)
        for c, col in enumerate(self.cols):
            self.ws.write_string(self.r, c, col.header, self.st.header)
        height = max(28, lines * size * self.m.spacing + 8)
        self.ws.set_row(self.r, height)
        self.r += 1
        return height

    def _group(self, g: GroupRow) -> None:
        self.ws.merge_range(self.r, 0, self.r, self.last_col, g.text, self.st.cell(bold=True))
        self.ws.set_row(self.r, self._heights(g)[0])
        self.r += 1

    def _item(self, block: ItemBlock, cuts: list[int]) -> None:
        """An item's rows, in one part per page it spans."""
        bounds = [0] + cuts + [len(block.lines)]
        for a, b in zip(bounds, bounds[1:]):
            self._part(block, a, b)
        for i, line in enumerate(block.lines):
            self.ws.set_row(self.r + i, self.m.height(line.lines))
        self.r += len(block.lines)

    def _part(self, block: ItemBlock, a: int, b: int) -> None:
        """Rows a..b-1 of an item, merged within themselves; a part after the first repeats the
        item's cells (fitted to its height) and leaves a node begun above blank."""
        lines, top = block.lines[a:b], self.r + a
        first_line = {}
        for n, line in enumerate(block.lines):
            first_line.setdefault(line.node, n)
        by_key = {r.key: r for r in block.rows}
        height = sum(x.lines for x in lines)
        for c, col in enumerate(self.cols):
            if col.id == "completion":
                self._completion(c, top, lines)
            elif col.id in NODE_COLUMNS:
                for s, e in spans(lines, key=lambda x: x.node):
                    node = block.rows[lines[s].node]
                    shown = first_line[lines[s].node] == a + s
                    value = (plan_runs(node.plan) if col.id == "plan" else own_deadline(node)) if shown else ""
                    self._put(top + s, top + e, c, value, "left" if col.id == "plan" else "center")
            elif col.id in ROW_COLUMNS:
                for s, e in spans(lines, key=lambda x: x.owner):
                    text = row_value(by_key[lines[s].owner], col.id)
                    self._put(top + s, top + e, c, self._fit(text, col, sum(x.lines for x in lines[s:e + 1])), "left")
            else:
                suffix = CONTINUED if a > 0 and col.id == "title" else ""
                self._put(top, top + len(lines) - 1, c, self._fit(item_value(block.item, col.id), col, height, suffix),
                          "center" if col.id == "number" else "left")

    def _fit(self, text: str, col: Column, lines: int, suffix: str = "") -> str:
        """`text` + `suffix`, the text shortened with … when a part of an item split by a page is
        too short for it (the whole text is in the item's first part)."""
        if self.m.lines(text + suffix, col.width) <= lines:
            return text + suffix
        cut = len(text)
        while cut > 1 and self.m.lines(text[:cut] + "…" + suffix, col.width) > lines:
            cut -= max(1, cut // 8)
        return text[:cut] + "…" + suffix

    def _put(self, first: int, last: int, c: int, value, align: str) -> None:
        """A cell, merged down over rows first..last; `value` is text or bold/plain runs."""
        if last > first:
            self.ws.merge_range(first, c, last, c, "", self.st.cell(align=align))
        runs = value if isinstance(value, list) else [(False, value)]
        self._runs(first, c, runs, align, {})

    def _runs(self, r: int, c: int, runs: Paragraph, align: str, borders: dict) -> None:
        runs = [x for x in runs if x[1]]
        if len(runs) > 1:
            fragments = [part for bold, text in runs for part in (self.st.run(bold), text)]
            self.ws.write_rich_string(r, c, *fragments, self._fmt(align, borders))
        else:
            bold, text = runs[0] if runs else (False, "")
            self.ws.write_string(r, c, text, self._fmt(align, borders, bold=bold))

    def _fmt(self, align: str, borders: dict, bold: bool = False):
        extra = {"bold": True} if bold else {}
        if not borders:
            return self.st.cell(align=align, **extra)
        return self.st.body(align=align, **borders, **extra)

    def _completion(self, c: int, top: int, lines: list[Line]) -> None:
        """完成情况 row by row; the rows of one reporting row read as one cell (no inner borders)."""
        for a, b in spans(lines, key=lambda x: x.owner):
            for i in range(a, b + 1):
                borders = {"left": 1, "right": 1, "top": 1 if i == a else 0, "bottom": 1 if i == b else 0,
                           "valign": "top"}
                runs = [run for n, p in enumerate(lines[i].piece) for run in _with_break(p, n > 0)]
                self._runs(top + i, c, tidy(runs), "left", borders)


def _with_break(paragraph: Paragraph, after_first: bool) -> Paragraph:
    """A paragraph's runs, preceded by a line break unless it opens the cell."""
    if not after_first or not paragraph:
        return paragraph
    bold, text = paragraph[0]
    return [(bold, "\n" + text)] + paragraph[1:]
