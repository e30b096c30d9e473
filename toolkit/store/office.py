"""LibreOffice headless: converting workbooks (to .xls, .ods, .pdf) the way a unit's or the
office's own spreadsheet program would save them; and PDFs through Excel on Windows.

Each run gets its own temporary user profile, so parallel runs never clash over a locked
profile, and a time limit, so a stuck conversion cannot hang a command.

Official documents name fonts Linux does not have (仿宋_GB2312, 黑体, 方正小标宋简体); without
help fontconfig hands LibreOffice a Latin font and the glyphs come from whatever CJK font is
found first. Each run therefore gets a fonts.conf that maps those names to installed CJK
fonts (serif for 宋/仿宋/楷/小标宋, sans for 黑体/雅黑) and includes the system's own config.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from ..core.errors import DubanError

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
        env = {**os.environ, "HOME": profile}
        if os.name != "nt":
            env["FONTCONFIG_FILE"] = str(write_fonts_conf(Path(profile)))
        try:
            subprocess.run(cmd, timeout=timeout, capture_output=True, check=False, env=env)
        except subprocess.TimeoutExpired as e:
            raise DubanError(f"LibreOffice 转换超时（{timeout:.0f} 秒）；请稍后重试。") from e
    ext = fmt.split(":")[0]
    outputs = [outdir / f"{Path(s).stem}.{ext}" for s in sources]
    missing = [p.name for p in outputs if not p.exists()]
    if missing:
        raise DubanError(f"LibreOffice 未能转换：{'、'.join(missing)}；请检查文件是否能正常打开。")
    return outputs


# Font names of Chinese official documents → installed CJK families, best first (fontconfig
# takes the first one present). Serif (Song/Ming) faces stand in for 宋体, 仿宋 and 楷体 alike.
_SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "Noto Serif SC", "AR PL UMing CN",
          "Noto Sans CJK SC", "WenQuanYi Zen Hei")
_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC", "WenQuanYi Zen Hei",
         "WenQuanYi Micro Hei", "Droid Sans Fallback")
FONT_ALIASES = {
    **dict.fromkeys(("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "方正仿宋_GBK", "方正仿宋简体",
                     "宋体", "SimSun", "新宋体", "NSimSun", "楷体_GB2312", "楷体", "KaiTi", "方正楷体_GBK"), _SERIF),
    **dict.fromkeys(("黑体", "SimHei", "方正黑体_GBK", "方正黑体简体", "微软雅黑", "Microsoft YaHei"), _SANS),
}
# Title faces: a heavy Song (小标宋) is closest to the serif CJK font in bold.
BOLD_TITLE_FONTS = ("方正小标宋简体", "方正小标宋_GBK", "小标宋", "华文中宋", "STZhongsong")


def fonts_conf() -> str:
    """A fontconfig file: the system's config plus the official font names mapped."""
    rules = []
    for name in BOLD_TITLE_FONTS:
        rules.append(f"""  <match target="pattern">
    <test name="family"><string>{escape(name)}</string></test>
    <edit name="family" mode="assign" binding="strong">{''.join(f"<string>{f}</string>" for f in _SERIF)}</edit>
    <edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>
  </match>""")
    for name, families in FONT_ALIASES.items():
        prefer = "".join(f"<family>{f}</family>" for f in families)
        rules.append(f'  <alias binding="same"><family>{escape(name)}</family><prefer>{prefer}</prefer></alias>')
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
            + "\n".join(rules) + "\n" + f'  <include ignore_missing="yes">{escape(_system_fonts_conf())}</include>\n'
            + "</fontconfig>\n")


def _system_fonts_conf() -> str:
    return os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"


def write_fonts_conf(folder: Path) -> Path:
    path = folder / "fonts.conf"
    path.write_text(fonts_conf(), encoding="utf-8")
    return path


def pdf_renderer() -> str | None:
    """Who prints PDFs here: "excel" (Windows with Excel and xlwings), "libreoffice", or None."""
    if _excel_available():
        return "excel"
    return "libreoffice" if find_soffice() else None


def to_pdf(source: Path, outdir: Path, renderer: str | None = None, timeout: float = 300) -> Path:
    """A workbook printed to PDF with its own page setup, by `renderer` (default: pdf_renderer())."""
    renderer = renderer or pdf_renderer()
    outdir.mkdir(parents=True, exist_ok=True)
    if renderer == "excel":  # pragma: no cover - Windows with Excel only
        target = outdir / f"{Path(source).stem}.pdf"
        try:
            _excel_to_pdf(Path(source), target)
            return target
        except OfficeMissing:  # xlwings is installed but Excel would not start
            if find_soffice() is None:
                raise
    if renderer is None:
        raise OfficeMissing("没有找到 LibreOffice，也没有可用的 Excel；请安装 LibreOffice"
                            "（Debian/Ubuntu：sudo apt-get install libreoffice-calc-nogui），或在装有 Excel 的 Windows 电脑上"
                            "安装 duban[excel]。")
    return convert([Path(source)], "pdf", outdir, timeout)[0]


def _excel_available() -> bool:
    if sys.platform != "win32":
        return False
    try:  # pragma: no cover - Windows only
        import xlwings  # noqa: F401
    except ImportError:
        return False
    return True  # pragma: no cover


def _excel_to_pdf(source: Path, target: Path) -> None:  # pragma: no cover - Windows with Excel only
    """Excel's own PDF export (the clerk's fonts, Excel's page breaks) through xlwings."""
    import xlwings as xw

    try:
        app = xw.App(visible=False, add_book=False)
    except Exception as e:  # xlwings raises its own error types when Excel cannot start
        raise OfficeMissing(f"无法启动 Excel（{e}）；请确认本机已安装 Excel，或安装 LibreOffice。") from e
    try:
        book = app.books.open(str(source), read_only=True)
        book.api.ExportAsFixedFormat(0, str(target))  # 0 = xlTypePDF, with the sheets' print setup
        book.close()
    finally:
        app.quit()
