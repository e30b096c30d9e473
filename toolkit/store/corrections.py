"""Office corrections: the clerk's edits of unit answers in master.xlsx, kept in the ledger.

The ledger is the truth and master.xlsx the clerk's view of it. Where the clerk changed a
unit's answer in the master (a cell under 进展情况, 完成状态 …), that is the office's
correction, and every output shows it. The rules:

- An edit is an answer cell whose text differs both from what duban last wrote there
  (ledger.master_cells) and from what the ledger says the row shows. A cell duban wrote but
  could not note (a run killed in between) equals the ledger, so it is no edit.
- It corrects the answer the row shows: the latest accepted report of the row's reporting
  unit (the round in 报送轮次). The unit's own answer stays in the ledger's reports; the
  correction keeps the value it replaced. An edit in a row nobody has reported on yet
  corrects the first report that arrives there.
- A correction belongs to its round. A later file from the unit for the same round does
  not undo it: the master keeps the clerk's text and collect warns (master-conflict) with
  the unit's new text; to take the unit's text, the clerk types it into the cell. A later
  round's report is a new answer and shows as the unit sent it.
- A ledger that has no note of what it wrote into a row (rebuilt by duban import after it
  was lost, or restored from a backup older than the row) does not make the row's answers
  the office's: a row whose 报送单位文件 names a file shows a report duban wrote, and its
  cells count as written, so the next report replaces them (written_cells). The office's
  corrections recorded in a lost ledger are lost with it (the master's backups keep the
  text); a backup of the ledger keeps them.
- Commands that hold the workspace lock record edits (collect, generate; summary when the
  lock is free and the workspace can be written: else it says how many it left), and then count the cell as written, so the next run finds no edit and
  records no duplicate. status and its dashboard never write (they may run beside a
  collect that is rewriting the master and the ledger): they apply unrecorded edits on the
  fly, so they show the same as the summary.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..core.assign import row_leads
from ..core.config import Config
from ..core.errors import WorkspaceLocked
from ..core.model import Item
from .fsutil import CannotWrite
from .ledger import Ledger
from .master import SOURCE_COLUMNS, MasterView, answer_headers, desired_cells, read_master
from .workspace import Workspace


def current_view(path: Path, cfg: Config, seen: MasterView | None = None, data: bytes | None = None) -> MasterView | None:
    """The master as it is now (`data`: its bytes, when already read): `seen` while its
    bytes are unchanged, else read again; None when there is no master (deleted by hand;
    collect rebuilds it)."""
    try:
        data = path.read_bytes() if data is None else data
    except FileNotFoundError:
        return None
    if seen is not None and seen.sha256 == hashlib.sha256(data).hexdigest():
        return seen
    return read_master(path, cfg, data)


def corrected(reports: list[dict], corrections: dict[tuple[str, str, str, str], dict]) -> list[dict]:
    """`reports` with the corrections of their answers applied. A corrected report's
    "corrected" maps each corrected field to its correction, with the unit's own text
    added as "sent"."""
    by_report: dict[tuple[str, str, str], dict[str, dict]] = {}
    for (key, unit, rnd, field), c in corrections.items():
        by_report.setdefault((key, unit, rnd), {})[field] = c
    out = []
    for rep in reports:
        fixes = by_report.get((rep["key"], rep["unit"], rep["round"]))
        if fixes:
            rep = {**rep, "fields": {**rep["fields"], **{f: c["new"] for f, c in fixes.items()}},
                   "corrected": {f: {**c, "sent": rep["fields"].get(f, "")} for f, c in fixes.items()}}
        out.append(rep)
    return out


def shown_reports(ledger: Ledger, items: list[Item], cfg: Config) -> dict[str, dict]:
    """key → the report master.xlsx shows in that row: the latest accepted report of the
    row's reporting unit, corrections applied."""
    reporting = row_leads(items)
    shown = {}
    for rep in corrected(ledger.current_reports(), ledger.corrections()):  # oldest round first
        if reporting.get(rep["key"]) == rep["unit"]:
            shown[rep["key"]] = rep
    return shown


def find_edits(view: MasterView, shown: dict[str, dict], written: dict[tuple[str, str], str], cfg: Config) -> list[dict]:
    """The clerk's edits of the answers `shown`, as corrections (key, unit, round, field,
    the file answered, old, new, and the master's header)."""
    want = desired_cells(shown, cfg)
    view = view.settled(written)  # a column of a report's header the clerk added is no edit of it
    edits, headers = [], answer_headers(cfg)
    for key, rep in shown.items():
        for field, header in headers.items():
            now = view.value(key, header)
            if now is None or header in view.refilled or now == want[(key, field)] or now == written.get((key, field), ""):
                continue
            edits.append({"key": key, "unit": rep["unit"], "round": rep["round"], "field": field, "sha256": rep["sha256"],
                          "old": rep["fields"].get(field, ""), "new": now, "header": header})
    return edits


def written_cells(view: MasterView | None, written: dict[tuple[str, str], str], cfg: Config) -> dict[tuple[str, str], str]:
    """What duban wrote into the master's answer and source cells: `written` (the ledger's
    master_cells), and the cells of each row the ledger has no note of that shows a report
    (its 报送单位文件 names a file): written by duban from a ledger since lost."""
    if view is None:
        return written
    noted = {key for key, _ in written}
    file_column = SOURCE_COLUMNS[1]
    columns = [*answer_headers(cfg).items(), *((c, c) for c in SOURCE_COLUMNS)]
    adopted = {(key, field): value for key in view.rows if key not in noted and view.value(key, file_column)
               for field, header in columns if (value := view.value(key, header)) is not None}
    return {**adopted, **written} if adopted else written


def record(ledger: Ledger, edits: list[dict]) -> int:
    """Record `edits` in the ledger, and their cells as what the master holds (so the next
    run finds them no more); returns how many were new."""
    return ledger.record_corrections(edits, {(e["key"], e["field"]): e["new"] for e in edits})


def record_edits(ws: Workspace, ledger: Ledger, cfg: Config, items: list[Item],
                 seen: MasterView | None = None) -> list[dict]:
    """Under the workspace lock: the clerk's edits in master.xlsx recorded as corrections."""
    view = current_view(ws.master_path, cfg, seen)
    if view is None:
        return []
    shown = shown_reports(ledger, items, cfg)
    edits = find_edits(view, shown, written_cells(view, ledger.master_cells(), cfg), cfg)
    record(ledger, edits)
    return edits


def record_edits_if_free(ws: Workspace, ledger: Ledger, command: str, seen: MasterView | None = None) -> int:
    """Record the edits when the workspace lock is free at once; when another command holds
    it (a collect rewriting the master), record nothing: the outputs still show the edits
    (reports() applies them on the fly) and the next command records them. `ledger` may be
    open read-only: the edits are written through a ledger opened for it under the lock.
    Returns how many edits stay unrecorded because the workspace cannot be written (a
    read-only share or disk, no permission, a full disk), for the command to say so."""
    try:
        with ws.lock(command), Ledger(ws.ledger_path) as writer:
            record_edits(ws, writer, ws.config(), writer.items(), seen)
    except WorkspaceLocked:
        pass
    except CannotWrite:
        cfg = ws.config()
        view = current_view(ws.master_path, cfg, seen)
        if view is not None:
            return len(find_edits(view, shown_reports(ledger, ledger.items(), cfg), ledger.master_cells(), cfg))
    return 0


def reports(ws: Workspace, ledger: Ledger, round_name: str | None = None, before: str | None = None,
            seen: MasterView | None = None) -> list[dict]:
    """The reports that count (of `round_name`, of the rounds `before` one, or all) with the
    office's corrections applied: those recorded, and edits in master.xlsx not recorded yet.
    What every output shows. `seen`: the master as already read, if its bytes are unchanged."""
    cfg = ws.config()
    view = current_view(ws.master_path, cfg, seen)
    fixes = ledger.corrections()
    if view is not None:
        shown = shown_reports(ledger, ledger.items(), cfg)
        pending = find_edits(view, shown, written_cells(view, ledger.master_cells(), cfg), cfg)
        fixes.update({(e["key"], e["unit"], e["round"], e["field"]): e for e in pending})
    return corrected(ledger.current_reports(round_name, before), fixes)
