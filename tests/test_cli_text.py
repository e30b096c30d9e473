"""What a clerk sees of the command line itself is Chinese: click's own usage, errors and help
headings, with its did-you-mean kept; commands are listed in the order they are used."""

from __future__ import annotations

import re

import pytest

ENGLISH = re.compile(r"Usage|Options|Commands|Error|No such|Missing|Show this|Did you mean|Example|default:|Invalid")


def test_a_mistyped_option_is_told_in_chinese_with_the_suggestion(run):
    code, out = run("collect", "--dryrun", "收到的文件")
    assert code == 2
    assert "没有 --dryrun 这个选项" in out and "--dry-run" in out and "用法" in out
    assert not ENGLISH.search(out), out


def test_a_mistyped_command_is_told_in_chinese_with_the_suggestion(run):
    code, out = run("summery")
    assert code == 2 and "没有 summery 这个命令" in out and "summary" in out
    assert not ENGLISH.search(out), out


@pytest.mark.parametrize("args, words", [
    (("init",), ["缺少参数", "目录"]),
    (("collect", "x", "--wait", "abc"), ["--wait", "不是数字"]),
    (("init", "d", "--sample", "foo"), ["foo", "heshan-2022"]),
])
def test_missing_and_wrong_values_are_told_in_chinese(run, args, words):
    code, out = run(*args)
    assert code == 2 and all(w in out for w in words), out
    assert not ENGLISH.search(out), out


def test_the_help_is_chinese_and_lists_the_commands_in_the_order_they_are_used(run):
    code, out = run("--help")
    assert code == 0 and "用法" in out and "选项" in out and "命令" in out
    assert not ENGLISH.search(out), out
    listed = re.findall(r"^  (\w+)\s{2,}", out.split("命令")[-1], flags=re.M)
    assert listed == ["init", "import", "generate", "mail", "collect", "status", "summary", "bulletin", "demo"]


@pytest.mark.parametrize("command", ["init", "import", "generate", "mail", "collect", "status", "summary", "bulletin", "demo"])
def test_every_command_s_help_is_chinese(run, command):
    code, out = run(command, "--help")
    assert code == 0 and "用法" in out
    assert not ENGLISH.search(out), out
    assert "目前" not in out  # no stale "for now" promise (demo's help said it only imported)
