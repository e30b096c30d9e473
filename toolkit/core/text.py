"""Text as Chinese offices write it: wrap artefacts, full-width forms (unit and leader lists: core.units).

Pure functions, no I/O; every stage that reads a cell goes through these.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

# CJK ideographs and CJK/full-width punctuation: spaces next to them are wrap artefacts.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’…—"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\xa0]+|[ \t\u3000\xa0]+(?=[{_CJK}])")
_LINE_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cell_text(value) -> str:
    """A cell's value as text the way the clerk sees it: 3.0 → '3', dates as 2022-04-03."""
    if value.__class__ is str:  # by far the most common: the fast path, same result as below
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def xml_text(text: str) -> str:
    """Text as a workbook cell can hold it: the control characters XML forbids removed."""
    return _XML_ILLEGAL.sub("", text)


def column_letter(number: int) -> str:
    """1 → A, 27 → AA: a column as a spreadsheet names it (numbered from 1, as Excel does)."""
    out = ""
    while number:
        number, rem = divmod(number - 1, 26)
        out = chr(65 + rem) + out
    return out


def shorten(text: str, n: int = 20) -> str:
    """The first n characters, with … when there were more: a title quoted in a message."""
    return text if len(text) <= n else text[:n] + "…"


def squash(text: str) -> str:
    """All white space removed: for comparing header words (事       项 == 事项)."""
    return "".join(text.split()) if text else ""  # str.split knows Unicode spaces; faster than re


def clean(text: str) -> str:
    """Spaces next to Chinese characters removed, other runs folded to one, lines kept."""
    # Stripping the whole text first changes nothing: the white space at its ends makes up
    # blank lines (dropped) and line ends (stripped), and the subs below treat each run of
    # spaces by the characters either side of it, not by the runs before or after. It makes
    # "text\n", as a cell or a quarter's body often is, one line.
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\n" not in text:  # one line, the common case: without a list and a join
        return _tidy_line(text)
    return "\n".join(line for line in map(_tidy_line, text.split("\n")) if line)


def _tidy_line(line: str) -> str:
    if " " in line or "\t" in line or "\u3000" in line or "\xa0" in line:  # else both subs change nothing
        line = _LINE_SPACES.sub(" ", _SPACE_NEAR_CJK.sub("", line))
    return line.strip()


def one_line(text: str) -> str:
    """Wrapped cell text joined back into one line (a title broken by cell wrapping)."""
    cleaned = clean(text)
    # One line that clean has tidied comes back from clean unchanged (each run of spaces left
    # is one " " between two non-CJK characters, none at the ends): the second pass is only
    # for several lines. Cleaning the raw lines joined by spaces once is not the same: a line
    # starting "\u3000\u3000" would swallow the space of the break ("a\n\u3000\u3000b" → "ab").
    if "\n" not in cleaned:
        return cleaned
    return clean(cleaned.replace("\n", " "))


def fold(text: str) -> str:
    """Full-width forms to ASCII (ＡＢ１２ → AB12), white space removed: for matching."""
    if text.__class__ is str and text.isascii():  # NFKC leaves ASCII as it is: the same result, faster
        return "".join(text.split())
    return squash(unicodedata.normalize("NFKC", text or ""))


def split_star(title: str) -> tuple[bool, str]:
    """(has ★, title without it). ★ marks an item that is also the prefecture's key task."""
    t = title.strip()
    if t.startswith(("★", "☆")):
        return True, t[1:].strip()
    return False, t


# Characters a file name may hold that no one can read or type: controls (a newline, ESC),
# format characters (U+202E turns "xslx.exe" around, U+200B is invisible), line separators,
# and lone surrogates (bytes Python could not decode; Windows' unpaired UTF-16 halves).
_UNSHOWABLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def readable_name(name: str) -> str:
    """A file name as the clerk can read it, from the name Python gave (os.fsdecode: bytes
    that are not UTF-8 come as surrogates \\udc80-\\udcff, and such a str cannot be written
    to the ledger, a workbook or JSON).

    Each part of the path is decoded again: UTF-8 first, then GB18030 (GBK's superset:
    names from a zip made on Chinese Windows, a Samba share), when that reads as text; what
    reads as neither keeps its bytes as \\xNN. Characters no one can see or type are shown
    as escapes (\\n, \\x1b, \\u202e). A name that is already plain comes back unchanged."""
    if name.isascii() and name.isprintable():  # the common case, unchanged
        return name
    return "/".join(_readable_part(part) for part in name.split("/"))


def _readable_part(part: str) -> str:
    try:
        raw = part.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate outside the escaped-byte range (Windows)
        return _visible(part)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = _gb18030(raw)
        if text is None:
            text = raw.decode("utf-8", "backslashreplace")
    return _visible(text)


def _gb18030(raw: bytes) -> str | None:
    """The bytes as GB18030 when that gives readable text: no controls, no private-use
    characters (GB18030 maps some byte pairs there; such a name was not Chinese)."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(c) in ("Co", "Cc", "Cn") for c in text):
        return None
    return text


def _visible(text: str) -> str:
    if text.isprintable():
        return text
    out = []
    for c in text:
        if unicodedata.category(c) in _UNSHOWABLE:
            code = ord(c)
            out.append(_NAMED_ESCAPES.get(c) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"))
        else:
            out.append(c)
    return "".join(out)


def unique_names(names: list[str], raw: list[str]) -> list[str]:
    """`names` made distinct: two files whose names read alike (报送.xlsx in UTF-8 and in
    GBK) must not be taken for one. A name that was decoded or escaped gives way: it shows
    its bytes instead (as `ls -b` does), then a number if it must."""
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    out, used = [], set()
    for n, r in zip(names, raw, strict=True):
        if seen[n] > 1 and n != r:
            n = _visible(r.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")) if _escapable(r) else n
        candidate, k = n, 2
        while candidate in used:
            stem, dot, suffix = n.rpartition(".")
            candidate = f"{stem}（{k}）.{suffix}" if dot else f"{n}（{k}）"
            k += 1
        used.add(candidate)
        out.append(candidate)
    return out


def _escapable(name: str) -> bool:
    try:
        name.encode("utf-8", "surrogateescape")
        return True
    except UnicodeEncodeError:
        return False


# Unicode's format characters (category Cf, Unicode 14): zero-width spaces and joiners, the
# byte-order mark, direction marks. Pasted in from web pages and chat programs, they show as
# nothing: a text of only U+200B looks empty, 已完成 + U+FEFF looks like 已完成. Listed here,
# not found by unicodedata at each call: a test holds the list to Python's Unicode data.
_FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


def strip_invisible(text: str) -> str:
    """The text without format characters (Unicode Cf): what a unit's cell says to the eye,
    for judging it (is it empty, a placeholder, an allowed status, a date)."""
    return _FORMAT_CHARS.sub("", text) if text else text


def invisible_chars(text: str) -> str:
    """The format characters in a text, named as U+200B、U+FEFF (once each); '' when none."""
    found = dict.fromkeys(_FORMAT_CHARS.findall(text or ""))
    return "、".join(f"U+{ord(ch):04X}" for ch in found)


EXCEL_CELL_LIMIT = 32_767  # characters a cell of Excel holds (counted in UTF-16 units, as Excel does)


def excel_length(text: str) -> int:
    """A text's length as Excel counts it: characters outside the BMP take two."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def fit_cell(text: str, limit: int = EXCEL_CELL_LIMIT) -> str:
    """The text as a cell can hold it: whole when it fits `limit`, else its beginning and a
    visible mark of the cut with the whole length (…（全文共N字，见台账）): the ledger keeps
    the whole text."""
    if not text or len(text) <= limit // 2 or excel_length(text) <= limit:
        return text
    mark = f"…（全文共{len(text)}字，见台账）"
    room = limit - len(mark)
    head = text[:room]
    while excel_length(head) > room:  # characters outside the BMP count twice: cut more
        head = head[: len(head) - (excel_length(head) - room)]
    return head + mark
