"""The findings catalog: every finding duban makes is in it, every entry is made somewhere,
and every message reads as Chinese that names what it is about; the ledger keeps findings
as fields, so a message read back is the message made."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
import string
from pathlib import Path

import pytest

from toolkit.core.findings import CATALOG, WHERE, finding
from toolkit.store.ledger import Ledger

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"
CJK = re.compile(r"[\u4e00-\u9fff]")
SAMPLE = {"value": "样例值甲", "column": "样例列乙", "row": 7, "unit": "市样例局", "item": "12", "file": "样例.xlsx"}


def _finding_calls() -> dict[str, set[str]]:
    """catalog key → the fields (unit, item, row, column, value) its calls in the package give."""
    calls: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "findings.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name != "finding" or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            given = {k.arg for k in node.keywords if k.arg in WHERE}
            if isinstance(node.func, ast.Attribute):  # validate's ctx.finding(key, exp, row, value, …)
                given |= {"row", "item"} | ({"value"} if len(node.args) > 3 else set())
            calls.setdefault(node.args[0].value, set()).update(given)
    return calls


CALLS = _finding_calls()


def test_every_finding_made_has_a_catalog_entry_and_every_entry_is_made():
    assert set(CALLS) - set(CATALOG) == set()
    assert set(CATALOG) - set(CALLS) == set()


def test_a_variant_has_its_codes_severity():
    for key, entry in CATALOG.items():
        code = key.split(":")[0]
        assert code in CATALOG and CATALOG[code].severity == entry.severity, key


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_message_is_chinese_and_names_the_value_and_column_given(key):
    facts = {name: f"〔{name}〕" for _, name, _, _ in _parts(key) if name and name not in SAMPLE and name != "at"}
    given = CALLS[key] | {"file"}
    message = finding(key, **{k: v for k, v in SAMPLE.items() if k in given}, **facts).message
    assert CJK.search(message) and "{" not in message and "}" not in message and message.endswith("。"), message
    for name in ("value", "column"):
        if name in given:
            assert SAMPLE[name] in message, (name, message)
    assert all(f"〔{name}〕" in message for name in facts), message
    if CATALOG[key].severity == "error":
        assert CATALOG[key].hint, f"{key}: an error must say what to do"


def _parts(key):
    entry = CATALOG[key]
    return [p for text in (entry.template, entry.hint, entry.blank) for p in string.Formatter().parse(text)]


def test_a_message_about_an_empty_value_says_it_is_empty():
    assert finding("missing-progress", file="a.xlsx", row=5, column="进展情况").message == \
        "“a.xlsx”第5行“进展情况”列：进展情况没有填写；请写明本期实际完成的工作和数据。"
    assert "只写了“无”" in finding("missing-progress", file="a.xlsx", row=5, column="进展情况", value="无").message


def test_a_long_value_is_cut_with_an_ellipsis():
    message = finding("note-row", row=3, value="备" * 50).message
    assert "备" * 40 + "…" in message and "备" * 41 not in message


def test_the_json_shape_is_cli_md_s():
    f = finding("bad-status", file="a.xlsx", unit="市教育局", item="3", row=6, column="完成状态", value="完成了",
                statuses=["已完成", "暂缓实施"])
    assert f.to_json() == {"code": "bad-status", "severity": "error", "unit": "市教育局", "item": "3", "row": 6,
                           "column": "完成状态", "value": "完成了",
                           "message": "“a.xlsx”第6行“完成状态”列：完成状态“完成了”不在可选范围内；只能填：已完成、暂缓实施。"}
    assert finding("wrong-round:workspace", file="a.xlsx", value="x").to_json()["code"] == "wrong-round"


def test_findings_read_back_from_the_ledger_are_the_findings_stored(tmp_path):
    made = [finding("bad-date", file="a.xlsx", unit="市教育局", item="3", row=6, column="完成时间", value="4月底前", year=2022),
            finding("late", file="a.xlsx", unit="市教育局", value="2022-07-04 09:00", due="2022年7月3日")]
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        ledger.add_submissions([_submission("abc", made)])
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        back = ledger.submissions("2022-07-03")[0]["findings"]
    assert back == made and [f.message for f in back] == [f.message for f in made]


def test_an_older_ledgers_findings_move_to_the_findings_table_with_their_messages(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.add_submissions([_submission("abc", [])])
    old = [{"code": "bad-status", "severity": "error", "unit": "市教育局", "item": "3", "row": 6, "column": "完成状态",
            "value": "完成了", "message": "旧版的说明：完成状态填错了。"}]
    db = sqlite3.connect(path)  # as an older duban left it: version 1, no findings table, JSON in submissions
    db.execute("DROP TABLE findings")
    db.execute("UPDATE meta SET value = '1' WHERE name = 'schema_version'")
    db.execute("UPDATE submissions SET findings = ?", (json.dumps(old, ensure_ascii=False),))
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        back = ledger.submissions("2022-07-03")[0]["findings"]
        assert ledger.db.execute("SELECT findings FROM submissions").fetchone() == ("[]",)
    assert [f.to_json() for f in back] == old


def _submission(sha: str, findings: list) -> dict:
    return {"sha256": sha, "round": "2022-07-03", "unit": "市教育局", "file_name": "a.xlsx", "archived": "",
            "saved_at": "2022-07-01T09:00:00", "received_at": "2022-07-01T10:00:00", "outcome": "partial", "late": 0,
            "identified_by": "metadata", "findings": findings}
