"""collect under hostile and broken files: each gets one clear finding, the rest of the folder
is still collected, nothing crashes, nothing is lost. Fixtures: make_hostile_fixtures.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_collect import DGRC, EDU, ON_TIME, Round, codes, only

from toolkit import simulate

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FINAL = {"accepted", "partial", "rejected", "superseded", "unchanged", "unidentified", "unreadable", "ignored"}


@pytest.fixture
def rnd(tmp_path):
    return Round(tmp_path)


def rewrite_part(path: Path, part: str, edit) -> None:
    """Rewrite one part of an xlsx in place (what another program's writer does differently)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, edit(data) if info.filename == part else data)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize("name, code", [
    ("zip_bomb.xlsx", "zip-bomb"), ("xml_bomb_billion_laughs.xlsx", "corrupt"), ("pdf_renamed.xlsx", "wrong-format"),
])
def test_committed_hostile_files_get_one_finding_and_the_good_file_is_collected(rnd, name, code):
    rnd.fill(EDU)
    shutil.copy(HOSTILE / name, rnd.inbox / name)
    result = rnd.collect()
    bad = only(result, name)
    assert bad.outcome == "unreadable" and codes(bad) == [code]
    assert only(result, EDU).outcome == "accepted"
    assert (rnd.ws.round_dir(result.round) / "received" / f"{bad.sha256}.xlsx").exists()  # kept, as sent


def test_an_extension_that_lies_is_read_by_content_with_a_warning(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    shutil.copy(filled, rnd.inbox / "really_xlsx.xls")
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == ["extension-mismatch"] and f.findings[0].value == ".xls"


def test_a_wps_style_dimension_of_a1_still_reads_every_row(rnd):
    filled = rnd.fill(DGRC)
    rewrite_part(filled, "xl/worksheets/sheet1.xml", lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', x))
    assert b'<dimension ref="A1"/>' in zipfile.ZipFile(filled).read("xl/worksheets/sheet1.xml")
    f = only(rnd.collect())
    assert f.outcome == "accepted" and codes(f) == []


def test_a_workbook_saved_as_strict_ooxml_is_collected(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp, answers=rnd.answers(DGRC, 进展情况="按 Strict 格式另存。"))
    strict = simulate.save_as_strict(filled, rnd.inbox / "strict.xlsx")
    with zipfile.ZipFile(strict) as z:
        assert b"http://purl.oclc.org/ooxml/spreadsheetml/main" in z.read("xl/workbook.xml")
        assert b"schemas.openxmlformats.org/spreadsheetml" not in z.read("xl/workbook.xml")
    f = only(rnd.collect())
    assert f.outcome == "accepted" and f.identified_by == "metadata" and codes(f) == []
    assert rnd.master()[rnd.keys(DGRC)[0]]["进展情况"].value == "按 Strict 格式另存。"


def test_a_sheet_of_a_million_rows_is_capped_with_a_finding(rnd):
    rnd.fill(EDU)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 1_000_001))
    sheet = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>"
    big = rnd.inbox / "a_million_rows.xlsx"
    wb = openpyxl.Workbook()
    wb.save(big)
    rewrite_part(big, "xl/worksheets/sheet1.xml", lambda _: sheet)
    result = rnd.collect()
    f = only(result, "million")
    assert f.outcome == "unidentified" and "too-many-rows" in codes(f)
    assert only(result, EDU).outcome == "accepted"


def test_chinese_names_spaces_and_very_long_paths(rnd):
    deep = rnd.inbox / "各单位 报送" / ("第六次 报送材料" * 6) / ("市发展改革局 2022年 第三次 " * 3) / "新建 文件夹 (2)" / "收件箱 附件 下载"
    deep.mkdir(parents=True)
    name = "2022年鹤山市委、市政府重点工作任务 - 市发展改革局（第三次报送）定稿 " + "最终版" * 8 + ".xlsx"  # < 255 bytes
    rnd.fill(DGRC, name=name, folder=deep)
    assert len(str(deep / name)) > 260
    f = only(rnd.collect())
    assert f.outcome == "accepted" and f.name.endswith(name)


def test_a_folder_of_2000_files_with_50_broken_ones(rnd):
    filled = rnd.fill(EDU, folder=rnd.tmp)
    data = filled.read_bytes()
    for i in range(1950):  # the same unit's file saved again and again: distinct bytes, distinct times
        target = rnd.inbox / f"{i // 100:02d}" / f"市教育局-{i:04d}.xlsx"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(data)
        stamp = (ON_TIME - dt.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        rewrite_part(target, "docProps/core.xml", lambda x, s=stamp: re.sub(rb"(<dcterms:modified[^>]*>)[^<]+", rb"\g<1>" + s, x))
    for i in range(50):
        (rnd.inbox / "broken" ).mkdir(exist_ok=True)
        (rnd.inbox / "broken" / f"坏文件-{i:02d}.xlsx").write_bytes(data[: 100 + i * 37])
    result = rnd.collect()
    outcomes = [f.outcome for f in result.files]
    assert len(outcomes) == 2000
    assert outcomes.count("unreadable") == 50 and outcomes.count("accepted") == 1 and outcomes.count("superseded") == 1949
    winner = next(f for f in result.files if f.outcome == "accepted")
    assert winner.name.endswith("市教育局-0000.xlsx")  # the one saved last
    assert all(f.findings for f in result.files if f.outcome != "accepted")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside this checkout")
def test_every_file_of_the_real_corpus_ends_with_an_outcome_and_a_finding(rnd):
    rnd.fill(DGRC)
    rnd.fill(EDU)
    for path in CORPUS.rglob("*"):
        if path.is_file() and path.name not in ("MANIFEST.tsv", "README.md"):
            target = rnd.inbox / "corpus" / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    result = rnd.collect()
    corpus = [f for f in result.files if f.name.startswith("corpus/")]
    assert len(corpus) == 114  # every file of the corpus
    for f in corpus:
        assert f.outcome in FINAL and f.outcome != "accepted", f.name
        assert f.findings, f.name
    assert only(result, DGRC).outcome == "accepted" and only(result, EDU).outcome == "accepted"


# ---- security -------------------------------------------------------------------------------------------------
def test_formula_injection_in_file_names_and_texts_stays_text_everywhere(rnd):
    evil = "=cmd|' calc'!A0"
    rnd.fill(DGRC, name=f"{evil}.xlsx", answers=rnd.answers(DGRC, 进展情况="=HYPERLINK(\"http://x\",\"点我\")", 备注="@SUM(1)"))
    result = rnd.collect()
    assert only(result).outcome == "accepted"
    master = rnd.master()[rnd.keys(DGRC)[0]]
    assert master["报送单位文件"].value == f"{evil}.xlsx" and master["报送单位文件"].data_type == "s"
    with zipfile.ZipFile(rnd.ws.master_path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(result.report_path) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_a_round_name_in_forged_metadata_cannot_escape_the_workspace(rnd):
    filled = rnd.fill(DGRC, folder=rnd.tmp)
    simulate.retarget_metadata(filled, rnd.inbox / "escape.xlsx", round="../../../../tmp/escaped")
    f = only(rnd.collect())
    assert f.outcome == "rejected" and codes(f) == ["bad-signature"]
    inside = {p.resolve() for p in rnd.ws.root.rglob("*")}
    assert all(str(p).startswith(str(rnd.ws.root.resolve())) for p in inside)
    assert not (rnd.tmp / "escaped").exists() and not Path("/tmp/escaped").exists()


def test_a_unit_cannot_change_another_units_rows_even_with_a_signature_of_its_own(rnd):
    """Unit A's file carries unit B's item keys and a signature made with a guessed key."""
    mine = rnd.fill(DGRC, folder=rnd.tmp)
    theirs = rnd.fill(EDU, folder=rnd.tmp, answers=rnd.answers(EDU, 进展情况="被篡改的内容。"))
    pasted = simulate.foreign_rows(mine, rnd.tmp / "pasted.xlsx", theirs, replace=True)
    import python_calamine as pc

    from toolkit.core.signing import META_SHEET, from_cells

    meta = from_cells(pc.CalamineWorkbook.from_path(str(pasted)).get_sheet_by_name(META_SHEET).to_python())
    meta.rows = [(k, h) for k, h in zip(rnd.keys(EDU), [h for _, h in meta.rows])]
    meta.sign(hmac.new(b"guess", b"secret", hashlib.sha256).hexdigest().encode())
    simulate.retarget_metadata(pasted, rnd.inbox / "a_with_b_rows.xlsx", rows=meta.rows, signature=meta.signature)
    f = only(rnd.collect())
    assert f.outcome == "rejected" and codes(f) == ["bad-signature"]
    assert rnd.master()[rnd.keys(EDU)[0]]["进展情况"].value in (None, "")
    # and with its genuine signature, the pasted rows are another unit's: foreign, not merged
    shutil.copy(pasted, rnd.inbox / "a_with_b_rows_signed.xlsx")
    result = rnd.collect()
    g = only(result, "signed")
    assert g.outcome == "rejected" and set(codes(g, "error")) == {"foreign-item", "missing-item"}
    assert rnd.master()[rnd.keys(EDU)[0]]["进展情况"].value in (None, "")
    assert os.path.exists(rnd.ws.master_path)


# ---- the sandbox itself ----------------------------------------------------------------------------------------
def _flaky_job(context, path):
    """A job that dies on one file, hangs on another, eats memory on a third, reads the rest
    (and notes each read in reads.log beside them)."""
    if path.name == "greedy.xlsx":
        return len(bytearray(3 * 1024 ** 3))  # more than the worker's cap
    if path.name == "crash.xlsx":
        os._exit(9)
    if path.name == "hang.xlsx":
        import time

        time.sleep(60)
    with open(path.parent / "reads.log", "a") as log:  # appends of a line are whole, from any process
        log.write(path.name + "\n")
    return path.name


def _reads(folder: Path) -> dict[str, int]:
    log = folder / "reads.log"
    names = log.read_text().split() if log.exists() else []
    return {name: names.count(name) for name in names}


def _slow_to_unpickle(seconds: float) -> str:
    import time

    time.sleep(seconds)
    return "context"


class _SlowContext:
    """A context that takes `seconds` to arrive in a worker started afresh, as importing duban
    does on a loaded machine."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __reduce__(self):
        return _slow_to_unpickle, (self.seconds,)


def test_a_worker_that_dies_or_hangs_costs_only_its_own_file(tmp_path):
    from toolkit.collect.reader import Unreadable
    from toolkit.collect.sandbox import read_many

    names = [f"f{i:02d}.xlsx" for i in range(40)]
    names[5], names[23], names[31] = "crash.xlsx", "hang.xlsx", "greedy.xlsx"
    out = dict(read_many([tmp_path / n for n in names], workers=2, time_limit=2, job=_flaky_job))
    assert sorted(out) == list(range(40))
    assert isinstance(out[5], Unreadable) and out[5].code == "reader-crash"
    assert isinstance(out[23], Unreadable) and out[23].code == "timeout"
    if sys.platform.startswith("linux"):  # the address-space cap is a POSIX rlimit
        assert isinstance(out[31], Unreadable) and out[31].code == "too-large"
    assert all(out[i] == names[i] for i in range(40) if i not in (5, 23, 31))


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_leave_on_their_own_when_the_reading_is_done(tmp_path, monkeypatch, start):
    """Stopped, each worker leaves by itself (exit code 0), however long it took to start:
    none is killed."""
    monkeypatch.setenv("DUBAN_START", start)
    from toolkit.collect.sandbox import Workers

    with Workers(_flaky_job, workers=2) as pool:
        out = dict(pool.read([tmp_path / f"f{i}.xlsx" for i in range(4)], "context"))
        processes = [slot.process for slot in pool.slots]
    assert out == {i: f"f{i}.xlsx" for i in range(4)}
    assert [p.exitcode for p in processes] == [0, 0]


def test_workers_started_afresh_for_one_file_are_one(tmp_path, monkeypatch):
    """A pool starts no more workers than there are files (a process started afresh costs
    a quarter of a second)."""
    monkeypatch.setenv("DUBAN_START", "spawn")
    from toolkit.collect.sandbox import Workers

    with Workers(_flaky_job, workers=2) as pool:
        out = dict(pool.read([tmp_path / "only.xlsx"], "context"))
        assert len(pool.slots) == 1
    assert out == {0: "only.xlsx"}


@pytest.mark.parametrize("start", ["fork", "spawn"])  # spawn: as on Windows and macOS
def test_a_crash_and_a_hang_in_one_chunk_are_each_found_and_the_rest_read_once_more_at_most(tmp_path, monkeypatch, start):
    """The files of a worker that dies are suspects, read again one per worker: two bad files
    in one chunk each end with their own finding."""
    monkeypatch.setenv("DUBAN_START", start)
    from toolkit.collect.reader import Unreadable
    from toolkit.collect.sandbox import read_many

    names = [f"f{i:02d}.xlsx" for i in range(24)]
    names[0], names[1] = "hang.xlsx", "crash.xlsx"  # chunks of 3 here: both in the first one
    out = dict(read_many([tmp_path / n for n in names], workers=2, time_limit=1, job=_flaky_job))
    assert sorted(out) == list(range(24))
    assert out[0].code == "timeout" and out[1].code == "reader-crash"
    assert all(out[i] == names[i] for i in range(24) if i not in (0, 1))
    assert not any(isinstance(v, Unreadable) for i, v in out.items() if i not in (0, 1))
    reads = _reads(tmp_path)
    assert sorted(reads) == sorted(names[2:]) and max(reads.values()) <= 2


def test_a_worker_slow_to_start_costs_no_file_its_time_limit(tmp_path, monkeypatch):
    """The time limit counts from when a worker is ready: one started afresh on a loaded
    machine takes seconds to import duban, and its files are not too slow for that."""
    monkeypatch.setenv("DUBAN_START", "spawn")
    from toolkit.collect.sandbox import read_many

    names = [f"f{i:02d}.xlsx" for i in range(6)]
    out = dict(read_many([tmp_path / n for n in names], _flaky_job, _SlowContext(2), workers=2, time_limit=1))
    assert out == dict(enumerate(names))
    assert _reads(tmp_path) == {name: 1 for name in names}


def _dies_on_arrival() -> None:
    os._exit(9)


class _DeadlyContext:
    def __reduce__(self):
        return _dies_on_arrival, ()


def test_workers_that_die_before_they_are_ready_stop_the_run_blaming_no_file(tmp_path, monkeypatch):
    """No file was given to them, so none gets a finding: the run stops with exit code 3."""
    monkeypatch.setenv("DUBAN_START", "spawn")
    from toolkit.collect.sandbox import WorkersWontStart, read_many

    with pytest.raises(WorkersWontStart) as e:
        list(read_many([tmp_path / "f00.xlsx", tmp_path / "f01.xlsx"], _flaky_job, _DeadlyContext(), workers=2))
    assert e.value.exit_code == 3 and "没有收集任何文件" in str(e.value)
    assert not _reads(tmp_path)
