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

from ..core.errors import ConfigError
from ..core.findings import Finding, finding
from ..core.keys import assign_keys
from ..core.model import Item
from ..store import configfile
from ..store.fsutil import backup, file_sha256
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
        """The `duban import --json` shape of CLI.md."""
        return {"items": len(self.items), "units": self.units, "categories": self.breakdown.categories,
                "findings": [f.to_json() for f in self.findings]}


def workspace_title(table_title: str) -> str:
    """2022年鹤山市委、市政府重点工作任务分解表 → 2022年鹤山市委、市政府重点工作任务, so the
    summary can be titled …完成情况汇总表."""
    title = table_title.strip()
    stripped = _TABLE_SUFFIX.sub("", title)
    return stripped or title


def init_workspace(root: Path, source: Path | None = None, sheet: str | None = None) -> tuple[Workspace, ImportResult | None]:
    """Create a workspace in `root` (made if missing); import `source` into it when given."""
    ws = Workspace(root)
    if ws.exists():
        raise ConfigError(f"“{ws.root}”已经是 duban 工作区；要导入新的分解表请运行 duban import 文件 -w {ws.root}。")
    breakdown = read_breakdown(source, sheet) if source else None  # judged before anything is written
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


def import_table(ws: Workspace, source: Path, sheet: str | None = None, wait: float = 0.0) -> ImportResult:
    """Import `source` into the existing workspace `ws` (duban import)."""
    cfg = ws.config()
    breakdown = read_breakdown(source, sheet, mapping=cfg.mapping or None, known_units=known_units(ws))
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
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            # What a rewrite keeps: every report cell, as the clerk left it. A broken master
            # stops the import here, before the ledger changes.
            carried = read_master(ws.master_path, cfg).report_cells() if ws.master_path.exists() else {}
            with ledger.transaction():
                ledger.replace_items(result.items, result.kept)
                ledger.record_import(Path(source).name, file_sha256(Path(source)), len(result.items),
                                     [f.to_json() for f in result.findings])
                # The table's own 备注 lines, printed again under the summary (duban summary).
                ledger.set_meta("notes", json.dumps(breakdown.notes, ensure_ascii=False))
        _update_config(ws, cfg, breakdown, Path(source))
        cfg = ws.config()
        backup(ws.master_path, ws.backups_dir, stamp)
        write_master(ws.master_path, cfg, result.items, result.kept, carried)
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


def _update_config(ws: Workspace, cfg: Config, breakdown: Breakdown, source: Path) -> None:
    values = {"source": source.name, "sheet": breakdown.sheet, "mapping": breakdown.mapping}
    if not cfg.title or cfg.title == ws.root.name:
        values["title"] = workspace_title(breakdown.title) if breakdown.title else cfg.title
    if breakdown.year and not cfg.year:
        values["year"] = breakdown.year
    configfile.update(ws.config_path, **values)
