"""Reading returned files: bytes → grids, signed metadata and last-saved time. No judging.

Values come from python-calamine (xlsx, xlsm, xls, ods; .et when it is an xls container).
Reading is a pure function of the file, so it can run in worker processes.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import os
import re
import stat as _stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import BadInputError
from ..core.findings import Finding, finding
from ..core.signing import META_SHEET, Metadata, from_cells
from ..core.text import readable_name
from ..store.tables import FORMAT_NAMES, Sheet, sniff, zip_kind

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".et", ".xlsb", ".ett", ".xltx", ".xlt"}
IGNORED_NAMES = {"desktop.ini", ".ds_store", "thumbs.db"}
READABLE = {"xlsx", "xls", "ods", "xlsb"}
# The extensions each real format may arrive under; another one is a warning, not a stop.
EXTENSIONS = {"xlsx": {".xlsx", ".xlsm", ".xltx"}, "xls": {".xls", ".et", ".xlt", ".ett"}, "ods": {".ods"},
              "xlsb": {".xlsb"}}
MAX_FILE_BYTES = 50 * 1024 * 1024  # a unit's workbook is tens of kilobytes
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # zip bombs: the parts may not inflate past this
MAX_ROWS = 5_000  # a unit reports on dozens of rows; a sheet with more is capped
LIST_SHEETS = {META_SHEET, "_lists"}


class Unreadable(Exception):
    """A file that cannot be read as a workbook; its finding says why."""

    def __init__(self, found: Finding):
        super().__init__(found.message)
        self.finding = found

    @property
    def code(self) -> str:
        return self.finding.code


@dataclass
class Returned:
    path: Path
    sha256: str
    kind: str
    sheets: list[Sheet] = field(default_factory=list)
    metadata: Metadata | None = None
    saved_at: dt.datetime | None = None  # the workbook's own last-saved time, local
    saved_at_ignored: str | None = None  # the saved time written in the file, when it is no possible time
    mtime: dt.datetime | None = None
    truncated: bool = False  # a sheet had more than MAX_ROWS rows
    data: bytes = field(default=b"", repr=False)  # the bytes as received, for the archive

    @property
    def last_saved(self) -> dt.datetime | None:
        return self.saved_at or self.mtime

    @property
    def extension_lies(self) -> bool:
        return self.path.suffix.lower() not in EXTENSIONS.get(self.kind, set())


def is_ignored(path: Path) -> bool:
    """Lock files (~$…), system files and anything that is not a spreadsheet by its name."""
    name = path.name.lower()
    return name.startswith("~$") or name.startswith(".~lock") or name in IGNORED_NAMES or path.suffix.lower() not in SPREADSHEET_SUFFIXES


def shown_name(path: Path) -> str:
    """The file's name as messages show it (a GBK name decoded, controls escaped)."""
    return readable_name(path.name)


# A link is never followed, even one put in the file's place after the folder was listed.
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def open_plain(path: Path):
    """The file opened for reading; OSError for a link (ELOOP) or anything but a plain
    file (a pipe or a device would never end)."""
    f = open(os.open(path, os.O_RDONLY | _NO_FOLLOW), "rb")
    if not _stat.S_ISREG(os.fstat(f.fileno()).st_mode):
        f.close()
        raise OSError(errno.EINVAL, "不是普通文件")
    return f


def load(path: Path) -> tuple[bytes, os.stat_result]:
    """A returned file's bytes, read from disk once, and its stat; raises Unreadable (and
    reads nothing) when it is empty or far too large for a workbook."""
    with open_plain(path) as f:
        stat = os.fstat(f.fileno())
        if stat.st_size == 0:
            raise Unreadable(finding("empty-file", file=shown_name(path)))
        if stat.st_size > MAX_FILE_BYTES:
            raise Unreadable(finding("too-large", file=shown_name(path), value=stat.st_size // 1048576))
        return f.read(), stat


def read_returned(path: Path, sha256: str | None = None, loaded: tuple[bytes, os.stat_result] | None = None) -> Returned:
    """Read one returned file (`loaded`: what load() gave, when the caller has it); raises
    Unreadable with the finding that says why.

    The file is read from disk once; its zip directory is opened once for the format, the
    size check and the last-saved time (three opens were a third of the time per file)."""
    path = path if isinstance(path, Path) else Path(path)
    data, stat = loaded or load(path)
    archive = _open_zip(path, data) if data.startswith(b"PK") else None
    kind = _kind(path, archive)
    returned = Returned(path, sha256 or hashlib.sha256(data).hexdigest(), kind,
                        mtime=dt.datetime.fromtimestamp(stat.st_mtime), data=data)
    try:
        returned.sheets, returned.truncated = _read_sheets(data)
    except Exception as e:  # calamine's errors on damaged files carry no stable type
        raise Unreadable(finding("corrupt", file=shown_name(path), value=_short(e))) from e
    returned.metadata = _metadata(returned.sheets)
    returned.saved_at, returned.saved_at_ignored = _saved_at(data, kind, archive)
    if kind == "ods" and archive is not None:
        _add_ods_merges(archive, returned.sheets)
    return returned


def _open_zip(path: Path, data: bytes) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        raise Unreadable(finding("corrupt", file=shown_name(path), value=_short(e))) from e
    if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED_BYTES:
        raise Unreadable(finding("zip-bomb", file=shown_name(path), limit=MAX_UNZIPPED_BYTES // 1048576))
    return z


def _kind(path: Path, archive) -> str:
    try:
        kind = zip_kind(archive) if archive is not None else sniff(path)
    except BadInputError as e:
        raise Unreadable(finding("corrupt", file=shown_name(path), value=_short(e))) from e
    except (zipfile.BadZipFile, KeyError, OSError) as e:
        raise Unreadable(finding("corrupt", file=shown_name(path), value=_short(e))) from e
    if kind == "encrypted":
        raise Unreadable(finding("encrypted", file=shown_name(path)))
    if kind not in READABLE:
        raise Unreadable(finding("wrong-format", file=shown_name(path), format=FORMAT_NAMES.get(kind, "无法识别的格式")))
    return kind


def _read_sheets(data: bytes) -> tuple[list[Sheet], bool]:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))  # the format told by content
    sheets, truncated = [], False
    for meta in wb.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue
        sheet = wb.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
        if len(rows) > MAX_ROWS:
            rows, truncated = rows[:MAX_ROWS], True
        merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        sheets.append(Sheet(meta.name, rows, merged))
    return sheets, truncated


def _metadata(sheets: list[Sheet]) -> Metadata | None:
    for sheet in sheets:
        if sheet.name == META_SHEET:
            return from_cells(sheet.rows)
    return None


_CORE_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")
_ODS_DATE = re.compile(rb"<dc:date>([^<]+)</dc:date>")
# Saved times outside these years are no time a unit's workbook was saved at: a PC clock
# run wild, a program writing 9999-12-31 or 0001-01-01 (both beyond local time in some zones).
PLAUSIBLE_YEARS = range(1981, 2100)


class _NoTime(ValueError):
    """A saved time written in a file that is no possible time; `text` is what was written."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _saved_at(data: bytes, kind: str, archive) -> tuple[dt.datetime | None, str | None]:
    """(the last-saved time the spreadsheet program wrote into the file, in local time; the
    text written there when it is no possible time, which is then ignored). (None, None)
    where the file has none (no docProps, no meta.xml)."""
    try:
        if archive is not None:
            part, pattern = ("meta.xml", _ODS_DATE) if kind == "ods" else ("docProps/core.xml", _CORE_MODIFIED)
            return _zip_time(archive, part, pattern), None
        if kind == "xls":
            return _ole_time(data), None
    except _NoTime as e:
        return None, e.text
    except (OSError, ValueError, KeyError, OverflowError, zipfile.BadZipFile):
        return None, None
    return None, None


def _zip_time(archive, part: str, pattern: re.Pattern) -> dt.datetime | None:
    try:
        info = archive.getinfo(part)
    except KeyError:
        return None
    if info.file_size > 1_000_000:
        return None
    m = pattern.search(archive.read(part))
    return _local(m.group(1).decode("utf-8", "replace").strip()) if m else None


_NANOSECONDS = re.compile(r"\.(\d{6})\d+")


def _local(text: str) -> dt.datetime | None:
    """ISO time → naive local time; a time without zone is taken as local already (ODS).
    Raises _NoTime for a text that is no possible time (garbage, 0001-01-01, 9999-12-31, a
    time beyond what this zone can show)."""
    iso = _NANOSECONDS.sub(r".\1", text.replace("Z", "+00:00"))  # LibreOffice writes nanoseconds
    try:
        stamp = dt.datetime.fromisoformat(iso)
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError) as e:  # 9999-12-31T23:59:59Z is past datetime.max in UTC+8
        raise _NoTime(text) from e
    if stamp.year not in PLAUSIBLE_YEARS:
        raise _NoTime(text)
    return stamp


def _ole_time(data: bytes) -> dt.datetime | None:
    import olefile

    with olefile.OleFileIO(data) as ole:  # the bytes read, not the path again: what was judged
        saved = ole.get_metadata().last_saved_time
    if not isinstance(saved, dt.datetime):
        return None
    try:
        local = saved.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError) as e:
        raise _NoTime(saved.isoformat()) from e
    if local.year not in PLAUSIBLE_YEARS:
        raise _NoTime(saved.isoformat())
    return local


def _add_ods_merges(archive, sheets: list[Sheet]) -> None:
    """calamine gives no merged ranges for .ods: read them from content.xml (cells with
    table:number-rows-spanned / -columns-spanned), rows and columns counted with their
    repeats. Merges are a help, not a need: a content.xml this cannot read leaves none."""
    from defusedxml.ElementTree import iterparse

    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    tag = {name: f"{{{table_ns}}}{name}" for name in ("table", "table-row", "table-cell", "covered-table-cell")}
    attr = {name: f"{{{table_ns}}}{name}" for name in ("name", "number-rows-repeated", "number-columns-repeated",
                                                       "number-rows-spanned", "number-columns-spanned")}
    by_name = {s.name: s for s in sheets}
    merged: dict[str, list] = {}
    try:
        with archive.open("content.xml") as content:
            name, r, c = None, 0, 0
            for event, el in iterparse(content, events=("start", "end")):
                if event == "start":
                    if el.tag == tag["table"]:
                        name, r = el.get(attr["name"]), 0
                    elif el.tag == tag["table-row"]:
                        c = 0
                    elif el.tag == tag["table-cell"] and name in by_name:
                        rows, cols = int(el.get(attr["number-rows-spanned"], 1)), int(el.get(attr["number-columns-spanned"], 1))
                        if (rows > 1 or cols > 1) and len(merged.setdefault(name, [])) < MAX_ROWS:
                            merged[name].append((r, c, r + rows - 1, c + cols - 1))
                    continue
                if el.tag in (tag["table-cell"], tag["covered-table-cell"]):
                    c += int(el.get(attr["number-columns-repeated"], 1))
                    el.clear()
                elif el.tag == tag["table-row"]:
                    r += int(el.get(attr["number-rows-repeated"], 1))
                    el.clear()
    except Exception:  # noqa: BLE001 - a damaged content.xml: calamine has read what it could
        return
    for name, ranges in merged.items():
        if not by_name[name].merged:
            by_name[name].merged = ranges


def _short(e: Exception) -> str:
    return str(e).splitlines()[0][:120] if str(e) else type(e).__name__
