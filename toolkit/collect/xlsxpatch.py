"""Writing text into some cells of an existing .xlsx by editing its sheet XML in place.

The master is the clerk's working file: every other byte (styles, widths, comments,
filters, conditional formats, pictures) must survive duban writing report values into it.
Loading and saving it whole with openpyxl is slow (a second per 2,000 rows) and drops what
openpyxl does not model. Here only the changed cells' XML is replaced, as inline strings
(never formulas), keeping each cell's style; all other parts are copied as they are.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..core.text import column_letter
from ..store import xlsxparts

_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>(.*?)</row>)', re.S)
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"([^>]*?)(?:/>|>.*?</c>)', re.S)
_STYLE = re.compile(rb'\bs="(\d+)"')


class CannotPatch(Exception):
    """The sheet XML is not laid out as expected (prefixed names, no such sheet …)."""


def column_number(letters: bytes) -> int:
    """b"A" → 1, b"AA" → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def sheet_part(z: zipfile.ZipFile, name: str) -> str:
    """The zip member holding the sheet called `name`."""
    part = xlsxparts.sheet_part(z, name)
    if part is None:
        raise CannotPatch(f"no sheet named {name}")
    return part


def _cell_xml(col: int, row: bytes, attrs: bytes, text: str) -> bytes:
    """The cell written anew as text, keeping its style."""
    style = _STYLE.search(attrs) if attrs else None
    ref = f"{column_letter(col)}{row.decode()}"
    return xlsxparts.inline_cell(ref, text, int(style.group(1)) if style else None).encode("utf-8")


def _patch_row(row_number: int, content: bytes, cells: dict[int, str]) -> bytes:
    """The row's cells with `cells` (column → text) written in, in column order."""
    number = str(row_number).encode()
    new = sorted(cells.items())
    found = [(column_number(m.group(1)), m) for m in _CELL.finditer(content)]
    if any(a[0] >= b[0] for a, b in zip(found, found[1:])):  # out of order or repeated: sorted, the last wins
        found = sorted(dict(found).items())
    pieces, i, n = [], 0, len(new)
    for col, m in found:
        while i < n and new[i][0] < col:  # a cell that was not there
            pieces.append(_cell_xml(new[i][0], number, b"", new[i][1]))
            i += 1
        if i < n and new[i][0] == col:
            pieces.append(_cell_xml(col, number, m.group(3), new[i][1]))
            i += 1
        else:
            pieces.append(m.group(0))
    for col, text in new[i:]:
        pieces.append(_cell_xml(col, number, b"", text))
    return b"".join(pieces)




def patch_sheet_xml(xml: bytes, changes: dict[tuple[int, int], str]) -> bytes:
    """The sheet XML with (row, col) → text written in. Rows must exist already."""
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), text in changes.items():
        by_row.setdefault(r, {})[c] = text
    if b"<sheetData" not in xml or b":row" in xml:
        raise CannotPatch("unexpected sheet layout")
    seen = set()

    def fix(m: re.Match) -> bytes:
        r = int(m.group(1))
        cells = by_row.get(r)
        if cells is None:
            return m.group(0)
        seen.add(r)
        whole = m.group(0)
        head = whole[: whole.index(b">") + 1]
        if head.endswith(b"/>"):
            head = head[:-2] + b">"
        return head + _patch_row(r, m.group(2) or b"", cells) + b"</row>"

    out = _ROW.sub(fix, xml)
    if seen != set(by_row):
        raise CannotPatch(f"rows not found: {sorted(set(by_row) - seen)[:5]}")
    return out


def patch_cells(source: Path | bytes, target: Path, sheet: str, changes: dict[tuple[int, int], str],
                parts: dict[str, bytes] | None = None) -> None:
    """Copy the workbook `source` (a path, or its bytes) to `target` with the changed cells
    (1-based row, col), and `parts` (zip member → bytes: a sheet duban owns) replaced or added."""
    source = source if isinstance(source, bytes) else Path(source).read_bytes()
    parts = dict(parts or {})
    if changes:
        with zipfile.ZipFile(io.BytesIO(source)) as z:
            part = sheet_part(z, sheet)
            parts[part] = patch_sheet_xml(z.read(part), changes)
    xlsxparts.write_parts(source, target, parts)
