"""What a 进展情况 text says about its row: that the work is still under way, or that it is done.

A unit picks 完成状态 from a list and writes 进展情况 freely; collect warns where the two
disagree (已完成 over a text about work going on, 未按进度完成 over a text about work finished).
Real texts mix both: Heshan's 已完成 rows say “厂房已封顶，正在进行内部装修”, its 未按进度完成
rows “主体工程建设已完成，正在进行桥面及附属工程建设”. So a text says one thing only as a
whole: at least half of its sentences say it and none says the other. Pure; the phrases are
the schema's, extended by duban.toml's [checks].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import schema

# Sentences end at these (a comma does not end one: “X已封顶，正在装修” is one statement).
_SENTENCE_END = re.compile(r"[。；;！!？?\r\n]+")
# What negates a done phrase just before it: 尚未全部完成, 未能顺利完成, 没有完成.
_NEGATION = re.compile(r"[未没不无]")
# A share later in the same clause makes a done phrase partial: 已完成98%, 已完成年度目标的80%.
_SHARE = re.compile(r"[^，,。；;！!？?\r\n]*?(\d+(\.\d+)?\s*[%％]|百分之|[一二三四五六七八九]成)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Wording:
    under_way: tuple[str, ...] = schema.UNDER_WAY_WORDS
    not_under_way: tuple[str, ...] = schema.NOT_UNDER_WAY_WORDS
    done: tuple[str, ...] = schema.DONE_WORDS

    def says_under_way(self, text: str) -> str | None:
        """The sentence (the first) by which `text` says the work is still going on, if it does."""
        return _verdict(self, text, under_way=True)

    def says_done(self, text: str) -> str | None:
        """The sentence (the first) by which `text` says the work is finished, if it does."""
        return _verdict(self, text, under_way=False)


def _verdict(w: Wording, text: str, under_way: bool) -> str | None:
    sentences = [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]
    if not sentences:
        return None
    pattern = _patterns(w)
    hits = [[_under_way(pattern, s), _done(pattern, s)] for s in sentences]
    mine, other = (0, 1) if under_way else (1, 0)
    saying = [s for s, h in zip(sentences, hits) if h[mine]]
    if not saying or any(h[other] for h in hits) or 2 * len(saying) < len(sentences):
        return None
    return saying[0]


@lru_cache(maxsize=8)
def _patterns(w: Wording) -> tuple[re.Pattern, re.Pattern, re.Pattern | None]:
    def alternation(words):
        # Longest first: 已完成 is tried before a shorter word it contains.
        return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))
    masked = re.compile(alternation(w.not_under_way)) if w.not_under_way else None
    return re.compile(alternation(w.under_way)), re.compile(alternation(w.done)), masked


def _under_way(pattern, sentence: str) -> bool:
    under_way, _, masked = pattern
    if masked is not None:
        sentence = masked.sub(lambda m: "\u3000" * len(m.group()), sentence)
    for m in under_way.finditer(sentence):
        if m.group().endswith("中") and _CJK.match(sentence, m.end()):
            continue  # 建设中欧, 推进中心: the 中 belongs to the next word
        return True
    return False


def _done(pattern, sentence: str) -> bool:
    _, done, _ = pattern
    for m in done.finditer(sentence):
        if _NEGATION.search(sentence, max(0, m.start() - 2), m.start()):
            continue
        if _SHARE.match(sentence, m.end()):
            continue
        return True
    return False
