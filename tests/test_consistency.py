"""collect's consistency warnings: a status the row's own text contradicts, a completion date
still to come, a status raised over last round's text. Every progress text is Heshan's own
(seed 002, sample_workbooks/heshan-2022/completion.json), under the status Heshan gave it or
the one a unit picks by mistake. The warnings never reject: one real round is collected once
through the CLI (--json) and each test reads its part of the result, the master and report.xlsx."""

from __future__ import annotations

import datetime as dt
import json
import re

import openpyxl
import pytest
from click.testing import CliRunner
from test_collect import DGRC, EDU, ON_TIME, ROUND, Round

from toolkit import simulate
from toolkit.cli import cli
from toolkit.collect.run import collect
from toolkit.core.wording import Wording
from toolkit.generate.run import generate
from toolkit.store.samples import ROOT

PREVIOUS = "2022-05-03"
COMPLETION = json.loads((ROOT / "heshan-2022" / "completion.json").read_text(encoding="utf-8"))


def heshan(text: str) -> str:
    """A completion text of seed 002, whole or its opening sentences (the 存在问题 Heshan wrote
    after them goes to its own column): fails if the wording is not Heshan's."""
    found = [r["progress"] for r in COMPLETION if (r["progress"] or "").startswith(text)]
    assert found, f"not a Heshan completion text: {text}"
    return text


# The rows of 市发展改革局's workbook (9 rows: items 1 and 2 and their nodes), each with what is
# in it. Where the row should warn, the code; the texts are Heshan's.
PLANTED = "《鹤山市建设中欧（江门）中小企业国际合作区实施方案（2022—2030年）》已正式印发。"  # 已完成 in Heshan
DGRC_ROWS = [
    # Heshan's own 已完成 over a text about the study still being written (重点工作 98, node 5:
    # “12月15日前完成工可编制”)
    ("done-but-under-way", {"完成状态": "已完成", "进展情况": heshan("目前正在进行工可编制。"), "完成时间": "2022-06-28"}),
    # a text Heshan gave 已完成 (重点项目 7), the wrong status picked from the list
    ("behind-but-done", {"完成状态": "未按进度完成", "进展情况": heshan("厂房、宿舍楼已竣工验收。"),
                         "存在问题": "受疫情影响，设备进场延后。"}),
    # 7月份已投产 (重点项目 45) answered in the round due 7月3日, dated 7月28日
    ("completed-after-due", {"完成状态": "已完成", "进展情况": heshan("7月份已投产。"), "完成时间": "2022年7月28日"}),
    # a done phrase only duban.toml's [checks] knows (正式印发); 建设中欧 is no 建设中
    ("behind-but-done", {"完成状态": "暂缓实施", "进展情况": heshan(PLANTED), "存在问题": "待上级批复。"}),
    # clean: done and saying so; a plant in production; part done, part under way (已完成98%);
    # held up and saying why (尚未成立); behind with figures only
    (None, {"完成状态": "已完成", "完成时间": "2022-06-30", "进展情况": heshan(
        "已完成取水头部、取水泵房、配水井、厂区管道、沉淀池、滤池等土建及设备安装工程，第三水厂已通水运行，本项目已完成。")}),
    (None, {"完成状态": "已完成", "完成时间": "2022-06-30", "进展情况": heshan("目前正在有序生产中。")}),
    (None, {"完成状态": "未按进度完成", "存在问题": "因竹树坡园区建设用地指标存在问题，当前园区处于停工状态。", "进展情况": heshan(
        "目前大埠围至升古线桥梁工程已完成98%，主体工程建设已完成，正在进行桥面及附属工程建设；竹树坡碧道公园已完成35%；"
        "其余段碧道已处于工程收尾阶段。")}),
    (None, {"完成状态": "暂缓实施", "存在问题": "北组团管理委员会尚未成立。",
            "进展情况": heshan("由于江门市尚未成立北组团管理委员会，因此我办暂时无法配合开展有关工作。")}),
    (None, {"完成状态": "未按进度完成", "存在问题": "受外需减弱影响。",
            "进展情况": heshan("1-12月，地区生产总值458.51亿元，增长2.8%，增速与开平市并列第4。")}),
]
# 市教育局's text of the round before (重点民生实事, 沙坪六小), 基本按进度完成 then
EDU_TEXT = heshan("沙坪六小综合楼已完工并交付使用，沙坪五小教学楼可行性研究报告已完成编制，沙坪八小教学楼可行性研究报告正在编制中。")


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """One round: 市教育局's answer accepted in the round before; duban.toml extended by
    [checks]; 市发展改革局 returns DGRC_ROWS, 市教育局 the pre-filled text again with its first
    row raised to 已完成 and its second as it was; collected once with --json."""
    rnd = Round(tmp_path_factory.mktemp("consistency"))
    earlier = {f.unit: f for f in generate(rnd.ws, PREVIOUS).files}[EDU]
    folder = rnd.tmp / "earlier"
    folder.mkdir()
    base = {"完成状态": "基本按进度完成", "下一步工作计划": "推进五小、八小教学楼前期工作。", "进展情况": EDU_TEXT}
    simulate.fill(earlier.path, folder / earlier.path.name, {k: base for k in rnd.keys(EDU)},
                  saved_at=dt.datetime(2022, 5, 1, 9, 0))
    collect(rnd.ws, folder)
    rnd.generated = {f.unit: f for f in generate(rnd.ws, ROUND).files}  # pre-filled with it
    config = rnd.ws.config_path.read_text(encoding="utf-8")
    assert "[checks]\n" in config and '# done_words = ["已揭牌"' in config  # the commented example
    rnd.ws.config_path.write_text(config.replace("[checks]\n", '[checks]\ndone_words = ["正式印发"]\n'), encoding="utf-8")
    keys = rnd.keys(DGRC)
    assert len(keys) == len(DGRC_ROWS)
    rnd.fill(DGRC, answers={k: {"下一步工作计划": "继续推进。", **answer} for k, (_, answer) in zip(keys, DGRC_ROWS)})
    edu = rnd.keys(EDU)
    rnd.fill(EDU, answers={edu[0]: {"完成状态": "已完成", "完成时间": "2022-06-20"}}, saved_at=ON_TIME)
    out = CliRunner().invoke(cli, ["collect", str(rnd.inbox), "-w", str(rnd.ws.root), "--json"], catch_exceptions=False)
    files = {f["unit"]: f for f in json.loads(out.stdout)["files"]}
    return rnd, files, out.exit_code


def by_item(findings):
    return {x["item"]: x for x in findings}


def test_done_over_a_text_about_work_going_on_warns_with_the_sentence(collected):
    rnd, files, _ = collected
    x = files[DGRC]["findings"][0]
    assert (x["code"], x["severity"], x["column"], x["value"]) == ("done-but-under-way", "warning", "进展情况", "目前正在进行工可编制")
    assert x["item"] == "1" and "序号 1 的完成状态是“已完成”，进展情况却写着“目前正在进行工可编制”" in x["message"]
    assert "请核实" in x["message"]


def test_behind_over_a_text_about_work_finished_warns(collected):
    x = [f for f in collected[1][DGRC]["findings"] if f["code"] == "behind-but-done"][0]
    assert x["value"] == "厂房、宿舍楼已竣工验收" and x["item"] == "1-2"
    assert "“未按进度完成”" in x["message"] and "像是已经完成" in x["message"] and "“已完成”" in x["message"]


def test_a_completion_date_after_the_rounds_due_date_warns(collected):
    x = [f for f in collected[1][DGRC]["findings"] if f["code"] == "completed-after-due"][0]
    assert x["value"] == "2022年7月28日" and x["column"] == "完成时间" and x["severity"] == "warning"
    assert "晚于本轮截止日期 2022年7月3日" in x["message"]


def test_duban_toml_checks_extend_the_schemas_done_phrases(collected):
    assert Wording().says_done(PLANTED) is None and Wording().says_under_way(PLANTED) is None
    assert collected[0].ws.config().wording.says_done(PLANTED)
    x = [f for f in collected[1][DGRC]["findings"] if f["code"] == "behind-but-done"][1]
    assert x["item"] == "1-4" and "“暂缓实施”" in x["message"] and "正式印发" in x["value"]


def test_clean_rows_and_mixed_texts_give_no_warning(collected):
    """Each warning on its own row, in the workbook's order, and nothing on the clean rows."""
    findings = collected[1][DGRC]["findings"]
    first = findings[0]["row"]
    assert [(x["row"] - first, x["code"]) for x in findings] == [(i, c) for i, (c, _) in enumerate(DGRC_ROWS) if c]


def test_a_status_raised_over_last_rounds_text_warns_instead_of_stale(collected):
    findings = collected[1][EDU]["findings"]
    raised, *stale = findings
    assert raised["code"] == "better-status-same-progress" and raised["column"] == "进展情况"
    assert "由上一轮（第二次报送）的“基本按进度完成”改为“已完成”" in raised["message"]
    assert "改回“基本按进度完成”" in raised["message"]
    assert [x["code"] for x in stale] == ["stale-progress"] * (len(collected[0].keys(EDU)) - 1)


def test_warnings_reject_nothing_every_row_is_merged_and_reported(collected):
    rnd, files, exit_code = collected
    assert {files[DGRC]["outcome"], files[EDU]["outcome"]} == {"accepted"}
    assert all(x["severity"] == "warning" for f in files.values() for x in f["findings"])
    master = rnd.master()
    for key, (_, answer) in zip(rnd.keys(DGRC), DGRC_ROWS):
        assert master[key]["完成状态"].value == answer["完成状态"]
        assert master[key]["进展情况"].value == answer["进展情况"]
    assert master[rnd.keys(EDU)[0]]["完成状态"].value == "已完成"
    report = openpyxl.load_workbook(rnd.ws.round_dir(ROUND) / "report.xlsx")
    rows = list(report[DGRC].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if "级别" in r)  # the correction sheet's header row
    level = rows[head].index("级别")
    listed = [r for r in rows[head + 1:] if r[level]]
    assert [r[level] for r in listed] == ["提示"] * 4 and "像是尚未完成" in listed[0][level + 1]
    summary = {r[0]: r for r in report["收集情况"].iter_rows(min_row=3, values_only=True)}
    assert summary[DGRC][1] == "已采纳" and summary[DGRC][6] == 4 and summary[DGRC][5] in (0, None, "")


# ---- the phrases on all of Heshan's 510 real completion texts --------------------------------------
def test_on_heshans_real_texts_the_warnings_stay_few_and_the_readings_work():
    """Heshan's 已完成 rows were judged against each node's plan (开工, 主体封顶), so a few say
    only that work goes on; at most one in fifty may warn. No 未按进度完成/暂缓实施 text of theirs
    says the work is done as a whole. The opposite readings fire often: the rule reads at all."""
    w = Wording()
    done = [r["progress"] for r in COMPLETION if r["status"] == "已完成"]
    behind = [r["progress"] for r in COMPLETION if r["status"] in ("未按进度完成", "暂缓实施")]
    warned = [t for t in done if w.says_under_way(t)]
    assert len(warned) <= 0.02 * len(done) and "目前正在进行工可编制。" in warned
    assert [t for t in behind if w.says_done(t)] == []
    assert sum(1 for t in done if w.says_done(t)) > 0.15 * len(done)
    assert sum(1 for t in behind if w.says_under_way(t)) >= 3


@pytest.mark.parametrize("text, under_way, done", [
    ("尚未完成验收。", True, False),                      # 完成 inside 尚未完成 is no done phrase
    ("已完成年度目标的80%。", False, False),              # a share of the target is not done
    ("已完成年度计划。", False, True),                    # 计划 in 完成年度计划 is no plan ahead
    ("项目计划于12月开工。", True, False),
    ("未能顺利完成。", False, False),
    ("《推进中欧（江门）中小企业国际合作区建设税收优惠政策指引》已印发。", False, False),
    ("主体已封顶，正在装修；设备已完成安装。", False, False),  # one sentence each way: says neither
    ("车间已封顶，正在进行内部装修。", False, False),      # something achieved: a progress report
    ("厂房3正在装修及厂区道路施工。", True, False),
    ("目前正在有序生产中。", False, False),                # a plant at work, not one being built
])
def test_phrases_are_read_with_their_negation_share_word_end_and_achievements(text, under_way, done):
    w = Wording()
    assert (bool(w.says_under_way(text)), bool(w.says_done(text))) == (under_way, done)


def test_a_plan_to_start_or_carry_on_work_is_met_by_work_going_on():
    """Heshan's 重点项目 53: “6月底前开始动工建设”, 已完成, “正在进行主体建设” — no contradiction."""
    w = Wording()
    assert w.says_under_way(heshan("正在进行主体建设。"))
    assert w.plan_wants_work_going("（1）6月底前开始动工建设。") and w.plan_wants_work_going("开展项目可行性方案研究")
    assert not w.plan_wants_work_going("（5）配合做好江肇第二高速前期工作，12月15日前完成工可编制。")


@pytest.mark.parametrize("checks, said", [
    ({"under_way": ["待"]}, "只有一个字"),  # 待 is in 待遇, 接待: never one character
    ({"done_word": ["已揭牌"]}, "“done_word”不是可用的设置"),
    ({"done_words": "已揭牌"}, re.escape('例如 done_words = ["已揭牌"]')),
])
def test_a_mistyped_checks_section_is_one_chinese_sentence(checks, said):
    from toolkit.core.errors import ConfigError
    from toolkit.store.workspace import config_from_dict

    with pytest.raises(ConfigError, match=said):
        config_from_dict({"checks": checks})
