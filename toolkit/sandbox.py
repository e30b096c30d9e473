"""Reading untrusted files in worker processes, each under a memory cap and a time limit.

A returned file may be hostile or just broken: a 1 KB .ods that declares a billion rows, a
fuzzer-made .xls that makes the reader allocate without end, a zip bomb. Each is read in a
worker; a worker that runs out of memory, crashes or overruns its time is killed and
replaced, its file gets a finding, and the other files go on. The workers also put both
cores to use.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from multiprocessing.connection import wait
from pathlib import Path

from .reader import Returned, Unreadable, read_returned

TIME_LIMIT = 30.0  # seconds for one file; a unit's workbook reads in milliseconds
MEMORY_LIMIT = 2 * 1024 ** 3  # bytes of address space per worker


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the time limit still holds
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker(conn, memory: int, parent: int) -> None:
    """Read the files the parent sends until it sends None; answer each with a tuple."""
    _limit_memory(memory)
    while True:
        # A forked worker holds copies of the parent's pipe ends, so it would never see the
        # parent die; it checks instead, and leaves when orphaned (the parent was killed).
        while not conn.poll(0.5):
            if os.getppid() != parent:
                return
        task = conn.recv()
        if task is None:
            return
        index, path, sha = task
        try:
            conn.send(("ok", index, read_returned(Path(path), sha)))
        except Unreadable as e:
            conn.send(("unreadable", index, e.code, str(e)))
        except MemoryError:
            conn.send(("unreadable", index, "too-large", _message(path, "读取时占用内存过多")))
        except Exception as e:  # noqa: BLE001 - any reader failure becomes a finding, never a crash
            conn.send(("unreadable", index, "corrupt", _message(path, f"读取出错：{type(e).__name__}")))


def _message(path, why: str) -> str:
    return f"文件“{Path(path).name}”无法读取（{why}），可能已损坏或不是正常的报送表；请该单位用 Excel/WPS 打开后重新保存发送。"


class _Slot:
    def __init__(self, ctx, memory: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, memory, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[int, str] | None = None
        self.started = 0.0

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


def read_many(tasks: list[tuple[Path, str]], workers: int | None = None, time_limit: float = TIME_LIMIT,
              memory: int = MEMORY_LIMIT) -> Iterator[tuple[int, Returned | Unreadable]]:
    """Read (path, sha256) tasks in worker processes; yields (index, Returned or Unreadable)
    as files finish, in no particular order."""
    if not tasks:
        return
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    n = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    slots = [_Slot(ctx, memory) for _ in range(n)]
    pending = deque(enumerate(tasks))
    try:
        while pending or any(s.task for s in slots):
            for slot in slots:
                if slot.task is None and pending:
                    index, (path, sha) = pending.popleft()
                    slot.task, slot.started = (index, str(path)), time.monotonic()
                    slot.conn.send((index, str(path), sha))
            yield from _collect_ready(ctx, slots, time_limit, memory)
    finally:
        for slot in slots:
            if slot.process.is_alive():
                try:
                    slot.conn.send(None)
                except (BrokenPipeError, OSError):
                    pass
            slot.process.join(timeout=1)
            if slot.process.is_alive():
                slot.kill()


def _collect_ready(ctx, slots: list[_Slot], time_limit: float, memory: int):
    busy = [s for s in slots if s.task]
    now = time.monotonic()
    timeout = max(0.0, min(s.started + time_limit for s in busy) - now)
    ready = wait([s.conn for s in busy], timeout=timeout)
    for i, slot in enumerate(slots):
        if not slot.task:
            continue
        index, path = slot.task
        if slot.conn in ready:
            try:
                message = slot.conn.recv()
            except (EOFError, OSError):  # the worker died: out of memory, or the reader crashed
                yield index, Unreadable("reader-crash", _message(path, "读取时程序异常退出，多半是文件内容异常"))
                slots[i] = _replace(ctx, slot, memory)
                continue
            slot.task = None
            yield index, (message[2] if message[0] == "ok" else Unreadable(message[2], message[3]))
        elif time.monotonic() - slot.started > time_limit:
            yield index, Unreadable("timeout", _message(path, f"超过 {time_limit:.0f} 秒仍未读完"))
            slots[i] = _replace(ctx, slot, memory)


def _replace(ctx, slot: _Slot, memory: int) -> _Slot:
    slot.kill()
    return _Slot(ctx, memory)
