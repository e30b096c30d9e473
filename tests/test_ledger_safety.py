"""The office's own files under .duban: the ledger is backed up with the master; a damaged or
truncated ledger stops every command with one sentence naming the backup to restore (exit 3),
and doing what it says gets everything back; a signing key saved again by an editor still
verifies, a missing one is told; a ledger rebuilt by duban import takes the master's earlier
answers as its own, not as the office's corrections, so new reports reach the master."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from conftest import IMPORT

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger, LedgerBroken
from toolkit.store.workspace import Workspace

HESHAN = IMPORT / "heshan_categories_groups_nodes.xlsx"
ROUND = "2022-07-03"
EDU = "市教育局"


def unit_keys(ws: Workspace, unit: str) -> list[str]:
    with Ledger(ws.ledger_path) as ledger:
        return [k for it in ledger.items() if it.lead_unit == unit for k in [it.key] + [s.key for s in it.subrows]]


def fill_all(ws: Workspace, inbox: Path, progress: str, saved_at: dt.datetime) -> None:
    for f in sorted((ws.round_dir(ROUND) / "outbox").glob("*.xlsx")):
        unit = f.stem.split("-")[-2]
        answers = {k: {"进展情况": f"{unit}：{progress}", "完成状态": "基本按进度完成"} for k in unit_keys(ws, unit)}
        simulate.fill(f, inbox / f.name, answers, saved_at=saved_at)


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A workspace whose round was generated, filled by every unit and collected once."""
    root = tmp_path_factory.mktemp("ledger")
    ws, _ = init_workspace(root / "ws", HESHAN)
    generate(ws, ROUND)
    fill_all(ws, root / "inbox", "1-6月按计划推进。", dt.datetime(2022, 7, 1))
    assert collect(ws, root / "inbox").exit_code == 0
    return root


@pytest.fixture
def here(collected, tmp_path):
    """A copy of the collected workspace and its inbox: (workspace, inbox)."""
    shutil.copytree(collected, tmp_path / "c")
    return Workspace(tmp_path / "c" / "ws"), tmp_path / "c" / "inbox"


def state(ws: Workspace):
    with Ledger(ws.ledger_path) as ledger:
        subs = sorted(ledger.db.execute("SELECT sha256, round, unit, outcome FROM submissions"))
        reports = sorted(ledger.db.execute("SELECT item_key, unit, round, fields FROM reports"))
        corrections = list(ledger.db.execute("SELECT * FROM corrections"))
    return subs, reports, corrections


def master_column(ws: Workspace, header: str) -> dict[str, str]:
    sheet = openpyxl.load_workbook(ws.master_path)["总台账"]
    col = [c.value for c in sheet[2]].index(header) + 1
    return {sheet.cell(r, 1).value: sheet.cell(r, col).value for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value}


def ledger_backups(ws: Workspace) -> list[Path]:
    return sorted(ws.backups_dir.glob("ledger-*.sqlite"))


# ---- backups -----------------------------------------------------------------------------------
def test_import_and_collect_back_the_ledger_up_beside_the_masters_backups(here):
    ws, inbox = here
    backups = ledger_backups(ws)
    assert backups and list(ws.backups_dir.glob("master-*.xlsx"))
    with Ledger(ws.ledger_path) as ledger:
        live = sorted(ledger.db.execute("SELECT sha256, outcome FROM submissions"))
    newest = sqlite3.connect(backups[-1])
    try:
        assert newest.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert sorted(newest.execute("SELECT sha256, outcome FROM submissions")) == live  # as this master was written
        assert newest.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal beside it
    finally:
        newest.close()
    assert not list(ws.backups_dir.glob("*.tmp")) and not list(ws.backups_dir.glob("*-wal"))


def test_a_collect_that_finds_nothing_new_makes_no_further_backup(here):
    ws, inbox = here
    before = ledger_backups(ws)
    collect(ws, inbox)
    assert ledger_backups(ws) == before


# ---- a damaged ledger ------------------------------------------------------------------------------
def damage(ws: Workspace, how: str) -> None:
    path = ws.ledger_path
    data = path.read_bytes()
    if how == "garbage":
        path.write_bytes(b"\x00garbage" * 400)
    elif how == "truncated-half":
        path.write_bytes(data[: len(data) // 2])
    elif how == "truncated-tail":  # the last page cut short: SQLite itself reads on without a word
        path.write_bytes(data[:-500])
    elif how == "zeroed-page":
        page = 4096
        path.write_bytes(data[:page * 2] + b"\x00" * page + data[page * 3:])


DAMAGE = ["garbage", "truncated-half", "truncated-tail", "zeroed-page"]
COMMANDS = [["collect", "{inbox}"], ["status"], ["summary"], ["generate", "--round", ROUND], ["import", str(HESHAN)],
            ["mail", "--drafts"]]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_ledger_stops_collect_with_exit_3_naming_the_newest_backup(here, run, how):
    ws, inbox = here
    damage(ws, how)
    damaged = ws.ledger_path.read_bytes()
    code, out = run("collect", inbox, "-w", ws.root)
    assert code == 3 and "Traceback" not in out and out.count("错误") == 1
    assert "台账库" in out and f".duban/backups/{ledger_backups(ws)[-1].name}" in out and "duban collect" in out
    assert ws.ledger_path.read_bytes() == damaged  # left as it was, for the clerk to keep


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_on_a_damaged_ledger_is_one_sentence_and_exit_3(here, run, command):
    ws, inbox = here
    damage(ws, "truncated-half")
    code, out = run(*[c.format(inbox=inbox) for c in command], "-w", ws.root)
    assert code == 3 and "Traceback" not in out and "已损坏" in out


def test_doing_what_the_message_says_gets_the_ledger_back_and_a_rerun_matches(here, run):
    ws, inbox = here
    expected, master = state(ws), master_column(ws, "进展情况")
    damage(ws, "garbage")
    code, out = run("collect", inbox, "-w", ws.root)
    backup = re.search(r"\.duban/backups/(ledger-[\d-]+\.sqlite)", out).group(1)
    ws.ledger_path.rename(ws.ledger_path.with_name("ledger-损坏.sqlite"))  # 改名留存
    shutil.copyfile(ws.backups_dir / backup, ws.ledger_path)  # 复制为 .duban/ledger.sqlite
    code, out = run("collect", inbox, "-w", ws.root)  # 重新运行 duban collect
    assert code == 0, out
    assert state(ws) == expected and master_column(ws, "进展情况") == master


def test_a_damaged_ledger_without_a_backup_says_to_import_and_collect_again(here, run):
    ws, inbox = here
    for b in ledger_backups(ws):
        b.unlink()
    damage(ws, "garbage")
    code, out = run("status", "-w", ws.root)
    assert code == 3 and "没有完好的备份" in out and "duban import" in out and "duban collect" in out


def test_a_damaged_newest_backup_is_passed_over_for_an_intact_older_one(here, run):
    ws, inbox = here
    backups = ledger_backups(ws)
    assert len(backups) >= 2  # import's and collect's
    backups[-1].write_bytes(b"not a database" * 100)
    damage(ws, "garbage")
    code, out = run("status", "-w", ws.root)
    assert code == 3 and backups[-2].name in out and backups[-1].name not in out


def test_damage_a_query_meets_after_opening_is_the_same_sentence(here):
    ws, _ = here
    with pytest.raises(LedgerBroken) as e:
        with Ledger(ws.ledger_path) as ledger:
            ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            data = ws.ledger_path.read_bytes()
            ws.ledger_path.write_bytes(data[:4096] + b"\xff" * (len(data) - 4096))  # damaged under the open ledger
            ledger.db.execute("PRAGMA shrink_memory")  # its pages read again from the file
            ledger.db.execute("SELECT * FROM reports").fetchall()
    assert e.value.exit_code == 3 and "备份" in str(e.value)


def test_a_lost_ledger_with_a_backup_says_to_restore_it_not_only_to_import(here, run):
    ws, _ = here
    ws.ledger_path.unlink()
    code, out = run("status", "-w", ws.root)
    assert code == 2 and ledger_backups(ws)[-1].name in out and "duban import" in out


# ---- the signing key -------------------------------------------------------------------------------
@pytest.mark.parametrize("saved", ["bom-crlf", "utf-16", "spaces"])
def test_a_signing_key_saved_again_by_an_editor_still_verifies_the_units_files(here, saved, tmp_path):
    ws, _ = here
    key = (ws.state_dir / "secret").read_text(encoding="ascii")
    data = {"bom-crlf": codecs.BOM_UTF8 + f"{key}\r\n".encode(), "utf-16": f"{key}\r\n".encode("utf-16"),
            "spaces": f"  {key} \n\n".encode()}[saved]
    (ws.state_dir / "secret").write_bytes(data)
    inbox = tmp_path / "new"
    fill_all(ws, inbox, "7月补充报送。", dt.datetime(2022, 7, 2))
    result = collect(ws, inbox)
    assert {(f.outcome, f.identified_by) for f in result.files} == {("accepted", "metadata")}


@pytest.mark.parametrize("command", [["collect", "{inbox}"], ["generate", "--round", ROUND]], ids=["collect", "generate"])
@pytest.mark.parametrize("secret", [None, b"", "\u5bc6\u94a5".encode("utf-8")], ids=["missing", "empty", "not-a-key"])
def test_a_missing_or_spoilt_signing_key_is_one_sentence_and_exit_3(here, run, command, secret):
    ws, inbox = here
    if secret is None:
        (ws.state_dir / "secret").unlink()
    else:
        (ws.state_dir / "secret").write_bytes(secret)
    before = state(ws)
    code, out = run(*[c.format(inbox=inbox) for c in command], "-w", ws.root)
    assert code == 3 and ".duban/secret" in out and "Traceback" not in out and "找回" in out
    assert state(ws) == before


# ---- a ledger rebuilt by duban import --------------------------------------------------------------
def rebuild_by_import(ws: Workspace, run) -> None:
    """What the clerk does with no backup: the ledger put aside, the table imported again."""
    ws.ledger_path.rename(ws.ledger_path.with_name("ledger-损坏.sqlite"))
    code, out = run("import", HESHAN, "-w", ws.root)
    assert code == 0, out


def test_after_a_reimport_earlier_answers_are_not_corrections_and_new_reports_reach_the_master(here, run, tmp_path):
    ws, _ = here
    rebuild_by_import(ws, run)
    assert set(master_column(ws, "进展情况").values()) - {None}  # the earlier answers, carried over
    inbox = tmp_path / "newer"
    fill_all(ws, inbox, "1-7月加快推进。", dt.datetime(2022, 7, 2))  # same names, newer answers
    result = collect(ws, inbox)
    assert {f.outcome for f in result.files} == {"accepted"} and result.conflicts == []
    assert state(ws)[2] == []  # no office corrections
    shown = {v for v in master_column(ws, "进展情况").values() if v}
    assert shown and all("1-7月加快推进。" in v for v in shown)
    code, out = run("status", "-w", ws.root, "--round", ROUND, "--json")
    assert all("1-7月加快推进。" in r["progress"] for i in out["items"] for r in i["reports"])


def test_after_a_reimport_and_a_recollect_the_master_keeps_its_answers_and_edits_are_corrections_again(here, run):
    ws, inbox = here
    before = master_column(ws, "进展情况")
    rebuild_by_import(ws, run)
    assert collect(ws, inbox).conflicts == []  # the same folder again: the same answers, no conflicts
    assert master_column(ws, "进展情况") == before and state(ws)[2] == []
    key = unit_keys(ws, EDU)[0]
    wb = openpyxl.load_workbook(ws.master_path)
    sheet = wb["总台账"]
    col = [c.value for c in sheet[2]].index("进展情况") + 1
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
    sheet.cell(row, col).value = "督查室核实后更正。"
    wb.save(ws.master_path)
    collect(ws, inbox)
    assert [(c[1], c[7]) for c in state(ws)[2]] == [(key, "督查室核实后更正。")]  # a correction as before
