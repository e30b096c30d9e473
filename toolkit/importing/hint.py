"""What to tell the clerk when import finds no header: the row that looks like one, and the
`--column` options that would name its columns (breakdown guesses them from the cells)."""

from __future__ import annotations

import re
from pathlib import Path

from ..core import schema
from ..core.text import cell_text, squash

SCAN_ROWS = 40  # as far down as import looks for a header
_SHORT = 12  # a header cell is a few words, never a sentence
_NUMBERISH = re.compile(r"^[\d.\-、．/年月日至底前]+$")


def header_like_row(rows: list[list]) -> int | None:
    """The row near the top with the most cells that read like column names (short words, not
    numbers or dates), at least three, with a row under it."""
    best, best_count = None, 0
    for i, row in enumerate(rows[:SCAN_ROWS]):
        count = sum(1 for v in row if _header_like(cell_text(v)))
        if count >= 3 and count > best_count and i + 1 < len(rows):
            best, best_count = i, count
    return best


def no_header_message(path: Path, suggestion: dict[str, str]) -> str:
    """The fatal message for a table whose header import cannot find, with an example
    `--column 事项=…` for each role the cells suggest (role → header text)."""
    words = "、".join(schema.ROLE_SYNONYMS["title"][:3] + schema.ROLE_SYNONYMS["lead_unit"][:2])
    example = " ".join(f"--column {schema.ROLE_LABELS[role]}={header}" for role, header in suggestion.items()) \
        or "--column 事项=表头中写事项的那一列的列名"
    return (f"文件“{path.name}”中找不到分解表的表头（应有“序号”以及{words}等列名）。"
            f"如果这是分解表、只是列名写法不同，请用 --column 指明各列是什么后重新导入，例如：{example}"
            "（等号左边写 事项、牵头单位、工作目标、完成时限、分管领导 等，右边照表头原字写；可写多个）。")


def _header_like(text: str) -> bool:
    t = squash(text)
    return bool(t) and len(t) <= _SHORT and not _NUMBERISH.match(t)
