"""What to tell the clerk when import finds no header: the row that looks like one, and the
`--column` options that would name its columns (a guess from the cells under it)."""

from __future__ import annotations

import re
from pathlib import Path

from ..core import schema
from ..core.text import cell_text, squash
from ..store.tables import Sheet

SCAN_ROWS = 40  # as far down as import looks for a header
_SHORT = 12  # a header cell is a few words, never a sentence
_NUMBERISH = re.compile(r"^[\d.\-、．/年月日至底前]+$")
_UNIT_END = re.compile(r"(局|委|办|政府|街道|镇|乡|公司|管委会|中心|院|所|部|队|厅|会|站|室|集团)$")
_TITLE_WORDS = ("事项", "实事", "项目", "任务", "名称", "内容", "工作", "目标")


def no_header_message(path: Path, sheets: list[Sheet]) -> str:
    """The fatal message for a table whose header import cannot find, with an example
    `--column 事项=…` naming the header cell that looks like the items' column."""
    words = "、".join(schema.ROLE_SYNONYMS["title"][:3] + schema.ROLE_SYNONYMS["lead_unit"][:2])
    example = _example(sheets) or "--column 事项=表头中写事项的那一列的列名"
    return (f"文件“{path.name}”中找不到分解表的表头（应有“序号”以及{words}等列名）。"
            f"如果这是分解表、只是列名写法不同，请用 --column 指明各列是什么后重新导入，例如：{example}"
            "（等号左边写 事项、牵头单位、工作目标、完成时限、分管领导 等，右边照表头原字写；可写多个）。")


def _example(sheets: list[Sheet]) -> str:
    for sheet in sheets:
        guess = _guess(sheet.rows)
        if guess:
            return guess
    return ""


def _guess(rows: list[list]) -> str:
    """`--column 事项=X [--column 牵头单位=Y]` for the row that looks most like a header."""
    best, best_count = None, 0
    for i, row in enumerate(rows[:SCAN_ROWS]):
        count = sum(1 for v in row if _header_like(cell_text(v)))
        if count >= 3 and count > best_count and i + 1 < len(rows):
            best, best_count = i, count
    if best is None:
        return ""
    header = [squash(cell_text(v)) for v in rows[best]]
    below = rows[best + 1: best + 31]

    def values(col: int) -> list[str]:
        return [squash(cell_text(r[col])) for r in below if col < len(r) and cell_text(r[col])]

    title = unit = None
    named = [c for c, h in enumerate(header) if h and any(w in h for w in _TITLE_WORDS)]
    texty = [c for c, h in enumerate(header) if h and _texty(values(c))]
    for c in named + texty:
        if c in texty:
            title = c
            break
    for c, h in enumerate(header):
        vals = values(c)
        if h and c != title and vals and sum(1 for v in vals if _UNIT_END.search(v.split("、")[0])) * 2 >= len(vals):
            unit = c
            break
    parts = []
    if title is not None:
        parts.append(f"--column 事项={header[title]}")
    if unit is not None:
        parts.append(f"--column 牵头单位={header[unit]}")
    return " ".join(parts)


def _header_like(text: str) -> bool:
    t = squash(text)
    return bool(t) and len(t) <= _SHORT and not _NUMBERISH.match(t)


def _texty(vals: list[str]) -> bool:
    """Cells of an items' column: words, mostly different from each other."""
    words = [v for v in vals if not _NUMBERISH.match(v)]
    return len(words) >= max(1, len(vals) // 2) and len(set(words)) * 2 > len(words)
