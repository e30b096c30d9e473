"""collect: which file counts, and judging again (issue 14). Advice that leads nowhere (a file
whose outcome rested on the --round, units.xlsx or its own name is judged again when those
change), PC clocks that are wrong (arrival order, --prefer), and unsigned copies that may not
displace a signed report without the clerk's --accept. Real generated workbooks, filled and
copied the way units do, collected into a real workspace."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pytest
from test_collect import DGRC, EDU, ON_TIME, ROUND, Round, codes, only

from toolkit import simulate
from toolkit.generate.run import generate
from toolkit.store.ledger import Ledger

SEPTEMBER = "2022-09-03"


@pytest.fixture
def rnd(tmp_path):
    return Round(tmp_path)


def progress(rnd, unit=DGRC):
    return rnd.master()[rnd.keys(unit)[0]]["进展情况"].value


def submissions(rnd):
    with Ledger(rnd.ws.ledger_path) as ledger:
        return ledger.db.execute("SELECT file_name, round, unit, outcome FROM submissions ORDER BY file_name, round").fetchall()


def arrived(path, when: dt.datetime):
    """The file's time in the folder (as an e-mail client or unzip leaves it)."""
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def unsigned_copy(rnd, name, text, saved_at=dt.datetime(2022, 7, 2, 9, 0), unit=DGRC):
    """The unit's filled table copied into a new workbook: no hidden signature."""
    filled = rnd.fill(unit, name=f"src-{name}", folder=rnd.tmp, answers=rnd.answers(unit, 进展情况=text))
    return simulate.copy_to_new_workbook(filled, rnd.inbox / name, saved_at=saved_at)


def unidentifiable(rnd, name):
    """A copy whose unit cannot be told from its rows or its 报送单位 line (titles retyped)."""
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    plain = simulate.copy_to_new_workbook(filled, rnd.tmp / "plain.xlsx", saved_at=ON_TIME)
    wb = openpyxl.load_workbook(plain)
    wb.active["A2"] = None
    for r in range(5, 5 + len(rnd.keys(DGRC))):
        wb.active.cell(r, 2).value = "GDP增长" if r < 10 else "投资增长"
    wb.save(rnd.inbox / name)
    return rnd.inbox / name


def add_alias(rnd, unit, alias):
    wb = openpyxl.load_workbook(rnd.ws.units_path)
    sheet = wb.active
    header = [c.value for c in sheet[1]]
    name_col, alias_col = header.index("单位名称") + 1, header.index("别名") + 1
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(r, name_col).value == unit:
            sheet.cell(r, alias_col).value = alias
    wb.save(rnd.ws.units_path)


# ---- advice that leads nowhere: judged again when the round, the units or the name change ----------
def test_a_wrong_round_file_collected_with_the_round_the_advice_names_is_accepted(rnd):
    other = {f.unit: f for f in generate(rnd.ws, SEPTEMBER).files}
    simulate.fill(other[DGRC].path, rnd.inbox / "september.xlsx", rnd.answers(DGRC), saved_at=ON_TIME)
    first = only(rnd.collect(round_name=ROUND))
    assert first.outcome == "rejected" and codes(first) == ["wrong-round"]
    assert f"--round {SEPTEMBER}" in first.findings[0].message
    again = only(rnd.collect(round_name=SEPTEMBER))
    assert again.outcome == "accepted" and again.round == SEPTEMBER
    assert submissions(rnd) == [("september.xlsx", SEPTEMBER, DGRC, "accepted")]
    # Accepted now: collecting with the other round again leaves it as it is.
    assert only(rnd.collect(round_name=ROUND)).outcome == "unchanged"


def test_a_wrong_round_file_collected_without_round_is_taken_for_its_own_round(rnd):
    other = {f.unit: f for f in generate(rnd.ws, SEPTEMBER).files}
    simulate.fill(other[DGRC].path, rnd.inbox / "september.xlsx", rnd.answers(DGRC), saved_at=ON_TIME)
    assert only(rnd.collect(round_name=ROUND)).outcome == "rejected"
    assert only(rnd.collect()).outcome == "accepted"


def test_a_wrong_round_file_collected_again_with_the_same_round_stays_unchanged(rnd):
    other = {f.unit: f for f in generate(rnd.ws, SEPTEMBER).files}
    simulate.fill(other[DGRC].path, rnd.inbox / "september.xlsx", rnd.answers(DGRC), saved_at=ON_TIME)
    rnd.collect(round_name=ROUND)
    result = rnd.collect(round_name=ROUND)
    assert only(result).outcome == "unchanged" and result.nothing_new


def test_an_unidentified_file_renamed_as_advised_is_identified(rnd):
    unidentifiable(rnd, "unknown.xlsx")
    first = only(rnd.collect())
    assert first.outcome == "unidentified" and "文件名中写明单位名称" in first.findings[0].message
    (rnd.inbox / "unknown.xlsx").rename(rnd.inbox / f"{DGRC}-报送.xlsx")
    again = only(rnd.collect())
    # Told whose it is now; its retyped rows are then judged as any unit's (and sent back).
    assert again.unit == DGRC and again.outcome == "rejected" and "identified-by-content" in codes(again)
    assert "missing-item" in codes(again)
    # One judgement of the file, the latest: the unidentified one gave way.
    assert submissions(rnd) == [(f"{DGRC}-报送.xlsx", ROUND, DGRC, "rejected")]
    assert only(rnd.collect()).outcome == "unchanged"


def test_an_unidentified_file_is_identified_after_its_alias_is_added_to_units_xlsx(rnd):
    unidentifiable(rnd, "计委-报送.xlsx")
    assert only(rnd.collect()).outcome == "unidentified"
    add_alias(rnd, DGRC, "计委")
    again = only(rnd.collect())
    assert again.unit == DGRC and "identified-by-content" in codes(again)


def test_an_unidentified_file_with_nothing_changed_stays_unchanged(rnd):
    unidentifiable(rnd, "unknown.xlsx")
    rnd.collect()
    result = rnd.collect()
    assert only(result).outcome == "unchanged" and result.nothing_new


def test_two_copies_of_an_unidentified_file_are_not_judged_again_by_turns(rnd):
    unidentifiable(rnd, "a.xlsx")
    (rnd.inbox / "b.xlsx").write_bytes((rnd.inbox / "a.xlsx").read_bytes())
    rnd.collect()  # b is a copy of a in this run
    second = rnd.collect()  # b's own name is new: judged once under it
    assert only(second, "b.xlsx").outcome == "unidentified" and only(second, "a.xlsx").outcome == "unchanged"
    third = rnd.collect()
    assert third.nothing_new


def test_an_accepted_file_stays_unchanged_when_the_units_the_round_or_its_name_change(rnd):
    unsigned_copy(rnd, "copied.xlsx", "按内容认定的。")
    assert only(rnd.collect()).outcome == "accepted"
    add_alias(rnd, DGRC, "计委")
    (rnd.inbox / "copied.xlsx").rename(rnd.inbox / "renamed.xlsx")
    result = rnd.collect(round_name=ROUND)
    assert only(result).outcome == "unchanged" and result.nothing_new


# ---- wrong PC clocks: arrival order where a saved time is implausible, --prefer to settle ---------------
def test_a_file_from_a_pc_clock_set_to_2032_does_not_win_forever(rnd):
    future = rnd.fill(DGRC, name="clock2032.xlsx", saved_at=dt.datetime(2032, 1, 1, 9, 0),
                      answers=rnd.answers(DGRC, 进展情况="时钟错了的那份。"))
    arrived(future, dt.datetime(2022, 6, 30, 9, 0))
    first = only(rnd.collect())
    assert first.outcome == "accepted" and not first.late  # arrived in time: its clock does not make it late
    rnd.fill(DGRC, name="corrected.xlsx", saved_at=dt.datetime(2022, 7, 2, 9, 0), answers=rnd.answers(DGRC, 进展情况="改正后的。"))
    second = only(rnd.collect(), "corrected")
    assert second.outcome == "accepted" and "saved-time-implausible" in codes(second)
    message = next(f.message for f in second.findings if f.code == "saved-time-implausible")
    assert "clock2032.xlsx" in message and "2032-01-01" in message and "--prefer" in message
    assert progress(rnd) == "改正后的。"
    assert dict((n, o) for n, _, _, o in submissions(rnd)) == {"clock2032.xlsx": "superseded", "corrected.xlsx": "accepted"}


@pytest.mark.parametrize("reset", [dt.datetime(2000, 1, 1, 8, 0), dt.datetime(2021, 6, 30, 8, 0)],
                         ids=["cmos-reset-2000", "before-the-year"])
def test_a_file_from_a_pc_clock_reset_to_the_past_wins_when_it_arrives_later(rnd, reset):
    rnd.fill(DGRC, name="first.xlsx", saved_at=ON_TIME, answers=rnd.answers(DGRC, 进展情况="先到的。"))
    rnd.collect()
    rnd.fill(DGRC, name="reset.xlsx", saved_at=reset, answers=rnd.answers(DGRC, 进展情况="后到的。"))
    later = only(rnd.collect(), "reset")
    assert later.outcome == "accepted" and "saved-time-implausible" in codes(later)
    assert progress(rnd) == "后到的。"


def test_in_one_run_the_files_time_in_the_folder_orders_them_when_a_saved_time_is_implausible(rnd):
    a = rnd.fill(DGRC, name="a.xlsx", saved_at=dt.datetime(2032, 1, 1), answers=rnd.answers(DGRC, 进展情况="先收到的。"))
    b = rnd.fill(DGRC, name="b.xlsx", saved_at=dt.datetime(2022, 6, 30), answers=rnd.answers(DGRC, 进展情况="后收到的。"))
    arrived(a, dt.datetime(2022, 6, 29, 9, 0))
    arrived(b, dt.datetime(2022, 7, 1, 9, 0))
    result = rnd.collect()
    assert only(result, "a.xlsx").outcome == "superseded" and only(result, "b.xlsx").outcome == "accepted"
    assert "saved-time-implausible" in codes(only(result, "a.xlsx"))
    assert progress(rnd) == "后收到的。"


def test_plausible_saved_times_still_choose_the_newest_whatever_the_arrival(rnd):
    a = rnd.fill(DGRC, name="a.xlsx", saved_at=dt.datetime(2022, 7, 1), answers=rnd.answers(DGRC, 进展情况="新的。"))
    b = rnd.fill(DGRC, name="b.xlsx", saved_at=dt.datetime(2022, 6, 30), answers=rnd.answers(DGRC, 进展情况="旧的。"))
    arrived(a, dt.datetime(2022, 6, 29))
    arrived(b, dt.datetime(2022, 7, 2))
    result = rnd.collect()
    assert only(result, "a.xlsx").outcome == "accepted" and only(result, "b.xlsx").outcome == "superseded"
    assert "saved-time-implausible" not in codes(only(result, "b.xlsx"))


def test_prefer_settles_which_file_counts_and_it_stays_settled(rnd):
    rnd.fill(DGRC, name="clock2032.xlsx", saved_at=dt.datetime(2032, 1, 1), answers=rnd.answers(DGRC, 进展情况="办公室要的那份。"))
    rnd.collect()
    rnd.fill(DGRC, name="later.xlsx", saved_at=ON_TIME, answers=rnd.answers(DGRC, 进展情况="后到的。"))
    rnd.collect()
    assert progress(rnd) == "后到的。"
    chosen = rnd.collect(prefer=["clock2032.xlsx"])
    assert only(chosen, "clock2032").outcome == "accepted" and "chosen-by-clerk" in codes(only(chosen, "clock2032"))
    assert progress(rnd) == "办公室要的那份。"
    assert dict((n, o) for n, _, _, o in submissions(rnd)) == {"clock2032.xlsx": "accepted", "later.xlsx": "superseded"}
    after = rnd.collect()
    assert after.nothing_new and progress(rnd) == "办公室要的那份。"


def test_prefer_wins_over_a_newer_saved_time_in_the_same_run(rnd):
    rnd.fill(DGRC, name="old.xlsx", saved_at=dt.datetime(2022, 6, 30), answers=rnd.answers(DGRC, 进展情况="要这份。"))
    rnd.fill(DGRC, name="new.xlsx", saved_at=dt.datetime(2022, 7, 1), answers=rnd.answers(DGRC, 进展情况="不要这份。"))
    result = rnd.collect(prefer=["old.xlsx"])
    assert only(result, "old").outcome == "accepted" and only(result, "new").outcome == "superseded"
    assert progress(rnd) == "要这份。"


def test_prefer_names_a_file_in_a_subfolder_by_its_name_or_its_path(rnd, run):
    (rnd.inbox / "转发").mkdir()
    rnd.fill(DGRC, name="a.xlsx", saved_at=dt.datetime(2022, 7, 1), answers=rnd.answers(DGRC, 进展情况="新的。"))
    rnd.fill(DGRC, name="转发/b.xlsx", saved_at=dt.datetime(2022, 6, 30), answers=rnd.answers(DGRC, 进展情况="要这份。"))
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--prefer", "b.xlsx", "--json")
    assert {f["path"]: f["outcome"] for f in out["files"]} == {"a.xlsx": "superseded", "转发/b.xlsx": "accepted"}
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--prefer", rnd.inbox / "a.xlsx", "--json")
    assert {f["path"]: f["outcome"] for f in out["files"]} == {"a.xlsx": "accepted", "转发/b.xlsx": "unchanged"}


@pytest.mark.parametrize("option", ["--prefer", "--accept"])
def test_prefer_or_accept_naming_no_file_of_the_folder_is_a_usage_error(rnd, run, option):
    rnd.fill(DGRC, name="a.xlsx")
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, option, "没有这个.xlsx")
    assert code == 2 and f"{option} 指定的文件“没有这个.xlsx”不在文件夹" in out and "Traceback" not in out
    assert not rnd.ws.ledger_path.exists() or submissions(rnd) == []


def test_prefer_naming_two_files_of_one_name_asks_for_the_subfolder(rnd, run):
    for folder, unit in (("甲", DGRC), ("乙", EDU)):
        (rnd.inbox / folder).mkdir()
        rnd.fill(unit, name=f"{folder}/a.xlsx")
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--prefer", "a.xlsx")
    assert code == 2 and "甲/a.xlsx" in out and "同名" in out


def test_collect_help_explains_prefer_and_accept_in_chinese(run):
    code, out = run("collect", "--help")
    assert code == 0 and "--prefer" in out and "--accept" in out and "为准" in out and "隐藏签名" in out


# ---- unsigned copies: they do not displace a signed report without --accept ------------------------------
def test_an_unsigned_copy_does_not_displace_a_signed_report_without_accept(rnd, run):
    rnd.fill(DGRC, name="signed.xlsx", answers=rnd.answers(DGRC, 进展情况="签了名的。"))
    rnd.collect()
    unsigned_copy(rnd, "copy.xlsx", "没签名的副本。")
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--json")
    held = next(f for f in out["files"] if f["path"] == "copy.xlsx")
    assert code == 1 and held["outcome"] == "rejected" and held["unit"] == DGRC
    message = next(f["message"] for f in held["findings"] if f["code"] == "unsigned-copy")
    assert "signed.xlsx" in message and '--accept "copy.xlsx"' in message
    assert progress(rnd) == "签了名的。"
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--json")  # held: nothing new until the clerk decides
    assert {f["outcome"] for f in out["files"]} == {"unchanged"}
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--accept", "copy.xlsx", "--json")
    accepted = next(f for f in out["files"] if f["path"] == "copy.xlsx")
    assert accepted["outcome"] == "accepted" and "chosen-by-clerk" in [f["code"] for f in accepted["findings"]]
    assert progress(rnd) == "没签名的副本。"
    assert dict((n, o) for n, _, _, o in submissions(rnd)) == {"signed.xlsx": "superseded", "copy.xlsx": "accepted"}


def test_an_unsigned_copy_newer_than_a_signed_report_in_the_same_folder_is_held(rnd):
    rnd.fill(DGRC, name="signed.xlsx", saved_at=ON_TIME, answers=rnd.answers(DGRC, 进展情况="签了名的。"))
    unsigned_copy(rnd, "copy.xlsx", "没签名的副本。", saved_at=dt.datetime(2022, 7, 2))
    result = rnd.collect()
    assert only(result, "signed").outcome == "accepted"
    assert only(result, "copy").outcome == "rejected" and "unsigned-copy" in codes(only(result, "copy"))
    assert progress(rnd) == "签了名的。"


def test_an_unsigned_copy_older_than_the_signed_report_is_just_superseded(rnd):
    rnd.fill(DGRC, name="signed.xlsx", saved_at=dt.datetime(2022, 7, 2), answers=rnd.answers(DGRC, 进展情况="签了名的。"))
    unsigned_copy(rnd, "copy.xlsx", "没签名的副本。", saved_at=ON_TIME)
    result = rnd.collect()
    assert only(result, "copy").outcome == "superseded" and "unsigned-copy" not in codes(only(result, "copy"))


def test_a_signed_report_displaces_an_unsigned_one_as_usual(rnd):
    unsigned_copy(rnd, "copy.xlsx", "没签名的副本。", saved_at=ON_TIME)
    rnd.collect()
    rnd.fill(DGRC, name="signed.xlsx", saved_at=dt.datetime(2022, 7, 2), answers=rnd.answers(DGRC, 进展情况="签了名的。"))
    assert only(rnd.collect(), "signed").outcome == "accepted"
    assert progress(rnd) == "签了名的。"


def test_an_unsigned_copy_whose_file_name_names_another_unit_is_held_and_accepted_for_its_content(rnd, run):
    unsigned_copy(rnd, f"{EDU}-报送.xlsx", "发改局的内容。")
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--json")
    held = out["files"][0]
    assert code == 1 and held["outcome"] == "rejected" and held["unit"] == DGRC
    message = next(f["message"] for f in held["findings"] if f["code"] == "unsigned-copy")
    assert "文件名" in message and EDU in message and DGRC in message and "--accept" in message
    assert not progress(rnd)
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--accept", f"{EDU}-报送.xlsx", "--json")
    assert out["files"][0]["outcome"] == "accepted" and out["files"][0]["unit"] == DGRC
    assert progress(rnd) == "发改局的内容。" and not progress(rnd, EDU)


def test_an_unsigned_copy_whose_unit_line_names_another_unit_is_held(rnd):
    copy = unsigned_copy(rnd, "copy.xlsx", "发改局的内容。")
    wb = openpyxl.load_workbook(copy)
    wb.active["A2"] = f"报送单位：{EDU}　　报送轮次：第三次报送"
    wb.save(copy)
    f = only(rnd.collect())
    assert f.outcome == "rejected" and codes(f, "error") == ["unsigned-copy"]
    assert "表头“报送单位”" in f.findings[-1].message


def test_an_unsigned_copy_renamed_for_its_own_unit_after_being_held_is_accepted(rnd):
    unsigned_copy(rnd, f"{EDU}-报送.xlsx", "发改局的内容。")
    assert only(rnd.collect()).outcome == "rejected"
    (rnd.inbox / f"{EDU}-报送.xlsx").rename(rnd.inbox / f"{DGRC}-报送.xlsx")
    assert only(rnd.collect()).outcome == "accepted"


def test_a_held_unsigned_copy_sends_the_unit_no_correction_mail(rnd, run):
    rnd.fill(DGRC, name="signed.xlsx", answers=rnd.answers(DGRC, 进展情况="签了名的。"))
    rnd.collect()
    unsigned_copy(rnd, "copy.xlsx", "没签名的副本。")
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root)
    assert '--accept "copy.xlsx"' in out.replace("\n", "")  # told on the terminal too, not only in report.xlsx
    code, out = run("mail", "-w", rnd.ws.root, "--round", ROUND, "--corrections", "--drafts", "--json")
    assert code in (0, 1) and [m["unit"] for m in out["messages"]] == []


def test_a_dry_run_with_prefer_shows_the_choice_and_records_it_nowhere(rnd):
    rnd.fill(DGRC, name="old.xlsx", saved_at=dt.datetime(2022, 6, 30), answers=rnd.answers(DGRC, 进展情况="要这份。"))
    rnd.fill(DGRC, name="new.xlsx", saved_at=dt.datetime(2022, 7, 1), answers=rnd.answers(DGRC, 进展情况="不要这份。"))
    dry = rnd.collect(dry_run=True, prefer=["old.xlsx"])
    assert only(dry, "old").outcome == "accepted" and only(dry, "new").outcome == "superseded"
    assert submissions(rnd) == []
    real = rnd.collect()
    assert only(real, "new").outcome == "accepted"
