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
