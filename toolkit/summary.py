"""summary: the round's official completion status summary (完成情况汇总表), .xlsx and .pdf.

The format is Heshan's 2022 summary (seed 002), made with care where the original was typed
by hand: a title and subtitle; the column header repeated on every printed page; category,
sub-category and leader group rows with their item counts computed, not copied; one row per
plan node, 序号/项目名称/责任单位 merged down the item; 完成情况 opening with the status in bold
(未报送。 where no report was accepted); 备注 at the end. A second sheet holds the statistics
(toolkit.stats). The PDF is rendered by LibreOffice or Excel (toolkit.office).

Excel never grows a row for text written by a program, so every row height is estimated here
from the text, the column widths and the font size; a 完成情况 too long for one row (Excel
stops at 409 pt) flows on over the item's node rows and, if need be, continuation rows.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .dates import format_cn
from .errors import ConfigError
from .fsutil import atomic_path
from .ledger import Ledger
from .model import Item
from .text import shorten
from .workspace import Config, Round, Workspace

UNREPORTED = "未报送"
NO_STATUS = "未填状态"  # an answer without a status (a workspace whose report has no 完成状态 column)

# -- configuration ([summary] in duban.toml) -----------------------------------------------------

# What a summary column can show, by the words a table uses for it (beyond schema.ROLE_SYNONYMS).
SUMMARY_WORDS = {
    "completion": ("完成情况", "进展情况", "工作进展", "完成进度", "推进情况", "落实情况"),
    "status": ("完成状态", "状态"),
    "completed_on": ("完成日期", "实际完成时间"),
    "remarks": ("备注",),
}
WIDTHS = {"number": 5, "title": 20, "plan": 30, "deadline": 11, "leader": 12, "lead_unit": 14,
          "implementing": 14, "cooperating": 14, "completion": 51, "status": 11, "completed_on": 11,
          "remarks": 10}
DEFAULT_NOTES = ("备注：1.同一项目如有多个责任单位，排首单位为牵头责任单位并负责报送工作进展情况。",
                 "2.标注“★”项目为上级确定的重点建设项目或下达的重点工作任务。")


@dataclass
class SummaryConfig:
    """duban.toml's [summary] table as read; every key may be absent (see config_block)."""

    title: str = ""
    subtitle: str = "（{label}，截至{date}）"
    columns: list[str] = field(default_factory=list)  # empty: the table's own words, Heshan's order
    widths: list[float] = field(default_factory=list)
    text_fields: list[str] = field(default_factory=lambda: [schema.PROGRESS])
    notes: list[str] = field(default_factory=list)  # empty: the table's own notes
    title_font: str = "方正小标宋简体"
    header_font: str = "黑体"
    body_font: str = "仿宋_GB2312"
    title_size: float = 20.0
    header_size: float = 12.0
    body_size: float = 11.0


def config_block() -> str:
    """The commented [summary] table a new duban.toml starts with."""
    return """\
# 完成情况汇总表（duban summary）的格式。删去本节或其中某项，就用默认值。
[summary]
# 标题：留空则为“工作区名称 + 完成情况汇总表”
title = ""
# 副标题：{label} 换成报送轮次名称，{date} 换成截止日期；写成 "" 则不要副标题
subtitle = "（{label}，截至{date}）"
# 表格的列（按顺序）。留空 [] 则为：序号、项目名称、节点计划、责任单位、完成情况、完成时间（用分解表自己的列名）。
# 能认出的列名：序号；项目名称/事项；节点计划/季度工作目标；完成时间/完成时限；分管领导；责任单位/牵头单位；
# 实施单位；协办单位；完成情况；完成状态；完成日期；备注；以及分解表中其他列的原名。
columns = []
# 各列宽度（与 columns 一一对应，单位同 Excel 列宽）；留空 [] 则自动
widths = []
# “完成情况”在完成状态之后写哪些报送内容（第一项直接接在状态后面，其余各加小标题，如“存在问题：”）
text_fields = ["进展情况"]
# 表末备注，每条一行；留空 [] 则用分解表自带的备注
notes = []
# 字体：标题、表头、正文（电脑上没有这些字体时，Excel/WPS 会用相近的字体代替）
title_font = "方正小标宋简体"
header_font = "黑体"
body_font = "仿宋_GB2312"
# 字号（磅）
title_size = 20
header_size = 12
body_size = 11
"""


def read_summary_config(ws: Workspace, cfg: Config) -> SummaryConfig:
    """[summary] from duban.toml, each value checked; defaults for what is absent."""
    try:
        data = tomllib.loads(ws.config_path.read_text(encoding="utf-8")).get("summary", {})
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"duban.toml 格式有误（{e}）；请改正该行。") from e
    if not isinstance(data, dict):
        raise ConfigError("duban.toml 中的 summary 应是以 [summary] 开头的一节；请改正或删去。")
    out = SummaryConfig()
    for name, default in vars(SummaryConfig()).items():
        if name in data:
            setattr(out, name, _checked(name, data[name], default))
    if out.widths and len(out.widths) != len(out.columns or default_columns(cfg)):
        raise ConfigError("duban.toml 的 [summary] 中 widths 的个数应与 columns 相同；请改正，或写成 widths = [] 自动设定列宽。")
    if not out.text_fields:
        raise ConfigError("duban.toml 的 [summary] text_fields 至少要写一项，例如 text_fields = [\"进展情况\"]。")
    unknown = [f for f in out.text_fields if f not in cfg.report_fields]
    if unknown:
        raise ConfigError(f"duban.toml 的 [summary] text_fields 中“{'、'.join(unknown)}”不是报送表的列；可选：{'、'.join(cfg.report_fields)}。")
    return out


def _checked(name: str, value, default):
    """`value` if it has the type of `default`; a Chinese error naming the key otherwise."""
    if isinstance(default, list):
        kind = (int, float) if name == "widths" else str
        if isinstance(value, list) and all(isinstance(v, kind) and not isinstance(v, bool) for v in value) and (
                name != "widths" or all(1 <= v <= 255 for v in value)):
            return list(value)
        example = "[5, 20, 30, 14, 51, 11]（1 到 255 之间的数）" if name == "widths" else '["序号", "项目名称"]'
        raise ConfigError(f"duban.toml 的 [summary] 中 {name} 应写成列表，例如 {name} = {example}。")
    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 6 <= value <= 72:
            return float(value)
        raise ConfigError(f"duban.toml 的 [summary] 中 {name} 应是 6 到 72 之间的字号（磅），例如 {name} = {default:g}。")
    if isinstance(value, str):
        return value
    raise ConfigError(f"duban.toml 的 [summary] 中 {name} 应是加引号的文字，例如 {name} = \"{default}\"。")


def default_columns(cfg: Config) -> list[str]:
    """Heshan's columns, named with this table's own words where import found them."""
    m = cfg.mapping
    return ["序号", m.get("title") or "项目名称", m.get("plan") or "节点计划", m.get("lead_unit") or "责任单位",
            "完成情况", m.get("deadline") or "完成时间"]


@dataclass(frozen=True)
class Column:
    id: str  # number, title, plan, deadline, leader, lead_unit, … completion, status, extra:名称
    header: str
    width: float


def resolve_columns(scfg: SummaryConfig, cfg: Config, items: list[Item]) -> list[Column]:
    """The configured column names → what each shows; a clear error for a name not understood."""
    names = scfg.columns or default_columns(cfg)
    extras = {k for it in items for k in it.extras}
    out = []
    for i, name in enumerate(names):
        cid = column_id(name, extras)
        if cid is None:
            raise ConfigError(f"duban.toml 的 [summary] columns 中的列名“{name}”认不出；可用：序号、项目名称、节点计划、"
                              "完成时间、分管领导、责任单位、实施单位、协办单位、完成情况、完成状态、完成日期、备注，或分解表中其他列的原名。")
        width = scfg.widths[i] if scfg.widths else WIDTHS.get(cid, 14)
        out.append(Column(cid, name, float(width)))
    return out


def column_id(name: str, extras: set[str] = frozenset()) -> str | None:
    word = re.sub(r"\s+", "", name)
    for cid, words in SUMMARY_WORDS.items():
        if word in words:
            return cid
    role = schema.match_role(word)
    if role:
        return role[0]
    return f"extra:{name}" if name in extras else None


# -- the rows units report on, and their answers ---------------------------------------------------


@dataclass
class Answer:
    """One unit's accepted report on one row, in this round."""

    unit: str
    fields: dict[str, str]

    @property
    def status(self) -> str:
        return str(self.fields.get(schema.STATUS) or "").strip()


@dataclass
class Reporting:
    """A row a unit reports on: the item (with the nodes sharing its units) or a sub-row with
    units of its own. status is the worst of its answers, 未报送 without one."""

    key: str
    item: Item
    units: list[str]
    deadline: str  # the last deadline of its nodes, as the table writes it
    answers: list[Answer]
    status: str

    @property
    def lead(self) -> str:
        return self.units[0] if self.units else ""


@dataclass(frozen=True)
class Node:
    """A row of the breakdown table: the item row or one of its sub-rows."""

    plan: str
    deadline: str
    owner: str  # key of the Reporting that answers for it


def nodes_of(item: Item) -> list[Node]:
    return [Node(item.plan, item.deadline, item.key)] + [
        Node(s.plan, s.deadline, s.key if s.units else item.key) for s in item.subrows]


def status_rank(statuses: list[str]):
    """Sort key, best first: the configured statuses, then unknown words, then 未报送."""
    order = {s: i for i, s in enumerate(statuses)}
    return lambda s: order.get(s, len(statuses) + (1 if s == UNREPORTED else 0))


def reportings(item: Item, answers: dict[str, list[Answer]], rank) -> list[Reporting]:
    shared = [item.deadline] + [s.deadline for s in item.subrows if not s.units]
    rows = [(item.key, item.units, next((d for d in reversed(shared) if d), ""))]
    rows += [(s.key, s.units, s.deadline or item.deadline) for s in item.subrows if s.units]
    out = []
    for key, units, deadline in rows:
        found = sorted(answers.get(key, []), key=lambda a: (a.unit != (units[0] if units else ""), a.unit))
        status = max((a.status or NO_STATUS for a in found), key=rank, default=UNREPORTED)
        out.append(Reporting(key, item, list(units), deadline, found, status))
    return out


def item_status(rows: list[Reporting], rank) -> str:
    """An item is as far as its least advanced row (未报送 when any row has no report)."""
    return max((r.status for r in rows), key=rank)


# -- text: rich runs, paragraphs, line estimates ---------------------------------------------------

Run = tuple[bool, str]  # (bold, text)
Paragraph = list[Run]

# A node's own lead inside the plan (（市财政局牵头）, （市司法局、市政府办公室（金融股）按照职能负责）),
# bold wherever it occurs: Heshan's original bolds some and not others.
_OWN_LEAD = re.compile(r"[（(](?:[^（）()]|[（(][^（）()]*[）)])*?(?:牵头|按照?职能负责)\s*[）)]")
_WIDE = re.compile(r"[^\x00-\u1fff]")  # CJK, full-width forms and Chinese punctuation (“” … —)
# Line height / font size: Excel sizes rows for 宋体/仿宋 at 1.3; LibreOffice lays out its stand-in,
# Noto Serif CJK, at its ascent + descent, 1.45. The PDF is laid out for the program that prints it.
LINE_SPACING = {"excel": 1.3, "libreoffice": 1.45}
NARROW_EM = 0.5  # Latin letters and digits in a CJK font, in ems (half-width in 仿宋_GB2312)
CELL_PADDING_PX = 2
WRAP_SLACK = 0.94  # line breaking rules (no 。 at a line start, whole Latin words) waste some width
ROW_PADDING_PT = 6
MAX_ROW_HEIGHT = 409  # Excel's limit
# 完成情况 lines per row at most: a long answer flows over several rows (no borders between
# them), and a page can break between those rows instead of leaving a tall row for the next.
PIECE_LINES = 8


@dataclass(frozen=True)
class Metrics:
    """Estimated text lines and row heights for one font size, as `renderer` lays them out."""

    size: float
    renderer: str = "excel"

    @property
    def spacing(self) -> float:
        return LINE_SPACING[self.renderer]

    def text_px(self, text: str) -> float:
        wide = len(_WIDE.findall(text))
        return (wide + NARROW_EM * (len(text) - wide)) * self.size * 96 / 72

    def usable_px(self, width: float) -> float:
        return width * 7 + 5 - 2 * CELL_PADDING_PX  # Excel: a column of width w is 7w + 5 px

    def lines(self, text: str, width: float) -> int:
        return sum(self._lines(part, self.usable_px(width)) for part in (text or "").split("\n"))

    def _lines(self, text: str, usable: float) -> int:
        px = self.text_px(text)
        return 1 if px <= usable else math.ceil(px / (usable * WRAP_SLACK))

    def height(self, lines: int) -> float:
        """Points, rounded up to whole pixels (0.75 pt): Excel would round a height down."""
        return min(MAX_ROW_HEIGHT, math.ceil((lines * self.size * self.spacing + ROW_PADDING_PT) / 0.75) * 0.75)

    @property
    def max_lines(self) -> int:
        return int((MAX_ROW_HEIGHT - ROW_PADDING_PT) // (self.size * self.spacing))


def plain(paragraphs: list[Paragraph]) -> str:
    return "\n".join("".join(t for _, t in p) for p in paragraphs)


def plan_runs(text: str) -> Paragraph:
    """A plan's text with each node's own lead in bold."""
    runs, at = [], 0
    for m in _OWN_LEAD.finditer(text):
        runs += [(False, text[at:m.start()]), (True, m.group(0))]
        at = m.end()
    return tidy(runs + [(False, text[at:])])


def tidy(runs: list[Run]) -> Paragraph:
    """Empty runs dropped, neighbours of the same weight joined."""
    out: list[Run] = []
    for bold, text in runs:
        if not text:
            continue
        if out and out[-1][0] == bold:
            out[-1] = (bold, out[-1][1] + text)
        else:
            out.append((bold, text))
    return out


def completion(rep: Reporting, text_fields: list[str], statuses: list[str]) -> list[Paragraph]:
    """完成情况 of a row: each answer's status in bold, then its text; 未报送。 without one.
    Answers of several units (or of a unit that is not the row's lead) are headed by the unit."""
    if not rep.answers:
        return [[(True, UNREPORTED + "。")]]
    named = len(rep.answers) > 1 or rep.answers[0].unit != rep.lead
    out: list[Paragraph] = []
    for answer in rep.answers:
        out += _answer_paragraphs(answer, text_fields, statuses, f"{answer.unit}：" if named else "")
    return out


def _answer_paragraphs(answer: Answer, text_fields: list[str], statuses: list[str], prefix: str) -> list[Paragraph]:
    # A status opening a paragraph, as a verdict: 已完成。… but not 已完成初步设计…
    lead = re.compile("^(" + "|".join(map(re.escape, sorted(statuses, key=len, reverse=True))) + r")(?:[。．.；;，,：:]|$)")
    lines = [x.strip() for x in str(answer.fields.get(text_fields[0]) or "").split("\n") if x.strip()]
    status = answer.status
    first = lead.match(lines[0]) if lines else None
    if first and first.group(1) == status:  # the unit wrote its status itself: said once
        lines[0] = lines[0][first.end():].strip()
    head = [(True, prefix + (f"{status}。" if status else ""))]
    paragraphs = [tidy(head + (_bold_lead(lines[0], lead) if lines and lines[0] else []))]
    paragraphs += [_bold_lead(x, lead) for x in lines[1:]]
    for name in text_fields[1:]:
        more = [x.strip() for x in str(answer.fields.get(name) or "").split("\n") if x.strip()]
        if more:
            paragraphs.append([(True, f"{name}："), (False, more[0])])
            paragraphs += [[(False, x)] for x in more[1:]]
    return [p for p in paragraphs if p]


def _bold_lead(line: str, lead: re.Pattern) -> Paragraph:
    """A paragraph opening with a status (已完成。…, as units write per node) gets it in bold."""
    m = lead.match(line)
    return tidy([(True, m.group(0)), (False, line[m.end():])]) if m else [(False, line)]


def split_long(paragraph: Paragraph, width: float, metrics: Metrics, max_lines: int) -> list[Paragraph]:
    """A paragraph too tall for one row cut into pieces that fit, at sentence ends if possible."""
    text = "".join(t for _, t in paragraph)
    if metrics.lines(text, width) <= max_lines:
        return [paragraph]
    budget = metrics.usable_px(width) * WRAP_SLACK * max_lines * 0.9  # whole lines are lost at each wrap
    cuts, start, used = [], 0, 0.0
    for m in re.finditer(r"[^。；！？!?;]*[。；！？!?;]?", text):
        piece = m.group(0)
        if not piece:
            continue
        need = metrics.text_px(piece)
        if used + need > budget and m.start() > start:
            cuts.append(m.start())
            start, used = m.start(), 0.0
        while need > budget:  # one sentence longer than a row: cut inside it
            at = _fit_chars(text, start, budget, metrics)
            cuts.append(at)
            start, need = at, metrics.text_px(text[at:m.end()])
        used += need
    bounds = [0] + cuts + [len(text)]
    return [_slice(paragraph, a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _fit_chars(text: str, start: int, budget: float, metrics: Metrics) -> int:
    used, at = 0.0, start
    while at < len(text) and used + metrics.text_px(text[at]) <= budget:
        used += metrics.text_px(text[at])
        at += 1
    return max(at, start + 1)


def _slice(paragraph: Paragraph, start: int, end: int) -> Paragraph:
    out, at = [], 0
    for bold, text in paragraph:
        a, b = max(start, at), min(end, at + len(text))
        if a < b:
            out.append((bold, text[a - at:b - at]))
        at += len(text)
    return out


# -- layout: the physical rows of an item ----------------------------------------------------------


@dataclass
class Line:
    """One physical row of an item: a node's row or a continuation of it."""

    node: int
    owner: str
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


def item_lines(item: Item, owners: dict[str, list[Paragraph]], cols: list[Column], metrics: Metrics) -> list[Line]:
    """The item's physical rows with heights: node rows, continuation rows where text overflows."""
    nodes = nodes_of(item)
    node_cols = [c for c in cols if c.id in ("plan", "deadline")]
    base = [max([_cell_lines(n, c, metrics) for c in node_cols], default=1) for n in nodes]
    width = next((c.width for c in cols if c.id == "completion"), None)
    pieces = {i: [[]] for i in range(len(nodes))}
    max_lines = metrics.max_lines
    if width is not None:  # rows of at most PIECE_LINES of 完成情况, so that pages can part them
        def need(p):
            return metrics.lines(plain([p]), width)

        for owner, paragraphs in owners.items():
            slots = [i for i, n in enumerate(nodes) if n.owner == owner]
            cut = [q for p in paragraphs for q in split_long(p, width, metrics, PIECE_LINES)]
            pieces.update(pack(cut, slots, base, need, PIECE_LINES))
    lines = []
    for i, node in enumerate(nodes):
        rows = pieces[i] + [[] for _ in range(math.ceil(base[i] / max_lines) - len(pieces[i]))]
        lines += [Line(i, node.owner, p, metrics.lines(plain(p), width) if p else 1) for p in rows]
    return lines


def _cell_lines(node: Node, col: Column, metrics: Metrics) -> int:
    return metrics.lines(node.plan if col.id == "plan" else node.deadline, col.width)


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
        owners = {r.key: completion(r, scfg.text_fields, cfg.statuses) for r in rows}
        lines = item_lines(item, owners, cols, metrics)
        _fit_merged(lines, item, rows, cols, metrics)
        blocks.append(ItemBlock(item, rows, lines))
    title = scfg.title or f"{cfg.title}完成情况汇总表"
    subtitle = scfg.subtitle.replace("{label}", rnd.label).replace("{date}", format_cn(rnd.due))
    return SummaryTable(title, subtitle, cols, blocks, notes, metrics)


ITEM_COLUMNS = ("number", "title", "leader", "implementing", "cooperating")
NODE_COLUMNS = ("plan", "deadline")
ROW_COLUMNS = ("lead_unit", "status", "completed_on", "remarks")


def merged_cells(lines: list[Line], item: Item, rows: list[Reporting], cols: list[Column],
                 metrics: Metrics) -> list[tuple[tuple[int, int], int]]:
    """Every merged cell of an item as ((first, last) line, text lines it needs): one per node
    (plan, deadline), per run of a reporting row (责任单位 …), and the item's own (序号, 项目名称)."""
    nodes = nodes_of(item)
    by_key = {r.key: r for r in rows}
    out = []
    for span in spans(lines, key=lambda x: x.node):
        node = nodes[lines[span[0]].node]
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


# -- the command -------------------------------------------------------------------------------------


@dataclass
class SummaryResult:
    round: Round
    xlsx: Path
    pdf: Path | None
    table: SummaryTable
    status_counts: dict[str, int]  # items per status, best first, 未报送 last
    unreported: list[Reporting]
    overdue: int

    @property
    def exit_code(self) -> int:
        """1 when some row has no accepted report (a unit is missing), as collect does."""
        return 1 if self.unreported else 0

    def to_json(self) -> dict:
        return {"round": self.round.name, "xlsx": str(self.xlsx), "pdf": str(self.pdf) if self.pdf else None,
                "items": len(self.table.items), "status_counts": self.status_counts, "overdue": self.overdue,
                "unreported": [{"number": r.item.number, "title": r.item.title, "unit": r.lead} for r in self.unreported]}

    def lines(self) -> list[str]:
        """What the clerk reads in the terminal."""
        counts = "，".join(f"{k} {v}" for k, v in self.status_counts.items() if v)
        out = [f"{self.round.label}（截止 {self.round.due.isoformat()}）：{len(self.table.items)} 项，{counts}。",
               f"汇总表：{self.xlsx}"]
        if self.pdf:
            out.append(f"PDF：{self.pdf}")
        if self.overdue:
            out.append(f"逾期未完成 {self.overdue} 行，见汇总表的“逾期未完成”工作表。")
        if self.unreported and len(self.unreported) == sum(len(b.rows) for b in self.table.items):
            out.append("本轮还没有采纳任何报送：汇总表中都是“未报送”；请先用 duban collect 收集各单位退回的报送表。")
        elif self.unreported:
            shown = "；".join(f"{r.item.number} {shorten(r.item.title, 16)}（{r.lead}）" for r in self.unreported[:10])
            more = f" 等 {len(self.unreported)} 行" if len(self.unreported) > 10 else ""
            out.append(f"未报送：{shown}{more}。")
        return out



def resolve_summary_round(ws: Workspace, cfg: Config, name: str | None) -> Round:
    """The round named (a date not in duban.toml is fine: nothing is written), else the latest generated."""
    from .collect import default_round
    from .rounds import parse_round_name

    due = parse_round_name(name or default_round(ws, cfg))
    return next((r for r in cfg.rounds if r.due == due), Round(due, f"{due.month}月{due.day}日报送"))


def output_paths(ws: Workspace, rnd: Round, output: str | Path | None, pdf: bool) -> tuple[Path, Path | None]:
    """(xlsx, pdf or None). -o names either file: a .pdf implies --pdf, the .xlsx goes beside it."""
    if output is None:
        xlsx = ws.output_dir / f"完成情况汇总表-{rnd.name}.xlsx"
    else:
        out = Path(output)
        suffix = out.suffix.lower()
        if suffix == ".pdf":
            return out.with_suffix(".xlsx"), out
        if suffix not in ("", ".xlsx"):
            raise ConfigError(f"输出文件“{out.name}”的扩展名应是 .xlsx 或 .pdf。")
        xlsx = out if suffix == ".xlsx" else out.with_name(out.name + ".xlsx")
    return xlsx, (xlsx.with_suffix(".pdf") if pdf else None)


def summary(ws: Workspace, round_name: str | None = None, output: str | Path | None = None,
            pdf: bool = False) -> SummaryResult:
    """Write the round's 完成情况汇总表 (and its statistics sheets); with `pdf`, the PDF too."""
    from . import stats as stats_mod
    from .summarysheet import write_workbook

    cfg = ws.config()
    scfg = read_summary_config(ws, cfg)
    rnd = resolve_summary_round(ws, cfg, round_name)
    items, answers, stored_notes = _load(ws, rnd)
    build = functools.partial(build_table, items, answers, cfg, scfg, rnd, table_notes(scfg, stored_notes, items))
    table = build()
    stats = stats_mod.compute(table, cfg, rnd)
    xlsx, pdf_path = output_paths(ws, rnd, output, pdf)
    with atomic_path(xlsx) as tmp:
        write_workbook(tmp, table, scfg, stats)
    if pdf_path is not None:
        write_pdf(pdf_path, build, scfg, xlsx)
    rows = [r for b in table.items for r in b.rows]
    return SummaryResult(rnd, xlsx, pdf_path, table, stats.item_counts(), [r for r in rows if not r.answers],
                         len(stats.overdue))


def _load(ws: Workspace, rnd: Round) -> tuple[list[Item], dict[str, list[Answer]], str | None]:
    ledger = Ledger(ws.ledger_path)
    try:
        items = ledger.items_or_stop()
        reports = ledger.current_reports(rnd.name)
        notes = ledger.meta("notes")
    finally:
        ledger.close()
    answers: dict[str, list[Answer]] = {}
    for rep in reports:
        answers.setdefault(rep["key"], []).append(Answer(rep["unit"], rep["fields"]))
    return items, answers, notes


def write_pdf(target: Path, build, scfg: SummaryConfig, xlsx: Path) -> None:
    """The summary sheet alone (the statistics stay in the workbook), laid out for the program
    that prints it, printed to `target`. `build(renderer)` makes the table."""
    from .office import OfficeMissing, pdf_renderer, to_pdf
    from .summarysheet import PRINT_DEFAULT_FONT, write_workbook

    renderer = pdf_renderer()
    if renderer is None:
        raise OfficeMissing(f"汇总表已写出（{xlsx}），但没有找到 LibreOffice，也没有可用的 Excel，无法转换为 PDF；"
                            "请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-calc-nogui），"
                            "或在装有 Excel 的 Windows 电脑上安装 duban[excel]；也可以用 Excel/WPS 打开汇总表直接打印。")
    with tempfile.TemporaryDirectory(prefix="duban-summary-") as tmp:
        source = Path(tmp) / f"{target.stem}.xlsx"
        default_font = PRINT_DEFAULT_FONT if renderer == "libreoffice" else None
        write_workbook(source, build(renderer=renderer), scfg, None, default_font)
        made = to_pdf(source, Path(tmp) / "pdf", renderer)
        with atomic_path(target) as out:
            shutil.copyfile(made, out)
