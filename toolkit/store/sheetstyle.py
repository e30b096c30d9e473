"""Look of the workbooks duban writes with XlsxWriter: formats, widths, row heights that fit.

Excel does not grow a row for wrapped text written by a program, so heights are estimated
here from the text and the column widths.
"""

from __future__ import annotations

import math
import unicodedata

BODY_FONT = "宋体"
POINTS_PER_LINE = 14.5
MAX_ROW_HEIGHT = 409  # Excel's limit


def display_width(text: str) -> int:
    """Width in Excel column units: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lines_needed(text: str, column_width: float) -> int:
    usable = max(1.0, column_width - 1)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in (text or "").split("\n"))


def row_height(cells: list[tuple[str, float]], minimum: float = 18) -> float:
    """Height for a row whose cells are (text, column width) pairs."""
    lines = max((lines_needed(t, w) for t, w in cells if t), default=1)
    return min(MAX_ROW_HEIGHT, max(minimum, lines * POINTS_PER_LINE + 4))


def formats(wb) -> dict:
    """The shared formats of a duban workbook, by name."""
    base = {"font_name": BODY_FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True, "border": 1}
    spec = {
        "title": {"font_name": BODY_FONT, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"},
        "header": {**base, "bold": True, "align": "center", "bg_color": "#D9D9D9"},
        "cell": base,
        "center": {**base, "align": "center"},
        "muted": {**base, "font_color": "#808080"},
        "category": {**base, "bold": True, "bg_color": "#D9E1F2"},
        "subcategory": {**base, "bold": True, "bg_color": "#E2EFDA"},
        "leader_group": {**base, "bold": True, "bg_color": "#FFF2CC"},
        "gone": {**base, "bold": True, "bg_color": "#F8CBAD"},
        "report": {**base, "bg_color": "#FFFFF0"},
        "text": {**base, "num_format": "@"},
        "notice": {"font_name": BODY_FONT, "font_size": 11, "bold": True, "text_wrap": True, "valign": "vcenter"},
    }
    return {name: wb.add_format(props) for name, props in spec.items()}
