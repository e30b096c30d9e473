"""duban demo: the round trip on the Heshan 2022 sample, in a throwaway workspace.

For now: init and import, printing what was found. Each later stage extends it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import ConfigError
from .importing import init_workspace
from .render import console, import_summary
from .samples import sample_path

MARKER = ".duban/demo"  # only a folder duban made as a demo is ever deleted by the demo


def run_demo(root: Path) -> None:
    root = Path(root)
    _reset(root)
    console.rule("1. 建立工作区并导入分解表（鹤山 2022）")
    ws, result = init_workspace(root, sample_path("heshan-2022"))
    (ws.root / MARKER).write_text("demo\n", encoding="utf-8")
    import_summary(result, f"工作区：{ws.root}")
    console.print(f"\n总台账：{ws.master_path}\n单位通讯录：{ws.units_path}\n配置：{ws.config_path}")


def _reset(root: Path) -> None:
    if not root.exists():
        return
    if (root / MARKER).exists():
        shutil.rmtree(root)
    elif any(root.iterdir()):
        raise ConfigError(f"文件夹“{root}”已存在且不是 duban 演示目录；请换一个文件夹名，例如 duban demo 演示。")
