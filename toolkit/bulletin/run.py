"""bulletin: the round's 督查通报 draft in Word (.docx), and a PDF beside it where LibreOffice is.

The office writes a bulletin (通报) to all units after each round: the overall figures, the
units named by outcome, the problems, what is required next, and attachments listing the
items behind schedule, the overdue work and the units that did not report on time. duban
fills the office's Word template with the round's figures (bulletin.content) so the clerk
edits a draft instead of typing the figures from the summary. It reads the round as status
does and never writes to the ledger: it works on a workspace it may not change (-o elsewhere).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ConfigError, DubanError
from ..core.rounds import Round
from ..core.state import UNREPORTED
from ..store.fsutil import ELSEWHERE, atomic_path
from ..store.office import convert, find_soffice
from ..store.roundstate import round_state
from ..store.templates import TEMPLATES
from ..store.workspace import Workspace
from . import content, document

NO_OFFICE = "没有找到 LibreOffice，只写出了 Word 文件；用 Word 或 WPS 打开后可另存为 PDF（或安装 LibreOffice 后重新运行）。"


@dataclass
class BulletinResult:
    round: Round
    docx: Path
    pdf: Path | None
    template: Path
    data: dict  # the template's context: figures, red items, units

    @property
    def exit_code(self) -> int:
        """1 when a unit is missing or an item has no accepted report, as summary and collect do."""
        return 1 if self.data["missing_units"] or self.data["counts"].get(UNREPORTED) else 0

    def to_json(self) -> dict:
        d = self.data
        return {"round": self.round.name, "docx": str(self.docx), "pdf": str(self.pdf) if self.pdf else None,
                "counts": d["counts"], "nodes": d["nodes"],
                "red_items": [{k: i[k] for k in ("key", "number", "title", "lead_unit", "status", "situation")}
                              for i in d["red_items"]],
                "overdue_rows": len(d["overdue_rows"]),
                "missing_units": d["missing_units"], "late_units": d["late_units"]}

    def lines(self) -> list[str]:
        d = self.data
        out = [f"{self.round.heading}：{d['n_items']} 项（{d['n_nodes']} 个具体工作内容）；按事项计，{d['item_figures']}。",
               f"红色预警 {len(d['red_items'])} 项，逾期未完成 {len(d['overdue_rows'])} 个工作内容，"
               f"迟报 {len(d['late_units'])} 个单位，未报送 {len(d['missing_units'])} 个单位。",
               f"通报（Word）：{self.docx}"]
        out.append(f"PDF：{self.pdf}" if self.pdf else NO_OFFICE)
        if self.template.parent != TEMPLATES:
            out.append(f"用的是工作区的模板：{self.template}")
        out.append("这是草稿：请在 Word/WPS 中核对、修改文字后再印发。")
        return out


def output_paths(ws: Workspace, rnd: Round, output: str | Path | None) -> tuple[Path, Path]:
    """(docx, pdf beside it). -o names either: a .pdf puts the .docx beside it."""
    if output is None:
        docx = ws.output_dir / f"督查通报-{rnd.name}.docx"
    else:
        out = Path(output)
        suffix = out.suffix.lower()
        if suffix not in ("", ".docx", ".pdf"):
            raise ConfigError(f"输出文件“{out.name}”的扩展名应是 .docx 或 .pdf。")
        docx = out.with_suffix(".docx") if suffix == ".pdf" else (out if suffix else out.with_name(out.name + ".docx"))
    return docx, docx.with_suffix(".pdf")


def bulletin(ws: Workspace, round_name: str | None = None, output: str | Path | None = None,
             pdf: bool = True) -> BulletinResult:
    """Write the round's bulletin draft (.docx, and .pdf when LibreOffice is found and `pdf`)."""
    rs = round_state(ws, round_name)
    data = content.build(rs)
    docx, pdf_path = output_paths(ws, rs.rnd, output)
    with atomic_path(docx, ELSEWHERE.format(option="-o", name=docx.name)) as tmp:
        template = document.render(ws.root, data, tmp)
    made = write_pdf(docx, pdf_path) if pdf and find_soffice() else None
    return BulletinResult(rs.rnd, docx, made, template, data)


def write_pdf(docx: Path, target: Path) -> Path:
    """The .docx printed by LibreOffice Writer (official font names mapped: store.office)."""
    with tempfile.TemporaryDirectory(prefix="duban-bulletin-") as tmp:
        try:
            made = convert([docx], "pdf", Path(tmp))[0]
        except DubanError as e:
            raise DubanError(f"通报已写出（{docx}），但没能转换为 PDF：{e}") from e
        with atomic_path(target, ELSEWHERE.format(option="-o", name=target.name)) as out:
            shutil.copyfile(made, out)
    return target
