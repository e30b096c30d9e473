"""The clerk's edits of unit answers in master.xlsx are office corrections: recorded in the
ledger beside the unit's own text, shown by the summary, status --json and the next round's
pre-filled workbooks. A real workspace (the small Heshan table), real generated workbooks,
a master edited with openpyxl or saved by LibreOffice, every output read back."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from conftest import IMPORT, needs_office

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger
from toolkit.summary.run import summary

ROUND, NEXT = "2022-07-03", "2022-09-03"
DGRC = "市发展改革局"  # reports on 地区生产总值 and 固定资产投资
SENT = "1-6月，地区生产总值增长3.1%。"
FIXED = "1-6月，地区生产总值增长3.4%（督查室核实统计局数据后更正）。"


def row_keys(workbook) -> list[str]:
    """The row keys of a generated workbook, from its signed metadata."""
    import python_calamine as pc

    from toolkit.core.signing import META_SHEET, from_cells

    return [k for k, _ in from_cells(pc.CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(META_SHEET).to_python()).rows]


class Workspace:
    """The small Heshan workspace with ROUND generated; DGRC's answers collected."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.ws, _ = init_workspace(tmp_path / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
        self.outbox = {f.unit: f.path for f in generate(self.ws, ROUND).files}
        self.gdp = self.key("地区生产总值")

    def key(self, title: str) -> str:
        ledger = Ledger(self.ws.ledger_path)
        try:
            return next(it.key for it in ledger.items() if it.title.lstrip("★").startswith(title))
        finally:
            ledger.close()

    def send(self, name: str, progress: str, saved_at: dt.datetime, rnd: str = ROUND, other: str = "按计划推进。"):
        """DGRC's workbook for `rnd`, GDP answered with `progress`, the other rows with `other`,
        then collected."""
        inbox = self.tmp / f"inbox-{name}"
        source = self.outbox[DGRC] if rnd == ROUND else self.next_outbox[DGRC]
        answers = {k: {"进展情况": progress if k == self.gdp else other, "完成状态": "基本按进度完成", "下一步工作计划": "继续推进。"}
                   for k in row_keys(source)}
        simulate.fill(source, inbox / f"{name}.xlsx", answers, saved_at=saved_at)
        return collect(self.ws, inbox)

    def edit_master(self, header: str, value: str, key: str | None = None) -> None:
        wb = openpyxl.load_workbook(self.ws.master_path)
        sheet = wb["总台账"]
        col = [c.value for c in sheet[2]].index(header) + 1
        row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == (key or self.gdp))
        sheet.cell(row, col).value = value
        wb.save(self.ws.master_path)

    def master_value(self, header: str, key: str | None = None) -> str:
        sheet = openpyxl.load_workbook(self.ws.master_path)["总台账"]
        col = [c.value for c in sheet[2]].index(header) + 1
        return next(sheet.cell(r, col).value for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == (key or self.gdp))

    def corrections(self) -> list[tuple]:
        ledger = Ledger(self.ws.ledger_path)
        try:
            return list(ledger.db.execute("SELECT item_key, unit, round, field, old_value, new_value FROM corrections ORDER BY id"))
        finally:
            ledger.close()

    def sent(self, key: str | None = None) -> list[str]:
        """The unit's own 进展情况 for the row, as the ledger keeps it, per round."""
        ledger = Ledger(self.ws.ledger_path)
        try:
            return [r["fields"]["progress"] for r in ledger.current_reports() if r["key"] == (key or self.gdp)]
        finally:
            ledger.close()

    def summary_text(self) -> str:
        """Every 完成情况 cell of the summary workbook, as written."""
        sheet = openpyxl.load_workbook(summary(self.ws, ROUND).xlsx)["完成情况汇总表"]
        col = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(3, c).value == "完成情况")
        return "\n".join(str(sheet.cell(r, col).value or "") for r in range(4, sheet.max_row + 1))


@pytest.fixture
def w(tmp_path):
    w = Workspace(tmp_path)
    w.send("first", SENT, dt.datetime(2022, 7, 1, 9, 0))
    return w


def status_progress(run, w) -> str:
    code, out = run("status", "-w", w.ws.root, "--round", ROUND, "--json")
    assert code in (0, 1)
    item = next(i for i in out["items"] if i["key"] == w.gdp)
    return next(r["progress"] for r in item["reports"] if r["unit"] == DGRC)


def save_with_libreoffice(w) -> None:
    """The master opened and saved by LibreOffice (as a clerk's WPS or LibreOffice does)."""
    saved = simulate.save_as(w.ws.master_path, "xlsx", w.tmp / "lo")
    shutil.copyfile(saved, w.ws.master_path)


@pytest.mark.parametrize("saved_by", ["openpyxl", pytest.param("libreoffice", marks=needs_office)])
def test_an_edit_of_progress_shows_in_summary_and_status_and_the_ledger_keeps_the_unit_text(w, run, saved_by):
    w.edit_master("进展情况", FIXED)
    if saved_by == "libreoffice":
        save_with_libreoffice(w)
    assert status_progress(run, w) == FIXED
    assert w.corrections() == []  # status never writes: the edit is applied on the fly
    text = w.summary_text()
    assert FIXED in text and SENT not in text
    assert w.corrections() == [(w.gdp, DGRC, ROUND, "progress", SENT, FIXED)]
    assert w.sent() == [SENT]  # the unit's own answer stays
    assert status_progress(run, w) == FIXED
    w.summary_text()
    assert collect(w.ws, w.tmp / "inbox-first").files[0].outcome == "unchanged"
    assert len(w.corrections()) == 1  # read again by summary and collect: no duplicate


def test_the_next_rounds_workbook_is_prefilled_with_the_corrected_answer(w):
    w.edit_master("进展情况", FIXED)
    workbook = next(f.path for f in generate(w.ws, NEXT).files if f.unit == DGRC)
    texts = [c.value for row in openpyxl.load_workbook(workbook).active.iter_rows() for c in row]
    assert FIXED in texts and SENT not in texts
    assert w.corrections() == [(w.gdp, DGRC, ROUND, "progress", SENT, FIXED)]


def test_a_later_file_of_the_same_round_does_not_undo_the_correction_and_is_named(w, run):
    w.edit_master("进展情况", FIXED)
    result = w.send("second", "单位的新说法。", dt.datetime(2022, 7, 2, 9, 0), other="单位的另一新说法。")
    assert result.files[0].outcome == "accepted"
    conflict = [c for c in result.conflicts if c.item == w.gdp]
    assert [c.code for c in conflict] == ["master-conflict"] and "单位的新说法。" in conflict[0].message
    assert w.master_value("进展情况") == FIXED and status_progress(run, w) == FIXED
    other = w.key("固定资产投资")  # not corrected: the unit's new text
    assert w.master_value("进展情况", other) == "单位的另一新说法。"
    assert w.sent() == ["单位的新说法。"] and w.corrections()[0][4:] == (SENT, FIXED)


def test_to_take_the_units_new_text_the_clerk_types_it_in_and_the_warning_stops(w):
    w.edit_master("进展情况", FIXED)
    w.send("second", "单位的新说法。", dt.datetime(2022, 7, 2, 9, 0))
    w.edit_master("进展情况", "单位的新说法。")
    again = collect(w.ws, w.tmp / "inbox-second")
    assert again.conflicts == [] and w.master_value("进展情况") == "单位的新说法。"
    assert [c[4:] for c in w.corrections()] == [(SENT, FIXED), (FIXED, "单位的新说法。")]


def test_a_later_rounds_report_shows_as_the_unit_sent_it(w, run):
    w.edit_master("进展情况", FIXED)
    w.summary_text()  # recorded
    w.next_outbox = {f.unit: f.path for f in generate(w.ws, NEXT).files}
    w.send("september", "1-8月，地区生产总值增长3.6%。", dt.datetime(2022, 9, 1, 9, 0), rnd=NEXT)
    assert w.master_value("进展情况") == "1-8月，地区生产总值增长3.6%。"
    code, out = run("status", "-w", w.ws.root, "--round", NEXT, "--json")
    item = next(i for i in out["items"] if i["key"] == w.gdp)
    assert item["reports"][0]["progress"] == "1-8月，地区生产总值增长3.6%。"
    assert status_progress(run, w) == FIXED  # the July round keeps its correction


def test_an_edit_in_a_row_nobody_had_reported_on_corrects_the_first_report(tmp_path, run):
    w = Workspace(tmp_path)
    w.edit_master("进展情况", FIXED)
    result = w.send("first", SENT, dt.datetime(2022, 7, 1, 9, 0))
    assert [c.code for c in result.conflicts if c.item == w.gdp] == ["master-conflict"]
    assert w.master_value("进展情况") == FIXED and status_progress(run, w) == FIXED
    assert w.corrections() == [(w.gdp, DGRC, ROUND, "progress", SENT, FIXED)]


@pytest.mark.parametrize("command", [["status", "--json"], ["summary"], ["generate", "--round", NEXT]])
def test_a_broken_master_is_a_clear_error_with_exit_3_and_the_ledger_is_kept(w, run, command):
    w.edit_master("进展情况", FIXED)
    w.ws.master_path.write_bytes(b"PK\x03\x04 half a workbook")
    before = w.sent()
    code, out = run(*command, "-w", w.ws.root)
    assert code == 3 and "总台账" in out and ".duban/backups" in out and "Traceback" not in out
    assert w.sent() == before and w.corrections() == []


def test_collect_with_a_broken_master_stops_before_the_ledger_changes(w, run):
    simulate.fill(w.outbox["市教育局"], w.tmp / "inbox-edu" / "edu.xlsx",
                  {k: {"进展情况": "推进中。", "完成状态": "基本按进度完成"} for k in row_keys(w.outbox["市教育局"])},
                  saved_at=dt.datetime(2022, 7, 1, 9, 0))
    w.ws.master_path.write_bytes(b"not a workbook")
    code, out = run("collect", w.tmp / "inbox-edu", "-w", w.ws.root)
    assert code == 3 and "总台账" in out
    ledger = Ledger(w.ws.ledger_path)
    units = [u for (u,) in ledger.db.execute("SELECT unit FROM submissions")]
    ledger.close()
    assert units == [DGRC]  # the new file is not recorded: collected again once the master is back
    w.ws.master_path.unlink()  # deleted, as the message allows: rebuilt from the ledger
    code, out = run("collect", w.tmp / "inbox-edu", "-w", w.ws.root, "--json")
    assert code in (0, 1) and [f["outcome"] for f in out["files"]] == ["accepted"]
    assert w.master_value("进展情况") == SENT


def test_a_corrected_status_leads_the_summary_and_colours_the_dashboard(w, run):
    w.edit_master("完成状态", "暂缓实施")
    w.edit_master("进展情况", FIXED)
    html = w.tmp / "看板.html"
    code, _ = run("status", "-w", w.ws.root, "--round", ROUND, "--html", html)
    page = html.read_text(encoding="utf-8")
    warnings = page[page.index("红色预警"):]
    assert FIXED in warnings and SENT not in page  # a problem status: red, with the corrected text
    assert "暂缓实施。" + FIXED in w.summary_text()
    assert sorted(c[3:] for c in w.corrections()) == [("progress", SENT, FIXED), ("status", "基本按进度完成", "暂缓实施")]


def test_a_summary_beside_a_command_holding_the_lock_shows_the_edit_and_records_it_later(w):
    w.edit_master("进展情况", FIXED)
    with w.ws.lock("collect"):  # a collect rewriting the master and the ledger right now
        assert FIXED in w.summary_text()
        assert w.corrections() == []
    assert FIXED in w.summary_text()
    assert w.corrections() == [(w.gdp, DGRC, ROUND, "progress", SENT, FIXED)]
