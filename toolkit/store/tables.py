"""Any table file as plain grids: sheets of rows of cell values, plus merged ranges.

The format is told by the file's bytes, not its name (units rename files; WPS saves .et that
are really .xls). Everything fatal about a file becomes one BadInputError naming it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import BadInputError

MAX_ROWS = 100_000  # a breakdown table has hundreds of rows; more means a runaway sheet


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    # Merged ranges as (first_row, first_col, last_row, last_col), 0-based and inclusive.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # The paragraphs a Word document puts above this table (the notice's title, 附件1 …): where
    # a table's own title and year are when it has no title rows.
    preamble: list[str] = field(default_factory=list)


FORMAT_NAMES = {
    "xlsx": "Excel 工作簿", "xls": "Excel 97-2003 工作簿", "ods": "OpenDocument 表格",
    "csv": "CSV 文本", "docx": "Word 文档", "xlsb": "Excel 二进制工作簿", "doc": "Word 97-2003 文档",
    "pdf": "PDF 文件", "encrypted": "加密文件", "fods": "OpenDocument 平面表格",
}


def sniff(path: Path) -> str:
    """The real format of a file from its first bytes: xlsx, xls, ods, csv, docx, or another name."""
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise BadInputError(f"文件“{path.name}”是空的（0 字节），请向来源重新索取文件。")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _sniff_ole(path)
    if head.startswith(b"%PDF"):
        return "pdf"
    return _sniff_text(path)


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            return zip_kind(z)
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise BadInputError(f"文件“{path.name}”已损坏（压缩包无法打开：{e}），请让对方重新保存后再发送。") from e


def zip_kind(z: zipfile.ZipFile) -> str:
    """xlsx, xlsb, ods, docx or zip, from an open zip's member names."""
    names = set(z.namelist())
    mimetype = z.read("mimetype")[:80] if "mimetype" in names else b""
    if "xl/workbook.xml" in names or any(n.endswith("/workbook.xml") for n in names):
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


def _sniff_ole(path: Path) -> str:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir()}  # WORKBOOK from some writers
    except (OSError, ValueError) as e:  # olefile raises OSError subclasses on bad sectors
        raise BadInputError(f"文件“{path.name}”已损坏（{e}），请让对方重新保存后再发送。") from e
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return "encrypted"
    if "workbook" in streams or "book" in streams:
        return "encrypted" if _xls_encrypted(path) else "xls"
    if "worddocument" in streams:
        return "doc"
    return "ole"


def _xls_encrypted(path: Path) -> bool:
    import msoffcrypto

    try:
        with open(path, "rb") as f:
            return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except Exception:  # msoffcrypto raises bare Exceptions on files it cannot parse
        return False


def _sniff_text(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(4096)
    if b"\x00" in head:
        return "binary"
    if head.lstrip().startswith(b"<?xml") or head.lstrip().startswith(b"<"):
        return "fods" if b"opendocument" in head else "xml"
    return "csv"


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet (or Word table) of a table file, visible sheets first."""
    path = Path(path)
    kind = sniff(path)
    if kind == "encrypted":
        raise BadInputError(f"文件“{path.name}”设置了打开密码，duban 无法读取；请在 Excel/WPS 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后另存，再导入。")
    readers = {"xlsx": _read_calamine, "xls": _read_calamine, "ods": _read_calamine,
               "csv": _read_csv, "docx": _read_docx}
    if kind not in readers:
        found = FORMAT_NAMES.get(kind, "无法识别的格式")
        raise BadInputError(f"文件“{path.name}”的内容是{found}，不是 duban 能读的表格；请另存为 .xlsx（Excel 工作簿）后再试。")
    try:
        return readers[kind](path, kind)
    except BadInputError:
        raise
    except Exception as e:  # a reader's own error on a damaged file: say which file, not a traceback
        raise BadInputError(f"文件“{path.name}”已损坏或格式异常（{type(e).__name__}: {e}），请用 Excel/WPS 打开后另存为 .xlsx 再试。") from e


def _read_calamine(path: Path, kind: str) -> list[Sheet]:
    import python_calamine as pc

    with open(path, "rb") as f:  # by content, not by the name's extension
        wb = pc.CalamineWorkbook.from_filelike(f)
    metas = sorted(wb.sheets_metadata, key=lambda m: str(m.visible) != "SheetVisibleEnum.Visible")
    sheets = []
    for meta in metas:
        if "WorkSheet" not in str(meta.typ):
            continue
        sheet = wb.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS)
        merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        sheets.append(Sheet(meta.name, rows, merged))
    if kind == "xls":
        _add_xls_merges(path, sheets)
    return sheets


def _add_xls_merges(path: Path, sheets: list[Sheet]) -> None:
    """calamine does not report merges in .xls; xlrd does (half-open ranges)."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception:  # merges are a help, not a need: the rows are already read
        return
    by_name = {s.name: s for s in sheets}
    for name in book.sheet_names():
        if name in by_name:
            rs = book.sheet_by_name(name)
            by_name[name].merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in rs.merged_cells]
    book.release_resources()


def _read_csv(path: Path, kind: str) -> list[Sheet]:
    raw = path.read_bytes()
    text = _decode(raw, path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" or text.count("\t") > text.count(",") else ","
    rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return [Sheet("", rows[:MAX_ROWS])]


def _decode(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM) first, then GBK's superset GB18030, as Excel-on-Chinese-Windows saves CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInputError(f"文件“{path.name}”的文字编码无法识别，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入。")


def _read_docx(path: Path, kind: str) -> list[Sheet]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    sheets, paragraphs = [], []
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            text = Paragraph(element, document).text.strip()
            if text:
                paragraphs.append(text)
        elif element.tag.endswith("}tbl"):
            sheet = _docx_table(Table(element, document), len(sheets) + 1)
            sheet.preamble = paragraphs
            sheets.append(sheet)
            paragraphs = []
    return sheets


def _docx_table(table, index: int) -> Sheet:
    """A Word table as a grid; a merged cell appears once, at its top-left, like a spreadsheet."""
    rows: list[list] = []
    seen: dict = {}  # holding the elements keeps lxml's proxies, and so their identity, alive
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        values = []
        for c, cell in enumerate(row.cells):
            tc = cell._tc  # the same XML element for every grid cell a merge covers
            if tc in seen:
                r0, c0 = seen[tc]
                r1, c1 = spans.get((r0, c0), (r0, c0))
                spans[(r0, c0)] = (max(r1, r), max(c1, c))
                values.append(None)
            else:
                seen[tc] = (r, c)
                values.append("\n".join(p.text for p in cell.paragraphs))
        rows.append(values)
    merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in spans.items()]
    return Sheet(f"表格{index}", rows, merged)
