"""Identify a returned file: whose is it, and for which round.

First from the signed metadata; when a unit copied the table into a new workbook and the
metadata is gone, from the content: the rows it holds, the 报送单位 line, the file name.
Only an unambiguous answer is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..core.findings import Finding, error, warning
from ..core.text import fold
from ..store.units import Unit, resolve
from .extract import ReturnedTable
from .reader import Returned
from .roundrows import RoundRows

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Identity:
    unit: str | None = None
    round: str | None = None
    by: str = ""  # "metadata" | "content"
    outcome: str | None = None  # "rejected" | "unidentified" when the file cannot go on
    findings: list[Finding] = field(default_factory=list)


def safe_round_name(name: str | None) -> str | None:
    """A round name from a file is used in paths only when it is a real date (no ../ tricks)."""
    if not name or not _ISO_DAY.match(name):
        return None
    try:
        dt.date.fromisoformat(name)
    except ValueError:
        return None
    return name


def by_metadata(returned: Returned, workspace_id: str, secret: bytes, round_arg: str | None,
                expected_units) -> Identity:
    """Identity from the signed metadata (the caller checked it is there)."""
    meta = returned.metadata
    name = returned.path.name
    if meta.workspace_id != workspace_id:
        return Identity(outcome="rejected", round=safe_round_name(meta.round), findings=[error(
            "wrong-round", f"文件“{name}”不是本工作区生成的报送表（属于另一个工作区{('、' + meta.round + ' 一轮') if meta.round else ''}），未采用；请核对是否发错了文件。",
            value=meta.workspace_id, unit=meta.unit or None)])
    if not meta.verify(secret):
        return Identity(outcome="rejected", round=safe_round_name(meta.round), findings=[error(
            "bad-signature", f"文件“{name}”的隐藏签名与内容不符（单位、轮次或表格结构被改动过，或不是督查室发出的文件），未采用；请让该单位用督查室发出的原表重新填报。",
            unit=meta.unit or None)])
    rnd = safe_round_name(meta.round)
    if round_arg and meta.round != round_arg:
        return Identity(unit=meta.unit, round=rnd, outcome="rejected", findings=[error(
            "wrong-round", f"文件“{name}”是 {meta.round} 一轮的报送表，不是本次收集的 {round_arg}，未采用；如确属 {meta.round} 一轮，请用 --round {meta.round} 收集。",
            unit=meta.unit, value=meta.round)])
    if meta.unit not in expected_units(rnd):
        return Identity(unit=meta.unit, round=rnd, outcome="rejected", findings=[error(
            "unknown-unit", f"文件“{name}”所属单位“{meta.unit}”在 {meta.round} 一轮没有需要报送的事项（分解表可能已重新导入），未采用；请核对分解表。",
            unit=meta.unit)])
    return Identity(unit=meta.unit, round=rnd, by="metadata")


def by_content(returned: Returned, table: ReturnedTable | None, round_name: str | None,
               rows: RoundRows, units: list[Unit]) -> Identity:
    """Identity from what the file holds, when its metadata is gone."""
    name = returned.path.name
    tried = ["隐藏签名（已丢失）"]
    if table is None:
        return Identity(outcome="unidentified", findings=[error(
            "unidentified", f"文件“{name}”中找不到报送表（没有“进展情况”“完成状态”等列），无法识别；请核对是否为报送表，或让该单位用督查室发出的原表填报。")])
    if round_name is None:
        return Identity(outcome="unidentified", findings=[error(
            "unidentified", f"文件“{name}”没有隐藏签名，无法判断是哪一轮；请用 --round 指定轮次后再收集。")])
    candidates = _units_by_rows(table, rows)
    tried.append("表中事项" + (f"（对应单位：{'、'.join(candidates)}）" if candidates else "（未对上任何单位）"))
    if len(candidates) != 1:
        hint = _unit_from_text(" ".join(table.preamble), units) or _unit_from_text(returned.path.stem, units)
        tried.append("表头“报送单位”和文件名" + (f"（{hint}）" if hint else "（未找到单位名称）"))
        if hint and (not candidates or hint in candidates) and hint in rows.by_unit:
            candidates = [hint]
    if len(candidates) != 1:
        return Identity(round=round_name, outcome="unidentified", findings=[error(
            "unidentified", f"文件“{name}”没有隐藏签名，也无法确定是哪个单位的（已尝试：{'；'.join(tried)}）；请让该单位用督查室发出的原表重新填报，或在文件名中写明单位名称。")])
    unit = candidates[0]
    return Identity(unit=unit, round=round_name, by="content", findings=[warning(
        "identified-by-content", f"文件“{name}”的隐藏签名已丢失（可能复制到了新工作簿），已根据内容认定为“{unit}” {round_name} 一轮的报送；请核对。",
        unit=unit)])


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
