"""bench/ab: does a speed trick pay? `duban collect` of N returned files through the CLI, this
checkout (A) against another checkout of duban (B: the same code with the trick taken out),
run alternately A B A B … so that both see the same load from the rest of the machine.

    python -m bench ab OTHER_CHECKOUT [N] [PAIRS]     (default: 1000 files, 5 pairs)

Each run is a new process (`python cli.py collect FOLDER -w WS`, its terminal output read
from a pipe) on a fresh copy of the same pristine workspace; the inputs are bench/cli's
(units of 3 items each, one file per unit). What counts is the ratio B/A within each
pair, not the seconds, which swing with the machine's load: its median, and the ratio of
the fastest runs of each (the least disturbed). Also measured: the CPU seconds of the run
and its workers, which load disturbs far less than the elapsed time, but which does not
show what a trick gains by running things side by side. A trick stays when B is ≥ 5%
slower than A (DESIGN.md: "Speed pays for itself"). DUBAN_START=spawn in the environment
measures workers started afresh, as on Windows.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from bench import cli
from bench.collect import build

HERE = Path(__file__).resolve().parent.parent


def run_cli(checkout: Path, ws_dir: Path, inbox: Path, scratch: Path) -> tuple[float, float]:
    """(elapsed, CPU) seconds of one `duban collect` through the CLI of `checkout`, in a new
    process, its output to a pipe (bench/cli); CPU counts its workers too."""
    run = cli.run_cli(ws_dir, inbox, scratch, checkout=checkout)
    return run["elapsed"], run["cpu"]


def main(args: list[str] | None = None) -> None:
    args = args if args is not None else sys.argv[2:]
    if not args:
        raise SystemExit(__doc__)
    other = Path(args[0]).resolve()
    n = int(args[1]) if len(args) > 1 else 1000
    pairs = int(args[2]) if len(args) > 2 else 5
    ws_dir, inbox = build(n, cli.PER_UNIT)
    runs: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
    print(f"ab: duban collect of {n} files through the CLI; A = {HERE}, B = {other}")
    with tempfile.TemporaryDirectory() as scratch:
        for checkout in (HERE, other):  # the disk cache warmed, and each checkout's bytecode compiled
            run_cli(checkout, ws_dir, inbox, Path(scratch))
        for i in range(pairs):
            for name, checkout in (("A", HERE), ("B", other)) if i % 2 == 0 else (("B", other), ("A", HERE)):
                runs[name].append(run_cli(checkout, ws_dir, inbox, Path(scratch)))
            (a, a_cpu), (b, b_cpu) = runs["A"][-1], runs["B"][-1]
            print(f"  pair {i + 1}: A {a:6.2f} s ({a_cpu:5.2f} CPU)   B {b:6.2f} s ({b_cpu:5.2f} CPU)   B/A {b / a:5.2f} ({b_cpu / a_cpu:4.2f} CPU)")
    for label, k in (("elapsed", 0), ("CPU", 1)):
        a, b = [r[k] for r in runs["A"]], [r[k] for r in runs["B"]]
        median = statistics.median(y / x for x, y in zip(a, b))
        print(f"  {label:>7}: median B/A {median:5.2f}   fastest B / fastest A {min(b) / min(a):5.2f}")
    print("  (the trick pays when B/A >= 1.05)")
