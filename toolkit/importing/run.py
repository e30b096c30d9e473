"""init and import: a breakdown table into a workspace (ledger, master.xlsx, units.xlsx, duban.toml).

The table is read and judged before anything is written, so bad input leaves an existing
workspace untouched. Re-importing keeps item keys, reports, and the clerk's unit contacts;
items that disappeared but have reports are kept and reported, never deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..core import schema
from ..core.errors import BadInputError, ConfigError, DubanError
from ..core.findings import Finding, finding
from ..core.keys import assign_keys
from ..core.model import Item
from ..core.text import column_letter, squash
from ..store import configfile
from ..store.corrections import corrected
from ..store.fsutil import backup, file_sha256
from ..store.historysheet import history_sheet
from ..store.ledger import Ledger
from ..store.master import read_master, write_master
from ..store.units import read_units, write_units
from ..store.workspace import Config, Workspace, default_rounds
from .breakdown import Breakdown, read_breakdown

_TABLE_SUFFIX = re.compile(r"(分解表|责任分工表|分工表|一览表|清单|台账)$")


@dataclass
class ImportResult:
    breakdown: Breakdown
    items: list[Item]
    kept: list[Item] = field(default_factory=list)  # gone from the table, kept for their reports
    dropped: list[Item] = field(default_factory=list)  # gone from the table, no reports: removed
    findings: list[Finding] = field(default_factory=list)

    @property
    def units(self) -> list[str]:
        return self.breakdown.units

    def to_json(self) -> dict:
        """The `duban import --json` shape of CLI.md, with what import took each column for:
        header_row (1-based), columns [{column: "B", header: "民生实事", role: "title"}] (role
        null for a column kept as an extra), roles_not_found."""
        bd = self.breakdown
        return {"items": len(self.items), "units": self.units, "categories": bd.categories,
                "header_row": bd.header_row,
                "columns": [{"column": column_letter(c + 1), "header": h, "role": r} for c, h, r in bd.columns],
                "roles_not_found": bd.missing_roles,
                "findings": [f.to_json() for f in self.findings]}


_KEYS = "、".join(schema.ROLE_LABELS.values())


def parse_columns(pairs) -> dict[str, str]:
    """--column KEY=VALUE, each KEY a role as the clerk knows it (schema.role_named), each VALUE
    a header as the table writes it → role → header. A Chinese error for anything else."""
    out: dict[str, str] = {}
    by_header: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.replace("＝", "=").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise DubanError(f"--column {pair} 写法不对：应写成 --column 含义=表头中的列名，例如 --column 事项=民生实事。")
        role = schema.role_named(key)
        if role is None:
            raise DubanError(f"--column {pair} 中“{key}”不是分解表的列的含义；等号左边可写：{_KEYS}"
                             "（或它们的同义词，如 责任单位、配合单位）。")
        if role in out and squash(out[role]) != squash(value):
            raise DubanError(f"--column 为“{schema.ROLE_LABELS[role]}”指定了两列（“{out[role]}”和“{value}”），只能指定一列。")
        other = by_header.get(squash(value))
        if other and other != role:
            raise DubanError(f"--column 把同一列“{value}”既当作“{schema.ROLE_LABELS[other]}”又当作“{schema.ROLE_LABELS[role]}”；一列只能有一种含义。")
        out[role] = value
        by_header[squash(value)] = role
    return out


def _forced_mapping(stored: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
    """duban.toml's [mapping] with the clerk's --column over it: a role named on the command
    line, or a header the command line gives another role, no longer counts as stored."""
    taken = {squash(h) for h in columns.values()}
    kept = {r: h for r, h in stored.items() if h and r not in columns and squash(h) not in taken}
    return {**kept, **columns}


def _check_columns(bd: Breakdown, columns: dict[str, str], source: Path) -> None:
    """Every --column must have named a column of the header row import found."""
    for role, header in columns.items():
        if squash(bd.mapping.get(role, "")) == squash(header):
            continue
        present = "、".join(f"{column_letter(c + 1)} {h}" for c, h, _ in bd.columns)
        raise BadInputError(f"文件“{source.name}”的表头（第{bd.header_row}行）中没有“{header}”这一列"
                            f"（--column {schema.ROLE_LABELS[role]}={header}）；表头各列：{present}。"
                            "请照表头的原字写（空格不计）。")


def workspace_title(table_title: str) -> str:
    """2022年鹤山市委、市政府重点工作任务分解表 → 2022年鹤山市委、市政府重点工作任务, so the
    summary can be titled …完成情况汇总表."""
    title = table_title.strip()
    stripped = _TABLE_SUFFIX.sub("", title)
    return stripped or title


def init_workspace(root: Path, source: Path | None = None, sheet: str | None = None,
                   columns: dict[str, str] | None = None) -> tuple[Workspace, ImportResult | None]:
    """Create a workspace in `root` (made if missing); import `source` into it when given,
    with `columns` (role → header, duban init --column) over the detected columns."""
    ws = Workspace(root)
    if ws.exists():
        raise ConfigError(f"“{ws.root}”已经是 duban 工作区；要导入新的分解表请运行 duban import 文件 -w {ws.root}。")
    breakdown = None
    if source:  # judged before anything is written
        breakdown = read_breakdown(source, sheet, mapping=dict(columns) if columns else None)
        _check_columns(breakdown, columns or {}, Path(source))
    ws.root.mkdir(parents=True, exist_ok=True)
    ws.state_dir.mkdir(exist_ok=True)
    _write_secret(ws.state_dir / "secret")
    year = (breakdown.year if breakdown else None) or dt.date.today().year
    cfg = Config(title=workspace_title(breakdown.title) if breakdown and breakdown.title else ws.root.name,
                 year=year, workspace_id=uuid.uuid4().hex[:12], rounds=default_rounds(year))
    configfile.write_new(ws.config_path, cfg)
    if breakdown is None:
        return ws, None
    return ws, import_breakdown(ws, breakdown, source)


def _write_secret(path: Path) -> None:
    """The per-workspace key that signs generated workbooks; only this folder knows it."""
    if path.exists():
        return
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))


def import_table(ws: Workspace, source: Path, sheet: str | None = None, wait: float = 0.0,
                 columns: dict[str, str] | None = None) -> ImportResult:
    """Import `source` into the existing workspace `ws` (duban import). `columns` (role →
    header, from --column) wins over duban.toml's [mapping] and is remembered there."""
    cfg = ws.config()
    columns = columns or {}
    mapping = _forced_mapping(cfg.mapping, columns)
    breakdown = read_breakdown(source, sheet, mapping=mapping or None, known_units=known_units(ws))
    _check_columns(breakdown, columns, Path(source))
    return import_breakdown(ws, breakdown, source, wait=wait)


def known_units(ws: Workspace) -> frozenset[str]:
    """The names and aliases in units.xlsx: they settle how a wrapped unit cell is read
    (湛江机场↵迁建办 is one unit when either that name or both halves are listed)."""
    return frozenset(name for unit in read_units(ws.units_path) for name in (unit.name, *unit.aliases))


def import_breakdown(ws: Workspace, breakdown: Breakdown, source: Path, wait: float = 0.0) -> ImportResult:
    with ws.lock("import", wait=wait):
        cfg = ws.config()
        with Ledger(ws.ledger_path) as ledger:
            result = _merge_items(ledger, breakdown)
            year = _year_change(cfg, breakdown, has_reports=bool(ledger.keys_with_reports()), findings=result.findings)
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            # What a rewrite keeps: every report cell, as the clerk left it. A broken master, or
            # one a rewrite would lose a column of, stops the import here, before the ledger changes.
            carried = read_master(ws.master_path, cfg).report_cells(ledger.master_cells()) if ws.master_path.exists() else {}
            with ledger.transaction():
                ledger.replace_items(result.items, result.kept)
                ledger.record_import(Path(source).name, file_sha256(Path(source)), len(result.items),
                                     [f.to_json() for f in result.findings])
                # The table's own 备注 lines, printed again under the summary (duban summary).
                ledger.set_meta("notes", json.dumps(breakdown.notes, ensure_ascii=False))
            ledger.backup(ws.backups_dir, stamp)  # with the master's backup, below
            reports = corrected(ledger.current_reports(), ledger.corrections())  # for the 历次情况 sheet
        _update_config(ws, cfg, breakdown, Path(source), year)
        cfg = ws.config()
        backup(ws.master_path, ws.backups_dir, stamp)
        write_master(ws.master_path, cfg, result.items, result.kept, carried, history_sheet(cfg, result.items, reports))
        backup(ws.units_path, ws.backups_dir, stamp)
        write_units(ws.units_path, result.items + result.kept, read_units(ws.units_path))
    return result


def _merge_items(ledger: Ledger, breakdown: Breakdown) -> ImportResult:
    previous = ledger.items(active_only=False)
    items = breakdown.items
    assign_keys(items, previous)
    present = {it.key for it in items}
    reported = ledger.keys_with_reports()
    result = ImportResult(breakdown, items, findings=list(breakdown.findings))
    for old in previous:
        if old.key in present:
            continue
        old_keys = {old.key} | {s.key for s in old.subrows}
        if old_keys & reported:
            result.kept.append(old)
            result.findings.append(finding("item-gone-with-reports", item=old.number, value=old.title))
        else:
            result.dropped.append(old)
    return result


def _year_change(cfg: Config, breakdown: Breakdown, has_reports: bool, findings: list[Finding]) -> int | None:
    """The year the workspace takes from the table: a workspace made before its table (its year
    then today's) takes the table's year, rounds and all, until a unit has reported; after that
    a table of another year is told, never adopted silently."""
    if not breakdown.year or breakdown.year == cfg.year:
        return None
    if has_reports:
        findings.append(finding("year-differs", file=breakdown.source, value=str(breakdown.year), year=cfg.year))
        return None
    findings.append(finding("year-changed", file=breakdown.source, value=str(breakdown.year), year=cfg.year))
    return breakdown.year


def _update_config(ws: Workspace, cfg: Config, breakdown: Breakdown, source: Path, year: int | None) -> None:
    # Every role, so a header no longer found is no longer remembered (it would win a later import).
    mapping = {role: breakdown.mapping.get(role, "") for role in schema.ROLE_SYNONYMS}
    values = {"source": source.name, "sheet": breakdown.sheet, "mapping": mapping}
    if not cfg.title or cfg.title == ws.root.name:
        values["title"] = workspace_title(breakdown.title) if breakdown.title else cfg.title
    if year:
        values["year"] = year
        if cfg.rounds == default_rounds(cfg.year):  # rounds the clerk set keep their dates
            configfile.set_rounds(ws.config_path, default_rounds(year))
    configfile.update(ws.config_path, **values)
