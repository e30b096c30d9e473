"""The bundled samples import exactly: the counts the seeds state."""

from collections import Counter

from toolkit.core.assign import reporting_units
from toolkit.importing.breakdown import read_breakdown
from toolkit.store.samples import sample_path


def test_zhanjiang_attachment_1_has_113_items_and_no_findings():
    bd = read_breakdown(sample_path("zhanjiang-2022"))
    assert len(bd.items) == 113 and bd.findings == []
    assert [i.number for i in bd.items] == [str(n) for n in range(1, 114)]
    assert bd.items[0].lead_unit == "市发展改革局" and bd.items[0].leader == "黄明忠"
    assert bd.items[112].lead_unit == "湛江吴川机场空港经济区建设指挥部办公室（市交通投资集团有限公司）"
    assert bd.year == 2022


def test_zhanjiang_livelihood_projects_have_subrows_with_their_own_units():
    bd = read_breakdown(sample_path("zhanjiang-2022-livelihood"))
    assert len(bd.items) == 10
    first = bd.items[0]
    assert len(first.subrows) == 2 and all(s.units for s in first.subrows)
    assert len(reporting_units(first)) == 3


def test_heshan_has_258_items_in_its_four_categories_with_matching_counts():
    bd = read_breakdown(sample_path("heshan-2022"))
    assert len(bd.items) == 258
    assert Counter(i.category for i in bd.items) == {
        "一、重点指标类（7项）": 7, "二、重点项目类（68项）": 68, "三、重点工作类（173项）": 173, "四、民生实事类（10项）": 10}
    assert [f.code for f in bd.findings] == ["note-row", "note-row"]  # no count-mismatch anywhere
    work = [i for i in bd.items if i.category.startswith("三")]
    assert all(i.subcategory and i.leader_group for i in work)
    assert sum(i.star for i in bd.items) > 0
    assert len(bd.notes) == 2


def test_init_from_a_sample(tmp_path, run):
    code, out = run("init", tmp_path / "ws", "--sample", "heshan-2022", "--json")
    assert code == 0 and out["items"] == 258
