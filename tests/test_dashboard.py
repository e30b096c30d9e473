"""status --html: the 红黄绿 dashboard, self-contained and safe with units' texts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import IMPORT
from test_collect import DGRC, EDU, Round
from test_generate import metadata

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace


@pytest.fixture
def rnd(tmp_path):
    return Round(tmp_path)


def test_dashboard_lights_warnings_and_escaped_texts(rnd, run):
    keys = rnd.keys(DGRC)  # GDP: 5 node rows, then fixed investment: 4
    done = {"进展情况": "已全部完成。", "完成状态": "已完成", "完成时间": "2022-06-30"}
    answers = {k: done for k in keys}
    answers[keys[0]] = {"进展情况": "<script>alert(1)</script>受疫情影响滞后。", "完成状态": "未按进度完成", "存在问题": "资金不足。"}
    rnd.fill(DGRC, answers=answers)
    edu = rnd.keys(EDU)  # its nodes due in April and June done, those of August and September on track
    rnd.fill(EDU, answers={**rnd.answers(EDU), **{k: done for k in edu[:2]}})
    rnd.collect()
    page = rnd.tmp / "看板.html"
    code, out = run("status", "-w", rnd.ws.root, "--html", page)
    assert code == 0 and str(page) in out.replace("\n", "")
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html  # a unit's text cannot run in the page
    assert "<link" not in html and "src=" not in html  # nothing fetched from elsewhere: works offline
    cards = dict(re.findall(r'<div class="card (green|yellow|red)"><b>(\d+)</b>', html))
    # 9 items: 1 done (green), 1 on track (yellow: 市教育局's), 1 behind + 6 not reported (red)
    assert cards == {"green": "1", "yellow": "1", "red": "7"}
    assert status_counts(html) == {"已完成": 1, "基本按进度完成": 1, "未按进度完成": 1, "暂缓实施": 0, "未报送": 6}
    assert "红色预警（7 项）" in html and "未按进度完成" in html and "未报送" in html
    assert html.count("已全部完成。") == 1  # GDP's four done nodes say the same: shown once, not four times
    assert "缺报单位：" in html and "市委办公室" in html
    # a node past its deadline and not done makes its item red, whatever the item's status
    rnd.fill(EDU, name="again.xlsx", answers=rnd.answers(EDU), saved_at=dt.datetime(2022, 7, 2))
    rnd.collect()
    run("status", "-w", rnd.ws.root, "--html", page)
    html = page.read_text(encoding="utf-8")
    assert "已过完成时限（4月底）仍未完成" in html and status_counts(html)["基本按进度完成"] == 1


def status_counts(html: str) -> dict[str, int]:
    """The dashboard's items per status (the one rule's counts)."""
    return {k: int(v) for k, v in re.findall(r'<td class="n" data-status="([^"]+)">(\d+)</td>', html)}


def test_an_item_whose_sub_row_units_sent_nothing_is_red_unreported_not_green(tmp_path, run):
    """Item 1 of the Zhanjiang-style table: its lead reports 已完成, the two units of its
    sub-rows send nothing. The item is 未报送 (red), in status and on the dashboard alike."""
    ws, _ = init_workspace(tmp_path / "ws", IMPORT / "merged_subrows.xlsx")
    files = {f.unit: f.path for f in generate(ws, "2022-05-03").files}
    lead = "市交通运输局"
    key = next(k for k, _ in metadata(files[lead]).rows)
    done = {"进展情况": "38座危桥整治已全部完成。", "完成状态": "已完成", "完成时间": "2022-04-30"}
    simulate.fill(files[lead], tmp_path / "inbox" / files[lead].name, {key: done}, saved_at=dt.datetime(2022, 5, 1))
    collect(ws, tmp_path / "inbox")
    code, out = run("status", "-w", ws.root, "--json", "--html", tmp_path / "看板.html")
    item = next(i for i in out["items"] if i["number"] == "1")
    assert item["units"] == [lead, "市水务局", "市雷州青年运河管理局"]
    assert item["status"] == "未报送" and [(r["unit"], r["node"]) for r in item["reports"]] == [(lead, None)]
    html = (tmp_path / "看板.html").read_text(encoding="utf-8")
    row = re.search(r'<tr><td class="n"><span class="dot (\w+)"></span>.*?<td class="n">1</td>.*?</tr>', html, re.S)
    assert row.group(1) == "red" and "未报送" in row.group(0)
    assert status_counts(html) == out["counts"]
