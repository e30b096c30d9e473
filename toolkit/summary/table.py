"""The summary's table: each item's physical rows, merged cells, group rows and notes."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass

from ..core import schema
from ..core.config import Config
from ..core.dates import format_cn
from ..core.model import Item
from ..core.rounds import Round
from ..core.state import Answer, Reporting, reportings, status_rank
from ..store.summaryconfig import DEFAULT_NOTES, SummaryConfig
from .columns import Column, resolve_columns
from .text import Metrics, Paragraph, completion, plain

# -- layout: the rows of an item ------------------------------------------------------------------

NODE_COLUMNS = ("plan", "deadline")


@dataclass
class Line:
    """One row of an item: its own reporting row, a node's or a sub-row's. The summary sheet
    parts a row only where a page ends inside it."""

    node: int  # index of the item's reporting row
    owner: str  # key of the row whose 完成情况 it shows
    lines: int = 1  # height in text lines


def owners_of(rows: list[Reporting]) -> list[str]:
    """Whose 完成情况 each row shows. A row answered exactly as the row above it (the same unit,
    the same words: a unit reporting on several nodes together) joins that row's cell, as the
    merged cells of Heshan's summary do; every other row shows its own."""
    out: list[str] = []
    for i, row in enumerate(rows):
        same = i > 0 and row.answers and row.answers == rows[i - 1].answers
        out.append(out[-1] if same else row.key)
    return out


def item_lines(rows: list[Reporting], owner: list[str], cols: list[Column], metrics: Metrics) -> list[Line]:
    """The item's rows, each as tall as its own plan and deadline; merged cells grow them later."""
    node_cols = [c for c in cols if c.id in NODE_COLUMNS]
    return [Line(i, owner[i], max([_cell_lines(r, c, metrics) for c in node_cols], default=1))
            for i, r in enumerate(rows)]


def own_deadline(row: Reporting) -> str:
    """The deadline cell as the table writes it (a node's may be empty)."""
    return row.item.deadline if row.node is None else row.item.subrows[row.node - 1].deadline


def _cell_lines(row: Reporting, col: Column, metrics: Metrics) -> int:
    return metrics.lines(row.plan if col.id == "plan" else own_deadline(row), col.width)


def spans(lines: list[Line], key) -> list[tuple[int, int]]:
    """(first, last) indexes of consecutive lines with the same key."""
    out, start = [], 0
    for _, group in itertools.groupby(lines, key=key):
        n = len(list(group))
        out.append((start, start + n - 1))
        start += n
    return out


def grow(lines: list[Line], span: tuple[int, int], need: int) -> None:
    """Make the rows of a merged cell tall enough for its text, the missing lines shared out
    evenly (the node rows beside a long merged 完成情况 stay alike), the last rows first."""
    first, last = span
    missing = need - sum(x.lines for x in lines[first:last + 1])
    n = last - first + 1
    for i, x in enumerate(lines[first:last + 1]):
        if missing > 0:
            x.lines += missing // n + (1 if n - i <= missing % n else 0)


# -- the table ---------------------------------------------------------------------------------------


@dataclass
class GroupRow:
    kind: str  # category | subcategory | leader_group
    text: str  # with the computed count


@dataclass
class ItemBlock:
    item: Item
    rows: list[Reporting]
    lines: list[Line]
    completions: dict[str, list[Paragraph]]  # 完成情况 by the key of the row that owns the cell


@dataclass
class SummaryTable:
    title: str
    subtitle: str
    columns: list[Column]
    blocks: list  # GroupRow | ItemBlock, in table order
    notes: list[str]
    metrics: Metrics

    @property
    def items(self) -> list[ItemBlock]:
        return [b for b in self.blocks if isinstance(b, ItemBlock)]


GROUP_KINDS = ("category", "subcategory", "leader_group")


def counted(text: str, count: int, kind: str) -> str:
    """The group row's text with its count computed: 一、重点指标类（7项）, …分管工作（共2项）."""
    m = schema.COUNT_RE.search(text)
    base = text[:m.start()].rstrip() if m else text.rstrip()
    total = "共" if (m and "共" in m.group(0)) or (not m and kind == "leader_group") else ""
    return f"{base}（{total}{count}项）"


def group_rows(items: list[Item]) -> dict[int, list[GroupRow]]:
    """item index → the group rows opening before it. A group is a run of consecutive items
    under the same category (and sub-category, and leader group): the same leader heading two
    groups in different sub-categories is counted apart, as the table prints them."""
    out: dict[int, list[GroupRow]] = {}
    for depth, kind in enumerate(GROUP_KINDS):
        def path(it, d=depth):
            return tuple(getattr(it, k) for k in GROUP_KINDS[:d + 1])

        start = 0
        for key, run in itertools.groupby(items, key=path):
            n = len(list(run))
            if key[-1]:
                out.setdefault(start, []).append(GroupRow(kind, counted(key[-1], n, kind)))
            start += n
    return {i: sorted(rows, key=lambda g: GROUP_KINDS.index(g.kind)) for i, rows in out.items()}


def build_table(items: list[Item], answers: dict[str, list[Answer]], cfg: Config, scfg: SummaryConfig,
                rnd: Round, notes: list[str], renderer: str = "excel") -> SummaryTable:
    """The table's rows, laid out (row heights) for `renderer`: excel | libreoffice."""
    cols = resolve_columns(scfg, cfg, items)
    metrics = Metrics(scfg.body_size, renderer)
    rank = status_rank(cfg.statuses)
    groups = group_rows(items)
    blocks: list = []
    for i, item in enumerate(items):
        blocks += groups.get(i, [])
        rows = reportings(item, answers, rank)
        owner = owners_of(rows)
        owners = {r.key: completion(r, scfg.text_fields, cfg.statuses) for r in rows if r.key in owner}
        lines = item_lines(rows, owner, cols, metrics)
        block = ItemBlock(item, rows, lines, owners)
        for span, need in merged_cells(block, cols, metrics):
            grow(lines, span, need)
        blocks.append(block)
    title = scfg.title or f"{cfg.title}完成情况汇总表"
    subtitle = scfg.subtitle.replace("{label}", rnd.label).replace("{date}", format_cn(rnd.due))
    return SummaryTable(title, subtitle, cols, blocks, notes, metrics)


ITEM_COLUMNS = ("number", "title", "leader", "implementing", "cooperating")
ROW_COLUMNS = ("lead_unit", "status", "completed_on", "remarks")


def merged_cells(block: ItemBlock, cols: list[Column], metrics: Metrics) -> list[tuple[tuple[int, int], int]]:
    """Every cell of an item as ((first, last) row, text lines it needs): one per node (plan,
    deadline), per run of rows one reporting row answers for (责任单位, 完成情况 …), and the item's
    own (序号, 项目名称)."""
    lines, item, rows = block.lines, block.item, block.rows
    by_key = {r.key: r for r in rows}
    out = []
    for span in spans(lines, key=lambda x: x.node):
        node = rows[lines[span[0]].node]
        out.append((span, max((_cell_lines(node, c, metrics) for c in cols if c.id in NODE_COLUMNS), default=1)))
    for span in spans(lines, key=lambda x: x.owner):
        key = lines[span[0]].owner
        need = [metrics.lines(row_value(by_key[key], c.id), c.width) for c in cols if c.id in ROW_COLUMNS]
        need += [metrics.lines(plain(block.completions[key]), c.width) for c in cols if c.id == "completion"]
        out.append((span, max(need, default=1)))
    return out + [((0, len(lines) - 1), item_lines_needed(item, cols, metrics))]


def item_lines_needed(item: Item, cols: list[Column], metrics: Metrics) -> int:
    """Lines the item's own cells (序号, 项目名称, 分管领导 …) need."""
    return max((metrics.lines(item_value(item, c.id), c.width) for c in cols
                if c.id in ITEM_COLUMNS or c.id.startswith("extra:")), default=1)


def item_value(item: Item, cid: str) -> str:
    if cid == "title":
        return ("★" if item.star else "") + item.title
    if cid in ("implementing", "cooperating"):
        return "、".join(getattr(item, cid))
    if cid.startswith("extra:"):
        return item.extras.get(cid[len("extra:"):], "")
    return getattr(item, cid, "") or ""


def row_value(rep: Reporting, cid: str) -> str:
    if cid == "lead_unit":
        return "\n".join(rep.units)  # one unit a line, as Heshan prints them
    if cid == "status":
        return rep.status
    field_name = {"completed_on": schema.COMPLETED_ON, "remarks": schema.REMARKS}[cid]
    return "\n".join(str(a.fields.get(field_name) or "") for a in rep.answers if a.fields.get(field_name))


# -- notes -------------------------------------------------------------------------------------------


def table_notes(scfg: SummaryConfig, stored: str | None, items: list[Item]) -> list[str]:
    """备注: duban.toml's, else the breakdown table's own (kept at import), else the defaults
    (the ★ line only when some item has a ★)."""
    try:
        kept = [str(n) for n in json.loads(stored)] if stored else []
    except ValueError:
        kept = []
    if scfg.notes or kept:
        return aligned(list(scfg.notes or kept))
    return aligned(list(DEFAULT_NOTES)) if any(it.star for it in items) else [DEFAULT_NOTES[0].replace("1.", "", 1)]


_NOTE_HEAD = re.compile(r"^(备\s*注|注|说明)\s*[:：]")


def aligned(notes: list[str]) -> list[str]:
    """备注：1.… then 2.… under the 1. (indented by the width of 备注：), as typeset notes are."""
    head = _NOTE_HEAD.match(notes[0]) if notes else None
    if not head:
        return notes
    indent = "\u3000" * len(head.group(0).replace(" ", ""))
    return notes[:1] + [indent + n if re.match(r"^\d", n) else n for n in notes[1:]]
