"""What a 进展情况 text says about its row: that the work is still under way, or that it is done.

A unit picks 完成状态 from a list and writes 进展情况 freely; collect warns where the two
disagree (已完成 over a text about work going on, 未按进度完成 over a text about work finished).
Real texts mix both: Heshan's 已完成 rows say “厂房已封顶，正在进行内部装修”, its 未按进度完成
rows “主体工程建设已完成，正在进行桥面及附属工程建设”. So a text says one thing only as a
whole: at least half of its sentences say it and none says the other; work is only going on
where nothing at all is reported achieved (已…, …完成). And a plan to start work (6月底前开始
动工建设) is met by work going on. Pure; the phrases are the schema's, extended by duban.toml's
[checks].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import schema

# Sentences end at these (a comma does not end one: “X已封顶，正在装修” is one statement).
_SENTENCE_END = re.compile(r"[。；;！!？?\r\n]+")
# What negates a phrase just before it: 尚未全部完成, 未能顺利完成, 没有完成.
_NEGATION = re.compile(r"[未没不无]")
# A share later in the same clause makes a done phrase partial: 已完成98%, 已完成年度目标的80%.
_SHARE = re.compile(r"[^，,。；;！!？?\r\n]*?(\d+(\.\d+)?\s*[%％]|百分之|[一二三四五六七八九]成)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Wording:
    under_way: tuple[str, ...] = schema.UNDER_WAY_WORDS
    not_under_way: tuple[str, ...] = schema.NOT_UNDER_WAY_WORDS
    done: tuple[str, ...] = schema.DONE_WORDS
    achieved: tuple[str, ...] = schema.ACHIEVED_MARKS
    ongoing_plan: tuple[str, ...] = schema.ONGOING_PLAN_WORDS

    def says_under_way(self, text: str) -> str | None:
        """The sentence (the first) by which `text` says the work is still going on, if it does."""
        sentences = _sentences(text)
        saying = [s for s in sentences if _under_way(self, s)]
        if any(_found(_pattern(self.done + self.achieved), s) for s in sentences):
            return None
        return _enough(saying, sentences)

    def says_done(self, text: str) -> str | None:
        """The sentence (the first) by which `text` says the work is finished, if it does."""
        sentences = _sentences(text)
        saying = [s for s in sentences if _found(_pattern(self.done), s, whole=True)]
        if any(_under_way(self, s) for s in sentences):
            return None
        return _enough(saying, sentences)

    def plan_wants_work_going(self, plan: str) -> bool:
        """The plan asks for work to start or go on (开工, 开展 …): work going on meets it."""
        return any(word in (plan or "") for word in self.ongoing_plan)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]


def _enough(saying: list[str], sentences: list[str]) -> str | None:
    """The first of `saying` if they are at least half of the sentences."""
    return saying[0] if saying and 2 * len(saying) >= len(sentences) else None


@lru_cache(maxsize=32)
def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    # Longest first: a phrase is tried before a shorter one it contains.
    return re.compile("|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))) if words else None


def _under_way(w: Wording, sentence: str) -> bool:
    masked = _pattern(w.not_under_way)
    if masked is not None:
        sentence = masked.sub(lambda m: "\u3000" * len(m.group()), sentence)
    for m in _pattern(w.under_way).finditer(sentence):
        if m.group().endswith("中") and _CJK.match(sentence, m.end()):
            continue  # 建设中欧, 推进中心: the 中 belongs to the next word
        return True
    return False


def _found(pattern: re.Pattern | None, sentence: str, whole: bool = False) -> bool:
    """A phrase of `pattern` not negated; with `whole`, nor followed by a share of the work."""
    for m in pattern.finditer(sentence) if pattern else ():
        if _NEGATION.search(sentence, max(0, m.start() - 2), m.start()):
            continue
        if whole and _SHARE.match(sentence, m.end()):
            continue
        return True
    return False
