"""Background: a function run in a forked child gives back its value or its error, and a
child that dies is not a lost result."""

from __future__ import annotations

import os
import signal

import pytest

from toolkit.collect.background import Background
from toolkit.store.fsutil import FileBusy


def _pid_and(x):
    return os.getpid(), x * 2


def _busy():
    raise FileBusy("文件“report.xlsx”正被其他程序打开")


def _dies_in_a_child(parent):
    if os.getpid() != parent:  # the forked child is killed; the parent does it itself
        os.kill(os.getpid(), signal.SIGKILL)
    return "done here"


def test_the_value_comes_back_from_a_forked_child(monkeypatch):
    monkeypatch.delenv("DUBAN_START", raising=False)
    pid, value = Background(_pid_and, 21).result()
    assert value == 42 and pid != os.getpid()


def test_an_error_is_raised_in_the_caller_with_its_type_and_exit_code(monkeypatch):
    monkeypatch.delenv("DUBAN_START", raising=False)
    with pytest.raises(FileBusy) as e:
        Background(_busy).result()
    assert e.value.exit_code == 3 and "report.xlsx" in str(e.value)


def test_a_child_that_dies_is_done_again_in_the_caller(monkeypatch):
    monkeypatch.delenv("DUBAN_START", raising=False)
    assert Background(_dies_in_a_child, os.getpid()).result() == "done here"


def test_where_processes_start_afresh_it_runs_at_once(monkeypatch):
    monkeypatch.setenv("DUBAN_START", "spawn")
    assert Background(_pid_and, 1).result() == (os.getpid(), 2)
    with pytest.raises(FileBusy):
        Background(_busy).result()
