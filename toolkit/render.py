"""What the clerk sees in the terminal: rich tables of results, in Chinese."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

console = Console(highlight=False)

SEVERITY = {"error": "[red]错误[/red]", "warning": "[yellow]提示[/yellow]"}


def import_summary(result, headline: str = "") -> None:
    bd = result.breakdown
    if headline:
        console.print(headline)
    console.print(f"分解表：{bd.source}" + (f"（工作表“{bd.sheet}”）" if bd.sheet else "") + f"，表头在第{bd.header_row}行")
    if bd.title:
        console.print(f"标题：{bd.title}")
    subrows = sum(len(it.subrows) for it in result.items)
    console.print(f"事项 [bold]{len(result.items)}[/bold] 项（另有分项/节点 {subrows} 行），责任单位 [bold]{len(result.units)}[/bold] 个")
    if bd.categories:
        per = Counter(it.category for it in result.items)
        table = Table(title="分类", show_header=True)
        table.add_column("分类")
        table.add_column("事项数", justify="right")
        for cat in bd.categories:
            table.add_row(cat, str(per.get(cat, 0)))
        console.print(table)
    if result.kept:
        console.print(f"[yellow]{len(result.kept)} 项已不在新表中但有报送记录，已保留在总台账末尾。[/yellow]")
    findings_table(result.findings)


def findings_table(findings, limit: int = 30) -> None:
    if not findings:
        console.print("[green]没有发现问题。[/green]")
        return
    table = Table(title=f"发现 {len(findings)} 条需要注意的情况", show_lines=False)
    for name in ("级别", "代码", "行", "说明"):
        table.add_column(name, overflow="fold")
    for f in findings[:limit]:
        table.add_row(SEVERITY.get(f.severity, f.severity), f.code, str(f.row or ""), f.message)
    console.print(table)
    if len(findings) > limit:
        console.print(f"……另有 {len(findings) - limit} 条，用 --json 查看全部。")


def generate_summary(result) -> None:
    rnd = result.round
    console.print(f"轮次：{rnd.label}（截止 {rnd.due.isoformat()}），生成报送表 [bold]{len(result.files)}[/bold] 份")
    table = Table(show_header=True)
    for name in ("单位", "事项数", "文件"):
        table.add_column(name, overflow="fold")
    for f in result.files:
        table.add_row(f.unit, str(len(f.items)), f.path.relative_to(result.root).as_posix())
    console.print(table)
