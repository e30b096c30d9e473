#!/usr/bin/env python3
"""Build the sample workbooks shipped with duban from the seed text files.

    python toolkit/sample_workbooks/build_samples.py [--seeds ../shared/seeds]

The seeds are text extracted from PDF/Word originals (see seeds/README.md).  This
script turns them back into the spreadsheets a supervision office (督查室) keeps:

* 重点督办事项分解表 -- "breakdown table of key supervised items": every commitment
  of the government work report, split into quarterly targets (季度工作目标) with a
  deadline (完成时限), the city leader in charge (市政府分管领导), the lead unit
  (牵头单位), implementing unit (实施单位/承办单位) and assisting units (协办单位).
* 民生实事责任分工表 -- the same for the yearly "livelihood projects" (民生实事).
* Heshan's 重点工作任务分解表 -- items grouped by category / sub-category / leader,
  each split into node plans (节点计划) with their own deadline; the completion
  texts (完成情况) of the year-end summary become demo data (completion.json).

Extraction damage is repaired in two ways: mechanical cleaning rules (wrap spaces,
half-width punctuation, line breaks) and an explicit corrections table for cells
that no rule can repair.  Every correction is printed when the script runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
# toolkit/sample_workbooks/ -> the checkout -> its sibling shared/seeds
DEFAULT_SEEDS = HERE.parents[1] / ".." / "shared" / "seeds"
ZHANJIANG_SEED = "000_e092164abd8fffa8.txt"
HESHAN_SEED = "002_2f8a4adf0cbfa56a.txt"
# A fixed document date keeps rebuilt workbooks byte-identical between runs.
DOC_DATE = dt.datetime(2022, 1, 29)


@dataclass
class BuildLog:
    """What the build did to the seed text; printed at the end of a run."""
    corrections: list[str] = field(default_factory=list)  # explicit tables below
    repairs: list[str] = field(default_factory=list)      # rule-based fixes
    warnings: list[str] = field(default_factory=list)     # needs a human look


# --------------------------------------------------------------------------
# Text cleaning
# --------------------------------------------------------------------------
# "Wide" characters: CJK ideographs plus CJK / full-width punctuation, quotes,
# the ★ marker and dashes.  A space touching one of them is a wrap artefact.
WIDE = ("[\u2014\u2018-\u201d\u2026\u2605\u3000-\u303f\u3400-\u9fff"
        "\uf900-\ufaff\uff00-\uffef]")
HALF_TO_FULL = {",": "，", ":": "：", ";": "；"}
# 第一季度 / 第二、三季度 / 第二至四季度 ... followed by the (normalised) colon.
QUARTER_LABEL = r"第[一二三四](?:[、至][一二三四])*季度："
# A numbered node "(1)" / "★（2）" that starts a sentence (not a mid-text reference).
NODE_START = r"(?:^|(?<=[。；！？：，、\n]))(?=★?（\d{1,2}）)"


def remove_wrap_spaces(text: str) -> str:
    """Drop spaces next to a wide character; keep spaces between Latin/digits."""
    return re.sub(rf"\s+(?={WIDE})|(?<={WIDE})\s+", "", text)


def pair_quotes(text: str) -> str:
    """Turn straight double quotes into Chinese “…” pairs (only if balanced)."""
    parts = text.split('"')
    if len(parts) % 2 == 0:
        return text
    quoted = [p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1])]
    return "".join(quoted) + parts[-1]


def widen_punct(text: str) -> str:
    """Use full-width brackets always, and full-width ,:; next to Chinese text.

    Commas between digits (253,560万元) and clock times stay as they are.
    """
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(rf"(?<={WIDE})[,:;]|[,:;](?={WIDE})",
                  lambda m: HALF_TO_FULL[m.group()], text)


def clean_text(text: str) -> str:
    """The standard cleaning applied to every cell of every seed table."""
    text = remove_wrap_spaces(text.strip())
    text = widen_punct(pair_quotes(text))
    text = remove_wrap_spaces(text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def strip_tags(text: str) -> str:
    """Remove the <b>/<p> traces of the Heshan extraction; </p><p> = new paragraph."""
    text = re.sub(r"</p>\s*<p>", "\n", text)
    return re.sub(r"</?[bp]>", "", text)


def break_quarters(text: str) -> str:
    """Start every quarter target (第一季度：…) on its own line."""
    text = re.sub(rf"[ \n]*(?={QUARTER_LABEL})", "\n", text)
    return text.strip("\n")


def break_nodes(text: str) -> str:
    """Start every numbered node (（1）…) on its own line."""
    return re.sub(NODE_START, "\n", text).strip("\n")


def clean_paragraphs(text: str) -> str:
    """Clean a tagged multi-paragraph cell, one numbered node per line."""
    paras = [clean_text(p) for p in strip_tags(text).split("\n")]
    return "\n".join(break_nodes(p) for p in paras if p)


def clean_unit_list(text: str) -> str:
    """Zhanjiang unit lists: units joined by "、" (the seed also uses commas)."""
    text = clean_text(text)
    # A comma outside brackets separates two units; inside 各县（市、区） it is kept.
    text = re.sub(r"，(?![^（]*）)", "、", text)
    return text.strip("、，。 ")


def clean_leader_names(text: str) -> str:
    """市政府分管领导: several leaders are separated by spaces in the seed."""
    return "、".join(clean_text(name) for name in text.split())


def clean_unit_leaders(text: str) -> str:
    """牵头单位主要领导和分管领导: one "主要领导：X" / "分管领导：Y" per line."""
    text = clean_text(text)
    text = re.sub(r"(?<!^)(?=(?:主要领导|分管领导)：)", "\n", text)
    return re.sub(r"\n+", "\n", text)


# --------------------------------------------------------------------------
# Zhanjiang 2022 (seed 000): attachment 1 and attachment 2
# --------------------------------------------------------------------------
ATT1_COLUMNS = ["序号", "事项", "季度工作目标", "完成时限", "市政府分管领导", "牵头单位",
                "实施单位（承办单位）", "协办单位", "牵头单位主要领导和分管领导"]
ATT2_COLUMNS = ["序号", "项目名称", "主要内容", "季度工作目标", "完成时限", "市政府分管领导",
                "牵头单位", "实施单位（承办单位）", "协办单位", "牵头单位主要领导和分管领导"]
# How each column is cleaned; columns not listed get plain clean_text.
COLUMN_CLEANERS = {
    "季度工作目标": lambda s: break_nodes(break_quarters(clean_text(s))),
    "市政府分管领导": clean_leader_names,
    "牵头单位": clean_unit_list,
    "实施单位（承办单位）": clean_unit_list,
    "协办单位": clean_unit_list,
    "牵头单位主要领导和分管领导": clean_unit_leaders,
}


def split_attachments(text: str) -> tuple[list[str], list[str]]:
    """Return the table lines of attachment 1 and attachment 2."""
    lines = text.split("\n")
    start1 = lines.index("附件 1:")
    start2 = lines.index("附件 2:")
    end2 = next(i for i, line in enumerate(lines) if line.startswith("公开方式"))
    return lines[start1 + 1:start2], lines[start2 + 1:end2]


def table_rows(lines: list[str], width: int) -> list[list[str]]:
    """Tab-separated data rows: drop blanks, titles and the per-page header."""
    rows = []
    for line in lines:
        cells = line.split("\t")
        if len(cells) < 2 or cells[0] == "序号":
            continue
        if len(cells) != width:
            raise ValueError(f"unexpected row width {len(cells)}: {line[:60]}")
        rows.append(cells)
    return rows


def clean_row(cells: list[str], columns: list[str]) -> dict[str, str]:
    row = {}
    for name, raw in zip(columns, cells):
        row[name] = COLUMN_CLEANERS.get(name, clean_text)(raw)
    return row


def parse_att1(lines: list[str]) -> list[dict]:
    """One record per item; the seed keeps each item on one line."""
    items = [clean_row(cells, ATT1_COLUMNS) for cells in table_rows(lines, 9)]
    numbers = [int(item["序号"]) for item in items]
    if numbers != list(range(1, len(items) + 1)):
        raise ValueError("attachment 1 items are not numbered 1..n")
    return items


@dataclass
class LivelihoodItem:
    """One 民生实事 project; sub_rows holds one row per responsible unit."""
    number: str = ""
    name: str = ""
    content: str = ""
    city_leader: str = ""
    sub_rows: list[dict] = field(default_factory=list)


def parse_att2(lines: list[str]) -> list[LivelihoodItem]:
    """Group rows into items.

    Item 1 spans three rows and its 序号 sits on the second one, so a row with a
    number only starts a new item when the current one already has a number.
    Name and content fragments of the sub-rows are concatenated (they are the
    pieces of one merged cell).
    """
    items: list[LivelihoodItem] = []
    for cells in table_rows(lines, 10):
        row = clean_row(cells, ATT2_COLUMNS)
        if not items or (row["序号"] and items[-1].number):
            items.append(LivelihoodItem())
        item = items[-1]
        item.number = item.number or row["序号"]
        item.name += row["项目名称"]
        item.content += row["主要内容"]
        item.city_leader = item.city_leader or row["市政府分管领导"]
        item.sub_rows.append({k: row[k] for k in ATT2_COLUMNS[3:] if k != "市政府分管领导"})
    return items


# --------------------------------------------------------------------------
# Heshan 2022 (seed 002): completion summary -> breakdown table + demo data
# --------------------------------------------------------------------------
STATUSES = ("已完成", "基本按进度完成", "未按进度完成", "暂缓实施")
DEADLINE = r"\d{1,2}月(?:底|中旬|\d{1,2}日)?"
# In the Heshan table units are separated by spaces, but cell wrapping also put
# spaces *inside* a few long unit names.  These are re-joined before splitting.
HESHAN_UNIT_JOINS = [
    ("江门市生态环境局 鹤山分局", "江门市生态环境局鹤山分局"),
    ("市城市管理综合执法 局", "市城市管理综合执法局"),
    ("市创文工作领导小组 成员单位", "市创文工作领导小组成员单位"),
    ("市粤桂协作领导小组 成员单位", "市粤桂协作领导小组成员单位"),
    # 联系会议 is also a homophone slip for 联席会议 (joint-meeting mechanism).
    ("市打击治理电信网络 新型违法犯罪联系会 议成员单位",
     "市打击治理电信网络新型违法犯罪联席会议成员单位"),
]


@dataclass
class Heading:
    """A bold row merged across the table (category / sub-category / leader)."""
    kind: str           # "category" | "subcategory" | "group" (leader group)
    text: str


@dataclass
class Node:
    """One row of 节点计划 (node plan) with its deadline."""
    text: str
    deadline: str = ""
    deadline_span: int = 1   # >1: one seed deadline covers this and the next rows
    own_unit: str = ""       # 责任单位 the seed prints on this node row (not the first)
    has_completion: bool = False


@dataclass
class Completion:
    node: int                # 0-based index of the node row it belongs to
    raw: str                 # the 完成情况 cell as extracted (with <b>/<p>)


@dataclass
class HeshanItem:
    """A numbered task: title, lead-first units, node rows, completion texts."""
    category: str
    number: str
    title: str
    units: str
    nodes: list[Node] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)   # completions without a node


def is_deadline_cell(text: str) -> bool:
    tokens = strip_tags(text).split()
    return bool(tokens) and all(re.fullmatch(DEADLINE, t) for t in tokens)


def normalise_fields(cells: list[str], where: str, log: BuildLog) -> list[str]:
    """Return the 6 cells 序号/项目名称/节点计划/责任单位/完成情况/完成时间.

    Some pages were extracted with a 7th column: the real 完成时间 or 完成情况
    slid one cell to the right.  One row has its deadline in 完成情况.
    """
    cells = cells + [""] * (7 - len(cells))
    if cells[6].strip():
        target = 5 if is_deadline_cell(cells[6]) and not cells[5].strip() else 4
        if cells[target].strip():
            raise ValueError(f"{where}: cannot place shifted cell")
        cells[target] = cells[6]
        moved_to = "完成时间" if target == 5 else "完成情况"
        log.repairs.append(f"[鹤山 {where}] column shift: 第7列 moved into {moved_to}")
    if is_deadline_cell(cells[4]) and not cells[5].strip():
        cells[4], cells[5] = "", cells[4]
        log.repairs.append(f"[鹤山 {where}] 完成情况 held only a deadline -> moved to 完成时间")
    return cells[:6]


def split_units(text: str, log: BuildLog, where: str) -> list[str]:
    """Space-separated unit names -> list, after re-joining wrapped names."""
    text = strip_tags(text)
    for wrapped, joined in HESHAN_UNIT_JOINS:
        if wrapped in text:
            text = text.replace(wrapped, joined)
            log.corrections.append(
                f"[鹤山 {where} 责任单位] {wrapped!r} -> {joined!r} (wrapped unit name)")
    return [clean_text(u) for u in text.split()]


def split_nodes(text: str) -> list[str]:
    """One string per numbered node; text before the first number is a node too."""
    nodes: list[str] = []
    for line in clean_paragraphs(text).split("\n"):
        if nodes and not re.match(r"★?（\d{1,2}）", line):
            nodes[-1] += line          # a paragraph break inside one node
        else:
            nodes.append(line)
    return nodes


def heading_kind(text: str) -> str:
    if re.match(r"[一二三四五六七八九十]+、", text):
        return "category"
    if re.match(r"（[一二三四五六七八九十]+）", text):
        return "subcategory"
    if re.search(r"分管工作（共\d+项）$", text):
        return "group"
    raise ValueError(f"unknown heading: {text}")


class HeshanParser:
    """Line-by-line state machine over the Heshan seed.

    The printed table repeats its header on every page, and an item that runs
    over a page break is printed again with the same 序号 and 项目名称: such a
    row continues the current item.  Rows with an empty 序号 are further node
    rows of the current item.
    """

    def __init__(self, log: BuildLog):
        self.log = log
        self.entries: list[Heading | HeshanItem] = []
        self.footnotes: list[str] = []
        self.category = ""
        self.item: HeshanItem | None = None

    def feed(self, lineno: int, line: str) -> None:
        cells = line.split("\t")
        first = cells[0].strip()
        if not line.strip() or first.startswith("##") or first == "序号":
            return                               # blank, page title, repeated header
        if first.startswith(("备注", "2.标注")):
            self.footnotes.append(clean_text(first))
        elif not first.isdigit() and not any(c.strip() for c in cells[1:]):
            self.add_heading(clean_text(strip_tags(first)))
        else:
            self.add_row(normalise_fields(cells, f"line {lineno}", self.log), lineno)

    def add_heading(self, text: str) -> None:
        self.close_item()
        kind = heading_kind(text)
        if kind == "category":
            self.category = text
        self.entries.append(Heading(kind, text))

    def add_row(self, cells: list[str], lineno: int) -> None:
        number, title, nodes, units, completion, deadline = cells
        where = f"line {lineno}"
        title = clean_text(strip_tags(title))
        units = "、".join(split_units(units, self.log, where))
        if number and not self.continues_item(number, title):
            self.close_item()
            self.item = HeshanItem(self.category, number, title, units)
        # A row with 序号 (new item or page repeat) states the item's units; only
        # a row without 序号 can give its node an own unit.
        own_unit = "" if number else units
        self.add_nodes(self.item, nodes, own_unit, completion, deadline, where)

    def continues_item(self, number: str, title: str) -> bool:
        """An item cut by a page break is printed again with its 序号 and title."""
        return self.item is not None and (number, title) == (self.item.number, self.item.title)

    def add_nodes(self, item: HeshanItem, nodes: str, own_unit: str,
                  completion: str, deadline: str, where: str) -> None:
        texts = split_nodes(nodes) if strip_tags(nodes).strip() else []
        if not texts:
            if strip_tags(deadline).strip():
                raise ValueError(f"{where}: deadline without a node")
            if strip_tags(completion).strip():
                item.orphans.append(completion)
            return
        new = [Node(t) for t in texts]
        new[0].own_unit = own_unit
        assign_deadlines(new, deadline, where)
        if strip_tags(completion).strip():
            item.completions.append(Completion(len(item.nodes), completion))
            for node in new:
                node.has_completion = True
        item.nodes.extend(new)

    def close_item(self) -> None:
        if self.item:
            resolve_orphans(self.item, self.log)
            check_node_numbers(self.item, self.log)
            self.entries.append(self.item)
        self.item = None


def assign_deadlines(nodes: list[Node], cell: str, where: str) -> None:
    """One deadline per node; a single deadline for several nodes spans them."""
    tokens = strip_tags(cell).split()
    if len(tokens) == len(nodes):
        for node, token in zip(nodes, tokens):
            node.deadline = token
    elif len(tokens) == 1:
        nodes[0].deadline, nodes[0].deadline_span = tokens[0], len(nodes)
    elif tokens:
        raise ValueError(f"{where}: {len(nodes)} nodes but deadlines {tokens}")


def resolve_orphans(item: HeshanItem, log: BuildLog) -> None:
    """Completion texts printed below the node rows belong to the nodes without one.

    (Item 19 of 重点工作类: nodes (2)-(4) are followed by three rows holding only
    their completion texts; the contents match nodes (2), (3), (4) in order.)
    """
    if not item.orphans:
        return
    free = [i for i, node in enumerate(item.nodes) if not node.has_completion]
    if len(free) != len(item.orphans):
        raise ValueError(f"item {item.number}: cannot place {len(item.orphans)} completions")
    for index, raw in zip(free, item.orphans):
        item.completions.append(Completion(index, raw))
        item.nodes[index].has_completion = True
    item.completions.sort(key=lambda c: c.node)
    log.repairs.append(f"[鹤山 {item.category[:2]}#{item.number}] {len(free)} completion-only rows "
               f"assigned to nodes {[i + 1 for i in free]}")


def check_node_numbers(item: HeshanItem, log: BuildLog) -> None:
    numbers = [int(m.group(1)) for n in item.nodes
               if (m := re.match(r"★?（(\d+)）", n.text))]
    if numbers and numbers != list(range(1, len(item.nodes) + 1)):
        log.warnings.append(f"[鹤山 {item.category[:2]}#{item.number}] node numbers {numbers}")


def parse_heshan(text: str, log: BuildLog) -> tuple[list, list[str]]:
    parser = HeshanParser(log)
    for lineno, line in enumerate(text.split("\n"), 1):
        parser.feed(lineno, line)
    parser.close_item()
    return parser.entries, parser.footnotes


# --------------------------------------------------------------------------
# Corrections: damage no cleaning rule can repair, fixed explicitly
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Fix:
    """One explicit repair of a cleaned cell.

    `wrong` is matched against the cleaned cell: the whole cell if equal to
    it, a cell *starting* with it if it ends in "…", otherwise every occurrence
    of the substring.  A fix that no longer matches stops the build, so a changed
    seed can never be "corrected" silently.
    """
    table: str          # "附件1" / "附件2" / "鹤山"
    item: str           # 序号 (鹤山: "二#62" = category 二, 序号 62)
    column: str
    wrong: str
    right: str
    why: str


SAME_AS_30 = ("1.市工业和信息化局\n主要领导：王小穗\n分管领导：苏形\n"
              "2.湛江经开区管委会\n分管领导：官攀云")
UNREADABLE = "rest of the cell is unreadable; a generic 市直有关单位 stands in for it"

ATT1_FIXES = [
    Fix("附件1", "3", "事项", "17 - 2", "17-2", "wrap spaces around the hyphen of the oilfield name"),
    Fix("附件1", "10", "季度工作目标", "列人", "列入", "OCR slip 入→人"),
    Fix("附件1", "11", "协办单位", "震山区", "霞山区", "OCR slip 霞→震"),
    Fix("附件1", "12", "协办单位", "震山区", "霞山区", "OCR slip 霞→震"),
    Fix("附件1", "12", "协办单位", "、环境局", "、市生态环境局", "cell cut: 市生态 lost at the wrap"),
    Fix("附件1", "13", "事项", "规定处务", "规定义务",
        "OCR slip; Q1 target speaks of the 'RCEP 规定的软性义务'"),
    Fix("附件1", "13", "实施单位（承办单位）", "市理局局市市市会房…",
        "市生态环境局、市交通运输局、市人力资源社会保障局、市住房城乡建设局、"
        "市水务局、市自然资源局、市金融工作局、市工业和信息化局、市财政局、市商务局、"
        "市投资促进局、市文化广电旅游体育局、市政务服务数据管理局、湛江供电局、"
        "市市场监督管理局、市税务局、市中级法院、市教育局、市卫生健康局、市科技局",
        "cell read column-wise (scrambled); units rebuilt from its characters, order unknown"),
    Fix("附件1", "14", "牵头单位", "市发展改市局", "市发展改革局", "OCR slip 革→市"),
    Fix("附件1", "14", "牵头单位主要领导和分管领导", "1.市局主要心管…",
        "主要领导：李心声\n分管领导：黄华兵",
        "scrambled; 心/兵 = 李心声 (head of 市发展改革局) and 黄华兵 (energy items 15-16); "
        "the seed's '1.' hints at a second numbered unit that is lost"),
    Fix("附件1", "19", "牵头单位", "旅游控制集团公司", "市旅游控股集团公司",
        "OCR slip 股→制 and 市 lost (cf. item 21)"),
    Fix("附件1", "19", "实施单位（承办单位）", "市委军民融合亦…",
        "市委军民融合办、市工业和信息化局、市商务局、湛江海事局",
        "亦→办, 市市商局→市商务局; two entries (市政化局, 市政省局) unreadable and dropped"),
    Fix("附件1", "19", "牵头单位主要领导和分管领导", "1.市局主唐…",
        "1.市投资促进局\n主要领导：唐□□\n分管领导：涂□□\n2.市旅游控股集团公司\n"
        "主要领导：□□□\n分管领导：□□□",
        "scrambled; only the surnames 唐/涂 of the first unit survive, □ = unrecoverable"),
    Fix("附件1", "28", "协办单位", "市工人局、市人人…", "市工业和信息化局、市直有关单位",
        "市工人局 read as 市工业和信息化局; " + UNREADABLE),
    Fix("附件1", "29", "实施单位（承办单位）", "赤坎区、霞山区、坡头区、霞山区…",
        "赤坎区、霞山区、坡头区、雷州市、廉江市、吴川市、遂溪县政府、湛江经开区管委会、"
        "市城市管理和综合执法局",
        "霞山区、坡头区 printed twice; 雨 is the top of 雷 (雷州市); 城市 lost in 市城市管理…"),
    Fix("附件1", "30", "牵头单位主要领导和分管领导", "1.市工业和信息化局主要小穗…", SAME_AS_30,
        "scrambled; 王小穗 heads 市工业和信息化局 (items 33-39), 官攀云 is 湛江经开区's (item 66)"),
    Fix("附件1", "31", "牵头单位", "港区管委会", "湛江经开区管委会",
        "reconstruction: no 港区管委会 exists elsewhere; the same Baosteel site in item 30 "
        "is under 湛江经开区管委会 (uncertain)"),
    Fix("附件1", "31", "牵头单位主要领导和分管领导", "1.信息等主化领导…", SAME_AS_30,
        "unreadable; same lead units as item 30, so the same leaders (reconstruction)"),
    Fix("附件1", "32", "牵头单位主要领导和分管领导", "主小穗", "王小穗", "OCR slip 王→主"),
    Fix("附件1", "41", "协办单位", "设局、市水务局、市农业农",
        "市住房城乡建设局、市水务局、市农业农村局",
        "cell cut at both ends: 设局 is the tail of 市住房城乡建设局; earlier units are lost"),
    Fix("附件1", "42", "协办单位", "设局、市水务局、市农业农",
        "市住房城乡建设局、市水务局、市农业农村局", "same cut cell as item 41"),
    Fix("附件1", "53", "事项", "改扩建—期", "改扩建一期", "dash read instead of 一"),
    Fix("附件1", "54", "季度工作目标", "话求意见稿", "征求意见稿", "OCR slip 征→话"),
    Fix("附件1", "69", "季度工作目标", "逐洞", "涵洞", "OCR slip 涵→逐 (4 times)"),
    Fix("附件1", "72", "季度工作目标", "。新增8家省级工程技术研究中心：",
        "。\n新增8家省级工程技术研究中心：", "second target group starts its own block"),
    Fix("附件1", "76", "协办单位", "震市局乡商…",
        "霞山区政府、市自然资源局、市住房城乡建设局、市商务局、市城市管理和综合执法局、"
        "市土地储备管理中心",
        "scrambled; units rebuilt from its characters (震=霞, 然, 乡/设, 商, 执/理, 地/心)"),
    Fix("附件1", "79", "协办单位", "市局信金市局源城…",
        "市发展改革局、市工业和信息化局、市金融工作局、市农业农村局、市自然资源局、"
        "市住房城乡建设局、市生态环境局、市政务服务数据管理局、市投资促进局",
        "scrambled; units rebuilt from its characters, order unknown"),
    Fix("附件1", "80", "牵头单位", "市城市更新局、“三田”改造挥指挥部公室",
        "市城市更新局、市“三旧”改造指挥部办公室", "OCR slips 旧→田, 办 lost, stray 挥"),
    Fix("附件1", "80", "协办单位", "市自然市場所以下…", "市自然资源局、市直有关单位",
        "only 市自然(资源局) is readable; " + UNREADABLE),
    Fix("附件1", "81", "牵头单位", "市城市更市\"三进\"…",
        "市城市更新局、市“三旧”改造指挥部办公室", "garbled; same lead units as item 80"),
    Fix("附件1", "81", "协办单位", "市发展改革局、市自然资源局、市城市管理和、…",
        "市发展改革局、市自然资源局、市城市管理和综合执法局、市生态环境局、市教育局、"
        "市土地储备管理中心、湛江供电局",
        "partly garbled; kept the readable units, 市土等 read as 市土地储备管理中心"),
    Fix("附件1", "82", "协办单位", "市发展改革局、市财政局、市市会局…",
        "市发展改革局、市财政局、市直有关单位", UNREADABLE),
    Fix("附件1", "83", "协办单位", "市自然资源局、市财政局、市财政革局…",
        "市自然资源局、市财政局、市发展改革局、市城市管理和综合执法局、市直有关单位",
        "市财政革局→市发展改革局, 市大会理和等局→市城市管理和综合执法局; " + UNREADABLE),
    Fix("附件1", "84", "协办单位", "市发展改革局、市住房、…",
        "市发展改革局、市住房城乡建设局、市城市管理和综合执法局、市直有关单位",
        "市住房→市住房城乡建设局, 综合…→市城市管理和综合执法局; " + UNREADABLE),
    Fix("附件1", "85", "协办单位", "市公安局、市市公安局…",
        "市公安局、市交通运输局、市交通投资集团有限公司、市公共交通有限公司、各区政府",
        "garbled; 市交服局→市交通运输局, 市交限公司→市交通投资集团有限公司, "
        "市公共公司→市公共交通有限公司 (name guessed), 市区→各区政府"),
    Fix("附件1", "89", "实施单位（承办单位）", "市城市管理和宗合执法局、市自然资源局建设建",
        "市城市管理和综合执法局、市自然资源局、市住房城乡建设局",
        "OCR slip 综→宗; 建设建 is the remains of 市住房城乡建设局"),
    Fix("附件1", "89", "协办单位", "市领导小组成", "市海绵城市建设领导小组成员单位",
        "cell cut; the item is about 海绵城市建设, whose 领导小组 members assist (reconstruction)"),
    Fix("附件1", "90", "协办单位", "各区政府（管委会）、市自然资源局、市城市务局…",
        "各区政府（管委会）、市自然资源局、市水务局、市城市管理和综合执法局、"
        "市雷州青年运河管理局",
        "two columns of the wrapped cell interleaved; units rebuilt from the fragments"),
    Fix("附件1", "93", "季度工作目标",
        "\n第四季度：继续推进其余标段土方回填与平整和主体结构施工。\n第四季度：", "\n第四季度：",
        "the Q3 text is printed a second time as a stray 第四季度 line before the real Q4"),
    Fix("附件1", "98", "协办单位", "各县（市、区）、市政局（管委据序）…",
        "各县（市、区）政府（管委会）、市财政局、市政务服务数据管理局、市市场监督管理局",
        "garbled; (管委据…) = 政府（管委会）+ 市政务服务数据管理局, 市政局局→市财政局"),
    Fix("附件1", "103", "实施单位（承办单位）", "湛江中心人民中心人医院…",
        "湛江中心人民医院、广东医科大学附属医院、雷州市、廉江市、吴川市、遂溪县、徐闻县政府",
        "garbled; the two hospitals and the 5 县(市) named in the item's own targets"),
    Fix("附件1", "104", "协办单位", "市代建项目管理局", "市代建项目管理中心",
        "the unit is 市代建项目管理中心 everywhere else (items 95, 99)"),
    Fix("附件1", "105", "协办单位", "赤坎区政府、市住房城乡建设局、市经局…",
        "赤坎区政府、市住房城乡建设局、市城市管理和综合执法局、市自然资源局、"
        "市代建项目管理中心",
        "wrapped cell lost characters; 市经局 and 市等国局 unreadable and dropped"),
    Fix("附件1", "106", "协办单位", "市委局局是委局局…", "市委军民融合办、市直有关单位",
        "garbled beyond reading; 市委… read as 市委军民融合办 for a military theme park "
        "(reconstruction); " + UNREADABLE),
    Fix("附件1", "113", "牵头单位", "湛机经设办（投有司江场济指公市资限）川港建部室通团公",
        "湛江吴川机场空港经济区建设指挥部办公室（市交通投资集团有限公司）",
        "narrow cell read column by column (湛|机|经|设|办…); 吴 lost, restored from item 7"),
    Fix("附件1", "113", "实施单位（承办单位）", "市交通投资集团有限公司、市政府…",
        "市交通投资集团有限公司、吴川市政府、市发展改革局、市投资促进局",
        "garbled; 市政府 read as 吴川市政府 (the airport's county), 市政革局→市发展改革局"),
    Fix("附件1", "113", "协办单位", "市化局局局建运…",
        "市工业和信息化局、市住房城乡建设局、市交通运输局、市城市管理和综合执法局、"
        "市生态环境局、市人力资源社会保障局",
        "scrambled; units rebuilt from its characters (化, 建, 运, 管/法, 生, 住, 人)"),
]

ATT2_FIXES = [
    # 项目名称: the narrow name column was read column-wise, two characters a line
    # (完部自村… = 完成/部分/自然/…).  De-interleaved by hand; item 1 lost characters.
    Fix("附件2", "1", "项目名称", "桥梁和槽全患项治", "桥梁和渡槽安全隐患整治项目",
        "column-wise read with characters lost; rebuilt from 主要内容 (reconstruction)"),
    Fix("附件2", "2", "项目名称", "完部自村内路化成分然村道硬。", "完成部分自然村村内道路硬化。",
        "column-wise read, de-interleaved"),
    Fix("附件2", "3", "项目名称", "建湛市调工程。成江引水", "建成湛江市引调水工程。",
        "column-wise read, de-interleaved"),
    Fix("附件2", "4", "项目名称", "加困群生保障强难众活。", "加强困难群众生活保障。",
        "column-wise read, de-interleaved"),
    Fix("附件2", "5", "项目名称", "实兜民服社工“百程全盖施底生务会作双工”覆。",
        "实施兜底民生服务社会工作“双百工程”全覆盖。", "column-wise read, de-interleaved"),
    Fix("附件2", "6", "项目名称", "深实“菜傅”东工“粤政三工程人施粤师”广技“南家”项。",
        "深入实施“粤菜师傅”“广东技工”“南粤家政”三项工程。",
        "column-wise read, de-interleaved (and 人→入)"),
    Fix("附件2", "7", "项目名称", "推农市升改和合理进贸场级造综治。", "推进农贸市场升级改造和综合治理。",
        "column-wise read, de-interleaved"),
    Fix("附件2", "8", "项目名称", "推保性居程。", "推进保障性安居工程。",
        "only the first column survived; second column restored (reconstruction)"),
    Fix("附件2", "9", "项目名称", "新城公中学位万个增镇办小学3.2", "新增城镇公办中小学学位3.2万个",
        "column-wise read, de-interleaved (wording as in the Q4 target)"),
    Fix("附件2", "10", "项目名称", "提20社卫服中（镇生院公卫服能力升家区生务心乡卫）共生务",
        "提升20家社区卫生服务中心（乡镇卫生院）公共卫生服务能力",
        "column-wise read, de-interleaved"),
    Fix("附件2", "1", "主要内容", "12座渡槽进行整治…",
        "对41座危桥和12座渡槽进行整治，消除安全隐患，确保人民群众生命财产安全。"
        "投入资金约1.06亿元，争取上级补助资金解决。",
        "start and end cut; 41 危桥 = 38+3 and 12 渡槽 = 9+3 from the sub-rows, "
        "the funding clause is a reconstruction"),
    Fix("附件2", "4", "主要内容", "城乡低保对条、286元…",
        "按照省公布的2022年标准，提高城乡低保、特困人员基本生活供养标准，按新标准发放"
        "孤儿（含艾滋病病毒感染儿童）、事实无人抚养儿童基本生活最低养育标准和残疾人两项补贴。",
        "garbled beyond reading (figures 286/315/631/653元 cannot be attributed); "
        "gist rebuilt from the item's quarterly targets (reconstruction)"),
    Fix("附件2", "5", "主要内容",
        "为村（居）社会工作服务站（居）社会工作服务点覆盖范围内的困难群众和特殊群体导、"
        "资源链接、心理疏导、能力提升、实源链接、能力提升、实率100%。",
        "为村（居）社会工作服务站（点）覆盖范围内的困难群众和特殊群体提供政策落实、"
        "资源链接、心理疏导、能力提升等服务，实现服务覆盖率100%。",
        "wrapped lines repeated and cut; standard 双百工程 wording (reconstruction)"),
    Fix("附件2", "7", "主要内容", "具体自各县（市、区）政府，树市、区）选定实施，树市、安全市。"
        "投入资金约2.6亿元，引入社会资本投入，其中财政补助资金解决，其中财政补助资金解决，"
        "约5000万元，除省补助区）农贸市场按一定比例进行事后奖补。",
        "具体由各县（市、区）政府（管委会）选定实施。投入资金约2.6亿元，引入社会资本投入，"
        "其中财政补助资金约5000万元，除省补助资金外，市财政对各县（市、区）农贸市场"
        "按一定比例进行事后奖补。",
        "wrapped lines repeated and cut (树市、安全市 unreadable, dropped; reconstruction)"),
    Fix("附件2", "8", "主要内容", "发放租赁补贴1000套，发放租赁补贴1000户",
        "发放租赁补贴1000户", "a wrapped line printed twice with 套 for 户"),
    Fix("附件2", "2", "协办单位", "市输展市乡市源通市局、工厂…",
        "市发展改革局、市自然资源局、市住房城乡建设局、市交通运输局",
        "scrambled; units rebuilt from its characters (展, 源, 乡, 输/通)"),
    Fix("附件2", "4", "季度工作目标", "\n第三季度：按新标准发放", "\n第四季度：按新标准发放",
        "quarters run 一、二、三、三: the last one is evidently 第四季度"),
    Fix("附件2", "4", "牵头单位", "市局政", "市民政局", "characters shuffled and 民 lost"),
    Fix("附件2", "5", "协办单位", "市源障妇残为会、、资保市市",
        "市人力资源社会保障局、市妇联、市残联", "scrambled; units rebuilt from its characters"),
    Fix("附件2", "5", "牵头单位主要领导和分管领导", "主要领导：车斯领导：蔡炯豪",
        "主要领导：车斯文\n分管领导：蔡炯豪",
        "cell cut; 车斯文 heads 市民政局 (attachment 1 item 40)"),
    Fix("附件2", "6", "牵头单位", "市资会局", "市人力资源社会保障局",
        "cell cut; 吴秋文 (its head) leads 市人力资源社会保障局 in attachment 1"),
    Fix("附件2", "6", "协办单位", "市商务局、市市局、和信息…",
        "市商务局、市工业和信息化局、市发展改革局、市直有关单位",
        "和信息/市工化→市工业和信息化局, 市市发展→市发展改革局; " + UNREADABLE),
    Fix("附件2", "7", "牵头单位", "市监局、场管市业总场管市物理",
        "市市场监督管理局、市市场物业管理总公司",
        "scrambled; two units rebuilt from its characters (second name is a reconstruction)"),
    Fix("附件2", "7", "协办单位", "市革住建市局生局…",
        "市发展改革局、市住房城乡建设局、市商务局、市卫生健康局、市农业农村局、"
        "市城市管理和综合执法局、市消防救援大队",
        "cell read column-wise; these 7 units use exactly its characters"),
    Fix("附件2", "9", "实施单位（承办单位）", "遂县", "遂溪县", "溪 lost at the wrap"),
    Fix("附件2", "9", "协办单位", "市发展改市自然…", "市发展改革局、市自然资源局、市直有关单位",
        UNREADABLE),
    Fix("附件2", "10", "牵头单位", "市卫生局", "市卫生健康局",
        "林华坚 (its head) leads 市卫生健康局 in attachment 1"),
]

HESHAN_FIXES = [
    Fix("鹤山", "二#62", "完成时间", "", "12月15日",
        "deadline cell empty; the node reads '12月15日前完成露天采石场和设备安装'"),
]


def apply_fix(fix: Fix, cell: str, log: BuildLog) -> str:
    if cell == fix.wrong:
        new = fix.right
    elif fix.wrong.endswith("…") and fix.wrong and cell.startswith(fix.wrong[:-1]):
        new = fix.right
    elif fix.wrong and fix.wrong in cell:
        new = cell.replace(fix.wrong, fix.right)
    else:
        raise ValueError(f"correction no longer matches: {fix}")
    log.corrections.append(f"[{fix.table} #{fix.item} {fix.column}] {short(fix.wrong)} -> "
               f"{short(fix.right)}  ({fix.why})")
    return new


def short(text: str, limit: int = 28) -> str:
    text = text.replace("\n", "⏎")
    return repr(text if len(text) <= limit else text[:limit] + "…")


def fix_att1(items: list[dict], log: BuildLog) -> None:
    by_number = {item["序号"]: item for item in items}
    for fix in ATT1_FIXES:
        row = by_number[fix.item]
        row[fix.column] = apply_fix(fix, row[fix.column], log)


def fix_att2(items: list[LivelihoodItem], log: BuildLog) -> None:
    """Name/content fixes hit the item; other columns the one sub-row that matches."""
    by_number = {item.number: item for item in items}
    attrs = {"项目名称": "name", "主要内容": "content"}
    for fix in ATT2_FIXES:
        item = by_number[fix.item]
        if fix.column in attrs:
            attr = attrs[fix.column]
            setattr(item, attr, apply_fix(fix, getattr(item, attr), log))
            continue
        rows = [r for r in item.sub_rows if fix.wrong.rstrip("…") in r[fix.column]]
        if len(rows) != 1:
            raise ValueError(f"correction matches {len(rows)} sub-rows: {fix}")
        rows[0][fix.column] = apply_fix(fix, rows[0][fix.column], log)


def fix_heshan(entries: list, log: BuildLog) -> None:
    """Only the first node's 完成时间 needs fixing so far."""
    items = {f"{e.category[0]}#{e.number}": e for e in entries if isinstance(e, HeshanItem)}
    for fix in HESHAN_FIXES:
        node = items[fix.item].nodes[0]
        assert fix.column == "完成时间"
        node.deadline = apply_fix(fix, node.deadline, log)


def check_heading_counts(entries: list, log: BuildLog) -> list[tuple[Heading, int]]:
    """Count the items under every heading and compare with its own （N项）."""
    level = {"category": 0, "subcategory": 1, "group": 2}
    counts: dict[int, int] = {}
    active: dict[str, Heading] = {}
    for entry in entries:
        if isinstance(entry, Heading):
            active = {k: h for k, h in active.items() if level[k] < level[entry.kind]}
            active[entry.kind] = entry
            counts[id(entry)] = 0
        else:
            for heading in active.values():
                counts[id(heading)] += 1
    result = [(e, counts[id(e)]) for e in entries if isinstance(e, Heading)]
    for heading, found in result:
        declared = int(re.search(r"（共?(\d+)项）$", heading.text).group(1))
        if declared != found:
            log.warnings.append(f"[鹤山] {heading.text}: declares {declared}, found {found}")
    return result


def split_status(raw: str) -> tuple[str | None, str]:
    """完成情况 opens with the status (bold or plain): '已完成。' + the text."""
    text = clean_paragraphs(raw)
    match = re.match(rf"({'|'.join(STATUSES)})。?", text)
    if not match:
        return None, text
    return match.group(1), text[match.end():].strip()


def completion_records(items: list[HeshanItem], log: BuildLog) -> list[dict]:
    """One record per reporting row, in table order (the demo's progress data)."""
    records = []
    for item in items:
        for completion in item.completions:
            node = item.nodes[completion.node]
            status, progress = split_status(completion.raw)
            if status is None:
                log.warnings.append(f"[鹤山 {item.category[:2]}#{item.number}] no status in "
                                    f"完成情况: {short(progress)}")
            records.append({
                "category": item.category,
                "number": item.number,
                "title": item.title,
                "node": None if len(item.completions) == 1 else completion.node + 1,
                "unit": (node.own_unit or item.units).split("、")[0],
                "status": status,
                "progress": progress,
            })
    return records


# --------------------------------------------------------------------------
# Workbook layout
# --------------------------------------------------------------------------
BODY_FONT = "仿宋"       # FangSong: body text of official tables
HEAD_FONT = "黑体"       # SimHei: attachment label and column headers
TITLE_FONT = "宋体"
LINE_PT = 14.0           # one line of 10.5 pt text
PAD_PT = 6.0


def make_formats(wb: xlsxwriter.Workbook) -> dict:
    base = {"font_name": BODY_FONT, "font_size": 10.5, "text_wrap": True,
            "valign": "vcenter", "border": 1}

    def fmt(**extra):
        return wb.add_format({**base, **extra})

    return {
        "label": wb.add_format({"font_name": HEAD_FONT, "font_size": 14}),
        "title": wb.add_format({"font_name": TITLE_FONT, "font_size": 18, "bold": True,
                                "align": "center", "valign": "vcenter"}),
        "header": fmt(font_name=HEAD_FONT, font_size=11, bold=True, align="center"),
        "center": fmt(align="center"),
        "left": fmt(align="left"),
        "category": fmt(font_name=HEAD_FONT, font_size=12, bold=True, align="left"),
        "subcategory": fmt(font_size=11, bold=True, align="left"),
        "group": fmt(bold=True, align="left"),
        "note": wb.add_format({"font_name": BODY_FONT, "font_size": 10.5, "text_wrap": True,
                               "valign": "top"}),
    }


def text_height(text: str, width: float) -> float:
    """Points needed by wrapped text in a column `width` characters wide.

    Excel never auto-sizes rows written by a library, so we estimate: a CJK
    character is about two width units at this font size, Latin/digits one.
    """
    per_line = max(width - 1.5, 2)
    lines = 0
    for line in text.split("\n"):
        units = sum(2 if re.match(WIDE, ch) else 1 for ch in line)
        lines += max(1, math.ceil(units / per_line))
    return lines * LINE_PT + PAD_PT


class TableSheet:
    """A worksheet plus the bookkeeping needed to size rows for wrapped text."""

    def __init__(self, wb: xlsxwriter.Workbook, name: str, widths: list[float]):
        self.ws = wb.add_worksheet(name)
        self.fmt = make_formats(wb)
        self.widths = widths
        self.heights: dict[int, float] = {}
        self.spans: list[tuple[int, int, float]] = []   # vertical merges
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)

    def cell(self, row: int, col: int, value, fmt: str, rows: int = 1, cols: int = 1):
        """Write a cell, or merge rows x cols, and note the height its text needs."""
        if rows == 1 and cols == 1:
            self.ws.write(row, col, value, self.fmt[fmt])
        else:
            self.ws.merge_range(row, col, row + rows - 1, col + cols - 1, value, self.fmt[fmt])
        need = text_height(str(value), sum(self.widths[col:col + cols]))
        if rows == 1:
            self.heights[row] = max(self.heights.get(row, 0), need)
        else:
            self.spans.append((row, row + rows - 1, need))

    def finish(self, fixed: dict[int, float]) -> None:
        """Set row heights; a merged cell's deficit is shared by its rows."""
        heights = {row: max(h, 20) for row, h in self.heights.items()}
        for first, last, need in self.spans:
            rows = range(first, last + 1)
            deficit = need - sum(heights.setdefault(r, 20) for r in rows)
            for r in rows:
                heights[r] += max(deficit, 0) / len(rows)
        heights.update(fixed)
        for row, height in heights.items():
            self.ws.set_row(row, round(height, 1))


def new_workbook(path: Path, title: str, author: str) -> xlsxwriter.Workbook:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": title, "author": author, "created": DOC_DATE})
    return wb


def write_top_rows(sheet: TableSheet, label: str, title: str, header: list[str]) -> int:
    """Optional 附件N label, the merged title, the header; returns the header row."""
    row = 0
    if label:
        sheet.ws.write(row, 0, label, sheet.fmt["label"])
        row += 1
    sheet.ws.merge_range(row, 0, row, len(header) - 1, title, sheet.fmt["title"])
    for col, text in enumerate(header):
        sheet.cell(row + 1, col, text, "header")
    return row + 1


def setup_page(sheet: TableSheet, header_row: int) -> None:
    """A4 landscape, one page wide, header repeated on every printed page."""
    ws = sheet.ws
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.freeze_panes(header_row + 1, 0)
    ws.set_footer("&C第 &P 页，共 &N 页")
    fixed = {header_row - 1: 40}
    if header_row == 2:
        fixed[0] = 24                         # the 附件N label row
    sheet.finish(fixed)


ATT1_HEADER = ["序号", "事项", "季度工作目标", "完成时限", "市政府\n分管领导", "牵头单位",
               "实施单位\n（承办单位）", "协办单位", "牵头单位主要领导\n和分管领导"]
ATT1_WIDTHS = [5, 20, 52, 10, 9, 15, 19, 22, 19]
ATT2_HEADER = ["序号", "项目名称", "主要内容", "季度工作目标", "完成时限", "市政府\n分管领导",
               "牵头单位", "实施单位\n（承办单位）", "协办单位", "牵头单位主要领导\n和分管领导"]
ATT2_WIDTHS = [5, 16, 30, 44, 10, 9, 14, 18, 18, 19]
CENTERED = {"序号", "完成时限", "市政府分管领导", "牵头单位"}
ZHANJIANG_AUTHOR = "湛江市人民政府办公室"


def write_att1(items: list[dict], path: Path) -> None:
    title = "2022年市《政府工作报告》重点督办事项分解表"
    wb = new_workbook(path, title, ZHANJIANG_AUTHOR)
    sheet = TableSheet(wb, "附件1", ATT1_WIDTHS)
    header_row = write_top_rows(sheet, "附件1", title, ATT1_HEADER)
    for row, item in enumerate(items, start=header_row + 1):
        for col, name in enumerate(ATT1_COLUMNS):
            value = int(item[name]) if name == "序号" else item[name]
            sheet.cell(row, col, value, "center" if name in CENTERED else "left")
    setup_page(sheet, header_row)
    wb.close()


def write_att2(items: list[LivelihoodItem], path: Path) -> None:
    """序号, 项目名称, 主要内容 and 市政府分管领导 are merged over an item's sub-rows."""
    title = "2022年市10件民生实事责任分工表"
    wb = new_workbook(path, title, ZHANJIANG_AUTHOR)
    sheet = TableSheet(wb, "附件2", ATT2_WIDTHS)
    row = write_top_rows(sheet, "附件2", title, ATT2_HEADER) + 1
    for item in items:
        span = len(item.sub_rows)
        merged = {0: int(item.number), 1: item.name, 2: item.content, 5: item.city_leader}
        for col, value in merged.items():
            sheet.cell(row, col, value, "center" if col in (0, 5) else "left", rows=span)
        for offset, sub in enumerate(item.sub_rows):
            for name, value in sub.items():
                col = ATT2_COLUMNS.index(name)
                sheet.cell(row + offset, col, value, "center" if name in CENTERED else "left")
        row += span
    setup_page(sheet, 2)
    wb.close()


HESHAN_HEADER = ["序号", "项目名称", "节点计划", "责任单位", "完成时间"]
HESHAN_WIDTHS = [6, 34, 62, 26, 10]


def write_heshan(entries: list, footnotes: list[str], path: Path) -> None:
    title = "2022年鹤山市委、市政府重点工作任务分解表"
    wb = new_workbook(path, title, "鹤山市委办公室、鹤山市人民政府办公室")
    sheet = TableSheet(wb, "重点工作任务分解表", HESHAN_WIDTHS)
    row = write_top_rows(sheet, "", title, HESHAN_HEADER) + 1
    for entry in entries:
        if isinstance(entry, Heading):
            sheet.cell(row, 0, entry.text, entry.kind, cols=len(HESHAN_HEADER))
            row += 1
        else:
            row = write_heshan_item(sheet, row, entry)
    for note in footnotes:
        sheet.cell(row, 0, note, "note", cols=len(HESHAN_HEADER))
        row += 1
    setup_page(sheet, 1)
    wb.close()


def write_heshan_item(sheet: TableSheet, row: int, item: HeshanItem) -> int:
    """One row per node.  序号/项目名称 are merged over the node rows, and so is
    责任单位 unless some node row names its own unit."""
    span = len(item.nodes)
    sheet.cell(row, 0, int(item.number), "center", rows=span)
    sheet.cell(row, 1, item.title, "left", rows=span)
    shared_unit = all(node.own_unit in ("", item.units) for node in item.nodes)
    if shared_unit:
        sheet.cell(row, 3, item.units, "left", rows=span)
    covered = 0                    # rows still inside a merged 完成时间 cell
    for offset, node in enumerate(item.nodes):
        sheet.cell(row + offset, 2, node.text, "left")
        if not shared_unit:
            unit = item.units if offset == 0 else node.own_unit
            sheet.cell(row + offset, 3, unit, "left")
        if covered:
            covered -= 1
            continue
        sheet.cell(row + offset, 4, node.deadline, "center", rows=node.deadline_span)
        covered = node.deadline_span - 1
    return row + span


# --------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------
ATT1_FILE = "zhanjiang-2022/附件1-2022年市政府工作报告重点督办事项分解表.xlsx"
ATT2_FILE = "zhanjiang-2022/附件2-2022年市10件民生实事责任分工表.xlsx"
HESHAN_FILE = "heshan-2022/2022年鹤山市委市政府重点工作任务分解表.xlsx"
COMPLETION_FILE = "heshan-2022/completion.json"
HESHAN_CATEGORIES = {"一、重点指标类（7项）": 7, "二、重点项目类（68项）": 68,
                     "三、重点工作类（173项）": 173, "四、民生实事类（10项）": 10}


def expect(condition: bool, message: str) -> None:
    """Stop the build when a seed no longer parses into what we ship."""
    if not condition:
        raise SystemExit(f"build_samples: {message}")


def build_zhanjiang(seed: Path, out: Path, log: BuildLog) -> list[str]:
    att1_lines, att2_lines = split_attachments(seed.read_text(encoding="utf-8"))
    att1, att2 = parse_att1(att1_lines), parse_att2(att2_lines)
    fix_att1(att1, log)
    fix_att2(att2, log)
    expect(len(att1) == 113, f"attachment 1 has {len(att1)} items, expected 113")
    expect(len(att2) == 10, f"attachment 2 has {len(att2)} items, expected 10")
    write_att1(att1, out / ATT1_FILE)
    write_att2(att2, out / ATT2_FILE)
    sub_rows = sum(len(item.sub_rows) for item in att2)
    return [f"{ATT1_FILE}: {len(att1)} items",
            f"{ATT2_FILE}: {len(att2)} items, {sub_rows} unit rows"]


def build_heshan(seed: Path, out: Path, log: BuildLog) -> list[str]:
    entries, footnotes = parse_heshan(seed.read_text(encoding="utf-8"), log)
    fix_heshan(entries, log)
    headings = check_heading_counts(entries, log)
    per_category = {h.text: n for h, n in headings if h.kind == "category"}
    expect(per_category == HESHAN_CATEGORIES, f"Heshan categories parsed as {per_category}")
    expect(len(footnotes) == 2, "Heshan 备注 lines not found")
    write_heshan(entries, footnotes, out / HESHAN_FILE)
    items = [e for e in entries if isinstance(e, HeshanItem)]
    records = completion_records(items, log)
    (out / COMPLETION_FILE).write_text(
        json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    kinds = [h.kind for h, _ in headings]
    return [f"{HESHAN_FILE}: {len(items)} items "
            f"({' / '.join(f'{k[0]} {n}' for k, n in per_category.items())}), "
            f"{kinds.count('subcategory')} sub-categories, {kinds.count('group')} leader groups",
            f"{COMPLETION_FILE}: {len(records)} reporting rows"]


def print_report(built: list[str], log: BuildLog) -> None:
    print("Built:")
    for line in built:
        print("  " + line)
    sections = [("Corrections applied", log.corrections),
                ("Rule-based repairs", log.repairs), ("Warnings", log.warnings)]
    for name, lines in sections:
        print(f"\n{name} ({len(lines)}):")
        for line in lines:
            print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                        help="folder with the seed .txt files (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="where to write the workbooks (default: this folder)")
    args = parser.parse_args()
    seeds, out = args.seeds.resolve(), args.out.resolve()
    log = BuildLog()
    built = build_zhanjiang(seeds / ZHANJIANG_SEED, out, log)
    built += build_heshan(seeds / HESHAN_SEED, out, log)
    print_report(built, log)


if __name__ == "__main__":
    main()
