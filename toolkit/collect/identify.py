"""Identify a returned file: whose is it, and for which round.

First from the signed metadata; when a unit copied the table into a new workbook and the
metadata is gone, from the content: the rows it holds, the 报送单位 line, the file name.
Only an unambiguous answer is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.findings import Finding, finding
from ..core.rounds import safe_round_name
from ..core.text import fold, readable_name
from ..store.units import Unit, resolve
from .extract import ReturnedTable
from .reader import Returned, shown_name
from .roundrows import RoundRows


@dataclass
class Identity:
    unit: str | None = None
    round: str | None = None
    by: str = ""  # "metadata" | "content"
    outcome: str | None = None  # "rejected" | "unidentified" when the file cannot go on
    findings: list[Finding] = field(default_factory=list)
    # By content, when the file's name or its 报送单位 line names another unit than its rows:
    # (that unit, where it is named). The file is held until the clerk accepts it.
    named_other: tuple[str, str] | None = None


def by_metadata(returned: Returned, workspace_id: str, secret: bytes, round_arg: str | None,
                expected_units) -> Identity:
    """Identity from the signed metadata (the caller checked it is there)."""
    meta = returned.metadata
    name = shown_name(returned.path)
    if meta.workspace_id != workspace_id:
        return Identity(outcome="rejected", round=safe_round_name(meta.round), findings=[finding(
            "wrong-round:workspace", file=name, value=meta.workspace_id, unit=meta.unit or None)])
    if not meta.verify(secret):
        return Identity(outcome="rejected", round=safe_round_name(meta.round), findings=[finding(
            "bad-signature", file=name, unit=meta.unit or None)])
    rnd = safe_round_name(meta.round)
    if round_arg and meta.round != round_arg:
        return Identity(unit=meta.unit, round=rnd, outcome="rejected", findings=[finding(
            "wrong-round", file=name, unit=meta.unit, value=meta.round, expected=round_arg)])
    if meta.unit not in expected_units(rnd):
        return Identity(unit=meta.unit, round=rnd, outcome="rejected", findings=[finding(
            "unknown-unit", file=name, unit=meta.unit, round=meta.round)])
    return Identity(unit=meta.unit, round=rnd, by="metadata")


def by_content(returned: Returned, table: ReturnedTable | None, round_name: str | None,
               rows: RoundRows, units: list[Unit]) -> Identity:
    """Identity from what the file holds, when its metadata is gone."""
    name = shown_name(returned.path)
    tried = ["隐藏签名（已丢失）"]
    if table is None:
        return Identity(outcome="unidentified", findings=[finding("unidentified:no-table", file=name)])
    if round_name is None:
        return Identity(outcome="unidentified", findings=[finding("unidentified:no-round", file=name)])
    candidates = _units_by_rows(table, rows)
    tried.append("表中事项" + (f"（对应单位：{'、'.join(candidates)}）" if candidates else "（未对上任何单位）"))
    if len(candidates) != 1:
        hint = _unit_from_text(" ".join(table.preamble), units) or _unit_from_text(readable_name(returned.path.stem), units)
        tried.append("表头“报送单位”和文件名" + (f"（{hint}）" if hint else "（未找到单位名称）"))
        if hint and (not candidates or hint in candidates) and hint in rows.by_unit:
            candidates = [hint]
    if len(candidates) != 1:
        return Identity(round=round_name, outcome="unidentified", findings=[finding(
            "unidentified", file=name, tried="；".join(tried))])
    unit = candidates[0]
    return Identity(unit=unit, round=round_name, by="content", findings=[finding(
        "identified-by-content", file=name, unit=unit, round=round_name)],
        named_other=_named_other(unit, table, readable_name(returned.path.stem), units))


_UNIT_LINE = re.compile(r"(?:报送|填报)单位\s*[:：]\s*([^\s　]+)")


def _named_other(unit: str, table: ReturnedTable, stem: str, units: list[Unit]) -> tuple[str, str] | None:
    """Another unit than `unit` named by the 报送单位 line or the file name (neither naming
    `unit` too), with where it is named; None when they name `unit`, or no unit at all."""
    lines = [m.group(1) for m in map(_UNIT_LINE.search, table.preamble) if m]
    for text, where in [(" ".join(lines), "表头“报送单位”"), (stem, "文件名")]:
        named = _units_in_text(text, units)
        if named and unit not in named:
            return sorted(named, key=len, reverse=True)[0], where
    return None


def _units_in_text(text: str, units: list[Unit]) -> set[str]:
    """Every unit whose name or an alias appears in `text`."""
    flat = fold(text)
    return {unit.name for unit in units for name in [unit.name, *unit.aliases] if name and fold(name) in flat}


def _units_by_rows(table: ReturnedTable, rows: RoundRows) -> list[str]:
    """Units whose rows include every row of the file that matches any unit's row."""
    sets = [owners for row in table.rows if (owners := rows.owners(row.key, row.number, row.title))]
    if not sets:
        return []
    return sorted(set.intersection(*sets))


def _unit_from_text(text: str, units: list[Unit]) -> str | None:
    """The longest unit name or alias that appears in `text` (报送单位：市发展改革局, a file name)."""
    flat = fold(text)
    best = None
    for unit in units:
        for name in [unit.name, *unit.aliases]:
            if name and fold(name) in flat and (best is None or len(name) > len(best[1])):
                best = (unit.name, name)
    return resolve(best[0], units) if best else None
