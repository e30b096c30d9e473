"""generate: one reporting workbook per responsible unit for a round, into rounds/R/outbox/.

Who gets a workbook: each item's lead unit (牵头单位, the first listed) and each sub-row's own
lead; cooperating units too when duban.toml's report.cooperating_units_report is true.
The outbox is replaced as a whole: a new one is built beside it and swapped in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .dates import format_cn
from .ledger import Ledger
from .model import Item
from .rounds import resolve_round
from .signing import Metadata, read_secret, row_hash
from .targets import round_targets, round_targets_for_nodes
from .template import UnitRow, UnitSheet, write_unit_workbook
from .workspace import Config, Round, Workspace

MAX_NAME = 120  # characters in a file name; Windows paths must stay short
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


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


def safe_file_name(*parts: str, suffix: str = ".xlsx") -> str:
    """A Windows-safe file name from its parts, shortened from the first part when too long."""
    cleaned = [_UNSAFE.sub("", p).strip(" .") for p in parts if p]
    name = "-".join(cleaned)
    overflow = len(name) + len(suffix) - MAX_NAME
    if overflow > 0 and cleaned:
        cleaned[0] = cleaned[0][: max(4, len(cleaned[0]) - overflow)]
        name = "-".join(cleaned)[: MAX_NAME - len(suffix)]
    return (name or "报送表") + suffix


def unit_rows(items: list[Item], cfg: Config, due: dt.date) -> dict[str, list[UnitRow]]:
    """unit → its rows for this round, in table order."""
    year = cfg.year or due.year
    out: dict[str, list[UnitRow]] = {}
    for item in items:
        nodes = [(item.plan, item.deadline)]
        if item.subrows:
            nodes += [(s.plan, s.deadline) for s in item.subrows if not s.units]
        lead_row = _row(item.key, item, nodes, year, due, "、".join(item.units))
        lead = item.lead_unit
        if lead:
            out.setdefault(lead, []).append(lead_row)
        for sub in item.subrows:
            if sub.units:
                row = _row(sub.key, item, [(sub.plan, sub.deadline or item.deadline)], year, due, "、".join(sub.units))
                out.setdefault(sub.lead_unit, []).append(row)
        if cfg.cooperating_units_report:
            for unit in item.cooperating:
                if unit not in item.reporting_units:
                    out.setdefault(unit, []).append(lead_row)
    return out


def _row(key: str, item: Item, nodes: list[tuple[str, str]], year: int, due: dt.date, units: str) -> UnitRow:
    if len(nodes) > 1:
        plan = "\n".join(p for p, _ in nodes if p)
        targets = round_targets_for_nodes(nodes, due, year)
        deadline = next((d for _, d in reversed(nodes) if d), item.deadline)
    else:  # one node, the common case: the same as above with nothing to join or look through
        plan, deadline = nodes[0]
        plan = plan or ""
        targets = round_targets(plan, due, deadlines=[deadline], year=year)
        deadline = deadline or item.deadline
    title = "★" + item.title if item.star else item.title
    return UnitRow(key=key, number=item.number, title=title, targets=targets.text, deadline=deadline,
                   plan=plan, units=units)


def generate(ws: Workspace, round_name: str | None = None, units: list[str] | None = None,
             today: dt.date | None = None, wait: float = 0.0) -> GenerateResult:
    """Write the round's workbooks (all units, or only `units`) and return what was written."""
    with ws.lock("generate", wait=wait):
        rnd = resolve_round(ws, round_name, today)
        cfg = ws.config()
        ledger = Ledger(ws.ledger_path)
        try:
            items = ledger.items_or_stop()
            previous, previous_round = _previous_answers(ledger, rnd)
        finally:
            ledger.close()
        rows = unit_rows(items, cfg, rnd.due)
        wanted = _select_units(rows, units)
        secret = read_secret(ws.state_dir)
        outbox = ws.round_dir(rnd.name) / "outbox"
        files = _write_outbox(outbox, wanted, rows, cfg, rnd, secret, previous, previous_round, keep_others=bool(units))
    return GenerateResult(rnd, files, ws.root)


def _select_units(rows: dict[str, list[UnitRow]], units: list[str] | None) -> list[str]:
    if not units:
        return list(rows)
    from .errors import ConfigError

    unknown = [u for u in units if u not in rows]
    if unknown:
        raise ConfigError(f"没有需要报送的单位“{'、'.join(unknown)}”；请核对单位名称（见 units.xlsx）。")
    return units


MANIFEST = ".generated.json"


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
                            rows=[(r.key, row_hash(*r.read_only())) for r in sheet.rows])
            meta.sign(secret)
            write_unit_workbook(path, sheet, meta)
            manifest[unit] = path.name
            files.append(GeneratedFile(unit, outbox / path.name, [r.number for r in sheet.rows]))
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
        # The deadline column is always 完成时限: a table that calls it 完成时间 (Heshan) would
        # otherwise show two 完成时间 columns, the unit's completion date being the other.
        headers={"title": cfg.mapping.get("title") or "事项"},
        contact=cfg.contact, previous_round=previous_round if any(r.previous for r in rows) else "",
    )


def _previous_answers(ledger: Ledger, rnd: Round) -> tuple[dict, str]:
    """(key, unit) → the latest accepted answer from an earlier round, and that round's label."""
    answers, latest = ledger.latest_reports_before(rnd.name)
    return answers, (format_cn(dt.date.fromisoformat(latest)) + "截止的一轮" if latest else "")
