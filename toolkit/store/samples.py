"""The bundled sample breakdown tables (built from the seeds by toolkit/sample_workbooks/build_samples.py)."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ConfigError
from .packagedata import SAMPLE_WORKBOOKS

ROOT = SAMPLE_WORKBOOKS
SAMPLES = {
    "zhanjiang-2022": "zhanjiang-2022/附件1-2022年市政府工作报告重点督办事项分解表.xlsx",
    "zhanjiang-2022-livelihood": "zhanjiang-2022/附件2-2022年市10件民生实事责任分工表.xlsx",
    "heshan-2022": "heshan-2022/2022年鹤山市委市政府重点工作任务分解表.xlsx",
}


def sample_path(name: str) -> Path:
    path = ROOT / SAMPLES[name]
    if not path.exists():
        raise ConfigError(f"找不到样例文件 {path}；请在项目目录运行 python toolkit/sample_workbooks/build_samples.py 重新生成，或重新安装 duban。")
    return path
