"""bench/summary: the Heshan 2022 summary (258 items, 277 answers), end to end and by stage.

The workspace is the demo's: the sample imported, the year-end round generated, every unit's
workbook filled with Heshan's real completion texts and collected. Timed: duban summary as a
library call and as a command (a fresh process, pandas imported cold), and its stages: reading
the ledger and laying out the rows, the statistics (pandas), writing the workbook (XlsxWriter).
The PDF through LibreOffice is timed once, for information.

Goal (issue 6): the 258-item summary <= 1 s without PDF.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import best_of
from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.office import find_soffice
from toolkit.store.samples import sample_path

ROOT = Path(__file__).resolve().parent.parent
ROUND = "2023-01-03"


def heshan_workspace(root: Path):
    ws, _ = init_workspace(root / "ws", sample_path("heshan-2022"))
    generated = generate(ws, ROUND)
    answers = simulate.heshan_answers(ws, dt.date(2023, 1, 3))
    for f in generated.files:
        simulate.fill(f.path, root / "inbox" / f.path.name, answers[f.unit], saved_at=dt.datetime(2022, 12, 30, 16, 30))
    collect(ws, root / "inbox")
    return ws


def stages(ws) -> dict[str, float]:
    """Seconds per stage of one summary, each stage timed by itself (best of 3)."""
    from toolkit.store.summaryconfig import read_summary_config
    from toolkit.summary import stats
    from toolkit.summary.run import _load, resolve_summary_round
    from toolkit.summary.sheet import write_workbook
    from toolkit.summary.table import build_table, table_notes

    cfg = ws.config()
    scfg = read_summary_config(ws, cfg)
    rnd = resolve_summary_round(ws, cfg, ROUND)
    loaded = _load(ws, rnd)
    items, answers, notes = loaded
    table = build_table(items, answers, cfg, scfg, rnd, table_notes(scfg, notes, items))
    figures = stats.compute(table, cfg, rnd)
    out = ws.root / "output" / "stage.xlsx"
    return {
        "read the ledger": best_of(lambda: _load(ws, rnd)),
        "lay out 258 items": best_of(lambda: build_table(items, answers, cfg, scfg, rnd, table_notes(scfg, notes, items))),
        "statistics (pandas)": best_of(lambda: stats.compute(table, cfg, rnd)),
        "write the workbook": best_of(lambda: write_workbook(out, table, scfg, figures)),
    }


def main() -> None:
    from toolkit.summary.run import summary

    with tempfile.TemporaryDirectory() as tmp:
        ws = heshan_workspace(Path(tmp))
        library = best_of(lambda: summary(ws, ROUND))
        command = best_of(lambda: subprocess.run([sys.executable, str(ROOT / "cli.py"), "summary", "-w", str(ws.root),
                                                  "--round", ROUND], check=False, capture_output=True))
        parts = stages(ws)
        pdf = None
        if find_soffice():
            start = time.perf_counter()
            result = summary(ws, ROUND, pdf=True)
            pdf = time.perf_counter() - start
            pages = subprocess.run(["pdfinfo", str(result.pdf)], capture_output=True, text=True).stdout
    print("summary: Heshan 2022, 258 items, 277 answers, round 2023-01-03")
    print(f"  duban summary (library call)          {library:6.2f} s")
    print(f"  duban summary (command, new process)  {command:6.2f} s   (goal: <= 1 s without PDF)")
    for name, seconds in parts.items():
        print(f"    {name:<22} {seconds:6.3f} s")
    if pdf is not None:
        count = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
        print(f"  with --pdf (LibreOffice, {count} pages)   {pdf:6.2f} s")
