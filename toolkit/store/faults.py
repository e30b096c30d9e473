"""Crash points for the crash tests: DUBAN_FAULT=<name> kills the process there with SIGKILL.

Tests use it to show that a collect killed at any of these points leaves master.xlsx whole
(old or new) and that the next run ends in the state of a run never interrupted. Outside
tests the variable is unset and a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal


def point(name: str) -> None:
    if os.environ.get("DUBAN_FAULT") == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
