"""simulate makes the workbooks units send back, mangled as units mangle them; collect's tests
rely on them. Here they are held against a real spreadsheet program: each one, opened and
re-saved by LibreOffice, holds the same values when read back with openpyxl, and collect
gives it the same verdict. (What collect says about each mangling: test_collect.py.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import needs_office
from test_collect import DGRC, EDU, ON_TIME, Round

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.store.office import convert

pytestmark = needs_office

IZONE, OFFICE, PUBLICITY = "市工业城管委会", "市委办公室", "市委宣传部"  # 3, 2 and 1 items
# Typed the way units type: text that looks like a formula or a number, lines, a real date.
TRICKY = {"进展情况": "=1+1 开头的文字\n第二行：完成 55%。", "存在问题": "0750", "备注": "@某人", "完成状态": "已完成",
          "完成时间": dt.date(2022, 6, 28), "下一步工作计划": "-继续推进。"}


def _batch_one(r: Round, out: Path) -> dict[str, str]:
    """One mangled workbook per unit (a collect judges each unit's newest file only)."""
    f = {unit: r.fill(unit, folder=r.tmp) for unit in r.generated}
    out.mkdir()
    simulate.fill(r.generated[DGRC].path, out / "tricky.xlsx", {k: TRICKY for k in r.keys(DGRC)}, saved_at=ON_TIME)
    simulate.delete_row(f[IZONE], out / "missing_item.xlsx", r.keys(IZONE)[1])
    simulate.edit_read_only(f[OFFICE], out / "tampered_plan.xlsx", r.keys(OFFICE)[0], "本期目标", "全部完成。")
    simulate.insert_row(f[PUBLICITY], out / "extra_row.xlsx", None, {"序号": "9", "项目名称": "自行增加的工作", "进展情况": "已开展。"})
    moved = simulate.reorder_columns(f[EDU], r.tmp / "moved.xlsx", ["完成状态", "进展情况", "存在问题", "下一步工作计划", "完成时间", "备注"])
    simulate.add_sheet(simulate.rename_sheet(moved, r.tmp / "renamed.xlsx", "我的报送"), out / "rearranged.xlsx", "说明")
    return {"tricky": "accepted", "missing_item": "partial missing-item", "tampered_plan": "partial tampered-plan",
            "extra_row": "accepted extra-row", "rearranged": "accepted"}


def _batch_two(r: Round, out: Path) -> dict[str, str]:
    f = {unit: r.fill(unit, folder=r.tmp) for unit in (DGRC, EDU, IZONE, OFFICE)}
    out.mkdir()
    simulate.foreign_rows(f[DGRC], out / "foreign_item.xlsx", f[EDU], replace=False)
    simulate.retarget_metadata(f[IZONE], out / "forged_unit.xlsx", unit=EDU)
    simulate.copy_to_new_workbook(f[OFFICE], out / "copied.xlsx", saved_at=ON_TIME)
    return {"foreign_item": "partial foreign-item", "forged_unit": "rejected bad-signature",
            "copied": "accepted identified-by-content"}


@pytest.fixture(scope="module")
def rnd(tmp_path_factory) -> Round:
    return Round(tmp_path_factory.mktemp("simulate"))


def verdicts(r: Round, folder: Path) -> dict[str, str]:
    """file stem → outcome and the codes of its findings (each once: a unit has a row per plan
    node, so one mistake may show on several rows); LibreOffice stamps its own save time, so a
    re-saved file is late and that finding is left out."""
    result = collect(r.ws, folder, dry_run=True)
    return {Path(f.name).stem: " ".join([f.outcome, *dict.fromkeys(c.code for c in f.findings if c.code != "late")])
            for f in result.files}


def cells(path: Path) -> dict[str, list[list]]:
    """Every sheet's values as openpyxl reads them; an empty string and an empty cell alike."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[None if v == "" else v for v in row] for row in ws.iter_rows(values_only=True)] for ws in wb}


@pytest.mark.parametrize("batch", [_batch_one, _batch_two])
def test_resaved_by_libreoffice_each_mangled_workbook_reads_the_same_and_gets_the_same_verdict(rnd, batch):
    made = rnd.tmp / batch.__name__
    expected = batch(rnd, made)
    resaved = convert(sorted(made.iterdir()), "xlsx", rnd.tmp / f"{batch.__name__}-libreoffice")
    assert verdicts(rnd, made) == expected
    assert verdicts(rnd, resaved[0].parent) == expected
    for path in resaved:
        assert cells(path) == cells(made / path.name), path.name


def test_text_that_looks_like_a_formula_or_a_number_stays_text_in_libreoffice(rnd, tmp_path):
    made = simulate.fill(rnd.generated[DGRC].path, tmp_path / "tricky.xlsx", {k: TRICKY for k in rnd.keys(DGRC)},
                         saved_at=ON_TIME)
    resaved = convert([made], "xlsx", tmp_path / "libreoffice")[0]
    sheet = openpyxl.load_workbook(resaved).worksheets[0]
    texts = [v for v in TRICKY.values() if isinstance(v, str)]
    typed = {c.value: c for row in sheet.iter_rows() for c in row if c.value in texts}
    assert set(typed) == set(texts) and all(typed[v].data_type == "s" for v in texts)
    assert [c.value for row in sheet.iter_rows() for c in row if getattr(c, "is_date", False)] == [dt.datetime(2022, 6, 28)] * len(rnd.keys(DGRC))
