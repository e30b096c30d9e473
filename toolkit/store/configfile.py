"""Writing duban.toml: a first version commented in Chinese, later edits that keep the clerk's.

Reading is `workspace.Workspace.config`; this module only writes. An edit keeps the file's
comments (tomlkit) and the encoding the clerk's editor saved it in (UTF-8 with or without a
BOM, UTF-16, GBK), so the editor opens it as before.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from ..core import schema
from .fsutil import atomic_path, atomic_write_text
from .summaryconfig import config_block as summary_block
from .workspace import Config, read_config_text

# Subjects of duban mail's messages; {{ }} words are filled in per unit (templates in templates/).
DEFAULT_SUBJECTS = {
    "notice": "【{{ 轮次 }}】{{ 标题 }}报送表（{{ 单位 }}，请于{{ 截止日期 }}前报回）",
    "reminder": "【催报】{{ 标题 }}{{ 轮次 }}（{{ 单位 }}，截止{{ 截止日期 }}）",
    "correction": "【退回修改】{{ 标题 }}{{ 轮次 }}（{{ 单位 }}）",
}


def _q(value) -> str:
    """A TOML literal for a value, escaped by tomlkit."""
    return tomlkit.item(value).as_string()


def render(cfg: Config) -> str:
    """The full duban.toml text for a new workspace."""
    subjects = DEFAULT_SUBJECTS

    mapping_lines = "\n".join(
        f"{role} = {_q(cfg.mapping.get(role, ''))}    # {schema.ROLE_LABELS[role]}" for role in schema.ROLE_SYNONYMS
    )
    rounds = "\n\n".join(f"[[rounds]]\ndue = {r.due.isoformat()}\nlabel = {_q(r.label)}" for r in cfg.rounds)
    return f"""\
# duban 工作区配置文件。可以用记事本修改，请保存为 UTF-8 编码。
# 以 # 开头的是说明文字，不影响使用；改动后重新运行命令即生效。

# 工作区名称：用于报送表、汇总表的标题
title = {_q(cfg.title)}
# 年度
year = {cfg.year if cfg.year else 0}
# 工作区编号：写入每份报送表的签名中，用来认出退回的文件。请勿修改。
workspace_id = {_q(cfg.workspace_id)}
# 最近一次导入的分解表文件，以及所用的工作表
source = {_q(cfg.source)}
sheet = {_q(cfg.sheet)}

# 督查室联系人和电话：写进每份报送表的填报说明，例如 "督查室 张三 0759-1234567"
contact = {_q(cfg.contact)}
# 退回修改的文件，单位应在收到文件后几个工作日内改正发回（本轮截止日期更晚的，以截止日期为准）
resend_days = {cfg.resend_days}

# 完成状态：从好到差排列；报送表“完成状态”列的下拉选项就是这些
statuses = {_q(cfg.statuses)}
# 表示“已完成”的状态（选它必须填写完成时间），以及必须说明“存在问题”的状态
done_status = {_q(cfg.done_status)}
problem_statuses = {_q(cfg.problem_statuses)}

# 列名对应：左边是 duban 的含义，右边是分解表里的列名（导入时自动识别）。
# 如果识别错了，不必改这里：重新导入时用 --column 指明，例如 duban import 分解表文件 --column 事项=民生实事。
[mapping]
{mapping_lines}

# 报送表中由单位填写的栏目（按顺序），以及表格下方的签署栏。左边的英文是栏目名，不要改；
# 不需要的栏目可以删去，顺序可以调换。各栏目在报送表中显示的列名在下面的 [report.headers] 里改。
[report]
fields = {_q(cfg.report_fields)}
signoff = {_q(cfg.signoff_fields)}
# 协办单位是否也要单独填报（true 要 / false 不要，只由牵头单位和分项责任单位填报）
cooperating_units_report = {_q(cfg.cooperating_units_report)}

# 报送表中各栏目的列名：只改右边引号里的字，例如把“完成状态”改成“状态”。改名后下拉选项和各项检查照旧，
# 改名前发出的报送表也照样能收回。
[report.headers]
{_headers_block(cfg)}

# 一致性检查（duban collect）：完成状态与进展情况的说法不符时给出提示，只提示、不退回。
# duban 已认得常见的说法，如“正在”“尚未”“推进中”（尚未完成）和“已完成”“已竣工”“已投产”（已经完成）。
# 本地另有说法的，去掉行首的 # 后补充（每个说法至少两个字，补充的与常见的一起使用）：
[checks]
# under_way = ["待验收", "正全力推进"]      # 说明尚未完成：标为“已完成”却整段这样写的，提示核实
# done_words = ["已揭牌", "已挂牌运行"]     # 说明已经完成：标为“未按进度完成”“暂缓实施”却整段这样写的，提示核实
# not_under_way = ["正在试运行"]            # 含“正在”等字、其实是说建成后在使用的说法，不算尚未完成

# 邮件发送设置（duban mail 使用）。密码不写在这里，从环境变量读取。
[mail]
smtp_host = "127.0.0.1"      # 邮件服务器地址
smtp_port = 25               # 端口
security = "none"            # none 不加密 | ssl | starttls
user = ""                    # 登录名（服务器需要时填写）
password_env = "DUBAN_SMTP_PASSWORD"   # 密码从这个环境变量读取，不保存在文件里
sender = "督查室 <duchashi@example.gov.cn>"
# 邮件标题：{{{{ }}}} 里的词会换成实际内容，可用 单位、标题、轮次、截止日期、事项数、联系人
subject = {_q(subjects["notice"])}
reminder_subject = {_q(subjects["reminder"])}        # 催报（duban mail --only-missing）
correction_subject = {_q(subjects["correction"])}   # 退回修改（duban mail --corrections）
pause = 2                    # 每发一封后停顿的秒数，以免被邮件服务器当作群发的垃圾邮件
timeout = 30                 # 连接邮件服务器最多等待的秒数
# 邮件正文的模板在 duban 的 templates 文件夹（mail_round.txt 报送通知、mail_reminder.txt 催报、
# mail_correction.txt 退回修改）；复制到本工作区的 templates 文件夹里修改，就只对本工作区生效。

{summary_block()}
# 报送轮次：due 是截止日期（年-月-日），label 是名称。可以增删或改日期。
{rounds}
"""


def _headers_block(cfg: Config) -> str:
    roles = [r for r in schema.DEFAULT_HEADERS if r in cfg.report_fields + cfg.signoff_fields]
    return "\n".join(f"{role} = {_q(cfg.header(role))}    # {schema.ROLE_HINTS[role]}" for role in roles)


def write_new(path: Path, cfg: Config) -> None:
    atomic_write_text(path, render(cfg))


def update(path: Path, **values) -> None:
    """Set top-level keys (and `mapping`) in an existing duban.toml, keeping comments and edits."""
    text, encoding = read_config_text(path)
    doc = tomlkit.parse(text)
    for key, value in values.items():
        if key == "mapping":
            table = doc.setdefault("mapping", tomlkit.table())
            for role, header in value.items():
                table[role] = header
        else:
            doc[key] = value
    _write_back(path, tomlkit.dumps(doc), encoding, text)


def set_rounds(path: Path, rounds) -> None:
    """Replace the [[rounds]] list (a workspace made before its table said which year it is)."""
    text, encoding = read_config_text(path)
    doc = tomlkit.parse(text)
    table = tomlkit.aot()
    for r in rounds:
        entry = tomlkit.table()
        entry["due"] = r.due
        entry["label"] = r.label
        table.append(entry)
    doc["rounds"] = table
    _write_back(path, tomlkit.dumps(doc), encoding, text)


def add_round(path: Path, due, label: str) -> None:
    text, encoding = read_config_text(path)
    doc = tomlkit.parse(text)
    rounds = doc.setdefault("rounds", tomlkit.aot())
    entry = tomlkit.table()
    entry["due"] = due
    entry["label"] = label
    rounds.append(entry)
    _write_back(path, tomlkit.dumps(doc), encoding, text)


def _write_back(path: Path, text: str, encoding: str, before: str) -> None:
    """duban.toml rewritten in the encoding it was read in (a GBK file as GB18030, which is
    GBK wherever GBK has the character), with Windows line ends if it had them."""
    if "\r\n" in before:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    with atomic_path(path) as tmp:
        tmp.write_bytes(text.encode(encoding))
