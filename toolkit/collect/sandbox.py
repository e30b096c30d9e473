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
import pickle
import time
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait
from pathlib import Path

from ..core.findings import Finding, finding
from .background import start_method
from .reader import Unreadable

# Seconds a worker may go without answering (a chunk of files, or one suspect read alone);
# a unit's workbook reads in milliseconds.
TIME_LIMIT = 30.0
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


def _worker(conn, memory: int, parent: int, job, context, awaiting: bool = False) -> None:
    """Run `job(context, path)` on the files the parent sends, a chunk at a time, until
    it sends None; answer each chunk with a list of tuples, one per file. A worker started
    before the context existed (awaiting) is sent ("context", context) first, pickled."""
    _limit_memory(memory)
    while True:
        # A forked worker holds copies of the parent's pipe ends, so it would never see the
        # parent die; it checks instead, and leaves when orphaned (the parent was killed).
        while not conn.poll(0.5):
            if os.getppid() != parent:
                return
        if awaiting:
            message = pickle.loads(conn.recv_bytes())
            if message is None:  # stopped before there was anything to read
                return
            context, awaiting = message[1], False
            continue
        chunk = conn.recv()
        if chunk is None:
            return
        # One answer per chunk, not per file: each answer wakes the parent, and a wake-up per
        # file cost more than the parent's work on it.
        conn.send([_run_one(job, context, index, path) for index, path in chunk])


def _run_one(job, context, index: int, path: str) -> tuple:
    try:
        return ("ok", index, job(context, Path(path)))
    except Unreadable as e:
        return ("unreadable", index, e.finding)
    except MemoryError:
        return ("unreadable", index, finding("too-large:memory", file=Path(path).name))
    except Exception as e:  # noqa: BLE001 - any reader failure becomes a finding, never a crash
        return ("unreadable", index, finding("corrupt", file=Path(path).name, value=type(e).__name__))


class _Slot:
    """One worker and the files it has been given and not yet answered, in order."""

    def __init__(self, ctx, memory: int, job, context, awaiting: bool = False):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, memory, os.getpid(), job, context, awaiting), daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[tuple[int, str]] = deque()
        self.alone = False  # holds one suspect and nothing else: if it dies, that file did it
        self.started = 0.0  # when the worker last answered, or was given work while idle

    def give(self, chunk: list[tuple[int, str]], alone: bool = False) -> None:
        if not self.tasks:  # a chunk given ahead does not restart the clock of the one being read
            self.started = time.monotonic()
        self.tasks.extend(chunk)
        self.alone = alone
        self.conn.send(chunk)

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
    """The worker processes of one read(). Where a process starts afresh (Windows, macOS:
    a new interpreter imports duban and unpickles its job, a quarter of a second each),
    warm() starts them at once, so they start up while the caller prepares what they will
    need; the context then follows through the pipe. Where they fork, they are forked when
    read() is called, with the context in their memory already."""

    def __init__(self, job, workers: int | None = None, time_limit: float = TIME_LIMIT, memory: int = MEMORY_LIMIT):
        self.job, self.time_limit, self.memory = job, time_limit, memory
        self.ctx = mp.get_context(start_method())
        self.size = max(1, workers or os.cpu_count() or 1)
        self.slots: list[_Slot] = []
        self._context: bytes | None = None  # pickled once, for every worker started afresh

    def warm(self, count: int | None = None) -> Workers:
        """Start the workers now where they start afresh (`count` of them, at most the pool's size)."""
        if self.ctx.get_start_method() != "fork" and not self.slots:
            self.slots = [self._afresh() for _ in range(min(self.size, count or self.size))]
        return self

    def _afresh(self) -> _Slot:
        """A worker started afresh, to be sent the context when it exists."""
        return _Slot(self.ctx, self.memory, self.job, None, awaiting=True)

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
        if self.ctx.get_start_method() == "fork":
            self.slots = [self._start(context) for _ in range(min(self.size, len(paths)))]
        else:
            self._context = pickle.dumps(("context", context), protocol=pickle.HIGHEST_PROTOCOL)
            self.warm(len(paths))  # not warmed before: no more workers than files
            for slot in self.slots:
                slot.conn.send_bytes(self._context)
        n = len(self.slots)
        chunk = max(1, min(16, len(paths) // (n * 4)))
        spawn = lambda: self._start(context)  # noqa: E731
        slots = self.slots
        pending = deque((i, str(path)) for i, path in enumerate(paths))
        suspects: deque[tuple[int, str]] = deque()
        while pending or suspects or any(s.tasks for s in slots):
            for slot in slots:
                if suspects:
                    if not slot.tasks:
                        slot.give([suspects.popleft()], alone=True)
                # The next chunk goes out before the worker runs dry, so it never waits for the parent.
                elif not slot.alone and len(slot.tasks) <= chunk and pending:
                    slot.give([pending.popleft() for _ in range(min(chunk, len(pending)))])
            yield from _collect_ready(slots, self.time_limit, spawn, suspects)

    def _start(self, context) -> _Slot:
        if self.ctx.get_start_method() == "fork":
            return _Slot(self.ctx, self.memory, self.job, context)
        slot = self._afresh()
        slot.conn.send_bytes(self._context)
        return slot

    def close(self) -> None:
        """Stop every worker: all are asked first, then waited for (each takes a moment to
        leave, and they leave together)."""
        for slot in self.slots:
            slot.stop()
        for slot in self.slots:
            slot.process.join(timeout=1)
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


def _collect_ready(slots: list[_Slot], time_limit: float, spawn, suspects: deque):
    busy = [s for s in slots if s.tasks]
    if not busy:
        return
    timeout = max(0.0, min(s.started + time_limit for s in busy) - time.monotonic())
    ready = wait([s.conn for s in busy], timeout=timeout)
    for i, slot in enumerate(slots):
        if not slot.tasks:
            continue
        if slot.conn in ready:
            try:
                answers = slot.conn.recv()
            except (EOFError, OSError):  # the worker died: out of memory, or the reader crashed
                slots[i] = spawn()
                yield from _lost(slot, suspects, lambda name: finding("reader-crash", file=name))
                continue
            slot.started = time.monotonic()
            for message in answers:
                slot.tasks.popleft()
                yield message[1], (message[2] if message[0] == "ok" else Unreadable(message[2]))
            slot.alone = False
        elif time.monotonic() - slot.started > time_limit:
            slots[i] = spawn()
            yield from _lost(slot, suspects, lambda name: finding("timeout", file=name, value=f"{time_limit:.0f}"))


def _lost(slot: _Slot, suspects: deque, found: Callable[[str], Finding]):
    """A worker that died or hung: killed. Alone with one file, that file did it and gets
    the finding; otherwise its files are suspects, each to be read again alone."""
    slot.kill()
    if len(slot.tasks) == 1:
        index, path = slot.tasks[0]
        yield index, Unreadable(found(Path(path).name))
    else:
        suspects.extend(slot.tasks)
