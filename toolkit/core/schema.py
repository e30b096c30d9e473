"""The schema: the one place that maps a table's own words to duban's roles.

Import, templates, reading returned files, validation and the summary all take column names,
statuses and report fields from here (and from duban.toml, which starts as a copy of these).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import squash

# Roles of the breakdown table (分解表) columns, each with its synonyms, preferred first. The
# words come from the tables of city, district, county and township offices (tests/fixtures/
# realtables). A header that fits several roles tries them best first (by rank, then role order):
# 项目内容 is the plan where a 项目名称 column holds the title, and the title where none does;
# 责任单位 is the lead unit unless a 牵头单位 column is there, then it names the other units.
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "项目序号", "任务序号", "序列", "顺序号", "项目编号"),
    "title": ("事项", "项目名称", "工作任务", "重点工作", "重点任务", "任务名称", "项目",
              "民生实事", "民生实事项目", "实事项目", "实事名称", "目标名称", "督办事项", "工作事项",
              "重点工作任务", "主要任务", "主要工作", "工作项目", "任务事项", "任务内容", "指标名称",
              "任务", "名称", "工作内容", "目标任务", "项目内容"),
    "plan": ("季度工作目标", "具体目标和工作计划", "节点计划", "工作计划", "目标任务",
             "工作目标", "具体目标", "主要内容", "工作标准", "目标要求", "工作要求", "任务目标",
             "年度目标", "年度目标任务", "年度工作目标", "建设内容", "建设内容及规模", "建设规模及内容",
             "项目内容", "实施内容", "工作措施", "具体措施", "推进措施", "主要措施", "工作举措",
             "完成标准", "进度安排", "节点目标", "季度目标", "时间节点安排", "目标", "工作内容",
             "具体内容", "任务分解", "年度计划", "全年目标任务", "全年目标", "攻坚目标任务", "工作任务安排",
             "阶段目标", "序时进度"),
    "deadline": ("完成时限", "时间节点", "完成时间", "时限要求", "时限", "完成期限", "办结时限",
                 "计划完成时间", "截止时间", "办理时限", "完成时限要求", "时间要求", "完成时间节点"),
    "leader": ("市政府分管领导", "分管领导", "分管市领导", "责任领导", "牵头领导",
               "区政府分管领导", "县政府分管领导", "镇政府分管领导", "分管区领导", "分管县领导",
               "责任市领导", "责任区领导", "责任县领导", "联系领导", "挂点领导", "包抓领导",
               "牵头市领导", "牵头区领导", "牵头县领导", "市级责任领导", "县级责任领导", "区级责任领导",
               "分管副市长", "分管副区长", "分管副县长", "领导"),
    "lead_unit": ("牵头单位", "主办单位", "牵头责任单位", "责任单位", "牵头部门", "责任部门",
                  "主责单位", "责任主体", "主体单位", "牵头落实单位", "负责单位", "承担单位",
                  "主要责任单位", "牵头", "责任单位及责任人", "责任科室", "责任股室", "牵头科室",
                  "牵头股室", "责任站所", "责任单位（部门）"),
    "implementing": ("实施单位", "承办单位", "实施主体", "业主单位", "建设单位", "项目业主", "项目单位"),
    "cooperating": ("协办单位", "配合单位", "协同单位", "参与单位", "配合部门", "协办部门",
                    "协作单位", "其他责任单位", "相关单位", "责任单位", "责任部门", "配合"),
}

# Words a header may open with that say only which level of government a column speaks for:
# 区级牵头单位, 县直责任单位, 市政府责任领导 mean what they mean without them.
_LEVEL_PREFIX = re.compile(r"^(市政府|区政府|县政府|镇政府|市级|区级|县级|镇级|市直|区直|县直|街道|市|区|县|镇|乡)(?=.)")
# Any other header naming the items (省重点民生实事项目名称) or their targets (一季度目标).
_TITLE_HEADER = re.compile(r"(项目|事项|任务|实事|工作)名称$")
_PLAN_HEADER = re.compile(r"(目标|目标任务|工作目标|计划)$")
# Any other header naming the units that work with the lead (协同配合单位, 责任主体与协同单位).
_COOPERATING_HEADER = re.compile(r"(配合|协同|协办|协作|参与)[^，,]{0,6}(单位|部门|科室)$")
# Any other header about a leader (…分管领导, 责任领导), but not a unit's own leaders
# (牵头单位主要领导和分管领导 stays an extra column).
_LEADER_HEADER = re.compile(r"^[^单位部门]{0,8}领导(同志)?$")

# Columns that are the table's own record of progress (a 进度表 carries one): kept as extra
# columns and named as such when import says what it took each column for.
PROGRESS_HEADERS = ("当前进度", "进展情况", "完成情况", "工作进展", "推进情况", "目前进展",
                    "进度情况", "实施进度", "形象进度", "当前进展", "工作完成情况", "进展")

ROLE_LABELS = {  # Chinese names of the roles, for messages and the master's header
    "number": "序号", "title": "事项", "plan": "工作目标", "deadline": "完成时限",
    "leader": "分管领导", "lead_unit": "牵头单位", "implementing": "实施单位",
    "cooperating": "协办单位",
}


def role_named(key: str) -> str | None:
    """The breakdown role a clerk names (duban import --column 事项=民生实事): the role's
    Chinese label (事项), any of its synonyms (配合单位, 责任单位), or its English name (title)."""
    text = squash(key)
    if text.lower() in ROLE_SYNONYMS:
        return text.lower()
    for role, label in ROLE_LABELS.items():
        if text == label:
            return role
    hit = match_role(text)
    return hit[0] if hit else None


# A column of the table's own (an extra, kept in item.extras) whose header is already a header
# of duban's (a report field's 备注, 进展情况 …) is shown under this mark in master.xlsx and the
# summary, so the two never share a header: 备注 → 备注（分解表）.
TABLE_MARK = "（分解表）"


def table_column_header(header: str, taken) -> str:
    """The header an extra column is shown under where `taken` holds duban's own headers."""
    return header + TABLE_MARK if header in taken else header


DEFAULT_STATUSES = ("已完成", "基本按进度完成", "未按进度完成", "暂缓实施")

# Which status means done (it needs 完成时间), and which ones need 存在问题 explained.
DONE_STATUS = "已完成"
PROBLEM_STATUSES = ("未按进度完成", "暂缓实施")
# What a 进展情况 text says about its row, for the consistency warnings of collect (core.wording
# reads them; duban.toml's [checks] adds local words). Phrases, never single characters: 计划
# alone is in 完成年度计划, 完成 alone in 尚未完成. Measured on the 510 real completion texts of
# Heshan 2022 (seed 002, tests/test_consistency.py).
# Phrases saying the work is still going on; a phrase ending in 中 only where the word ends
# (建设中, not 建设中欧; 推进中, not 推进中心).
UNDER_WAY_WORDS = ("正在", "正加紧", "正抓紧", "推进中", "进行中", "建设中", "施工中", "实施中", "办理中",
                   "编制中", "筹备中", "尚未", "暂未", "仍在", "即将", "计划于", "拟于", "预计于", "预计将")
# Phrases that contain one of those but describe a finished thing at work: 正在有序生产 is a
# plant that was built.
NOT_UNDER_WAY_WORDS = ("正在生产", "正在有序生产", "正在运营", "正在运行", "正在使用")
# Marks of something achieved, a done phrase or not (已封顶, 已取得许可证, 基本完成主体工程量10%):
# a text reporting any achievement is a progress report, not one of work merely going on.
# Used only to hold a warning back, so a single 已 may stand here.
ACHIEVED_MARKS = ("已", "完成", "建成", "竣工", "投产", "封顶")
# A plan (本期目标) asking for work to start or go on (6月底前开始动工建设, 开展可行性研究) is met by
# work going on: 已完成 over “正在进行主体建设” is then no contradiction.
ONGOING_PLAN_WORDS = ("动工", "开工", "开展", "进行", "推进", "启动")
# Phrases saying the work is finished; not where negated (尚未全部完成, 未能顺利完成) or where
# the same clause gives a share (已完成年度目标的80%, 已完成98%).
DONE_WORDS = ("已完成", "全部完成", "全面完成", "圆满完成", "顺利完成", "已竣工", "已完工", "已建成",
              "已投产", "已投入使用", "已交付使用", "已通过验收", "已办结")

# 进展情况 that says nothing: a unit must describe what was done.
PLACEHOLDERS = frozenset({"无", "/", "／", "-", "—", "——", "－", "同上", "略", "暂无", "见上", "空", "0", "．", ".", "、"})

# What a unit fills in for each of its rows (report roles) and signs under the table (sign-off
# roles), each with the header units see unless duban.toml's [report.headers] renames it. Code
# and the ledger name a field by its role only, so renaming a header changes nothing else.
REPORT_ROLES = ("progress", "problems", "next_steps", "status", "completed_on", "remarks")
SIGNOFF_ROLES = ("filled_by", "phone", "approved_by", "filled_on")
PROGRESS, PROBLEMS, NEXT_STEPS, STATUS, COMPLETED_ON, REMARKS = REPORT_ROLES
FILLED_BY, PHONE, APPROVED_BY, FILLED_ON = SIGNOFF_ROLES
DEFAULT_HEADERS = {
    PROGRESS: "进展情况", PROBLEMS: "存在问题", NEXT_STEPS: "下一步工作计划", STATUS: "完成状态",
    COMPLETED_ON: "完成时间", REMARKS: "备注",
    FILLED_BY: "填报人", PHONE: "联系电话", APPROVED_BY: "单位负责人审核", FILLED_ON: "填报日期",
}
# What each role asks for, in the comments of duban.toml.
ROLE_HINTS = {
    PROGRESS: "本期实际完成的工作和数据", PROBLEMS: "存在的问题和原因", NEXT_STEPS: "下一阶段的具体安排",
    STATUS: "完成状态，从下拉列表中选择", COMPLETED_ON: "完成日期（已完成的必填）", REMARKS: "备注",
    FILLED_BY: "填报人", PHONE: "联系电话", APPROVED_BY: "单位负责人审核签字", FILLED_ON: "填报日期",
}
# The sign-off lines a report must carry (the Zhanjiang notice requires the head's review).
REQUIRED_SIGNOFF = (FILLED_BY, APPROVED_BY)


def report_role(name: str, known: dict[str, str] | None = None) -> str:
    """The role a report field is named by in duban.toml: a role name, a header in `known`
    (header → role, e.g. the configured ones), or a default header. A name that is none of
    these is a field of the workspace's own, its own role (shown and stored, never checked)."""
    name = name.strip()
    if name in DEFAULT_HEADERS:
        return name
    if known and name in known:
        return known[name]
    return _ROLE_OF_DEFAULT.get(name, name)


_ROLE_OF_DEFAULT = {header: role for role, header in DEFAULT_HEADERS.items()}

# The workbook a unit receives (generate writes it, collect reads it back): its sheet names, the
# header of the hidden key column, and the read-only columns as (id, header, width).
SHEET = "报送表"
LISTS_SHEET = "_lists"
KEY_HEADER = "键（请勿修改）"
# Read-only columns: (id, header, width). The title's header follows the table's own word.
# 牵头单位 holds the row's lead alone (who answers for it); the row's other responsible units
# (co-leads, implementing and cooperating units) stand under 其他责任单位. Workbooks generated
# before listed every unit under 牵头单位 and had no 其他责任单位 column: they still read.
READ_ONLY = (("number", "序号", 5), ("title", "事项", 18), ("targets", "本期目标", 28),
             ("deadline", "完成时限", 9), ("plan", "全年工作目标", 24), ("lead", "牵头单位", 11),
             ("others", "其他责任单位", 12))
# What the 全年工作目标 cell says where the year's plan is this round's target word for word (a
# plan without quarters or dated nodes; each node row of a node plan): the text once, not twice.
SAME_AS_TARGETS = "同本期目标"

# The reporting rounds the Zhanjiang notice fixes: the 3rd of every other month, and
# 1月3日 of the next year for the year's last round.
DEFAULT_ROUND_DAYS = ((4, 3), (5, 3), (7, 3), (9, 3), (11, 3), (1, 3))
ROUND_LABELS = ("第一次报送", "第二次报送", "第三次报送", "第四次报送", "第五次报送", "第六次报送")

_CN_NUM = "一二三四五六七八九十"
# Rows that group items rather than being items.
CATEGORY_RE = re.compile(rf"^[{_CN_NUM}]+[、.．]")                 # 一、重点指标类（7项）
SUBCATEGORY_RE = re.compile(rf"^[（(][{_CN_NUM}]+[）)]")            # （一）聚焦党的建设…（15项）
LEADER_GROUP_RE = re.compile(r"分管工作|分管的工作")                 # 陈文副市长分管工作（共2项）
COUNT_RE = re.compile(r"[（(]\s*共?\s*(\d+)\s*项\s*[）)]\s*$")
NOTE_RE = re.compile(r"^(备\s*注|注\s*[:：]|说明\s*[:：])")

_PAREN_TAIL = re.compile(r"^[（(][^（）()]*[）)]$")


@lru_cache(maxsize=4096)  # the same header words recur in every file of a collect
def match_role(header: str) -> tuple[str, int] | None:
    """(role, rank) for a header cell, rank being the synonym's preference (0 = best): the best
    of `role_candidates`."""
    candidates = role_candidates(header)
    return candidates[0] if candidates else None


@lru_cache(maxsize=4096)
def role_candidates(header: str) -> tuple[tuple[str, int], ...]:
    """Every role a header cell may mean, best first, as (role, rank).

    A header matches a synonym exactly, or as the synonym followed by a parenthesised gloss
    (实施单位（承办单位）), or after a level word (区级牵头单位). Longer phrases that merely start
    with one are not matched: 牵头单位主要领导和分管领导 is an extra column, not the lead unit.
    """
    text = squash(header).rstrip("：:")
    if not text:
        return ()
    bare = _LEVEL_PREFIX.sub("", text)
    found: dict[str, int] = {}
    for role, synonyms in ROLE_SYNONYMS.items():
        for rank, word in enumerate(synonyms):
            for t, penalty in ((text, 0), (bare, 1)):
                if t == word or (t.startswith(word) and _PAREN_TAIL.match(t[len(word):])):
                    found[role] = min(found.get(role, 99), rank + penalty)
    if "leader" not in found and _LEADER_HEADER.match(text):
        found["leader"] = len(ROLE_SYNONYMS["leader"])
    if not found and _TITLE_HEADER.search(text):
        found["title"] = len(ROLE_SYNONYMS["title"])
    if not found and _PLAN_HEADER.search(text) and len(text) <= 12:
        found["plan"] = len(ROLE_SYNONYMS["plan"])
    if not found and _COOPERATING_HEADER.search(text):
        found["cooperating"] = len(ROLE_SYNONYMS["cooperating"])
    order = list(ROLE_SYNONYMS)
    return tuple(sorted(found.items(), key=lambda rr: (rr[1], order.index(rr[0]))))


def is_progress_header(header: str) -> bool:
    """A table's own progress column (当前进度, 进展情况 …)."""
    text = squash(header)
    return any(text == w or (text.startswith(w) and _PAREN_TAIL.match(text[len(w):])) for w in PROGRESS_HEADERS)


def stated_count(text: str) -> int | None:
    """The item count a group row states: …（15项） or …（共2项）."""
    m = COUNT_RE.search(squash(text))
    return int(m.group(1)) if m else None


def section_kind(text: str) -> str | None:
    """'category' | 'subcategory' | 'leader_group' | 'note' for a grouping row's text."""
    t = squash(text)
    if NOTE_RE.match(t):
        return "note"
    if CATEGORY_RE.match(t):
        return "category"
    if SUBCATEGORY_RE.match(t):
        return "subcategory"
    if LEADER_GROUP_RE.search(t) and COUNT_RE.search(t):
        return "leader_group"
    return None
