"""duban.toml as clerks' editors leave it: saved by Notepad with a BOM, as ANSI (GBK) or as
"Unicode" (UTF-16), with Windows line ends, and with values of the wrong type. Each is read,
or refused with one Chinese sentence naming the key (exit 2); duban's own edits of the file
keep its encoding, line ends and comments."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import shutil
import tomllib

import pytest
from conftest import IMPORT

from toolkit import simulate
from toolkit.core.errors import ConfigError
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.store import configfile
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import Workspace

HESHAN = IMPORT / "heshan_categories_groups_nodes.xlsx"
ROUND = "2022-07-03"
ENCODINGS = {"utf-8-sig": "utf-8-sig", "gbk": "gbk", "utf-16": "utf-16"}  # Notepad: UTF-8 BOM, ANSI, Unicode


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A workspace made from the small Heshan table (copied per test)."""
    ws, _ = init_workspace(tmp_path_factory.mktemp("toml") / "ws", HESHAN)
    return ws


@pytest.fixture
def ws(pristine, tmp_path):
    shutil.copytree(pristine.root, tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def save_as(ws: Workspace, encoding: str, text: str | None = None) -> str:
    """duban.toml saved again as Notepad does: in `encoding`, with CRLF line ends."""
    text = (text if text is not None else ws.config_path.read_text(encoding="utf-8")).replace("\n", "\r\n")
    ws.config_path.write_bytes(text.encode(encoding))
    return text


def edit(ws: Workspace, pattern: str, replacement: str) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    new = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert new != text, pattern
    ws.config_path.write_text(new, encoding="utf-8")


# ---- encodings ------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_duban_toml_saved_by_notepad_in_its_encodings_is_read_as_before(ws, run, encoding):
    before = ws.config()
    save_as(ws, ENCODINGS[encoding])
    assert ws.config() == before
    code, out = run("status", "-w", ws.root, "--round", ROUND)
    assert code in (0, 1) and "Traceback" not in out and "错误" not in out


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_duban_edits_of_a_notepad_saved_duban_toml_keep_its_encoding_line_ends_and_comments(ws, run, encoding):
    save_as(ws, ENCODINGS[encoding])
    code, out = run("generate", "-w", ws.root, "--round", "2022-12-01", "--new-round")  # adds a [[rounds]] entry
    assert code == 0, out
    data = ws.config_path.read_bytes()
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    if encoding == "utf-16":
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text = data.decode(ENCODINGS[encoding])  # GBK stays GBK: decoding it as such works
    assert "\n" not in text.replace("\r\n", "")  # every line end still CRLF, the new lines' too
    assert "# 完成状态：从好到差排列" in text  # the Chinese comments kept
    assert "2022-12-01" in [r.name for r in ws.config().rounds]


def test_import_into_a_gbk_duban_toml_updates_it_in_gbk(ws, run):
    save_as(ws, "gbk")
    code, out = run("import", HESHAN, "-w", ws.root)
    assert code == 0, out
    text = ws.config_path.read_bytes().decode("gbk")
    assert tomllib.loads(text)["source"] == HESHAN.name and "# 年度" in text


def test_a_duban_toml_in_no_encoding_duban_knows_is_one_chinese_sentence_and_exit_2(ws, run):
    ws.config_path.write_bytes(ws.config_path.read_bytes() + b"\n# \xff\xfe\x80\x80\n")
    code, out = run("status", "-w", ws.root)
    assert code == 2 and "编码" in out and "UTF-8" in out and "Traceback" not in out


def test_a_toml_syntax_error_says_which_line_and_column_in_chinese(ws, run):
    edit(ws, r"^year = .*$", "year = 2022 年")
    code, out = run("status", "-w", ws.root)
    assert code == 2 and re.search(r"第 \d+ 行第 \d+ 列", out) and "Traceback" not in out


# ---- types ----------------------------------------------------------------------------------------
WRONG = [
    (r"^statuses = .*$", 'statuses = "已完成"', "statuses"),
    (r"^statuses = .*$", "statuses = []", "statuses"),
    (r"^statuses = .*$", 'statuses = ["已完成", 2]', "statuses"),
    (r"^problem_statuses = .*$", 'problem_statuses = "暂缓实施"', "problem_statuses"),
    (r"^done_status = .*$", 'done_status = ["已完成"]', "done_status"),
    (r"^year = .*$", 'year = "2022"', "year"),
    (r"^title = .*$", "title = 2022", "title"),
    (r"^contact = .*$", "contact = 12345678", "contact"),
    (r"^\[mapping\]$", "mapping = \"事项\"\n[mapping_old]", "mapping"),
    (r"^lead_unit = .*$", "lead_unit = 3", "[mapping] 的 lead_unit"),
    (r"^cooperating_units_report = .*$", 'cooperating_units_report = "false"', "cooperating_units_report"),
    (r"^label = .*$", "label = 1", "label"),
    (r"^due = 2022-04-03$", 'due = "2022年4月3日"', "截止日期"),
    (r"^\[\[rounds\]\]\ndue = 2022-04-03", "[rounds]\ndue = 2022-04-03", "rounds"),
]


@pytest.mark.parametrize("pattern, replacement, key", WRONG, ids=[w[1].split("\n")[0] for w in WRONG])
def test_a_value_of_the_wrong_type_in_duban_toml_names_the_key_and_exits_2(ws, run, pattern, replacement, key):
    if "rounds" in key:  # only the first [[rounds]] turned into a table: the rest clash with it
        text = ws.config_path.read_text(encoding="utf-8")
        ws.config_path.write_text(text[:text.index("[[rounds]]")] + "[rounds]\ndue = 2022-04-03\nlabel = \"第一次\"\n",
                                  encoding="utf-8")
    else:
        edit(ws, pattern, replacement)
    with pytest.raises(ConfigError) as e:
        ws.config()
    assert key in str(e.value) and "应是" in str(e.value) or "截止日期" in str(e.value)
    code, out = run("status", "-w", ws.root)
    assert code == 2 and out.count("错误") == 1 and "Traceback" not in out


def test_a_status_list_written_as_one_word_stops_collect_and_blames_no_units_file(ws, run, tmp_path):
    """Read letter by letter, 已完成 would make every unit's status "not allowed": collect now
    stops before reading any file, and the unit's file stays to be collected once fixed."""
    out_file = next(f for f in generate(ws, ROUND).files if f.unit == "市教育局").path
    with Ledger(ws.ledger_path) as ledger:
        keys = [k for it in ledger.items() if it.lead_unit == "市教育局" for k in [it.key] + [s.key for s in it.subrows]]
    inbox = tmp_path / "inbox"
    simulate.fill(out_file, inbox / "edu.xlsx", {k: {"进展情况": "按计划推进。", "完成状态": "已完成", "完成时间": "2022-06-30"}
                                                 for k in keys}, saved_at=dt.datetime(2022, 7, 1))
    text = ws.config_path.read_text(encoding="utf-8")
    edit(ws, r"^statuses = .*$", 'statuses = "已完成"')
    code, out = run("collect", inbox, "-w", ws.root)
    assert code == 2 and "statuses" in out and "Traceback" not in out
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.known_files() == frozenset()  # nothing recorded against the unit
    ws.config_path.write_text(text, encoding="utf-8")
    code, out = run("collect", inbox, "-w", ws.root, "--json")
    assert code in (0, 1) and out["files"][0]["outcome"] == "accepted"


def test_summary_settings_are_read_from_a_gbk_duban_toml(ws):
    from toolkit.store.summaryconfig import read_summary_config

    save_as(ws, "gbk")
    assert read_summary_config(ws, ws.config()).title_font == "方正小标宋简体"


def test_configfile_update_of_a_plain_utf8_file_stays_plain_utf8(ws):
    configfile.update(ws.config_path, source="新表.xlsx")
    data = ws.config_path.read_bytes()
    assert not data.startswith(codecs.BOM_UTF8) and tomllib.loads(data.decode("utf-8"))["source"] == "新表.xlsx"
