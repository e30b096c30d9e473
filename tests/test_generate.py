"""generate: one protected, signed reporting workbook per unit, read back as units would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
from conftest import IMPORT, needs_office

from toolkit.core.schema import SHEET
from toolkit.core.signing import META_SHEET, from_cells, row_hash
from toolkit.generate.template import PREVIOUS_FILL
from toolkit.importing.run import init_workspace
from toolkit.store.fsutil import safe_file_name
from toolkit.store.ledger import Ledger
from toolkit.store.office import convert

HESHAN = IMPORT / "heshan_categories_groups_nodes.xlsx"
SUBROWS = IMPORT / "merged_subrows.xlsx"


@pytest.fixture
def heshan(tmp_path):
    ws, _ = init_workspace(tmp_path / "ws", HESHAN)
    return ws


def generate(run, ws, *args):
    code, out = run("generate", "-w", ws.root, "--json", *args)
    assert code == 0, out
    return out


def outbox_file(ws, out, unit):
    entry = next(f for f in out["files"] if f["unit"] == unit)
    return ws.root / entry["path"]


def metadata(path: Path):
    wb = pc.CalamineWorkbook.from_path(str(path))
    return from_cells(wb.get_sheet_by_name(META_SHEET).to_python())


def test_one_workbook_per_reporting_unit_with_the_json_shape(heshan, run):
    out = generate(run, heshan, "--round", "2022-07-03")
    assert out["round"] == "2022-07-03"
    by_unit = {f["unit"]: f for f in out["files"]}
    assert set(by_unit) == {"市发展改革局", "市工业城管委会", "市委办公室", "市委宣传部", "市教育局"}
    assert by_unit["市发展改革局"]["items"] == ["1", "2"]  # its items (a workbook row for each of their nodes)
    assert by_unit["市发展改革局"]["path"] == (
        "rounds/2022-07-03/outbox/2022年鹤山市委、市政府重点工作任务-市发展改革局-第三次报送.xlsx")
    assert all((heshan.root / f["path"]).is_file() for f in out["files"])


def test_subrow_units_get_their_own_rows(tmp_path, run):
    ws, _ = init_workspace(tmp_path / "ws", SUBROWS)
    out = generate(run, ws, "--round", "2022-05-03")
    units = {f["unit"]: f["items"] for f in out["files"]}
    assert units["市水务局"] == ["1", "3"]  # the 2nd row of item 1, and lead of item 3
    assert units["市雷州青年运河管理局"] == ["1"]
    sheet = openpyxl.load_workbook(outbox_file(ws, out, "市雷州青年运河管理局"))[SHEET]
    assert sheet["C5"].value == "负责3座危桥和3座渡槽整治。\n完成项目施工。"  # its own part, second quarter
    assert sheet["A5"].value == "1-3"  # the item's third row


def test_this_rounds_targets_and_the_full_plan(heshan, run):
    out = generate(run, heshan, "--round", "2022-07-03")
    sheet = openpyxl.load_workbook(outbox_file(heshan, out, "市发展改革局"))[SHEET]
    header = [c.value for c in sheet[4]]
    # Each node row's plan is its target word for word: shown once, no 全年工作目标 column
    assert header[:6] == ["序号", "项目名称", "本期目标", "完成时限", "牵头单位", "其他责任单位"]
    assert header[6:12] == ["进展情况", "存在问题", "下一步工作计划", "完成状态", "完成时间", "备注"]
    # the GDP item: one row per node, each with its own plan and deadline as this round's target
    rows = range(5, 10)
    assert [sheet.cell(r, 1).value for r in rows] == ["1", "1-2", "1-3", "1-4", "1-5"]
    assert [sheet.cell(r, 4).value for r in rows] == ["4月底", "5月底", "7月底", "10月底", "12月15日"]
    assert [sheet.cell(r, 3).value[:3] for r in rows] == ["（1）", "（2）", "（3）", "（4）", "（5）"]


def test_fill_in_cells_unlocked_everything_else_locked(heshan, run):
    out = generate(run, heshan, "--round", "2022-07-03")
    sheet = openpyxl.load_workbook(outbox_file(heshan, out, "市工业城管委会"))[SHEET]
    assert sheet.protection.sheet and not sheet.protection.password
    for r in range(5, 15):  # 3 items, 10 node rows
        assert all(sheet.cell(r, c).protection.locked for c in range(1, 7)), r
        assert not any(sheet.cell(r, c).protection.locked for c in range(7, 13)), r
        assert sheet.cell(r, 13).protection.locked  # the hidden key
    assert sheet.column_dimensions["M"].hidden
    labels = {sheet.cell(16, c).value: c for c in range(1, 13) if sheet.cell(16, c).value}
    assert list(labels) == ["填报人：", "联系电话：", "单位负责人审核：", "填报日期："]
    assert all(not sheet.cell(16, c + 1).protection.locked for c in labels.values())
    assert sheet.freeze_panes == "C5"


def test_print_setup_a4_landscape_one_page_wide_header_repeated_footer(heshan, run):
    out = generate(run, heshan, "--round", "2022-07-03")
    sheet = openpyxl.load_workbook(outbox_file(heshan, out, "市工业城管委会"))[SHEET]
    ps = sheet.page_setup
    assert (ps.orientation, ps.paperSize, ps.fitToHeight) == ("landscape", 9, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth in (None, 1)
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_dropdown_and_date_validation_with_chinese_messages(heshan, run):
    out = generate(run, heshan, "--round", "2022-07-03")
    sheet = openpyxl.load_workbook(outbox_file(heshan, out, "市工业城管委会"))[SHEET]
    dvs = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    assert dvs["list"].formula1 == '"已完成,基本按进度完成,未按进度完成,暂缓实施"'
    assert str(dvs["list"].sqref) == "J5:J14" and "下拉列表" in dvs["list"].error
    assert str(dvs["date"].sqref) == "K5:K14" and "日期" in dvs["date"].error


def test_a_status_list_longer_than_255_characters_goes_to_a_hidden_range(heshan, run):
    text = heshan.config_path.read_text(encoding="utf-8")
    long = [f"状态{i:02d}：这是一个很长的完成状态说明文字" for i in range(16)]
    text = text.replace('statuses = ["已完成", "基本按进度完成", "未按进度完成", "暂缓实施"]',
                        "statuses = " + json.dumps(long, ensure_ascii=False))
    heshan.config_path.write_text(text, encoding="utf-8")
    out = generate(run, heshan, "--round", "2022-07-03")
    wb = openpyxl.load_workbook(outbox_file(heshan, out, "市工业城管委会"))
    dv = next(dv for dv in wb[SHEET].data_validations.dataValidation if dv.type == "list")
    assert dv.formula1 == "_lists!$A$1:$A$16"
    assert wb["_lists"].sheet_state == "veryHidden" and wb["_lists"]["A16"].value == long[-1]


def test_signed_metadata_identifies_the_file_and_each_rows_text(heshan, run):
    out = generate(run, heshan, "--round", "2022-07-03")
    path = outbox_file(heshan, out, "市发展改革局")
    meta = metadata(path)
    cfg = heshan.config()
    assert (meta.workspace_id, meta.round, meta.unit) == (cfg.workspace_id, "2022-07-03", "市发展改革局")
    assert meta.verify(heshan.secret())
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert [k for k, _ in meta.rows] == [sheet.cell(r, 13).value for r in range(5, 14)]
    # the hash of the row's grey cells, the 全年工作目标 this workbook leaves out as empty
    number, title, targets, deadline, lead, others = [sheet.cell(5, c).value or "" for c in range(1, 7)]
    assert meta.rows[0][1] == row_hash(number, title, targets, deadline, "", lead, others)
    assert openpyxl.load_workbook(path)[META_SHEET].sheet_state == "veryHidden"
    meta.unit = "市财政局"  # a forged copy for another unit no longer verifies
    assert not meta.verify(heshan.secret())


def test_previous_rounds_accepted_answers_are_prefilled_and_marked(heshan, run):
    with Ledger(heshan.ledger_path) as ledger:
        item = ledger.items()[0]
        ledger.add_submission({"sha256": "sha", "round": "2022-05-03", "unit": item.lead_unit, "file_name": "a.xlsx",
                               "archived": "", "saved_at": "2022-05-02T09:00:00", "received_at": "2022-05-02T10:00:00",
                               "outcome": "accepted", "late": 0, "identified_by": "metadata", "findings": []})
        ledger.add_reports([(item.key, item.lead_unit, "2022-05-03",
                             {"progress": "1-4月，地区生产总值增长3.1%。", "status": "未按进度完成"}, "sha")])
    out = generate(run, heshan, "--round", "2022-07-03")
    sheet = openpyxl.load_workbook(outbox_file(heshan, out, "市发展改革局"))[SHEET]
    assert sheet["G5"].value == "1-4月，地区生产总值增长3.1%。" and sheet["J5"].value == "未按进度完成"
    assert sheet["G5"].fill.fgColor.rgb.endswith(PREVIOUS_FILL[1:])
    assert sheet["G6"].value is None
    assert "上一轮" in sheet["A3"].value


def test_generating_again_replaces_the_outbox_and_unit_option_refreshes_one(heshan, run):
    first = generate(run, heshan, "--round", "2022-07-03")
    outbox = heshan.round_dir("2022-07-03") / "outbox"
    stray = outbox / "旧文件.xlsx"
    stray.write_bytes(b"old")
    generate(run, heshan, "--round", "2022-07-03")
    assert not stray.exists()
    assert sorted(p.name for p in outbox.glob("*.xlsx")) == sorted(Path(f["path"]).name for f in first["files"])
    before = {p.name: p.stat().st_mtime_ns for p in outbox.glob("*.xlsx")}
    out = generate(run, heshan, "--round", "2022-07-03", "--unit", "市教育局")
    assert [f["unit"] for f in out["files"]] == ["市教育局"]
    after = {p.name: p.stat().st_mtime_ns for p in outbox.glob("*.xlsx")}
    assert after.keys() == before.keys()
    changed = [n for n in after if after[n] != before[n]]
    assert len(changed) == 1 and "市教育局" in changed[0]
    assert not [p for p in outbox.parent.iterdir() if p.name.startswith(".outbox")]


def test_an_unknown_unit_or_round_is_a_clear_error(heshan, run):
    code, out = run("generate", "-w", heshan.root, "--round", "2022-07-03", "--unit", "市不存在局")
    assert code == 2 and "市不存在局" in out
    code, out = run("generate", "-w", heshan.root, "--round", "7月3日")
    assert code == 2 and "2022-04-03" in out


def test_a_round_not_in_duban_toml_is_refused_unless_added_with_new_round(heshan, run):
    code, out = run("generate", "-w", heshan.root, "--round", "2022-08-15")
    assert code == 2 and "2022-04-03（第一次报送）" in out and "--new-round" in out
    assert not (heshan.root / "rounds" / "2022-08-15").exists()
    assert "2022-08-15" not in [r.name for r in heshan.config().rounds]
    generate(run, heshan, "--round", "2022-08-15", "--new-round")
    added = [r for r in heshan.config().rounds if r.name == "2022-08-15"]
    assert [r.label for r in added] == ["8月15日报送"]
    for command in ("status", "summary"):  # listed now, so every command takes it
        assert run(command, "-w", heshan.root, "--round", "2022-08-15")[0] in (0, 1)


@pytest.mark.parametrize("date", ["2024-05-05", "2021-12-31", "2023-02-03"])
def test_a_new_round_outside_the_workspace_year_is_refused(heshan, run, date):
    code, out = run("generate", "-w", heshan.root, "--round", date, "--new-round")
    assert code == 2 and "2022年" in out
    assert date not in [r.name for r in heshan.config().rounds]


@pytest.mark.parametrize("command", ["status", "summary", "collect", "mail"])
def test_every_command_refuses_a_round_not_in_duban_toml_the_same_way(heshan, run, tmp_path, command):
    extra = {"collect": [str(tmp_path)], "mail": ["--drafts"]}.get(command, [])
    code, out = run(command, *extra, "-w", heshan.root, "--round", "2024-05-05")
    assert code == 2 and "不在 duban.toml 的报送轮次中" in out and "2022-04-03（第一次报送）" in out


@pytest.mark.parametrize("parts, expected", [
    (("2022年鹤山市委、市政府重点工作任务", "市发展改革局", "第一次报送"),
     "2022年鹤山市委、市政府重点工作任务-市发展改革局-第一次报送.xlsx"),
    (("标题:有*非法?字符", 'A/B\\C"单位<>|', "第一次报送"), "标题有非法字符-ABC单位-第一次报送.xlsx"),
])
def test_file_names_are_windows_safe(parts, expected):
    assert safe_file_name(*parts) == expected


def test_long_file_names_are_cut_from_the_title_and_keep_the_unit():
    name = safe_file_name("很长的标题" * 40, "湛江经济技术开发区管理委员会", "第六次报送")
    assert len(name) <= 120 and name.endswith("-湛江经济技术开发区管理委员会-第六次报送.xlsx")


# ---- LibreOffice: units save as .xls/.ods; the office prints to PDF -----------------------------
@needs_office
def test_metadata_and_dropdown_survive_libreoffice_xls_and_ods_round_trips(heshan, run, tmp_path):
    out = generate(run, heshan, "--round", "2022-07-03")
    every = [heshan.root / f["path"] for f in out["files"]]
    # three workbooks, not all 59 (each conversion costs LibreOffice time): the first, the one
    # with the most rows and the one with the fewest; the signature does not depend on the unit
    by_size = sorted(every, key=lambda p: p.stat().st_size)
    sources = list(dict.fromkeys([every[0], by_size[-1], by_size[0]]))
    secret = heshan.secret()
    for fmt in ("xls", "ods"):
        converted = convert(sources, fmt, tmp_path / fmt)
        back = convert(converted, "xlsx", tmp_path / f"{fmt}-back")
        for src, saved, again in zip(sources, converted, back):
            original = metadata(src)
            for path in (saved, again):
                meta = metadata(path)
                assert meta == original and meta.verify(secret), path
            sheet = openpyxl.load_workbook(again)[SHEET]
            dv = next(dv for dv in sheet.data_validations.dataValidation if dv.type == "list")
            assert dv.formula1 == '"已完成,基本按进度完成,未按进度完成,暂缓实施"', (fmt, src.name)
            assert sheet.protection.sheet and not sheet["G5"].protection.locked


def _big_table(path: Path, n: int) -> None:
    src = openpyxl.load_workbook(IMPORT / "basic.xlsx")
    s = src.active
    rows = [[c.value for c in r] for r in s.iter_rows(min_row=2, max_row=6)]
    for i in range(n):
        row = list(rows[i % len(rows)])
        row[0], row[1] = i + 1, f"{row[1]}（第{i + 1}项）"
        s.append(row)
    s.delete_rows(2, 5)
    src.save(path)


@needs_office
@pytest.mark.parametrize("n", [1, 40])
def test_a_small_and_a_large_unit_print_one_a4_landscape_page_wide(tmp_path, run, n):
    table = tmp_path / "table.xlsx"
    _big_table(table, n)
    ws, _ = init_workspace(tmp_path / "ws", table)
    out = generate(run, ws, "--round", ws.config().rounds[1].name, "--unit", "市发展改革局")
    (pdf,) = convert([ws.root / out["files"][0]["path"]], "pdf", tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert (pages == 1) if n == 1 else (pages >= 3)
    for page in range(1, pages + 1):  # one page wide: the last column's header is on every page
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True).stdout
        text = "".join(text.split())
        assert "备注" in text and "序号" in text and f"第{page}页共{pages}页" in text, page


def test_help_lists_generate(run):
    code, out = run("--help")
    assert "generate" in out


def test_cooperating_units_get_workbooks_only_when_duban_toml_says_so(tmp_path, run):
    ws, _ = init_workspace(tmp_path / "ws", IMPORT / "basic.xlsx")
    units = {f["unit"] for f in generate(run, ws, "--round", ws.config().rounds[1].name)["files"]}
    assert units == {"市发展改革局"}
    text = ws.config_path.read_text(encoding="utf-8").replace("cooperating_units_report = false", "cooperating_units_report = true")
    ws.config_path.write_text(text, encoding="utf-8")
    out = generate(run, ws, "--round", ws.config().rounds[1].name)
    by_unit = {f["unit"]: f["items"] for f in out["files"]}
    assert by_unit["市自然资源局"] == ["2", "3", "4", "5"] and "市直有关单位" in by_unit
    assert "各项目建设单位" not in by_unit  # an implementing unit, not a cooperating one
