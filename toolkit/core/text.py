"""Text as Chinese offices write it: wrap artefacts, full-width forms, unit lists.

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


def person(text: str) -> str:
    """A person's name or list of names with every space removed (曹  兴 → 曹兴)."""
    return squash(text)


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


# A unit's name ends in one of these; a piece of a cell that does not is the first half of a
# long name the cell wrapped (市钢铁石化项目\n建设协调小组), not a whole unit.
_UNIT_ENDINGS = tuple(
    "局委办府司组会院所队部处室站区市县镇街团行社厅馆校台联心场社园)）"
) + ("中心", "集团", "公司", "银行", "单位", "机构", "企业", "党委", "党组", "（街）", "(街)")
_HARD_SEPARATORS = "、，,；;"
_OPEN, _CLOSE = "（(《", "）)》"


def _pieces(text: str) -> list[tuple[str, str]]:
    """Split at top level (not inside brackets) into (piece, separator-that-followed)."""
    out, buf, depth = [], [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and (ch in _HARD_SEPARATORS or ch in "\n \t\u3000"):
            out.append(("".join(buf), ch))
            buf = []
        else:
            buf.append(ch)
    out.append(("".join(buf), ""))
    return out


def split_units(text: str) -> list[str]:
    """A cell's list of units, in order, without duplicates.

    Splits on 、 ， ； at top level (各县（市、区）政府 stays whole). A line break or space
    splits only where the text before it ends like a unit name, so wrapped long names and
    stray spaces (市 发展改革局) join back together.
    """
    units: list[str] = []
    buf = ""
    pieces = _pieces((text or "").strip())
    for i, (piece, sep) in enumerate(pieces):
        buf += piece
        soft = sep not in _HARD_SEPARATORS
        gloss_follows = i + 1 < len(pieces) and pieces[i + 1][0].startswith(tuple(_OPEN))
        if soft and sep and (gloss_follows or not _ends_like_unit(buf)):
            continue
        name = squash(buf).strip("。.：:")
        if name and name not in units:
            units.append(name)
        buf = ""
    return share_suffix(units)


_BARE_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,6}[区市县镇]$")
_PLACE_WITH_BODY = re.compile(r"^[\u4e00-\u9fff]{2,6}[区市县镇](人民政府|政府|管委会|党委)$")


def share_suffix(units: list[str]) -> list[str]:
    """赤坎区、霞山区、遂溪县政府 means each of them's 政府: a run of bare place names takes
    the body named after the last of them."""
    out = list(units)
    for i, unit in enumerate(out):
        m = _PLACE_WITH_BODY.match(unit)
        if not m:
            continue
        j = i - 1
        while j >= 0 and _BARE_PLACE.match(out[j]):
            out[j] += m.group(1)
            j -= 1
    return list(dict.fromkeys(out))


def _ends_like_unit(text: str) -> bool:
    t = squash(text)
    return len(t) >= 3 and t.endswith(_UNIT_ENDINGS)
