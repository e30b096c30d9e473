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
import time
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait
from pathlib import Path

from ..core.errors import DubanError
from ..core.findings import Finding, finding
from .background import start_method
from .reader import Unreadable, shown_name

# Seconds a worker may go without answering (a chunk of files, or one suspect read alone);
# a unit's workbook reads in milliseconds.
TIME_LIMIT = 30.0
# Seconds a worker may take to start and say it is ready. Not counted against TIME_LIMIT: a
# worker started afresh imports duban first, which on a loaded machine takes seconds, and a
# slow start is no fault of the file it is about to read.
START_LIMIT = 120.0
READY = "ready"
MEMORY_LIMIT = 2 * 1024 ** 3  # bytes of address space per worker


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the time limit still holds
        return
    # A forked worker starts with the parent's address space; the cap is on top of that, or
    # a parent with a large workspace loaded would leave its workers no room at all.
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + limit
    cap = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _address_space() -> int:
    """Bytes of address space this process uses now (Linux; 0 where unknown)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _worker(conn, memory: int, parent: int, job, context) -> None:
    """Run `job(context, path)` on the files the parent sends, a chunk at a time, until
    it sends None; answer each chunk with a list of tuples, one per file. It first tells
    the parent it is ready (started, its context unpickled): only then does its clock start."""
    _limit_memory(memory)
    conn.send(READY)
    while (chunk := _next(conn, parent)) is not None:
        # One answer per chunk, not per file: each answer wakes the parent, and a wake-up per
        # file cost more than the parent's work on it.
        conn.send([_run_one(job, context, index, path) for index, path in chunk])


def _next(conn, parent: int):
    """The parent's next message; None when it says stop, or when it has died. A forked
    worker holds copies of the parent's pipe ends, so it would never see the parent die;
    it checks instead, and leaves when orphaned (the parent was killed)."""
    while not conn.poll(0.5):
        if os.getppid() != parent:
            return None
    return conn.recv()


def _run_one(job, context, index: int, path: str) -> tuple:
    try:
        return ("ok", index, job(context, Path(path)))
    except Unreadable as e:
        return ("unreadable", index, e.finding)
    except MemoryError:
        return ("unreadable", index, finding("too-large:memory", file=shown_name(Path(path))))
    except Exception as e:  # noqa: BLE001 - any reader failure becomes a finding, never a crash
        return ("unreadable", index, finding("corrupt", file=shown_name(Path(path)), value=type(e).__name__))


class WorkersWontStart(DubanError):
    """A worker died or never said it was ready before it was given any file: no file is to
    blame, and reading cannot go on."""

    exit_code = 3


class _Slot:
    """One worker and the files it has been given and not yet answered, in order."""

    def __init__(self, ctx, memory: int, job, context, time_limit: float):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, memory, os.getpid(), job, context), daemon=True)
        self.process.start()
        child.close()
        self.time_limit = time_limit
        self.tasks: deque[tuple[int, str]] = deque()
        self.alone = False  # holds one suspect and nothing else: if it dies, that file did it
        self.ready = False  # it holds the context and waits for files; only then is it given any
        # When the worker must next be heard from: to say it is ready, then to answer the
        # files in hand; None while it is idle.
        self.deadline: float | None = time.monotonic() + START_LIMIT

    def give(self, chunk: list[tuple[int, str]], alone: bool = False) -> None:
        if not self.tasks:  # a chunk given ahead does not restart the clock of the one being read
            self.deadline = time.monotonic() + self.time_limit
        self.tasks.extend(chunk)
        self.alone = alone
        self.conn.send(chunk)

    def heard(self, message) -> list[tuple[int, object]]:
        """(index, result) for each file the worker's message answers (none when it says it is ready)."""
        answers = []
        if message == READY:
            self.ready = True
        else:
            for answer in message:
                self.tasks.popleft()
                answers.append((answer[1], answer[2] if answer[0] == "ok" else Unreadable(answer[2])))
            self.alone = False
        self.deadline = time.monotonic() + self.time_limit if self.tasks else None
        return answers

    def stop(self) -> None:
        """Ask the worker to leave (it finishes the chunk in hand first)."""
        if self.process.is_alive():
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class Workers:
    """The worker processes of one read(), started when it is called: forked where that is
    cheap (Linux), with the context in their memory already; elsewhere started afresh, a
    new interpreter that imports duban and unpickles the job and context."""

    def __init__(self, job, workers: int | None = None, time_limit: float = TIME_LIMIT, memory: int = MEMORY_LIMIT):
        self.job, self.time_limit, self.memory = job, time_limit, memory
        self.ctx = mp.get_context(start_method())
        self.size = max(1, workers or os.cpu_count() or 1)
        self.slots: list[_Slot] = []

    def read(self, paths: list[Path], context=None) -> Iterator[tuple[int, object]]:
        """Run `job(context, path)` on each of `paths`; yields (index, result) as files
        finish, in no particular order. The result is Unreadable when the job raised it, ran
        out of memory, crashed or overran its time. `job` must be a module-level function and
        `context` picklable (Windows starts workers afresh).

        Files go to the workers in small chunks and come back a chunk at a time (fewer round
        trips and wake-ups). When a worker dies or overruns the time limit without answering,
        the files it held are suspects: each is then read again alone, and the one that kills
        its worker (or hangs) alone gets the finding; the others are read as usual."""
        if not paths:
            return
        self.slots = [self._start(context) for _ in range(min(self.size, len(paths)))]
        n = len(self.slots)
        chunk = max(1, min(16, len(paths) // (n * 4)))
        spawn = lambda: self._start(context)  # noqa: E731
        slots = self.slots
        pending = deque((i, str(path)) for i, path in enumerate(paths))
        suspects: deque[tuple[int, str]] = deque()
        while pending or suspects or any(s.tasks for s in slots):
            for slot in (s for s in slots if s.ready):
                if suspects:
                    if not slot.tasks:
                        slot.give([suspects.popleft()], alone=True)
                # The next chunk goes out before the worker runs dry, so it never waits for the parent.
                elif not slot.alone and len(slot.tasks) <= chunk and pending:
                    slot.give([pending.popleft() for _ in range(min(chunk, len(pending)))])
            yield from _collect_ready(slots, spawn, suspects)

    def _start(self, context) -> _Slot:
        return _Slot(self.ctx, self.memory, self.job, context, self.time_limit)

    def close(self) -> None:
        """Stop every worker. One still holding files (the caller stopped reading early) is
        killed: its answers are not wanted. The others are asked to leave and waited for
        until they do, each in its own time: one started afresh may still be importing
        duban, for seconds on a loaded machine, and killing it then would be no better."""
        for slot in self.slots:
            if slot.tasks:
                slot.kill()
            else:
                slot.stop()
        for slot in self.slots:
            slot.process.join(timeout=START_LIMIT)
            if slot.process.is_alive():
                slot.kill()
        self.slots = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_many(paths: list[Path], job, context=None, workers: int | None = None,
              time_limit: float = TIME_LIMIT, memory: int = MEMORY_LIMIT) -> Iterator[tuple[int, object]]:
    """Workers(...).read(paths, context), the workers stopped at the end: see Workers.read."""
    with Workers(job, workers, time_limit, memory) as pool:
        yield from pool.read(paths, context)


def _collect_ready(slots: list[_Slot], spawn, suspects: deque):
    """Wait for the first worker to answer or overrun its deadline; yield what came back."""
    watched = [s for s in slots if s.deadline is not None]
    if not watched:
        return
    timeout = max(0.0, min(s.deadline for s in watched) - time.monotonic())
    ready = wait([s.conn for s in watched], timeout=timeout)
    for i, slot in enumerate(slots):
        if slot not in watched:
            continue
        if slot.conn in ready:
            try:
                message = slot.conn.recv()
            except (EOFError, OSError):  # the worker died: out of memory, or the reader crashed
                _refuse_unready(slot, "退出了")
                slots[i] = spawn()
                yield from _lost(slot, suspects, lambda name: finding("reader-crash", file=name))
                continue
            yield from slot.heard(message)
        elif time.monotonic() > slot.deadline:
            _refuse_unready(slot, f"{START_LIMIT:.0f} 秒内没有启动")
            slots[i] = spawn()
            yield from _lost(slot, suspects, lambda name, limit=slot.time_limit: finding("timeout", file=name, value=f"{limit:.0f}"))


def _refuse_unready(slot: _Slot, what: str) -> None:
    """A worker lost before it was ready had no file: the machine, not a file, is at fault."""
    if not slot.ready:
        slot.kill()
        raise WorkersWontStart(f"读取文件的工作进程{what}，本次没有收集任何文件；请关闭一些程序、稍后重新运行收集。")


def _lost(slot: _Slot, suspects: deque, found: Callable[[str], Finding]):
    """A worker that died or hung: killed. Alone with one file, that file did it and gets
    the finding; otherwise its files are suspects, each to be read again alone."""
    slot.kill()
    if len(slot.tasks) == 1:
        index, path = slot.tasks[0]
        yield index, Unreadable(found(shown_name(Path(path))))
    else:
        suspects.extend(slot.tasks)
