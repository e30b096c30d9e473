"""Writing the summary workbook (XlsxWriter): formats, print setup, page breaks, the table sheet.

summary.table decides what goes in each row and how tall it is; this module lays the rows out
on pages. Neither Excel nor LibreOffice breaks a row over a page: a row that does not fit the
rest of a page goes whole to the next, leaving the rest blank (a third of many pages). So pages
are filled here: where a page ends inside a row, the row is parted at a line boundary into two
rows, its 节点计划 and 完成情况 go on on the next page under the repeated header, and the item's
序号, 项目名称 (marked 续) and 责任单位 are repeated beside them, as Heshan's printed table does.
A row is moved whole instead only when little of the page is left and it fits the next one.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from ..store.summaryconfig import SummaryConfig
from .columns import Column
from .stats import write_sheet
from .styles import A4_MM, MARGINS_MM, Styles, page_setup
from .table import (
    ROW_COLUMNS,
    GroupRow,
    ItemBlock,
    SummaryTable,
    item_lines_needed,
    item_value,
    own_deadline,
    row_value,
    spans,
)
from .text import Metrics, Paragraph, cut_lines, plan_runs, tidy

SHEET = "完成情况汇总表"
CONTINUED = "（续）"
# Room kept free on each page: Excel rounds its scale and heights its own way; LibreOffice prints
# at the scale written and the heights set, so little is kept there.
PAGE_SLACK = {"excel": 0.96, "libreoffice": 0.99}
MIN_SPLIT = 2  # text lines a parted row keeps on either side of a page break
KEEP_WHOLE = 0.1  # a row is not parted when less than this share of a page is left and it fits the next
HALF = 0.6  # a page this full may end early (keeping an item's 项目名称 whole); a page less full never does


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


def print_scale(cols: list[Column]) -> int:
    """The percent the table is printed at to fit the page's width, in whole percents as Excel does."""
    width_pt = sum(c.width * 7 + 5 for c in cols) * 0.75  # a width w is 7w + 5 px at 96 dpi
    printable_w = (A4_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72
    return min(100, math.floor(printable_w / width_pt * 100))


def page_height(cols: list[Column], renderer: str = "excel") -> float:
    """Printable height of a page in the sheet's points, at the scale the width is fitted with."""
    printable_h = (A4_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]) / 25.4 * 72
    return printable_h / (print_scale(cols) / 100) * PAGE_SLACK[renderer]


@dataclass
class Unit:
    """What paginate places: an item (`rows`: text lines of each row) or a row that is never
    parted (a group row, a note: `rows` None, `height` in points)."""

    rows: list[int] | None
    height: float = 0.0
    sticky: bool = False  # a group row: travels with what follows it
    head: int = 1  # lines an item's first page must hold (its 项目名称 whole)


def paginate(units: list[Unit], metrics: Metrics, capacity: float, header: float, first: float) -> set[tuple[int, int, int]]:
    """Where new pages start, as (unit, row, line): the page starts `line` text lines into that row
    of the unit (0: at the row's top).

    A row that fits the rest of the page goes on it. One that does not is parted where the page
    ends, keeping MIN_SPLIT lines on either side, unless less than KEEP_WHOLE of the page is left
    and it fits the next page whole. An item begins on a page with room for its head (its
    项目名称 whole) and its group rows, or else on the next page: but not when that would leave the
    page less than half full (its 项目名称 is then shortened here and whole on the next page).
    `header` is the header row repeated on every page, `first` what page 1 holds before the
    table's rows.
    """
    starts: set[tuple[int, int, int]] = set()
    used = base = first

    def new_page(at):
        nonlocal used, base
        starts.add(at)
        used = base = header

    i = 0
    while i < len(units):
        j = i
        while j < len(units) - 1 and units[j].sticky:
            j += 1
        lead = sum(u.height for u in units[i:j])  # its group rows
        unit = units[j]
        if unit.rows is None:
            if used > base and used + lead + unit.height > capacity:
                new_page((i, 0, 0))
            used += lead + unit.height
            i = j + 1
            continue
        if used >= HALF * capacity and used + lead + _head_height(unit, metrics) > capacity:
            new_page((i, 0, 0))
        used += lead
        placed, first_page = 0, True  # lines of the item on the page it begins on
        for n, lines in enumerate(unit.rows):
            top = 0  # lines of the row on earlier pages
            while True:
                h = _rows_height(metrics, lines - top)
                if used + h <= capacity:
                    used += h
                    placed += (lines - top) if first_page else 0
                    break
                k = metrics.lines_in(capacity - used)
                while k > 0 and _rows_height(metrics, k) > capacity - used:
                    k -= 1
                k = min(k, lines - top - MIN_SPLIT)
                whole = (header + h <= capacity and capacity - used < KEEP_WHOLE * capacity
                         and (not first_page or placed >= unit.head))
                if used > base and (k < MIN_SPLIT or whole):
                    if n == 0 and top == 0:  # the item's first row: the item and its group rows go
                        new_page((i, 0, 0))
                        used += lead
                    else:
                        new_page((j, n, top))
                        first_page = False
                    continue
                k = max(k, 1)  # a row taller than a whole page: as much as the page holds
                new_page((j, n, top + k))
                first_page = False
                top += k
        i = j + 1
    return starts


def _rows_height(metrics: Metrics, lines: int) -> float:
    """Points of `lines` text lines of one row as written: in rows of at most Excel's 409 pt."""
    full, rest = divmod(lines, metrics.max_lines)
    return full * metrics.height(metrics.max_lines) + (metrics.height(rest) if rest or not full else 0)


def _head_height(unit: Unit, metrics: Metrics) -> float:
    """Points of an item's first rows that must share a page: down to its head's last line, and
    at least MIN_SPLIT lines of its first row."""
    need, height = max(unit.head, min(unit.rows[0], MIN_SPLIT)), 0.0
    for lines in unit.rows:
        if need <= lines:
            return height + _rows_height(metrics, need)
        height += _rows_height(metrics, lines)
        need -= lines
    return height


@dataclass
class Piece:
    """A row as written: a row of the item, or the part of one on one page (or under Excel's
    409 pt limit)."""

    node: int
    lines: int
    part: int  # the item's page: 0 where it begins, 1 on the next …


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
        units = [self._unit(b) for b in blocks]
        starts = paginate(units, self.m, page_height(self.cols, self.m.renderer), header, first + header)
        breaks = []
        for k, block in enumerate(blocks):
            if (k, 0, 0) in starts:
                breaks.append(self.r)
            if isinstance(block, GroupRow):
                self._group(block)
            elif isinstance(block, ItemBlock):
                breaks += self._item(block, {(n, line) for b, n, line in starts if b == k and (n, line) != (0, 0)})
            else:
                self._banner(block, self.st.body(align="left"), units[k].height)
        self.ws.set_h_pagebreaks(breaks)
        # LibreOffice fits a width by its own reckoning (87 % where Excel takes 89 %) and the pages
        # laid out here would then end early: it is given the scale. Excel fits the width itself.
        page_setup(self.ws, header_row, print_scale(self.cols) if self.m.renderer == "libreoffice" else None)
        return len(breaks) + 1

    def _unit(self, block) -> Unit:
        if isinstance(block, ItemBlock):
            return Unit([x.lines for x in block.lines], head=item_lines_needed(block.item, self.cols, self.m))
        text = block.text if isinstance(block, GroupRow) else block
        height = self.m.height(self.m.lines(text, sum(c.width for c in self.cols)))
        return Unit(None, height + 2, sticky=True) if isinstance(block, GroupRow) else Unit(None, height)

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
        self.ws.set_row(self.r, self._unit(g).height)
        self.r += 1

    def _pieces(self, block: ItemBlock, cuts: set[tuple[int, int]]) -> list[Piece]:
        """The item's rows as written: parted where a page begins inside them (`cuts`: row, line),
        and into rows of at most Excel's 409 pt."""
        out, part = [], 0
        for n, line in enumerate(block.lines):
            at = sorted(k for m, k in cuts if m == n)
            if at and at[0] == 0:
                part += 1
            bounds = [0] + [k for k in at if k > 0] + [line.lines]
            for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
                part += 1 if i > 0 else 0
                while b > a:
                    take = min(b - a, self.m.max_lines)
                    out.append(Piece(n, take, part))
                    a += take
        return out

    def _item(self, block: ItemBlock, cuts: set[tuple[int, int]]) -> list[int]:
        """An item's rows; returns the sheet rows where its parts on later pages begin."""
        pieces = self._pieces(block, cuts)
        top = self.r
        by_key = {r.key: r for r in block.rows}

        def segments(span: tuple[int, int]) -> list[tuple[int, int]]:
            """(first, last) piece of a cell covering rows span, one per page it is on."""
            idx = [p for p, x in enumerate(pieces) if span[0] <= x.node <= span[1]]
            return [(g[0], g[-1]) for g in (list(v) for _, v in itertools.groupby(idx, key=lambda p: pieces[p].part))]

        for c, col in enumerate(self.cols):
            if col.id == "completion":
                for span in spans(block.lines, key=lambda x: x.owner):
                    self._flow(top, c, pieces, segments(span), block.completions[block.lines[span[0]].owner], col)
            elif col.id == "plan":
                for n, row in enumerate(block.rows):
                    self._flow(top, c, pieces, segments((n, n)), [plan_runs(row.plan)], col)
            elif col.id == "deadline":
                for n, row in enumerate(block.rows):
                    for i, (a, b) in enumerate(segments((n, n))):
                        self._put(top + a, top + b, c, own_deadline(row) if i == 0 else "", "center")
            elif col.id in ROW_COLUMNS:
                for span in spans(block.lines, key=lambda x: x.owner):
                    text = row_value(by_key[block.lines[span[0]].owner], col.id)
                    for a, b in segments(span):
                        self._put(top + a, top + b, c, self._fit(text, col, self._room(pieces, a, b)), "left")
            else:
                for i, (a, b) in enumerate(segments((0, len(block.lines) - 1))):
                    suffix = CONTINUED if i > 0 and col.id == "title" else ""
                    value = self._fit(item_value(block.item, col.id), col, self._room(pieces, a, b), suffix)
                    self._put(top + a, top + b, c, value, "center" if col.id == "number" else "left")
        for p, x in enumerate(pieces):
            self.ws.set_row(top + p, self.m.height(x.lines))
        self.r += len(pieces)
        return [top + p for p, x in enumerate(pieces) if p > 0 and x.part != pieces[p - 1].part]

    def _room(self, pieces: list[Piece], a: int, b: int) -> int:
        """Text lines a cell over pieces a..b holds."""
        return self.m.lines_in(sum(self.m.height(x.lines) for x in pieces[a:b + 1]))

    def _flow(self, top: int, c: int, pieces: list[Piece], segs: list[tuple[int, int]], text: list[Paragraph],
              col: Column) -> None:
        """A cell whose text runs on over the page: each page's part takes the lines it holds."""
        rest = text
        for i, (a, b) in enumerate(segs):
            if i + 1 < len(segs):
                shown, rest = cut_lines(rest, col.width, self.m, self._room(pieces, a, b))
            else:
                shown, rest = rest, []
            runs = tidy([run for n, p in enumerate(shown) for run in _with_break(p, n > 0)])
            valign = "top" if col.id == "completion" or i > 0 else None
            self._put(top + a, top + b, c, runs, "left", valign)

    def _fit(self, text: str, col: Column, lines: int, suffix: str = "") -> str:
        """`text` + `suffix`, the text shortened with … when a part of an item split by a page is
        too short for it (the whole text is in the item's first part)."""
        if self.m.lines(text + suffix, col.width) <= lines:
            return text + suffix
        cut = len(text)
        while cut > 1 and self.m.lines(text[:cut] + "…" + suffix, col.width) > lines:
            cut -= max(1, cut // 8)
        return text[:cut] + "…" + suffix

    def _put(self, first: int, last: int, c: int, value, align: str, valign: str | None = None) -> None:
        """A cell, merged down over rows first..last; `value` is text or bold/plain runs."""
        fmt = self.st.cell(align=align, **({"valign": valign} if valign else {}))
        if last > first:
            self.ws.merge_range(first, c, last, c, "", fmt)
        runs = [x for x in (value if isinstance(value, list) else [(False, value)]) if x[1]]
        if len(runs) > 1:
            fragments = [part for bold, text in runs for part in (self.st.run(bold), text)]
            self.ws.write_rich_string(first, c, *fragments, fmt)
        else:
            bold, text = runs[0] if runs else (False, "")
            self.ws.write_string(first, c, text, self.st.cell(align=align, bold=True, **({"valign": valign} if valign else {}))
                                 if bold else fmt)


def _with_break(paragraph: Paragraph, after_first: bool) -> Paragraph:
    """A paragraph's runs, preceded by a line break unless it opens the cell."""
    if not after_first or not paragraph:
        return paragraph
    bold, text = paragraph[0]
    return [(bold, "\n" + text)] + paragraph[1:]
