"""The command line: each command parses options, calls one library function, renders.

Exit codes (CLI.md): 0 done and all accepted; 1 done with rejections or missing units;
2 usage or configuration error; 3 nothing could be done (e.g. the workspace is locked).
Heavy libraries are imported inside commands so `duban --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .core.errors import DubanError

SAMPLE_NAMES = ("zhanjiang-2022", "heshan-2022")
WORKFLOW = ("init", "import", "generate", "mail", "collect", "status", "summary", "bulletin", "demo")

# click's own texts (usage, errors, help headings) in Chinese: a clerk sees no English. click
# looks each up through gettext; its modules get this table's lookup instead.
CLICK_TEXTS = {
    "Usage:": "用法：", "Options": "选项", "Commands": "命令", "Positional arguments": "参数",
    "Show this message and exit.": "显示本说明后退出。", "Show the version and exit.": "显示版本号后退出。",
    "Error: {message}": "错误：{message}", "Try '{command} {option}' for help.": "输入 {command} {option} 查看用法。",
    "No such option {name!r}.": "没有 {name} 这个选项。", "No such command {name!r}.": "没有 {name} 这个命令。",
    "Did you mean {possibility}?": "是不是想写 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是想写其中之一：{possibilities}？）",
    "Missing argument": "缺少参数", "Missing option": "缺少选项", "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。", "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Option {name!r} requires an argument.": "选项 {name} 后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面要写 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name} 后面不写值。",
    "Got unexpected extra argument ({args})": "多写了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多写了参数（{args}）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "{value!r} is not one of {choices}.": "“{value}”不是可选的值（{choices}）之一。",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是数字。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 之内。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是文件夹，这里要的是文件。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，这里要的是文件夹。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入。",
    "file": "文件", "directory": "文件夹", "path": "路径", "default: {default}": "默认：{default}",
    "Aborted!": "已中止。", "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
}


def _zh(text: str) -> str:
    return CLICK_TEXTS.get(text, text)


def _zh_n(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


def _chinese_click() -> None:
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                   click.termui, click.types):
        if hasattr(module, "_"):
            module._ = _zh
        if hasattr(module, "ngettext"):
            module.ngettext = _zh_n


_chinese_click()


def _fail(e: DubanError, debug: bool) -> None:
    if debug:
        raise e
    click.echo(f"错误：{e}", err=True)
    sys.exit(e.exit_code)


class _Command(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")  # the usage line in Chinese: duban collect [选项] 文件夹
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    """Lists its commands in the order a clerk uses them (init, import, generate, mail, collect,
    status, summary, bulletin, demo), not alphabetically. Turns a DubanError into its Chinese sentence and exit code instead of a traceback; so
    too whatever the machine refused where no command said more (a path too long to reach,
    a disk that failed): one sentence naming the path, exit code 3."""

    command_class = _Command

    def list_commands(self, ctx):
        return [name for name in WORKFLOW if name in self.commands] + \
            sorted(name for name in self.commands if name not in WORKFLOW)

    def invoke(self, ctx):
        debug = ctx.obj.get("debug", False) if ctx.obj else False
        try:
            return super().invoke(ctx)
        except DubanError as e:
            _fail(e, debug)
        except OSError as e:
            if debug:
                raise
            from .store.fsutil import cannot_write

            _fail(cannot_write(e.filename, e), debug)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
@click.option("--debug", is_flag=True, help="出错时显示完整的技术信息（traceback）。")
@click.version_option(package_name="duban", message="duban %(version)s")
@click.pass_context
def cli(ctx, debug):
    """duban（督办）：重点督办事项的导入、生成报送表、收集汇总。

    \b
    例如：
        duban init 2022督办 --from 分解表.xlsx
        duban import 更正后的分解表.xlsx -w 2022督办
    """
    ctx.obj = {"debug": debug}


def workspace_option(f):
    return click.option("-w", "--workspace", "workspace", default=".", type=click.Path(file_okay=False),
                        help="工作区文件夹（默认当前文件夹）。")(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供脚本使用）。")(f)


def column_option(f):
    return click.option("--column", "columns", multiple=True, metavar="含义=列名",
                        help="指明分解表的某一列是什么（可写多次），例如 --column 事项=民生实事 --column 牵头单位=责任单位；"
                             "含义写 序号、事项、工作目标、完成时限、分管领导、牵头单位、实施单位、协办单位之一，"
                             "列名照表头原字写。会记入 duban.toml，以后导入照用。")(f)


def wait_option(f):
    return click.option("--wait", type=float, default=0.0, show_default=True,
                        help="工作区被占用时最多等待的秒数。")(f)


@cli.command("init")
@click.argument("directory", metavar="目录", type=click.Path(file_okay=False))
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False), help="同时导入这份分解表。")
@click.option("--sample", type=click.Choice(SAMPLE_NAMES), help="用自带的样例分解表建立工作区。")
@click.option("--sheet", help="分解表所在的工作表名称（默认自动识别）。")
@column_option
@json_option
def init_cmd(directory, source, sample, sheet, columns, as_json):
    """建立工作区（可同时导入分解表）。

    \b
    例如：
        duban init 2022督办 --from 附件1-重点督办事项分解表.xlsx
        duban init 2022督办 --from 民生实事.xlsx --column 事项=民生实事
        duban init 样例 --sample heshan-2022
    """
    from .importing.run import init_workspace, parse_columns
    from .store.samples import sample_path

    if source and sample:
        raise click.UsageError("--from 和 --sample 只能选一个。")
    if columns and not source:
        raise click.UsageError("--column 要与 --from 分解表 一起使用。")
    forced = parse_columns(columns)
    path = Path(source) if source else (sample_path(sample) if sample else None)
    ws, result = init_workspace(Path(directory), path, sheet, forced)
    if result is None:
        click.echo(f"已建立工作区：{ws.root}\n下一步：duban import 分解表.xlsx -w {directory}")
        return
    _show_import(result, as_json, f"已建立工作区：{ws.root}")


@cli.command("import")
@click.argument("file", metavar="分解表", type=click.Path(exists=True, dir_okay=False))
@workspace_option
@click.option("--sheet", help="分解表所在的工作表名称（默认自动识别）。")
@column_option
@json_option
@wait_option
def import_cmd(file, workspace, sheet, columns, as_json, wait):
    """导入（或重新导入）分解表：xlsx、xls、ods、csv、docx 均可。

    \b
    例如：
        duban import 分解表.xlsx -w 2022督办
        duban import 民生实事.xlsx -w 2022督办 --column 事项=民生实事 --column 工作目标=工作标准
    """
    from .importing.run import import_table, parse_columns
    from .store.workspace import Workspace

    forced = parse_columns(columns)
    result = import_table(Workspace.open(workspace), Path(file), sheet, wait=wait, columns=forced)
    _show_import(result, as_json, "")


def _show_import(result, as_json: bool, headline: str) -> None:
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    from .views.terminal import import_summary

    import_summary(result, headline)


@cli.command("generate")
@workspace_option
@click.option("--round", "round_name", help="轮次（截止日期，如 2022-04-03）；默认是下一个到期的轮次。")
@click.option("--new-round", is_flag=True, help="--round 的日期不在 duban.toml 中时，新增这一轮（须在本年度内）。")
@click.option("--unit", "units", multiple=True, help="只生成这个单位的报送表（可写多次）。")
@json_option
@wait_option
def generate_cmd(workspace, round_name, new_round, units, as_json, wait):
    """为每个责任单位生成本轮报送表（rounds/轮次/outbox/）。

    \b
    例如：
        duban generate -w 2022督办 --round 2022-04-03
        duban generate -w 2022督办 --round 2022-04-03 --unit 市发展改革局
    """
    from .generate.run import generate
    from .store.workspace import Workspace

    if new_round and not round_name:
        raise click.UsageError("--new-round 要与 --round 日期 一起使用。")
    result = generate(Workspace.open(workspace), round_name, list(units) or None, wait=wait, new_round=new_round)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    from .views.terminal import generate_summary

    generate_summary(result)


@cli.command("collect")
@click.argument("folder", metavar="文件夹", type=click.Path(file_okay=False))  # collect tells a missing (or too long) path in Chinese
@workspace_option
@click.option("--round", "round_name", help="只收集这一轮（截止日期，如 2022-04-03）；默认按每个文件自己的轮次。")
@click.option("--dry-run", is_flag=True, help="只检查并写出报告，不并入总台账。")
@click.option("--prefer", "prefer", multiple=True, metavar="文件",
              help="一个单位本轮有多个文件时，以这个文件为准（写文件夹里的文件名，可重复）；电脑时钟不准、"
                   "按保存时间选错了时用。也算确认了 --accept。")
@click.option("--accept", "accept", multiple=True, metavar="文件",
              help="确认采用这个没有隐藏签名的文件（按内容认定了单位，但要取代该单位带签名的报送，"
                   "或文件名写的是另一个单位；写文件夹里的文件名，可重复）。")
@json_option
@wait_option
def collect_cmd(folder, workspace, round_name, dry_run, prefer, accept, as_json, wait):
    """收集一个文件夹里退回的报送表：识别、校验、并入总台账，并写出退回修改清单。

    已收集过的文件不再重复处理；但结果取决于命令或工作区的（--round、units.xlsx 中的单位和别名、
    分解表、文件名）在这些改变后会重新判断，所以按提示改正后重新收集即可。

    \b
    例如：
        duban collect 收到的文件 -w 2022督办
        duban collect 收到的文件 -w 2022督办 --round 2022-04-03 --dry-run
        duban collect 收到的文件 -w 2022督办 --prefer 市教育局-第二次报送.xlsx
        duban collect 收到的文件 -w 2022督办 --accept 转发/报送表副本.xlsx
    """
    from .collect.run import collect
    from .store.workspace import Workspace

    ws = Workspace.open(workspace)
    if round_name:
        ws.round(round_name)  # refused before any file is read when not listed
    if as_json:
        result = collect(ws, Path(folder), round_name, dry_run, wait=wait, prefer=prefer, accept=accept)
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        from .views.terminal import collect_summary, progress_bar

        with progress_bar("读取文件") as progress:
            result = collect(ws, Path(folder), round_name, dry_run, progress=progress, wait=wait,
                             prefer=prefer, accept=accept)
        collect_summary(result, ws.root)
    sys.exit(result.exit_code)


@cli.command("status")
@workspace_option
@click.option("--round", "round_name", help="轮次（截止日期）；默认是最近生成的一轮。")
@click.option("--html", "html", type=click.Path(dir_okay=False), help="同时把红黄绿看板网页写到这个文件（例如 看板.html）。")
@json_option
def status_cmd(workspace, round_name, html, as_json):
    """查看一轮的报送情况：哪些单位已报、迟报、缺报，各事项的完成状态；--html 写出红黄绿看板。

    \b
    例如：
        duban status -w 2022督办 --round 2022-04-03
        duban status -w 2022督办 --html 看板.html
    """
    from .store.workspace import Workspace
    from .views.status import status

    ws = Workspace.open(workspace)
    result = status(ws, round_name)
    if html:
        from .views.dashboard import write_dashboard

        page = write_dashboard(ws, Path(html), round_name, result)
        if not as_json:
            click.echo(f"看板：{page}")
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    from .views.terminal import status_summary

    status_summary(result)


@cli.command("mail")
@workspace_option
@click.option("--round", "round_name", help="轮次（截止日期，如 2022-07-03）；默认是最近生成的一轮。")
@click.option("--drafts", is_flag=True, help="为每个单位写一封邮件草稿（rounds/轮次/mail/*.eml），用 Outlook 打开核对后发送。")
@click.option("--send", is_flag=True, help="通过 duban.toml [mail] 设置的邮件服务器直接发送。")
@click.option("--only-missing", is_flag=True, help="催报：只发给本轮还没有报送（或报送未被采用）的单位。")
@click.option("--corrections", is_flag=True, help="退回修改：把退回修改清单发给报送表有错误的单位。")
@click.option("--resend", is_flag=True, help="已经发过的也再发一次（默认不重复发送）。")
@click.option("--unit", "units", multiple=True, help="只发给这个单位（可写多次）。")
@json_option
@wait_option
def mail_cmd(workspace, round_name, drafts, send, only_missing, corrections, resend, units, as_json, wait):
    """把报送表发给各单位：写成邮件草稿或直接发送；也可催报、发退回修改清单。

    \b
    例如：
        duban mail -w 2022督办 --round 2022-07-03 --drafts
        duban mail -w 2022督办 --round 2022-07-03 --send
        duban mail -w 2022督办 --send --only-missing
        duban mail -w 2022督办 --send --corrections
    """
    from .mail.run import mail
    from .store.workspace import Workspace
    from .views.terminal import mail_summary

    if drafts == send:
        raise click.UsageError("请选择 --drafts（写邮件草稿）或 --send（直接发送）其中一个。")
    if only_missing and corrections:
        raise click.UsageError("--only-missing（催报）和 --corrections（退回修改）只能选一个。")
    kind = "reminder" if only_missing else "correction" if corrections else "notice"
    # Asked on the terminal only; a script sets the environment variable named by password_env.
    prompt = (lambda text: click.prompt(text, hide_input=True, err=True)) if sys.stdin.isatty() else None
    result = mail(Workspace.open(workspace), round_name, send=send, kind=kind, units=list(units) or None,
                  resend=resend, password_prompt=prompt, wait=wait)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        mail_summary(result)
    sys.exit(result.exit_code)


@cli.command("summary")
@workspace_option
@click.option("--round", "round_name", help="轮次（截止日期，如 2022-04-03）；默认是最近生成的一轮。")
@click.option("--pdf", is_flag=True, help="同时输出 PDF（用 LibreOffice，或 Windows 上的 Excel）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="输出文件（.xlsx 或 .pdf）；默认 output/完成情况汇总表-轮次.xlsx。")
@json_option
def summary_cmd(workspace, round_name, pdf, output, as_json):
    """输出正式格式的完成情况汇总表（另附统计、逾期未完成两个工作表）。

    \b
    例如：
        duban summary -w 2022督办 --round 2023-01-03 --pdf
        duban summary -w 2022督办 -o 汇总表.pdf
    """
    from .store.workspace import Workspace
    from .summary.run import summary

    result = summary(Workspace.open(workspace), round_name, output, pdf)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(result.lines()))
    sys.exit(result.exit_code)


@cli.command("bulletin")
@workspace_option
@click.option("--round", "round_name", help="轮次（截止日期，如 2022-07-03）；默认是最近生成的一轮。")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="输出文件（.docx，PDF 写在它旁边）；默认 output/督查通报-轮次.docx。")
@json_option
def bulletin_cmd(workspace, round_name, output, as_json):
    """写出本轮督查通报的 Word 草稿（总体情况、各单位落实情况、存在问题、下一步工作要求和附件清单），
    装有 LibreOffice 时同时写出 PDF。默认模板随 duban 安装（toolkit/templates/bulletin.docx），复制到工作区的 templates 文件夹里可以用 Word 修改。

    \b
    例如：
        duban bulletin -w 2022督办
        duban bulletin -w 2022督办 --round 2022-07-03 -o 上半年通报.docx
    """
    from .bulletin.run import bulletin
    from .store.workspace import Workspace

    result = bulletin(Workspace.open(workspace), round_name, output)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(result.lines()))
    sys.exit(result.exit_code)


@cli.command("demo")
@click.argument("directory", metavar="[目录]", default="demo", type=click.Path(file_okay=False))
def demo_cmd(directory):
    """用鹤山 2022 样例演示完整流程：导入、生成报送表、写邮件草稿、模拟各单位发回、收集、汇总表。

    \b
    例如：
        duban demo
    """
    from .demo import run_demo

    run_demo(Path(directory))


def main(argv=None) -> int:
    try:
        cli.main(args=argv, prog_name="duban", standalone_mode=True)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0
