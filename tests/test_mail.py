"""duban mail against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, what the
ledger remembers between runs, drafts Outlook opens, reminders and corrections."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
from email import message_from_bytes, policy
from email.header import decode_header, make_header

import openpyxl
import pytest
import tomlkit
from aiosmtpd.controller import Controller
from conftest import IMPORT

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.core.assign import unit_rows
from toolkit.core.errors import ConfigError
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace
from toolkit.mail.message import encoded_words, fit_file_name, parse_addresses
from toolkit.mail.run import mail
from toolkit.store import configfile
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import MANIFEST

ROUND = "2022-07-03"
DGRC, INDUSTRY, OFFICE, PUBLICITY, EDU = "市发展改革局", "市工业城管委会", "市委办公室", "市委宣传部", "市教育局"
ADDRESSES = {  # 市委宣传部 has none: it must be listed, never skipped silently
    DGRC: "fgj@heshan.gov.cn；fgj-zhb@heshan.gov.cn",
    INDUSTRY: "张三 <gyc@heshan.gov.cn>",
    OFFICE: "swb@heshan.gov.cn",
    EDU: "jyj@heshan.gov.cn、jyj2@heshan.gov.cn",
}


class Mailbox:
    """An aiosmtpd handler that keeps every envelope and refuses the addresses in `refuse`."""

    def __init__(self):
        self.envelopes = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def by_unit(self):
        """unit → parsed message, by the recipients each unit was given."""
        units = {a: u for u, cell in ADDRESSES.items() for a in parse_addresses(cell)[0]}
        return {units[e.rcpt_tos[0]]: message_from_bytes(e.content, policy=policy.default) for e in self.envelopes}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


def set_mail(ws, **values):
    doc = tomlkit.parse(ws.config_path.read_text(encoding="utf-8"))
    for key, value in values.items():
        doc["mail"][key] = value
    ws.config_path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def set_addresses(ws, addresses):
    wb = openpyxl.load_workbook(ws.units_path)
    sheet = wb.active
    header = [c.value for c in sheet[1]]
    name_col, mail_col = header.index("单位名称") + 1, header.index("电子邮箱") + 1
    for r in range(2, sheet.max_row + 1):
        sheet.cell(r, mail_col).value = addresses.get(sheet.cell(r, name_col).value)
    wb.save(ws.units_path)


@pytest.fixture
def ws(tmp_path, server):
    workspace, _ = init_workspace(tmp_path / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    generate(workspace, ROUND)
    set_addresses(workspace, ADDRESSES)
    set_mail(workspace, smtp_port=server[1], pause=0)
    return workspace


@pytest.fixture
def box(server):
    return server[0]


def outbox(ws):
    folder = ws.round_dir(ROUND) / "outbox"
    return {unit: folder / name for unit, name in json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"].items()}


def attachment(msg):
    return next(msg.iter_attachments())


def results(result):
    return {o.unit: o.result for o in result.outcomes}


def fill_and_collect(ws, inbox, answers_by_unit, saved_at=dt.datetime(2022, 7, 1, 9, 30)):
    """Units return their workbooks filled with `answers_by_unit[unit]` (field → value per row,
    used in turn) into the folder `inbox`, which is then collected."""
    inbox.mkdir(parents=True, exist_ok=True)
    with Ledger(ws.ledger_path) as ledger:
        rows = unit_rows(ledger.items(), ws.config(), dt.date.fromisoformat(ROUND))
    base = {"进展情况": "1-6月，按计划推进。", "完成状态": "基本按进度完成", "下一步工作计划": "继续推进。"}
    for unit, answers in answers_by_unit.items():
        filled = {r.key: {**base, **answers[i % len(answers)]} for i, r in enumerate(rows[unit])}
        simulate.fill(outbox(ws)[unit], inbox / outbox(ws)[unit].name, filled, saved_at=saved_at)
    return collect(ws, inbox, ROUND)


# ---- sending -------------------------------------------------------------------------------------
def test_each_unit_gets_its_workbook_under_its_chinese_name(ws, box):
    result = mail(ws, ROUND, send=True)
    assert results(result) == {DGRC: "sent", INDUSTRY: "sent", OFFICE: "sent", PUBLICITY: "no-address", EDU: "sent"}
    got = box.by_unit()
    assert set(got) == {DGRC, INDUSTRY, OFFICE, EDU}
    for unit, msg in got.items():
        part = attachment(msg)
        assert part.get_filename() == outbox(ws)[unit].name
        assert part.get_content() == outbox(ws)[unit].read_bytes()
        assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert unit in msg["Subject"] and "2022年7月3日" in msg["Subject"]
        assert msg["From"].addresses[0].display_name == "督查室"
    assert [e.rcpt_tos for e in box.envelopes if "fgj@heshan.gov.cn" in e.rcpt_tos] == [["fgj@heshan.gov.cn", "fgj-zhb@heshan.gov.cn"]]
    body = got[DGRC].get_body(("plain",)).get_content()
    assert body.startswith(f"{DGRC}：") and "2022年7月3日前" in body and "以下 2 项" in body
    assert result.no_address == [PUBLICITY] and result.exit_code == 1


def test_a_second_run_sends_nothing_and_resend_sends_again(ws, box):
    first = mail(ws, ROUND, send=True)
    second = mail(ws, ROUND, send=True)
    assert len(box.envelopes) == 4
    assert {o.unit for o in second.outcomes if o.result == "already-sent"} == {DGRC, INDUSTRY, OFFICE, EDU}
    mail(ws, ROUND, send=True, resend=True, units=[EDU])
    assert len(box.envelopes) == 5 and box.envelopes[-1].rcpt_tos == ["jyj@heshan.gov.cn", "jyj2@heshan.gov.cn"]
    ids = {o.message_id for o in first.outcomes if o.result == "sent"}
    with Ledger(ws.ledger_path) as ledger:
        logged = ledger.db.execute("SELECT message_id, unit, kind, result, recipients FROM mail_log ORDER BY id").fetchall()
    assert {row[0] for row in logged[:4]} == ids and all(row[2:4] == ("notice", "sent") for row in logged)


def test_a_regenerated_workbook_is_a_new_file_and_is_sent(ws, box):
    mail(ws, ROUND, send=True)
    configfile.update(ws.config_path, contact="督查室 王五 0750-8881234")  # the workbook's instructions change
    generate(ws, ROUND, units=[OFFICE])
    result = mail(ws, ROUND, send=True)
    assert [u for u, r in results(result).items() if r == "sent"] == [OFFICE]
    assert len(box.envelopes) == 5


def test_a_refused_recipient_is_reported_and_only_that_unit_is_retried(ws, box):
    box.refuse = {"swb@heshan.gov.cn"}
    first = mail(ws, ROUND, send=True)
    failed = next(o for o in first.outcomes if o.unit == OFFICE)
    assert failed.result == "failed" and "550" in failed.error and "swb@heshan.gov.cn" in failed.error
    assert first.failed == [OFFICE] and first.exit_code == 1 and len(box.envelopes) == 3
    box.refuse = set()
    second = mail(ws, ROUND, send=True)
    assert [u for u, r in results(second).items() if r == "sent"] == [OFFICE]
    assert len(box.envelopes) == 4 and box.envelopes[-1].rcpt_tos == ["swb@heshan.gov.cn"]


def test_one_refused_address_of_two_still_sends_to_the_other_and_says_so(ws, box):
    box.refuse = {"fgj-zhb@heshan.gov.cn"}
    result = mail(ws, ROUND, send=True, units=[DGRC])
    outcome = result.outcomes[0]
    assert outcome.result == "sent" and "fgj-zhb@heshan.gov.cn" in outcome.note
    assert box.envelopes[0].rcpt_tos == ["fgj@heshan.gov.cn"]


def test_an_unreachable_server_sends_nothing_exits_3_and_a_later_run_sends_all(ws, box, server):
    set_mail(ws, smtp_port=free_port())
    down = mail(ws, ROUND, send=True)
    assert down.exit_code == 3 and "无法连接邮件服务器" in down.server_error
    assert set(down.failed) == {DGRC, INDUSTRY, OFFICE, EDU}
    set_mail(ws, smtp_port=server[1])
    up = mail(ws, ROUND, send=True)
    assert len(box.envelopes) == 4 and set(up.failed) == set()


def test_the_password_comes_from_the_environment_or_the_prompt_and_is_never_written(ws, tmp_path, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-pw")

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        set_mail(ws, smtp_port=controller.port, user="duchashi")
        monkeypatch.delenv("DUBAN_SMTP_PASSWORD", raising=False)
        with pytest.raises(ConfigError, match="DUBAN_SMTP_PASSWORD"):
            mail(ws, ROUND, send=True)
        mail(ws, ROUND, send=True, units=[DGRC], password_prompt=lambda text: "s3cret-pw")
        monkeypatch.setenv("DUBAN_SMTP_PASSWORD", "s3cret-pw")
        mail(ws, ROUND, send=True, units=[EDU])
    finally:
        controller.stop()
    assert seen == [(b"duchashi", b"s3cret-pw")] * 2 and len(box.envelopes) == 2
    for path in ws.root.rglob("*"):
        assert not path.is_file() or b"s3cret-pw" not in path.read_bytes(), path


def test_units_without_address_are_listed_in_json_and_on_the_terminal(ws, run):
    code, out = run("mail", "-w", ws.root, "--round", ROUND, "--send", "--json")
    assert code == 1 and out["no_address"] == [PUBLICITY] and out["failed"] == []
    entry = next(m for m in out["messages"] if m["unit"] == PUBLICITY)
    assert entry["result"] == "no-address" and "电子邮箱" in entry["error"]
    code, text = run("mail", "-w", ws.root, "--round", ROUND, "--send")
    assert code == 1 and "没有邮箱 1 个单位" in text and PUBLICITY in text and "此前已发送" in text


def test_a_cell_with_only_a_mistyped_address_counts_as_no_address(ws, box):
    set_addresses(ws, {**ADDRESSES, OFFICE: "swb@heshan"})
    result = mail(ws, ROUND, send=True)
    office = next(o for o in result.outcomes if o.unit == OFFICE)
    assert office.result == "no-address" and "swb@heshan" in office.error
    assert result.no_address == [OFFICE, PUBLICITY]


@pytest.mark.parametrize("cell, addresses, mistakes", [
    ("a@x.cn;b@x.cn", ["a@x.cn", "b@x.cn"], []),
    ("a@x.cn, b@x.cn", ["a@x.cn", "b@x.cn"], []),
    ("a@x.cn、b@x.cn", ["a@x.cn", "b@x.cn"], []),
    ("a@x.cn b@x.cn\nc@x.cn", ["a@x.cn", "b@x.cn", "c@x.cn"], []),
    ("ａ＠ｘ．ｃｎ；ｂ＠ｘ．ｃｎ", ["a@x.cn", "b@x.cn"], []),  # typed with a Chinese input method
    ("张三 <a@x.cn>", ["a@x.cn"], []),
    ("a@x.cn; A@X.CN", ["a@x.cn"], []),
    ("a@x", [], ["a@x"]),
    ("", [], []),
])
def test_address_cells_as_clerks_fill_them(cell, addresses, mistakes):
    assert parse_addresses(cell) == (addresses, mistakes)


# ---- drafts --------------------------------------------------------------------------------------
def test_drafts_are_eml_files_outlook_opens_as_unsent_with_one_unsplit_filename(ws, run):
    code, out = run("mail", "-w", ws.root, "--round", ROUND, "--drafts", "--json")
    assert code == 1 and out["no_address"] == [PUBLICITY]
    drafts = sorted((ws.round_dir(ROUND) / "mail").glob("*.eml"))
    assert len(drafts) == 5 and {m["draft"] for m in out["messages"]} == {p.relative_to(ws.root).as_posix() for p in drafts}
    for path in drafts:
        raw = path.read_bytes()
        assert raw.count(b"filename*=") == 1 and b"filename*0" not in raw and b"\r\n" in raw
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        msg = message_from_bytes(raw, policy=policy.default)
        assert msg["X-Unsent"] == "1" and msg["Message-ID"] is None
        unit = path.stem.removeprefix("报送通知-")
        part = attachment(msg)
        assert part.get_filename() == outbox(ws)[unit].name
        assert part.get_content() == outbox(ws)[unit].read_bytes()
        # Clients that read only Content-Type's name= get the same name from RFC 2047 words.
        assert str(make_header(decode_header(part.get_param("name", header="content-type")))) == outbox(ws)[unit].name
    no_address = message_from_bytes((ws.round_dir(ROUND) / "mail" / f"报送通知-{PUBLICITY}.eml").read_bytes(), policy=policy.default)
    assert no_address["To"] is None


def test_a_long_attachment_name_stays_one_parameter_within_the_line_limit():
    name = "二〇二二年" * 60 + "-市发展改革局-第三次报送.xlsx"
    fitted = fit_file_name(name)
    assert fitted.endswith("-市发展改革局-第三次报送.xlsx") and len(fitted) < len(name)
    assert all(len(word) <= 75 for word in encoded_words(fitted).split())


def test_drafts_need_no_mail_server(tmp_path):
    workspace, _ = init_workspace(tmp_path / "ws", IMPORT / "heshan_categories_groups_nodes.xlsx")
    generate(workspace, ROUND)
    set_mail(workspace, smtp_port=free_port())
    result = mail(workspace, ROUND)
    assert {o.result for o in result.outcomes} == {"draft"} and len(result.no_address) == 5


# ---- templates and subjects ---------------------------------------------------------------------
def test_subject_and_body_follow_the_clerks_edits(ws, box):
    set_mail(ws, subject="请{{ 单位 }}于{{ 截止日期 }}前报送{{ 事项数 }}项")
    (ws.root / "templates").mkdir()
    (ws.root / "templates" / "mail_round.txt").write_text("\ufeff{{ 单位 }}：请查收{{ 附件 }}。联系人：{{ 联系人 }}\n", encoding="utf-8")
    mail(ws, ROUND, send=True, units=[EDU])
    msg = box.messages()[0]
    assert msg["Subject"] == "请市教育局于2022年7月3日前报送1项"
    assert msg.get_body(("plain",)).get_content().startswith(f"{EDU}：请查收{outbox(ws)[EDU].name}。")


@pytest.mark.parametrize("text, says", [("{{ 单位 }", "写法有误"), ("{{ 单为 }}", "不认识的词")])
def test_a_broken_template_is_a_chinese_configuration_error(ws, run, text, says):
    (ws.root / "templates").mkdir()
    (ws.root / "templates" / "mail_round.txt").write_text(text, encoding="utf-8")
    code, out = run("mail", "-w", ws.root, "--round", ROUND, "--drafts")
    assert code == 2 and "mail_round.txt" in out and says in out


def test_a_workspace_without_the_new_mail_keys_uses_the_defaults(ws, box):
    doc = tomlkit.parse(ws.config_path.read_text(encoding="utf-8"))
    for key in ("subject", "reminder_subject", "correction_subject", "pause", "timeout"):
        del doc["mail"][key]
    doc["mail"]["pause"] = 0
    ws.config_path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    mail(ws, ROUND, send=True, units=[EDU])
    assert box.messages()[0]["Subject"] == "【第三次报送】2022年鹤山市委、市政府重点工作任务报送表（市教育局，请于2022年7月3日前报回）"


@pytest.mark.parametrize("args", [[], ["--drafts", "--send"], ["--drafts", "--only-missing", "--corrections"]])
def test_usage_errors_exit_2(ws, run, args):
    code, _ = run("mail", "-w", ws.root, "--round", ROUND, *args)
    assert code == 2


def test_a_round_not_generated_says_to_generate_first(ws, run):
    code, out = run("mail", "-w", ws.root, "--round", "2022-09-03", "--drafts")
    assert code == 2 and "duban generate --round 2022-09-03" in out


# ---- reminders and corrections ------------------------------------------------------------------
def test_only_missing_reminds_the_units_without_an_accepted_file(ws, box, tmp_path):
    fill_and_collect(ws, tmp_path / "inbox", {DGRC: [{}], EDU: [{}]})
    result = mail(ws, ROUND, send=True, kind="reminder", today=dt.date(2022, 7, 5))
    assert results(result) == {INDUSTRY: "sent", OFFICE: "sent", PUBLICITY: "no-address"}
    got = box.by_unit()
    assert set(got) == {INDUSTRY, OFFICE}
    body = got[OFFICE].get_body(("plain",)).get_content()
    assert "2022年7月3日" in body and "已经过了 2 天" in body and "以下 2 项" in body
    assert got[OFFICE]["Subject"].startswith("【催报】")
    assert attachment(got[OFFICE]).get_filename() == outbox(ws)[OFFICE].name
    again = mail(ws, ROUND, send=True, kind="reminder")
    assert len(box.envelopes) == 2 and {o.result for o in again.outcomes} == {"already-sent", "no-address"}


def test_corrections_send_each_unit_with_rejected_rows_its_own_sheet(ws, box, tmp_path):
    # one bad row among 市发展改革局's 9 (2 items, a row per node)
    fill_and_collect(ws, tmp_path / "inbox", {DGRC: [{"完成状态": "完成了"}] + [{}] * 8, EDU: [{}], OFFICE: [{"进展情况": "无"}]})
    result = mail(ws, ROUND, send=True, kind="correction")
    assert results(result) == {DGRC: "sent", OFFICE: "sent"}
    msg = box.by_unit()[DGRC]
    assert msg["Subject"].startswith("【退回修改】")
    body = msg.get_body(("plain",)).get_content()
    assert "有 1 处需要改正" in body and "完成了" in body and outbox(ws)[DGRC].name in body
    part = attachment(msg)
    assert part.get_filename() == f"{DGRC}-第三次报送-退回修改清单.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(part.get_content()))
    assert wb.sheetnames == [DGRC]
    rows = list(wb[DGRC].iter_rows(values_only=True))
    assert rows[0][0].startswith(DGRC) and rows[2][:5] == ("文件", "行", "序号", "事项", "列")
    assert ("地区生产总值（GDP）增长10.5%。", "完成状态", "完成了", "须改正") == rows[3][3:7]
    assert all(OFFICE not in str(v) for r in rows for v in r)
    assert len(mail(ws, ROUND, send=True, kind="correction").outcomes) == 2 and len(box.envelopes) == 2


def test_corrections_still_go_out_after_a_later_collect_rewrote_the_report(ws, box, tmp_path):
    fill_and_collect(ws, tmp_path / "inbox", {DGRC: [{"完成状态": "完成了"}, {}]})
    fill_and_collect(ws, tmp_path / "later", {EDU: [{}]})
    report = openpyxl.load_workbook(ws.round_dir(ROUND) / "report.xlsx")
    assert DGRC not in report.sheetnames  # the sheet is gone: the list is rebuilt from the ledger
    mail(ws, ROUND, send=True, kind="correction")
    part = attachment(box.by_unit()[DGRC])
    rows = list(openpyxl.load_workbook(io.BytesIO(part.get_content())).active.iter_rows(values_only=True))
    assert rows[3][:7] == (outbox(ws)[DGRC].name, "5", "1", "地区生产总值（GDP）增长10.5%。", "完成状态", "完成了", "须改正")


@pytest.mark.parametrize("report", ["deleted", "junk"])
def test_correction_drafts_come_from_the_ledger_whatever_became_of_report_xlsx(ws, run, tmp_path, report):
    """The ledger is the truth: report.xlsx is a view, never read back."""
    fill_and_collect(ws, tmp_path / "inbox", {DGRC: [{"完成状态": "完成了"}] + [{}] * 99, OFFICE: [{"进展情况": "无"}], EDU: [{}]})
    path = ws.round_dir(ROUND) / "report.xlsx"
    path.unlink() if report == "deleted" else path.write_bytes(b"PK\x03\x04 not a workbook")
    code, out = run("mail", "-w", ws.root, "--round", ROUND, "--corrections", "--drafts", "--json")
    assert code in (0, 1) and sorted(m["unit"] for m in out["messages"]) == sorted([DGRC, OFFICE])
    sheets = {unit: _draft_sheet(ws, unit) for unit in (DGRC, OFFICE)}
    assert [r[:7] for r in sheets[DGRC][3:]] == [(outbox(ws)[DGRC].name, "5", "1", "地区生产总值（GDP）增长10.5%。", "完成状态", "完成了", "须改正")]
    assert "不在可选范围内" in sheets[DGRC][3][7] and "已完成、基本按进度完成" in sheets[DGRC][3][7]
    assert [r[4:7] for r in sheets[OFFICE][3:]] == [("进展情况", "无", "须改正")] * len(sheets[OFFICE][3:])
    assert sheets[OFFICE][3:] and all(DGRC not in str(v) for r in sheets[OFFICE] for v in r)


def _draft_sheet(ws, unit) -> list[tuple]:
    """The rows of the workbook attached to the unit's correction draft (.eml)."""
    msg = message_from_bytes((ws.round_dir(ROUND) / "mail" / f"退回修改-{unit}.eml").read_bytes(), policy=policy.default)
    wb = openpyxl.load_workbook(io.BytesIO(attachment(msg).get_content()))
    assert wb.sheetnames == [unit]
    return list(wb[unit].iter_rows(values_only=True))


def test_a_unit_that_sent_a_good_file_after_a_bad_one_gets_no_correction(ws, box, tmp_path):
    fill_and_collect(ws, tmp_path / "inbox", {DGRC: [{"完成状态": "完成了"}, {}]})
    fixed = fill_and_collect(ws, tmp_path / "later", {DGRC: [{"进展情况": "1-6月，已改正。"}]},
                             saved_at=dt.datetime(2022, 7, 2, 10, 0))
    assert [f.outcome for f in fixed.files] == ["accepted"]
    result = mail(ws, ROUND, send=True, kind="correction")
    assert result.outcomes == [] and box.envelopes == []


def test_reminder_drafts_of_units_that_have_since_reported_are_removed(ws, tmp_path):
    mail(ws, ROUND)
    mail(ws, ROUND, kind="reminder")
    folder = ws.round_dir(ROUND) / "mail"
    assert (folder / f"催报-{OFFICE}.eml").exists()
    fill_and_collect(ws, tmp_path / "inbox", {OFFICE: [{}]})
    result = mail(ws, ROUND, kind="reminder")
    assert OFFICE not in results(result) and not (folder / f"催报-{OFFICE}.eml").exists()
    assert (folder / f"催报-{DGRC}.eml").exists() and (folder / f"报送通知-{OFFICE}.eml").exists()
