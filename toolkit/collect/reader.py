"""Reading returned files: bytes → grids, signed metadata and last-saved time. No judging.

Values come from python-calamine (xlsx, xlsm, xls, ods; .et when it is an xls container).
Reading is a pure function of the file, so it can run in worker processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import BadInputError
from ..core.signing import META_SHEET, Metadata, from_cells
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
    """A file that cannot be read as a workbook; `code` and the Chinese message say why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Returned:
    path: Path
    sha256: str
    kind: str
    sheets: list[Sheet] = field(default_factory=list)
    metadata: Metadata | None = None
    saved_at: dt.datetime | None = None  # the workbook's own last-saved time, local
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


def load(path: Path) -> tuple[bytes, os.stat_result]:
    """A returned file's bytes, read from disk once, and its stat; raises Unreadable (and
    reads nothing) when it is empty or far too large for a workbook."""
    with open(path, "rb") as f:
        stat = os.fstat(f.fileno())
        if stat.st_size == 0:
            raise Unreadable("empty-file", f"文件“{path.name}”是空的（0 字节），请联系该单位重新发送。")
        if stat.st_size > MAX_FILE_BYTES:
            raise Unreadable("too-large", f"文件“{path.name}”有 {stat.st_size // 1048576} MB，远大于报送表应有的大小，未读取；请联系该单位核实。")
        return f.read(), stat


def read_returned(path: Path, sha256: str | None = None, loaded: tuple[bytes, os.stat_result] | None = None) -> Returned:
    """Read one returned file (`loaded`: what load() gave, when the caller has it); raises
    Unreadable with a finding code and Chinese message.

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
        raise Unreadable("corrupt", f"文件“{path.name}”已损坏，无法读取（{_short(e)}）；请该单位用 Excel/WPS 打开后重新保存发送。") from e
    returned.metadata = _metadata(returned.sheets)
    returned.saved_at = _saved_at(path, kind, archive)
    return returned


def _open_zip(path: Path, data: bytes):
    """The zip directory: read with struct when the archive is laid out plainly (every
    workbook Excel, WPS or duban writes), else with zipfile, which also gives its errors."""
    z = _PlainZip.parse(data)
    if z is None:
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, EOFError, ValueError) as e:
            raise Unreadable("corrupt", f"文件“{path.name}”已损坏（{_short(e)}）；请该单位重新保存后发送。") from e
    size = z.unzipped_size if z.__class__ is _PlainZip else sum(i.file_size for i in z.infolist())
    if size > MAX_UNZIPPED_BYTES:
        raise Unreadable("zip-bomb", f"文件“{path.name}”解压后超过 {MAX_UNZIPPED_BYTES // 1048576} MB，疑似恶意文件，未读取。")
    return z


_EOCD = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
# A central directory entry, 46 bytes: signature, extract version, flags, method, CRC, sizes,
# name/extra/comment lengths and local header offset; the fields reading does not look at
# (versions made by, times, disk, attributes) are skipped as pad bytes.
_CENTRAL = struct.Struct("<4s2xB1x2H4x3L3H8xL")
_LOCAL = struct.Struct("<4s22x2H")  # a local file header, 30 bytes: signature, name and extra lengths


class _Entry:
    """A member as zipfile.ZipInfo describes it (the attributes reading uses)."""

    __slots__ = ("filename", "raw_name", "flag_bits", "compress_type", "CRC", "compress_size", "file_size", "header_offset")

    def __init__(self, filename, raw_name, flag_bits, compress_type, CRC, compress_size, file_size, header_offset):
        self.filename, self.raw_name, self.flag_bits, self.compress_type = filename, raw_name, flag_bits, compress_type
        self.CRC, self.compress_size, self.file_size, self.header_offset = CRC, compress_size, file_size, header_offset


class _PlainZip:
    """The part of zipfile.ZipFile reading needs (namelist, infolist, getinfo, read), parsed
    with struct from the central directory: a tenth of zipfile's time per file. Only plain
    archives are taken (no comment, zip64, encryption, extra fields, prepended bytes); for
    anything else parse() answers None and zipfile reads it. A member is read here only
    when it inflates to exactly its declared size with the right CRC; otherwise zipfile
    reads it, so its answer and its errors are zipfile's own.

    Members are kept as tuples in _Entry's field order, made into _Entry objects only when
    asked for: most files never ask."""

    def __init__(self, data: bytes, rows: list[tuple]):
        self.data, self.rows = data, rows
        self.by_name = {row[0]: row for row in rows}  # the last of a repeated name, as zipfile
        self.unzipped_size = sum([row[6] for row in rows])  # the declared sizes, for the bomb check
        self._infos: list[_Entry] | None = None

    @classmethod
    def parse(cls, data: bytes) -> _PlainZip | None:
        if len(data) < 22 + 20:
            return None
        sig, disk, cd_disk, count, total, cd_size, cd_offset, comment = _EOCD.unpack_from(data, len(data) - 22)
        end = cd_offset + cd_size
        if (sig != b"PK\x05\x06" or comment or disk or cd_disk or count != total
                or end != len(data) - 22 or data[-42:-38] == b"PK\x06\x07"):
            return None
        rows, pos, unpack = [], cd_offset, _CENTRAL.unpack_from
        for _ in range(count):
            if pos + 46 > end:
                return None
            sig, extract_version, flags, method, crc, csize, size, name_len, extra_len, comment_len, offset = unpack(data, pos)
            if (sig != b"PK\x01\x02" or extra_len or comment_len or flags & 0x61 or extract_version > 63
                    or 0xFFFFFFFF in (csize, size, offset)):
                return None
            pos += 46
            raw_name = data[pos:pos + name_len]
            if b"\x00" in raw_name:
                return None
            try:  # ASCII reads the same in utf-8 and cp437, and decodes fastest
                name = raw_name.decode("ascii" if raw_name.isascii() else "utf-8" if flags & 0x800 else "cp437")
            except UnicodeDecodeError:
                return None
            rows.append((name, raw_name, flags, method, crc, csize, size, offset))
            pos += name_len
        if pos != end:
            return None
        return cls(data, rows)

    def namelist(self) -> list[str]:
        return [row[0] for row in self.rows]

    def infolist(self) -> list[_Entry]:
        if self._infos is None:
            self._infos = [_Entry(*row) for row in self.rows]
        return self._infos

    def getinfo(self, name: str) -> _Entry:
        return _Entry(*self.by_name[name])  # KeyError, as zipfile

    def read(self, name: str) -> bytes:
        out = self._read_plain(self.by_name[name])
        if out is None:
            with zipfile.ZipFile(io.BytesIO(self.data)) as z:
                return z.read(name)
        return out

    def _read_plain(self, row: tuple) -> bytes | None:
        _name, raw_name, _flags, method, crc, csize, size, at = row
        data = self.data
        if at + 30 > len(data) or method not in (0, 8):
            return None
        sig, name_len, extra_len = _LOCAL.unpack_from(data, at)
        start = at + 30 + name_len + extra_len
        if sig != b"PK\x03\x04" or data[at + 30:at + 30 + name_len] != raw_name or start + csize > len(data):
            return None
        raw = data[start:start + csize]
        if method == 8:
            d = zlib.decompressobj(-15)
            try:
                raw = d.decompress(raw, size + 1)  # bounded: no bomb inflates here
            except zlib.error:
                return None
        if len(raw) != size or zlib.crc32(raw) != crc:
            return None
        return raw


def _kind(path: Path, archive) -> str:
    try:
        kind = zip_kind(archive) if archive is not None else sniff(path)
    except BadInputError as e:
        raise Unreadable("corrupt", str(e)) from e
    except (zipfile.BadZipFile, KeyError, OSError) as e:
        raise Unreadable("corrupt", f"文件“{path.name}”已损坏（{_short(e)}）；请该单位重新保存后发送。") from e
    if kind == "encrypted":
        raise Unreadable("encrypted", f"文件“{path.name}”设置了打开密码，无法读取；请该单位取消密码后重新发送（文件→信息→保护工作簿→用密码进行加密，清空）。")
    if kind not in READABLE:
        what = FORMAT_NAMES.get(kind, "无法识别的格式")
        raise Unreadable("wrong-format", f"文件“{path.name}”实际是{what}，不是报送表；请该单位发送填好的报送表（.xlsx/.xls/.ods）。")
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


def _saved_at(path: Path, kind: str, archive) -> dt.datetime | None:
    """The last-saved time the spreadsheet program wrote into the file, in local time."""
    try:
        if archive is not None:
            part, pattern = ("meta.xml", _ODS_DATE) if kind == "ods" else ("docProps/core.xml", _CORE_MODIFIED)
            return _zip_time(archive, part, pattern)
        if kind == "xls":
            return _ole_time(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    return None


def _zip_time(archive, part: str, pattern: re.Pattern) -> dt.datetime | None:
    try:
        info = archive.getinfo(part)
    except KeyError:
        return None
    if info.file_size > 1_000_000:
        return None
    m = pattern.search(archive.read(part))
    return _local(m.group(1).decode("ascii", "replace").strip()) if m else None


_NANOSECONDS = re.compile(r"\.(\d{6})\d+")


def _local(text: str) -> dt.datetime | None:
    """ISO time → naive local time; a time without zone is taken as local already (ODS)."""
    text = text.replace("Z", "+00:00")
    text = _NANOSECONDS.sub(r".\1", text)  # LibreOffice writes nanoseconds
    stamp = dt.datetime.fromisoformat(text)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone().replace(tzinfo=None)
    return stamp if stamp.year > 1980 else None


def _ole_time(path: Path) -> dt.datetime | None:
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        saved = ole.get_metadata().last_saved_time
    if not isinstance(saved, dt.datetime) or saved.year <= 1980:
        return None
    return saved.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)


def _short(e: Exception) -> str:
    return str(e).splitlines()[0][:120] if str(e) else type(e).__name__
