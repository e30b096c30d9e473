"""generate: one reporting workbook per responsible unit for a round, into rounds/R/outbox/.

Who gets a workbook: each item's lead unit (牵头单位, the first listed) and each sub-row's own
lead; cooperating units too when duban.toml's report.cooperating_units_report is true.
The outbox is replaced as a whole: a new one is built beside it and swapped in.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core import rounds
from ..core.assign import UnitRow, items_of, unit_rows
from ..core.dates import format_cn
from ..core.errors import ConfigError
from ..core.signing import Metadata, row_hash
from ..store import configfile, corrections
from ..store.fsutil import safe_file_name
from ..store.ledger import Ledger
from ..store.workspace import MANIFEST, Config, Round, Workspace
from .template import UnitSheet, write_unit_workbook


@dataclass
class GeneratedFile:
    unit: str
    path: Path
    items: list[str]  # item numbers, in table order

    def to_json(self, root: Path) -> dict:
        return {"unit": self.unit, "path": self.path.relative_to(root).as_posix(), "items": self.items}


@dataclass
class GenerateResult:
    round: Round
    files: list[GeneratedFile]
    root: Path

    def to_json(self) -> dict:
        return {"round": self.round.name, "files": [f.to_json(self.root) for f in self.files]}


def generate(ws: Workspace, round_name: str | None = None, units: list[str] | None = None,
             today: dt.date | None = None, wait: float = 0.0, new_round: bool = False) -> GenerateResult:
    """Write the round's workbooks (all units, or only `units`) and return what was written.

    Without a round name, the next round due; a round not in duban.toml only with `new_round`,
    which then adds it there."""
    with ws.lock("generate", wait=wait):
        cfg = ws.config()
        with Ledger(ws.ledger_path) as ledger:
            items = ledger.items_or_stop()  # "import first" before any question about the round
            rnd = _round(ws, cfg, round_name, new_round, today or dt.date.today())
            previous, previous_round = _previous_answers(ws, ledger, cfg, items, rnd)
            ledger.note_headers(cfg)  # so that these workbooks still read after a rename
        rows = unit_rows(items, cfg, rnd.due)
        wanted = _select_units(rows, units)
        secret = ws.secret()
        outbox = ws.round_dir(rnd.name) / "outbox"
        files = _write_outbox(outbox, wanted, rows, cfg, rnd, secret, previous, previous_round, keep_others=bool(units))
    return GenerateResult(rnd, files, ws.root)


def _round(ws: Workspace, cfg: Config, name: str | None, new: bool, today: dt.date) -> Round:
    if not name:
        return rounds.next_due(cfg.rounds, today)
    if not new:
        return rounds.listed(cfg.rounds, name)
    rnd = rounds.new_round(cfg.rounds, name, cfg.year)
    if rnd not in cfg.rounds:
        configfile.add_round(ws.config_path, rnd.due, rnd.label)
    return rnd


def _select_units(rows: dict[str, list[UnitRow]], units: list[str] | None) -> list[str]:
    if not units:
        return list(rows)

    unknown = [u for u in units if u not in rows]
    if unknown:
        raise ConfigError(f"没有需要报送的单位“{'、'.join(unknown)}”；请核对单位名称（见 units.xlsx）。")
    return units




def _write_outbox(outbox: Path, units: list[str], rows, cfg: Config, rnd: Round, secret: bytes,
                  previous: dict, previous_round: str, keep_others: bool) -> list[GeneratedFile]:
    outbox.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".outbox-", dir=outbox.parent))
    try:
        manifest = _carry_over(outbox, staging, units) if keep_others else {}
        files = []
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        used = {name.lower() for name in manifest.values()}
        for unit in units:
            path = staging / _unique(safe_file_name(cfg.title, unit, rnd.label), used)
            sheet = _unit_sheet(cfg, rnd, unit, rows[unit], previous, previous_round)
            meta = Metadata(workspace_id=cfg.workspace_id, round=rnd.name, unit=unit, generated_at=stamp,
                            rows=[(r.key, row_hash(*r.read_only(sheet.columns))) for r in sheet.rows])
            meta.sign(secret)
            write_unit_workbook(path, sheet, meta)
            manifest[unit] = path.name
            files.append(GeneratedFile(unit, outbox / path.name, [n for n, _ in items_of(sheet.rows)]))
        body = {"round": rnd.name, "at": stamp, "files": manifest}
        (staging / MANIFEST).write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        _swap(staging, outbox)
        return files
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _carry_over(outbox: Path, staging: Path, units: list[str]) -> dict[str, str]:
    """With --unit: keep the other units' files as they are; theirs are rewritten."""
    try:
        manifest = json.loads((outbox / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return {}
    kept = {}
    for unit, name in manifest.items():
        if unit not in units and (outbox / name).exists():
            shutil.copy2(outbox / name, staging / name)
            kept[unit] = name
    return kept


def _unique(name: str, used: set[str]) -> str:
    stem, suffix = name.rsplit(".", 1)
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate = f"{stem}-{n}.{suffix}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _swap(staging: Path, outbox: Path) -> None:
    """Put the new outbox in place with renames, so a crash leaves the old or the new one."""
    old = outbox.with_name(f".outbox-old-{staging.name}")
    if outbox.exists():
        outbox.rename(old)
    staging.rename(outbox)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _unit_sheet(cfg: Config, rnd: Round, unit: str, rows: list[UnitRow], previous: dict, previous_round: str) -> UnitSheet:
    for row in rows:
        row.previous = previous.get((row.key, unit), {})
    return UnitSheet(
        title=cfg.title, unit=unit, round_label=rnd.label, due=rnd.due, statuses=cfg.statuses,
        report_fields=cfg.report_fields, signoff_fields=cfg.signoff_fields, rows=rows,
        field_headers={role: cfg.header(role) for role in cfg.report_fields + cfg.signoff_fields},
        # The deadline column is always 完成时限: a table that calls it 完成时间 (Heshan) would
        # otherwise show two 完成时间 columns, the unit's completion date being the other.
        headers={"title": cfg.mapping.get("title") or "事项"},
        contact=cfg.contact, previous_round=previous_round if any(r.previous for r in rows) else "",
        problem_statuses=cfg.problem_statuses, done_status=cfg.done_status,
    )


def _previous_answers(ws: Workspace, ledger: Ledger, cfg: Config, items: list, rnd: Round) -> tuple[dict, str]:
    """(key, unit) → the latest accepted answer from an earlier round, with the office's
    corrections (the clerk's edits in the master, recorded first), and that round's label."""
    corrections.record_edits(ws, ledger, cfg, items)
    answers, latest = {}, ""
    for rep in corrections.reports(ws, ledger, before=rnd.name):  # oldest round first: later ones win
        answers[(rep["key"], rep["unit"])] = rep["fields"]
        latest = max(latest, rep["round"])
    return answers, (format_cn(dt.date.fromisoformat(latest)) + "截止的一轮" if latest else "")
