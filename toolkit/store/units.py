"""units.xlsx (单位通讯录): every responsible unit, with what the clerk fills in about it.

duban writes the names and counts; the clerk fills in 别名, 联系人, 电子邮箱, 联系电话.
Rewriting keeps every value the clerk typed and every unit listed before, so contacts are
never lost when a corrected table is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.assign import other_units, reporting_units
from ..core.model import Item
from ..core.text import cell_text, fold, squash
from ..core.units import split_units
from .fsutil import atomic_path
from .sheetstyle import formats
from .tables import read_sheets

SHEET = "单位通讯录"
NAME, ALIASES, CONTACT, EMAIL, PHONE = "单位名称", "别名", "联系人", "电子邮箱", "联系电话"
LEADS, OTHERS, NOTE = "牵头/报送事项数", "参与事项数", "备注"
CLERK_COLUMNS = (ALIASES, CONTACT, EMAIL, PHONE, NOTE)
HEADER = (NAME, ALIASES, CONTACT, EMAIL, PHONE, LEADS, OTHERS, NOTE)
WIDTHS = (28, 24, 10, 26, 16, 10, 10, 30)
NOT_IN_TABLE = "不在最新分解表中"


@dataclass
class Unit:
    name: str
    aliases: list[str] = field(default_factory=list)
    contact: str = ""
    email: str = ""
    phone: str = ""
    note: str = ""


def count_roles(items: list[Item]) -> dict[str, list[int]]:
    """unit → [items it reports on, items it takes part in otherwise]."""
    counts: dict[str, list[int]] = {}
    for item in items:
        for unit in reporting_units(item):
            counts.setdefault(unit, [0, 0])[0] += 1
        for unit in other_units(item):
            counts.setdefault(unit, [0, 0])[1] += 1
    return counts


def read_units(path: Path) -> list[Unit]:
    """The units as the clerk last saved them (empty list when the file does not exist)."""
    if not path.exists():
        return []

    sheet = read_sheets(path)[0]
    rows = [[cell_text(v) for v in r] for r in sheet.rows]
    head = next((i for i, r in enumerate(rows[:10]) if NAME in [squash(c) for c in r]), None)
    if head is None:
        return []
    col = {squash(h): c for c, h in enumerate(rows[head])}
    get = lambda r, name: r[col[name]] if name in col and col[name] < len(r) else ""  # noqa: E731
    return [Unit(name=squash(get(r, NAME)), aliases=split_units(get(r, ALIASES)), contact=get(r, CONTACT),
                 email=get(r, EMAIL).strip(), phone=get(r, PHONE), note=get(r, NOTE))
            for r in rows[head + 1:] if squash(get(r, NAME))]


def write_units(path: Path, items: list[Item], previous: list[Unit]) -> list[Unit]:
    """Write units.xlsx for `items`, keeping `previous` clerk data; returns the units written."""
    import xlsxwriter

    counts = count_roles(items)
    known = {u.name: u for u in previous}
    order = list(counts) + [u.name for u in previous if u.name not in counts]
    units = [known.get(name, Unit(name)) for name in order]
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        ws = wb.add_worksheet(SHEET)
        fmt = formats(wb)
        for c, (h, w) in enumerate(zip(HEADER, WIDTHS)):
            ws.set_column(c, c, w)
            ws.write_string(0, c, h, fmt["header"])
        for r, unit in enumerate(units, start=1):
            leads, others = counts.get(unit.name, (0, 0))
            note = "" if unit.note == NOT_IN_TABLE else unit.note  # our own mark, recomputed each time
            note = note or ("" if unit.name in counts else NOT_IN_TABLE)
            values = (unit.name, "、".join(unit.aliases), unit.contact, unit.email, unit.phone)
            for c, v in enumerate(values):
                ws.write_string(r, c, v, fmt["text"])
            ws.write_number(r, 5, leads, fmt["center"])
            ws.write_number(r, 6, others, fmt["center"])
            ws.write_string(r, 7, note, fmt["text"])
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(1, len(units)), len(HEADER) - 1)
        wb.close()
    return units


def resolve(name: str, units: list[Unit]) -> str | None:
    """The canonical unit name for a name or alias a file uses (spaces and full-width ignored)."""
    wanted = fold(name)
    for unit in units:
        if fold(unit.name) == wanted or any(fold(a) == wanted for a in unit.aliases):
            return unit.name
    return None
