"""The one status rule, held across commands on the real Heshan 2022 sample.

(a) One round with every status, sub-row units that send nothing and a partly accepted file:
    `status --json`, `summary --json`, the summary's 统计 sheet and the dashboard count alike.
(b) The year-end round filled with Heshan's real texts: every item's node statuses in the
    summary read back equal those of Heshan's own summary (seed 002), in order.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import needs_office
from openpyxl.cell.rich_text import CellRichText
from test_dashboard import status_counts
from test_summary import section

from toolkit import simulate
from toolkit.cli import cli
from toolkit.store.workspace import Workspace
from toolkit.summary.sheet import SHEET
from toolkit.views import dashboard

# All on one xdist worker (make test's --dist loadgroup): the Heshan round this module's
# fixtures build is built once, not once on each worker its tests land on.
pytestmark = pytest.mark.xdist_group("test_state")

ROUND = "2023-01-03"
SAVED = dt.datetime(2022, 12, 30, 16, 30)
SEED = Path("/work/shared/seeds/002_2f8a4adf0cbfa56a.txt")
STATUS = re.compile(r"^(已完成|基本按进度完成|未按进度完成|暂缓实施)(?:[。．.]|\s|$)")
SILENT = ("龙口镇", "雅瑶镇")  # units of sub-rows of item 三、46 only: they send nothing
MISTYPED = "市发展改革局"  # one row of its file has a status not in the list: partly accepted


def heshan_round(run, root: Path, skip=(), mistype=None) -> Workspace:
    """init --sample heshan-2022, generate the year-end round, fill every unit's workbook with
    Heshan's real texts (but `skip`), collect."""
    assert run("init", root / "ws", "--sample", "heshan-2022")[0] == 0
    ws = Workspace.open(root / "ws")
    code, out = run("generate", "-w", ws.root, "--round", ROUND, "--json")
    assert code == 0
    answers = simulate.heshan_answers(ws, dt.date.fromisoformat(ROUND))
    for f in out["files"]:
        if f["unit"] in skip:
            continue
        mine = answers[f["unit"]]
        if f["unit"] == mistype:
            first = next(iter(mine))
            mine[first] = {**mine[first], "完成状态": "完成了"}
        path = ws.root / f["path"]
        simulate.fill(path, root / "inbox" / path.name, mine, saved_at=SAVED)
    run("collect", root / "inbox", "-w", ws.root)
    return ws


# -- (a) every command counts alike ------------------------------------------------------------------


def cli_run(*args):
    """As conftest's `run`, for the module's workspaces (built once: a fixture per module)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    parsed = "--json" in args and result.exit_code in (0, 1)
    return result.exit_code, json.loads(result.stdout) if parsed else result.output


@pytest.fixture(scope="module")
def mixed(heshan_mixed):
    return heshan_mixed  # conftest's: test_dashboard looks at the same round in a browser


def test_status_summary_statistics_and_dashboard_count_alike(mixed):
    ws, run, root = mixed
    code, st = run("status", "-w", ws.root, "--json", "--html", root / "看板.html")
    counts = st["counts"]
    assert list(counts) == ["已完成", "基本按进度完成", "未按进度完成", "暂缓实施", "未报送"]
    assert all(counts[s] > 0 for s in counts) and sum(counts.values()) == 258  # every status occurs
    assert [i["status"] for i in st["items"]].count("未报送") == counts["未报送"]
    # the silent units' rows and the mistyped row leave their items 未报送, though their leads reported
    yard = next(i for i in st["items"] if set(SILENT) <= set(i["units"]))
    assert yard["status"] == "未报送" and {r["unit"] for r in yard["reports"]} == {yard["lead_unit"], "市珠西物流管委会"}
    assert {u["name"]: u["submitted"] for u in st["units"] if u["name"] in SILENT} == dict.fromkeys(SILENT, False)
    code, summ = run("summary", "-w", ws.root, "--json")
    assert code == 1 and summ["counts"] == counts == summ["status_counts"]
    overall = section(openpyxl.load_workbook(ws.root / summ["xlsx"])["统计"], "一、总体情况")["全部事项（258项）"]
    assert dict(zip(counts, overall[0::2])) == counts and overall[-1] == 258
    html = (root / "看板.html").read_text(encoding="utf-8")
    assert status_counts(html) == counts
    cards = {k: int(v) for k, v in re.findall(r'<div class="card (green|yellow|red)"><b>(\d+)</b>', html)}
    assert cards["green"] == counts["已完成"] and sum(cards.values()) == 258
    assert 0 < cards["yellow"] <= counts["基本按进度完成"]  # the year's last round: December's targets on track are yellow



@pytest.fixture(scope="module")
def bulletin(mixed):
    """duban bulletin on the mixed round (and its PDF, where LibreOffice is: the module's one conversion)."""
    ws, run, _ = mixed
    code, out = run("bulletin", "-w", ws.root, "--json")
    assert code == 1, out  # units are missing
    return out


def test_the_bulletin_counts_as_status_and_lists_every_red_item(mixed, bulletin):
    ws, run, _ = mixed
    code, st = run("status", "-w", ws.root, "--json")
    assert bulletin["counts"] == st["counts"]
    assert bulletin["missing_units"] == [u["name"] for u in st["units"] if not u["submitted"]]
    assert set(bulletin["missing_units"]) == set(SILENT) and bulletin["late_units"] == []
    nodes = bulletin["nodes"]
    assert sum(nodes.values()) == len(ws_rows(ws)) and nodes["未报送"] >= len(SILENT)
    warnings = dashboard.build(ws)["warnings"]  # the dashboard's red items
    assert [i["key"] for i in bulletin["red_items"]] == [w["key"] for w in warnings]
    assert bulletin["red_items"][0]["number"] == "一、1"  # Heshan numbers each category afresh: cited with its numeral
    assert {i["status"] for i in bulletin["red_items"]} == {"未按进度完成", "暂缓实施", "未报送", "基本按进度完成"}
    document = docx.Document(bulletin["docx"])
    body = "\n".join(p.text for p in document.paragraphs)
    total = sum(st["counts"].values())
    assert f"共{total}项，细化为{sum(nodes.values())}个具体工作内容" in body
    for status_, n in st["counts"].items():
        if n:
            assert f"{status_}{n}项、占{n * 100 / total:.1f}%" in body
    listed = [(row.cells[1].text, row.cells[2].text) for row in document.tables[0].rows[1:]]
    assert listed == [(i["number"], i["title"]) for i in bulletin["red_items"]]


def ws_rows(ws) -> list[str]:
    from toolkit.core.assign import rows_of
    from toolkit.store.ledger import Ledger

    with Ledger(ws.ledger_path, readonly=True) as ledger:
        return [row.key for item in ledger.items_or_stop() for row in rows_of(item)]


@needs_office
def test_the_bulletin_pdf_has_the_title_figures_and_every_red_item(mixed, bulletin):
    ws, _, _ = mixed
    assert bulletin["pdf"] and Path(bulletin["pdf"]).exists()
    text = "".join(subprocess.run(["pdftotext", bulletin["pdf"], "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    assert "关于2022年鹤山市委、市政府重点工作任务落实情况的通报" in text
    assert f"已完成{bulletin['counts']['已完成']}项" in text and "—1—" in text
    annex = text[text.index("附件1进度滞后事项清单"):text.index("附件2逾期未完成事项清单")]
    # pdftotext reads a table cell by cell, but interleaves the lines of cells side by side:
    # a title's first line is whole
    missing = [i["number"] for i in bulletin["red_items"]
               if i["number"] not in annex or "".join(i["title"].split())[:8] not in annex]
    assert missing == []

# -- (b) node statuses as Heshan's own summary gives them ----------------------------------------------


def paragraph_statuses(cell: str) -> list[str]:
    """Statuses opening the paragraphs of a 完成情况 cell of the seed (<p>…</p>, bold or not:
    the extraction lost some bold)."""
    out = []
    for p in re.findall(r"<p>(.*?)</p>", cell) or [cell]:
        m = STATUS.match(re.sub(r"</?b>", "", p).strip())
        if m:
            out.append(m.group(1))
    return out


def seed_statuses() -> dict[tuple[str, str], list[str]]:
    """(category, number) → the statuses of the item's 完成情况 cells in the seed, in order."""
    out: dict[tuple[str, str], list[str]] = {}
    category, current = "", None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        head = re.sub(r"</?[bp]>", "", cells[0]).strip()
        if re.match(r"^[一二三四五六七八九十]+、", head):
            category = re.split(r"[（(]", head)[0]
            continue
        if re.fullmatch(r"\d+", head) and len(cells) >= 5:
            current = (category, head)  # the same number again after a page break: the same item
            out.setdefault(current, [])
        elif head or current is None or len(cells) < 5:
            continue
        for cell in [cells[4]] + cells[6:]:  # a few rows of the extraction shift 完成情况 past 完成时间
            out[current] += paragraph_statuses(cell)
    return out


def cell_statuses(cell) -> list[str]:
    """Bold statuses opening the paragraphs of a 完成情况 cell of duban's summary."""
    value = cell.value
    runs = ([(bool(getattr(getattr(b, "font", None), "b", False)), b if isinstance(b, str) else b.text) for b in value]
            if isinstance(value, CellRichText) else [(bool(cell.font.b), str(value or ""))])
    marked = "".join("\n".join(f"\x01{p}\x02" if bold else p for p in t.split("\n")) for bold, t in runs)
    out = []
    for paragraph in marked.split("\n"):
        m = re.match(r"^\x01([^\x02]*)", paragraph)
        status = STATUS.match(m.group(1).strip()) if m else None
        if status:
            out.append(status.group(1))
    return out


def summary_statuses(path: Path) -> dict[tuple[str, str], list[str]]:
    sheet = openpyxl.load_workbook(path, rich_text=True)[SHEET]
    out: dict[tuple[str, str], list[str]] = {}
    category, current = "", None
    for r in range(4, sheet.max_row + 1):
        first = str(sheet.cell(r, 1).value or "")
        if re.match(r"^[一二三四五六七八九十]+、", first):
            category = re.split(r"[（(]", first)[0]
        elif re.fullmatch(r"\d+", first):
            current = (category, first)  # a part after a page break repeats the number
            out.setdefault(current, [])
        if current is not None and re.fullmatch(r"\d*", first):
            out[current] += cell_statuses(sheet.cell(r, 5))
    return out


@pytest.fixture(scope="module")
def year_end(tmp_path_factory):
    ws = heshan_round(cli_run, tmp_path_factory.mktemp("year_end"))
    code, out = cli_run("summary", "-w", ws.root, "--json")
    assert code == 0, out
    return ws.root / out["xlsx"]


def test_every_items_node_statuses_equal_heshans_own_summary(year_end):
    expected = seed_statuses()
    assert len(expected) == 258 and expected[("三、重点工作类", "26")] == ["已完成", "暂缓实施", "已完成"]
    got = summary_statuses(year_end)
    assert set(got) == set(expected)
    differ = {k: (expected[k], got[k]) for k in expected if got[k] != expected[k]}
    assert differ == {}
