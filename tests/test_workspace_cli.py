"""init and import through the real CLI: files written, JSON shape, exit codes, re-imports."""

from __future__ import annotations

import tomllib

import openpyxl
import pytest
from conftest import IMPORT

from toolkit.store.ledger import Ledger
from toolkit.store.workspace import Workspace

HESHAN = IMPORT / "heshan_categories_groups_nodes.xlsx"
BASIC = IMPORT / "basic.xlsx"


def master_rows(ws_dir):
    wb = openpyxl.load_workbook(ws_dir / "master.xlsx")
    return wb, wb["总台账"]


def test_init_from_a_table_writes_the_workspace(tmp_path, run):
    code, out = run("init", tmp_path / "ws", "--from", HESHAN, "--json")
    assert code == 0
    assert out["items"] == 9
    assert out["categories"] == ["一、重点指标类（2项）", "二、重点项目类（2项）", "三、重点工作类（3项）", "四、民生实事类（2项）"]
    assert out["units"][:2] == ["市发展改革局", "市科工商务局"]
    assert [f["code"] for f in out["findings"]] == ["note-row", "note-row"]
    assert set(out["findings"][0]) == {"code", "severity", "unit", "item", "row", "column", "value", "message"}
    ws = tmp_path / "ws"
    for name in ("duban.toml", "master.xlsx", "units.xlsx", ".duban/ledger.sqlite", ".duban/secret"):
        assert (ws / name).is_file(), name


def test_duban_toml_holds_title_year_mapping_statuses_rounds(tmp_path, run):
    run("init", tmp_path / "ws", "--from", HESHAN)
    text = (tmp_path / "ws" / "duban.toml").read_text(encoding="utf-8")
    cfg = tomllib.loads(text)
    assert cfg["title"] == "2022年鹤山市委、市政府重点工作任务"
    assert cfg["year"] == 2022
    assert cfg["mapping"]["lead_unit"] == "责任单位" and cfg["mapping"]["plan"] == "节点计划"
    assert cfg["statuses"] == ["已完成", "基本按进度完成", "未按进度完成", "暂缓实施"]
    assert [str(r["due"]) for r in cfg["rounds"]] == ["2022-04-03", "2022-05-03", "2022-07-03", "2022-09-03", "2022-11-03", "2023-01-03"]
    # The fields by role, in order, each with the header units see beside it.
    assert cfg["report"]["fields"] == ["progress", "problems", "next_steps", "status", "completed_on", "remarks"]
    assert cfg["report"]["signoff"] == ["filled_by", "phone", "approved_by", "filled_on"]
    headers = cfg["report"]["headers"]
    assert [headers[r] for r in cfg["report"]["fields"]] == ["进展情况", "存在问题", "下一步工作计划", "完成状态", "完成时间", "备注"]
    assert headers["approved_by"] == "单位负责人审核"
    assert "# 完成状态" in text and "只改右边引号里的字" in text  # commented in Chinese for the clerk


def test_master_has_one_row_per_item_or_subrow_and_group_rows(tmp_path, run):
    run("init", tmp_path / "ws", "--from", HESHAN)
    wb, sheet = master_rows(tmp_path / "ws")
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["键", "分类", "序号", "项目名称"]
    assert header[-8:-2] == ["进展情况", "存在问题", "下一步工作计划", "完成状态", "完成时间", "备注"]
    keys = [sheet.cell(r, 1).value for r in range(3, sheet.max_row + 1)]
    item_keys = [k for k in keys if k and "." not in k and not k.startswith(("一", "二", "三", "四", "（", "陈", "张"))]
    assert len(item_keys) == 9
    assert len([k for k in keys if k and "." in k]) == 20  # sub-rows: key.2, key.3 …
    merged = {str(m) for m in sheet.merged_cells.ranges}
    group_rows = [r for r in range(3, sheet.max_row + 1) if f"A{r}:{openpyxl.utils.get_column_letter(sheet.max_column)}{r}" in merged]
    assert [sheet.cell(r, 1).value for r in group_rows][:2] == ["一、重点指标类（2项）", "二、重点项目类（2项）"]
    assert sheet.cell(group_rows[0], 1).font.b
    assert sheet.freeze_panes == "E3"


def test_units_xlsx_lists_every_unit_with_columns_to_fill(tmp_path, run):
    run("init", tmp_path / "ws", "--from", BASIC)
    sheet = openpyxl.load_workbook(tmp_path / "ws" / "units.xlsx").active
    assert [c.value for c in sheet[1]][:5] == ["单位名称", "别名", "联系人", "电子邮箱", "联系电话"]
    names = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert names[0] == "市发展改革局" and len(names) == len(set(names)) == 18


def test_bad_input_exits_2_with_one_chinese_sentence_and_leaves_the_workspace(tmp_path, run):
    ws = tmp_path / "ws"
    run("init", ws, "--from", BASIC)
    before = {p.name: p.read_bytes() for p in ws.iterdir() if p.is_file()}
    code, out = run("import", IMPORT / "encrypted.xlsx", "-w", ws)
    assert code == 2
    assert "encrypted.xlsx" in out and "密码" in out and "Traceback" not in out
    assert {p.name: p.read_bytes() for p in ws.iterdir() if p.is_file()} == before


def test_init_refuses_a_bad_table_without_creating_anything(tmp_path, run):
    code, out = run("init", tmp_path / "ws", "--from", IMPORT / "no_header.xlsx")
    assert code == 2 and "表头" in out
    assert not (tmp_path / "ws").exists()


def test_import_outside_a_workspace_is_a_configuration_error(tmp_path, run):
    code, out = run("import", BASIC, "-w", tmp_path)
    assert code == 2 and "duban init" in out


def test_reimport_keeps_keys_reports_and_contacts(tmp_path, run):
    ws_dir = tmp_path / "ws"
    run("init", ws_dir, "--from", BASIC)
    ws = Workspace.open(ws_dir)
    with Ledger(ws.ledger_path) as ledger:
        items = ledger.items()
        first = items[0]
        ledger.db.execute("INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?)",
                          (items[4].key, items[4].lead_unit, "2022-04-03", "{}", "abc", "2022-04-01T10:00:00"))
    # The clerk fills in a contact and a report value by hand.
    wb = openpyxl.load_workbook(ws.units_path)
    wb.active["D2"] = "fgj@example.gov.cn"
    wb.save(ws.units_path)
    wb, sheet = master_rows(ws_dir)
    status_col = [c.value for c in sheet[2]].index("完成状态") + 1
    sheet.cell(3, status_col).value = "已完成"
    wb.save(ws.master_path)

    # The corrected table: item 1's title edited, item 5 dropped.
    corrected = tmp_path / "corrected.xlsx"
    wb = openpyxl.load_workbook(BASIC)
    s = wb.active
    s["B2"] = s["B2"].value + "（修订）"
    last = max(r for r in range(1, s.max_row + 1) if s.cell(r, 1).value not in (None, ""))
    s.delete_rows(last)
    wb.save(corrected)

    code, out = run("import", corrected, "-w", ws_dir, "--json")
    assert code == 0
    assert out["items"] == 4
    assert [f["code"] for f in out["findings"]] == ["item-gone-with-reports"]
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.items()[0].key == first.key
        assert [i.key for i in ledger.inactive_items()] == [items[4].key]
    assert openpyxl.load_workbook(ws.units_path).active["D2"].value == "fgj@example.gov.cn"
    wb, sheet = master_rows(ws_dir)
    assert sheet.cell(3, 1).value == first.key and sheet.cell(3, status_col).value == "已完成"
    keys = [sheet.cell(r, 1).value for r in range(3, sheet.max_row + 1)]
    assert items[4].key in keys  # kept at the end, under its own group row
    assert list((ws_dir / ".duban" / "backups").glob("master-*.xlsx"))


def test_a_second_command_on_a_locked_workspace_exits_3(tmp_path, run):
    ws_dir = tmp_path / "ws"
    run("init", ws_dir, "--from", BASIC)
    ws = Workspace.open(ws_dir)
    with ws.lock("collect"):
        code, out = run("import", BASIC, "-w", ws_dir)
    assert code == 3 and "collect" in out and "--wait" in out


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path, run):
    import json
    import socket
    import subprocess

    ws_dir = tmp_path / "ws"
    run("init", ws_dir, "--from", BASIC)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (ws_dir / ".duban" / "lock").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    code, _ = run("import", BASIC, "-w", ws_dir)
    assert code == 0
    assert not (ws_dir / ".duban" / "lock").exists()


def test_init_twice_is_refused(tmp_path, run):
    run("init", tmp_path / "ws", "--from", BASIC)
    code, out = run("init", tmp_path / "ws", "--from", BASIC)
    assert code == 2 and "已经是 duban 工作区" in out


def test_every_command_has_help_with_an_example(run):
    from toolkit.cli import cli

    for name in cli.commands:
        code, out = run(name, "--help")
        assert code == 0 and "例如：" in out, name


def test_a_file_held_open_by_another_program_is_a_clear_error_not_a_traceback(tmp_path, monkeypatch):
    import os as _os

    from toolkit.store.fsutil import FileBusy, atomic_write_text

    def refuse(src, dst):  # what Windows does while Excel has the file open
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(_os, "replace", refuse)
    with pytest.raises(FileBusy) as e:
        atomic_write_text(tmp_path / "master.xlsx", "x")
    assert "master.xlsx" in str(e.value) and "关闭" in str(e.value) and e.value.exit_code == 3
    assert not list(tmp_path.iterdir())  # the temporary file is cleaned up


@pytest.mark.parametrize("command", [["generate", "--round", "2022-04-03"], ["status"], ["summary"]])
def test_commands_on_a_workspace_without_items_say_to_import_first(tmp_path, run, command):
    run("init", tmp_path / "ws")
    code, out = run(*command, "-w", tmp_path / "ws")
    assert code == 2 and "duban import" in out
