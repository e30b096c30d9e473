"""Parts of an existing .xlsx, changed or added without loading the workbook.

master.xlsx is the clerk's file: a sheet duban owns in it (历次情况) is put in or replaced as
its own zip member, with the few cell formats it needs added to styles.xml, and every other
byte stays as it was (the clerk's formatting, comments, pictures). Works on what Excel, WPS,
LibreOffice, XlsxWriter and openpyxl write (unprefixed SpreadsheetML); a layout it does not
know raises CannotEdit, and the caller goes through openpyxl first.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape, unescape  # not xml.sax.saxutils: it imports urllib.request, ssl and email (collect's start-up)
from pathlib import Path

from ..core.text import xml_text

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = REL_NS + "/worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
RELS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"
TYPES = "[Content_Types].xml"

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


class CannotEdit(Exception):
    """The workbook's parts are not laid out as expected (prefixed names, no styles …)."""


def sheet_part(z: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding the sheet called `name`; None when there is no such sheet."""
    rels = {}
    for element in _REL.findall(z.read(RELS)):
        attrs = dict(_ATTR.findall(element))  # attribute order differs between writers
        rels[attrs.get(b"Id")] = attrs.get(b"Target", b"")
    for element in _SHEET.findall(z.read("xl/workbook.xml")):
        attrs = dict(_ATTR.findall(element))
        sheet_name = unescape(attrs.get(b"name", b"").decode("utf-8"))  # &quot;, &apos;, &#10; too
        if sheet_name == name and attrs.get(b"r:id") in rels:
            target = rels[attrs[b"r:id"]].decode("utf-8")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def write_parts(source: bytes, target: Path, parts: dict[str, bytes]) -> None:
    """Copy the workbook `source` to `target` with `parts` (member name → bytes) replaced, and
    added after the others where the workbook has no such member."""
    with zipfile.ZipFile(io.BytesIO(source)) as z, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        names = set()
        for info in z.infolist():
            names.add(info.filename)
            out.writestr(info, parts.get(info.filename) or z.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
        for name, data in parts.items():
            if name not in names:
                out.writestr(name, data)


def sheet_parts(source: bytes, name: str, member: str, render) -> dict[str, bytes]:
    """The parts that give the workbook `source` the sheet `name` as `render` draws it, or {}
    when it has it already, as drawn; a sheet added is stored as `member` (xl/worksheets/….xml,
    numbered when a renamed copy of the sheet holds that name). `render(styles)` returns the sheet's XML, taking the
    index of each cell format it uses from `styles(font, fill, border, alignment)`, which
    adds that format to styles.xml when the workbook does not have it yet."""
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        styles = Styles(z.read(STYLES))
        sheet = render(styles.xf)
        part = sheet_part(z, name)
        parts: dict[str, bytes] = {}
        if part is None:
            part, taken, n = member, set(z.namelist()), 1
            while part in taken:
                n += 1
                part = member.replace(".xml", f"{n}.xml")
            parts = _added(z, name, part)
        elif z.read(part) == sheet and not styles.changed:
            return {}
        parts[part] = sheet
        if styles.changed:
            parts[STYLES] = styles.xml
        return parts


def _added(z: zipfile.ZipFile, name: str, part: str) -> dict[str, bytes]:
    """workbook.xml, its rels and the content types with the sheet `name` (in `part`) added
    as the last sheet: the sheets before it keep their positions (print areas, names)."""
    workbook, rels, types = z.read("xl/workbook.xml"), z.read(RELS), z.read(TYPES)
    ids = [int(n) for n in re.findall(rb'\bsheetId="(\d+)"', workbook)]
    n = len(_REL.findall(rels)) + 1
    while f'Id="rIdDuban{n}"'.encode() in rels:
        n += 1
    rel_id = f"rIdDuban{n}"
    sheet = (f'<sheet name="{escape(name, quote=True)}" sheetId="{max(ids, default=0) + 1}" xmlns:r="{REL_NS}" '
             f'r:id="{rel_id}"/>').encode("utf-8")
    target = "/" + part
    rel = f'<Relationship Id="{rel_id}" Type="{WORKSHEET_TYPE}" Target="{target}"/>'.encode()
    override = f'<Override PartName="{target}" ContentType="{WORKSHEET_CONTENT}"/>'.encode()
    return {"xl/workbook.xml": _insert(workbook, b"</sheets>", sheet),
            RELS: _insert(rels, b"</Relationships>", rel),
            TYPES: types if override in types else _insert(types, b"</Types>", override)}


def _insert(xml: bytes, closing: bytes, element: bytes) -> bytes:
    if xml.count(closing) != 1:
        raise CannotEdit(f"no {closing!r}")
    return xml.replace(closing, element + closing)


class Styles:
    """styles.xml, with the cell formats a sheet asks for found or added."""

    def __init__(self, xml: bytes):
        self.xml, self.changed = xml, False

    def xf(self, font: str, fill: str, border: str, alignment: str) -> int:
        """The index of the cell format (xf) of these font, fill, border (XML elements) and
        alignment (attributes of <alignment>): the same one each time, added only once."""
        ids = [self._index(tag, child, element.encode("utf-8"))
               for tag, child, element in (("fonts", "font", font), ("fills", "fill", fill), ("borders", "border", border))]
        xf = (f'<xf numFmtId="0" fontId="{ids[0]}" fillId="{ids[1]}" borderId="{ids[2]}" xfId="0" applyFont="1" '
              f'applyFill="1" applyBorder="1" applyAlignment="1"><alignment {alignment}/></xf>')
        return self._index("cellXfs", "xf", xf.encode("utf-8"))

    def _index(self, tag: str, child: str, element: bytes) -> int:
        section = re.search(rb"<%s\b([^>]*)>(.*?)</%s>" % (tag.encode(), tag.encode()), self.xml, re.S)
        if section is None:
            raise CannotEdit(f"styles.xml has no <{tag}>")
        c = child.encode()
        found = re.findall(rb"<%s\b(?:[^>]*/>|[^>]*>.*?</%s>)" % (c, c), section.group(2), re.S)
        if element in found:
            return found.index(element)
        attrs = re.sub(rb'\scount="\d+"', b"", section.group(1)) + b' count="%d"' % (len(found) + 1)
        whole = b"<%s%s>%s%s</%s>" % (tag.encode(), attrs, section.group(2), element, tag.encode())
        self.xml = self.xml[:section.start()] + whole + self.xml[section.end():]
        self.changed = True
        return len(found)


def inline_cell(ref: str, text: str, style: int | None) -> str:
    """A cell of text (never a formula), as an inline string; characters XML cannot hold dropped.
    The master's patched cells (collect.xlsxpatch) and the 历次情况 sheet both write these."""
    s = f' s="{style}"' if style is not None else ""
    if not text:
        return f'<c r="{ref}"{s}/>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(xml_text(text), quote=False)}</t></is></c>'
