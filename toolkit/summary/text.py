"""The summary's text: rich runs (bold status, bold own leads), paragraphs, line breaking and heights."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from ..core.state import UNREPORTED, Answer, Reporting

# -- text: rich runs, paragraphs, line estimates ---------------------------------------------------

Run = tuple[bool, str]  # (bold, text)
Paragraph = list[Run]

# A node's own lead inside the plan (（市财政局牵头）, （市司法局、市政府办公室（金融股）按照职能负责）),
# bold wherever it occurs: Heshan's original bolds some and not others.
_OWN_LEAD = re.compile(r"[（(](?:[^（）()]|[（(][^（）()]*[）)])*?(?:牵头|按照?职能负责)\s*[）)]")
_WIDE = re.compile(r"[^\x00-\u1fff]")  # CJK, full-width forms and Chinese punctuation (“” … —)
# What a line never breaks inside: a run of Latin letters and digits (154.22, 10.5%, B15, 1-4#),
# a closing mark with what it closes (，。、）》” never open a line) and an opening mark with what
# it opens. LibreOffice breaks Chinese text anywhere else; checked line by line against its PDF.
_TOKEN = re.compile(r"[（(《“‘\[【]*(?:[A-Za-z0-9.%#+\-/:·~_&]+|.)[，。、；：？！,.;:?!）)》”’\]】…—]*", re.S)
# Line height / font size: Excel sizes rows for 宋体/仿宋 at 1.3; LibreOffice lays out its stand-in,
# Noto Serif CJK, at its ascent + descent, 1.45. The PDF is laid out for the program that prints it.
LINE_SPACING = {"excel": 1.3, "libreoffice": 1.45}
NARROW_EM = 0.5  # Latin letters and digits in a CJK font, in ems (half-width in 仿宋_GB2312)
CELL_PADDING_PX = 2
# The share of a line Excel fills before it wraps (its line breaking rules are not LibreOffice's
# and cannot be checked here); LibreOffice fills its lines as measured here.
WRAP_SLACK = {"excel": 0.94, "libreoffice": 1.0}
ROW_PADDING_PT = 4
MAX_ROW_HEIGHT = 409  # Excel's limit


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
        return sum(len(self.wrap(part, width)) for part in (text or "").split("\n"))

    def wrap(self, text: str, width: float) -> list[int]:
        """Where each line of one paragraph starts (character offsets), filling lines greedily
        token by token; a token wider than a line is cut where the line ends."""
        return list(_wrap(text, self.usable_px(width) * WRAP_SLACK[self.renderer] / (self.size * 96 / 72)))

    def height(self, lines: int) -> float:
        """Points, rounded up to whole pixels (0.75 pt): Excel would round a height down. A row
        is written at most `max_lines` tall (Excel's limit); an item's taller rows are parted."""
        return math.ceil((lines * self.size * self.spacing + ROW_PADDING_PT) / 0.75) * 0.75

    @property
    def max_lines(self) -> int:
        return int((MAX_ROW_HEIGHT - ROW_PADDING_PT) // (self.size * self.spacing))

    def lines_in(self, height: float) -> int:
        """The text lines a row of `height` points holds."""
        return max(0, int((height - ROW_PADDING_PT) // (self.size * self.spacing)))


@functools.lru_cache(maxsize=1 << 16)
def _wrap(text: str, usable: float) -> tuple[int, ...]:
    """Line starts of `text` in a line `usable` ems wide (the summary measures the same texts
    again and again: its merged cells, its pages)."""
    starts, used = [0], 0.0
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        ems = _ems(token)
        if used and used + ems > usable:
            starts.append(m.start())
            used = 0.0
        at = m.start()
        while ems > usable:  # a token longer than a line (a long URL): cut where lines end
            fit = at + 1
            while fit < m.end() and _ems(text[at:fit + 1]) <= usable:
                fit += 1
            starts.append(fit)
            ems -= _ems(text[at:fit])
            at = fit
        used += ems
    return tuple(starts)


def _ems(text: str) -> float:
    return sum(1.0 if ord(c) > 0x1FFF else NARROW_EM for c in text)


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


def completion(rep: Reporting, text_fields: list[tuple[str, str]], statuses: list[str]) -> list[Paragraph]:
    """完成情况 of a row: each answer's status in bold, then its text; 未报送。 without one.
    Answers of several units (or of a unit that is not the row's lead) are headed by the unit.
    text_fields: (role, header) of the answer's texts to write, the first without a heading."""
    if not rep.answers:
        return [[(True, UNREPORTED + "。")]]
    named = len(rep.answers) > 1 or rep.answers[0].unit != rep.lead
    out: list[Paragraph] = []
    for answer in rep.answers:
        out += _answer_paragraphs(answer, text_fields, statuses, f"{answer.unit}：" if named else "")
    return out


def _answer_paragraphs(answer: Answer, text_fields: list[tuple[str, str]], statuses: list[str], prefix: str) -> list[Paragraph]:
    # A status opening a paragraph, as a verdict: 已完成。… but not 已完成初步设计…
    lead = re.compile("^(" + "|".join(map(re.escape, sorted(statuses, key=len, reverse=True))) + r")(?:[。．.；;，,：:]|$)")
    lines = [x.strip() for x in str(answer.fields.get(text_fields[0][0]) or "").split("\n") if x.strip()]
    status = answer.status
    first = lead.match(lines[0]) if lines else None
    if first and first.group(1) == status:  # the unit wrote its status itself: said once
        lines[0] = lines[0][first.end():].strip()
    head = [(True, prefix + (f"{status}。" if status else ""))]
    paragraphs = [tidy(head + (_bold_lead(lines[0], lead) if lines and lines[0] else []))]
    paragraphs += [_bold_lead(x, lead) for x in lines[1:]]
    for role, header in text_fields[1:]:
        more = [x.strip() for x in str(answer.fields.get(role) or "").split("\n") if x.strip()]
        if more:
            paragraphs.append([(True, f"{header}："), (False, more[0])])
            paragraphs += [[(False, x)] for x in more[1:]]
    return [p for p in paragraphs if p]


def _bold_lead(line: str, lead: re.Pattern) -> Paragraph:
    """A paragraph opening with a status (已完成。…, as units write per node) gets it in bold."""
    m = lead.match(line)
    return tidy([(True, m.group(0)), (False, line[m.end():])]) if m else [(False, line)]


def cut_lines(paragraphs: list[Paragraph], width: float, metrics: Metrics, lines: int) -> tuple[list[Paragraph], list[Paragraph]]:
    """A cell's text parted after its first `lines` lines, as they wrap in a column of `width`:
    what a page holds of it, and what goes on over the page. A cut paragraph goes on where its
    line ended, as a paragraph of the next part."""
    head: list[Paragraph] = []
    for n, p in enumerate(paragraphs):
        text = "".join(t for _, t in p)
        starts = metrics.wrap(text, width)
        if len(starts) <= lines:
            head.append(p)
            lines -= len(starts)
            continue
        if lines > 0:
            head.append(_slice(p, 0, starts[lines]))
        rest = _slice(p, starts[lines], len(text)) if lines > 0 else p
        return head, [tidy(rest)] + paragraphs[n + 1:]
    return head, []


def _slice(paragraph: Paragraph, start: int, end: int) -> Paragraph:
    out, at = [], 0
    for bold, text in paragraph:
        a, b = max(start, at), min(end, at + len(text))
        if a < b:
            out.append((bold, text[a - at:b - at]))
        at += len(text)
    return out
