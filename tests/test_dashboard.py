"""status --html: the 红黄绿 dashboard, self-contained and safe with units' texts."""

from __future__ import annotations

import re

import pytest
from test_collect import DGRC, EDU, Round


@pytest.fixture
def rnd(tmp_path):
    return Round(tmp_path)


def test_dashboard_lights_warnings_and_escaped_texts(rnd, run):
    keys = rnd.keys(DGRC)
    rnd.fill(DGRC, answers={
        keys[0]: {"进展情况": "<script>alert(1)</script>受疫情影响滞后。", "完成状态": "未按进度完成", "存在问题": "资金不足。"},
        keys[1]: {"进展情况": "已全部完成。", "完成状态": "已完成", "完成时间": "2022-06-30"}})
    rnd.fill(EDU)
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
    assert "红色预警（7 项）" in html and "未按进度完成" in html and "未报送" in html
    assert "缺报单位：" in html and "市委办公室" in html
