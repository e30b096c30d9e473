"""bench/cli: `duban collect FOLDER -w WS` as the clerk runs it: a new process of the `duban`
command, with the terminal output it prints, timed from start to exit.

The workspace holds N units of 3 items each (a master of 3N rows: 1,200 at 400 units, as a
large city's table), the round generated, and every unit's workbook returned filled (last
round's answers, as generate pre-fills them) and signed: N files, one per unit, one round.
A folder of 10,000 files is 10,000 units (a master of 30,000 rows), not 400 units sending
25 files each: a unit's later files supersede its earlier ones, and a year has too few
rounds for 25; more units is the same per-file work as a real round, and heavier on the
master, so the figure is on the safe side. Inputs are bench/collect's, cached in bench/.cache.

Each run collects into a fresh copy of the pristine workspace (copied before the clock
starts), without --round, as a clerk types it, and must exit 0 (every file accepted, no
unit missing). Its output is read from a pipe, as a console receives it, and counted;
with --tty also through a pseudo-terminal of 120 columns, where the progress bar is drawn.

Baselines in the same run, each repetition alternating with duban's so both see the same
load from the rest of the machine (7 other jobs share this 2-core machine at times):
  openpyxl  a plain loop reading every cell of every sheet of every file (load_workbook as
            scripts call it), in this process;
  floor     every file's sheet XML read (zip inflate) plus every file copied into a new
            folder: the least collect must do (DESIGN.md), in this process, without the
            Python start-up.
Ratios are the median of each repetition's ratio; seconds are medians too.

    python -m bench cli [N ...] [--repeat R] [--tty]     (default: 400 1000; 10000 takes minutes)
"""

from __future__ import annotations

import fcntl
import os
import pty
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import zipfile
from pathlib import Path

from bench.collect import build, time_openpyxl

HERE = Path(__file__).resolve().parent.parent
PER_UNIT = 3


def fresh_copy(ws_dir: Path, scratch: Path) -> Path:
    """A copy of the pristine workspace without the round's generated workbooks (collect
    does not read them). Copies are deleted only when the benchmark ends (bench/collect)."""
    fresh = Path(tempfile.mkdtemp(dir=scratch)) / "ws"
    shutil.copytree(ws_dir, fresh, ignore=lambda folder, names: names if Path(folder).name == "outbox" else [])
    return fresh


def run_cli(ws_dir: Path, inbox: Path, scratch: Path, tty: bool = False, checkout: Path = HERE) -> dict:
    """One `duban collect` in a new process: elapsed and CPU seconds (its workers included),
    and the bytes and lines it printed."""
    fresh = fresh_copy(ws_dir, scratch)
    cmd = [sys.executable, str(checkout / "cli.py"), "collect", str(inbox), "-w", str(fresh)]
    env = command_env(checkout)
    before, start = _cpu(), time.perf_counter()
    code, out = (_in_terminal if tty else _in_pipe)(cmd, env, checkout)
    elapsed, cpu = time.perf_counter() - start, _cpu() - before
    if code != 0:
        raise SystemExit(f"duban collect exited {code} (not every file accepted?):\n{out[-2000:].decode(errors='replace')}")
    return {"elapsed": elapsed, "cpu": cpu, "bytes": len(out), "lines": out.count(b"\n"), "out": out}


def command_env(checkout: Path) -> dict:
    """The environment of `duban` run from `checkout`, with its bytecode cached (written by the
    first run) as in an installed copy: where PYTHONDONTWRITEBYTECODE is set, every run would
    compile duban's modules afresh, a quarter of a second that no clerk waits for."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _in_pipe(cmd: list[str], env: dict, cwd: Path) -> tuple[int, bytes]:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    return proc.returncode, proc.stdout


def _in_terminal(cmd: list[str], env: dict, cwd: Path) -> tuple[int, bytes]:
    """As in a console window: stdout and stderr a terminal of 30 × 120, read as it comes."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                            env={**env, "TERM": "xterm-256color"}, cwd=cwd)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(), b"".join(chunks)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(fn, *args) -> dict:
    """Elapsed and CPU seconds of fn(*args) in this process."""
    start, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return {"elapsed": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def floor(inbox: Path, scratch: Path) -> None:
    """Every sheet XML (and the shared strings) of every file inflated, and every file copied
    into a new folder."""
    target = Path(tempfile.mkdtemp(dir=scratch))
    for i, path in enumerate(sorted(inbox.iterdir())):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                    z.read(name)
        shutil.copyfile(path, target / f"{i}.xlsx")


def measure(n: int, repeat: int, tty: bool, scratch: Path, openpyxl_repeat: int | None = None) -> dict:
    ws_dir, inbox = build(n, PER_UNIT)
    run_cli(ws_dir, inbox, scratch)  # the disk cache warmed and the bytecode compiled: not counted
    runs: dict[str, list] = {"pipe": [], "tty": [], "floor": [], "openpyxl": []}
    for i in range(repeat):
        runs["pipe"].append(run_cli(ws_dir, inbox, scratch))
        if tty:
            runs["tty"].append(run_cli(ws_dir, inbox, scratch, tty=True))
        runs["floor"].append(timed(floor, inbox, scratch))
        if i < (openpyxl_repeat or repeat):
            runs["openpyxl"].append(timed(time_openpyxl, inbox, False))
    return {"n": n, "rows": n * PER_UNIT, **runs}


def report(m: dict) -> list[str]:
    """Two lines: elapsed seconds and their ratios, then CPU seconds (duban's with its
    workers) and theirs, which the rest of the machine disturbs far less."""
    med = statistics.median
    lines = []
    for kind in ("elapsed", "cpu"):
        duban, base, low = ([r[kind] for r in m[k]] for k in ("pipe", "openpyxl", "floor"))
        vs_openpyxl = med(o / d for o, d in zip(base, duban))  # openpyxl may have run fewer times
        vs_floor = med(d / f for d, f in zip(duban, low))
        line = (f"  {m['n']:>6} {kind:>7} {med(duban):7.2f}s {1000 * med(duban) / m['n']:6.2f}ms {med(base):8.2f}s "
                f"{med(low):6.2f}s {vs_openpyxl:9.1f}x {vs_floor:8.1f}x")
        if kind == "elapsed":
            out = m["pipe"][-1]
            line += f"  {out['lines']} lines, {out['bytes']} B"
            if m["tty"]:
                line += f"; in a terminal {med(r['elapsed'] for r in m['tty']):.2f}s"
            line += f"  (runs: {' '.join(f'{t:.2f}' for t in duban)})"
        lines.append(line)
    return lines


HEADER = (f"  {'files':>6} {'':>7} {'duban':>8} {'per file':>8} {'openpyxl':>9} {'floor':>7} "
          f"{'openpyxl/':>10} {'duban/':>9}  output")
HEADER2 = f"  {'':>6} {'':>7} {'':>8} {'':>8} {'':>9} {'':>7} {'duban':>10} {'floor':>9}"


def main(args: list[str] | None = None) -> None:
    args = list(sys.argv[2:] if args is None else args)
    repeat, tty, sizes = 3, False, []
    while args:
        arg = args.pop(0)
        if arg == "--repeat":
            repeat = int(args.pop(0))
        elif arg == "--tty":
            tty = True
        else:
            sizes.append(int(arg))
    sizes = sizes or [400, 1000]
    print(f"cli: duban collect FOLDER -w WS through the command ({PER_UNIT} items a unit, one file each), output to "
          f"a pipe; median of {repeat} ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f})")
    print(HEADER)
    print(HEADER2)
    with tempfile.TemporaryDirectory() as scratch:
        for n in sizes:
            # The openpyxl loop takes about 15 ms a file: at 10,000 files it runs once.
            m = measure(n, repeat, tty, Path(scratch), openpyxl_repeat=1 if n >= 5000 else None)
            print(*report(m), sep="\n", flush=True)
    print(f"  load after: {os.getloadavg()[0]:.1f}")
