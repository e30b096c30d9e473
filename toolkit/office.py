"""LibreOffice headless: converting workbooks (to .xls, .ods, .pdf) the way a unit's or the
office's own spreadsheet program would save them.

Each run gets its own temporary user profile, so parallel runs never clash over a locked
profile, and a time limit, so a stuck conversion cannot hang a command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import DubanError

WINDOWS_PATHS = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                 r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")


class OfficeMissing(DubanError):
    """Neither LibreOffice nor Excel is available for a conversion."""


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in WINDOWS_PATHS if os.path.exists(p)), None)


def convert(sources: list[Path], fmt: str, outdir: Path, timeout: float = 300) -> list[Path]:
    """Convert files with one LibreOffice run; returns the converted paths in order.

    `fmt` is what --convert-to takes: "xls", "ods", "xlsx", "pdf" or "pdf:calc_pdf_Export".
    """
    soffice = find_soffice()
    if soffice is None:
        raise OfficeMissing("没有找到 LibreOffice（soffice）；请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-calc-nogui），或在装有 Excel 的 Windows 电脑上运行。")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="duban-lo-") as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nologo", "--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)]
        try:
            subprocess.run(cmd, timeout=timeout, capture_output=True, check=False,
                           env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired as e:
            raise DubanError(f"LibreOffice 转换超时（{timeout:.0f} 秒）；请稍后重试。") from e
    ext = fmt.split(":")[0]
    outputs = [outdir / f"{Path(s).stem}.{ext}" for s in sources]
    missing = [p.name for p in outputs if not p.exists()]
    if missing:
        raise DubanError(f"LibreOffice 未能转换：{'、'.join(missing)}；请检查文件是否能正常打开。")
    return outputs
