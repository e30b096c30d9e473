"""What the clerk sees in the terminal: rich tables of results, in Chinese."""

from __future__ import annotations

import re
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..core.text import readable_name, shorten
from ..store.report import OUTCOME_CN

# Text from files (names, units' answers, table titles) is shown as it is: no emoji codes
# (":warning:" in a name stays so); every such text goes through lit() for markup.
console = Console(highlight=False, emoji=False)

# Findings about which of a unit's files counts, that only the clerk can settle: shown in full.
CLERK_DECIDES = ("unsigned-copy", "saved-time-implausible")
SEVERITY = {"error": "[red]错误[/red]", "warning": "[yellow]提示[/yellow]"}


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def lit(text) -> str:
    """Text from a file or a unit, shown literally: "[/]" or "[bold]" in a file name is no
    rich markup, a control character (ESC, a bare CR) no terminal command, a name Python
    could not decode no crash."""
    text = "" if text is None else str(text)
    if not text.isascii() or not text.isprintable():
        text = _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                             readable_name(text) if _undecoded(text) else text)
    return escape(text)


def _undecoded(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def import_summary(result, headline: str = "") -> None:
    bd = result.breakdown
    if headline:
        console.print(lit(headline))
    console.print(f"分解表：{lit(bd.source)}" + (f"（工作表“{lit(bd.sheet)}”）" if bd.sheet else ""))
    if bd.title:
        console.print(f"标题：{lit(bd.title)}")
    for line in understood_lines(bd):
        console.print(lit(line), soft_wrap=True)  # a command to copy is never broken
    subrows = sum(len(it.subrows) for it in result.items)
    console.print(f"事项 [bold]{len(result.items)}[/bold] 项（另有分项/节点 {subrows} 行），责任单位 [bold]{len(result.units)}[/bold] 个")
    if bd.categories:
        per = Counter(it.category for it in result.items)
        table = Table(title="分类", show_header=True)
        table.add_column("分类")
        table.add_column("事项数", justify="right")
        for cat in bd.categories:
            table.add_row(lit(cat), str(per.get(cat, 0)))
        console.print(table)
    if result.kept:
        console.print(f"[yellow]{len(result.kept)} 项已不在新表中但有报送记录，已保留在总台账末尾。[/yellow]")
    findings_table(result.findings)


EXPECTED_ROLES = ("title", "plan", "deadline", "leader", "lead_unit")


def understood_lines(bd) -> list[str]:
    """What import took each column for, and which roles it found no column for, with what
    to type when it guessed wrong or missed one."""
    from ..core.schema import ROLE_LABELS
    from ..core.text import column_letter

    uses = []
    for col, header, role in bd.columns:
        taken = ROLE_LABELS.get(role, role) if role else "（保留为附加列）"
        uses.append(f"{column_letter(col + 1)} {header}→{taken}")
    lines = [f"表头：第{bd.header_row}行。" + "，".join(uses)]
    # Only the columns a table is expected to have: many have no 实施单位 or 序号, rightly.
    missing = [r for r in bd.missing_roles if r in EXPECTED_ROLES]
    if missing:
        labels = [ROLE_LABELS[r] for r in missing]
        lines.append(f"没有找到的列：{'、'.join(labels)}。表中若有这样的列，请指明后重新导入，例如：")
        lines.append(f"  duban import {bd.source} --column {labels[0]}=表头中的列名")
    return lines


def findings_table(findings, limit: int = 30) -> None:
    if not findings:
        console.print("[green]没有发现问题。[/green]")
        return
    table = Table(title=f"发现 {len(findings)} 条需要注意的情况", show_lines=False)
    for name in ("级别", "代码", "行", "说明"):
        table.add_column(name, overflow="fold")
    for f in findings[:limit]:
        table.add_row(SEVERITY.get(f.severity, f.severity), f.code, str(f.row or ""), lit(f.message))
    console.print(table)
    if len(findings) > limit:
        console.print(f"……另有 {len(findings) - limit} 条，用 --json 查看全部。")


# A table longer than this is not shown: sixty wrapped rows scroll the totals off a console.
TABLE_ROWS = 15


def generate_summary(result) -> None:
    rnd = result.round
    console.print(f"轮次：{lit(rnd.heading)}，生成报送表 [bold]{len(result.files)}[/bold] 份")
    if len(result.files) > TABLE_ROWS:
        where = result.files[0].path.parent.relative_to(result.root).as_posix()
        most = max(result.files, key=lambda f: len(f.items))
        console.print(f"每个单位一份，在文件夹 {lit(where)}/ 里（事项最多的是{lit(most.unit)}，{len(most.items)}项）；"
                      "逐个单位的清单用 --json 查看。", soft_wrap=True)
        return
    table = Table(show_header=True)
    for name in ("单位", "事项数", "文件"):
        table.add_column(name, overflow="fold")
    for f in result.files:
        table.add_row(lit(f.unit), str(len(f.items)), lit(f.path.relative_to(result.root).as_posix()))
    console.print(table)


@contextmanager
def progress_bar(label: str):
    """A progress bar on the terminal; yields the callback collect reports to, or None where
    the output goes to a file or a pipe (a batch file's log, Excel's button): nothing would
    be drawn there, and updating an unseen bar took 0.1 s per 1,000 files."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    # No refresh thread (auto_refresh=False): collect forks its workers while the bar is
    # shown, and a fork taken while another thread holds a lock can leave the child stuck on
    # it. The bar is redrawn from the callback instead, at most ten times a second.
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  TextColumn("{task.description}", markup=False), console=console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task("", total=None)
        drawn = [0.0]

        def update(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=lit(name[-40:]))
            now = time.monotonic()
            if now - drawn[0] >= 0.1 or done == total:
                bar.refresh()
                drawn[0] = now

        yield update


PROBLEMS = ("unreadable", "unidentified", "rejected", "partial")
OTHER_FORMATS = {".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".wps": "WPS 文字", ".jpg": "图片", ".jpeg": "图片",
                 ".png": "图片", ".ofd": "OFD", ".zip": "压缩包", ".rar": "压缩包", ".7z": "压缩包"}


def collect_summary(result, root) -> None:
    """Totals, then only what needs the clerk: each problem file with its reason, every file
    ignored by name, the missing and late units in the table's order. The full list is in
    report.xlsx and --json; the lines fit an 80-column console."""
    counts = Counter(f.outcome for f in result.files)
    if not result.files:
        console.print("文件夹是空的，没有收集任何文件。")
    elif result.nothing_new:
        master = f"总台账按台账库补写了 {result.master_cells_written} 个单元格" if result.master_cells_written else "总台账未改动"
        console.print(f"没有新的文件：{len(result.files)} 个文件都已收集过或不是报送表，{master}。")
    if counts:
        console.print(f"共 {len(result.files)} 个文件：" + "，".join(f"{OUTCOME_CN.get(k, k)} {v}" for k, v in counts.items()))
    expected = result.expected_units
    sent = len(expected) - len(result.missing_units)
    heading = lit(result.heading or f"{result.round} 一轮")
    if not result.files and root is not None and not _generated(root, result.round):
        console.print(f"{heading}还没有生成报送表；先运行 duban generate --round {result.round}，发给各单位。")
        return
    if expected:
        console.print(f"{heading}：应报 {len(expected)} 个单位，已报 {sent}，缺报 {len(result.missing_units)}，"
                      f"迟报 {len(result.late_units)}。")
    order = {u: i for i, u in enumerate(expected)}
    problems = sorted((f for f in result.files if f.outcome in PROBLEMS),
                      key=lambda f: (order.get(f.unit, len(order)), f.name))
    if problems:
        console.print("[bold]要处理的文件[/bold]（完整清单见校验报告）：")
        for f in problems:
            reason = next((x for x in f.findings if x.severity == "error"), f.findings[0] if f.findings else None)
            # One line: who (the file's name where no unit is known), and the first reason without
            # the file's name again; the report has every row to correct.
            why = reason.message.replace(f"文件“{f.name}”", "").replace(f"“{f.name}”", "").lstrip("，：") if reason else ""
            # the file too where its name does not say whose it is (renamed, a copy): to find it
            who = f.name if not f.unit else f.unit if f.unit in f.name else f"{f.unit}（{f.name}）"
            console.print(f"  [red]{OUTCOME_CN.get(f.outcome, f.outcome)}[/red] {lit(who)}：{lit(shorten(why, 28))}",
                          soft_wrap=True)  # a file's line is never broken after its outcome
    # Warnings on rows that were taken (a status the text contradicts, a date after the due
    # date…): counted here, each one in the unit's sheet of the report, to check with the unit.
    taken = [f for f in result.files if f.outcome in ("accepted", "partial")]
    noted = {f.unit or f.name: sum(x.severity == "warning" for x in f.findings) for f in taken}
    noted = {who: n for who, n in noted.items() if n}
    if noted:
        console.print(f"[yellow]提示[/yellow]{sum(noted.values())}条（{len(noted)}个单位）：内容已采纳，"
                      "但状态、日期与文字对不上等，请在校验报告中核实。", soft_wrap=True)
    ignored = [f for f in result.files if f.outcome == "ignored" and f.findings and f.findings[0].key == "ignored"]
    if ignored:
        console.print("已忽略（不是报送表）：" + lit("、".join(f.name for f in ignored)))
        for unit in result.missing_units:  # a unit that sent its report as a PDF or Word file
            kinds = {OTHER_FORMATS.get(Path(f.name).suffix.lower()) for f in ignored if unit in f.name}
            kinds.discard(None)
            if kinds:
                console.print(f"[yellow]{lit(unit)}：只收到 {'/'.join(sorted(kinds))}，请对方发回 Excel 报送表。[/yellow]")
    # Set aside unread (a link, a pipe, the workspace's own files): said, never silently; once per kind.
    aside: dict[str, list] = {}
    for f in result.files:
        if f.outcome == "ignored" and f.findings and f.findings[0].key != "ignored":
            aside.setdefault(f.findings[0].key, []).append(f)
    for files in aside.values():
        others = "、".join(f.name for f in files[1:6]) + ("等" if len(files) > 6 else "")
        also = f"（同样跳过的还有 {len(files) - 1} 项：{others}）" if others else ""
        console.print(f"[yellow]已跳过[/yellow]：{lit(files[0].findings[0].message + also)}")
    if result.missing_units:  # one run of characters: the console folds it at the edge, not after the count
        console.print(f"[red]缺报{len(result.missing_units)}个单位[/red]：" + lit("、".join(result.missing_units)))
    if result.late_units:
        console.print("[yellow]迟报[/yellow]：" + lit("、".join(result.late_units)))
    for c in result.conflicts:
        console.print(f"[yellow]{lit(c.message)}[/yellow]")
    for f in result.files:  # what only the clerk can settle (--accept, --prefer), spelled out
        for x in f.findings:
            if x.code in CLERK_DECIDES:
                console.print(f"[yellow]{lit(x.message)}[/yellow]")
    if result.report_path:
        again = "（按台账库重新写出）" if result.report_rebuilt else ""
        console.print(f"校验报告（退回修改清单）{again}：{lit(result.report_path)}")
    if result.dry_run:
        console.print("试运行（--dry-run）：" + ("只写了报告，" if result.report_path else "") + "总台账和台账库都没有改动。")


def _generated(root, round_name: str) -> bool:
    """Whether the round's workbooks were sent out: an empty folder for a round never generated
    is no list of missing units."""
    return (Path(root) / "rounds" / round_name / "outbox").is_dir()


def status_summary(result) -> None:
    """The round's units and its items per status (the one rule's counts, as the summary's)."""
    missing = [u["name"] for u in result.units if not u["submitted"]]
    late = [u["name"] for u in result.units if u["late"]]
    console.print(f"{lit(result.rnd.heading)}：应报 {len(result.units)} 个单位，已报 {len(result.units) - len(missing)}，"
                  f"缺报 {len(missing)}，迟报 {len(late)}")
    table = Table(title="事项完成状态（按事项计）", show_header=True)
    table.add_column("状态")
    table.add_column("事项数", justify="right")
    for name, n in result.counts.items():
        table.add_row(lit(name), str(n))
    console.print(table)
    if missing:
        console.print("[red]缺报[/red]：" + lit("、".join(missing)))
    partial = [s for s in result.unit_states if s.partial]  # submitted, with rows still to send again
    if partial:
        console.print("[yellow]部分退回，待补报[/yellow]："
                      + lit("；".join(f"{s.name}（第 {'、'.join(s.outstanding)} 行）" for s in partial)), soft_wrap=True)
    if late:
        console.print("[yellow]迟报[/yellow]：" + lit("、".join(late)))


def mail_summary(result) -> None:
    """The result on the terminal: one row per unit, problems spelled out below."""
    from ..mail.run import KIND_CN, NO_ADDRESS, RESULT_CN  # here: collect's summary needs no mail modules

    counts: dict[str, int] = {}
    for o in result.outcomes:
        counts[o.result] = counts.get(o.result, 0) + 1
    head = f"{lit(result.round.heading)}{KIND_CN[result.kind]}："
    console.print(head + ("，".join(f"{RESULT_CN[k]} {v}" for k, v in counts.items()) or "没有需要发送的单位"))
    if result.outcomes and len(result.outcomes) <= TABLE_ROWS:
        table = Table(show_header=True)
        for name in ("单位", "结果", "收件人", "附件" if result.mode == "send" else "草稿"):
            table.add_column(name, overflow="fold")
        for o in result.outcomes:
            shown = o.draft.relative_to(result.root).as_posix() if o.draft else o.attachment
            table.add_row(lit(o.unit), _mail_label(o), lit("；".join(o.to)), lit(shown))
        console.print(table)
    for o in result.outcomes:  # an empty address cell is said once below, for all such units
        if (o.error and not o.error.startswith(NO_ADDRESS)) or o.note:
            console.print(f"[{'red' if o.error else 'yellow'}]{lit(o.unit)}[/]：{lit(o.error or o.note)}")
    if result.no_address:
        console.print(f"[red]没有邮箱 {len(result.no_address)} 个单位[/red]：" + lit("、".join(result.no_address))
                      + "。请在 units.xlsx 的“电子邮箱”列填写（多个地址用分号隔开）。")
    if result.failed:
        console.print(f"[red]发送失败 {len(result.failed)} 个单位[/red]：" + lit("、".join(result.failed))
                      + "。改正后重新运行同一命令，只会补发这些单位。")
    if result.mode == "drafts" and result.outcomes:
        console.print(f"草稿在 rounds/{result.round.name}/mail/：双击用 Outlook 打开，核对后点“发送”。")


def _mail_label(o) -> str:
    from ..mail.run import RESULT_CN

    if o.result == "draft" and not o.to:
        return "[yellow]草稿（无收件人）[/yellow]"
    style = {"sent": "green", "draft": "green", "failed": "red", "no-address": "red"}.get(o.result)
    return f"[{style}]{RESULT_CN[o.result]}[/{style}]" if style else RESULT_CN[o.result]
