"""History per item over rounds (历次情况): two rounds of the small Heshan table collected.

The first round (第一次报送) every unit reports 基本按进度完成; the third (第三次报送; the second
is never collected) 市发展改革局 reports its GDP item behind, 市教育局 its school done, and
市委宣传部 sends nothing. `status --json`, master.xlsx's 历次情况 sheet and the dashboard all
show both rounds and the same trend: GDP and 宣传部's item worse (未报送 is the worst), the
school better, the rest the same.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
from conftest import IMPORT

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger
from toolkit.store.master import read_master

FIRST, THIRD = "2022-04-03", "2022-07-03"
DGRC, EDU, PROPAGANDA = "市发展改革局", "市教育局", "市委宣传部"
ON_TRACK = {"进展情况": "按计划推进。", "完成状态": "基本按进度完成", "下一步工作计划": "继续推进。"}
BEHIND = {"进展情况": "受疫情影响滞后。", "完成状态": "未按进度完成", "存在问题": "工期延误。"}
DONE = {"进展情况": "已交付使用。", "完成状态": "已完成", "完成时间": "2022-06-30"}


def _keys(workbook) -> list[str]:
    import python_calamine as pc

    from toolkit.core.signing import META_SHEET, from_cells

    return [k for k, _ in from_cells(pc.CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(META_SHEET).to_python()).rows]


def _round(ws, root, name, saved, answer, skip=()):
    inbox = root / f"inbox-{name}"
    for f in generate(ws, name).files:
        if f.unit not in skip:
            simulate.fill(f.path, inbox / f.path.name, {k: answer(f.unit, k) for k in _keys(f.path)}, saved_at=saved)
    collect(ws, inbox)


def two_rounds(root):
    ws, _ = init_workspace(root / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    _round(ws, root, FIRST, dt.datetime(2022, 4, 1, 9, 0), lambda unit, key: ON_TRACK)
    with Ledger(ws.ledger_path) as ledger:
        items = {it.title[:4]: it for it in ledger.items()}
    gdp, school = items["地区生产"], items["完成沙坪"]
    gdp_rows = {gdp.key} | {s.key for s in gdp.subrows}

    def third(unit, key):
        if key in gdp_rows:
            return BEHIND
        return DONE if unit == EDU else ON_TRACK

    _round(ws, root, THIRD, dt.datetime(2022, 7, 1, 9, 0), third, skip=(PROPAGANDA,))
    return ws, root, {"gdp": gdp, "school": school, "propaganda": items["弘扬伟大"]}


def test_two_rounds_show_in_status_json_the_master_history_sheet_and_the_dashboard(tmp_path, run):
    # One test, not four on a shared fixture: the two rounds are built once whichever
    # xdist worker runs it (pytest-xdist's xdist_group does not take effect under pytest 9).
    two = two_rounds(tmp_path)
    status_json_shows_each_item_in_both_collected_rounds_and_its_trend(two, run)
    the_master_has_a_history_sheet_with_both_rounds(two)
    the_dashboard_lists_the_items_worse_than_last_round(two, tmp_path, run)
    what_the_clerk_types_in_the_history_sheet_is_no_correction_and_is_drawn_again(two)  # last: it collects again


def status_json_shows_each_item_in_both_collected_rounds_and_its_trend(two, run):
    ws, _, items = two
    code, out = run("status", "-w", ws.root, "--round", THIRD, "--json")
    assert code == 0
    by_key = {i["key"]: i for i in out["items"]}
    for item in out["items"]:  # the second round was never collected: not shown
        assert [(h["round"], h["label"]) for h in item["history"]] == [(FIRST, "第一次报送"), (THIRD, "第三次报送")]
        assert item["history"][-1]["status"] == item["status"]  # this round's entry is the item's status
    gdp, school, silent = (by_key[items[k].key] for k in ("gdp", "school", "propaganda"))
    assert gdp["history"] == [{"round": FIRST, "label": "第一次报送", "status": "基本按进度完成", "date": "2022-04-01"},
                              {"round": THIRD, "label": "第三次报送", "status": "未按进度完成", "date": "2022-07-01"}]
    assert (gdp["trend"], school["trend"], silent["trend"]) == ("worse", "better", "worse")
    assert silent["history"][-1] == {"round": THIRD, "label": "第三次报送", "status": "未报送", "date": None}
    assert sorted(i["trend"] for i in out["items"]).count("same") == len(out["items"]) - 3
    # an earlier round asked: its history ends there, and there is nothing to compare with
    code, first = run("status", "-w", ws.root, "--round", FIRST, "--json")
    assert {(len(i["history"]), i["trend"]) for i in first["items"]} == {(1, None)}


def the_master_has_a_history_sheet_with_both_rounds(two):
    ws, _, items = two
    wb = openpyxl.load_workbook(ws.master_path)
    assert wb.sheetnames == ["总台账", "历次情况"]
    sheet = wb["历次情况"]
    assert sheet.freeze_panes == "D4"
    heads = [c.value for c in sheet[2]]
    assert heads == ["序号", "事项", "牵头单位", "第一次报送（截止 2022-04-03）", None, "第三次报送（截止 2022-07-03）", None, "较上一轮"]
    assert [c.value for c in sheet[3]][3:7] == ["完成状态", "报送日期"] * 2
    rows = {r[1].lstrip("★"): r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert len(rows) == 9
    gdp = rows[items["gdp"].title]
    assert gdp == ("1", items["gdp"].title, DGRC, "基本按进度完成", "2022-04-01", "未按进度完成", "2022-07-01", "▼ 变差")
    assert rows[items["school"].title][5:] == ("已完成", "2022-07-01", "▲ 变好")
    assert rows[items["propaganda"].title][5:] == ("未报送", None, "▼ 变差")
    fills = {c.value: c.fill.fgColor.rgb for c in sheet[next(r for r in range(4, 13) if sheet.cell(r, 2).value == gdp[1])]}
    assert fills["未按进度完成"] == "FFF8CBAD" and fills["基本按进度完成"] == "FFFFF2CC"  # 红, 黄
    assert read_master(ws.master_path, ws.config()).sheet == "总台账"  # the reader never takes it for the master


def what_the_clerk_types_in_the_history_sheet_is_no_correction_and_is_drawn_again(two):
    ws, root, _ = two
    wb = openpyxl.load_workbook(ws.master_path)
    wb["历次情况"]["F4"] = "已完成"
    wb.save(ws.master_path)
    collect(ws, root / f"inbox-{THIRD}")  # nothing new: the master is brought in line
    assert openpyxl.load_workbook(ws.master_path)["历次情况"]["F4"].value == "未按进度完成"
    drawn = ws.master_path.read_bytes()
    collect(ws, root / f"inbox-{THIRD}")
    assert ws.master_path.read_bytes() == drawn  # up to date: not written again
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.corrections() == {}


def the_dashboard_lists_the_items_worse_than_last_round(two, tmp_path, run):
    ws, _, items = two
    page = tmp_path / "看板.html"
    assert run("status", "-w", ws.root, "--round", THIRD, "--html", page)[0] == 0
    html = page.read_text(encoding="utf-8")
    section = html.split("较上一轮变差的事项")[1].split("</table>")[0]
    assert section.startswith("（2 项）")
    worse = re.findall(r'<tr class="worse-item"><td class="num">[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>\s*<td>([^<]*)</td>'
                       r'<td class="worse">▼ ([^<]*)</td>', section)
    assert worse == [(items["gdp"].title, DGRC, "基本按进度完成", "未按进度完成"),
                     (items["propaganda"].title, PROPAGANDA, "基本按进度完成", "未报送")]
    # every item's 趋势: a dot per round with the status as its tip, then the arrow
    overview = html.split("全部事项")[1]  # every item once (the red ones are also in the warnings above)
    assert overview.count('title="第一次报送：基本按进度完成"') == 9 and overview.count('title="第三次报送：已完成"') == 1
    assert overview.count('title="变差">▼</span>') == 2 and overview.count('title="变好">▲</span>') == 1
    assert "<script" not in html
