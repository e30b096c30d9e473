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
