"""mail: each unit's workbook by e-mail, as Outlook drafts (.eml) or sent through SMTP.

Three kinds of letter (邮件):
- notice (报送通知): the round's generated workbook, rounds/R/outbox/, to every unit;
- reminder (催报, --only-missing): the workbook again, to the units with no accepted file yet;
- correction (退回修改, --corrections): to each unit whose latest file had rows rejected, its
  correction list (the findings the ledger stored for that file, laid out as in report.xlsx),
  with the errors listed in the body.

Every message sent is recorded in the ledger's mail_log, so a second run sends only what the
first did not: a unit is never mailed twice for the same round and file (--resend forces it),
and one unit's failure is retried later without mailing the others again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.assign import items_of, unit_rows
from ..core.dates import format_cn
from ..core.errors import ConfigError
from ..core.findings import Finding
from ..core.state import missing_units, unit_states
from ..store.configfile import DEFAULT_SUBJECTS
from ..store.fsutil import atomic_path, safe_file_name
from ..store.ledger import Ledger
from ..store.report import correction_notice, item_title
from ..store.units import Unit, read_units, resolve
from ..store.workspace import MANIFEST, Round, Workspace
from . import message as mailmsg
from .send import ServerUnreachable, SmtpSession, failure_message, refusals
from .sheet import correction_workbook

KINDS = ("notice", "reminder", "correction")
TEMPLATE = {"notice": "mail_round.txt", "reminder": "mail_reminder.txt", "correction": "mail_correction.txt"}
KIND_CN = {"notice": "报送通知", "reminder": "催报", "correction": "退回修改"}
DRAFT_PREFIX = KIND_CN  # a draft's file name starts with its kind, in Chinese
RESULT_CN = {"draft": "已写草稿", "sent": "已发送", "already-sent": "此前已发送", "failed": "失败", "no-address": "没有邮箱"}
NO_ADDRESS = "units.xlsx 中没有填写电子邮箱"
SUBJECT_KEYS = {"notice": "subject", "reminder": "reminder_subject", "correction": "correction_subject"}


@dataclass
class MailSettings:
    """duban.toml's [mail] table; keys absent from older workspaces take these defaults."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    security: str = "none"  # none | ssl | starttls
    user: str = ""
    password_env: str = "DUBAN_SMTP_PASSWORD"
    sender: str = "督查室 <duchashi@example.gov.cn>"
    subjects: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SUBJECTS))
    pause: float = 2.0  # seconds between messages: a burst of 60 looks like spam to some servers
    timeout: float = 30.0

    @classmethod
    def from_config(cls, table: dict) -> MailSettings:
        s = cls()
        for key in ("smtp_host", "security", "user", "password_env", "sender"):
            setattr(s, key, str(table.get(key, getattr(s, key))).strip())
        for kind, key in SUBJECT_KEYS.items():
            s.subjects[kind] = str(table.get(key, s.subjects[kind]))
        s.smtp_port = int(_number(table, "smtp_port", s.smtp_port))
        s.pause = _number(table, "pause", s.pause)
        s.timeout = _number(table, "timeout", s.timeout)
        if s.security not in ("none", "ssl", "starttls"):
            raise ConfigError(f"duban.toml [mail] 中 security = \"{s.security}\" 不对；只能是 none、ssl 或 starttls。")
        if not mailmsg.envelope_sender(s.sender):
            raise ConfigError(f"duban.toml [mail] 中发件人 sender = \"{s.sender}\" 不是邮箱地址；请写成 \"督查室 <地址>\" 的形式。")
        return s


def _number(table: dict, key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"duban.toml [mail] 中 {key} = {value!r} 不是数字；请改成不带引号的数字，例如 {key} = {default:g}。")
    return float(value)


@dataclass
class Letter:
    """One planned message: to whom, what is attached, and the template's words."""

    unit: str
    about: str  # sha256 the ledger remembers the message by
    attachment_name: str
    attachment: bytes
    context: dict
    to: list[str] = field(default_factory=list)
    address_cell: str = ""
    mistakes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    unit: str
    result: str  # draft | sent | already-sent | failed | no-address
    to: list[str] = field(default_factory=list)
    attachment: str = ""
    message_id: str = ""
    draft: Path | None = None
    error: str = ""  # Chinese: why it failed, or what is wrong with the address
    note: str = ""  # Chinese: something to know that did not stop it

    def to_json(self, root: Path) -> dict:
        return {"unit": self.unit, "result": self.result, "to": self.to, "attachment": self.attachment,
                "message_id": self.message_id, "draft": self.draft.relative_to(root).as_posix() if self.draft else None,
                "error": self.error, "note": self.note}


@dataclass
class MailResult:
    round: Round
    kind: str
    mode: str  # drafts | send
    outcomes: list[Outcome]
    root: Path
    server_error: str = ""

    @property
    def no_address(self) -> list[str]:
        return [o.unit for o in self.outcomes if not o.to and o.result in ("no-address", "draft")]

    @property
    def failed(self) -> list[str]:
        return [o.unit for o in self.outcomes if o.result == "failed"]

    @property
    def exit_code(self) -> int:
        if self.server_error and not any(o.result == "sent" for o in self.outcomes):
            return ServerUnreachable.exit_code
        return 1 if self.failed or self.no_address else 0

    def to_json(self) -> dict:
        return {"round": self.round.name, "kind": self.kind, "mode": self.mode,
                "messages": [o.to_json(self.root) for o in self.outcomes],
                "no_address": self.no_address, "failed": self.failed, "server_error": self.server_error}


def mail(ws: Workspace, round_name: str | None = None, *, send: bool = False, kind: str = "notice",
         units: list[str] | None = None, resend: bool = False, today: dt.date | None = None,
         password_prompt: Callable[[str], str] | None = None, wait: float = 0.0) -> MailResult:
    """Write drafts (send=False) or send the round's letters of `kind` to all units or `units`."""
    if kind not in KINDS:
        raise ValueError(kind)
    with ws.lock("mail", wait=wait), Ledger(ws.ledger_path) as ledger:
        run = _Run(ws, ledger, round_name, today or dt.date.today())
        letters, outcomes = run.letters(kind, units)
        if send:
            sender = _Sender(run, kind, resend, password_prompt)
            outcomes += sender.send_all(letters)
            return MailResult(run.rnd, kind, "send", _in_order(run, outcomes), ws.root, sender.server_error)
        outcomes += [run.write_draft(kind, letter) for letter in letters]
        if not units:
            run.remove_stale_drafts(kind, [o.draft for o in outcomes if o.draft])
        return MailResult(run.rnd, kind, "drafts", _in_order(run, outcomes), ws.root)


def _in_order(run: _Run, outcomes: list[Outcome]) -> list[Outcome]:
    rank = {unit: i for i, unit in enumerate(run.rows)}
    return sorted(outcomes, key=lambda o: rank.get(o.unit, len(rank)))


class _Run:
    """One mail run's context: the round, its rows per unit, the address book, the ledger."""

    def __init__(self, ws: Workspace, ledger: Ledger, round_name: str | None, today: dt.date):
        self.ws, self.cfg, self.today = ws, ws.config(), today
        self.settings = MailSettings.from_config(self.cfg.mail)
        self.rnd = ws.round(round_name, self.cfg)
        self.book = read_units(ws.units_path)
        self.env = mailmsg.template_environment(ws.root)
        self.ledger = ledger
        self.rows = unit_rows(self.ledger.items(), self.cfg, self.rnd.due)

    # -- who gets what -------------------------------------------------------------------
    def letters(self, kind: str, only: list[str] | None) -> tuple[list[Letter], list[Outcome]]:
        wanted = self._check_units(only)
        plan = {"notice": self._notices, "reminder": self._reminders, "correction": self._corrections}[kind]
        letters, outcomes = plan(wanted)
        for letter in letters:
            self._address(letter)
        return letters, outcomes

    def _check_units(self, only: list[str] | None) -> list[str]:
        if not only:
            return list(self.rows)
        unknown = [u for u in only if u not in self.rows]
        if unknown:
            raise ConfigError(f"本轮没有需要报送的单位“{'、'.join(unknown)}”；请核对单位名称（见 units.xlsx）。")
        return only

    def _notices(self, wanted: list[str]) -> tuple[list[Letter], list[Outcome]]:
        manifest = self._manifest()
        letters, outcomes = [], []
        for unit in [u for u in manifest if u in wanted]:
            letter = self._workbook_letter(unit, manifest[unit], outcomes)
            if letter:
                letters.append(letter)
        return letters, outcomes

    def _reminders(self, wanted: list[str]) -> tuple[list[Letter], list[Outcome]]:
        manifest = self._manifest()
        standing = self.ledger.standing(self.rnd.name)
        rejected = {s["unit"]: s["file_name"] for s in self.ledger.submissions(self.rnd.name) if s["outcome"] == "rejected"}
        letters, outcomes = [], []
        for unit in missing_units(unit_states(wanted, standing)):
            if unit not in manifest:
                outcomes.append(Outcome(unit, "failed", error=f"本轮还没有为该单位生成报送表；请先运行 duban generate --round {self.rnd.name} --unit {unit}。"))
                continue
            letter = self._workbook_letter(unit, manifest[unit], outcomes)
            if letter:
                letter.context["退回文件"] = rejected.get(unit, "")
                letters.append(letter)
        return letters, outcomes

    def _corrections(self, wanted: list[str]) -> tuple[list[Letter], list[Outcome]]:
        latest: dict[str, dict] = {}
        for sub in self.ledger.submissions(self.rnd.name):  # oldest first: the last one stays
            # A file rejected only for what the office decides (an unsigned copy held until the
            # clerk accepts it) is nothing the unit can correct: its report before it stands.
            if sub["outcome"] in ("accepted", "partial") or (sub["outcome"] == "rejected" and any(
                    f.for_unit for f in sub["findings"] if f.severity == "error")):
                latest[sub["unit"]] = sub
        letters = []
        for unit in [u for u in wanted if u in latest]:
            sub = latest[unit]
            errors = [f for f in sub["findings"] if f.severity == "error"]
            if sub["outcome"] != "accepted" and errors:
                letters.append(self._correction_letter(unit, sub, errors))
        return letters, []

    def _manifest(self) -> dict[str, str]:
        path = self.ws.round_dir(self.rnd.name) / "outbox" / MANIFEST
        try:
            return json.loads(path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError) as e:
            raise ConfigError(f"{self.rnd.label}（{self.rnd.name}）还没有生成报送表；请先运行 duban generate --round {self.rnd.name}。") from e

    def _workbook_letter(self, unit: str, name: str, outcomes: list[Outcome]) -> Letter | None:
        path = self.ws.round_dir(self.rnd.name) / "outbox" / name
        if not path.is_file():
            outcomes.append(Outcome(unit, "failed", attachment=name, error=f"报送表“{name}”不在 outbox 文件夹里了；请重新运行 duban generate --round {self.rnd.name} --unit {unit}。"))
            return None
        data = path.read_bytes()
        return Letter(unit, hashlib.sha256(data).hexdigest(), name, data, self._context(unit, name))

    def _correction_letter(self, unit: str, sub: dict, errors: list[Finding]) -> Letter:
        notice = correction_notice(self.cfg, self.rnd.name, dt.date.fromisoformat(sub["received_at"][:10]),
                                   self._entry(unit))
        titles = {r.number: r.title for r in self.rows.get(unit, [])}
        attachment = correction_workbook(unit, self.rnd.heading, sub["file_name"], sub["findings"], titles, notice)
        name = safe_file_name(unit, self.rnd.label, "退回修改清单")
        context = self._context(unit, name)
        context.update({"文件": sub["file_name"], "问题数": len(errors), "全部退回": sub["outcome"] == "rejected",
                        "问题": [_problem(f, sub["file_name"], titles) for f in errors],
                        "改正期限": format_cn(notice.resend_by), "单位联系人": notice.unit_contact})
        return Letter(unit, sub["sha256"], name, attachment, context)

    def _context(self, unit: str, attachment: str) -> dict:
        items, due = items_of(self.rows.get(unit, [])), self.rnd.due
        return {"单位": unit, "标题": self.cfg.title, "轮次": self.rnd.label, "截止日期": format_cn(due),
                "事项数": len(items), "事项": [{"序号": n, "事项": t} for n, t in items],
                "附件": attachment, "联系人": self.cfg.contact, "今天": format_cn(self.today),
                "发件人": mailmsg.sender_name(self.settings.sender), "已逾期": self.today > due,
                "逾期天数": max(0, (self.today - due).days), "剩余天数": max(0, (due - self.today).days)}

    def _entry(self, unit: str) -> Unit | None:
        """The unit's line in units.xlsx."""
        entry = next((u for u in self.book if u.name == unit), None)
        if entry is None:  # renamed in a corrected table: units.xlsx may list it under an alias
            name = resolve(unit, self.book)
            entry = next((u for u in self.book if u.name == name), None)
        return entry

    def _address(self, letter: Letter) -> None:
        entry = self._entry(letter.unit)
        letter.address_cell = entry.email if entry else ""
        letter.to, letter.mistakes = mailmsg.parse_addresses(letter.address_cell)

    # -- composing -----------------------------------------------------------------------
    def compose(self, kind: str, letter: Letter, draft: bool):
        subject = mailmsg.render(self.env, f"duban.toml [mail] {SUBJECT_KEYS[kind]}", letter.context,
                                 source=self.settings.subjects[kind])
        body = mailmsg.render(self.env, TEMPLATE[kind], letter.context)
        return mailmsg.build_message(self.settings.sender, letter.to, subject, body, letter.attachment_name,
                                     letter.attachment, draft=draft)

    def write_draft(self, kind: str, letter: Letter) -> Outcome:
        path = self._drafts() / safe_file_name(DRAFT_PREFIX[kind], letter.unit, suffix=".eml")
        data = self.compose(kind, letter, draft=True).as_bytes()
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
        outcome = Outcome(letter.unit, "draft", letter.to, letter.attachment_name, draft=path)
        _address_notes(letter, outcome, "草稿没有收件人，打开后请手工填写")
        return outcome

    def remove_stale_drafts(self, kind: str, written: list[Path]) -> None:
        """Drafts of this kind from an earlier run that this one did not rewrite: a reminder
        left for a unit that has since reported must not be sent by mistake."""
        for path in self._drafts().glob(f"{DRAFT_PREFIX[kind]}-*.eml"):
            if path not in written:
                path.unlink()

    def _drafts(self) -> Path:
        return self.ws.round_dir(self.rnd.name) / "mail"


def _problem(finding: Finding, file_name: str, titles: dict[str, str]) -> dict:
    message = finding.message
    prefix = f"“{file_name}”"
    # Messages start with the file's name; in a mail about that one file it is noise.
    message = message[len(prefix):] if message.startswith(prefix) else message
    return {"序号": finding.item or "", "事项": item_title(finding, titles), "行": finding.row or "",
            "列": finding.column or "", "内容": finding.value or "", "说明": message}


def _address_notes(letter: Letter, outcome: Outcome, when_none: str) -> None:
    if not letter.to:
        cell = letter.address_cell.strip()
        what = f"电子邮箱“{cell}”中没有可用的地址" if cell else NO_ADDRESS
        outcome.error = f"{what}；{when_none}。请在 units.xlsx 的“电子邮箱”列填写（多个地址用分号隔开）。"
    elif letter.mistakes:
        outcome.note = f"电子邮箱中的“{'、'.join(letter.mistakes)}”不是有效的地址，已略过；请在 units.xlsx 中改正。"


class _Sender:
    """Sends letters one by one, skipping those the ledger says were sent, recording each."""

    def __init__(self, run: _Run, kind: str, resend: bool, password_prompt):
        self.run, self.kind, self.resend = run, kind, resend
        self.settings = run.settings
        self.session = SmtpSession(run.settings, password_prompt)
        self.server_error = ""
        self.attempts = 0
        # A reminder may be sent again on a later day; within one day a rerun skips it.
        since = dt.date.today().isoformat() if kind == "reminder" else ""
        self.done = run.ledger.mails_sent(run.rnd.name, kind, since)

    def send_all(self, letters: list[Letter]) -> list[Outcome]:
        try:
            return [self.send(letter) for letter in letters]
        finally:
            self.session.close()

    def send(self, letter: Letter) -> Outcome:
        outcome = Outcome(letter.unit, "no-address", letter.to, letter.attachment_name)
        _address_notes(letter, outcome, "未发送")
        if not letter.to:
            return outcome
        if not self.resend and (letter.unit, letter.about) in self.done:
            outcome.result = "already-sent"
            return outcome
        if self.server_error:
            outcome.result, outcome.error = "failed", f"未发送：{self.server_error}"
            return outcome
        return self._deliver(letter, outcome)

    def _deliver(self, letter: Letter, outcome: Outcome) -> Outcome:
        msg = self.run.compose(self.kind, letter, draft=False)
        outcome.message_id = msg["Message-ID"]
        if self.attempts:
            time.sleep(self.settings.pause)
        self.attempts += 1
        try:
            refused = self.session.send(mailmsg.envelope_sender(self.settings.sender), letter.to, msg.as_bytes())
            outcome.result = "sent"
            if refused:
                outcome.note = "以下地址被邮件服务器拒收，其余已发送：" + refusals(refused) + "；请核对 units.xlsx。"
        except ServerUnreachable as e:
            self.server_error = str(e)
            outcome.result, outcome.error = "failed", f"未发送：{e}"
        except OSError as e:  # smtplib's errors are OSErrors too
            outcome.result, outcome.error = "failed", failure_message(e)
        self._record(letter, outcome)
        return outcome

    def _record(self, letter: Letter, outcome: Outcome) -> None:
        self.run.ledger.record_mail({"round": self.run.rnd.name, "unit": letter.unit, "kind": self.kind,
                                     "sha256": letter.about, "recipients": letter.to, "message_id": outcome.message_id,
                                     "result": outcome.result, "error": outcome.error or outcome.note})
