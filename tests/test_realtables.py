"""Real breakdown tables of other places and years (tests/fixtures/realtables, see README there).

Each was rebuilt from a government page in the shape an office receives it, and its ground truth
(truth.json) written by hand from the source text, not from duban's output. Each must import with
no hand edit and equal that truth; generate must give every unit exactly its own rows; the
summary must list every item once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import python_calamine as pc

from toolkit.core.schema import KEY_HEADER, SHEET
from toolkit.core.text import cell_text, fold, squash
from toolkit.core.units import people
from toolkit.importing.run import ImportResult, init_workspace
from toolkit.store.tables import read_sheets
from toolkit.store.workspace import Workspace

ROOT = Path(__file__).parent / "fixtures" / "realtables"
TABLES = sorted(p.name for p in ROOT.iterdir() if (p / "truth.json").exists())
TABLE_SUFFIXES = (".xlsx", ".xls", ".docx", ".csv")


def table_file(folder: Path) -> Path:
    (path,) = [p for p in folder.iterdir() if p.suffix.lower() in TABLE_SUFFIXES]
    return path


@dataclass
class Imported:
    path: Path
    ws: Workspace
    result: ImportResult
    truth: dict


@pytest.fixture(scope="module", params=TABLES)
def table(request, tmp_path_factory) -> Imported:
    folder = ROOT / request.param
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    path = table_file(folder)
    ws, result = init_workspace(tmp_path_factory.mktemp(request.param) / "ws", path)
    return Imported(path, ws, result, truth)


def _others(row) -> list[str]:
    return list(dict.fromkeys(row.implementing + row.cooperating))


def _view(item) -> dict:
    """An item as the truth states it; a node's unit, co-units, leader and deadline are its own
    or, where it names none, the item's (who answers for it is the same either way)."""
    return dict(
        number=item.number, units=item.units, cooperating=_others(item), leader=people(item.leader),
        deadline=item.deadline,
        nodes=[dict(units=s.units or item.units, cooperating=_others(s) or _others(item),
                    leader=people(s.leader or item.leader), deadline=s.deadline or item.deadline)
               for s in item.subrows])


def _truth_view(t: dict) -> dict:
    item = dict(number=t["number"], units=t["units"], cooperating=t.get("cooperating", []),
                leader=t.get("leader", []), deadline=t.get("deadline", ""))
    item["nodes"] = [dict(units=n.get("units") or item["units"], cooperating=n.get("cooperating") or item["cooperating"],
                          leader=n.get("leader") or item["leader"], deadline=n.get("deadline") or item["deadline"])
                     for n in t.get("nodes", [])]
    return item


def test_year_and_item_count_equal_the_source(table):
    assert table.result.breakdown.year == table.truth["year"]
    assert table.ws.config().year == table.truth["year"]
    assert len(table.result.items) == len(table.truth["items"]), [i.number for i in table.result.items]


def test_every_item_and_node_has_the_units_leaders_and_deadlines_of_the_source(table):
    for item, t in zip(table.result.items, table.truth["items"]):
        assert squash(item.title).startswith(squash(t["title"])), (item.title, t["title"])
        assert _view(item) == _truth_view(t), t["number"] or t["title"]


def test_nothing_in_the_table_is_dropped_silently(table):
    """Every row under the header is an item, a node, a group row, or named by a finding."""
    bd = table.result.breakdown
    taken = {it.row for it in bd.items} | {s.row for it in bd.items for s in it.subrows}
    taken |= {f.row for f in table.result.findings if f.row}
    groups = {squash(getattr(it, k) or "") for it in bd.items for k in ("category", "subcategory", "leader_group")}
    sheet = next(s for s in read_sheets(table.path) if s.name == bd.sheet)
    for r in range(bd.first_data_row - 1, len(sheet.rows)):
        texts = [squash(cell_text(v)) for v in sheet.rows[r] if cell_text(v)]
        if texts and r + 1 not in taken:
            assert set(texts) <= groups, (r + 1, texts)


def _expected_rows(truth: dict) -> dict[str, list[str]]:
    """unit → the 序号 labels of its rows (26, 26-2 …), from the truth."""
    out: dict[str, list[str]] = {}
    for t in truth["items"]:
        if t["units"]:
            out.setdefault(t["units"][0], []).append(t["number"])
        for n, node in enumerate(t.get("nodes", []), start=2):
            units = node.get("units") or t["units"]
            if units:
                out.setdefault(units[0], []).append(f"{t['number']}-{n}")
    return out


def _workbook_rows(path: Path) -> list[str]:
    """The 序号 of each reporting row (a row with a key) of a unit's workbook."""
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python()
    head = next(i for i, r in enumerate(rows) if KEY_HEADER in [cell_text(v) for v in r])
    header = [cell_text(v) for v in rows[head]]
    number, key = header.index("序号"), header.index(KEY_HEADER)
    return [cell_text(r[number]) for r in rows[head + 1:] if len(r) > key and cell_text(r[key])]


def test_each_unit_workbook_holds_exactly_its_own_items_and_nodes(table, run):
    ws, truth = table.ws, table.truth
    first = ws.config().rounds[0].name
    code, out = run("generate", "-w", ws.root, "--round", first, "--json")
    assert code == 0, out
    got = {f["unit"]: _workbook_rows(ws.root / f["path"]) for f in out["files"]}
    assert got == _expected_rows(truth)


def test_the_summary_lists_every_item_once(table, run):
    ws, truth = table.ws, table.truth
    first = ws.config().rounds[0].name
    code, out = run("summary", "-w", ws.root, "--round", first, "--json")
    assert code in (0, 1), out
    book = pc.CalamineWorkbook.from_path(str(ws.root / out["xlsx"]))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    head = next(i for i, r in enumerate(rows) if "序号" in [cell_text(v) for v in r])
    col = [cell_text(v) for v in rows[head]].index(ws.config().mapping.get("title") or "事项")
    # an item parted by a page repeats its title on the next, marked （续）: not a second item
    cells = [fold(cell_text(r[col])) for r in rows[head + 1:] if len(r) > col and not cell_text(r[col]).endswith("（续）")]
    for t in truth["items"]:
        prefix = fold(t["title"])[:12]
        same = sum(1 for x in truth["items"] if fold(x["title"])[:12] == prefix)
        assert sum(1 for c in cells if c.lstrip("★").startswith(prefix)) == same, t["title"]
