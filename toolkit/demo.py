"""duban demo: the round trip on the Heshan 2022 sample, in a throwaway workspace.

So far: init and import, then generate the year-end round's workbooks (the Heshan
completion texts are the 1-12月 answers, due 2023-01-03). Each later stage extends it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import ConfigError
from .generate import generate
from .importing import init_workspace
from .render import console, generate_summary, import_summary
from .samples import sample_path

MARKER = ".duban/demo"  # only a folder duban made as a demo is ever deleted by the demo
DEMO_ROUND = "2023-01-03"


def run_demo(root: Path) -> None:
    root = Path(root)
    _reset(root)
    console.rule("1. 建立工作区并导入分解表（鹤山 2022）")
    ws, result = init_workspace(root, sample_path("heshan-2022"))
    (ws.root / MARKER).write_text("demo\n", encoding="utf-8")
    import_summary(result, f"工作区：{ws.root}")
    console.print(f"\n总台账：{ws.master_path}\n单位通讯录：{ws.units_path}\n配置：{ws.config_path}")
    console.rule(f"2. 生成各单位的报送表（{DEMO_ROUND} 一轮）")
    generated = generate(ws, DEMO_ROUND)
    generate_summary(generated)
    console.print(f"\n报送表在：{ws.round_dir(DEMO_ROUND) / 'outbox'}")


def _reset(root: Path) -> None:
    if not root.exists():
        return
    if (root / MARKER).exists():
        shutil.rmtree(root)
    elif any(root.iterdir()):
        raise ConfigError(f"文件夹“{root}”已存在且不是 duban 演示目录；请换一个文件夹名，例如 duban demo 演示。")
