"""Helpers shared by the benchmarks: timing and synthetic workspaces from the samples."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl


def best_of(fn, repeat: int = 3) -> float:
    """The fastest of `repeat` runs, in seconds (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def scaled_breakdown(source: Path, target: Path, units: int, per_unit: int) -> None:
    """A breakdown table with `units` lead units of `per_unit` items each, from real rows."""
    wb = openpyxl.load_workbook(source)
    sheet = wb.active
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "序号")
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=header_row + 1) if r[0].value]
    out = openpyxl.Workbook()
    ws = out.active
    ws.append(["2022年市《政府工作报告》重点督办事项分解表"])
    ws.append([c.value for c in sheet[header_row]])
    n = 0
    for u in range(units):
        for _ in range(per_unit):
            row = list(rows[n % len(rows)])
            n += 1
            row[0], row[1], row[5] = n, f"{row[1]}（{n}）", f"测试单位{u + 1:03d}"
            ws.append(row)
    out.save(target)
