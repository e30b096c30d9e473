"""duban.toml's [summary] table: the summary's title, columns, widths, notes and fonts."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core import schema
from ..core.config import Config
from ..core.errors import ConfigError
from .workspace import Workspace

# -- configuration ([summary] in duban.toml) -----------------------------------------------------

DEFAULT_NOTES = ("备注：1.同一项目如有多个责任单位，排首单位为牵头责任单位并负责报送工作进展情况。",
                 "2.标注“★”项目为上级确定的重点建设项目或下达的重点工作任务。")


@dataclass
class SummaryConfig:
    """duban.toml's [summary] table as read; every key may be absent (see config_block)."""

    title: str = ""
    subtitle: str = "（{label}，截至{date}）"
    columns: list[str] = field(default_factory=list)  # empty: the table's own words, Heshan's order
    widths: list[float] = field(default_factory=list)
    # As written: report roles or headers; once read, (role, header) pairs.
    text_fields: list = field(default_factory=lambda: [schema.PROGRESS])
    notes: list[str] = field(default_factory=list)  # empty: the table's own notes
    title_font: str = "方正小标宋简体"
    header_font: str = "黑体"
    body_font: str = "仿宋_GB2312"
    title_size: float = 20.0
    header_size: float = 12.0
    body_size: float = 11.0


def config_block() -> str:
    """The commented [summary] table a new duban.toml starts with."""
    return """\
# 完成情况汇总表（duban summary）的格式。删去本节或其中某项，就用默认值。
[summary]
# 标题：留空则为“工作区名称 + 完成情况汇总表”
title = ""
# 副标题：{label} 换成报送轮次名称，{date} 换成截止日期；写成 "" 则不要副标题
subtitle = "（{label}，截至{date}）"
# 表格的列（按顺序）。留空 [] 则为：序号、项目名称、节点计划、责任单位、完成情况、完成时间（用分解表自己的列名）。
# 能认出的列名：序号；项目名称/事项；节点计划/季度工作目标；完成时间/完成时限；分管领导；责任单位/牵头单位；
# 实施单位；协办单位；完成情况；完成状态；完成日期；备注；以及分解表自己的列名（如 民生实事、区政府分管领导）；
# 分解表自带的、与报送栏目同名的列写作“备注（分解表）”。
columns = []
# 各列宽度（与 columns 一一对应，单位同 Excel 列宽）；留空 [] 则自动
widths = []
# “完成情况”在完成状态之后写哪些报送内容（第一项直接接在状态后面，其余各加小标题，如“存在问题：”）；
# 写报送表的列名或 [report] 中的栏目名（progress、problems 等）都可以
text_fields = ["进展情况"]
# 表末备注，每条一行；留空 [] 则用分解表自带的备注
notes = []
# 字体：标题、表头、正文（电脑上没有这些字体时，Excel/WPS 会用相近的字体代替）
title_font = "方正小标宋简体"
header_font = "黑体"
body_font = "仿宋_GB2312"
# 字号（磅）
title_size = 20
header_size = 12
body_size = 11
"""


def read_summary_config(ws: Workspace, cfg: Config) -> SummaryConfig:
    """[summary] from duban.toml, each value checked; defaults for what is absent."""
    data = ws.config_data().get("summary", {})
    if not isinstance(data, dict):
        raise ConfigError("duban.toml 中的 summary 应是以 [summary] 开头的一节；请改正或删去。")
    out = SummaryConfig()
    for name, default in vars(SummaryConfig()).items():
        if name in data:
            setattr(out, name, _checked(name, data[name], default))
    if out.widths and len(out.widths) != len(out.columns or default_columns(cfg)):
        raise ConfigError("duban.toml 的 [summary] 中 widths 的个数应与 columns 相同；请改正，或写成 widths = [] 自动设定列宽。")
    if not out.text_fields:
        raise ConfigError("duban.toml 的 [summary] text_fields 至少要写一项，例如 text_fields = [\"进展情况\"]。")
    out.text_fields = _text_fields(out.text_fields, cfg)
    return out


def _text_fields(names: list[str], cfg: Config) -> list[tuple[str, str]]:
    """(role, header) for each name of [summary] text_fields, a role or a header (configured
    or default), so the summary reads the same before and after a header is renamed."""
    roles = [cfg.role_of(name) for name in names]
    unknown = [name for name, role in zip(names, roles) if role not in cfg.report_fields]
    if unknown:
        choices = "、".join(cfg.header(role) for role in cfg.report_fields)
        raise ConfigError(f"duban.toml 的 [summary] text_fields 中“{'、'.join(unknown)}”不是报送表的列；可选：{choices}。")
    return [(role, cfg.header(role)) for role in roles]


def _checked(name: str, value, default):
    """`value` if it has the type of `default`; a Chinese error naming the key otherwise."""
    if isinstance(default, list):
        kind = (int, float) if name == "widths" else str
        if isinstance(value, list) and all(isinstance(v, kind) and not isinstance(v, bool) for v in value) and (
                name != "widths" or all(1 <= v <= 255 for v in value)):
            return list(value)
        example = "[5, 20, 30, 14, 51, 11]（1 到 255 之间的数）" if name == "widths" else '["序号", "项目名称"]'
        raise ConfigError(f"duban.toml 的 [summary] 中 {name} 应写成列表，例如 {name} = {example}。")
    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 6 <= value <= 72:
            return float(value)
        raise ConfigError(f"duban.toml 的 [summary] 中 {name} 应是 6 到 72 之间的字号（磅），例如 {name} = {default:g}。")
    if isinstance(value, str):
        return value
    raise ConfigError(f"duban.toml 的 [summary] 中 {name} 应是加引号的文字，例如 {name} = \"{default}\"。")


def default_columns(cfg: Config) -> list[str]:
    """Heshan's columns, named with this table's own words where import found them."""
    m = cfg.mapping
    return ["序号", m.get("title") or "项目名称", m.get("plan") or "节点计划", m.get("lead_unit") or "责任单位",
            "完成情况", m.get("deadline") or "完成时间"]
