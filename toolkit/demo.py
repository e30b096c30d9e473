"""duban demo: the round trip on the Heshan 2022 sample, in a throwaway workspace.

init and import the breakdown table; generate the year-end round's workbooks (the Heshan
completion texts are the 1-12月 answers, due 2023-01-03) and the e-mail drafts; fill the
workbooks with those real texts the way units return them — some re-saved as .xls or .ods,
one renamed, one sent twice, one late, one with a mistyped status — collect the folder,
draft the correction mails, and print the 完成情况汇总表 (xlsx, and PDF where LibreOffice is).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from . import simulate
from .bulletin.run import bulletin
from .collect.run import collect
from .core.errors import ConfigError
from .generate.run import generate
from .importing.run import init_workspace
from .mail.run import mail
from .store.office import find_soffice
from .store.samples import sample_path
from .summary.run import summary
from .views.dashboard import write_dashboard
from .views.terminal import collect_summary, console, generate_summary, import_summary, mail_summary

MARKER = ".duban/demo"  # only a folder duban made as a demo is ever deleted by the demo
DEMO_ROUND = "2023-01-03"
ON_TIME = dt.datetime(2022, 12, 30, 16, 30)
LATE = dt.datetime(2023, 1, 5, 10, 0)


def run_demo(root: Path) -> None:
    root = Path(root)
    _reset(root)
    console.rule("1. 建立工作区并导入分解表（鹤山 2022）")
    ws, result = init_workspace(root, sample_path("heshan-2022"))
    (ws.root / MARKER).write_text("demo\n", encoding="utf-8")
    import_summary(result, f"工作区：{ws.root}")
    console.rule(f"2. 生成各单位的报送表（截止 {DEMO_ROUND} 的一轮）")
    generated = generate(ws, DEMO_ROUND)
    generate_summary(generated)
    console.rule("3. 写邮件草稿（双击 .eml 用 Outlook 打开即可发送）")
    _example_addresses(ws)
    mail_summary(mail(ws, DEMO_ROUND))
    console.rule("4. 各单位填报后发回（模拟：用鹤山的真实完成情况填写）")
    inbox = ws.root / "收到的文件"
    _returned_files(ws, generated, inbox)
    console.rule("5. 一条命令收集整个文件夹")
    collected = collect(ws, inbox)
    collect_summary(collected, ws.root)
    console.rule("6. 退回修改的邮件草稿")
    mail_summary(mail(ws, DEMO_ROUND, kind="correction"))
    console.rule("7. 输出完成情况汇总表（正式格式，附统计）")
    console.print("\n".join(summary(ws, DEMO_ROUND, pdf=find_soffice() is not None).lines()), soft_wrap=True)
    console.rule("8. 看板（网页）和督查通报（Word 草稿）")
    console.print(f"看板：{write_dashboard(ws, round_name=DEMO_ROUND)}（双击用浏览器打开）")
    # The draft only: the office edits it in Word before anything is printed (its PDF is one
    # LibreOffice run more, which `duban bulletin` makes).
    console.print("\n".join(bulletin(ws, DEMO_ROUND, pdf=False).lines()), soft_wrap=True)  # the console folds long lines
    console.print(f"\n总台账：{ws.master_path}\n单位通讯录：{ws.units_path}\n退回文件夹：{inbox}")


def _example_addresses(ws) -> None:
    """units.xlsx as a clerk fills it in: an address per unit (example.gov.cn), the last left
    empty, to show that a unit without one is listed rather than skipped."""
    import openpyxl

    wb = openpyxl.load_workbook(ws.units_path)
    sheet = wb.active
    for r in range(2, sheet.max_row):
        sheet.cell(r, 4).value = f"unit{r - 1:02d}@example.gov.cn"  # column D: 电子邮箱
    wb.save(ws.units_path)


def _returned_files(ws, generated, inbox: Path) -> None:
    """Fill every unit's workbook with its real answers; a few arrive the ways units send them."""
    due = dt.date.fromisoformat(DEMO_ROUND)
    real = simulate.heshan_answers(ws, due)
    files = generated.files
    work = inbox.parent / ".demo-work"
    work.mkdir(exist_ok=True)
    inbox.mkdir(exist_ok=True)
    notes = []
    for i, f in enumerate(files):
        answers = real[f.unit]
        name = f.path.name
        if i == 0:  # a mistyped status
            first = next(iter(answers))
            answers[first]["完成状态"] = "完成了"
            notes.append(f"{f.unit}：完成状态写成了“完成了”")
        if i == 1:  # sent twice: an early draft, then the final one
            draft = {k: {**v, "进展情况": "（初稿）" + str(v.get("进展情况", ""))} for k, v in answers.items()}
            simulate.fill(f.path, inbox / f"初稿-{name}", draft, saved_at=ON_TIME - dt.timedelta(days=2))
            notes.append(f"{f.unit}：先后发来初稿和定稿两个文件")
        if i == 2:
            name = f"{f.unit}报送表（定稿）.xlsx"
            notes.append(f"{f.unit}：文件被改名为“{name}”")
        saved_at = LATE if i == 3 else ON_TIME
        if i == 3:
            notes.append(f"{f.unit}：1月5日才保存发回（迟报）")
        target = work if i in (4, 5) else inbox
        simulate.fill(f.path, target / name, answers, saved_at=saved_at)
    _resave(work, inbox, files[4:6], notes)
    shutil.rmtree(work, ignore_errors=True)
    console.print(f"收到 {len(list(inbox.iterdir()))} 个文件，其中：")
    for note in notes:
        console.print(f"  · {note}")


def _resave(work: Path, inbox: Path, files, notes: list[str]) -> None:
    """Two units re-save with WPS/LibreOffice: one as .xls, one as .ods."""
    for f, fmt in zip(files, ("xls", "ods")):
        source = work / f.path.name
        if find_soffice():
            simulate.save_as(source, fmt, inbox)
            notes.append(f"{f.unit}：另存为 .{fmt} 后发回")
        else:
            shutil.copy2(source, inbox / source.name)
            notes.append(f"{f.unit}：（未安装 LibreOffice，未演示另存为 .{fmt}）")


def _reset(root: Path) -> None:
    if not root.exists():
        return
    if (root / MARKER).exists():
        shutil.rmtree(root)
    elif any(root.iterdir()):
        raise ConfigError(f"文件夹“{root}”已存在且不是 duban 演示目录；请换一个文件夹名，例如 duban demo 演示。")
