"""rounds/R/report.xlsx after a run that did not finish it: killed before the report, or unable
to replace it while the clerk had it open in Excel. The re-run finds no new file, yet writes the
report again from the ledger's findings, and says what it did to the master."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import IMPORT

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.fsutil import FileBusy
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
ROUND = "2022-07-03"
EDU, DGRC = "市教育局", "市发展改革局"


def unit_keys(ws: Workspace, unit: str) -> list[str]:
    with Ledger(ws.ledger_path) as ledger:
        return [k for it in ledger.items() if it.lead_unit == unit for k in [it.key] + [s.key for s in it.subrows]]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A workspace with the round generated, and an inbox: EDU's file with one bad status, the
    other units' files good."""
    root = tmp_path_factory.mktemp("report")
    ws, _ = init_workspace(root / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    for f in generate(ws, ROUND).files:
        keys = unit_keys(ws, f.unit)
        answers = {k: {"进展情况": "1-6月按计划推进。", "完成状态": "基本按进度完成"} for k in keys}
        if f.unit == EDU:
            answers[keys[0]]["完成状态"] = "差不多完成了"
        simulate.fill(f.path, root / "inbox" / f.path.name, answers, saved_at=dt.datetime(2022, 7, 1))
    return root


@pytest.fixture
def here(generated, tmp_path):
    shutil.copytree(generated, tmp_path / "c")
    return Workspace(tmp_path / "c" / "ws"), tmp_path / "c" / "inbox"


def report_path(ws: Workspace) -> Path:
    return ws.round_dir(ROUND) / "report.xlsx"


def report(ws: Workspace) -> dict[str, list[tuple]]:
    """Each sheet of report.xlsx as rows of values."""
    wb = openpyxl.load_workbook(report_path(ws))
    return {s.title: [tuple(c for c in row) for row in s.iter_rows(values_only=True)] for s in wb}


def outcomes(sheets: dict) -> dict[str, str]:
    """unit → 结果 on the 收集情况 sheet."""
    return {row[0]: row[1] for row in sheets["收集情况"][2:] if row[0]}


def cli_collect(ws: Workspace, inbox: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DUBAN_FAULT", None)
    if fault:
        env["DUBAN_FAULT"] = fault
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "collect", str(inbox), "-w", str(ws.root)],
                          env=env, capture_output=True, text=True, timeout=120)


def test_a_rerun_after_a_kill_before_the_report_writes_it_and_says_it_completed_the_master(here):
    ws, inbox = here
    assert cli_collect(ws, inbox, fault="after-ledger").returncode == -signal.SIGKILL
    assert not report_path(ws).exists()
    rerun = cli_collect(ws, inbox)
    assert rerun.returncode in (0, 1), rerun.stderr
    assert "没有新的文件" in rerun.stdout and "总台账未改动" not in rerun.stdout and "补写" in rerun.stdout
    assert "重新写出" in rerun.stdout
    sheets = report(ws)
    assert outcomes(sheets)[EDU] == "部分采纳" and outcomes(sheets)[DGRC] == "已采纳"
    assert len(outcomes(sheets)) == 5  # every unit's file, as the ledger recorded them
    assert any("差不多完成了" in str(row) for row in sheets[EDU])  # EDU's correction list, from the stored findings


def test_the_report_written_again_matches_the_one_an_uninterrupted_run_wrote(here, tmp_path):
    ws, inbox = here
    collect(ws, inbox)
    whole = report(ws)
    report_path(ws).unlink()  # deleted by the clerk, or never written
    again = collect(ws, inbox)
    assert again.nothing_new and again.report_rebuilt and again.report_path == report_path(ws)
    assert report(ws) == whole


def test_a_report_held_open_in_excel_is_written_by_the_rerun_after_it_is_closed(here, monkeypatch):
    ws, inbox = here
    first = inbox.parent / "first"
    first.mkdir()
    dgrc = next(inbox.glob(f"*{DGRC}*"))
    shutil.move(dgrc, first / dgrc.name)
    collect(ws, first)
    assert set(outcomes(report(ws))) >= {DGRC}
    real_replace = os.replace

    def excel_holds_the_report(src, dst):  # what Windows does while Excel has report.xlsx open
        if Path(dst).name == "report.xlsx":
            raise PermissionError(13, "The process cannot access the file")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", excel_holds_the_report)
    with pytest.raises(FileBusy) as e:
        collect(ws, inbox)  # the other four units' files: merged, the report not replaced
    assert "report.xlsx" in str(e.value) and "关闭" in str(e.value)
    assert outcomes(report(ws)).get(EDU) != "部分采纳"  # still the first run's report
    monkeypatch.setattr(os, "replace", real_replace)  # the clerk closed it, as the message asked
    again = collect(ws, inbox)
    assert again.nothing_new and again.report_rebuilt
    assert outcomes(report(ws))[EDU] == "部分采纳"


def test_a_rerun_with_nothing_new_leaves_a_current_report_alone(here):
    ws, inbox = here
    collect(ws, inbox)
    before = report_path(ws).read_bytes()
    again = collect(ws, inbox)
    assert again.nothing_new and not again.report_rebuilt and again.report_path is None
    assert report_path(ws).read_bytes() == before


def test_an_empty_folder_before_any_file_writes_no_report(here, tmp_path):
    ws, _ = here
    (tmp_path / "empty").mkdir()
    assert collect(ws, tmp_path / "empty").report_path is None and not report_path(ws).exists()


def test_a_dry_run_with_nothing_new_does_not_say_it_wrote_a_report(here, run):
    ws, inbox = here
    collect(ws, inbox)
    code, out = run("collect", inbox, "-w", ws.root, "--dry-run")
    assert "只写了报告" not in out and "总台账和台账库都没有改动" in out
