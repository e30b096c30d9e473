"""collect end to end: real generated workbooks, filled and mangled the way units do, collected
into a real workspace. One test per outcome and finding code, each named for its defect."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from conftest import IMPORT, needs_office

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger

ROUND = "2022-07-03"
ON_TIME = dt.datetime(2022, 7, 1, 9, 30)
DGRC = "市发展改革局"  # 2 items: GDP and fixed investment
EDU = "市教育局"  # 1 item


class Round:
    """A workspace with the round generated, and an inbox to drop returned files into."""

    def __init__(self, tmp_path):
        self.ws, _ = init_workspace(tmp_path / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
        self.generated = {f.unit: f for f in generate(self.ws, ROUND).files}
        self.inbox = tmp_path / "inbox"
        self.inbox.mkdir()
        self.tmp = tmp_path

    def keys(self, unit):
        """The unit's item keys in its workbook's order, from the signed metadata."""
        import python_calamine as pc

        from toolkit.core.signing import META_SHEET, from_cells

        meta = from_cells(pc.CalamineWorkbook.from_path(str(self.generated[unit].path)).get_sheet_by_name(META_SHEET).to_python())
        return [k for k, _ in meta.rows]

    def answers(self, unit, **override):
        base = {"进展情况": "1-6月，按计划推进，完成阶段目标。", "完成状态": "基本按进度完成", "下一步工作计划": "继续推进。"}
        return {k: {**base, **override} for k in self.keys(unit)}

    def fill(self, unit, name=None, answers=None, saved_at=ON_TIME, signoff=None, folder=None):
        dst = (folder or self.inbox) / (name or self.generated[unit].path.name)
        return simulate.fill(self.generated[unit].path, dst, answers or self.answers(unit), signoff=signoff, saved_at=saved_at)

    def fill_all(self, **kw):
        return [self.fill(u, **kw) for u in self.generated]

    def collect(self, **kw):
        return collect(self.ws, self.inbox, **kw)

    def master(self):
        sheet = openpyxl.load_workbook(self.ws.master_path)["总台账"]
        header = [c.value for c in sheet[2]]
        rows = {}
        for r in range(3, sheet.max_row + 1):
            key = sheet.cell(r, 1).value
            rows[key] = {h: sheet.cell(r, c + 1) for c, h in enumerate(header) if h}
        return rows


@pytest.fixture
def rnd(tmp_path):
    return Round(tmp_path)


def only(result, name=None):
    files = [f for f in result.files if name is None or name in f.name]
    assert len(files) == 1, [f.name for f in result.files]
    return files[0]


def codes(file_result, severity=None):
    return [f.code for f in file_result.findings if severity is None or f.severity == severity]


# ---- the good path -------------------------------------------------------------------------------
def test_all_units_on_time_are_accepted_merged_archived_and_nothing_is_missing(rnd):
    rnd.fill_all()
    result = rnd.collect()
    assert result.round == ROUND
    assert {f.outcome for f in result.files} == {"accepted"}
    assert result.missing_units == [] and result.late_units == [] and result.exit_code == 0
    assert all(codes(f) == [] for f in result.files)
    master = rnd.master()
    gdp = rnd.keys(DGRC)[0]
    assert master[gdp]["进展情况"].value == "1-6月，按计划推进，完成阶段目标。"
    assert master[gdp]["完成状态"].value == "基本按进度完成"
    assert master[gdp]["报送轮次"].value == "第三次报送"
    received = list((rnd.ws.round_dir(ROUND) / "received").iterdir())
    assert len(received) == 5 and all(len(p.stem) == 64 for p in received)
    assert (rnd.ws.round_dir(ROUND) / "report.xlsx").exists()


def test_collecting_the_same_folder_again_changes_nothing_and_says_so(rnd, run):
    rnd.fill_all()
    rnd.collect()
    before = rnd.ws.master_path.read_bytes()
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root)
    assert code == 0 and "没有新的文件" in out
    assert rnd.ws.master_path.read_bytes() == before
    again = rnd.collect()
    assert {f.outcome for f in again.files} == {"unchanged"}


def test_two_copies_of_one_file_are_collected_once_and_the_copy_names_the_first(rnd):
    rnd.fill(DGRC, name="a.xlsx")
    (rnd.inbox / "转发").mkdir()
    (rnd.inbox / "转发" / "b.xlsx").write_bytes((rnd.inbox / "a.xlsx").read_bytes())
    result = rnd.collect()
    assert only(result, "a.xlsx").outcome == "accepted"
    copy = only(result, "b.xlsx")
    assert copy.outcome == "unchanged" and "a.xlsx" in copy.findings[0].message
    assert len(list((rnd.ws.round_dir(ROUND) / "received").iterdir())) == 1
    with Ledger(rnd.ws.ledger_path) as ledger:
        assert [n for (n,) in ledger.db.execute("SELECT file_name FROM submissions")] == ["a.xlsx"]


def test_a_file_that_cannot_be_opened_is_a_finding_and_is_tried_again_next_time(rnd, monkeypatch):
    """As on Windows when a program holds the file: PermissionError. (As root here, a chmod
    would not stop the read, so the error is raised where the file is opened; the workers
    are forked and inherit it.)"""
    import toolkit.collect.reader

    rnd.fill(DGRC, name="locked.xlsx")
    rnd.fill(EDU, name="fine.xlsx")
    real_load = toolkit.collect.reader.load

    def load(path):
        if path.name == "locked.xlsx":
            raise PermissionError(13, "Permission denied")
        return real_load(path)

    monkeypatch.setattr("toolkit.collect.run.load", load)
    result = rnd.collect()
    locked = only(result, "locked")
    assert locked.outcome == "unreadable" and codes(locked) == ["cannot-open"] and "占用" in locked.findings[0].message
    assert only(result, "fine").outcome == "accepted"
    monkeypatch.setattr("toolkit.collect.run.load", real_load)
    again = rnd.collect()
    assert only(again, "locked").outcome == "accepted" and only(again, "fine").outcome == "unchanged"


def test_a_file_moved_away_before_it_is_archived_is_not_recorded_and_is_taken_next_time(rnd, monkeypatch):
    """Read by a worker, then gone (moved by the clerk) before the parent archives it."""
    import toolkit.collect.run

    rnd.fill(DGRC, name="moved.xlsx")
    rnd.fill(EDU, name="stays.xlsx")
    real_archive = toolkit.collect.run.archive

    def archive(ws, source, round_name, sha256):
        if source.name == "moved.xlsx":
            raise FileNotFoundError(2, "No such file or directory")
        return real_archive(ws, source, round_name, sha256)

    monkeypatch.setattr("toolkit.collect.run.archive", archive)
    result = rnd.collect()
    moved = only(result, "moved")
    assert moved.outcome == "unreadable" and codes(moved) == ["cannot-open"] and "移走" in moved.findings[0].message
    assert only(result, "stays").outcome == "accepted"
    with Ledger(rnd.ws.ledger_path) as ledger:
        assert [n for (n,) in ledger.db.execute("SELECT file_name FROM submissions")] == ["stays.xlsx"]
    monkeypatch.setattr("toolkit.collect.run.archive", real_archive)
    assert only(rnd.collect(), "moved").outcome == "accepted"


def test_dry_run_writes_only_the_report(rnd):
    rnd.fill_all()
    before = rnd.ws.master_path.read_bytes()
    result = rnd.collect(dry_run=True)
    assert {f.outcome for f in result.files} == {"accepted"} and result.missing_units == []
    assert rnd.ws.master_path.read_bytes() == before
    assert not (rnd.ws.round_dir(ROUND) / "received").exists()
    assert (rnd.ws.round_dir(ROUND) / "report.xlsx").exists()
    with Ledger(rnd.ws.ledger_path) as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0


def test_missing_unit_is_listed_and_exit_code_is_1(rnd, run):
    for unit in rnd.generated:
        if unit != EDU:
            rnd.fill(unit)
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--json")
    assert code == 1 and out["missing_units"] == [EDU]
    assert set(out) == {"round", "files", "missing_units", "late_units"}
    assert set(out["files"][0]) == {"path", "unit", "round", "outcome", "late", "findings"}


# ---- statuses, texts, dates ----------------------------------------------------------------------
def two_rows(rnd, first, second):
    """Every row of 市发展改革局 answered; the first two as given."""
    keys = rnd.keys(DGRC)
    base = {"进展情况": "1-6月，按计划推进。", "完成状态": "基本按进度完成"}
    return {k: {**base, **({0: first, 1: second}.get(i, {}))} for i, k in enumerate(keys)}


@pytest.mark.parametrize("typed", ["完成了", "进行中", 1, "已完成了"])
def test_bad_status_rejects_the_row_and_lists_the_allowed_values(rnd, typed):
    rnd.fill(DGRC, answers=two_rows(rnd, {"完成状态": typed}, {}))
    f = only(rnd.collect())
    assert f.outcome == "partial" and codes(f, "error") == ["bad-status"]
    finding = f.findings[0]
    assert (finding.row, finding.column, finding.value) == (5, "完成状态", str(typed))
    assert "已完成、基本按进度完成、未按进度完成、暂缓实施" in finding.message


@pytest.mark.parametrize("typed", ["已完成。", " 已完成 ", "已 完 成", "已完成；"])
def test_status_with_spaces_full_width_or_end_punctuation_is_normalised(rnd, typed):
    rnd.fill(DGRC, answers=two_rows(rnd, {"完成状态": typed, "完成时间": dt.date(2022, 6, 30)}, {}))
    f = only(rnd.collect())
    assert f.outcome == "accepted", f.findings
    assert rnd.master()[rnd.keys(DGRC)[0]]["完成状态"].value == "已完成"


@pytest.mark.parametrize("typed", ["", "无", "/", "-", "同上", "略"])
def test_missing_or_placeholder_progress_is_rejected(rnd, typed):
    rnd.fill(DGRC, answers=two_rows(rnd, {"进展情况": typed}, {}))
    assert codes(only(rnd.collect()), "error") == ["missing-progress"]


def test_lagging_status_without_problems_is_rejected(rnd):
    rnd.fill(DGRC, answers=two_rows(rnd, {"完成状态": "未按进度完成"}, {"完成状态": "暂缓实施", "存在问题": "资金未到位。"}))
    f = only(rnd.collect())
    assert codes(f, "error") == ["missing-problems"] and f.findings[0].row == 5


def test_done_without_completion_date_is_rejected(rnd):
    rnd.fill(DGRC, answers=two_rows(rnd, {"完成状态": "已完成"}, {}))
    assert codes(only(rnd.collect()), "error") == ["missing-completion-date"]


@pytest.mark.parametrize("typed, stored", [
    (dt.datetime(2022, 4, 3), "2022-04-03"), ("2022年4月3日", "2022-04-03"), ("2022.4.3", "2022-04-03"),
    ("2022/4/3", "2022-04-03"), ("2022-04-03", "2022-04-03"), ("4月3日", "2022-04-03"), (44654, "2022-04-03"),
])
def test_completion_dates_in_the_ways_units_write_them(rnd, typed, stored):
    rnd.fill(DGRC, answers=two_rows(rnd, {"完成状态": "已完成", "完成时间": typed}, {}))
    f = only(rnd.collect())
    assert f.outcome == "accepted", f.findings
    assert rnd.master()[rnd.keys(DGRC)[0]]["完成时间"].value == stored


@pytest.mark.parametrize("typed, stored", [("4月底", "2022-04-30"), ("4月上旬", "2022-04-10")])
def test_vague_completion_date_is_a_warning_at_the_end_of_its_period(rnd, typed, stored):
    rnd.fill(DGRC, answers=two_rows(rnd, {"完成状态": "已完成", "完成时间": typed}, {}))
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["vague-date"]
    assert rnd.master()[rnd.keys(DGRC)[0]]["完成时间"].value == stored


@pytest.mark.parametrize("typed, code", [("上个月", "bad-date"), ("2022-13-40", "bad-date"),
                                          ("2023-08-01", "date-out-of-range"), ("2021-12-31", "date-out-of-range")])
def test_unparseable_or_out_of_range_dates_are_rejected(rnd, typed, code):
    rnd.fill(DGRC, answers=two_rows(rnd, {"完成状态": "已完成", "完成时间": typed}, {}))
    f = only(rnd.collect())
    assert codes(f, "error") == [code] and f.findings[0].value == typed


# ---- rows that do not belong ---------------------------------------------------------------------
def test_changed_plan_text_is_tampering_and_the_row_is_not_merged(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    key = rnd.keys(DGRC)[0]
    simulate.edit_read_only(filled, rnd.inbox / "tampered_plan.xlsx", key, "本期目标", "全部完成。")
    f = only(rnd.collect())
    assert f.outcome == "partial" and codes(f, "error") == ["tampered-plan"]
    assert f.findings[0].column == "本期目标" and f.findings[0].value == "全部完成。"
    assert rnd.master()[key]["进展情况"].value in (None, "")


def test_rows_of_another_unit_are_foreign_and_rejected(rnd):
    mine = rnd.fill(DGRC, folder=rnd.tmp)
    theirs = rnd.fill(EDU, folder=rnd.tmp)
    simulate.foreign_rows(mine, rnd.inbox / "foreign_item.xlsx", theirs, replace=False)
    f = only(rnd.collect())
    assert f.outcome == "partial" and codes(f, "error") == ["foreign-item"] * len(rnd.keys(EDU))  # one a node
    assert EDU in f.findings[0].message


def test_a_deleted_row_is_a_missing_item(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    simulate.delete_row(filled, rnd.inbox / "missing_item.xlsx", rnd.keys(DGRC)[1])
    f = only(rnd.collect())
    assert f.outcome == "partial" and codes(f, "error") == ["missing-item"] and f.findings[0].item == "1-2"  # item 1, its 2nd row


def test_a_row_typed_in_is_an_extra_row_warning_and_kept_out_of_the_master(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    simulate.insert_row(filled, rnd.inbox / "extra_row.xlsx", None, {"序号": "3", "项目名称": "自行增加的工作", "进展情况": "已开展。"})
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["extra-row"] and f.findings[0].value == "自行增加的工作"


# ---- files: late, sign-off, twice, forged, other rounds, copies, broken ---------------------------------
def test_a_file_saved_after_the_due_date_is_late(rnd):
    rnd.fill(DGRC, saved_at=dt.datetime(2022, 7, 5, 10, 0))
    result = rnd.collect()
    f = only(result)
    assert f.outcome == "accepted" and f.late and codes(f) == ["late"]
    assert result.late_units == [DGRC]


def test_empty_signoff_is_a_warning(rnd):
    rnd.fill(DGRC, signoff={})
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["missing-signoff", "missing-signoff"]
    assert [x.column for x in f.findings] == ["填报人", "单位负责人审核"]


def test_the_newest_of_two_files_wins_and_the_other_is_superseded(rnd):
    rnd.fill(DGRC, name="first.xlsx", saved_at=dt.datetime(2022, 6, 30, 9, 0),
             answers=rnd.answers(DGRC, 进展情况="旧的说法。"))
    rnd.fill(DGRC, name="second.xlsx", saved_at=dt.datetime(2022, 7, 1, 9, 0),
             answers=rnd.answers(DGRC, 进展情况="新的说法。"))
    result = rnd.collect()
    assert only(result, "first").outcome == "superseded" and only(result, "second").outcome == "accepted"
    assert rnd.master()[rnd.keys(DGRC)[0]]["进展情况"].value == "新的说法。"


def test_a_newer_file_in_a_later_collect_supersedes_the_merged_one(rnd, tmp_path):
    rnd.fill(DGRC, name="first.xlsx", saved_at=dt.datetime(2022, 6, 30, 9, 0), answers=rnd.answers(DGRC, 进展情况="旧的说法。"))
    rnd.collect()
    rnd.fill(DGRC, name="second.xlsx", saved_at=dt.datetime(2022, 7, 2, 9, 0), answers=rnd.answers(DGRC, 进展情况="新的说法。"))
    result = rnd.collect()
    assert only(result, "second").outcome == "accepted"
    assert rnd.master()[rnd.keys(DGRC)[0]]["进展情况"].value == "新的说法。"
    with Ledger(rnd.ws.ledger_path) as ledger:
        outcomes = dict(ledger.db.execute("SELECT file_name, outcome FROM submissions"))
    assert outcomes == {"first.xlsx": "superseded", "second.xlsx": "accepted"}


def test_an_older_file_arriving_later_is_superseded(rnd):
    rnd.fill(DGRC, name="second.xlsx", saved_at=dt.datetime(2022, 7, 2, 9, 0), answers=rnd.answers(DGRC, 进展情况="新的说法。"))
    rnd.collect()
    rnd.fill(DGRC, name="first.xlsx", saved_at=dt.datetime(2022, 6, 30, 9, 0), answers=rnd.answers(DGRC, 进展情况="旧的说法。"))
    assert only(rnd.collect(), "first").outcome == "superseded"
    assert rnd.master()[rnd.keys(DGRC)[0]]["进展情况"].value == "新的说法。"


def test_metadata_rewritten_for_another_unit_has_a_bad_signature(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    simulate.retarget_metadata(filled, rnd.inbox / "forged_unit.xlsx", unit=EDU)
    f = only(rnd.collect())
    assert f.outcome == "rejected" and codes(f) == ["bad-signature"]


def test_a_file_of_another_round_is_wrong_round_and_names_its_round(rnd):
    other = {f.unit: f for f in generate(rnd.ws, "2022-09-03").files}
    simulate.fill(other[DGRC].path, rnd.inbox / "september.xlsx", rnd.answers(DGRC), saved_at=ON_TIME)
    f = only(rnd.collect(round_name=ROUND))
    assert f.outcome == "rejected" and codes(f) == ["wrong-round"] and "2022-09-03" in f.findings[0].message


def test_a_file_of_another_workspace_is_rejected(rnd, tmp_path):
    other_ws, _ = init_workspace(tmp_path / "other", IMPORT / "heshan_categories_groups_nodes.xlsx")
    other = {f.unit: f for f in generate(other_ws, ROUND).files}
    simulate.fill(other[DGRC].path, rnd.inbox / "other_workspace.xlsx", rnd.answers(DGRC), saved_at=ON_TIME)
    f = only(rnd.collect())
    assert f.outcome == "rejected" and codes(f) == ["wrong-round"]


def test_a_table_copied_into_a_new_workbook_is_identified_by_content(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    simulate.copy_to_new_workbook(filled, rnd.inbox / "copied.xlsx", saved_at=ON_TIME)
    f = only(rnd.collect())
    assert f.outcome == "accepted" and f.unit == DGRC and codes(f) == ["identified-by-content"]
    assert rnd.master()[rnd.keys(DGRC)[0]]["完成状态"].value == "基本按进度完成"


def test_a_copy_whose_unit_cannot_be_told_is_unidentified_saying_what_was_tried(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    plain = simulate.copy_to_new_workbook(filled, rnd.tmp / "plain.xlsx", saved_at=ON_TIME)
    wb = openpyxl.load_workbook(plain)
    wb.active["A2"] = None  # the 报送单位 line gone, and the item titles retyped
    for r in range(5, 5 + len(rnd.keys(DGRC))):
        wb.active.cell(r, 2).value = "GDP增长" if r < 10 else "投资增长"
    wb.save(rnd.inbox / "unknown.xlsx")
    f = only(rnd.collect())
    assert f.outcome == "unidentified" and codes(f) == ["unidentified"]
    assert "已尝试" in f.findings[0].message and "文件名" in f.findings[0].message


@pytest.mark.parametrize("name, data, code", [
    ("zero_bytes.xlsx", b"", "empty-file"),
    ("truncated_zip.xlsx", None, "corrupt"),
    ("word_renamed.xlsx", (IMPORT / "basic_table.docx").read_bytes(), "wrong-format"),
    ("encrypted.xlsx", (IMPORT / "encrypted.xlsx").read_bytes(), "encrypted"),
])
def test_broken_files_are_unreadable_and_the_rest_is_collected(rnd, name, data, code):
    rnd.fill(EDU)
    if data is None:
        good = rnd.generated[DGRC].path.read_bytes()
        data = good[: len(good) // 2]
    (rnd.inbox / name).write_bytes(data)
    result = rnd.collect()
    bad = only(result, name)
    assert bad.outcome == "unreadable" and codes(bad) == [code] and name in bad.findings[0].message
    assert only(result, "市教育局").outcome == "accepted"


def test_lock_files_and_non_spreadsheets_are_ignored(rnd):
    rnd.fill(EDU)
    (rnd.inbox / "~$报送表.xlsx").write_bytes(b"lock")
    (rnd.inbox / "desktop.ini").write_text("[.ShellClassInfo]")
    (rnd.inbox / "说明.txt").write_text("请查收")
    result = rnd.collect()
    outcomes = {f.name: f.outcome for f in result.files}
    assert outcomes["~$报送表.xlsx"] == outcomes["desktop.ini"] == outcomes["说明.txt"] == "ignored"


# ---- what units do to the layout -------------------------------------------------------------------------
def test_reordered_columns_renamed_and_added_sheets_still_read_right(rnd):
    step1 = rnd.fill(DGRC, folder=rnd.tmp)
    step2 = simulate.reorder_columns(step1, rnd.tmp / "s2.xlsx", ["完成状态", "进展情况", "存在问题", "下一步工作计划", "完成时间", "备注"])
    step3 = simulate.rename_sheet(step2, rnd.tmp / "s3.xlsx", "我的报送")
    simulate.add_sheet(step3, rnd.inbox / "rearranged.xlsx", "说明")
    f = only(rnd.collect())
    assert f.outcome == "accepted", f.findings
    assert rnd.master()[rnd.keys(DGRC)[0]]["完成状态"].value == "基本按进度完成"


@needs_office
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_files_resaved_by_libreoffice_as_xls_or_ods_are_accepted(rnd, fmt):
    filled = rnd.fill(DGRC, folder=rnd.tmp, answers=rnd.answers(DGRC, 完成状态="已完成", 完成时间=dt.date(2022, 6, 28)))
    simulate.save_as(filled, fmt, rnd.inbox)
    f = only(rnd.collect())
    assert f.outcome == "accepted" and f.name.endswith(fmt), f.findings
    assert rnd.master()[rnd.keys(DGRC)[0]]["完成时间"].value == "2022-06-28"


# ---- the master ------------------------------------------------------------------------------------------
def test_a_master_cell_edited_by_hand_is_not_overwritten(rnd):
    rnd.fill(DGRC, name="first.xlsx", saved_at=dt.datetime(2022, 6, 30, 9, 0))
    rnd.collect()
    key = rnd.keys(DGRC)[0]
    wb = openpyxl.load_workbook(rnd.ws.master_path)
    sheet = wb["总台账"]
    col = [c.value for c in sheet[2]].index("进展情况") + 1
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
    sheet.cell(row, col).value = "督查室核实后改写的内容"
    wb.save(rnd.ws.master_path)
    rnd.fill(DGRC, name="second.xlsx", saved_at=dt.datetime(2022, 7, 1, 9, 0), answers=rnd.answers(DGRC, 进展情况="单位的新说法。"))
    result = rnd.collect()
    assert [c.code for c in result.conflicts] == ["master-conflict"]
    master = rnd.master()
    assert master[key]["进展情况"].value == "督查室核实后改写的内容"
    assert master[rnd.keys(DGRC)[1]]["进展情况"].value == "单位的新说法。"


def test_a_master_saved_by_hand_after_collect_read_it_is_read_again_not_patched_blindly(rnd, monkeypatch):
    """collect reads the master early, on the other core; a clerk saving it in Excel before
    the update must not have the update patched into a layout it no longer has."""
    from toolkit.store.master import read_master

    rnd.fill(DGRC, name="first.xlsx", saved_at=dt.datetime(2022, 6, 30, 9, 0))
    rnd.collect()
    stale = read_master(rnd.ws.master_path, rnd.ws.config())
    wb = openpyxl.load_workbook(rnd.ws.master_path)
    sheet = wb["总台账"]
    for merged in list(sheet.merged_cells.ranges):  # openpyxl would not move them with the rows
        sheet.unmerge_cells(str(merged))
    sheet.insert_rows(3)  # every row moves down one
    sheet.cell(3, 2).value = "督查室插入的说明行"
    wb.save(rnd.ws.master_path)
    monkeypatch.setattr("toolkit.collect.run.read_master", lambda path, cfg: stale)  # as if read before the save
    rnd.fill(DGRC, name="second.xlsx", saved_at=dt.datetime(2022, 7, 1, 9, 0), answers=rnd.answers(DGRC, 进展情况="单位的新说法。"))
    assert only(rnd.collect(), "second").outcome == "accepted"
    assert [rnd.master()[k]["进展情况"].value for k in rnd.keys(DGRC)] == ["单位的新说法。"] * len(rnd.keys(DGRC))
    assert openpyxl.load_workbook(rnd.ws.master_path)["总台账"].cell(3, 2).value == "督查室插入的说明行"


@pytest.mark.parametrize("text", ["=1+1", "+86 0750", "-5%", "@SUM(A1)", '=HYPERLINK("http://x","点我")'])
def test_unit_text_that_looks_like_a_formula_stays_text(rnd, text):
    rnd.fill(DGRC, answers=rnd.answers(DGRC, 进展情况=text))
    assert only(rnd.collect()).outcome == "accepted"
    cell = rnd.master()[rnd.keys(DGRC)[0]]["进展情况"]
    assert cell.value == text and cell.data_type == "s"


# ---- status ----------------------------------------------------------------------------------------------
def test_status_json_shows_the_merged_state(rnd, run):
    for unit in rnd.generated:
        if unit != EDU:
            rnd.fill(unit, saved_at=dt.datetime(2022, 7, 5) if unit == DGRC else ON_TIME)
    rnd.collect()
    code, out = run("status", "-w", rnd.ws.root, "--json")
    assert code == 0 and out["round"] == ROUND
    units = {u["name"]: u for u in out["units"]}
    assert units[EDU] == {"name": EDU, "submitted": False, "late": False, "file": None}
    assert units[DGRC]["submitted"] and units[DGRC]["late"]
    item = out["items"][0]
    assert set(item) == {"key", "number", "title", "category", "leader", "lead_unit", "units", "other_units", "deadline", "status",
                         "reports", "history", "trend"}
    # one round collected: its history is this round, dated by the file's own save time (late)
    assert [(h["round"], h["status"], h["date"]) for h in item["history"]] == [(ROUND, item["status"], "2022-07-05")]
    assert item["trend"] is None
    assert item["reports"][0] == {"unit": DGRC, "node": None, "status": "基本按进度完成", "progress": "1-6月，按计划推进，完成阶段目标。",
                                  "problems": "", "next_steps": "继续推进。", "completed_on": "",
                                  "file": rnd.generated[DGRC].path.name}


def test_report_workbook_lists_outcomes_and_a_correction_sheet_per_unit(rnd):
    rnd.fill(DGRC, answers=two_rows(rnd, {"完成状态": "完成了"}, {}))
    rnd.fill(EDU)
    result = rnd.collect()
    wb = openpyxl.load_workbook(result.report_path)
    assert wb.sheetnames[0] == "收集情况" and DGRC in wb.sheetnames
    summary = {r[0]: r[1] for r in wb["收集情况"].iter_rows(min_row=3, values_only=True)}
    assert summary[DGRC] == "部分采纳" and summary[EDU] == "已采纳" and summary["市委办公室"] == "缺报"
    sheet = wb[DGRC]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))  # title, what to do by when, header
    assert rows[0][1:7] == ("5", "1", "地区生产总值（GDP）增长10.5%。", "完成状态", "完成了", "须改正")


def test_workers_started_afresh_as_on_windows_collect_the_same(rnd, monkeypatch):
    """Windows has no fork: the workers get the run's context pickled. It must survive that."""
    monkeypatch.setenv("DUBAN_START", "spawn")
    rnd.fill_all()
    result = rnd.collect()
    assert {f.outcome for f in result.files} == {"accepted"} and result.missing_units == []


def test_signoff_read_from_cells_or_written_inline():
    from toolkit.collect.extract import _signoff

    labels = (("填报人", "filled_by"), ("联系电话", "phone"), ("单位负责人审核", "approved_by"), ("填报日期", "filled_on"))
    rows = [["", "填报人：", "张三", "联系电话:", "", "单位负责人审核： 李四", "填报日期", "2022年7月1日"]]
    assert _signoff(rows, labels) == {"filled_by": "张三", "phone": "", "approved_by": "李四", "filled_on": "2022年7月1日"}


def test_a_units_correction_sheet_lists_only_what_it_can_fix(rnd):
    rnd.fill(EDU, saved_at=dt.datetime(2022, 7, 9))  # late, nothing to fix
    rnd.fill(DGRC, signoff={"填报人": "张三"})  # the head's review missing: the unit must fix it
    result = rnd.collect()
    wb = openpyxl.load_workbook(result.report_path)
    assert EDU not in wb.sheetnames and DGRC in wb.sheetnames
    summary = {r[0]: r[4] for r in wb["收集情况"].iter_rows(min_row=3, values_only=True)}
    assert summary[EDU] == "是"  # the office still sees the lateness


def test_a_signoff_written_inline_ends_the_table_and_is_read(rnd):
    filled = rnd.fill(DGRC, signoff={}, folder=rnd.tmp)
    wb = openpyxl.load_workbook(filled)
    sheet = wb["报送表"]
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 2).value == "填报人：")
    for c in range(1, 13):
        sheet.cell(row, c).value = None
    sheet.cell(row, 1).value = "填报人：张三"
    sheet.cell(row, 5).value = "单位负责人审核：李四"
    wb.save(rnd.inbox / "inline_signoff.xlsx")
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["late"]  # saved now by openpyxl: late, nothing else


def test_a_deleted_master_is_rebuilt_from_the_ledger(rnd):
    rnd.fill_all()
    rnd.collect()
    rnd.ws.master_path.unlink()
    again = rnd.collect()
    assert {f.outcome for f in again.files} == {"unchanged"}
    assert rnd.master()[rnd.keys(DGRC)[0]]["进展情况"].value == "1-6月，按计划推进，完成阶段目标。"


def test_a_broken_master_stops_with_exit_3_and_says_how_to_recover(rnd, run):
    rnd.fill(EDU)
    rnd.ws.master_path.write_bytes(b"not a workbook")
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root)
    assert code == 3 and "backups" in out and "Traceback" not in out
