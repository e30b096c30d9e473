"""Build the offline bundle: `make bundle` (Linux, with the package index reachable).

    dist/duban-offline/            one folder for every PC of the office
      安装.bat  duban.bat           Windows: install into .venv beside them, run duban in a console
      install.sh  duban.sh         Linux x64 and macOS arm64: the same
      说明.txt                      the three steps, in Chinese
      wheels/                      duban's own wheel and every dependency as a wheel, for
                                   win_amd64, manylinux x86_64 and macOS arm64, CPython 3.11
      macros/                      the office's Excel buttons (duban.bas in GBK, as Excel imports it)
    dist/duban-offline.zip

The dependencies are not listed here: pip reads them from duban's wheel, whose metadata comes
from pyproject.toml, so a dependency added there is in the next bundle. Only wheels
(--only-binary=:all:): a PC in the office has no compiler and no network.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .wheelset import PYTHON, TARGETS, missing

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
DIST = ROOT / "dist"
NAME = "duban-offline"
# Files that go into the folder as they are; the .bat files need CRLF (see write_text_file).
SCRIPTS = ["安装.bat", "duban.bat", "install.sh", "duban.sh", "说明.txt"]


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True)


def build_wheel(out: Path, isolated: bool = True) -> Path:
    """duban's own wheel, built from a clean copy of the checkout (pyproject.toml, README.md,
    toolkit/) so that leftovers in the checkout (build/, caches, a stray file in toolkit/ that
    package-data would not take anyway) cannot leak into it. `isolated=False` builds with the
    setuptools already installed, without the package index (the test does that)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="duban-src-") as tmp:
        src = Path(tmp) / "duban"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, src / name)
        shutil.copytree(ROOT / "toolkit", src / "toolkit", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        args = ["wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(src)]
        if not isolated:
            args.insert(1, "--no-build-isolation")
        before = set(out.glob("duban-*.whl"))
        pip(*args)
    wheels = sorted(out.glob("duban-*.whl"), key=lambda p: p.stat().st_mtime)
    return (sorted(set(wheels) - before) or wheels)[-1]


def download(wheels: Path, duban_wheel: Path) -> None:
    """Every dependency of duban's wheel, for each kind of PC, into the one wheels/ folder: pip on
    the PC picks the files that fit it, and pure-Python wheels are stored once for all three.
    pip resolves markers for this machine, so whatever a target's own markers add (see
    wheelset.py) is fetched in further passes until nothing is missing."""
    python = ".".join(map(str, PYTHON))
    for target in TARGETS:
        print(f"下载 {target.label} 的依赖包……", flush=True)
        platform_args = [a for p in target.pip_platforms for a in ("--platform", p)]
        wanted = [str(duban_wheel)]
        for _ in range(5):
            pip("download", "--quiet", "--dest", str(wheels), "--only-binary=:all:",
                "--python-version", python, "--implementation", "cp", *platform_args, *wanted)
            wanted = missing(wheels, target)
            if not wanted:
                break
            print(f"  {target.label} 另需：{'、'.join(wanted)}", flush=True)
        else:
            raise SystemExit(f"{target.label} 的依赖包下载不全：{'、'.join(wanted)}")


def write_text_file(src: Path, dst: Path) -> None:
    """Copy a script with the line endings its system needs: CRLF for .bat and .txt (cmd.exe
    misreads labels and `goto` in a batch file with bare LF; Notepad shows them too), LF for .sh.
    The files are UTF-8; 说明.txt starts with a BOM so that every Notepad takes it as UTF-8."""
    text = src.read_text(encoding="utf-8").replace("\r\n", "\n")
    if dst.suffix in (".bat", ".txt"):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if dst.suffix == ".txt":
        data = b"\xef\xbb\xbf" + data
    dst.write_bytes(data)
    if dst.suffix == ".sh":
        dst.chmod(0o755)


def write_vba_module(src: Path, dst: Path) -> None:
    """The Excel buttons' module as Excel wants it. The VBA editor's 导入文件 reads a .bas in the
    system's ANSI code page, GBK on a Chinese Windows, so the UTF-8 kept in git would turn its
    Chinese messages and dialog titles into mojibake; its lines end in CRLF like every module
    VBA exports."""
    text = src.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
    dst.write_bytes(text.encode("gbk"))


def make_zip(folder: Path, archive: Path) -> None:
    """Zip the folder under its own name. zipfile marks the Chinese file names as UTF-8 (flag bit
    11), which Windows 10/11 Explorer, 7-Zip and Bandizip read; keeps the .sh files executable."""
    tmp = archive.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder.parent))
    tmp.replace(archive)


def build(dist: Path = DIST) -> Path:
    folder = dist / NAME
    if folder.exists():
        shutil.rmtree(folder)
    wheels = folder / "wheels"
    print("生成 duban 的 wheel……", flush=True)
    duban_wheel = build_wheel(wheels)
    download(wheels, duban_wheel)
    for name in SCRIPTS:
        write_text_file(HERE / name, folder / name)
    shutil.copytree(ROOT / "macros", folder / "macros", ignore=shutil.ignore_patterns("*.bas"))
    for bas in (ROOT / "macros").glob("*.bas"):
        write_vba_module(bas, folder / "macros" / bas.name)
    archive = dist / f"{NAME}.zip"
    make_zip(folder, archive)
    size = archive.stat().st_size / 2**20
    print(f"完成：{folder}（{len(list(wheels.glob('*.whl')))} 个 wheel），{archive}（{size:.0f} MB）")
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=DIST, help="where dist/duban-offline/ goes")
    build(parser.parse_args().dist)


if __name__ == "__main__":
    main()
