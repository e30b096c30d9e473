"""The office's own machine: a full disk, a read-only workspace, folders nested past the path
limit. Each is one Chinese sentence naming the path and what to do, with exit code 3 where
nothing could be done, never a traceback; nothing is lost (a re-run collects it all); and the
commands that only read (status, summary -o elsewhere) work in a workspace they cannot write.

The failures are the file system's own: a disk that fills up is a file-size limit
(RLIMIT_FSIZE) on the duban process, whose writes past it fail with EFBIG as on a full disk;
a read-only workspace is a read-only bind mount in a mount namespace of the test's own (as
root, who ignores permission bits) or the folder's write bits removed (anyone else); a path
past PATH_MAX is built one folder at a time, relative to the last."""

from __future__ import annotations

import base64
import datetime as dt
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import IMPORT

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
ROUND = "2022-07-03"
DGRC, EDU, PROP = "市发展改革局", "市教育局", "市委宣传部"
PATH_MAX = os.pathconf("/", "PC_PATH_MAX")


def _keys(workbook) -> list[str]:
    import python_calamine as pc

    from toolkit.core.signing import META_SHEET, from_cells

    return [k for k, _ in from_cells(pc.CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(META_SHEET).to_python()).rows]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A workspace with DGRC collected; EDU's and PROP's filled workbooks in inbox/, EDU's
    answers long enough (random text, 58 KB as a file) to outgrow a small disk."""
    root = tmp_path_factory.mktemp("machine")
    ws, _ = init_workspace(root / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    outbox = {f.unit: f.path for f in generate(ws, ROUND).files}
    saved = dt.datetime(2022, 7, 1, 9, 0)
    for unit in (DGRC, EDU, PROP):
        answers = {k: {"进展情况": base64.b64encode(os.urandom(12000)).decode() if unit == EDU else f"{unit}：按计划推进。",
                       "完成状态": "基本按进度完成"} for k in _keys(outbox[unit])}
        simulate.fill(outbox[unit], root / ("first" if unit == DGRC else "inbox") / f"{unit}.xlsx", answers, saved_at=saved)
    collect(ws, root / "first")
    return root


@pytest.fixture
def w(base, tmp_path):
    shutil.copytree(base, tmp_path / "w")
    return tmp_path / "w"


def cli(*args, limit: int | None = None, cwd=None) -> tuple[int, str]:
    """The real CLI in a process of its own, with every file it writes limited to `limit`
    bytes (as a disk with that much room left), → (exit code, stdout and stderr)."""
    def setup():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    p = subprocess.run([sys.executable, str(REPO / "cli.py"), *map(str, args)], capture_output=True, text=True,
                       env=env, preexec_fn=setup, cwd=cwd, timeout=120)
    return p.returncode, p.stdout + p.stderr


def ledger_rows(ws: Path, sql: str) -> list[tuple]:
    with Ledger(ws / ".duban" / "ledger.sqlite") as ledger:
        return list(ledger.db.execute(sql))


def one_sentence(out: str) -> str:
    assert "Traceback" not in out and "Error" not in out, out
    lines = [line for line in out.splitlines() if line.startswith("错误：")]
    assert len(lines) == 1, out
    return lines[0]


# -- a full disk ------------------------------------------------------------------------------------


def test_a_disk_full_while_archiving_is_one_sentence_and_a_rerun_collects_every_file(w):
    code, out = cli("collect", w / "inbox", "-w", w / "ws", limit=45_000)  # EDU's 58 KB file does not fit
    said = one_sentence(out)
    assert code == 3 and "磁盘空间不足" in said and "received" in said and "腾出空间" in said
    assert ledger_rows(w / "ws", "SELECT unit FROM submissions") == [(DGRC,)] * len(ledger_rows(w / "ws", "SELECT 1 FROM submissions"))
    result = collect(Workspace(w / "ws"), w / "inbox")
    assert sorted((f.unit, f.outcome) for f in result.files) == [(PROP, "accepted"), (EDU, "accepted")]
    assert not list((w / "ws" / "rounds" / ROUND / "received").glob(".*.tmp"))  # the half copy swept


def test_a_disk_full_while_backing_up_the_master_keeps_the_ledger_and_the_next_run_mends_the_master(w):
    master = w / "ws" / "master.xlsx"
    wb = openpyxl.load_workbook(master)  # the clerk's own notes make the master the largest file
    notes = wb.create_sheet("督查室笔记")
    for r in range(1, 401):
        notes.cell(r, 1).value = base64.b64encode(os.urandom(300)).decode()
    wb.save(master)
    (w / "inbox" / f"{EDU}.xlsx").unlink()
    code, out = cli("collect", w / "inbox", "-w", w / "ws", limit=100_000)
    said = one_sentence(out)
    assert code == 3 and "磁盘空间不足" in said and "backups" in said
    assert sorted(f.stat().st_size for f in (w / "ws" / ".duban" / "backups").iterdir()) == \
        sorted(f.stat().st_size for f in (w / "ws" / ".duban" / "backups").iterdir() if f.stat().st_size != 100_000)
    assert (PROP,) in ledger_rows(w / "ws", "SELECT unit FROM submissions")  # the ledger has the report
    again = collect(Workspace(w / "ws"), w / "inbox")
    assert [f.outcome for f in again.files] == ["unchanged"] and again.master_cells_written
    sheet = openpyxl.load_workbook(master)["总台账"]
    header = [c.value for c in sheet[2]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert any(r[header.index("报送单位")] == PROP and r[header.index("进展情况")] == f"{PROP}：按计划推进。" for r in rows)


def test_a_disk_full_when_taking_the_lock_leaves_no_lock_to_block_the_next_run(w):
    code, out = cli("generate", "-w", w / "ws", "--round", ROUND, limit=20)
    assert code == 3 and "磁盘空间不足" in one_sentence(out) and ".duban/lock" in out
    assert not (w / "ws" / ".duban" / "lock").exists()
    code, out = cli("generate", "-w", w / "ws", "--round", ROUND)
    assert code == 0, out


def test_a_ledger_that_cannot_grow_is_one_sentence_naming_it(w):
    code, out = cli("collect", w / "inbox", "-w", w / "ws", limit=5_000)
    said = one_sentence(out)
    assert code == 3 and "台账库" in said and "ledger.sqlite" in said and "磁盘" in said
    assert len(ledger_rows(w / "ws", "SELECT 1 FROM submissions")) == 1  # only DGRC's, as before


# -- a read-only workspace ---------------------------------------------------------------------------


def _unshare_works() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind -o ro / /tmp 2>/dev/null || exit 1; touch /tmp/x 2>/dev/null && exit 1; exit 0"],
                           capture_output=True)
    return probe.returncode == 0


def cli_read_only(ws: Path, *args) -> tuple[int, str]:
    """The CLI with the workspace folder read-only to it."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [ws, *ws.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            p = subprocess.run([sys.executable, str(REPO / "cli.py"), *map(str, args)], capture_output=True, text=True, env=env)
        finally:
            for p_, mode in modes.items():
                p_.chmod(mode)
        return p.returncode, p.stdout + p.stderr
    if not _unshare_works():
        pytest.skip("no way to make a folder read-only to root here (needs unshare and mount)")
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    p = subprocess.run(["unshare", "-m", "sh", "-c", script, str(ws), sys.executable, str(REPO / "cli.py"), *map(str, args)],
                       capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout + p.stderr


def _fingerprint(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in ws.rglob("*") if p.is_file()}


def test_status_and_a_summary_elsewhere_work_in_a_read_only_workspace_change_nothing_and_say_what_was_not_recorded(w, tmp_path):
    ws = w / "ws"
    wb = openpyxl.load_workbook(ws / "master.xlsx")  # the clerk's edit, not yet recorded
    sheet = wb["总台账"]
    header = [c.value for c in sheet[2]]
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, header.index("报送单位") + 1).value == DGRC)
    sheet.cell(row, header.index("进展情况") + 1).value = "督查室核实后更正的进展。"
    wb.save(ws / "master.xlsx")
    before = _fingerprint(ws)
    code, out = cli_read_only(ws, "status", "-w", ws, "--round", ROUND, "--json", "--html", tmp_path / "看板.html")
    assert code == 0 and '"submitted": true' in out and "督查室核实后更正的进展。" in out, out
    assert "督查室核实后更正的进展。" in (tmp_path / "看板.html").read_text(encoding="utf-8")
    code, out = cli_read_only(ws, "summary", "-w", ws, "--round", ROUND, "-o", tmp_path / "汇总表.xlsx")
    assert code == 1 and "Traceback" not in out and "1 处手工修改" in out and "没有记入台账库" in out, out
    texts = " ".join(str(c.value) for row in openpyxl.load_workbook(tmp_path / "汇总表.xlsx").worksheets[0].iter_rows() for c in row)
    assert "督查室核实后更正的进展。" in texts
    assert _fingerprint(ws) == before  # not a byte changed
    code, out = cli("summary", "-w", ws, "--round", ROUND, "-o", tmp_path / "again.xlsx")  # writable again: recorded
    assert "没有记入" not in out and ledger_rows(ws, "SELECT new_value FROM corrections") == [("督查室核实后更正的进展。",)]


@pytest.mark.parametrize("command", [["collect", "{inbox}"], ["generate", "--round", ROUND], ["summary"],
                                     ["status", "--html", "{ws}/output/看板.html"]])
def test_a_command_that_must_write_a_read_only_workspace_says_so_in_one_sentence(w, command):
    ws = w / "ws"
    args = [a.format(inbox=w / "inbox", ws=ws) for a in command]
    code, out = cli_read_only(ws, *args, "-w", ws)
    said = one_sentence(out)
    assert code == 3 and ("只读" in said or "权限" in said) and str(ws) in said
    if command[0] in ("collect", "generate"):
        assert "duban status" in said  # what still works
    if command[0] == "summary":
        assert "-o" in said
    if command[0] == "status":
        assert "--html" in said


def test_status_in_a_read_only_workspace_with_a_ledger_left_half_written_says_how_to_finish_it(w, tmp_path):
    ws = w / "ws"
    ledger = ws / ".duban" / "ledger.sqlite"
    # A process killed with a transaction in the -wal file, not yet written back into the ledger.
    code = ("import os, sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None);"
            "db.execute('PRAGMA wal_autocheckpoint=0'); db.execute(\"INSERT INTO meta VALUES ('killed', 'yes')\"); os._exit(0)")
    subprocess.run([sys.executable, "-c", code, str(ledger)], check=True)
    ledger.with_name("ledger.sqlite-shm").unlink()
    assert ledger.with_name("ledger.sqlite-wal").stat().st_size
    code, out = cli_read_only(ws, "status", "-w", ws, "--round", ROUND)
    said = one_sentence(out)
    assert code == 3 and "ledger.sqlite-wal" in said and "可写的位置运行一次 duban summary" in said
    code, out = cli("summary", "-w", ws, "--round", ROUND, "-o", tmp_path / "汇总表.xlsx")  # as told
    wal = ledger.with_name("ledger.sqlite-wal")
    assert code == 1 and (not wal.exists() or wal.stat().st_size == 0), out
    code, out = cli_read_only(ws, "status", "-w", ws, "--round", ROUND)
    assert code == 0, out
    assert sqlite3.connect(ledger).execute("SELECT value FROM meta WHERE name = 'killed'").fetchone() == ("yes",)


# -- paths past PATH_MAX -----------------------------------------------------------------------------


def _deep(top: Path, length: int) -> tuple[int, str]:
    """Folders under `top` until their path is `length` bytes or more, made one at a time
    relative to the last (no system call sees the whole path) → (an open descriptor of the
    deepest folder, its path). The caller closes it."""
    name = "各单位退回的材料" * 8  # 192 bytes
    top.mkdir(parents=True, exist_ok=True)
    fd = os.open(top, os.O_RDONLY)
    path = str(top)
    while len(path.encode()) < length:
        os.mkdir(name, dir_fd=fd)
        inner = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd, path = inner, f"{path}/{name}"
    return fd, path


def _put(fd: int, name: str, data: bytes) -> None:
    out = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(out, data)
    os.close(out)


def test_a_folder_nested_past_the_path_limit_is_told_and_every_other_file_is_collected(w):
    inbox = w / "inbox"
    data = (inbox / f"{PROP}.xlsx").read_bytes()
    (inbox / f"{PROP}.xlsx").unlink()
    fd, deep = _deep(inbox / "解压", PATH_MAX + 200)
    try:
        _put(fd, f"{PROP}.xlsx", data)
    finally:
        os.close(fd)
    result = collect(Workspace(w / "ws"), inbox)
    told = [f for f in result.files if f.outcome == "unreadable"]
    assert [f.findings[0].key for f in told] == ["cannot-open:deep-folder"]
    assert "路径太长" in told[0].findings[0].message and "移到路径较短" in told[0].findings[0].message
    assert [f.unit for f in result.files if f.outcome == "accepted"] == [EDU]
    assert result.exit_code == 1
    (inbox / f"{PROP}.xlsx").write_bytes(data)  # moved up as told
    again = collect(Workspace(w / "ws"), inbox)
    assert (PROP, "accepted") in [(f.unit, f.outcome) for f in again.files]


def test_a_file_whose_own_path_is_past_the_limit_is_told_and_the_others_collected(w):
    inbox = w / "inbox"
    data = (inbox / f"{PROP}.xlsx").read_bytes()
    (inbox / f"{PROP}.xlsx").unlink()
    fd, deep = _deep(inbox / "解压", PATH_MAX - 250)  # the folder lists; the file's path is too long to open
    try:
        name = "报送表" * 20 + ".xlsx"
        assert len(f"{deep}/{name}".encode()) > PATH_MAX
        _put(fd, name, data)
    finally:
        os.close(fd)
    result = collect(Workspace(w / "ws"), inbox)
    told = [f for f in result.files if f.outcome == "unreadable"]
    assert [f.findings[0].key for f in told] == ["cannot-open:too-long"] and "路径太长" in told[0].findings[0].message
    assert [f.unit for f in result.files if f.outcome == "accepted"] == [EDU]


def test_a_workspace_or_folder_past_the_path_limit_is_one_sentence_with_exit_3(w):
    fd, deep = _deep(w / "深", PATH_MAX + 200)
    try:
        code, out = _run_in(fd, "status", "-w", ".")  # run from a folder that deep
        assert code == 3 and "路径太长" in one_sentence(out)
        code, out = cli("collect", deep, "-w", w / "ws")
        assert code == 3 and "路径太长" in one_sentence(out) and "移到路径较短" in out
    finally:
        os.close(fd)


def _run_in(fd: int, *args) -> tuple[int, str]:
    """The CLI run with the folder open as `fd` as its current folder."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    p = subprocess.run([sys.executable, str(REPO / "cli.py"), *args], capture_output=True, text=True, env=env,
                       preexec_fn=lambda: os.fchdir(fd), pass_fds=(fd,), timeout=120)
    return p.returncode, p.stdout + p.stderr
