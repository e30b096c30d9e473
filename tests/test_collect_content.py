"""collect judging what is inside a returned workbook, the way real units leave it: a sheet
copied and filled in beside the original, last round's answers sent back unchanged, an
untouched copy of the blank workbook, answers in merged cells, invisible characters, a saved
time that is no time, text longer than Excel holds, grey columns deleted and keys swapped.
Real generated workbooks, filled and edited with openpyxl (LibreOffice where a format
matters), collected into a real workspace."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import time
import unicodedata
import zipfile

import openpyxl
import pytest
from conftest import needs_office
from test_collect import DGRC, EDU, ON_TIME, ROUND, Round, codes, only
from test_hostile import rewrite_part

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.core.text import EXCEL_CELL_LIMIT, excel_length, fit_cell, invisible_chars, strip_invisible
from toolkit.generate.run import generate
from toolkit.store.ledger import Ledger
from toolkit.store.office import convert
from toolkit.summary.run import ANSWER_LIMIT, summary

PREVIOUS = "2022-05-03"  # the round before ROUND, 第二次报送


@pytest.fixture
def rnd(tmp_path):
    return Round(tmp_path)


def answers(rnd, unit, **override):
    """Every row answered, each with a progress text of its own (so a row under the wrong item shows)."""
    base = {"完成状态": "基本按进度完成", "下一步工作计划": "继续推进。"}
    return {k: {**base, "进展情况": f"第{i + 1}行的进展：按计划推进。", **override} for i, k in enumerate(rnd.keys(unit))}


def first_row(rnd, unit, **fields):
    """Every row answered, the first with `fields` instead."""
    out = answers(rnd, unit)
    out[rnd.keys(unit)[0]].update(fields)
    return out


def progress(rnd, unit):
    """key → 进展情况 as the master shows it."""
    master = rnd.master()
    return {k: master[k]["进展情况"].value for k in rnd.keys(unit)}


def with_key(result, code):
    return [x for f in result.files for x in f.findings if x.code == code]


# ---- a sheet copied with 移动或复制 ----------------------------------------------------------------
def copy_sheet(path, name="报送表 (2)", progress_text="草稿：还没定。", source="报送表"):
    """Excel's 移动或复制 → 建立副本: a copy of the sheet, placed before the original, then edited."""
    wb = openpyxl.load_workbook(path)
    table = simulate.find_table(wb)
    copy = wb.copy_worksheet(wb[source])
    copy.title = name
    wb.move_sheet(copy, offset=-wb.index(copy))
    if progress_text is not None:
        for r in table.rows.values():
            copy.cell(r, table.column("进展情况")).value = progress_text
    simulate._save(wb, path, ON_TIME)
    return path


def test_a_copied_sheet_before_the_original_is_not_merged_and_the_clerk_is_told(rnd):
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC))
    copy_sheet(filled)
    assert openpyxl.load_workbook(filled).sheetnames[0] == "报送表 (2)"
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["copied-sheet"]
    message = f.findings[0].message
    assert "“报送表”" in message and "“报送表 (2)”" in message and "未采用" in message
    assert set(progress(rnd, DGRC).values()) != {"草稿：还没定。"}
    assert progress(rnd, DGRC)[rnd.keys(DGRC)[0]] == "第1行的进展：按计划推进。"


def test_a_copied_sheet_with_the_same_answers_is_no_finding(rnd):
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC))
    copy_sheet(filled, progress_text=None)
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == []


def test_a_renamed_original_is_still_preferred_to_its_copy(rnd):
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC))
    simulate.rename_sheet(filled, filled, "发改局报送")
    copy_sheet(filled, name="发改局报送 (2)", source="发改局报送")
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["copied-sheet"]
    assert progress(rnd, DGRC)[rnd.keys(DGRC)[0]] == "第1行的进展：按计划推进。"


# ---- stale returns and unfilled workbooks -------------------------------------------------------
def untouched(rnd, unit):
    """Answers that change no cell."""
    return {k: {} for k in rnd.keys(unit)}


def accepted_before(rnd, unit, text="1-4月，完成投资12亿元（同比增长5%）。"):
    """The unit's answers accepted in the round before ROUND; ROUND generated again, pre-filled with them."""
    earlier = {f.unit: f for f in generate(rnd.ws, PREVIOUS).files}
    folder = rnd.tmp / "earlier"
    folder.mkdir()
    base = {"完成状态": "基本按进度完成", "下一步工作计划": "继续推进。", "进展情况": text}
    simulate.fill(earlier[unit].path, folder / earlier[unit].path.name, {k: base for k in rnd.keys(unit)},
                  saved_at=dt.datetime(2022, 5, 1, 9, 0))
    assert only(collect(rnd.ws, folder)).outcome == "accepted"
    rnd.generated = {f.unit: f for f in generate(rnd.ws, ROUND).files}


def test_last_rounds_prefilled_answers_signed_and_sent_back_are_flagged_stale_on_every_row(rnd):
    accepted_before(rnd, EDU)
    rnd.fill(EDU, answers=untouched(rnd, EDU))  # signed, nothing updated
    f = only(rnd.collect())
    rows = len(rnd.keys(EDU))
    assert f.outcome == "accepted" and codes(f) == ["stale-progress"] * rows
    assert all(x.severity == "warning" and x.column == "进展情况" for x in f.findings)
    assert "第二次报送" in f.findings[0].message and "没有更新" in f.findings[0].message


def test_progress_differing_only_in_spaces_and_punctuation_width_is_still_stale(rnd):
    accepted_before(rnd, EDU)
    same = " 1-4月, 完成投资12亿元 (同比增长5%)。\u200b"
    rnd.fill(EDU, answers={k: {"进展情况": same} for k in rnd.keys(EDU)})
    assert codes(only(rnd.collect())) == ["stale-progress"] * len(rnd.keys(EDU))


def test_updated_progress_is_not_stale(rnd):
    accepted_before(rnd, EDU)
    keys = rnd.keys(EDU)
    rnd.fill(EDU, answers={keys[0]: {"进展情况": "1-6月，完成投资25亿元。"}})
    f = only(rnd.collect())
    assert [x.row for x in f.findings if x.code == "stale-progress"] == list(range(6, 5 + len(keys)))


def test_an_untouched_outbox_copy_is_not_a_submission_and_the_unit_stays_missing(rnd):
    shutil.copy(rnd.generated[DGRC].path, rnd.inbox / rnd.generated[DGRC].path.name)
    rnd.fill(EDU)
    result = rnd.collect()
    f = only(result, DGRC)
    assert f.outcome == "rejected" and codes(f) == ["unfilled"] and "不算报送" in f.findings[0].message
    assert DGRC in result.missing_units and EDU not in result.missing_units and result.exit_code == 1
    with Ledger(rnd.ws.ledger_path) as ledger:
        assert ledger.current_reports(ROUND) and all(r["unit"] == EDU for r in ledger.current_reports(ROUND))
    assert (rnd.ws.round_dir(ROUND) / "received" / f"{f.sha256}.xlsx").exists()  # kept, as sent


def test_a_prefilled_workbook_opened_and_saved_unchanged_is_not_a_submission(rnd):
    accepted_before(rnd, EDU)
    rnd.fill(EDU, answers=untouched(rnd, EDU), signoff={})  # re-saved, nothing typed, nothing signed
    result = rnd.collect()
    assert codes(only(result)) == ["unfilled"] and EDU in result.missing_units


def test_a_signed_workbook_with_no_answers_is_a_submission_with_its_rows_rejected(rnd):
    rnd.fill(DGRC, answers=untouched(rnd, DGRC))
    f = only(rnd.collect())
    assert f.outcome == "rejected" and "unfilled" not in codes(f) and "missing-progress" in codes(f)


# ---- merged input cells --------------------------------------------------------------------------
def merge_progress(path, first_key_index=0, rows=3, text="1-6月，三个节点都按计划推进。"):
    """The unit merges 进展情况 over `rows` rows and writes one text into the merge."""
    wb = openpyxl.load_workbook(path)
    table = simulate.find_table(wb)
    ws, col = table.ws, table.column("进展情况")
    top = sorted(table.rows.values())[first_key_index]
    ws.cell(top, col).value = text
    ws.merge_cells(start_row=top, start_column=col, end_row=top + rows - 1, end_column=col)
    simulate._save(wb, path, ON_TIME)
    return top


def test_progress_merged_over_three_rows_is_each_rows_text_with_a_warning(rnd):
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC))
    top = merge_progress(filled)
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["merged-cells"]
    found = f.findings[0]
    assert (found.row, found.column) == (top, "进展情况") and f"第{top}至{top + 2}行" in found.message
    shown = progress(rnd, DGRC)
    keys = rnd.keys(DGRC)
    assert [shown[k] for k in keys[:4]] == ["1-6月，三个节点都按计划推进。"] * 3 + ["第4行的进展：按计划推进。"]


@needs_office
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_merged_progress_reads_the_same_when_resaved_as_xls_or_ods(rnd, fmt):
    """calamine gives .xls merges itself; for .ods duban reads them from content.xml."""
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC), folder=rnd.tmp)
    top = merge_progress(filled)
    (converted,) = convert([filled], fmt, rnd.inbox)
    assert converted.suffix == f".{fmt}"
    f = only(rnd.collect())
    assert f.outcome == "accepted" and "merged-cells" in codes(f) and f.findings[codes(f).index("merged-cells")].row == top
    keys = rnd.keys(DGRC)
    assert [progress(rnd, DGRC)[k] for k in keys[:4]] == ["1-6月，三个节点都按计划推进。"] * 3 + ["第4行的进展：按计划推进。"]


# ---- invisible characters ------------------------------------------------------------------------
def test_the_format_characters_stripped_are_exactly_unicodes_cf():
    cf = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    every = "".join(sorted(cf))
    assert strip_invisible(every + "已完成") == "已完成"
    assert len(invisible_chars(every).split("、")) == len(cf)
    assert invisible_chars("已完成\ufeff\u200b\ufeff") == "U+FEFF、U+200B" and invisible_chars("已完成") == ""


@pytest.mark.parametrize("typed", ["\u200b", "\ufeff", "\u200b\u200d\u2060"])
def test_progress_of_only_invisible_characters_is_missing_and_says_so(rnd, typed):
    rnd.fill(DGRC, answers=first_row(rnd, DGRC, 进展情况=typed))
    f = only(rnd.collect())
    assert f.outcome == "partial" and codes(f, "error") == ["missing-progress"]
    assert f.findings[0].key == "missing-progress:invisible" and "U+" in f.findings[0].message
    assert invisible_chars(typed).split("、")[0] in f.findings[0].message


def test_a_placeholder_hidden_behind_invisible_characters_is_still_a_placeholder(rnd):
    rnd.fill(DGRC, answers=first_row(rnd, DGRC, 进展情况="无\u200b"))
    f = only(rnd.collect())
    assert codes(f, "error") == ["missing-progress"] and "只写了“无”" in f.findings[0].message


@pytest.mark.parametrize("typed", ["已完成\u200b", "\ufeff已完成", "已\u200d完成"])
def test_an_allowed_status_with_invisible_characters_is_accepted_as_that_status(rnd, typed):
    rnd.fill(DGRC, answers=first_row(rnd, DGRC, 进展情况="已建成。", 完成状态=typed, 完成时间="2022-06-30\u200b"))
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == [], [x.message for x in f.findings]
    master = rnd.master()[rnd.keys(DGRC)[0]]
    assert master["完成状态"].value == "已完成" and master["完成时间"].value == "2022-06-30"


def test_a_bad_status_with_invisible_characters_names_them(rnd):
    rnd.fill(DGRC, answers=first_row(rnd, DGRC, 完成状态="完成了\ufeff"))
    found = only(rnd.collect()).findings[0]
    assert found.code == "bad-status" and "U+FEFF" in found.message and "“完成了”" in found.message


def test_problems_and_signoff_of_only_invisible_characters_are_empty(rnd):
    rnd.fill(DGRC, answers=first_row(rnd, DGRC, 完成状态="未按进度完成", 存在问题="\u200b"),
             signoff={"填报人": "\u200b", "单位负责人审核": "李四"})
    f = only(rnd.collect())
    assert codes(f) == ["missing-problems", "missing-signoff"]


# ---- a saved time that is no time ------------------------------------------------------------------
@pytest.fixture
def china_time(monkeypatch):
    """The office PC's zone, UTC+8: 9999-12-31T23:59:59Z is past the last local time there."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def set_modified(path, text):
    rewrite_part(path, "docProps/core.xml",
                 lambda x: re.sub(rb"(<dcterms:modified[^>]*>)[^<]+", rb"\g<1>" + text.encode(), x))


@pytest.mark.parametrize("written", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2022-13-45T99:00:00Z",
                                     "昨天下午", "1900-01-01T00:00:00Z"])
def test_an_impossible_saved_time_is_ignored_with_a_warning_and_the_file_is_read(rnd, china_time, written):
    assert dt.datetime.now().astimezone().utcoffset() == dt.timedelta(hours=8)
    filled = rnd.fill(DGRC)
    set_modified(filled, written)
    os.utime(filled, (ON_TIME.timestamp(), ON_TIME.timestamp()))  # received on time: its time on disk
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["saved-time-unknown"] and not f.late
    assert written in f.findings[0].message and f.saved_at is not None  # the file's own time on disk instead
    assert rnd.master()[rnd.keys(DGRC)[0]]["进展情况"].value == "1-6月，按计划推进，完成阶段目标。"


def test_a_workbook_without_docprops_is_read_with_its_saved_time_unknown(rnd, china_time):
    filled = rnd.fill(DGRC)
    rewrite_part(filled, "docProps/core.xml", lambda x: b"")
    os.utime(filled, (ON_TIME.timestamp(), ON_TIME.timestamp()))
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == []


# ---- text longer than Excel holds ----------------------------------------------------------------
def as_excel_saves_text(path, texts: dict[str, str]):
    """openpyxl writes text inline in the sheet, and cuts it at 32,767 characters; WPS and
    LibreOffice write a table of shared strings, and write a longer text whole. The workbook
    rewritten that way, each cell reading a key of `texts` (a short mark) holding its text."""
    with zipfile.ZipFile(path) as z:
        parts = {info: z.read(info) for info in z.infolist()}
    strings = []

    def shared(m):
        t = m.group(3)
        for mark, text in texts.items():
            t = t.replace(b">" + mark.encode() + b"<", b">" + text.encode() + b"<")
        strings.append(t)
        return m.group(1) + b't="s"' + m.group(2) + b"><v>%d</v></c>" % (len(strings) - 1)

    out = {}
    for info, data in parts.items():
        name = info.filename
        if name.startswith("xl/worksheets/"):
            data = re.sub(rb'(<c [^>]*?)t="inlineStr"([^>]*)><is>(<t[^>]*>.*?</t>)</is></c>', shared, data, flags=re.S)
        elif name == "[Content_Types].xml":
            data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        elif name == "xl/_rels/workbook.xml.rels":
            data = data.replace(b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
                                b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        out[name] = data
    out["xl/sharedStrings.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
                                   b'openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (len(strings), len(strings))
                                   + b"".join(b"<si>" + t + b"</si>" for t in strings) + b"</sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in out.items():
            z.writestr(name, data)
    return path


def test_a_100000_character_answer_is_kept_whole_in_the_ledger_and_cut_with_a_mark_in_every_workbook(rnd):
    long_text = "进展" * 50_000
    keys = rnd.keys(DGRC)
    filled = first_row(rnd, DGRC, 进展情况="LONG-PROGRESS")
    filled[keys[1]]["完成状态"] = "LONG-STATUS"
    as_excel_saves_text(rnd.fill(DGRC, answers=filled), {"LONG-PROGRESS": long_text, "LONG-STATUS": "完" * 40_000})
    result = rnd.collect()
    f = only(result)
    assert f.outcome == "partial" and sorted(codes(f)) == ["bad-status", "text-too-long", "text-too-long"]
    too_long = [x for x in f.findings if x.code == "text-too-long"]
    assert "100000" in too_long[0].message and str(EXCEL_CELL_LIMIT) in too_long[0].message
    with Ledger(rnd.ws.ledger_path) as ledger:
        stored = {r["key"]: r["fields"]["progress"] for r in ledger.current_reports(ROUND)}
    assert stored[keys[0]] == long_text
    cell = rnd.master()[keys[0]]["进展情况"].value
    assert len(cell) == EXCEL_CELL_LIMIT and cell.endswith("…（全文共100000字，见台账）") and long_text.startswith(cell[:30000])
    report = openpyxl.load_workbook(result.report_path)[DGRC]
    assert all(len(str(c.value or "")) <= EXCEL_CELL_LIMIT for row in report.iter_rows() for c in row)
    assert any("全文共40000字" in str(c.value or "") for row in report.iter_rows() for c in row)
    out = summary(rnd.ws, ROUND)
    texts = [str(c.value or "") for row in openpyxl.load_workbook(out.xlsx).worksheets[0].iter_rows() for c in row]
    assert any("全文共100000字" in t for t in texts) and sum(map(len, texts)) < 3 * ANSWER_LIMIT + 20_000


def test_a_cut_answer_in_the_master_is_no_clerks_edit_on_the_next_run(rnd):
    as_excel_saves_text(rnd.fill(DGRC, answers=first_row(rnd, DGRC, 进展情况="LONG")), {"LONG": "长" * 40_000})
    rnd.collect()
    generate(rnd.ws, "2022-09-03")  # records the clerk's edits in the master: there are none
    rnd.fill(EDU)
    rnd.collect()
    with Ledger(rnd.ws.ledger_path) as ledger:
        assert ledger.corrections() == {}


def test_fit_cell_counts_as_excel_does_and_leaves_short_text_alone():
    assert fit_cell("短文本") == "短文本" and fit_cell("") == ""
    astral = "𠀀" * 20_000  # outside the BMP: two UTF-16 units each, as Excel counts
    cut = fit_cell(astral)
    assert excel_length(cut) <= EXCEL_CELL_LIMIT and cut.endswith("（全文共20000字，见台账）")
    assert fit_cell("字" * EXCEL_CELL_LIMIT) == "字" * EXCEL_CELL_LIMIT


# ---- grey columns deleted, keys swapped ---------------------------------------------------------
GREY = ["序号", "项目名称", "本期目标", "完成时限", "牵头单位", "其他责任单位"]  # Heshan: no 全年工作目标


def edit_keys(path, swap=(0, 1), delete=tuple(GREY)):
    """Swap the hidden keys of two rows, then delete grey columns (right to left)."""
    wb = openpyxl.load_workbook(path)
    table = simulate.find_table(wb)
    ws, key_col = table.ws, table.key_col
    rows = sorted(table.rows.values())
    if swap:
        a, b = rows[swap[0]], rows[swap[1]]
        ka, kb = ws.cell(a, key_col).value, ws.cell(b, key_col).value
        ws.cell(a, key_col).value, ws.cell(b, key_col).value = kb, ka
    for col in sorted((table.column(h) for h in delete), reverse=True):
        ws.delete_cols(col)
    simulate._save(wb, path, ON_TIME)


def test_swapped_keys_without_grey_columns_are_held_back_never_merged_under_the_wrong_item(rnd):
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC))
    edit_keys(filled)
    f = only(rnd.collect())
    assert f.outcome == "partial" and codes(f, "error") == ["key-order", "key-order"]
    assert [x.row for x in f.findings if x.code == "key-order"] == [5, 6]
    shown = progress(rnd, DGRC)
    keys = rnd.keys(DGRC)
    assert shown[keys[0]] in (None, "") and shown[keys[1]] in (None, "")
    assert shown[keys[2]] == "第3行的进展：按计划推进。"


def test_grey_columns_deleted_with_keys_in_place_are_merged_under_their_items(rnd):
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC))
    edit_keys(filled, swap=None)
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f, "error") == []
    keys = rnd.keys(DGRC)
    assert [progress(rnd, DGRC)[k] for k in keys] == [f"第{i + 1}行的进展：按计划推进。" for i in range(len(keys))]


def test_swapped_keys_where_the_grey_columns_left_are_alike_are_held_back(rnd):
    """Rows 2-3 and 2-4 of 市发展改革局 share 完成时限 (12月15日) and the units: those left tell them not apart."""
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC))
    edit_keys(filled, swap=(7, 8), delete=["序号", "项目名称", "本期目标"])
    f = only(rnd.collect())
    assert codes(f, "error") == ["key-order", "key-order"] and [x.row for x in f.findings if x.code == "key-order"] == [12, 13]
    assert progress(rnd, DGRC)[rnd.keys(DGRC)[7]] in (None, "")


def test_swapped_keys_with_the_grey_columns_kept_are_tampering(rnd):
    filled = rnd.fill(DGRC, answers=answers(rnd, DGRC))
    edit_keys(filled, delete=())
    f = only(rnd.collect())
    assert codes(f, "error") == ["tampered-plan", "tampered-plan"]
    assert progress(rnd, DGRC)[rnd.keys(DGRC)[0]] in (None, "")
