"""master.xlsx as a clerk edits it by hand: a report column renamed, deleted or added twice, an
item row deleted, the sheet renamed or moved, a column inserted before 键. New reports always
reach the ledger; the master is written where duban can tell its cells, and where it cannot,
the clerk is told exactly what to put right in master.xlsx, and nothing the clerk typed is
lost or taken for a correction it is not. A real workspace (the small Heshan table), real
generated and filled workbooks, the master edited with openpyxl."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from conftest import IMPORT

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger
from toolkit.store.master import read_master
from toolkit.store.workspace import Workspace

ROUND = "2022-07-03"
DGRC, EDU = "市发展改革局", "市教育局"


def _keys(workbook) -> list[str]:
    import python_calamine as pc

    from toolkit.core.signing import META_SHEET, from_cells

    return [k for k, _ in from_cells(pc.CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(META_SHEET).to_python()).rows]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A workspace with the round generated (nothing collected), and DGRC's and EDU's filled
    workbooks each in an inbox folder of its own."""
    root = tmp_path_factory.mktemp("master-edits")
    ws, _ = init_workspace(root / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    outbox = {f.unit: f.path for f in generate(ws, ROUND).files}
    for unit, folder in ((DGRC, "inbox-dgrc"), (EDU, "inbox-edu")):
        answers = {k: {"进展情况": f"{unit}：第{i}行按计划推进。", "完成状态": "基本按进度完成", "下一步工作计划": "继续推进。"}
                   for i, k in enumerate(_keys(outbox[unit]))}
        simulate.fill(outbox[unit], root / folder / f"{unit}.xlsx", answers, saved_at=dt.datetime(2022, 7, 1, 9, 0))
    return root


class Master:
    """A copy of the base workspace, and master.xlsx opened with openpyxl to edit."""

    def __init__(self, base, tmp_path):
        shutil.copytree(base, tmp_path / "w")
        self.root = tmp_path / "w"
        self.ws = Workspace(self.root / "ws")

    def collect(self, unit: str):
        return collect(self.ws, self.root / ("inbox-dgrc" if unit == DGRC else "inbox-edu"))

    def edit(self, change) -> None:
        wb = openpyxl.load_workbook(self.ws.master_path)
        change(wb["总台账"] if "总台账" in wb.sheetnames else wb.worksheets[0], wb)
        wb.save(self.ws.master_path)

    def header(self) -> list:
        sheet = self.sheet()
        return [c.value for c in sheet[2]]

    def sheet(self):
        wb = openpyxl.load_workbook(self.ws.master_path)
        return next(s for s in wb.worksheets if any(c.value == "键" for c in s[2]))

    def column(self, header: str, nth: int = 0) -> dict[str, str | None]:
        """key → the cell under the nth column headed `header`."""
        sheet = self.sheet()
        heads = [c.value for c in sheet[2]]
        key_col = heads.index("键") + 1
        col = [i for i, h in enumerate(heads) if h == header][nth] + 1
        return {sheet.cell(r, key_col).value: sheet.cell(r, col).value for r in range(3, sheet.max_row + 1)
                if sheet.cell(r, key_col).value}

    def ledger(self, sql: str) -> list[tuple]:
        with Ledger(self.ws.ledger_path) as ledger:
            return list(ledger.db.execute(sql))

    def progress_sent(self, unit: str) -> dict[str, str]:
        with Ledger(self.ws.ledger_path) as ledger:
            return {r["key"]: r["fields"]["progress"] for r in ledger.current_reports(ROUND) if r["unit"] == unit}


@pytest.fixture
def m(base, tmp_path):
    return Master(base, tmp_path)


def _set_header(old: str, new: str, nth: int = 0):
    def change(sheet, wb):
        cols = [c for c in sheet[2] if c.value == old]
        cols[nth].value = new
    return change


def _codes(result) -> list[str]:
    return [c.key for c in result.conflicts]


# -- a report column renamed or deleted ------------------------------------------------------------


def test_a_renamed_progress_header_is_told_and_the_new_reports_reach_the_ledger_and_later_the_master(m):
    m.collect(DGRC)
    m.edit(_set_header("进展情况", "进展情况（截至6月）"))
    result = m.collect(EDU)
    assert result.files[0].outcome == "accepted"
    told = [c for c in result.conflicts if c.key == "master-column-missing"]
    assert len(told) == 1 and "“进展情况”" in told[0].message and "改回" in told[0].message
    sent = m.progress_sent(EDU)
    assert sent and all(v.startswith(EDU) for v in sent.values())  # in the ledger
    renamed = m.column("进展情况（截至6月）")
    assert not any(renamed[k] for k in sent)  # not written under the clerk's header
    m.edit(_set_header("进展情况（截至6月）", "进展情况"))  # put back as told
    again = m.collect(EDU)
    assert again.files[0].outcome == "unchanged" and "master-column-missing" not in _codes(again)
    shown = m.column("进展情况")
    assert all(shown[k] == v for k, v in sent.items())


def test_a_deleted_status_column_is_told_and_written_again_once_added_back_at_the_right(m):
    m.collect(DGRC)

    def delete_status(sheet, wb):
        sheet.delete_cols([c.value for c in sheet[2]].index("完成状态") + 1)
    m.edit(delete_status)
    result = m.collect(EDU)
    assert [c.column for c in result.conflicts if c.key == "master-column-missing"] == ["完成状态"]

    def add_at_right(sheet, wb):
        sheet.cell(2, sheet.max_column + 1).value = "完成状态"
    m.edit(add_at_right)
    again = m.collect(EDU)  # the column is empty where DGRC's answers were: refilled, no edit of them
    assert _codes(again) == ["master-column-refilled"]
    for unit in (DGRC, EDU):
        assert set(v for k, v in m.column("完成状态").items() if k in m.progress_sent(unit)) == {"基本按进度完成"}
    assert m.ledger("SELECT COUNT(*) FROM corrections") == [(0,)]
    assert m.collect(EDU).conflicts == []


def test_an_edit_typed_under_a_renamed_header_is_not_lost_and_counts_once_the_header_is_back(m):
    m.collect(DGRC)
    key = next(iter(m.progress_sent(DGRC)))

    def rename_and_edit(sheet, wb):
        heads = [c.value for c in sheet[2]]
        col = heads.index("进展情况") + 1
        sheet.cell(2, col).value = "进展"
        row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
        sheet.cell(row, col).value = "督查室核实后更正的进展。"
    m.edit(rename_and_edit)
    m.collect(EDU)
    assert m.column("进展")[key] == "督查室核实后更正的进展。"  # untouched while duban cannot tell the column
    m.edit(_set_header("进展", "进展情况"))
    m.collect(EDU)
    assert m.ledger("SELECT item_key, new_value FROM corrections") == [(key, "督查室核实后更正的进展。")]
    assert m.column("进展情况")[key] == "督查室核实后更正的进展。"


def test_import_will_not_rewrite_a_master_whose_report_column_is_renamed_and_says_which(m, run):
    m.collect(DGRC)
    m.edit(_set_header("进展情况", "工作进展"))
    before = m.ledger("SELECT COUNT(*) FROM imports")
    code, out = run("import", IMPORT / "heshan_categories_groups_nodes.xlsx", "-w", m.ws.root)
    assert code == 3 and "“进展情况”" in out and "改回" in out and "Traceback" not in out
    assert m.ledger("SELECT COUNT(*) FROM imports") == before
    assert "工作进展" in m.header()  # the master as the clerk left it


# -- an item row deleted ---------------------------------------------------------------------------


def test_a_deleted_item_row_is_named_and_its_new_report_is_written_once_the_row_is_back(m):
    m.collect(DGRC)
    saved = m.ws.master_path.read_bytes()
    key = next(iter(_keys_of(m, EDU)))

    def delete_row(sheet, wb):
        sheet.delete_rows(next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == key))
    m.edit(delete_row)
    result = m.collect(EDU)
    told = [c for c in result.conflicts if c.key == "master-row-missing"]
    assert [c.item for c in told] == [key] and EDU in told[0].message and ".duban/backups" in told[0].message
    assert key in m.progress_sent(EDU)
    m.ws.master_path.write_bytes(saved)  # the row copied back from the backup
    again = m.collect(EDU)
    assert "master-row-missing" not in _codes(again)
    assert m.column("进展情况")[key] == m.progress_sent(EDU)[key]


def test_a_row_whose_key_was_typed_over_is_told_like_a_deleted_one(m):
    key = next(iter(_keys_of(m, EDU)))

    def retype(sheet, wb):
        next(c for c in sheet["A"] if c.value == key).value = key + "x"
    m.edit(retype)
    result = m.collect(EDU)
    assert [c.item for c in result.conflicts if c.key == "master-row-missing"] == [key]


def _keys_of(m, unit) -> list[str]:
    outbox = m.ws.round_dir(ROUND) / "outbox"
    return _keys(next(p for p in outbox.glob("*.xlsx") if unit in p.name))


# -- a column added with a report's header ---------------------------------------------------------


def _add_column(header: str, notes: dict[int, str]):
    def change(sheet, wb):
        col = sheet.max_column + 1
        sheet.cell(2, col).value = header
        for row, text in notes.items():
            sheet.cell(row, col).value = text
    return change


def test_a_column_added_with_the_progress_header_gives_no_false_conflict_and_is_left_alone(m):
    m.collect(DGRC)
    m.edit(_add_column("进展情况", {r: "督查室：待核实" for r in range(3, 40)}))
    result = m.collect(EDU)
    assert [c.key for c in result.conflicts] == ["master-column-duplicate:settled"]
    assert "督查室" not in " ".join(v for v in m.progress_sent(EDU).values())
    assert m.ledger("SELECT COUNT(*) FROM corrections") == [(0,)]
    ours, theirs = m.column("进展情况", 0), m.column("进展情况", 1)
    assert all(ours[k] == v for k, v in m.progress_sent(EDU).items())
    assert set(filter(None, theirs.values())) == {"督查室：待核实"}  # the clerk's column as typed


def test_a_column_added_with_a_reports_header_before_anything_was_written_is_told_not_guessed(m):
    m.edit(_add_column("进展情况", {5: "督查室：请补充照片"}))
    result = m.collect(EDU)
    told = [c for c in result.conflicts if c.key == "master-column-duplicate"]
    assert len(told) == 1 and "改个名字" in told[0].message
    assert m.ledger("SELECT COUNT(*) FROM corrections") == [(0,)]  # the clerk's note is no correction
    assert m.progress_sent(EDU)  # in the ledger
    m.edit(_set_header("进展情况", "督查室意见", nth=1))
    again = m.collect(EDU)
    assert again.conflicts == []
    assert all(m.column("进展情况")[k] == v for k, v in m.progress_sent(EDU).items())
    assert "督查室：请补充照片" in m.column("督查室意见").values()


def test_import_will_not_rewrite_a_master_with_a_reports_header_twice(m, run):
    m.collect(DGRC)
    m.edit(_add_column("完成状态", {4: "督查室"}))
    code, out = run("import", IMPORT / "heshan_categories_groups_nodes.xlsx", "-w", m.ws.root)
    assert code == 3 and "完成状态" in out and "改个名字" in out
    assert "督查室" in m.column("完成状态", 1).values()


# -- the sheet renamed, moved, or its key column moved -----------------------------------------------


def test_a_renamed_master_sheet_behind_another_sheet_is_found_and_written(m):
    def rename(sheet, wb):
        sheet.title = "总台账（6月）"
        wb.create_sheet("说明", 0).cell(1, 1).value = "督查室内部使用"
    m.edit(rename)
    result = m.collect(EDU)
    assert result.conflicts == [] and result.master_cells_written
    wb = openpyxl.load_workbook(m.ws.master_path)
    assert wb.sheetnames == ["说明", "总台账（6月）", "历次情况"]  # duban's history sheet stays last
    assert all(m.column("进展情况")[k] == v for k, v in m.progress_sent(EDU).items())


def test_a_column_inserted_before_the_key_column_still_reads_every_row(m):
    m.collect(DGRC)
    m.edit(lambda sheet, wb: sheet.insert_cols(1))
    view = read_master(m.ws.master_path, m.ws.config())
    assert set(m.progress_sent(DGRC)) <= set(view.rows)
    result = m.collect(EDU)
    assert result.conflicts == []
    assert all(m.column("进展情况")[k] == v for k, v in m.progress_sent(EDU).items())


def test_a_master_without_a_key_header_names_its_sheets_and_what_to_put_back(m, run):
    def lose_key(sheet, wb):
        sheet.title = "台账"
        sheet.cell(2, 1).value = "编号"
    m.edit(lose_key)
    code, out = run("status", "-w", m.ws.root)
    assert code == 3 and "“台账”" in out and "“键”" in out and "改回" in out and "Traceback" not in out
