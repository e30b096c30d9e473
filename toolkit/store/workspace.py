"""The workspace: its folder layout, its duban.toml, and the lock that keeps commands apart.

Layout (CLI.md): duban.toml, master.xlsx, units.xlsx, rounds/R/{outbox,received},
rounds/R/report.xlsx, output/, and .duban/ for the ledger, backups, the secret and the lock.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import shutil
import socket
import time
import tomllib
from contextlib import contextmanager
from pathlib import Path

from ..core import rounds, schema
from ..core.config import Config
from ..core.errors import ConfigError, DubanError, WorkspaceLocked
from ..core.rounds import RESEND_WORKING_DAYS, Round
from .fsutil import writing

CONFIG_NAME = "duban.toml"
MANIFEST = ".generated.json"  # in each outbox: which file was generated for which unit


class SecretMissing(DubanError):
    """.duban/secret is gone or unusable: no workbook can be signed or checked."""

    exit_code = 3


class Workspace:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    # -- layout --------------------------------------------------------------------------
    config_path = property(lambda self: self.root / CONFIG_NAME)
    master_path = property(lambda self: self.root / "master.xlsx")
    units_path = property(lambda self: self.root / "units.xlsx")
    state_dir = property(lambda self: self.root / ".duban")
    ledger_path = property(lambda self: self.state_dir / "ledger.sqlite")
    backups_dir = property(lambda self: self.state_dir / "backups")
    lock_path = property(lambda self: self.state_dir / "lock")
    output_dir = property(lambda self: self.root / "output")

    def round_dir(self, round_name: str) -> Path:
        return self.root / "rounds" / round_name

    def generated_rounds(self) -> list[str]:
        """Names of the rounds whose workbooks were generated (an outbox exists), oldest first."""
        return sorted(p.parent.name for p in self.root.glob("rounds/*/outbox") if rounds.safe_round_name(p.parent.name))

    def generated_at(self, round_name: str) -> dt.datetime | None:
        """When the round's workbooks were last generated (the outbox's manifest), if known."""
        try:
            return dt.datetime.fromisoformat(json.loads((self.round_dir(round_name) / "outbox" / MANIFEST)
                                                        .read_text(encoding="utf-8"))["at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def round(self, name: str | None, cfg: Config | None = None, today: dt.date | None = None) -> Round:
        """The round a command means (core.rounds.resolve): named and listed, or the current one."""
        cfg = cfg or self.config()
        return rounds.resolve(cfg.rounds, name, self.generated_rounds(), today or dt.date.today())

    def secret(self) -> bytes:
        """The key that signs this workspace's workbooks (.duban/secret): its text, however an
        editor saved it again (a BOM, UTF-16, a line end, spaces); a clear error when it is gone."""
        path = self.state_dir / "secret"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SecretMissing("找不到签名密钥 .duban/secret（工作区复制时漏掉了这个隐藏文件夹里的文件，或被删除），无法核对和签署报送表；"
                                "请从原来的电脑或备份中找回该文件，放回工作区的 .duban 文件夹后重新运行"
                                "（不要自己新建：已发出的报送表都用它签名）。") from None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16", errors="replace")
        else:
            text = data.decode("utf-8-sig", errors="replace")
        key = text.strip().strip("\ufeff").strip()
        if not key or not key.isascii() or any(c.isspace() for c in key):
            raise SecretMissing("签名密钥 .duban/secret 的内容被改坏了（应是一行字母和数字），无法核对和签署报送表；"
                                "请从原来的电脑或备份中找回原文件放回 .duban 文件夹后重新运行。")
        return key.encode("ascii")

    def exists(self) -> bool:
        return self.config_path.is_file()

    @classmethod
    def open(cls, root) -> "Workspace":
        """An existing workspace; a clear error when the folder is not one."""
        ws = cls(Path(root))
        if not ws.exists():
            raise ConfigError(f"“{ws.root}”不是 duban 工作区（没有 {CONFIG_NAME}）；请先运行 duban init 建立工作区，或用 -w 指定工作区文件夹。")
        return ws

    def config(self) -> Config:
        return config_from_dict(self.config_data())

    def config_data(self) -> dict:
        """duban.toml as TOML data, in whatever encoding Notepad saved it (read_config_text)."""
        try:
            return tomllib.loads(read_config_text(self.config_path)[0])
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{CONFIG_NAME} 格式有误（{toml_error_where(e)}）；请改正该行，或从 .duban/backups 中找回上一版。") from e

    # -- the lock ------------------------------------------------------------------------
    @contextmanager
    def lock(self, command: str, wait: float = 0.0):
        """Hold the workspace lock for the block; a lock left by a dead process is taken over.
        A workspace that cannot be written (read-only, no permission, disk full) stops here,
        before anything is done: CannotWrite, saying what still works without writing."""
        deadline = time.monotonic() + wait
        while not self._take_lock(command):
            holder = self._lock_holder()
            if holder is not None and _is_stale(holder, self._lock_age()):
                self._break_stale_lock()
                continue
            if time.monotonic() >= deadline:
                raise WorkspaceLocked(_locked_message(holder))
            time.sleep(0.2)
        self._sweep_temp_files()
        try:
            yield self
        finally:
            self.lock_path.unlink(missing_ok=True)

    def _sweep_temp_files(self) -> None:
        """Temporary files of a writer killed before its rename (fsutil.atomic_path names them
        .<name>.….tmp); holding the lock, no other duban writes them now."""
        for pattern in (".*.tmp", "rounds/*/.*.tmp", "rounds/*/received/.*.tmp", "output/.*.tmp", ".duban/.*.tmp",
                        ".duban/backups/.*.tmp", ".duban/backups/.*.tmp-journal"):
            for stale in self.root.glob(pattern):
                stale.unlink(missing_ok=True)
        for staging in self.root.glob("rounds/*/.outbox-*"):  # generate's half-built outboxes
            shutil.rmtree(staging, ignore_errors=True)

    def _take_lock(self, command: str) -> bool:
        todo = (f"duban {command} 要写入工作区：请把工作区复制到可写的位置（或取得写权限、腾出磁盘空间）后重新运行；"
                "只是查看的话，duban status 和 duban summary -o 另存的文件名 在只读的工作区里也能用")
        with writing(self.lock_path, todo):
            self.state_dir.mkdir(parents=True, exist_ok=True)
            return self._try_lock(command)

    def _try_lock(self, command: str) -> bool:
        try:
            fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                "since": dt.datetime.now().isoformat(timespec="seconds")}
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(info, f, ensure_ascii=False)
        except BaseException:  # a full disk: no half-written lock left to block the next run
            self.lock_path.unlink(missing_ok=True)
            raise
        return True

    def _lock_age(self) -> float:
        try:
            return time.time() - self.lock_path.stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def _lock_holder(self) -> dict | None:
        try:
            return json.loads(self.lock_path.read_text(encoding="utf-8") or "{}")
        except FileNotFoundError:
            return None
        except (ValueError, OSError):
            return {}  # half-written by a process killed while taking it

    def _break_stale_lock(self) -> None:
        # Renaming is atomic: of two processes that both saw the stale lock, one moves it and
        # the other finds it gone, so only one of them breaks it.
        try:
            os.replace(self.lock_path, self.state_dir / f"lock.stale.{os.getpid()}")
            (self.state_dir / f"lock.stale.{os.getpid()}").unlink(missing_ok=True)
        except FileNotFoundError:
            pass


def _is_stale(holder: dict, age: float) -> bool:
    if not holder:
        # Empty: either a process killed between creating the file and writing it, or one
        # that is writing it right now. Only the first is still empty seconds later.
        return age > 5
    if holder.get("host") != socket.gethostname():
        return False  # a process on another computer (shared folder): we cannot tell, so wait
    return not _pid_alive(int(holder.get("pid", 0)))


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _locked_message(holder: dict | None) -> str:
    who = ""
    if holder:
        who = f"（{holder.get('command', '?')}，进程 {holder.get('pid', '?')}，开始于 {holder.get('since', '?')}）"
    return f"工作区正被另一个 duban 命令使用{who}；请等它结束后再运行，或加 --wait 秒数 等待。"


def read_config_text(path: Path) -> tuple[str, str]:
    """duban.toml's text and the encoding it was saved in, so that a rewrite keeps it: UTF-8,
    with or without the BOM Notepad puts before it ("utf-8-sig"), Notepad's "Unicode"
    (UTF-16 with its BOM), or Chinese Windows' ANSI (GBK, read as its superset GB18030)."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        tries = ["utf-16"]
    elif data.startswith(codecs.BOM_UTF8):
        tries = ["utf-8-sig"]
    else:
        tries = ["utf-8", "gb18030"]
    for encoding in tries:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"{CONFIG_NAME} 的文字编码无法识别；请用记事本打开它，“另存为”时编码选 UTF-8 后保存。")


def toml_error_where(e: Exception) -> str:
    """tomllib's "Invalid value (at line 3, column 9)" as 第 3 行第 9 列：Invalid value."""
    text = str(e)
    m = re.search(r"\(at line (\d+), column (\d+)\)", text)
    if not m:
        return text
    return f"第 {m.group(1)} 行第 {m.group(2)} 列：{text[:m.start()].strip()}"


# Top-level keys and what each must be: (type, how the clerk writes it). [report] and [summary]
# are checked where they are read, [mail] by duban mail.
_TEXT = (str, "加引号的文字，例如 {key} = \"{example}\"")
_KEYS = {
    "title": (_TEXT, "2022年重点工作任务"), "workspace_id": (_TEXT, "…"), "source": (_TEXT, "分解表.xlsx"),
    "sheet": (_TEXT, "Sheet1"), "contact": (_TEXT, "督查室 张三 0759-1234567"), "done_status": (_TEXT, "已完成"),
}
_STATUS_LIST = '["已完成", "基本按进度完成", "未按进度完成", "暂缓实施"]'


def _wrong(key: str, should: str, value) -> ConfigError:
    return ConfigError(f"{CONFIG_NAME} 中 {key} 应是{should}，现在写的是 {_as_written(value)}；请改正后重新运行。")


def _as_written(value) -> str:
    """A value roughly as it stands in duban.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "一节 [" + "、".join(map(str, value)) + "]" if value else "空的一节"
    if isinstance(value, list | str):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _check_types(data: dict) -> None:
    """Every top-level key of duban.toml has the type duban needs, or one Chinese sentence
    naming the key and what it should be (a status list written as one word would otherwise
    be read letter by letter, and every unit's status rejected)."""
    for key, ((kind, how), example) in _KEYS.items():
        if key in data and not isinstance(data[key], kind):
            raise _wrong(key, how.format(key=key, example=example), data[key])
    year = data.get("year", 0)
    if isinstance(year, bool) or not isinstance(year, int):
        raise _wrong("year", "不带引号的年份数字，例如 year = 2022", year)
    days = data.get("resend_days", 0)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise _wrong("resend_days", "不带引号的天数，例如 resend_days = 2", days)
    for key in ("statuses", "problem_statuses"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            example = _STATUS_LIST if key == "statuses" else '["未按进度完成", "暂缓实施"]'
            raise _wrong(key, f"方括号里加引号、用逗号隔开的列表，例如 {key} = {example}", value)
    if "statuses" in data and not data["statuses"]:
        raise _wrong("statuses", f"至少有一项的列表，例如 statuses = {_STATUS_LIST}", [])
    for key, example in (("mapping", "[mapping] 下写 title = \"事项\""), ("report", "[report]"), ("mail", "[mail]"),
                         ("checks", "[checks]")):
        if key in data and not isinstance(data[key], dict):
            raise _wrong(key, f"以 [{key}] 开头的一节（例如 {example}）", data[key])
    for role, header in data.get("mapping", {}).items():
        if not isinstance(header, str):
            raise _wrong(f"[mapping] 的 {role}", f"加引号的列名，例如 {role} = \"事项\"", header)
    flag = data.get("report", {}).get("cooperating_units_report", False)
    if not isinstance(flag, bool):
        raise _wrong("[report] 的 cooperating_units_report", "不带引号的 true 或 false", flag)
    rounds = data.get("rounds", [])
    if not isinstance(rounds, list) or not all(isinstance(r, dict) for r in rounds):
        raise _wrong("rounds", "若干以 [[rounds]] 开头的小节，每节写 due = 2022-04-03 和 label = \"第一次报送\"", rounds)
    for r in rounds:
        if not isinstance(r.get("label", ""), str):
            raise _wrong("[[rounds]] 的 label", "加引号的名称，例如 label = \"第一次报送\"", r["label"])


def _due_date(due) -> dt.date:
    if isinstance(due, dt.datetime):
        return due.date()
    if isinstance(due, str):
        try:
            return dt.date.fromisoformat(due.strip())
        except ValueError:
            pass
    if isinstance(due, dt.date):
        return due
    written = "（没有写）" if due is None else f"“{due}”"
    raise ConfigError(f"{CONFIG_NAME} 中报送轮次的截止日期{written}不是日期；请写成 due = 2022-04-03 的形式。")


def config_from_dict(data: dict) -> Config:
    _check_types(data)
    rounds = [Round(_due_date(r.get("due")), r.get("label", "")) for r in data.get("rounds", [])]
    report = data.get("report", {})
    headers = _report_headers(report.get("headers", {}))
    report_fields = _field_roles(report.get("fields", list(schema.REPORT_ROLES)), headers, "fields")
    signoff_fields = _field_roles(report.get("signoff", list(schema.SIGNOFF_ROLES)), headers, "signoff")
    cfg = Config(
        title=data.get("title", ""), year=data.get("year"), workspace_id=data.get("workspace_id", ""),
        source=data.get("source", ""), sheet=data.get("sheet", ""), mapping=dict(data.get("mapping", {})),
        statuses=list(data.get("statuses", schema.DEFAULT_STATUSES)),
        done_status=data.get("done_status", schema.DONE_STATUS),
        problem_statuses=list(data.get("problem_statuses", schema.PROBLEM_STATUSES)),
        report_fields=report_fields, signoff_fields=signoff_fields, headers=headers,
        cooperating_units_report=bool(report.get("cooperating_units_report", False)),
        contact=data.get("contact", ""), resend_days=data.get("resend_days", RESEND_WORKING_DAYS),
        rounds=sorted(rounds, key=lambda r: r.due), mail=dict(data.get("mail", {})),
        **_checks(data.get("checks", {})),
    )
    _check_headers(cfg, cfg.report_fields)
    _check_headers(cfg, cfg.signoff_fields)
    return cfg


# [checks] key → (Config field, the schema's phrases it extends, an example of a local phrase)
_CHECK_WORDS = {
    "under_way": ("under_way_words", schema.UNDER_WAY_WORDS, "待验收"),
    "not_under_way": ("not_under_way_words", schema.NOT_UNDER_WAY_WORDS, "正在试运行"),
    "done_words": ("done_words", schema.DONE_WORDS, "已揭牌"),
}


def _checks(table: dict) -> dict[str, list[str]]:
    """[checks]: phrases a workspace adds to the schema's (never replaces: a clerk adding one
    local word should not lose the common ones)."""
    out = {}
    for key, words in table.items():
        if key not in _CHECK_WORDS:
            raise ConfigError(f"{CONFIG_NAME} 的 [checks] 中“{key}”不是可用的设置；只能写：{'、'.join(_CHECK_WORDS)}。")
        name, base, example = _CHECK_WORDS[key]
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise _wrong(f"[checks] 的 {key}", f"方括号里加引号、用逗号隔开的说法，例如 {key} = [\"{example}\"]", words)
        short = [w.strip() for w in words if len(w.strip()) < 2]
        if short:  # one character is in too many words: 待 in 待遇, 拟 in 拟批项目
            raise ConfigError(f"{CONFIG_NAME} 的 [checks] 中 {key} 的“{short[0]}”只有一个字，会在许多无关的词里出现；"
                              f"请写成两个字以上的说法，例如“{example}”。")
        out[name] = list(dict.fromkeys([*base, *(w.strip() for w in words)]))
    return out


_ROLE_LIST = "、".join(f"{role}（{header}）" for role, header in schema.DEFAULT_HEADERS.items())


def _report_headers(table) -> dict[str, str]:
    """[report.headers]: role → the header units see instead of the default one."""
    if not isinstance(table, dict):
        raise ConfigError(f"{CONFIG_NAME} 中 [report.headers] 应是一节，每行写成 status = \"状态\" 的形式；请改正。")
    for role, header in table.items():
        if role not in schema.DEFAULT_HEADERS:
            raise ConfigError(f"{CONFIG_NAME} 的 [report.headers] 中“{role}”不是报送栏目；左边只能写：{_ROLE_LIST}。")
        if not isinstance(header, str) or not header.strip():
            raise ConfigError(f"{CONFIG_NAME} 的 [report.headers] 中 {role} 应是加引号的列名，例如 {role} = \"{schema.DEFAULT_HEADERS[role]}\"。")
    return {role: header.strip() for role, header in table.items()}


def _field_roles(names, headers: dict[str, str], key: str) -> list[str]:
    """The roles [report] fields/signoff list, in order. Each entry is a role (the form new
    workspaces are written in) or a header (the older form: 进展情况 …, by the default names);
    any other word is a column of the workspace's own, kept under its own name."""
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        example = '["progress", "status"]' if key == "fields" else '["filled_by", "approved_by"]'
        raise ConfigError(f"{CONFIG_NAME} 的 [report] 中 {key} 应写成列表，例如 {key} = {example}。")
    known = {header: role for role, header in headers.items()}
    return list(dict.fromkeys(schema.report_role(n, known) for n in names))


# The locked columns' headers: a report field under one of them would be read as that column.
_RESERVED = {header: None for _, header, _ in schema.READ_ONLY} | {schema.KEY_HEADER: None}


def _check_headers(cfg: Config, roles: list[str]) -> None:
    """Two fields under one header could not be told apart in a returned workbook."""
    seen: dict[str, str | None] = dict(_RESERVED)
    for role in roles:
        header = cfg.header(role)
        if header in seen and seen[header] is None:
            raise ConfigError(f"{CONFIG_NAME} 中 {_named(role)} 的列名“{header}”与报送表中锁定的列同名，退回的表中无法区分；请在 [report.headers] 中改用别的列名。")
        if header in seen:
            raise ConfigError(f"{CONFIG_NAME} 中 {_named(seen[header])} 和 {_named(role)} 的列名都是“{header}”，退回的表中无法区分；请在 [report.headers] 中改用不同的列名。")
        seen[header] = role


def _named(role: str) -> str:
    return f"{role}（{schema.DEFAULT_HEADERS[role]}）" if role in schema.DEFAULT_HEADERS else f"“{role}”"


def default_rounds(year: int) -> list[Round]:
    """Six rounds as the Zhanjiang notice fixes them; the last on 1月3日 of the next year."""
    out = []
    for (month, day), label in zip(schema.DEFAULT_ROUND_DAYS, schema.ROUND_LABELS):
        out.append(Round(dt.date(year + (1 if month == 1 else 0), month, day), label))
    return out

