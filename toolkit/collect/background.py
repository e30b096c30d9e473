"""One function run in a forked child while the parent goes on, where forking is cheap.

collect's last steps ran on one core while the other waited: report.xlsx and the master
update do not depend on each other, so the report is written beside the master. Where
processes start afresh (Windows, macOS; DUBAN_START=spawn in tests) a new process costs
more than a report, so there the function simply runs at once.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys


def start_method() -> str:
    """How new processes start here: fork is cheap on Linux; Windows and macOS start them
    afresh (DUBAN_START=spawn tests that path on Linux)."""
    return os.environ.get("DUBAN_START") or ("fork" if sys.platform.startswith("linux") else "spawn")


class Background:
    """`fn(*args)` started now; result() waits for it and returns its value or raises its error."""

    def __init__(self, fn, *args):
        self._fn, self._args, self._process = fn, args, None
        if start_method() != "fork":
            self._outcome = _call(fn, args)
            return
        ctx = mp.get_context("fork")
        self._conn, child = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
        self._process.start()
        child.close()

    def cancel(self) -> None:
        """Stop the child if it still runs (its result is no longer wanted)."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._conn.close()
            self._process = None
            self._outcome = ("error", RuntimeError("cancelled"))

    def result(self):
        if self._process is not None:
            try:
                self._outcome = self._conn.recv()
            except EOFError:  # the child died before answering (killed, out of memory): done here
                self._outcome = _call(self._fn, self._args)
            finally:
                self._process.join()
                self._conn.close()
                self._process = None
        status, value = self._outcome
        if status == "error":
            raise value
        return value


def _call(fn, args) -> tuple[str, object]:
    try:
        return "ok", fn(*args)
    except Exception as e:  # noqa: BLE001 - handed to result(), which raises it in the caller
        return "error", e


def _child(conn, fn, args) -> None:
    outcome = _call(fn, args)
    try:
        conn.send(outcome)
    except Exception as e:  # noqa: BLE001 - an error that does not pickle still gets back
        conn.send(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({e})")))
