"""collect killed with SIGKILL at many points: master.xlsx is always the old or the new version,
never a partial file, and a re-run ends in the state of a run that was never interrupted."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import IMPORT

from toolkit import simulate
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger

ROUND = "2022-07-03"
ROOT = Path(__file__).resolve().parent.parent
POINTS = ["reading", "after-archive", "after-ledger", "before-replace:master.xlsx", "after-master"]


def build(tmp: Path):
    ws, _ = init_workspace(tmp / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    inbox = tmp / "inbox"
    inbox.mkdir()
    with Ledger(ws.ledger_path) as ledger:
        items = ledger.items()
    for f in generate(ws, ROUND).files:
        # every row the unit reports on: each item row and each of its nodes
        keys = [k for it in items if it.lead_unit == f.unit for k in [it.key] + [s.key for s in it.subrows]]
        answers = {k: {"进展情况": f"{f.unit}：1-6月按计划推进。", "完成状态": "基本按进度完成"} for k in keys}
        assert keys
        simulate.fill(f.path, inbox / f.path.name, answers, saved_at=dt.datetime(2022, 7, 1))
    return ws, inbox


def run_collect(ws, inbox, fault=None, kill_after=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DUBAN_FAULT", None)
    if fault:
        env["DUBAN_FAULT"] = fault
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "collect", str(inbox), "-w", str(ws.root), "--json"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    return proc.returncode


def state(ws):
    """What must agree: the master's cells, and the ledger's submissions and reports."""
    sheet = openpyxl.load_workbook(ws.master_path)["总台账"]  # raises on a partial file
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    with Ledger(ws.ledger_path) as ledger:
        # Each build signs its own files, so hashes differ between workspaces; the rest must not.
        subs = sorted(ledger.db.execute("SELECT round, unit, file_name, outcome FROM submissions"))
        reports = sorted(ledger.db.execute("SELECT item_key, unit, round, fields FROM reports"))
    return cells, subs, reports


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    ws, inbox = build(tmp_path_factory.mktemp("reference"))
    assert run_collect(ws, inbox) == 0
    return state(ws)


def master_digest(ws):
    return hashlib.sha256(ws.master_path.read_bytes()).hexdigest()


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_a_point_the_master_is_whole_and_a_rerun_matches(tmp_path, reference, point):
    ws, inbox = build(tmp_path)
    before = master_digest(ws)
    assert run_collect(ws, inbox, fault=point) == -signal.SIGKILL
    assert (ws.root / ".duban" / "lock").exists()  # left behind by the killed process
    after_kill = master_digest(ws)
    if point in ("reading", "after-archive", "after-ledger", "before-replace:master.xlsx"):
        assert after_kill == before  # the old master, untouched
    openpyxl.load_workbook(ws.master_path)  # old or new, always a whole workbook
    assert not [p for p in ws.root.iterdir() if p.name.startswith(".master")] or point == "before-replace:master.xlsx"
    assert run_collect(ws, inbox) in (0, 1)  # takes over the stale lock
    assert state(ws) == reference
    assert not list(ws.root.rglob(".*.tmp"))  # the killed writer's temporary file is swept


def test_killed_at_random_moments_the_master_is_always_whole(tmp_path, reference):
    ws, inbox = build(tmp_path)
    rng = random.Random(7)
    for _ in range(6):
        run_collect(ws, inbox, kill_after=rng.uniform(0.2, 2.0))
        openpyxl.load_workbook(ws.master_path)
    assert run_collect(ws, inbox) in (0, 1)
    assert state(ws) == reference


def test_two_collects_at_once_the_second_stops_with_exit_3(tmp_path):
    ws, inbox = build(tmp_path)
    from toolkit.store.workspace import Workspace

    with Workspace.open(ws.root).lock("collect"):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "collect", str(inbox), "-w", str(ws.root)],
                             env=env, capture_output=True, text=True, timeout=60)
        gen = subprocess.run([sys.executable, str(ROOT / "cli.py"), "generate", "-w", str(ws.root), "--round", ROUND],
                             env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 3 and "正被另一个 duban 命令使用" in out.stderr and "collect" in out.stderr
    assert gen.returncode == 3


def test_the_second_collect_waits_with_wait_and_then_runs(tmp_path):
    ws, inbox = build(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, str(ROOT / "cli.py"), "collect", str(inbox), "-w", str(ws.root), "--json", "--wait", "60"]
    first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    outs = [json.loads(p.communicate(timeout=120)[0]) for p in (first, second)]
    outcomes = sorted({f["outcome"] for f in o["files"]}.pop() for o in outs)
    assert outcomes == ["accepted", "unchanged"]
