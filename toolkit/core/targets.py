"""This round's targets (本期目标): what a report due on a given day is judged against.

Plans come in two shapes:

* quarter targets (季度工作目标, Zhanjiang style): "第一季度：…。第二季度：…。", including
  shared labels such as 第一、二季度, 第二至四季度 and 第一至四季度;
* node plans (节点计划, Heshan style): numbered nodes "（1）…（2）…", each with a deadline
  in its own cell (4月底, 12月15日) or inside its text (6月底前完成主体建设).

A plan with neither is judged as a whole. Standard library only (plus the package's own
text helpers); nothing here touches files.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .dates import ParsedDate, find_dates, parse_date, quarter_of_round, report_period_end
from .text import one_line


@dataclass(frozen=True)
class Node:
    """One node of a node plan (节点): its text, deadline, and the dated steps it names.

    `steps` are the plan-year dates the text itself names, earliest first (3月底完成3公里；
    6月底完成6公里…): a node is already in play once its first step falls due.
    """

    text: str
    deadline: ParsedDate | None
    steps: tuple[ParsedDate, ...] = ()


@dataclass(frozen=True)
class Targets:
    """What a round judges: the target text and where it came from.

    kind is "quarter" (a quarter target; `quarter` says which quarter's text it is),
    "nodes" (the nodes due, plus the next one) or "whole" (the plan as written).
    """

    text: str
    kind: str  # "quarter" | "nodes" | "whole"
    quarter: int | None = None


# --- quarter targets (季度工作目标) -------------------------------------------------------

_DIGITS = "一二三四1-4１-４"
_Q = rf"(?:第\s*)?[{_DIGITS}]"
# A quarter label always ends in a colon in the plans; requiring it keeps prose such as
# 三高炉二季度实现达产 or 第四季度冲刺现象 from being taken for a label.
#
# The label is  ([前后]\s*)? {_Q} (\s*[、,，]\s*{_Q})* (\s*[至到~…]\s*{_Q})? \s*季\s*度\s*[:：],
# written here to start with the class of a label's first character (前, 后, 第 or a digit),
# the look-behind after it choosing how the label goes on: a pattern that starts with a
# class lets re skip to the next candidate character in C, where one that starts with an
# optional group is tried at every position of the plan (3-4x slower over the bench plans).
# The matches are the same: tests/test_targets.py checks it against the pattern above.
_QUARTER_LABEL = re.compile(
    rf"[前后第{_DIGITS}](?:(?<=[前后])\s*{_Q}|(?<=第)\s*[{_DIGITS}]|(?<=[{_DIGITS}]))"
    rf"(?:\s*[、,，]\s*{_Q})*(?:\s*[至到~\-－—]\s*{_Q})?\s*季\s*度\s*[:：]"
)
_QUARTER_RANGE = re.compile(r"[至到~\-－—]")
_QUARTER_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
                  "１": 1, "２": 2, "３": 3, "４": 4}
_SENTENCE_END = "。；;！!？?"
_EXTRACTION_TAGS = re.compile(r"</?(?:p|b|br)\s*/?>", re.IGNORECASE)


def split_quarters(plan: str) -> dict[int, str]:
    """Quarter number → that quarter's target text; {} when the plan has no quarter labels.

    第一、二季度：X gives X to quarters 1 and 2, 第二至四季度：X to 2-4, 前三季度：X to 1-3.
    Labels are removed and wrap spaces next to Chinese characters dropped. A preamble before
    the first label (负责38座危桥整治。) is put on its own line before every quarter's text.
    When the labels start again (one plan covering two targets, each introduced by a heading
    such as 新增60家高新技术企业：), each quarter gets one line per target, heading first.
    """
    text = _strip_tags(plan or "")
    labels = list(_QUARTER_LABEL.finditer(text))
    if not labels:
        return {}
    preamble = one_line(text[: labels[0].start()])
    ends = [m.start() for m in labels[1:]]  # a body ends where the next label starts
    ends.append(len(text))
    bodies = [one_line(text[m.end() : end]) for m, end in zip(labels, ends)]
    sections = _quarter_sections([_label_quarters(m.group()) for m in labels], bodies)
    if preamble.endswith((":", "：")):  # a heading of the first target only
        sections[0] = (preamble, sections[0][1])
        preamble = ""
    return _merge_sections(preamble, sections)


@functools.lru_cache(maxsize=1024)  # a few labels (第一季度：…) make up nearly every plan
def _label_quarters(label: str) -> tuple[int, ...]:
    """Quarters a label names: 第一、二 → (1, 2); 第二至四 → (2, 3, 4); 前三 → (1, 2, 3)."""
    # The whole label is read: its prefix (前/后 and spaces) and its 季度： hold no quarter
    # digit and no range mark, so those found are the ones of its numbers.
    nums = [_QUARTER_DIGIT[c] for c in label if c in _QUARTER_DIGIT]
    if _QUARTER_RANGE.search(label):  # 第二至四; written backwards (第四至二) it is the same span
        nums = list(range(min(nums), max(nums) + 1))
    if label[0] in "前后":
        n = nums[-1]
        nums = list(range(1, n + 1)) if label[0] == "前" else list(range(5 - n, 5))
    return tuple(sorted(set(nums)))


def _quarter_sections(
    quarters: list[tuple[int, ...]], bodies: list[str]
) -> list[tuple[str, dict[int, str]]]:
    """Group labelled bodies into targets: a label not after the previous one starts anew.

    The heading of the next target (…研究中心：) is the last clause of the body before it.
    """
    texts: dict[int, str] = {}
    sections = [("", texts)]
    last = len(quarters) - 1
    for i, qs in enumerate(quarters):
        body = bodies[i]
        restarts = i < last and min(quarters[i + 1]) <= max(qs)
        if restarts:
            body, heading = _split_heading(body)
        for q in qs:
            texts[q] = body
        if restarts:
            texts = {}
            sections.append((heading, texts))
    return sections


def _split_heading(body: str) -> tuple[str, str]:
    """(body, heading) where heading is a trailing clause ending in a colon, else ''."""
    if not body.endswith((":", "：")):
        return body, ""
    cut = max(body.rfind(c, 0, len(body) - 1) for c in _SENTENCE_END) + 1
    return body[:cut].strip(), body[cut:].strip()


def _merge_sections(preamble: str, sections: list[tuple[str, dict[int, str]]]) -> dict[int, str]:
    """One text per quarter: the preamble line, then each target's heading and body."""
    if len(sections) == 1:  # one target, the common case: the loop below, one line per quarter
        heading, texts = sections[0]
        lead = preamble + "\n" + heading if preamble else heading
        return {q: lead + texts[q] for q in range(1, 5) if q in texts}
    merged: dict[int, str] = {}
    for q in range(1, 5):
        lines = [heading + texts[q] for heading, texts in sections if q in texts]
        if lines:
            merged[q] = "\n".join(([preamble] if preamble else []) + lines)
    return merged


# --- node plans (节点计划) ----------------------------------------------------------------

# ★ marks a key task; one written before a node's number belongs to that node.
_PAREN_NODE = re.compile(r"(?P<star>★\s*)?[(（]\s*(?P<n>\d{1,2})\s*[)）]")
# 1. but not the 1.5 of 1.5亿元 nor the 0. of 10.5%.
_DOT_NODE = re.compile(r"(?P<star>★\s*)?(?<![\d.])(?P<n>\d{1,2})\s*[.．](?!\d)")
# A schedule that repeats (分别于3、6、9、12月底, 4、7、10月底及年末, 每月) has no single deadline.
_RECURRING = re.compile(r"分别于|每\s*(?:个\s*)?(?:月|季|周|旬|半年|年)|\d\s*、\s*\d{1,2}\s*月")


def split_nodes(plan: str) -> list[str]:
    """Numbered nodes of a plan, labels kept: "(1) A (2) B" → ["（1）A", "（2）B"].

    Accepts (1) / （1） (normalised to full-width brackets) and 1. numbering, taking only a
    run numbered 1, 2, 3… so (2018) or a stray (3) inside a node does not split it. Text
    before node 1 is kept at the front of node 1. A plan with fewer than two nodes comes
    back whole as one element (a leading (2) still normalised to （2）); blank gives [].
    """
    text = one_line(_strip_tags(plan or ""))
    if not text:
        return []
    for pattern in (_PAREN_NODE, _DOT_NODE):
        starts = _sequential(pattern, text)
        if len(starts) >= 2:
            return _cut_nodes(text, starts, pattern is _PAREN_NODE)
    lead = _PAREN_NODE.match(text)  # one row of a node table: "(2) …"
    return _cut_nodes(text, [lead], True) if lead else [text]


def _sequential(pattern: re.Pattern, text: str) -> list[re.Match]:
    """The matches numbered 1, 2, 3… in order; other numbers are left as text."""
    run: list[re.Match] = []
    for m in pattern.finditer(text):
        if int(m["n"]) == len(run) + 1:
            run.append(m)
    return run


def _cut_nodes(text: str, starts: list[re.Match], full_width: bool) -> list[str]:
    """Text cut at each label; (1) rewritten as （1）."""
    nodes = []
    ends = [m.start() for m in starts[1:]] + [len(text)]
    for m, end in zip(starts, ends):
        body = text[m.end() : end].strip()
        label = f"（{m['n']}）" if full_width else m.group(0).replace(m["star"] or "", "").strip()
        nodes.append(("★" if m["star"] else "") + label + body)
    preamble = text[: starts[0].start()].strip()
    if preamble:  # a lead-in (…工程：) belongs with the first node rather than nowhere
        nodes[0] = preamble + nodes[0]
    return nodes


def node_deadline(text: str, year: int) -> ParsedDate | None:
    """The deadline a node's text embeds, or None.

    6月底前完成… → June 30; 12月15日前… → Dec 15; 7月前完成… → July 31 (前 read as
    "by", as the plans' own deadline cells do: "2月前完成…" sits next to 2月底). With
    several dates (5月底前A库竣工，12月15日完成90%工程量) the latest in `year` counts,
    since the node is done when its last step is; dates of another year
    (力争2023年1月底竣工) are aspirations beyond the plan and are ignored. A repeating
    schedule (分别于3、6、9、12月底…, 每月…) has no single deadline: None.
    """
    steps = _steps(text, year)
    return steps[-1] if steps else None


def _steps(text: str, year: int) -> list[ParsedDate]:
    """The plan-year dates a node's text names, earliest first; none for a repeating one."""
    if _RECURRING.search(text or ""):
        return []
    dates = [d for d in find_dates(text or "", year=year) if d.day.year == year]
    return sorted(dates, key=lambda d: d.day)


def split_deadline_cell(cell: str | None, year: int) -> list[ParsedDate]:
    """The deadlines a 完成时间 cell lists, in order ("6月底 9月底 12月15日" → three)."""
    if not cell:
        return []
    single = parse_date(cell, year=year)
    if single is not None:
        return [single]
    return find_dates(_strip_tags(cell), year=year)


def plan_nodes(plan: str, deadlines: Sequence[str | None] = (), *, year: int) -> list[Node]:
    """A plan's nodes with deadlines: from `deadlines` (one cell per node), else the text.

    A node's own cell beats the dates in its text (the cell is the official column). A
    single cell listing one date per node ("6月底 9月底 12月15日") is spread over the
    nodes. A single cell with another count of dates, for several nodes, is the item's
    own deadline: it goes to each node whose text names none.
    """
    texts = split_nodes(plan)
    cells = [split_deadline_cell(c, year) for c in deadlines]
    item_cell = len(cells) == 1 and len(texts) > 1 and len(cells[0]) != len(texts)
    if item_cell:
        cells = cells * len(texts)
    elif len(cells) == 1 and len(texts) > 1:
        cells = [[d] for d in cells[0]]
    cells += [[]] * (len(texts) - len(cells))
    return [_node(t, cell, year, cell_first=not item_cell) for t, cell in zip(texts, cells)]


def _node(text: str, cell: list[ParsedDate], year: int, *, cell_first: bool) -> Node:
    steps = _steps(text, year)
    own = max(cell, key=lambda d: d.day) if cell else None
    embedded = steps[-1] if steps else None
    deadline = (own or embedded) if cell_first else (embedded or own)
    return Node(text, deadline, tuple(steps))


# --- the round's targets ------------------------------------------------------------------


def plan_year(due: _dt.date) -> int:
    """The plan year a round belongs to: the year of its period (2023-01-03 → 2022)."""
    return report_period_end(due).year


def round_targets(
    plan: str,
    due: _dt.date,
    *,
    deadlines: Sequence[str | None] = (),
    year: int | None = None,
) -> Targets:
    """What a report due on `due` is judged against, for a plan of year `year`.

    * Quarter targets: the text of quarter_of_round(due)'s quarter. If that quarter has no
      text of its own (an item with only 第一季度, in the third-quarter round) the clerk still
      reports on the latest earlier target, now overdue, so that one is returned; if no
      earlier one exists either, the first later one (what the unit is working toward).
      `Targets.quarter` names the quarter whose text it is, so a caller can tell a
      carried-over target (quarter differs from the round's). A round outside the plan
      year (year given explicitly) gets the whole plan.
    * Node plans (deadlines from `deadlines`, one cell per node, or inside the node texts):
      every node due by the round's period end (the last day of the month before `due`),
      plus the node(s) due next, so the unit reports progress toward them. A node whose
      text names earlier steps (3月底完成3公里；…12月15日完成18公里) is in play from its
      first step. Nodes without any date are ongoing and always included (a plan where
      no node has a date is judged whole). One node per line, in plan order.
    * Neither: the whole plan, kind "whole".

    `year` defaults to the year of the round's period: due.year, or due.year-1 in January.
    """
    year = plan_year(due) if year is None else year
    quarters = split_quarters(plan)
    if quarters:
        return _quarter_targets(plan, quarters, due, year)
    return _node_targets(plan_nodes(plan, deadlines, year=year), due, _whole(plan))


def round_targets_for_nodes(
    nodes: Sequence[tuple[str, str | None]], due: _dt.date, year: int
) -> Targets:
    """round_targets for a plan given as rows, one (node text, deadline cell) per row.

    Heshan-style tables put each node on its own row with its own 完成时间 cell ("4月底",
    "12月15日" or empty). A row may itself hold several numbered nodes.
    """
    dated = [n for text, cell in nodes for n in plan_nodes(text, [cell], year=year)]
    return _node_targets(dated, due, "\n".join(n.text for n in dated))


def _quarter_targets(plan: str, quarters: dict[int, str], due: _dt.date, year: int) -> Targets:
    """The round's quarter text, or the nearest one when the round's quarter has none."""
    round_year, q = quarter_of_round(due)
    if round_year != year:
        return Targets(_whole(plan), "whole")
    earlier = [k for k in quarters if k <= q]
    chosen = max(earlier) if earlier else min(quarters)
    return Targets(quarters[chosen], "quarter", chosen)


def _node_targets(nodes: list[Node], due: _dt.date, whole: str) -> Targets:
    """The nodes in play by the round's period end, the next-due node(s), and undated ones."""
    if not any(n.deadline for n in nodes):
        return Targets(whole, "whole")
    end = report_period_end(due)
    firsts = [_first_date(n) for n in nodes]
    upcoming = min((f for f in firsts if f is not None and f > end), default=None)
    chosen = [n.text for n, f in zip(nodes, firsts) if f is None or f <= end or f == upcoming]
    return Targets("\n".join(chosen), "nodes")


def _first_date(node: Node) -> _dt.date | None:
    """When a node first falls due: its earliest step, else its deadline (None: undated)."""
    days = [s.day for s in node.steps] + ([node.deadline.day] if node.deadline else [])
    return min(days, default=None)


def _whole(plan: str) -> str:
    """The plan as written, tidied: wrap spaces and tags gone, one numbered node a line."""
    return "\n".join(split_nodes(plan))


def _strip_tags(text: str) -> str:
    """Drop the <p>/<b> marks a PDF/Word extraction leaves in cell text."""
    return _EXTRACTION_TAGS.sub(" ", text) if "<" in text else text  # no "<": no tag to drop
