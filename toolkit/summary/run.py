"""summary: the round's official completion status summary (完成情况汇总表), .xlsx and .pdf.

The format is Heshan's 2022 summary (seed 002), made with care where the original was typed
by hand: a title and subtitle; the column header repeated on every printed page; category,
sub-category and leader group rows with their item counts computed, not copied; one row per
plan node, 序号/项目名称/责任单位 merged down the item; 完成情况 opening with the status in bold
(未报送。 where no report was accepted); 备注 at the end. A second sheet holds the statistics
(summary.stats). The PDF is rendered by LibreOffice or Excel (store.office).

Excel never grows a row for text written by a program, so every row height is estimated here
from the text (wrapped as LibreOffice wraps it), the column widths and the font size; a row is
parted only where a page ends inside it, or where Excel's 409 pt limit would cut it (summary.sheet).
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.config import Config
from ..core.errors import ConfigError
from ..core.model import Item
from ..core.rounds import Round
from ..core.state import Answer, Reporting, answers_by_key
from ..core.text import fit_cell, shorten
from ..store import corrections
from ..store.fsutil import ELSEWHERE, atomic_path
from ..store.ledger import Ledger
from ..store.office import OfficeMissing, pdf_renderer, to_pdf
from ..store.summaryconfig import SummaryConfig, read_summary_config
from ..store.workspace import Workspace
from . import stats as stats_mod
from .sheet import PRINT_DEFAULT_FONT, write_workbook
from .table import SummaryTable, build_table, table_notes

# -- the command -------------------------------------------------------------------------------------


@dataclass
class SummaryResult:
    round: Round
    xlsx: Path
    pdf: Path | None
    table: SummaryTable
    status_counts: dict[str, int]  # items per status by the one rule, best first, 未报送 last
    unreported: list[Reporting]
    overdue: int
    pages: int  # of the summary sheet as printed (the PDF's layout when one was made)
    unrecorded_edits: int = 0  # the clerk's edits in master.xlsx shown but not recorded: the workspace cannot be written

    @property
    def exit_code(self) -> int:
        """1 when some row has no accepted report (a unit is missing), as collect does."""
        return 1 if self.unreported else 0

    def to_json(self) -> dict:
        return {"round": self.round.name, "xlsx": str(self.xlsx), "pdf": str(self.pdf) if self.pdf else None,
                "pages": self.pages, "counts": self.status_counts,
                "items": len(self.table.items), "status_counts": self.status_counts, "overdue": self.overdue,
                "unreported": [{"number": r.item.number, "node": r.node, "title": r.item.title, "unit": r.lead}
                               for r in self.unreported],
                "unrecorded_edits": self.unrecorded_edits}

    def lines(self) -> list[str]:
        """What the clerk reads in the terminal."""
        counts = "，".join(f"{k} {v}" for k, v in self.status_counts.items() if v)
        out = [f"{self.round.heading}：{len(self.table.items)} 项，{counts}。",
               f"汇总表：{self.xlsx}"]
        if self.pdf:
            out.append(f"PDF：{self.pdf}")
        if self.overdue:
            out.append(f"逾期未完成 {self.overdue} 行，见汇总表的“逾期未完成”工作表。")
        if self.unrecorded_edits:
            out.append(f"工作区不能写入（只读、没有写权限或磁盘已满）：总台账中 {self.unrecorded_edits} 处手工修改已照样用在汇总表里，"
                       "但没有记入台账库；在可写的工作区里再运行一次 duban summary 或 duban collect 即会记入。")
        if self.unreported and len(self.unreported) == sum(len(b.rows) for b in self.table.items):
            out.append("本轮还没有采纳任何报送：汇总表中都是“未报送”；请先用 duban collect 收集各单位退回的报送表。")
        elif self.unreported:
            shown = "；".join(f"{r.item.number} {shorten(r.item.title, 16)}（{r.lead}）" for r in self.unreported[:10])
            more = f" 等 {len(self.unreported)} 行" if len(self.unreported) > 10 else ""
            out.append(f"未报送：{shown}{more}。")
        return out



def resolve_summary_round(ws: Workspace, cfg: Config, name: str | None) -> Round:
    """The round named (only one listed in duban.toml), else the latest generated."""
    return ws.round(name, cfg)


def output_paths(ws: Workspace, rnd: Round, output: str | Path | None, pdf: bool) -> tuple[Path, Path | None]:
    """(xlsx, pdf or None). -o names either file: a .pdf implies --pdf, the .xlsx goes beside it."""
    if output is None:
        xlsx = ws.output_dir / f"完成情况汇总表-{rnd.name}.xlsx"
    else:
        out = Path(output)
        suffix = out.suffix.lower()
        if suffix == ".pdf":
            return out.with_suffix(".xlsx"), out
        if suffix not in ("", ".xlsx"):
            raise ConfigError(f"输出文件“{out.name}”的扩展名应是 .xlsx 或 .pdf。")
        xlsx = out if suffix == ".xlsx" else out.with_name(out.name + ".xlsx")
    return xlsx, (xlsx.with_suffix(".pdf") if pdf else None)


def summary(ws: Workspace, round_name: str | None = None, output: str | Path | None = None,
            pdf: bool = False) -> SummaryResult:
    """Write the round's 完成情况汇总表 (and its statistics sheets); with `pdf`, the PDF too."""
    cfg = ws.config()
    scfg = read_summary_config(ws, cfg)
    rnd = resolve_summary_round(ws, cfg, round_name)
    items, answers, stored_notes, unrecorded = _load(ws, rnd)
    build = functools.partial(build_table, items, answers, cfg, scfg, rnd, table_notes(scfg, stored_notes, items))
    table = build()
    stats = stats_mod.compute(table, cfg, rnd)
    xlsx, pdf_path = output_paths(ws, rnd, output, pdf)
    with atomic_path(xlsx, ELSEWHERE.format(option="-o", name=xlsx.name)) as tmp:
        pages = write_workbook(tmp, table, scfg, stats)
    if pdf_path is not None:
        pages = write_pdf(pdf_path, build, scfg, xlsx)
    rows = [r for b in table.items for r in b.rows]
    return SummaryResult(rnd, xlsx, pdf_path, table, stats.item_counts(), [r for r in rows if not r.answers],
                         len(stats.overdue), pages, unrecorded)


def _load(ws: Workspace, rnd: Round) -> tuple[list[Item], dict[str, list[Answer]], str | None, int]:
    # Read-only: a summary (-o elsewhere) works in a workspace it cannot write.
    with Ledger(ws.ledger_path, readonly=True) as ledger:
        items = ledger.items_or_stop()
        master = corrections.current_view(ws.master_path, ws.config())  # read once for both
        unrecorded = corrections.record_edits_if_free(ws, ledger, "summary", master)
        reports = corrections.reports(ws, ledger, rnd.name, seen=master)
        notes = ledger.meta("notes")
    return items, answers_by_key([{**rep, "fields": _printable(rep["fields"])} for rep in reports]), notes, unrecorded


# Characters of one answer's text the printed summary shows: of Heshan 2022's 510 real answers
# the longest has 1,257. A longer one is cut with a mark saying how long it is (the ledger
# and the master keep it whole): one unit's 100,000 characters made the summary 5× longer.
ANSWER_LIMIT = 3_000


def _printable(fields: dict) -> dict:
    return {k: fit_cell(v, ANSWER_LIMIT) if isinstance(v, str) else v for k, v in fields.items()}


def write_pdf(target: Path, build, scfg: SummaryConfig, xlsx: Path) -> int:
    """The summary sheet alone (the statistics stay in the workbook), laid out for the program
    that prints it, printed to `target`; returns its pages. `build(renderer)` makes the table."""
    renderer = pdf_renderer()
    if renderer is None:
        raise OfficeMissing(f"汇总表已写出（{xlsx}），但没有找到 LibreOffice，也没有可用的 Excel，无法转换为 PDF；"
                            "请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-calc-nogui），"
                            "或在装有 Excel 的 Windows 电脑上安装 duban[excel]；也可以用 Excel/WPS 打开汇总表直接打印。")
    with tempfile.TemporaryDirectory(prefix="duban-summary-") as tmp:
        source = Path(tmp) / f"{target.stem}.xlsx"
        default_font = PRINT_DEFAULT_FONT if renderer == "libreoffice" else None
        pages = write_workbook(source, build(renderer=renderer), scfg, None, default_font)
        made = to_pdf(source, Path(tmp) / "pdf", renderer)
        with atomic_path(target, ELSEWHERE.format(option="-o", name=target.name)) as out:
            shutil.copyfile(made, out)
    return pages
