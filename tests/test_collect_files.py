"""collect and the files themselves: names that are not UTF-8 or hold controls, links, pipes,
files replaced or grown while they are collected, rich markup in names and texts, and the
workspace collected as if it were an inbox. Each class: one clear outcome and finding, the
rest of the folder collected, nothing lost, nothing merged under the wrong unit."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console
from test_collect import DGRC, EDU, ROUND, Round, codes, only

from toolkit import simulate
from toolkit.core.text import readable_name, unique_names
from toolkit.store.ledger import Ledger

GB = 1024 ** 3


@pytest.fixture
def rnd(tmp_path):
    return Round(tmp_path)


def write_bytes_name(folder: Path, name: bytes, data: bytes) -> str:
    """A file whose name is these bytes (as an unzip of a zip made on Chinese Windows leaves
    it); returns the name as Python lists it (surrogate-escaped)."""
    fd = os.open(os.fsencode(folder) + b"/" + name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return os.fsdecode(name)


def gbk(text: str) -> bytes:
    return text.encode("gbk")


def ledger_rows(rnd, sql: str) -> list[tuple]:
    with Ledger(rnd.ws.ledger_path) as ledger:
        return list(ledger.db.execute(sql))


def received(rnd) -> list[Path]:
    folder = rnd.ws.round_dir(ROUND) / "received"
    return sorted(folder.iterdir()) if folder.exists() else []


# ---- names that are not UTF-8 ---------------------------------------------------------------------------------
def test_a_gbk_file_name_is_collected_and_shown_readably(rnd, run):
    data = rnd.fill(DGRC, folder=rnd.tmp).read_bytes()
    listed = write_bytes_name(rnd.inbox, gbk("市发展改革局-第三次报送.xlsx"), data)
    assert "\udc80" <= max(listed) and listed != "市发展改革局-第三次报送.xlsx"  # what Python gives
    rnd.fill(EDU)
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--dry-run", "--json")  # once crashed, every time
    assert code in (0, 1) and "市发展改革局-第三次报送.xlsx" in {f["path"] for f in out["files"]}
    result = rnd.collect()
    f = only(result, "市发展改革局-第三次报送")
    assert f.name == "市发展改革局-第三次报送.xlsx" and f.outcome == "accepted" and f.unit == DGRC
    assert only(result, EDU).outcome == "accepted"
    assert ("市发展改革局-第三次报送.xlsx",) in ledger_rows(rnd, "SELECT file_name FROM submissions")
    assert rnd.master()[rnd.keys(DGRC)[0]]["报送单位文件"].value == "市发展改革局-第三次报送.xlsx"
    names = [c.value for row in openpyxl.load_workbook(result.report_path)["收集情况"].iter_rows() for c in row]
    assert "市发展改革局-第三次报送.xlsx" in names
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root)  # the terminal's table, and a re-run
    assert code == 1 and "没有新的文件" in out  # 1: three units have sent nothing yet


def test_the_unit_name_in_a_gbk_file_name_still_identifies_the_unit(rnd):
    """A copy without the hidden signature, the 报送单位 line or the item titles: only the
    file name says whose it is."""
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    plain = simulate.copy_to_new_workbook(filled, rnd.tmp / "plain.xlsx")
    wb = openpyxl.load_workbook(plain)
    wb.active["A2"] = None
    for r in range(5, 5 + len(rnd.keys(DGRC))):
        wb.active.cell(r, 2).value = "GDP增长" if r < 10 else "投资增长"
    buf = io.BytesIO()
    wb.save(buf)
    write_bytes_name(rnd.inbox, gbk("市发展改革局报送.xlsx"), buf.getvalue())
    f = only(rnd.collect())
    assert f.name == "市发展改革局报送.xlsx" and f.unit == DGRC and "identified-by-content" in codes(f)
    assert f.findings[0].message.startswith("文件“市发展改革局报送.xlsx”")


def test_a_gbk_folder_name_is_shown_readably(rnd):
    sub = os.fsencode(rnd.inbox) + b"/" + gbk("收件箱")
    os.mkdir(sub)
    write_bytes_name(Path(os.fsdecode(sub)), b"report.xlsx", rnd.fill(EDU, folder=rnd.tmp).read_bytes())
    f = only(rnd.collect())
    assert f.name == "收件箱/report.xlsx" and f.outcome == "accepted"


def test_a_name_neither_utf8_nor_gbk_keeps_its_bytes_escaped(rnd):
    write_bytes_name(rnd.inbox, b"\xff\xfe\x80-report.xlsx", rnd.fill(EDU, folder=rnd.tmp).read_bytes())
    f = only(rnd.collect())
    assert f.name == "\\xff\\xfe\\x80-report.xlsx" and f.outcome == "accepted"
    assert ledger_rows(rnd, "SELECT file_name FROM submissions") == [("\\xff\\xfe\\x80-report.xlsx",)]


def test_names_with_newlines_and_control_characters_are_shown_escaped(rnd, run):
    data = rnd.fill(EDU, folder=rnd.tmp).read_bytes()
    (rnd.inbox / "第一行\n第二行.xlsx").write_bytes(data)
    (rnd.inbox / "\x1b[2J清屏.xlsx").write_bytes(b"not a workbook")
    (rnd.inbox / "报送\u202exslx.exe.xlsx").write_bytes(b"")  # right-to-left override: looks like .exe
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--json")
    assert code == 1
    assert {f["path"] for f in out["files"]} == {"第一行\\n第二行.xlsx", "\\x1b[2J清屏.xlsx", "报送\\u202exslx.exe.xlsx"}
    code, text = run("collect", rnd.inbox, "-w", rnd.ws.root)
    assert "\x1b" not in text and "\u202e" not in text


def test_a_very_long_gbk_name_is_collected(rnd):
    name = "2022年重点工作任务市教育局第三次报送" + "最终版定稿" * 21 + ".xlsx"
    assert len(gbk(name)) <= 255 < len(name.encode("utf-8"))  # fits as GBK, would not as UTF-8
    write_bytes_name(rnd.inbox, gbk(name), rnd.fill(EDU, folder=rnd.tmp).read_bytes())
    result = rnd.collect()
    assert only(result).name == name and only(result).outcome == "accepted"
    assert (result.report_path).exists()


def test_names_that_read_alike_after_decoding_stay_two_files(rnd):
    rnd.fill(DGRC, name="报送.xlsx")
    write_bytes_name(rnd.inbox, gbk("报送.xlsx"), rnd.fill(EDU, folder=rnd.tmp).read_bytes())
    result = rnd.collect()
    names = sorted(f.name for f in result.files)
    assert names == ["\\xb1\\xa8\\xcb\\xcd.xlsx", "报送.xlsx"]  # the decoded one shows its bytes
    assert {(f.unit, f.outcome) for f in result.files} == {(DGRC, "accepted"), (EDU, "accepted")}
    assert sorted(ledger_rows(rnd, "SELECT file_name, unit FROM submissions")) == [
        ("\\xb1\\xa8\\xcb\\xcd.xlsx", EDU), ("报送.xlsx", DGRC)]


def test_readable_name_decodes_what_reads_and_escapes_the_rest():
    assert readable_name("市教育局.xlsx") == "市教育局.xlsx"
    assert readable_name(os.fsdecode(gbk("市教育局/报送.xlsx"))) == "市教育局/报送.xlsx"
    assert readable_name(os.fsdecode("報告".encode("big5") + b"\xff.xlsx")) == "\\xb3\\xf8\\xa7i\\xff.xlsx"
    assert readable_name("a\tb\rc\x00\x7f\u200b\u2028.xlsx") == "a\\tb\\rc\\x00\\x7f\\u200b\\u2028.xlsx"
    assert readable_name("\ud800.xlsx") == "\\ud800.xlsx"  # a lone UTF-16 half, as Windows allows
    assert unique_names(["a.xlsx", "a.xlsx"], ["a.xlsx", "a.xlsx"]) == ["a.xlsx", "a（2）.xlsx"]


# ---- links and special files -------------------------------------------------------------------------------------
def test_a_link_out_of_the_folder_is_never_read_or_archived(rnd, run):
    outside = rnd.fill(DGRC, folder=rnd.tmp)  # a real workbook, just not in the folder
    (rnd.inbox / "secret.xlsx").symlink_to(rnd.ws.state_dir / "secret")
    (rnd.inbox / "passwd.xlsx").symlink_to("/etc/passwd")
    (rnd.inbox / "发改局.xlsx").symlink_to(outside)
    (rnd.inbox / "dangling.xlsx").symlink_to(rnd.tmp / "gone.xlsx")
    rnd.fill(EDU)
    result = rnd.collect()
    for name in ("secret.xlsx", "passwd.xlsx", "发改局.xlsx", "dangling.xlsx"):
        f = only(result, name)
        assert f.outcome == "ignored" and [x.key for x in f.findings] == ["ignored:link-out"] and not f.sha256
        assert "链接" in f.findings[0].message and "没有读取" in f.findings[0].message
    assert str(rnd.ws.state_dir / "secret") in only(result, "secret.xlsx").findings[0].message
    assert only(result, EDU).outcome == "accepted"
    assert len(received(rnd)) == 1 and not any(b"root:" in p.read_bytes() for p in received(rnd))
    assert rnd.master()[rnd.keys(DGRC)[0]]["进展情况"].value in (None, "")
    assert ledger_rows(rnd, "SELECT unit FROM submissions") == [(EDU,)]
    names = [c.value for row in openpyxl.load_workbook(result.report_path)["收集情况"].iter_rows() for c in row]
    assert "passwd.xlsx" in names  # said in the report, not skipped silently
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root)
    assert "已跳过" in out and "passwd.xlsx" in out


def test_a_link_to_a_file_inside_the_folder_is_not_read_twice(rnd):
    rnd.fill(EDU, name="市教育局.xlsx")
    (rnd.inbox / "快捷方式.xlsx").symlink_to("市教育局.xlsx")
    result = rnd.collect()
    link = only(result, "快捷方式")
    assert link.outcome == "ignored" and [x.key for x in link.findings] == ["ignored:link-in"]
    assert "市教育局.xlsx" in link.findings[0].message
    assert only(result, "市教育局.xlsx").outcome == "accepted"
    assert len(received(rnd)) == 1


def test_a_link_to_a_directory_is_not_followed_out_or_round_in_circles(rnd):
    elsewhere = rnd.tmp / "elsewhere"
    elsewhere.mkdir()
    rnd.fill(DGRC, folder=elsewhere)
    (rnd.inbox / "外部文件夹").symlink_to(elsewhere, target_is_directory=True)
    (rnd.inbox / "sub").mkdir()
    (rnd.inbox / "sub" / "loop").symlink_to(rnd.inbox, target_is_directory=True)
    (rnd.inbox / "workspace").symlink_to(rnd.ws.root, target_is_directory=True)
    rnd.fill(EDU, folder=rnd.inbox / "sub")
    result = rnd.collect()
    assert {f.name: f.findings[0].key for f in result.files if f.outcome == "ignored"} == {
        "外部文件夹": "ignored:link-out", "sub/loop": "ignored:link-in", "workspace": "ignored:link-out"}
    assert only(result, EDU).outcome == "accepted" and not [f for f in result.files if f.unit == DGRC]


def test_a_pipe_named_xlsx_is_set_aside_unread(rnd):
    os.mkfifo(rnd.inbox / "管道.xlsx")  # reading it would never end
    rnd.fill(EDU)
    result = rnd.collect()
    pipe = only(result, "管道")
    assert pipe.outcome == "ignored" and [x.key for x in pipe.findings] == ["ignored:special"]
    assert only(result, EDU).outcome == "accepted"


def test_reading_never_follows_a_link_or_opens_a_pipe_put_in_a_files_place(tmp_path):
    """Put there after the folder was listed: the reader itself refuses."""
    from toolkit.collect.reader import load

    (tmp_path / "link.xlsx").symlink_to("/etc/passwd")
    os.mkfifo(tmp_path / "pipe.xlsx")
    for name in ("link.xlsx", "pipe.xlsx"):
        with pytest.raises(OSError):
            load(tmp_path / name)


# ---- the archive holds the bytes judged ------------------------------------------------------------------------
def _replace_with_other_workbook(path: Path, other: Path) -> None:
    path.write_bytes(other.read_bytes())


def _grow_past_the_limit(path: Path, other: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(16 * GB)


def _replace_with_link(path: Path, other: Path) -> None:
    path.unlink()
    path.symlink_to("/etc/passwd")


@pytest.mark.parametrize("replace", [_replace_with_other_workbook, _grow_past_the_limit, _replace_with_link])
def test_a_file_replaced_after_it_was_judged_is_not_archived_as_what_was_judged(rnd, replace):
    """Between the worker's read and the archive (the progress callback runs in between):
    another unit's workbook, the same file grown to 16 GB, a link to /etc/passwd."""
    rnd.fill(DGRC, name="a.xlsx")
    other = rnd.fill(EDU, folder=rnd.tmp)
    done = []

    def meanwhile(n, total, name):
        if name == "a.xlsx" and not done:
            replace(rnd.inbox / "a.xlsx", other)
            done.append(name)

    from toolkit.collect.run import collect

    result = collect(rnd.ws, rnd.inbox, progress=meanwhile)
    f = only(result)
    assert done and f.outcome == "unreadable" and codes(f) == ["cannot-open"] and f.findings[0].key == "cannot-open:changed"
    assert received(rnd) == [] and ledger_rows(rnd, "SELECT * FROM submissions") == []
    assert rnd.master()[rnd.keys(DGRC)[0]]["进展情况"].value in (None, "")
    if replace is _replace_with_other_workbook:  # what is there now is collected next time, as what it is
        again = only(rnd.collect())
        assert again.outcome == "accepted" and again.unit == EDU


def test_every_archived_file_has_the_hash_it_is_named_by(rnd):
    rnd.fill_all()
    result = rnd.collect()
    import hashlib

    assert received(rnd) and all(hashlib.sha256(p.read_bytes()).hexdigest() == p.stem for p in received(rnd))
    assert {f.archived.stem for f in result.files} == {f.sha256 for f in result.files}


# ---- far too large -----------------------------------------------------------------------------------------------
def test_a_16_gb_file_named_xlsx_is_refused_by_size_unread_and_reported_every_run(rnd, run):
    with open(rnd.inbox / "巨大.xlsx", "wb") as f:
        f.truncate(16 * GB)  # sparse: costs nothing to make; reading it would take minutes
    rnd.fill(EDU)
    result = rnd.collect()
    big = only(result, "巨大")
    assert big.outcome == "unreadable" and codes(big) == ["too-large"] and big.sha256 is None and big.archived is None
    assert "16384 MB" in big.findings[0].message and "没有存档" in big.findings[0].message
    assert only(result, EDU).outcome == "accepted" and len(received(rnd)) == 1
    assert ledger_rows(rnd, "SELECT unit FROM submissions") == [(EDU,)]
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--json")  # told again, never lost silently
    assert code == 1 and [f["findings"][0]["code"] for f in out["files"] if f["path"] == "巨大.xlsx"] == ["too-large"]


def test_a_file_that_kills_its_worker_is_not_hashed_in_the_parent_when_far_too_large(tmp_path):
    from types import SimpleNamespace

    from toolkit.collect.reader import Unreadable
    from toolkit.collect.run import _killed_worker
    from toolkit.core.findings import finding

    big = tmp_path / "big.xlsx"
    with open(big, "wb") as f:
        f.truncate(16 * GB)
    r = _killed_worker(SimpleNamespace(default_round=ROUND), big, "big.xlsx", Unreadable(finding("timeout", file="big.xlsx", value="30")))
    assert r.outcome == "unreadable" and r.sha256 is None and [x.code for x in r.findings] == ["too-large"]


# ---- rich markup in names and texts -------------------------------------------------------------------------
def test_rich_markup_in_a_file_name_or_a_units_text_is_shown_literally(rnd, run):
    rnd.fill(DGRC, name="报送[/].xlsx", answers=rnd.answers(DGRC, 完成状态="[bold]已完成[/bold]"))
    rnd.fill(EDU, name="[red]发回 :warning:.xlsx", answers=rnd.answers(EDU, 完成状态="完成了"))  # listed: a problem
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root)
    assert code == 1  # the bad status is rejected, and said
    assert "报送[/].xlsx" in out and "[red]发回 :warning:.xlsx" in out


def test_the_terminal_shows_findings_and_progress_literally(monkeypatch):
    from toolkit.core.findings import finding
    from toolkit.views import terminal

    buf = io.StringIO()
    monkeypatch.setattr(terminal, "console", Console(file=buf, force_terminal=True, width=200, color_system=None))
    terminal.findings_table([finding("bad-status", file="[/]报送.xlsx", row=5, column="完成状态", value="[bold]好\x1b[2J",
                                     statuses="已完成")])
    with terminal.progress_bar("读取文件") as update:
        update(1, 2, "[/]报送.xlsx")
        update(2, 2, "[bold]")
    text = buf.getvalue()
    assert "[/]报送.xlsx" in text and "[bold]好\\x1b[2J" in text and "\x1b[2J" not in text
    assert terminal.lit(":warning: [link=x]a[/link]") == ":warning: \\[link=x]a\\[/link]"


# ---- the workspace is no inbox ------------------------------------------------------------------------------
@pytest.mark.parametrize("inside", ["", "rounds", f"rounds/{ROUND}/outbox", ".duban", "output"])
def test_collect_pointed_at_the_workspace_is_refused_with_exit_2(rnd, run, inside):
    folder = rnd.ws.root / inside
    folder.mkdir(parents=True, exist_ok=True)
    code, out = run("collect", folder, "-w", rnd.ws.root)
    assert code == 2 and "工作区" in out and "Traceback" not in out
    assert ledger_rows(rnd, "SELECT * FROM submissions") == []
    assert not (rnd.ws.round_dir(ROUND) / "report.xlsx").exists()


def test_a_folder_holding_the_workspace_skips_its_own_files_and_collects_the_rest(rnd, run):
    """The clerk collects the desktop, where the workspace and the returned files both are."""
    rnd.fill(EDU)
    code, out = run("collect", rnd.tmp, "-w", rnd.ws.root, "--json")
    files = {f["path"]: f for f in out["files"]}
    own = {p: f for p, f in files.items() if p.startswith("ws/")}
    assert set(own) == {"ws/rounds", "ws/.duban", "ws/master.xlsx", "ws/units.xlsx", "ws/duban.toml"}
    assert all(f["outcome"] == "ignored" and f["findings"][0]["code"] == "ignored" for f in own.values())
    assert "空白报送表" in own["ws/rounds"]["findings"][0]["message"]
    assert [f["outcome"] for p, f in files.items() if p.startswith("inbox/")] == ["accepted"]
    assert not any(f["outcome"] in ("rejected", "unidentified") for f in files.values())
    assert ledger_rows(rnd, "SELECT unit FROM submissions") == [(EDU,)]


def test_an_inbox_inside_the_workspace_is_collected(rnd):
    inbox = rnd.ws.root / "收到的文件"
    inbox.mkdir()
    rnd.fill(EDU, folder=inbox)
    from toolkit.collect.run import collect

    assert only(collect(rnd.ws, inbox)).outcome == "accepted"


def test_the_json_of_a_collect_with_hostile_names_is_valid_utf8(rnd, run):
    write_bytes_name(rnd.inbox, gbk("报送.xlsx"), b"")
    (rnd.inbox / "a\nb.xlsx").write_bytes(b"PK\x03\x04broken")
    code, out = run("collect", rnd.inbox, "-w", rnd.ws.root, "--json")
    json.dumps(out, ensure_ascii=False).encode("utf-8")
    db = sqlite3.connect(rnd.ws.ledger_path)
    assert sorted(n for (n,) in db.execute("SELECT file_name FROM submissions")) == ["a\\nb.xlsx", "报送.xlsx"]
    db.close()
    shutil.rmtree(rnd.inbox)


@pytest.mark.parametrize("encode", [lambda n: n.encode("utf-8"), gbk], ids=["utf8", "gbk"])
def test_a_copy_whose_gbk_name_names_another_unit_is_held_as_with_a_utf8_name(rnd, encode):
    """A copy without its signature, identified by its rows as 市发展改革局's, under a name
    that says 市教育局: held for the clerk whatever the name's encoding, and --accept takes
    the name as shown."""
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    copy = simulate.copy_to_new_workbook(filled, rnd.tmp / "copy.xlsx")
    write_bytes_name(rnd.inbox, encode("市教育局报送.xlsx"), copy.read_bytes())
    f = only(rnd.collect())
    assert f.name == "市教育局报送.xlsx" and f.unit == DGRC
    assert f.outcome == "rejected" and "unsigned-copy:name" in [x.key for x in f.findings]
    assert "--accept \"市教育局报送.xlsx\"" in next(x.message for x in f.findings if x.key == "unsigned-copy:name")
    accepted = only(rnd.collect(accept=["市教育局报送.xlsx"]))  # the name as shown is the name to type
    assert accepted.outcome == "accepted" and accepted.unit == DGRC
