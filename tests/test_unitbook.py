"""The unit's workbook as a unit reads it (lead alone under 牵头单位, the targets once, instructions
of the round's own year) and what comes back to it: correction sheets naming the item, the day
to resend by and whom to call; workbooks generated before this layout still read."""

from __future__ import annotations

import datetime as dt
import io
import json
from email import message_from_bytes, policy

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, IMPORT

from toolkit import simulate
from toolkit.cli import cli
from toolkit.core.assign import UnitRow, shown_columns, unit_rows
from toolkit.core.dates import format_cn
from toolkit.core.rounds import resend_by
from toolkit.core.schema import SAME_AS_TARGETS, SHEET
from toolkit.core.signing import META_SHEET, Metadata, from_cells, row_hash
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.mail.run import mail
from toolkit.store.ledger import Ledger

ROUND = "2022-07-03"
DGRC, EDU = "市发展改革局", "市教育局"
OFFICE_PHONE, DGRC_PHONE = "0759-1234567", "0759-7654321"
KEQIAO = FIXTURES / "realtables" / "2023-keqiao-minsheng-yijidu" / "2023年度省政府民生实事涉我区工作任务一季度进展情况.xlsx"


def _sheet(path):
    return openpyxl.load_workbook(path)[SHEET]


def _header(sheet) -> list[str]:
    return [c.value for c in sheet[4]]


def _rows(ws, round_name=ROUND) -> dict[str, list[UnitRow]]:
    with Ledger(ws.ledger_path) as ledger:
        return unit_rows(ledger.items(), ws.config(), dt.date.fromisoformat(round_name))


# ---- the workbook ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def heshan(tmp_path_factory):
    """Heshan's table with the office's contact set, the third and the last round generated."""
    tmp = tmp_path_factory.mktemp("heshan")
    ws, _ = init_workspace(tmp / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    text = ws.config_path.read_text(encoding="utf-8").replace('contact = ""', f'contact = "督查室 张三 {OFFICE_PHONE}"')
    ws.config_path.write_text(text, encoding="utf-8")
    units = openpyxl.load_workbook(ws.units_path)
    sheet = units.active
    header = [c.value for c in sheet[1]]
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(r, header.index("单位名称") + 1).value == DGRC:
            sheet.cell(r, header.index("联系人") + 1).value = "李四"
            sheet.cell(r, header.index("联系电话") + 1).value = DGRC_PHONE
    units.save(ws.units_path)
    files = {f.unit: f.path for f in generate(ws, ROUND).files}
    last = {f.unit: f.path for f in generate(ws, ws.config().rounds[-1].name).files}
    return ws, files, last, tmp


def test_the_lead_column_holds_the_lead_alone_and_the_other_units_their_own(heshan):
    ws, files, _, _ = heshan
    sheet = _sheet(files[DGRC])
    header = _header(sheet)
    lead, others = header.index("牵头单位") + 1, header.index("其他责任单位") + 1
    expected = _rows(ws)[DGRC]
    assert [sheet.cell(5 + i, lead).value for i in range(len(expected))] == [DGRC] * len(expected)
    # the GDP item's table cell lists 市发展改革局 first, then the units it works with
    assert [sheet.cell(5 + i, others).value or "" for i in range(len(expected))] == [r.others for r in expected]
    assert any(r.others for r in expected) and all(DGRC not in r.others for r in expected)


def test_a_plan_that_is_the_rounds_target_is_shown_once_in_the_last_round_too(heshan):
    _, files, last, _ = heshan
    for path in (files[DGRC], last[DGRC]):  # Heshan's node rows: each node's plan is its target
        header = _header(_sheet(path))
        assert "本期目标" in header and "全年工作目标" not in header


def test_quarter_targets_keep_the_years_plan_beside_them(tmp_path):
    ws, _ = init_workspace(tmp_path / "ws", IMPORT / "merged_subrows.xlsx")
    last = ws.config().rounds[-1].name
    path = next(f.path for f in generate(ws, last).files if f.unit == "市水务局")
    sheet = _sheet(path)
    header = _header(sheet)
    targets, plan = header.index("本期目标") + 1, header.index("全年工作目标") + 1
    assert all(sheet.cell(r, targets).value != sheet.cell(r, plan).value for r in range(5, 7))


def test_rows_whose_plan_is_their_target_say_so_where_others_need_the_plan():
    same = UnitRow("k1", "1", "事项一", "全年完成。", "12月底", " 全年完成。\n", ("甲局", "乙局"))
    differs = UnitRow("k2", "2", "事项二", "第四季度：验收。", "12月底", "第一季度：开工。第四季度：验收。", ("甲局",))
    blank = UnitRow("k3", "3", "事项三", "", "", "", ("甲局",))
    assert same.cells()["plan"] == SAME_AS_TARGETS and blank.cells()["plan"] == "" and differs.cells()["plan"] == differs.plan
    assert same.cells()["lead"] == "甲局"
    assert "plan" in shown_columns([same, differs]) and "plan" not in shown_columns([same, blank])
    # a workbook generated before this layout: the whole plan, every unit under 牵头单位
    assert same.holds("plan", "全年完成。") and same.holds("lead", "甲局、乙局") and not same.holds("lead", "乙局")


@pytest.fixture(scope="module")
def keqiao(tmp_path_factory):
    ws, _ = init_workspace(tmp_path_factory.mktemp("keqiao") / "ws", KEQIAO)
    rnd = ws.config().rounds[2]
    return ws, rnd, generate(ws, rnd.name).files[0].path


def test_instructions_of_a_2023_workspace_are_readable_and_of_its_own_year(keqiao):
    ws, rnd, path = keqiao
    assert ws.config().year == 2023
    sheet = _sheet(path)
    text = sheet["A3"].value
    assert "2022" not in text and "2023-06-30" in text and "2023年6月30日" in text
    assert format_cn(rnd.due) in text and "下拉" in text and "灰色" in text and "如有疑问" in text
    assert sheet["A3"].font.sz >= 11 and sheet["A3"].font.sz >= sheet["A5"].font.sz
    assert sheet.row_dimensions[3].height >= 16 * text.count("\n")  # every line shows
    messages = " ".join(f"{dv.error} {dv.prompt}" for dv in sheet.data_validations.dataValidation)
    assert "2022" not in messages and "2023-06-30" in messages


# ---- returned: earlier layouts, correction sheets, files collected before --------------------
def _as_before(ws, src, dst, unit, signed=True):
    """The unit's filled workbook as duban wrote it before: every unit under 牵头单位, the whole
    plan under 全年工作目标 (in the column 其他责任单位 has now), rows signed over those six texts."""
    wb = openpyxl.load_workbook(src)
    table = simulate.find_table(wb)
    lead, plan = table.column("牵头单位"), table.column("其他责任单位")
    table.ws.cell(4, plan).value = "全年工作目标"
    rows = _rows(ws)[unit]
    for r in rows:
        table.ws.cell(table.row(r.key), lead).value = "、".join(r.units)
        table.ws.cell(table.row(r.key), plan).value = r.plan
    simulate._save(wb, dst)
    if not signed:
        return simulate.copy_to_new_workbook(dst, dst, saved_at=dt.datetime(2022, 7, 1, 9, 30))
    meta = from_cells([list(r) for r in wb[META_SHEET].iter_rows(values_only=True)])
    old = Metadata(meta.workspace_id, meta.round, meta.unit, generated_at=meta.generated_at,
                   rows=[(r.key, row_hash(r.number, r.title, r.targets, r.deadline, r.plan, "、".join(r.units))) for r in rows])
    old.sign(ws.secret())
    return simulate.retarget_metadata(dst, dst, rows=old.rows, signature=old.signature)


@pytest.fixture(scope="module")
def returned(heshan):
    """市发展改革局 returns last layout's workbook, signed, with one status typed wrong; 市教育局 an
    unsigned copy of it; the folder is collected twice through the CLI."""
    ws, files, _, tmp = heshan
    inbox = tmp / "inbox"
    inbox.mkdir()
    for unit, signed in ((DGRC, True), (EDU, False)):
        rows = _rows(ws)[unit]
        answers = {r.key: {"进展情况": "1-6月，按计划推进。", "完成状态": "基本按进度完成"} for r in rows}
        answers[rows[0].key]["完成状态"] = "完成了" if unit == DGRC else "基本按进度完成"
        filled = simulate.fill(files[unit], tmp / f"{unit}.xlsx", answers, saved_at=dt.datetime(2022, 7, 1, 9, 30))
        _as_before(ws, filled, inbox / files[unit].name, unit, signed)
    first = _cli("collect", inbox, "-w", ws.root, "--round", ROUND, "--json")
    again = _cli("collect", inbox, "-w", ws.root, "--round", ROUND, "--json")
    return ws, first, again


def _cli(*args):
    """The real CLI in-process (a module fixture cannot take conftest's `run`)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_workbooks_of_the_earlier_layout_still_read_signed_or_copied(returned):
    _, (code, first), _ = returned
    files = {f["unit"]: f for f in first["files"]}
    assert files[DGRC]["outcome"] == "partial" and files[EDU]["outcome"] == "accepted"
    codes = {u: [x["code"] for x in f["findings"] if x["severity"] == "error"] for u, f in files.items()}
    assert codes == {DGRC: ["bad-status"], EDU: []}  # no tampered-plan for the earlier texts


def test_files_collected_before_name_their_unit_and_round(returned):
    _, (_, first), (_, again) = returned
    assert {f["outcome"] for f in again["files"]} == {"unchanged"}
    assert sorted((f["unit"], f["round"]) for f in again["files"]) == [(DGRC, ROUND), (EDU, ROUND)]


def test_the_correction_sheet_names_the_item_the_day_to_resend_by_and_whom_to_call(returned):
    ws, _, _ = returned
    sheet = openpyxl.load_workbook(ws.round_dir(ROUND) / "report.xlsx")[DGRC]
    rows = list(sheet.iter_rows(values_only=True))
    day = resend_by(dt.date.fromisoformat(ROUND), dt.date.today(), 2)
    assert format_cn(day) in rows[1][0] and OFFICE_PHONE in rows[1][0] and f"李四 {DGRC_PHONE}" in rows[1][0]
    assert rows[2][:5] == ("文件", "行", "序号", "事项", "列")
    assert rows[3][2:7] == ("1", "地区生产总值（GDP）增长10.5%。", "完成状态", "完成了", "须改正")
    # the correction mail says the same day, and attaches the same list
    mail(ws, ROUND, kind="correction")
    msg = message_from_bytes((ws.round_dir(ROUND) / "mail" / f"退回修改-{DGRC}.eml").read_bytes(), policy=policy.default)
    body = msg.get_body(("plain",)).get_content()
    assert f"于{format_cn(day)}前" in body and "地区生产总值（GDP）增长10.5%。" in body and OFFICE_PHONE in body
    attached = next(p for p in msg.iter_attachments())
    mailed = list(openpyxl.load_workbook(io.BytesIO(attached.get_content())).active.iter_rows(values_only=True))
    assert mailed[1:] == rows[1:]


@pytest.mark.parametrize("received, due, days, expected", [
    ("2022-07-01", "2022-07-03", 2, "2022-07-05"),  # a Friday: Monday, Tuesday
    ("2022-06-20", "2022-07-03", 2, "2022-07-03"),  # well before the due date: the due date
    ("2022-07-06", "2022-07-03", 3, "2022-07-11"),  # Wednesday + 3 working days
    ("2022-07-09", "2022-07-03", 0, "2022-07-09"),  # no grace: the day itself
])
def test_the_resend_deadline(received, due, days, expected):
    d = dt.date.fromisoformat
    assert resend_by(d(due), d(received), days) == d(expected)
