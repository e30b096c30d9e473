"""Property: whatever valid answers a unit writes into its workbook come back into the master
and the ledger exactly (text as text, statuses, dates as ISO days)."""

from __future__ import annotations

import datetime as dt

import openpyxl
from conftest import IMPORT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store.ledger import Ledger

ROUND = "2022-07-03"
STATUSES = ["已完成", "基本按进度完成", "未按进度完成", "暂缓实施"]
# Text as units type it: Chinese, digits, punctuation, line breaks, and formula look-alikes.
ALPHABET = st.sampled_from(list("进展情况完成项目建设投资亿元万吨％%，。；：“”（）-=+@/\n 0123456789ABCabc"))
TEXT = st.text(ALPHABET, min_size=2, max_size=80).map(str.strip).filter(
    lambda t: t and t not in {"无", "/", "-", "同上", "略", "0"} and len(t.replace("\n", "").strip()) > 1)


def answer():
    return st.fixed_dictionaries({
        "进展情况": TEXT, "存在问题": TEXT, "下一步工作计划": TEXT, "备注": TEXT,
        "完成状态": st.sampled_from(STATUSES),
        "完成时间": st.dates(dt.date(2022, 1, 1), dt.date(2022, 7, 3)),
    })


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=answer(), second=answer())
def test_random_valid_answers_come_back_exactly(tmp_path_factory, first, second):
    tmp = tmp_path_factory.mktemp("prop")
    ws, _ = init_workspace(tmp / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    files = {f.unit: f for f in generate(ws, ROUND).files}
    source = files["市发展改革局"].path
    with Ledger(ws.ledger_path) as ledger:
        items = [it for it in ledger.items() if it.lead_unit == "市发展改革局"]
    keys = [it.key for it in items]
    inbox = tmp / "inbox"
    inbox.mkdir()
    nodes = {it.key: [it.key] + [s.key for s in it.subrows] for it in items}  # a row per node, each answered
    answers = {k: sent for key, sent in ((keys[0], first), (keys[1], second)) for k in nodes[key]}
    simulate.fill(source, inbox / source.name, answers, saved_at=dt.datetime(2022, 7, 1))
    result = collect(ws, inbox)
    assert [f.outcome for f in result.files] == ["accepted"], result.files[0].findings

    sheet = openpyxl.load_workbook(ws.master_path)["总台账"]
    header = [c.value for c in sheet[2]]
    rows = {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
    for key, sent in ((keys[0], first), (keys[1], second)):
        for field, value in sent.items():
            cell = sheet.cell(rows[key], header.index(field) + 1)
            expected = value.isoformat() if isinstance(value, dt.date) else value
            assert cell.value == expected, (field, value)
            assert cell.data_type == "s"
