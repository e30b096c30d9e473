"""simulate: what units do to their workbook, checked by reading the results back with
python-calamine (what collect reads with) and openpyxl, on the Heshan sample's year-end round."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
from conftest import needs_office
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import simulate
from toolkit.core.assign import unit_rows
from toolkit.core.schema import KEY_HEADER, SHEET
from toolkit.core.signing import META_SHEET, from_cells, row_hash
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger
from toolkit.store.samples import ROOT as SAMPLES
from toolkit.store.samples import sample_path

ROUND = "2023-01-03"
DUE = dt.date(2023, 1, 3)
UNIT = "市发展改革局"
OTHER = "市科工商务局"
COMPLETION = json.loads((SAMPLES / "heshan-2022" / "completion.json").read_text(encoding="utf-8"))
SAVED = dt.datetime(2023, 1, 2, 9, 30)
READ_ONLY = ("序号", "项目名称", "本期目标", "完成时限", "全年工作目标", "牵头单位")


@dataclass
class Round:
    ws: object
    files: dict[str, Path]  # unit → generated workbook
    items: list
    secret: bytes

    def answers(self, unit: str) -> dict:
        return simulate.answers_from_completion(self.items, COMPLETION, unit, due=DUE)


@pytest.fixture(scope="module")
def rnd(tmp_path_factory) -> Round:
    ws, _ = init_workspace(tmp_path_factory.mktemp("sim") / "ws", sample_path("heshan-2022"))
    result = generate(ws, ROUND)
    with Ledger(ws.ledger_path) as ledger:
        items = ledger.items()
    return Round(ws, {f.unit: f.path for f in result.files}, items, ws.secret())


@pytest.fixture(scope="module")
def filled(rnd, tmp_path_factory) -> Path:
    """市发展改革局's workbook filled with its real year-end answers."""
    return simulate.fill(rnd.files[UNIT], tmp_path_factory.mktemp("filled") / "filled.xlsx", rnd.answers(UNIT),
                         saved_at=SAVED)


# --- reading back ------------------------------------------------------------------------------


def sheet_rows(path: Path, sheet: str = SHEET) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def header_index(rows: list[list]) -> int:
    return next(i for i, r in enumerate(rows) if KEY_HEADER in r)


def by_key(path: Path, sheet: str = SHEET) -> dict[str, dict]:
    """item key → {header: value} of the table's data rows, via calamine."""
    rows = sheet_rows(path, sheet)
    h = header_index(rows)
    header = rows[h]
    k = header.index(KEY_HEADER)
    return {r[k]: dict(zip(header, r)) for r in rows[h + 1:] if k < len(r) and r[k]}


def data_rows(path: Path) -> list[dict]:
    """Every row between the header and the sign-off, keyed or not, as {header: value}."""
    rows = sheet_rows(path)
    h = header_index(rows)
    out = []
    for r in rows[h + 1:]:
        if any(str(v).startswith("填报人") for v in r):
            break
        if any(v not in ("", None) for v in r):
            out.append(dict(zip(rows[h], r)))
    return out


def signoff(path: Path) -> dict[str, object]:
    row = next(r for r in sheet_rows(path) if "填报人：" in r)
    return {str(v).rstrip("："): row[i + 1] for i, v in enumerate(row) if str(v).endswith("：")}


def metadata(path: Path):
    return from_cells(pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(META_SHEET).to_python())


def sheet_states(path: Path) -> dict[str, str]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {m.name: str(m.visible).rsplit(".", 1)[-1] for m in wb.sheets_metadata}


def core_xml_modified(path: Path) -> str:
    xml = zipfile.ZipFile(path).read("docProps/core.xml").decode("utf-8")
    return re.search(r"<dcterms:modified[^>]*>([^<]*)<", xml).group(1)


def keys_in_order(path: Path) -> list[str]:
    return list(by_key(path))


# --- fill --------------------------------------------------------------------------------------


def test_fill_writes_each_answer_in_its_keyed_row_and_named_column(rnd, filled):
    answers = rnd.answers(UNIT)
    back = by_key(filled)
    assert set(answers) <= set(back)
    for key, fields in answers.items():
        for header, value in fields.items():
            assert back[key][header] == value, (key, header)
    gdp = next(k for k, v in back.items() if v["序号"] == "1")
    assert back[gdp]["完成状态"] == "未按进度完成" and back[gdp]["存在问题"]
    assert back[gdp]["进展情况"].startswith("1-12月，地区生产总值458.51亿元")
    # the read-only text is untouched
    assert [back[gdp][h] for h in READ_ONLY] == [by_key(rnd.files[UNIT])[gdp][h] for h in READ_ONLY]


def test_fill_keeps_the_signed_metadata_sheet_properties_validations_and_protection(rnd, filled):
    meta = metadata(filled)
    assert meta == metadata(rnd.files[UNIT])
    assert meta.unit == UNIT and meta.round == ROUND and meta.verify(rnd.secret)
    assert sheet_states(filled)[META_SHEET] == "VeryHidden"
    wb = openpyxl.load_workbook(filled)
    assert wb.sheetnames == [SHEET, META_SHEET]
    assert {p.name: p.value for p in wb.custom_doc_props}["duban_unit"] == UNIT
    sheet = wb[SHEET]
    assert sheet.protection.sheet and sheet.column_dimensions["M"].hidden
    assert {dv.type for dv in sheet.data_validations.dataValidation} == {"list", "date"}
    assert sheet["G5"].protection.locked is False and sheet["C5"].protection.locked is True


def test_text_that_looks_like_a_formula_stays_text_and_dates_and_numbers_keep_their_type(rnd, tmp_path):
    key = keys_in_order(rnd.files[UNIT])[0]
    out = simulate.fill(rnd.files[UNIT], tmp_path / "f.xlsx",
                        {key: {"备注": "=1+1", "进展情况": "0750", "完成时间": dt.date(2022, 12, 30), "存在问题": 12.5}},
                        saved_at=SAVED)
    back = by_key(out)[key]
    assert back["备注"] == "=1+1" and back["进展情况"] == "0750"
    assert back["完成时间"] == dt.date(2022, 12, 30) and back["存在问题"] == 12.5
    cell = {c.value: c for c in openpyxl.load_workbook(out)[SHEET][5]}
    assert cell["=1+1"].data_type == "s"
    date = next(c for c in openpyxl.load_workbook(out)[SHEET][5] if c.is_date)
    assert date.number_format == simulate.DATE_FORMAT
    sheet_xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml


def test_saved_at_is_the_core_xml_modified_time_exactly(rnd, filled, tmp_path):
    assert core_xml_modified(filled) == "2023-01-02T09:30:00Z"
    assert simulate.core_modified(filled) == "2023-01-02T09:30:00Z"
    beijing = dt.datetime(2023, 1, 2, 17, 45, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    out = simulate.fill(rnd.files[UNIT], tmp_path / "f.xlsx", {}, saved_at=beijing)
    assert core_xml_modified(out) == "2023-01-02T09:45:00Z"  # UTC, as Excel writes it
    assert signoff(out)["填报日期"] == "2023年1月2日"


def test_signoff_defaults_custom_values_and_an_unsigned_return(rnd, filled, tmp_path):
    assert signoff(filled) == {"填报人": "张三", "联系电话": "0750-8888888", "单位负责人审核": "李四",
                               "填报日期": "2023年1月2日"}
    custom = simulate.fill(rnd.files[UNIT], tmp_path / "c.xlsx", {}, signoff={"填报人": "王五", "填报日期": dt.date(2023, 1, 4)})
    assert signoff(custom)["填报人"] == "王五" and signoff(custom)["填报日期"] == dt.date(2023, 1, 4)
    assert signoff(custom)["联系电话"] == ""
    unsigned = simulate.fill(rnd.files[UNIT], tmp_path / "u.xlsx", {}, signoff={})
    assert set(signoff(unsigned).values()) == {""}


def test_fill_refuses_an_unknown_key_header_or_signoff_label(rnd, tmp_path):
    key = keys_in_order(rnd.files[UNIT])[0]
    with pytest.raises(ValueError, match="key"):
        simulate.fill(rnd.files[UNIT], tmp_path / "x.xlsx", {"nope": {"进展情况": "x"}})
    with pytest.raises(ValueError, match="完成情况"):
        simulate.fill(rnd.files[UNIT], tmp_path / "x.xlsx", {key: {"完成情况": "x"}})
    with pytest.raises(ValueError, match="签字人"):
        simulate.fill(rnd.files[UNIT], tmp_path / "x.xlsx", {}, signoff={"签字人": "x"})


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0x9FFF) | st.sampled_from("\n=+-@0"),
                max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT)
def test_any_typed_text_reads_back_unchanged(rnd, text):
    key = keys_in_order(rnd.files[UNIT])[0]
    with tempfile.TemporaryDirectory() as d:
        out = simulate.fill(rnd.files[UNIT], Path(d) / "f.xlsx", {key: {"进展情况": text}}, saved_at=SAVED)
        assert by_key(out)[key]["进展情况"] == text


# --- re-saving and copying -----------------------------------------------------------------------


@needs_office
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_save_as_xls_and_ods_keeps_answers_signoff_and_signed_metadata(rnd, filled, tmp_path, fmt):
    out = simulate.save_as(filled, fmt, tmp_path)
    assert out == tmp_path / f"filled.{fmt}"
    assert by_key(out) == by_key(filled)
    assert signoff(out) == signoff(filled)
    assert metadata(out) == metadata(filled) and metadata(out).verify(rnd.secret)
    # LibreOffice has no "very hidden": the metadata sheet comes back merely hidden
    assert sheet_states(out) == {SHEET: "Visible", META_SHEET: "Hidden"}


def test_save_as_refuses_other_formats(filled, tmp_path):
    with pytest.raises(ValueError):
        simulate.save_as(filled, "csv", tmp_path)


def test_copy_to_new_workbook_has_the_visible_values_only(rnd, filled, tmp_path):
    out = simulate.copy_to_new_workbook(filled, tmp_path / "copy.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Sheet1"] and not list(wb.custom_doc_props)
    assert sheet_states(out) == {"Sheet1": "Visible"}
    source = [r[:12] for r in sheet_rows(filled)]  # A:L, without the hidden key column M
    assert sheet_rows(out, "Sheet1") == source
    assert not any(k in str(v) for r in sheet_rows(out, "Sheet1") for v in r for k in by_key(filled))


def test_copy_to_new_workbook_can_drop_columns_and_name_the_sheet(filled, tmp_path):
    out = simulate.copy_to_new_workbook(filled, tmp_path / "copy.xlsx", drop_columns=["本期目标", "全年工作目标"],
                                        sheet_name="发改局")
    rows = sheet_rows(out, "发改局")
    header = next(r for r in rows if "序号" in r)
    assert header == ["序号", "项目名称", "完成时限", "牵头单位", "进展情况", "存在问题", "下一步工作计划",
                      "完成状态", "完成时间", "备注"]
    full = sheet_rows(filled)
    gdp = next(r for r in rows if r[0] == "1")
    assert gdp[4] == next(r for r in full if r[0] == "1")[6]  # 进展情况 closed up to column E


# --- structural edits ----------------------------------------------------------------------------


def hashes(path: Path) -> dict[str, str]:
    """key → hash of the row's read-only text as it now stands."""
    return {k: row_hash(*(v[h] for h in READ_ONLY)) for k, v in by_key(path).items()}


def test_edit_read_only_changes_one_plan_text_and_nothing_else(rnd, filled, tmp_path):
    key = keys_in_order(filled)[1]
    out = simulate.edit_read_only(filled, tmp_path / "e.xlsx", key, "本期目标", "全年完成即可。")
    assert by_key(out)[key]["本期目标"] == "全年完成即可。"
    meta = metadata(out)
    assert meta == metadata(filled) and meta.verify(rnd.secret)
    changed = {k for k, digest in meta.rows if hashes(out)[k] != digest}
    assert changed == {key}
    assert core_xml_modified(out) == core_xml_modified(filled)  # the same sitting as the filling


def test_insert_row_adds_an_unkeyed_row_and_moves_the_rest_down(rnd, filled, tmp_path):
    keys = keys_in_order(filled)
    out = simulate.insert_row(filled, tmp_path / "i.xlsx", keys[1], {"项目名称": "补充事项", "进展情况": "已完成。"})
    rows = data_rows(out)
    assert len(rows) == len(keys) + 1
    assert rows[1]["项目名称"] == "补充事项" and rows[1][KEY_HEADER] == "" and rows[1]["进展情况"] == "已完成。"
    assert [r[KEY_HEADER] for r in rows if r[KEY_HEADER]] == keys
    assert signoff(out) == signoff(filled)
    sheet = openpyxl.load_workbook(out)[SHEET]
    last = 4 + len(keys) + 1
    assert {str(dv.sqref) for dv in sheet.data_validations.dataValidation} == {f"J5:J{last}", f"K5:K{last}"}
    assert sheet.cell(6, 2).fill.fgColor.rgb == sheet.cell(7, 2).fill.fgColor.rgb  # styled like its neighbour
    assert metadata(out).verify(rnd.secret)
    appended = simulate.insert_row(filled, tmp_path / "a.xlsx", None, {"序号": "99"})
    assert data_rows(appended)[-1]["序号"] == "99"


def test_delete_row_drops_one_item_and_moves_the_rest_up(rnd, filled, tmp_path):
    keys = keys_in_order(filled)
    out = simulate.delete_row(filled, tmp_path / "d.xlsx", keys[0])
    assert keys_in_order(out) == keys[1:]
    assert by_key(out)[keys[1]] == by_key(filled)[keys[1]]
    assert signoff(out) == signoff(filled)
    sheet = openpyxl.load_workbook(out)[SHEET]
    last = 4 + len(keys) - 1
    assert {str(dv.sqref) for dv in sheet.data_validations.dataValidation} == {f"J5:J{last}", f"K5:K{last}"}
    assert [k for k, _ in metadata(out).rows] == keys  # the metadata still lists it


def test_reorder_columns_moves_report_columns_with_their_values_and_dropdown(rnd, filled, tmp_path):
    out = simulate.reorder_columns(filled, tmp_path / "r.xlsx", ["完成状态", "完成时间", "进展情况", "存在问题",
                                                                "下一步工作计划", "备注"])
    header = next(r for r in sheet_rows(out) if "序号" in r)
    assert header[6:12] == ["完成状态", "完成时间", "进展情况", "存在问题", "下一步工作计划", "备注"]
    assert header[:6] == list(READ_ONLY)
    assert by_key(out) == by_key(filled)  # same values under the same headers
    assert signoff(out) == signoff(filled)  # the sign-off row is not part of the move
    sheet = openpyxl.load_workbook(out)[SHEET]
    dvs = {dv.type: str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    assert dvs["list"].startswith("G5:G") and dvs["date"].startswith("H5:H")
    assert sheet.column_dimensions["I"].width > sheet.column_dimensions["G"].width  # 进展情况 keeps its width
    assert sheet.column_dimensions["M"].hidden
    assert metadata(out).verify(rnd.secret)


def test_rename_sheet_and_fill_still_finds_the_table(rnd, filled, tmp_path):
    out = simulate.rename_sheet(filled, tmp_path / "n.xlsx", "Sheet1")
    assert pc.CalamineWorkbook.from_path(str(out)).sheet_names == ["Sheet1", META_SHEET]
    assert by_key(out, "Sheet1") == by_key(filled)
    key = keys_in_order(filled)[0]
    again = simulate.fill(out, tmp_path / "n2.xlsx", {key: {"备注": "改过表名"}}, signoff={})
    assert by_key(again, "Sheet1")[key]["备注"] == "改过表名"


def test_add_sheet_puts_an_extra_sheet_before_the_table(rnd, filled, tmp_path):
    out = simulate.add_sheet(filled, tmp_path / "s.xlsx", "草稿")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["草稿", SHEET, META_SHEET] and wb.active.title == SHEET
    assert by_key(out) == by_key(filled) and metadata(out).verify(rnd.secret)


def test_retarget_metadata_rewrites_without_re_signing(rnd, filled, tmp_path):
    out = simulate.retarget_metadata(filled, tmp_path / "m.xlsx", round="2022-11-03", unit=OTHER)
    meta = metadata(out)
    assert (meta.round, meta.unit) == ("2022-11-03", OTHER)
    assert meta.signature == metadata(filled).signature and not meta.verify(rnd.secret)
    assert sheet_states(out)[META_SHEET] == "VeryHidden"
    fewer = simulate.retarget_metadata(filled, tmp_path / "m2.xlsx", rows=metadata(filled).rows[:1])
    assert metadata(fewer).rows == metadata(filled).rows[:1]  # no stale rows left behind
    with pytest.raises(ValueError, match="colour"):
        simulate.retarget_metadata(filled, tmp_path / "m3.xlsx", colour="red")


def test_foreign_rows_replace_or_follow_this_units_rows_and_keep_its_metadata(rnd, filled, tmp_path):
    other = rnd.files[OTHER]
    out = simulate.foreign_rows(filled, tmp_path / "f.xlsx", other)
    assert by_key(out) == by_key(other)
    assert metadata(out) == metadata(filled) and metadata(out).unit == UNIT
    assert signoff(out) == signoff(filled)
    mine, theirs = keys_in_order(filled), keys_in_order(other)
    both = simulate.foreign_rows(filled, tmp_path / "g.xlsx", other, keys=theirs[:2], replace=False)
    assert keys_in_order(both) == mine + theirs[:2]
    assert {k: by_key(both)[k] for k in mine} == by_key(filled)
    few = simulate.foreign_rows(filled, tmp_path / "h.xlsx", other, keys=theirs[:1])
    assert keys_in_order(few) == theirs[:1] and signoff(few) == signoff(filled)


# --- answers from the Heshan completion texts -----------------------------------------------------


def node_key(rnd: Round, row: dict) -> str:
    item = next(it for it in rnd.items if (it.category, it.number) == (row["category"], row["number"]))
    return item.key if (row["node"] or 1) == 1 else item.subrows[row["node"] - 2].key


def test_each_completion_text_answers_its_own_node_row_with_its_status(rnd):
    answers = rnd.answers(UNIT)
    for row in (r for r in COMPLETION if r["unit"] == UNIT):
        answer = answers[node_key(rnd, row)]
        assert answer["完成状态"] == row["status"]
        assert answer["进展情况"] == (row["progress"] or row["status"] + "。")  # a bare verdict says itself
    for a in answers.values():
        assert ("完成时间" in a) == (a["完成状态"] == "已完成")
        assert ("存在问题" in a) == (a["完成状态"] in ("未按进度完成", "暂缓实施"))
        if "完成时间" in a:
            assert a["完成时间"] == dt.date(2022, 12, 31)


def test_a_node_without_a_text_of_its_own_is_answered_as_the_node_above(rnd):
    by_number = {(it.category, it.number): it for it in rnd.items}
    # item 1: one text for the whole item (node null): every node row gets it
    gdp = next(it for it in rnd.items if it.number == "1" and it.category.startswith("一"))
    answers = rnd.answers(UNIT)
    assert len(gdp.subrows) == 4 and all(answers[s.key] == answers[gdp.key] for s in gdp.subrows)
    # item 6 of 市委办公室: texts for nodes 1, 3, 4, 5, 6; node 2 sits under node 1's (a merged cell)
    texts = [r for r in COMPLETION if r["unit"] == "市委办公室" and r["number"] == "6"]
    assert [r["node"] for r in texts] == [1, 3, 4, 5, 6]
    item = by_number[(texts[0]["category"], "6")]
    office = rnd.answers("市委办公室")
    assert office[item.subrows[0].key] == office[item.key]
    assert office[item.subrows[1].key]["进展情况"] == texts[1]["progress"]
    # item 44: node 2 has its own unit (市政府办公室（金融股）), which answers for it alone
    loan = next(it for it in rnd.items if it.number == "44" and it.category.startswith("三"))
    assert loan.subrows[0].units[0] == "市政府办公室（金融股）"
    assert loan.subrows[0].key in rnd.answers("市政府办公室（金融股）")
    assert loan.subrows[0].key not in answers and loan.key in answers


def test_every_completion_row_lands_in_a_row_of_its_units_workbook(rnd):
    rows = unit_rows(rnd.items, rnd.ws.config(), DUE)
    covered = 0
    for unit in sorted({r["unit"] for r in COMPLETION}):
        answers = rnd.answers(unit)
        assert set(answers) <= {r.key for r in rows[unit]}, unit
        covered += sum(1 for r in COMPLETION if r["unit"] == unit)
    assert covered == len(COMPLETION)


def test_derived_problems_come_from_the_text_or_say_they_are_generic():
    assert simulate.derive_problem("因疫情原因，第四届梁赞咏春文化节确定取消。") == "因疫情原因，第四届梁赞咏春文化节确定取消。"
    assert simulate.derive_problem("已完成桩基础。存在问题：用地指标未落实。") == "用地指标未落实。"
    assert simulate.derive_problem("工作正在推进，但受近期疫情影响，大会再次延期举办。") == "受近期疫情影响，大会再次延期举办。"
    assert simulate.derive_problem("1-12月，剔除留抵退税影响可比口径增长3.4%。") == simulate.FALLBACK_PROBLEM


def test_a_completion_row_that_matches_no_item_is_an_error(rnd):
    bad = [{"category": "一、重点指标类（7项）", "number": "1", "title": "别的事项", "node": None,
            "unit": UNIT, "status": "已完成", "progress": "x"}]
    with pytest.raises(ValueError, match="title"):
        simulate.answers_from_completion(rnd.items, bad, UNIT)
    bad[0].update(number="99", title="x")
    with pytest.raises(ValueError, match="no item"):
        simulate.answers_from_completion(rnd.items, bad, UNIT)


def test_the_demo_round_trip_fill_every_unit_from_its_real_texts(rnd, tmp_path):
    for unit, path in list(rnd.files.items())[:8]:
        answers = rnd.answers(unit)
        out = simulate.fill(path, tmp_path / path.name, answers, saved_at=SAVED)
        back = by_key(out)
        assert all(back[k]["完成状态"] == a["完成状态"] for k, a in answers.items()), unit
        assert metadata(out).verify(rnd.secret)
