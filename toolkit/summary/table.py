"""The summary's table: each item's physical rows, merged cells, group rows and notes."""

from __future__ import annotations

import itertools
import json
import math
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
from .text import PIECE_LINES, Metrics, Paragraph, completion, plain, split_long

# -- layout: the physical rows of an item ----------------------------------------------------------

NODE_COLUMNS = ("plan", "deadline")


@dataclass
class Line:
    """One physical row of an item: a node's row or a continuation of it."""

    node: int  # index of the item's reporting row
    owner: str  # key of the row whose 完成情况 it shows
    piece: list[Paragraph]  # what of the owner's 完成情况 this row shows
    lines: int = 1  # height in text lines


def pack(paragraphs: list[Paragraph], slots: list[int], base: list[int], need, max_lines: int) -> dict[int, list[list[Paragraph]]]:
    """Spread one row's 完成情况 over the node rows it answers for (`slots`), in order.

    A row takes paragraphs while they fit in the height its own plan needs; the first paragraph
    of a row always goes in (the row grows); the last row takes the rest, `max_lines` a row, in
    continuation rows as needed. Returns node → its pieces (one per physical row).
    """
    out = {i: [[]] for i in slots}
    at, used = 0, 0
    for p in paragraphs:
        lines = need(p)
        while True:
            slot = slots[at]
            room = min(max_lines, max(base[slot], used)) if at + 1 < len(slots) else max_lines
            if not out[slot][-1] or used + lines <= room:
                out[slot][-1].append(p)
                used += lines
                break
            if at + 1 < len(slots):
                at, used = at + 1, 0
            else:
                out[slot].append([])
                used = 0
    return out


def owners_of(rows: list[Reporting]) -> list[str]:
    """Whose 完成情况 each row shows. A row answered exactly as the row above it (the same unit,
    the same words: a unit reporting on several nodes together) joins that row's cell, as the
    merged cells of Heshan's summary do; every other row shows its own."""
    out: list[str] = []
    for i, row in enumerate(rows):
        same = i > 0 and row.answers and row.answers == rows[i - 1].answers
        out.append(out[-1] if same else row.key)
    return out


def item_lines(rows: list[Reporting], owners: dict[str, list[Paragraph]], owner: list[str], cols: list[Column],
               metrics: Metrics) -> list[Line]:
    """The item's physical rows with heights: node rows, continuation rows where text overflows.
    `owners`: each shown 完成情况 by its row's key; `owner`: whose 完成情况 each row shows."""
    node_cols = [c for c in cols if c.id in NODE_COLUMNS]
    base = [max([_cell_lines(r, c, metrics) for c in node_cols], default=1) for r in rows]
    width = next((c.width for c in cols if c.id == "completion"), None)
    pieces = {i: [[]] for i in range(len(rows))}
    max_lines = metrics.max_lines
    if width is not None:  # rows of at most PIECE_LINES of 完成情况, so that pages can part them
        def need(p):
            return metrics.lines(plain([p]), width)

        for key, paragraphs in owners.items():
            slots = [i for i, k in enumerate(owner) if k == key]
            cut = [q for p in paragraphs for q in split_long(p, width, metrics, PIECE_LINES)]
            pieces.update(pack(cut, slots, base, need, PIECE_LINES))
    lines = []
    for i in range(len(rows)):
        parts = pieces[i] + [[] for _ in range(math.ceil(base[i] / max_lines) - len(pieces[i]))]
        lines += [Line(i, owner[i], p, metrics.lines(plain(p), width) if p else 1) for p in parts]
    return lines


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


def grow(lines: list[Line], span: tuple[int, int], need: int, max_lines: int) -> None:
    """Make the rows of a merged cell tall enough for its text, from the last row up."""
    first, last = span
    missing = need - sum(x.lines for x in lines[first:last + 1])
    for x in reversed(lines[first:last + 1]):
        if missing <= 0:
            return
        add = min(missing, max_lines - x.lines)
        if add > 0:
            x.lines += add
            missing -= add


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
        lines = item_lines(rows, owners, owner, cols, metrics)
        _fit_merged(lines, item, rows, cols, metrics)
        blocks.append(ItemBlock(item, rows, lines))
    title = scfg.title or f"{cfg.title}完成情况汇总表"
    subtitle = scfg.subtitle.replace("{label}", rnd.label).replace("{date}", format_cn(rnd.due))
    return SummaryTable(title, subtitle, cols, blocks, notes, metrics)


ITEM_COLUMNS = ("number", "title", "leader", "implementing", "cooperating")
ROW_COLUMNS = ("lead_unit", "status", "completed_on", "remarks")


def merged_cells(lines: list[Line], item: Item, rows: list[Reporting], cols: list[Column],
                 metrics: Metrics) -> list[tuple[tuple[int, int], int]]:
    """Every merged cell of an item as ((first, last) line, text lines it needs): one per node
    (plan, deadline), per run of a reporting row (责任单位 …), and the item's own (序号, 项目名称)."""
    by_key = {r.key: r for r in rows}
    out = []
    for span in spans(lines, key=lambda x: x.node):
        node = rows[lines[span[0]].node]
        out.append((span, max((_cell_lines(node, c, metrics) for c in cols if c.id in NODE_COLUMNS), default=1)))
    for span in spans(lines, key=lambda x: x.owner):
        rep = by_key[lines[span[0]].owner]
        out.append((span, max((metrics.lines(row_value(rep, c.id), c.width) for c in cols if c.id in ROW_COLUMNS),
                              default=1)))
    need = max((metrics.lines(item_value(item, c.id), c.width) for c in cols
                if c.id in ITEM_COLUMNS or c.id.startswith("extra:")), default=1)
    return out + [((0, len(lines) - 1), need)]


def _fit_merged(lines: list[Line], item: Item, rows: list[Reporting], cols: list[Column], metrics: Metrics) -> None:
    """Grow rows so that every merged cell (node, reporting row, item) fits its text."""
    for span, need in merged_cells(lines, item, rows, cols, metrics):
        grow(lines, span, need, metrics.max_lines)


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
