"""Prove the offline bundle complete: `make bundle-check` (run by .ci/run after the tests).

1. Every kind of PC finds every requirement in wheels/, with its own markers (wheelset.py).
2. pip itself resolves duban from wheels/ alone for Windows and macOS:
   `pip install --dry-run --no-index --platform … --only-binary=:all: --target …`.
3. Linux, as a clerk would: unzip duban-offline.zip, then with the network gone (a new user and
   network namespace, `unshare -rn`) run install.sh (a fresh venv, pip from --find-links only),
   `duban.sh --help` and `duban.sh demo`.
4. The Windows scripts: CRLF, ASCII up to `chcp 65001`, `pause` where the window would close;
   the Excel module in GBK with CRLF, as the VBA editor imports it.

pip's own configuration is switched off for every pip run here (PIP_CONFIG_FILE=/dev/null, no
PIP_* variables): a find-links or index from this machine's pip.conf would otherwise fill in a
wheel the bundle lacks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .build import DIST, NAME, build
from .wheelset import PYTHON, TARGETS, missing

PYTHON_EXE = f"python{PYTHON[0]}.{PYTHON[1]}"


def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def check_wheelset(wheels: Path) -> None:
    for target in TARGETS:
        lacking = missing(wheels, target)
        if lacking:
            raise SystemExit(f"{target.label}：wheels 里缺少 {'、'.join(lacking)}")
        print(f"{target.label}：依赖齐全")


def check_pip_resolves(wheels: Path, tmp: Path) -> None:
    for target in TARGETS:
        if target.label.startswith("Linux"):
            continue  # installed for real below
        platform_args = [a for p in target.pip_platforms for a in ("--platform", p)]
        subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(wheels),
                        "--only-binary=:all:", "--python-version", ".".join(map(str, PYTHON)), "--implementation", "cp",
                        *platform_args, "--target", str(tmp / target.label.replace(" ", "-")), "duban"],
                       check=True, env=clean_env())


def check_offline_install(archive: Path, tmp: Path) -> None:
    """Unzip, install and run duban with no network. unshare -rn makes this process root of its
    own user namespace with a network namespace that has no interface up: not even loopback."""
    if shutil.which(PYTHON_EXE) is None:
        raise SystemExit(f"需要 {PYTHON_EXE} 来检验 Linux 安装包")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp)
    folder = tmp / NAME
    for sh in ("install.sh", "duban.sh"):
        (folder / sh).chmod(0o755)  # zipfile keeps the bits in the archive but extractall drops them
    demo = tmp / "工作区"
    # Inside, the only interface must be loopback (down, in a new namespace): said by the kernel
    # for this process's namespace, not assumed from unshare's exit code.
    script = (f'set -e; test "$(awk \'NR > 2 {{print $1}}\' /proc/net/dev)" = "lo:" || {{ echo "网络没有断开"; exit 9; }}; '
              f'"{folder}/install.sh"; "{folder}/duban.sh" --help; "{folder}/duban.sh" demo "{demo}"')
    subprocess.run(["unshare", "-rn", "sh", "-c", script], check=True, env=clean_env(), cwd=tmp)
    installed = subprocess.run([str(folder / ".venv" / "bin" / "python"), "-c",
                                "import toolkit, sys; sys.stdout.write(toolkit.__file__)"],
                               check=True, capture_output=True, text=True, cwd=tmp).stdout
    if not installed.startswith(str(folder / ".venv")):
        raise SystemExit(f"duban 不是从安装包装上的：{installed}")
    for name in ("master.xlsx", "units.xlsx"):
        if not (demo / name).is_file():
            raise SystemExit(f"离线安装的 duban demo 没有写出 {name}")
    print(f"Linux 离线安装并运行 duban demo：成功（{installed}）")


def check_windows_scripts(folder: Path) -> None:
    for name in ("安装.bat", "duban.bat"):
        data = (folder / name).read_bytes()
        if data.count(b"\n") != data.count(b"\r\n"):
            raise SystemExit(f"{name} 的换行不是 CRLF")
        head = data.split(b"chcp 65001", 1)
        if len(head) != 2 or not head[0].isascii():
            raise SystemExit(f"{name}：chcp 65001 之前必须只有 ASCII（cmd 先按系统代码页读取）")
        data.decode("utf-8")
        if b"pause" not in data:
            raise SystemExit(f"{name} 没有 pause，窗口会一闪而过")
    for bas in (folder / "macros").glob("*.bas"):
        data = bas.read_bytes()
        if data.count(b"\n") != data.count(b"\r\n") or "督办" not in data.decode("gbk"):
            raise SystemExit(f"{bas.name} 不是 GBK、CRLF：Excel 导入后中文会乱码")
    print("Windows 脚本：CRLF、UTF-8、chcp 65001 在中文之前；Excel 宏模块为 GBK")


def main() -> None:
    archive = DIST / f"{NAME}.zip"
    if not archive.exists():
        step("没有安装包，先生成")
        build()
    folder = DIST / NAME
    with tempfile.TemporaryDirectory(prefix="duban-bundle-check-") as t:
        tmp = Path(t)
        step("每种电脑的依赖是否齐全")
        check_wheelset(folder / "wheels")
        step("pip 能否只从 wheels 解析出 Windows、macOS 的安装")
        check_pip_resolves(folder / "wheels", tmp)
        step("Windows 脚本")
        check_windows_scripts(folder)
        step("Linux：断网安装并运行")
        check_offline_install(archive, tmp)
    print("安装包检验通过。")


if __name__ == "__main__":
    main()
