"""duban demo: the README's first command runs the whole round trip and leaves its files."""

from __future__ import annotations

import openpyxl

from toolkit.demo import MARKER, _reset
from toolkit.store.office import find_soffice


def test_the_demo_runs_the_round_trip(tmp_path, run):
    root = tmp_path / "演示"
    code, out = run("demo", root)
    assert code == 0, out
    for step in ("导入分解表", "生成各单位的报送表", "写邮件草稿", "收集整个文件夹", "退回修改", "完成情况汇总表", "督查通报"):
        assert step in out, step
    # 59 workbooks and 59 drafts are a line each, not a table of 59 wrapped rows
    made = out.split("生成各单位的报送表")[1].split("收集整个文件夹")[0]
    assert "生成报送表 59 份" in made and "已写草稿 59" in made and "┃" not in made
    # collect names the round by its label and counts the warnings it took with the rows
    assert "第六次报送（截止 2023-01-03）：应报 59 个单位" in out and "个单位）：内容已采纳" in out
    rnd = root / "rounds" / "2023-01-03"
    assert len(list((rnd / "outbox").glob("*.xlsx"))) == 59
    assert len(list((rnd / "mail").glob("报送通知-*.eml"))) == 59
    assert len(list((rnd / "received").iterdir())) == 60
    assert (root / "output" / "dashboard-2023-01-03.html").exists() and (root / "output" / "督查通报-2023-01-03.docx").exists()
    summary = root / "output" / "完成情况汇总表-2023-01-03.xlsx"
    assert summary.exists() and (summary.with_suffix(".pdf").exists() or find_soffice() is None)
    code, status = run("status", "-w", root, "--json")
    units = {u["name"]: u for u in status["units"]}
    assert sum(u["submitted"] for u in units.values()) == 59 and units["市工业城管委会"]["late"]
    report = openpyxl.load_workbook(rnd / "report.xlsx")
    listed = {}
    for name in report.sheetnames[1:]:  # (级别, 问题及改正方法) of each row under the sheet's header row
        rows = list(report[name].iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if "级别" in r)
        at = rows[head].index("级别")
        listed[name] = [r[at:at + 2] for r in rows[head + 1:] if r[at]]
    # the mistyped status is the only thing to fix; the rest are Heshan's own 已完成 rows whose
    # text says only that work goes on (核实 warnings, no correction)
    assert [(name, level) for name, rows in listed.items() for level, _ in rows if level == "须改正"] == [("市发展改革局", "须改正")]
    assert all("像是尚未完成" in message for rows in listed.values() for level, message in rows if level == "提示")
    # A second run starts from nothing: the folder the first made (it carries the marker) goes.
    # Checked on the folder itself, not by running the whole demo twice (half the test's time).
    assert (root / MARKER).exists()
    _reset(root)
    assert not root.exists()


def test_the_demo_never_deletes_a_folder_it_did_not_make(tmp_path, run):
    (tmp_path / "我的文件.txt").write_text("重要", encoding="utf-8")
    code, out = run("demo", tmp_path)
    assert code == 2 and "不是 duban 演示目录" in out
    assert (tmp_path / "我的文件.txt").read_text(encoding="utf-8") == "重要"
