"""Writing report values into the master by patching its sheet XML: every other byte stays."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
import python_calamine as pc
import xlsxwriter
from conftest import needs_office
from openpyxl.styles import Font, PatternFill

from toolkit.collect.xlsxpatch import CannotPatch, column_number, patch_cells, patch_sheet_xml
from toolkit.core.text import column_letter
from toolkit.store.office import convert


def workbook(path):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("总台账")
    bold = wb.add_format({"bold": True, "bg_color": "#FFFF00"})
    ws.write_string(0, 0, "键", bold)
    ws.write_string(0, 1, "进展情况", bold)
    ws.write_string(1, 0, "k1")
    ws.write_blank(1, 1, None, bold)
    ws.write_string(2, 0, "k2")
    ws.write_comment(2, 0, "督查室的批注")
    wb.add_worksheet("其他").write_string(0, 0, "不动")
    wb.close()
    return path


def values(path, sheet="总台账"):
    with open(path, "rb") as f:
        return pc.CalamineWorkbook.from_filelike(f).get_sheet_by_name(sheet).to_python()


def test_changed_cells_are_written_as_text_and_keep_their_style(tmp_path):
    src = workbook(tmp_path / "m.xlsx")
    patch_cells(src, tmp_path / "out.xlsx", "总台账", {(2, 2): "=1+1 & <b>加粗</b>\n第二行 ", (3, 3): "新列"})
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    cell = wb["总台账"]["B2"]
    assert cell.value == "=1+1 & <b>加粗</b>\n第二行 " and cell.data_type == "s"
    assert cell.font.b and cell.fill.fgColor.rgb.endswith("FFFF00")
    assert wb["总台账"]["C3"].value == "新列"  # a cell that was not there, in column order
    assert wb["总台账"]["A3"].comment.text.startswith("督查室的批注")
    assert values(tmp_path / "out.xlsx", "其他") == [["不动"]]


def test_every_other_part_is_copied_byte_for_byte(tmp_path):
    src = workbook(tmp_path / "m.xlsx")
    patch_cells(src, tmp_path / "out.xlsx", "总台账", {(2, 2): "进展"})
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(tmp_path / "out.xlsx") as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/worksheets/sheet1.xml"]


def test_a_master_saved_by_openpyxl_or_with_self_closing_rows_is_patched(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "总台账"
    ws.append(["键", "进展情况"])
    ws.append(["k1", None])
    ws["A2"].font = Font(bold=True)
    ws["C5"].fill = PatternFill("solid", fgColor="FF0000")
    wb.save(tmp_path / "m.xlsx")
    patch_cells(tmp_path / "m.xlsx", tmp_path / "out.xlsx", "总台账", {(2, 2): "甲", (5, 2): "乙"})
    grid = values(tmp_path / "out.xlsx")
    assert grid[1][:2] == ["k1", "甲"] and grid[4][1] == "乙"


def test_rows_that_are_not_there_and_prefixed_xml_are_refused_not_guessed():
    xml = b'<worksheet><sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>'
    with pytest.raises(CannotPatch):
        patch_sheet_xml(xml, {(7, 1): "x"})
    with pytest.raises(CannotPatch):
        patch_sheet_xml(b"<x:worksheet><x:sheetData><x:row r='1'/></x:sheetData></x:worksheet>", {(1, 1): "x"})


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    assert all(column_number(column_letter(n).encode()) == n for n in range(1, 16385))
    assert column_number(b"XFD") == 16384


@needs_office
def test_a_master_resaved_by_libreoffice_is_patched_and_opens_again(tmp_path):
    src = workbook(tmp_path / "m.xlsx")
    (ods,) = convert([src], "ods", tmp_path / "ods")
    (again,) = convert([ods], "xlsx", tmp_path / "lo")
    patch_cells(again, tmp_path / "out.xlsx", "总台账", {(2, 2): "经 LibreOffice 保存后写入"})
    (check,) = convert([tmp_path / "out.xlsx"], "ods", tmp_path / "check")
    assert values(check)[1][:2] == ["k1", "经 LibreOffice 保存后写入"]


def test_cells_left_of_the_changes_are_kept_as_written_and_disorder_is_not_duplicated():
    row = b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="4"/><c r="C2" s="5"><v>1</v></c></row>'
    xml = b"<worksheet><sheetData>" + row + b"</sheetData></worksheet>"
    out = patch_sheet_xml(xml, {(2, 3): "甲", (2, 4): "乙"})
    assert out.startswith(b'<worksheet><sheetData><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="4"/><c r="C2" s="5" t="inlineStr">')
    assert out.count(b'r="C2"') == 1 and b'<c r="D2" t="inlineStr"><is><t xml:space="preserve">\xe4\xb9\x99</t>' in out
    # C2 written before B2 (out of order): the row is parsed whole, sorted, each cell once
    jumbled = b'<worksheet><sheetData><row r="2"><c r="A2"/><c r="C2" s="5"/><c r="B2" s="4"/></row></sheetData></worksheet>'
    out = patch_sheet_xml(jumbled, {(2, 2): "甲", (2, 3): "乙"})
    assert out.count(b'r="B2"') == 1 and out.count(b'r="C2"') == 1
    assert out.index(b'r="A2"') < out.index(b'r="B2"') < out.index(b'r="C2"')


def test_a_sheet_renamed_with_markup_characters_is_found_by_its_name(tmp_path):
    """The clerk may rename the master's sheet to anything Excel takes; the workbook XML
    escapes & " ' < > in the name (and XlsxWriter, Excel, LibreOffice each differently)."""
    name = "总台账 \"A&B\" 'x'<2022>"
    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("说明").write_string(0, 0, "不动")
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, "键")
    ws.write_string(1, 0, "k1")
    wb.close()
    patch_cells(path, tmp_path / "out.xlsx", name, {(2, 2): "进展"})
    assert values(tmp_path / "out.xlsx", name) == [["键", ""], ["k1", "进展"]]
    with pytest.raises(CannotPatch):
        patch_cells(path, tmp_path / "out2.xlsx", "总台账", {(2, 2): "进展"})
