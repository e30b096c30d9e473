"""The struct reader of zip directories (reader._PlainZip) answers as zipfile does, and hands
anything unusual to zipfile."""

from __future__ import annotations

import io
import zipfile

import pytest

from toolkit.collect.reader import MAX_UNZIPPED_BYTES, Unreadable, _open_zip, _PlainZip


def make_zip(comment: bytes = b"", **members: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (members or {"docProps/core.xml": b"<x/>"}).items():
            z.writestr(name.replace("__", "/"), data)
        z.comment = comment
    return buf.getvalue()


def test_a_plain_archive_reads_as_zipfile_reads_it():
    data = make_zip(**{"xl__workbook.xml": b"<workbook/>" * 100, "docProps__core.xml": "修改时间".encode() * 50,
                       "mimetype": b"x"})
    plain, ref = _PlainZip.parse(data), zipfile.ZipFile(io.BytesIO(data))
    assert plain is not None
    assert plain.namelist() == ref.namelist()
    assert [i.file_size for i in plain.infolist()] == [i.file_size for i in ref.infolist()]
    assert all(plain.read(n) == ref.read(n) for n in ref.namelist())
    with pytest.raises(KeyError):
        plain.getinfo("nothing")


@pytest.mark.parametrize("unusual", ["comment", "prepended", "truncated", "not-a-zip"])
def test_unusual_archives_go_to_zipfile(unusual):
    data = make_zip(comment=b"hi" if unusual == "comment" else b"")
    data = {"prepended": b"junk" + data, "truncated": data[:-5], "not-a-zip": b"PK" + b"\0" * 60}.get(unusual, data)
    assert _PlainZip.parse(data) is None


def test_a_damaged_member_is_read_by_zipfile_with_its_error():
    data = bytearray(make_zip(**{"docProps__core.xml": b"<core>" + b"a" * 500 + b"</core>"}))
    at = data.index(b"PK\x01\x02") + 16  # the central directory's CRC
    data[at:at + 4] = b"\0\0\0\0"
    plain = _PlainZip.parse(bytes(data))
    assert plain is not None
    with pytest.raises(zipfile.BadZipFile):
        plain.read("docProps/core.xml")


def test_the_zip_bomb_check_holds_on_the_fast_path(tmp_path):
    data = bytearray(make_zip())
    at = data.index(b"PK\x01\x02") + 24  # the central directory's uncompressed size
    data[at:at + 4] = (MAX_UNZIPPED_BYTES + 1).to_bytes(4, "little")
    assert _PlainZip.parse(bytes(data)) is not None
    with pytest.raises(Unreadable) as e:
        _open_zip(tmp_path / "bomb.xlsx", bytes(data))
    assert e.value.code == "zip-bomb"
