"""Stable item keys: an item keeps its key across re-imports of a corrected table, so reports
already merged stay attached to it.

A new item's key is a short hash of where it stands and what it says; an item found again
(same number and title, or the same title, or the same number with a lightly edited title)
takes the old key. Sub-rows are `key.2`, `key.3` … in table order (the item row is `key`).
"""

from __future__ import annotations

import difflib
import hashlib

from .model import Item
from .text import fold

SIMILAR_TITLE = 0.6  # ratio above which an edited title at the same number is the same item


def _identity(item: Item) -> tuple[str, str, str]:
    return (fold(item.category or ""), item.number, fold(item.title))


def _new_key(item: Item, taken: set[str]) -> str:
    seed = "|".join(_identity(item))
    for salt in range(1000):  # a clash (two identical rows, or a hash prefix) takes the next salt
        key = hashlib.sha1(f"{seed}|{salt}".encode("utf-8")).hexdigest()[:6]
        if key not in taken:
            return key
    raise RuntimeError("no free item key")  # 1000 clashes in 16^6 keys cannot happen by chance


def assign_keys(items: list[Item], previous: list[Item]) -> None:
    """Give each item (and its sub-rows) a key, reusing `previous` items' keys where they match."""
    unused = {p.key: p for p in previous}
    by_exact = {(fold(p.category or ""), p.number, fold(p.title)): p.key for p in previous}
    by_title: dict[str, list[str]] = {}
    for p in previous:
        by_title.setdefault(fold(p.title), []).append(p.key)
    pending = []
    for item in items:
        key = by_exact.get(_identity(item))
        if key in unused:
            unused.pop(key)
            item.key = key
        else:
            pending.append(item)
    for item in pending:
        item.key = _match_loosely(item, unused, by_title) or ""
    taken = {i.key for i in items if i.key} | {p.key for p in previous}
    for item in items:
        if not item.key:
            item.key = _new_key(item, taken)
            taken.add(item.key)
        for n, sub in enumerate(item.subrows, start=2):
            sub.key = f"{item.key}.{n}"


def _match_loosely(item: Item, unused: dict[str, Item], by_title: dict[str, list[str]]) -> str | None:
    for key in by_title.get(fold(item.title), []):
        if key in unused:
            unused.pop(key)
            return key
    same_number = [p for p in unused.values() if p.number == item.number and (p.category or "") == (item.category or "")]
    for p in same_number:
        if difflib.SequenceMatcher(None, fold(p.title), fold(item.title)).ratio() >= SIMILAR_TITLE:
            unused.pop(p.key)
            return p.key
    return None
