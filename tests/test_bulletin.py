"""duban bulletin on a small round whose units and answers carry markup and formula-like text,
one unit behind, one late, one missing; and the office's own template in the workspace.

The Heshan round (figures against status --json, the PDF through LibreOffice) is tested in
test_state.py, on the round built there once.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from zipfile import ZipFile

import docx
import pytest
import python_calamine as pc
from click.testing import CliRunner

from toolkit import simulate
from toolkit.bulletin.content import figures, share
from toolkit.cli import cli
from toolkit.collect.run import collect
from toolkit.core.signing import META_SHEET, from_cells
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.templates import TEMPLATES

# On one xdist worker: the module's round is built once, not on each worker its tests land on.
pytestmark = pytest.mark.xdist_group("test_bulletin")

ROUND = "2022-07-03"
FORMULA = '=HYPERLINK("http://x")局'  # a unit whose name a spreadsheet would run as a formula
MARKUP = "市<b>教育</b>局"  # a unit whose name is markup
PROBLEM = "<w:t>资金</w:t> {{ subject }} =1+1 &amp; @SUM(A1)"  # Word XML, a template tag, formulas, an entity
TABLE = [["序号", "事项", "季度工作目标", "完成时限", "市政府分管领导", "牵头单位"],
         ["1", "推进<b>重点</b>项目建设", "第一季度：开工。第二季度：完成50%。", "2022年6月底", "黄明忠", FORMULA],
         ["2", "建设学校", "第一季度：选址。第二季度：动工。", "2022年6月底", "黄明忠", MARKUP],
         ["3", "修路", "第一季度：设计。第二季度：招标。", "2022年12月", "黄明忠", "市交通运输局"]]


def cli_run(*args, env=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, env=env)
    parsed = "--json" in args and result.exit_code in (0, 1)
    return result.exit_code, json.loads(result.stdout) if parsed else result.output


NO_OFFICE = {"PATH": "/nonexistent"}  # no soffice on the PATH: the bulletin is written as .docx only


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("bulletin")
    with open(root / "分解表.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(TABLE)
    ws, _ = init_workspace(root / "ws", root / "分解表.csv")
    files = {f.unit: f.path for f in generate(ws, ROUND).files}
    fill(files[FORMULA], root / "inbox", {"进展情况": "受疫情影响滞后。", "完成状态": "未按进度完成", "存在问题": PROBLEM},
         dt.datetime(2022, 7, 1, 9))
    fill(files[MARKUP], root / "inbox", {"进展情况": "已建成。", "完成状态": "已完成", "完成时间": "2022-06-20"},
         dt.datetime(2022, 7, 5, 9))  # after the due date: late
    collect(ws, root / "inbox")
    return ws


def fill(path: Path, inbox: Path, answer: dict, saved_at: dt.datetime) -> None:
    """The unit's workbook with `answer` on each of its rows (keys from its signed metadata)."""
    meta = from_cells(pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(META_SHEET).to_python())
    simulate.fill(path, inbox / path.name, {k: answer for k, _ in meta.rows}, saved_at=saved_at)


def document_text(path: Path) -> str:
    """Every paragraph and table cell of the .docx, as python-docx reads them."""
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_shares_round_half_up_to_one_decimal():
    assert share(17, 222) == "7.7%" and share(24, 222) == "10.8%" and share(1, 8) == "12.5%" and share(0, 0) == "0.0%"
    assert figures({"已完成": 3, "基本按进度完成": 0, "未报送": 1}, "项") == "已完成3项、占75.0%，未报送1项、占25.0%"


def test_figures_units_and_red_items_with_markup_and_formulas_written_as_text(ws, tmp_path):
    code, st = cli_run("status", "-w", ws.root, "--json")
    code, out = cli_run("bulletin", "-w", ws.root, "--json", env=NO_OFFICE)
    assert code == 1  # a unit is missing
    assert out["counts"] == st["counts"] == {"已完成": 1, "基本按进度完成": 0, "未按进度完成": 1, "暂缓实施": 0, "未报送": 1}
    assert out["nodes"] == out["counts"]  # no sub-rows here: one reporting row per item
    assert [(i["number"], i["lead_unit"], i["situation"]) for i in out["red_items"]] == [
        ("1", FORMULA, "未按进度完成"), ("3", "市交通运输局", "未报送")]
    assert out["missing_units"] == ["市交通运输局"] and out["late_units"] == [MARKUP]
    assert out["pdf"] is None and out["docx"].endswith("output/督查通报-2022-07-03.docx")

    path = Path(out["docx"])
    text = document_text(path)
    assert "共3项" in text and "已完成1项、占33.3%，未按进度完成1项、占33.3%，未报送1项、占33.3%" in text
    assert f"以下1个单位有事项进度滞后：{FORMULA}（未按进度完成1项、已过完成时限仍未完成1项）" in text
    assert f"迟报的单位1个：{MARKUP}；未报送的单位1个：市交通运输局" in text
    # the units' and the table's own texts, printed as typed
    assert PROBLEM in text and "推进<b>重点</b>项目建设" in text
    xml = ZipFile(path).read("word/document.xml").decode("utf-8")
    assert "<b>" not in xml and "&lt;b&gt;教育&lt;/b&gt;" in xml and "&amp;amp; @SUM" in xml
    assert "{{" not in xml.replace("{{ subject }}", "")  # every tag filled; the unit's tag kept as its text
    # 附件1 lists the red items, 附件3 the missing and late units
    d = docx.Document(str(path))
    red = [[c.text for c in row.cells] for row in d.tables[0].rows[1:]]
    assert [(r[1], r[2], r[3], r[6]) for r in red] == [("1", "推进<b>重点</b>项目建设", FORMULA, "未按进度完成"),
                                                       ("3", "修路", "市交通运输局", "未报送")]
    assert red[0][7] == PROBLEM and red[1][7] == "—"
    assert [[c.text for c in row.cells][1:3] for row in d.tables[2].rows[1:]] == [["市交通运输局", "未报送"], [MARKUP, "迟报"]]
    code, lines = cli_run("bulletin", "-w", ws.root, "-o", tmp_path / "通报", env=NO_OFFICE)
    assert code == 1 and (tmp_path / "通报.docx").exists() and "没有找到 LibreOffice" in lines


def test_a_template_in_the_workspace_wins_and_a_broken_one_is_one_sentence(ws):
    own = ws.root / "templates" / "bulletin.docx"
    own.parent.mkdir(exist_ok=True)
    d = docx.Document(str(TEMPLATES / "bulletin.docx"))
    main_to = next(p for p in d.paragraphs if p.text.startswith("各镇人民政府"))
    main_to.runs[0].text = "各县（市、区）人民政府，市府直属各单位："
    d.save(str(own))
    try:
        code, out = cli_run("bulletin", "-w", ws.root, env=NO_OFFICE)
        assert code == 1 and "用的是工作区的模板" in out
        assert "各县（市、区）人民政府，市府直属各单位：" in document_text(ws.root / "output" / "督查通报-2022-07-03.docx")
        main_to.runs[0].text = "{{ 主送单位 }}"  # a tag duban does not fill
        d.save(str(own))
        code, out = cli_run("bulletin", "-w", ws.root, env=NO_OFFICE)
        assert code == 2 and "用了不认识的词" in out and "Traceback" not in out
        own.write_bytes(b"not a docx")
        code, out = cli_run("bulletin", "-w", ws.root, env=NO_OFFICE)
        assert code == 2 and "不是能打开的 Word 文件" in out
    finally:
        shutil.rmtree(own.parent)
