"""Report fields by role: renaming a header in duban.toml keeps every check, and the history
reads the same.

The Heshan 2022 sample workspace is built once for the module: import, generate a round, fill
every unit's workbook but one with Heshan's real texts, collect. Then duban.toml renames
完成状态 → 状态 and 进展情况 → 工作进展, as CLI.md allows.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import openpyxl
import pytest
import tomlkit
from click.testing import CliRunner
from conftest import IMPORT

from toolkit import simulate
from toolkit.cli import cli
from toolkit.collect.run import collect
from toolkit.core.errors import ConfigError
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger
from toolkit.store.samples import sample_path
from toolkit.store.workspace import config_from_dict

# All on one xdist worker (make test's --dist loadgroup): the Heshan round this module's
# fixtures build is built once, not once on each worker its tests land on.
pytestmark = pytest.mark.xdist_group("test_roles")

ROUND, NEXT = "2022-11-03", "2023-01-03"
SAVED = dt.datetime(2022, 11, 1, 16, 30)
RENAMED = {"完成状态": "状态", "进展情况": "工作进展"}
STATUSES = ("已完成", "基本按进度完成", "未按进度完成", "暂缓实施")


def cli_json(*args) -> dict:
    result = CliRunner().invoke(cli, [str(a) for a in args] + ["--json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def summary_cells(ws, round_name: str) -> list[tuple]:
    out = cli_json("summary", "-w", ws.root, "--round", round_name)
    sheet = openpyxl.load_workbook(ws.root / out["xlsx"]).worksheets[0]
    return [tuple(str(c.value) for c in row) for row in sheet.iter_rows()]


def rename(ws, headers: dict[str, str]) -> None:
    """What a clerk does in Notepad: new names in [report.headers]."""
    doc = tomlkit.parse(ws.config_path.read_text(encoding="utf-8"))
    for role, header in headers.items():
        doc["report"]["headers"][role] = header
    ws.config_path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def renamed_keys(answers: dict[str, dict]) -> dict[str, dict]:
    return {key: {RENAMED.get(h, h): v for h, v in fields.items()} for key, fields in answers.items()}


@pytest.fixture(scope="module")
def heshan(tmp_path_factory):
    """(workspace, before): the round collected under the default headers, and what status
    --json and the summary said then; duban.toml renames two headers afterwards."""
    root = tmp_path_factory.mktemp("roles")
    ws, _ = init_workspace(root / "ws", sample_path("heshan-2022"))
    files = generate(ws, ROUND).files
    answers = simulate.heshan_answers(ws, dt.date(2022, 11, 3))
    held_back = min(files, key=lambda f: (len(f.items) < 2, len(f.items))).unit  # sends after the rename
    for f in files:
        if f.unit != held_back:
            simulate.fill(f.path, root / "inbox" / f.path.name, answers[f.unit], saved_at=SAVED)
    collect(ws, root / "inbox")
    before = {"status": cli_json("status", "-w", ws.root, "--round", ROUND), "summary": summary_cells(ws, ROUND)}
    rename(ws, {"status": "状态", "progress": "工作进展"})
    return ws, before, {f.unit: f for f in files}, held_back, answers


def test_the_history_reads_the_same_after_the_rename(heshan):
    ws, before, *_ = heshan
    assert cli_json("status", "-w", ws.root, "--round", ROUND) == before["status"]
    assert summary_cells(ws, ROUND) == before["summary"]
    # and there was something to read: every item, most with a report, and their texts
    items = before["status"]["items"]
    reported = [r for item in items for r in item["reports"]]
    assert len(items) == 258 and len(reported) > 200
    assert {r["status"] for r in reported} <= set(STATUSES) and all(r["progress"] for r in reported)
    assert any(reported[0]["progress"].splitlines()[0][:12] in cell for row in before["summary"] for cell in row)


def row_report(status: dict, key: str, unit: str) -> dict:
    """The unit's report on row `key` in status --json: an item's, or a node's (item key + .N,
    where N counts the item row as 1, so status's `node` is N - 1)."""
    item_key, _, n = key.partition(".")
    item = next(i for i in status["items"] if i["key"] == item_key)
    return next(r for r in item["reports"] if r["unit"] == unit and r["node"] == (int(n) - 1 if n else None))


def test_the_new_workbook_shows_the_new_headers_with_the_dropdown_on_status(heshan):
    ws, _, files, held_back, _ = heshan
    out = cli_json("generate", "-w", ws.root, "--round", NEXT, "--unit", held_back)
    sheet = openpyxl.load_workbook(ws.root / out["files"][0]["path"])["报送表"]
    header = [c.value for c in sheet[4]]
    assert "状态" in header and "工作进展" in header and "完成状态" not in header and "进展情况" not in header
    status_col = openpyxl.utils.get_column_letter(header.index("状态") + 1)
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert [str(dv.sqref)[0] for dv in lists] == [status_col]
    assert lists[0].formula1 == '"' + ",".join(STATUSES) + '"'
    assert "“状态”请从下拉列表中选择" in sheet["A3"].value


def test_a_bad_status_is_still_found_and_a_good_one_merges(heshan, tmp_path):
    ws, _, files, held_back, answers = heshan
    out = cli_json("generate", "-w", ws.root, "--round", NEXT, "--unit", held_back)
    path = ws.root / out["files"][0]["path"]
    filled = renamed_keys(answers[held_back])
    bad, good = list(filled)[:2]
    filled[bad]["状态"] = "完成了吧"
    simulate.fill(path, tmp_path / path.name, filled, saved_at=dt.datetime(2022, 12, 30, 9))
    result = cli_json("collect", str(tmp_path), "-w", ws.root)
    (f,) = result["files"]
    finding = next(x for x in f["findings"] if x["code"] == "bad-status")
    assert (f["outcome"], finding["column"], finding["value"]) == ("partial", "状态", "完成了吧")
    assert "状态“完成了吧”不在可选范围内" in finding["message"]
    report = row_report(cli_json("status", "-w", ws.root, "--round", NEXT), good, held_back)
    assert report["status"] == filled[good]["状态"]
    assert report["progress"] == filled[good]["工作进展"]


def test_a_workbook_sent_before_the_rename_still_reads_and_is_checked(heshan, tmp_path):
    ws, _, files, held_back, answers = heshan
    old = files[held_back].path  # generated under 完成状态 / 进展情况
    filled = {k: dict(v) for k, v in answers[held_back].items()}
    bad, good = list(filled)[:2]
    filled[bad]["完成状态"] = "完成了"
    simulate.fill(old, tmp_path / old.name, filled, saved_at=SAVED)
    (f,) = cli_json("collect", str(tmp_path), "-w", ws.root, "--round", ROUND)["files"]
    assert f["outcome"] == "partial"
    assert [(x["code"], x["column"]) for x in f["findings"] if x["severity"] == "error"] == [("bad-status", "状态")]
    report = row_report(cli_json("status", "-w", ws.root, "--round", ROUND), good, held_back)
    assert report["status"] == filled[good]["完成状态"]


# -- duban.toml ------------------------------------------------------------------------------------


def test_the_older_list_of_headers_still_names_the_fields():
    cfg = config_from_dict({"report": {"fields": ["进展情况", "完成状态", "感想"], "signoff": ["填报人"]}})
    assert cfg.report_fields == ["progress", "status", "感想"]
    assert [cfg.header(r) for r in cfg.report_fields] == ["进展情况", "完成状态", "感想"]
    assert cfg.signoff_fields == ["filled_by"]


@pytest.mark.parametrize("report, words", [
    ({"headers": {"state": "状态"}}, "state"),
    ({"headers": {"status": "备注"}}, "备注"),
    ({"headers": {"completed_on": "完成时限"}}, "锁定的列"),
    ({"headers": {"status": ""}}, "status"),
    ({"fields": "progress"}, "fields"),
])
def test_a_bad_report_table_is_a_clear_configuration_error(report, words):
    with pytest.raises(ConfigError, match=words):
        config_from_dict({"report": report})


# -- a ledger written before fields were stored by role ----------------------------------------------


def as_written_by_e2b0ba9(path) -> None:
    """Turn a ledger back into the format of commit e2b0ba9 by hand: answers and master cells
    keyed by the header units saw, schema version 1."""
    headers = {"progress": "进展情况", "problems": "存在问题", "next_steps": "下一步工作计划", "status": "完成状态",
               "completed_on": "完成时间", "remarks": "备注"}
    db = sqlite3.connect(path)
    with db:
        for rowid, fields in db.execute("SELECT rowid, fields FROM reports").fetchall():
            old = {headers[k]: v for k, v in json.loads(fields).items()}
            db.execute("UPDATE reports SET fields = ? WHERE rowid = ?", (json.dumps(old, ensure_ascii=False), rowid))
        for role, header in headers.items():
            db.execute("UPDATE master_cells SET header = ? WHERE header = ?", (header, role))
        db.execute("UPDATE meta SET value = '1' WHERE name = 'schema_version'")
        db.execute("DELETE FROM meta WHERE name = 'report_headers'")
    db.close()


def test_an_old_ledger_migrates_once_after_a_backup_and_reads_the_same(tmp_path):
    ws, _ = init_workspace(tmp_path / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    files = generate(ws, "2022-07-03").files
    for f in files:
        keys = [k for k in simulate.find_table(openpyxl.load_workbook(f.path)).rows]
        simulate.fill(f.path, tmp_path / "inbox" / f.path.name, {k: {
            "进展情况": "1-6月，按计划推进。", "完成状态": "已完成", "完成时间": dt.date(2022, 6, 30)} for k in keys},
            saved_at=dt.datetime(2022, 7, 1, 9))
    collect(ws, tmp_path / "inbox")
    before = cli_json("status", "-w", ws.root, "--round", "2022-07-03")
    as_written_by_e2b0ba9(ws.ledger_path)
    db = sqlite3.connect(ws.ledger_path)
    db.execute("INSERT INTO reports VALUES ('gone', '某单位', '2022-05-03', ?, 'sha', '2022-05-01T09:00:00')",
               ('{"进展情况": "完成了前期工作。", "完成状态": "基本按进度完成", "感想": "无"}',))
    db.commit()
    db.close()
    rename(ws, {"status": "状态"})  # renamed before the new duban first opens the old ledger

    assert cli_json("status", "-w", ws.root, "--round", "2022-07-03") == before
    backups = list(ws.backups_dir.glob("ledger-v1-*.sqlite"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0]).execute("SELECT fields FROM reports WHERE item_key = 'gone'").fetchone()[0]
    assert json.loads(old)["完成状态"] == "基本按进度完成"  # the backup is the ledger as it was

    ledger = Ledger(ws.ledger_path)  # again: nothing more to do
    try:
        gone = ledger.db.execute("SELECT fields FROM reports WHERE item_key = 'gone'").fetchone()[0]
        cells = {h for (h,) in ledger.db.execute("SELECT DISTINCT header FROM master_cells")}
        assert ledger.meta("schema_version") == "2"
        assert ledger.former_headers()["status"] == ["状态"]
    finally:
        ledger.close()
    assert json.loads(gone) == {"progress": "完成了前期工作。", "status": "基本按进度完成", "感想": "无"}
    assert cells <= {"progress", "problems", "next_steps", "status", "completed_on", "remarks", "报送轮次", "报送单位文件"}
    assert "status" in cells
    assert len(list(ws.backups_dir.glob("ledger-v1-*.sqlite"))) == 1
