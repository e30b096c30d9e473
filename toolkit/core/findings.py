"""Findings: what duban noticed about the data, as data, and the one catalog of their words.

A finding never stops the run; the caller decides what an `error` means for its stage.
Codes are stable English names that scripts may rely on. A finding holds its code and
fields (where: unit, item, row, column; what: value; and named facts such as the file or the
allowed statuses); its Chinese message is composed from the catalog when shown, so the
ledger stores fields, never sentences, and a reworded catalog rewords old findings too.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from .text import readable_name, shorten

WHERE = ("unit", "item", "row", "column", "value")


@dataclass(frozen=True)
class Entry:
    severity: str  # "error" | "warning"
    template: str  # what is wrong, filled from the finding's fields
    hint: str = ""  # what to do, after a "；"
    blank: str = ""  # the template used instead when the value is empty
    for_unit: bool = True  # False: about how a file arrived, not something the unit can fix


_AT = "{at}："  # “file”第N行“column”列： before a message about one cell
_RESEND = "请让该单位用督查室发出的原表重新填报。"
_RESAVE = "请该单位用 Excel/WPS 打开后重新保存发送。"

# Keys are codes, or code:variant where one code arises in different ways; a variant has
# its code's severity (a test holds them to it).
CATALOG: dict[str, Entry] = {
    # -- importing a breakdown table ---------------------------------------------------
    "extension-mismatch": Entry("warning", "文件“{file}”的扩展名“{value}”与内容不符（实际是{format}），已按实际内容读取",
                                "建议改正扩展名。", for_unit=False),
    "repeated-header": Entry("warning", "第{row}行是重复的表头（多页拼接所致），已跳过", "无需处理。"),
    "note-row": Entry("warning", "第{row}行是备注，已作为说明保存，不算事项：“{value:.40}”", "无需处理。"),
    "unrecognised-row": Entry("warning", "第{row}行既不是事项也不是分类行，已跳过：“{value:.40}”",
                              "如果它是事项，请补上序号和事项名称后重新导入。"),
    "missing-number": Entry("warning", "第{row}行有事项名称“{value:.40}”但没有序号，已按事项导入", "请在分解表中补上序号。"),
    "missing-title": Entry("warning", "第{row}行（序号 {item}）没有事项名称", "请在分解表中补上。"),
    "missing-lead-unit": Entry("warning", "第{row}行（序号 {item}）没有“{column}”，该事项无人报送",
                               "请在分解表中补上后重新导入。"),
    "unnumbered-node": Entry("warning", "第{row}行没有序号，已作为上一事项（序号 {item}）的子行导入：“{value:.40}”",
                             "如果它是一个独立的事项，请在分解表中给它补上序号后重新导入。"),
    "column-guessed": Entry("warning", "第{row}行表头中 {column} 列“{value}”不是常见的列名，按其内容判断为“{role}”",
                            "如果判断不对，请用 duban import 文件 --column {role}=列名 指明后重新导入。"),
    "year-unknown": Entry("warning", "“{file}”的标题、文件名和完成时限中都找不到年份，工作区年份按 duban.toml 中的 year 计（新建时为今年）",
                          "如果不对，请在 duban.toml 中改正 year，或在分解表标题中写明年份后重新导入。", for_unit=False),
    "unit-split-ambiguous": Entry("warning", "第{row}行“{column}”中的“{value:.40}”断行处有两种读法，已按“{chosen}”导入，"
                                  "也可能是“{other}”",
                                  "请核对：在 units.xlsx 中把正确的单位名称或别名填上后重新导入（错误读法的那一行请删去）。"),
    "unit-role-note": Entry("warning", "第{row}行“{column}”中“{value}”后的括注“{note:.30}”是对其分工的说明，单位名称按“{value}”导入",
                            "如果括号里的字本是单位名称的一部分，请在 units.xlsx 中填上完整名称后重新导入。"),
    "year-changed": Entry("warning", "“{file}”是 {value} 年的分解表，工作区年份由 {year} 改为 {value}，报送轮次随之改为 {value} 年的",
                          "如果不对，请在 duban.toml 中改正 year 和 [[rounds]]。", for_unit=False),
    "year-differs": Entry("warning", "“{file}”是 {value} 年的分解表，但工作区是 {year} 年的且已有报送记录，年份没有改",
                          "如果这是新一年的分解表，请另建一个工作区（duban init 新目录 --from 分解表）。", for_unit=False),
    "count-mismatch": Entry("warning", "第{row}行“{value}”写明{stated}项，但表中实际有{found}项", "请核对分解表。"),
    "item-gone-with-reports": Entry("warning", "原序号 {item}“{value:.30}”不在新的分解表中，但已有报送记录，已保留在总台账末尾",
                                    "如确需删除请核实后手工处理。"),
    # -- a returned file: can it be read at all --------------------------------------
    "ignored": Entry("warning", "“{file}”不是报送表（临时文件、系统文件或非表格文件），已忽略", "无需处理。", for_unit=False),
    "ignored:link-out": Entry("warning", "“{file}”是指向本文件夹以外（{value}）的链接，为安全起见没有读取",
                              "如果它确是单位退回的报送表，请把文件本身（不是链接或快捷方式）复制到这个文件夹后重新运行收集。",
                              for_unit=False),
    "ignored:link-in": Entry("warning", "“{file}”是指向本文件夹内“{value}”的链接，没有重复读取（原文件照常收集）", "无需处理。",
                             for_unit=False),
    "ignored:special": Entry("warning", "“{file}”不是普通文件（管道、设备等特殊文件），没有读取",
                             "如果它应是退回的报送表，请把文件本身复制到这个文件夹后重新运行收集。", for_unit=False),
    "ignored:workspace": Entry("warning", "“{file}”是工作区“{value}”自己的文件（生成的空白报送表、收到文件的存档、总台账等），"
                               "不是单位退回的文件，没有收集",
                               "请只收集存放单位退回文件的文件夹，不要把工作区放在其中。", for_unit=False),
    "unchanged": Entry("warning", "文件“{file}”已经收集过，未重复处理", "无需处理。", for_unit=False),
    "unchanged:copy": Entry("warning", "文件“{file}”与“{value}”内容完全相同，未重复处理", "无需处理。", for_unit=False),
    "cannot-open": Entry("error", "文件“{file}”无法打开（系统提示：{value}），本次没有收集",
                         "请检查该文件后重新运行收集。", for_unit=False),
    "cannot-open:busy": Entry("error", "文件“{file}”无法打开（可能正被其他程序（如 Excel、WPS）占用，或没有读取权限），本次没有收集",
                              "关闭占用它的程序后，重新运行收集即可。", for_unit=False),
    "cannot-open:moved": Entry("error", "文件“{file}”无法打开（在收集过程中被移走或删除了），本次没有收集",
                               "放回原处后，重新运行收集即可。", for_unit=False),
    "cannot-open:too-long": Entry("error", "文件“{file}”的路径太长（超过了系统允许的长度），无法打开，本次没有收集",
                                  "请把它移到路径较短的文件夹（例如直接放在收集的文件夹下）后重新运行收集。", for_unit=False),
    "cannot-open:deep-folder": Entry("error", "文件夹“{file}”的路径太长（超过了系统允许的长度），其中的文件本次都没有收集",
                                     "请把这个文件夹移到路径较短的位置（例如直接放在收集的文件夹下）后重新运行收集。", for_unit=False),
    "cannot-open:folder": Entry("error", "文件夹“{file}”无法打开（系统提示：{value}），其中的文件本次都没有收集",
                                "请检查这个文件夹的读取权限后重新运行收集。", for_unit=False),
    "cannot-open:changed": Entry("error", "文件“{file}”在收集过程中被改动或替换了（存档时的内容与读取时不同），本次没有收集",
                                 "等文件保存完毕、不再变动后，重新运行收集即可。", for_unit=False),
    "empty-file": Entry("error", "文件“{file}”是空的（0 字节）", "请联系该单位重新发送。"),
    "too-large": Entry("error", "文件“{file}”有 {value} MB 以上，远大于报送表应有的大小，没有读取，也没有存档",
                       "请联系该单位核实后重新发送正常的报送表；此文件留在文件夹中每次收集都会再提示，核实后请把它移走。"),
    "too-large:memory": Entry("error", "文件“{file}”读取时占用内存过多，未读取", "请联系该单位核实，或让" + _RESAVE[1:]),
    "zip-bomb": Entry("error", "文件“{file}”解压后超过 {limit} MB，疑似恶意文件，未读取", "请联系该单位核实。"),
    "corrupt": Entry("error", "文件“{file}”已损坏，无法读取（{value}）", _RESAVE),
    "encrypted": Entry("error", "文件“{file}”设置了打开密码，无法读取",
                       "请该单位取消密码后重新发送（文件→信息→保护工作簿→用密码进行加密，清空）。"),
    "wrong-format": Entry("error", "文件“{file}”实际是{format}，不是报送表", "请该单位发送填好的报送表（.xlsx/.xls/.ods）。"),
    "reader-crash": Entry("error", "文件“{file}”无法读取（读取时程序异常退出，多半是文件内容异常），可能已损坏或不是正常的报送表", _RESAVE),
    "timeout": Entry("error", "文件“{file}”无法读取（超过 {value} 秒仍未读完），可能已损坏或不是正常的报送表", _RESAVE),
    "saved-time-unknown": Entry("warning", "文件“{file}”中记录的最后保存时间“{value:.40}”不是一个可能的时间（电脑时钟有误或文件被其他程序改写过），已忽略，按时间未知处理",
                                "文件照常读取；如需判断先后或迟报，请以收到文件的时间为准。", for_unit=False),
    "too-many-rows": Entry("warning", "文件“{file}”的工作表行数过多，只读取了前面的 {value} 行", "请核对该单位是否在表中粘贴了大量内容。"),
    # -- whose file, for which round -------------------------------------------------
    "wrong-round": Entry("error", "文件“{file}”是 {value} 一轮的报送表，不是本次收集的 {expected}，未采用",
                         "如确属 {value} 一轮，请用 --round {value} 收集。"),
    "wrong-round:workspace": Entry("error", "文件“{file}”不是本工作区生成的报送表（属于另一个工作区 {value}），未采用",
                                   "请核对是否发错了文件。"),
    "bad-signature": Entry("error", "文件“{file}”的隐藏签名与内容不符（单位、轮次或表格结构被改动过，或不是督查室发出的文件），未采用",
                           _RESEND),
    "unknown-unit": Entry("error", "文件“{file}”所属单位“{unit}”在 {round} 一轮没有需要报送的事项（分解表可能已重新导入），未采用",
                          "请核对分解表。"),
    "unidentified": Entry("error", "文件“{file}”没有隐藏签名，也无法确定是哪个单位的（已尝试：{tried}）",
                          "请让该单位用督查室发出的原表重新填报，或在文件名中写明单位名称（或在 units.xlsx 中补上别名）后重新收集。", for_unit=False),
    "unidentified:no-table": Entry("error", "文件“{file}”中找不到报送表（没有“进展情况”“完成状态”等列），无法识别",
                                   "请核对是否为报送表，或让该单位用督查室发出的原表填报。", for_unit=False),
    "unidentified:no-round": Entry("error", "文件“{file}”没有隐藏签名，无法判断是哪一轮", "请用 --round 指定轮次后再收集。",
                                   for_unit=False),
    "identified-by-content": Entry("warning", "文件“{file}”的隐藏签名已丢失（可能复制到了新工作簿），已根据内容认定为“{unit}” {round} 一轮的报送",
                                   "请核对。", for_unit=False),
    "no-table": Entry("error", "文件“{file}”中找不到报送表（“{progress_col}”“{status_col}”等列被删除或改名），未采用", _RESEND),
    "copied-sheet": Entry("warning", "文件“{file}”中有两张报送表，填写的内容不同：已采用督查室发出的“{sheet}”，工作表“{other}”（复制出来的）未采用",
                          "如应以“{other}”为准，请该单位把内容填到“{sheet}”中，删除多余的工作表后重新发送。"),
    "unfilled": Entry("error", "文件“{file}”是未填写的报送表（各行与督查室发出时相同，表格下方也没有签字），不算报送，该单位仍为未报送",
                      "请该单位填写后重新发送；如果是发错了文件（例如发件箱里的原表），请发送填好的那一份。"),
    "superseded": Entry("warning", "“{unit}”本轮还有更新的文件“{value}”，本文件不再采用", "以最新的为准，无需处理。", for_unit=False),
    "late": Entry("warning", "文件“{file}”最后保存于 {value}，晚于截止日期 {due}，按迟报记录", "无需处理。", for_unit=False),
    # -- which of a unit's files counts: the clerk decides what duban cannot ------------------
    "unsigned-copy": Entry("error", "文件“{file}”没有隐藏签名（按内容认定为“{unit}”的报送），它会取代该单位带签名的报送“{value}”，"
                           "未经确认不取代，暂不采用",
                           "核实确是该单位更新的报送后，请用 duban collect 文件夹 --accept \"{file}\" 收集；否则无需处理。", for_unit=False),
    "unsigned-copy:name": Entry("error", "文件“{file}”没有隐藏签名，表中事项属于“{unit}”，但{where}写的是“{value}”，暂不采用",
                                "请核实是哪个单位的报送：确是“{unit}”的，请用 duban collect 文件夹 --accept \"{file}\" 收集；"
                                "是“{value}”的，请让该单位用督查室发出的原表重新填报。", for_unit=False),
    "saved-time-implausible": Entry("warning", "“{unit}”本轮有多个文件，“{file}”记录的最后保存时间 {value} 不可信（晚于现在，或早于本轮报送表生成），"
                                    "已按收到的先后认定以“{chosen}”为准",
                                    "如不对，请用 duban collect 文件夹 --prefer \"文件名\" 指定以哪个文件为准（多半是该单位电脑的时钟不准）。",
                                    for_unit=False),
    "chosen-by-clerk": Entry("warning", "按 --prefer 的指定，“{unit}”本轮以文件“{file}”为准", "无需处理。", for_unit=False),
    "chosen-by-clerk:accept": Entry("warning", "按 --accept 的确认，采用了没有隐藏签名的文件“{file}”作为“{unit}”的报送",
                                    "无需处理。", for_unit=False),
    # -- the rows of a returned file ---------------------------------------------------
    "missing-item": Entry("error", _AT + "表中缺少序号 {item}“{title:.20}”这一行", "请在督查室发出的原表中填报该事项，不要删除行。"),
    "duplicate-row": Entry("error", _AT + "序号 {item} 重复填报，只采用第一行", "请删除重复的行。"),
    "foreign-item": Entry("error", _AT + "序号 {item}“{value:.20}”不是本单位的事项（由“{owners}”报送），未采用", "请删除这一行。"),
    "extra-row": Entry("warning", _AT + "“{value:.20}”这一行不是督查室发出的事项（可能是自行添加的），未并入总台账，仅在报告中列出",
                       "如确需报送，请与督查室联系。"),
    "tampered-plan": Entry("error", _AT + "分解表内容（{columns}）被改动为“{value:.40}”，这一行未采用",
                           "请在督查室发出的原表中填写，不要修改灰色格子。",
                           blank=_AT + "分解表内容（{columns}）被改动，这一行未采用"),
    "key-order": Entry("error", _AT + "隐藏的键与行的顺序不符（灰色的分解表列已被删除，无法核对这一行是哪个事项），这一行未采用",
                       "请在督查室发出的原表中填写，不要删除灰色列、不要改动隐藏列或调换行的顺序。"),
    "merged-cells": Entry("warning", "“{file}”第{row}至{last}行“{column}”列是一个合并单元格，已把其中的文字作为这 {count} 行各自的填报内容",
                          "如各行情况不同，请取消合并后分别填写。"),
    "stale-progress": Entry("warning", _AT + "与上一轮（{previous}）已采纳的{column}相同，没有更新",
                            "请写明本期的新进展；确无新进展的，请写明原因。"),
    # consistency: warnings only, the row is merged; the clerk checks status against text
    "done-but-under-way": Entry("warning", _AT + "序号 {item} 的{status_col}是“{status}”，{column}却写着“{value:.40}”，像是尚未完成",
                                "请核实：尚未完成的，请改选{status_col}；已经完成的，请在{column}中写明完成的情况。"),
    "behind-but-done": Entry("warning", _AT + "序号 {item} 的{status_col}是“{status}”，{column}却写着“{value:.40}”，像是已经完成",
                             "请核实：已经完成的，请改选“{done}”并填写{date_col}；确未完成的，请在{column}中写明还差什么。"),
    "completed-after-due": Entry("warning", _AT + "序号 {item} 的{column}“{value}”（{day}）晚于本轮截止日期 {due}，还没有到",
                                 "请核实：尚未完成的，请清空{column}并改选{status_col}；日期写错的，请改正。"),
    "better-status-same-progress": Entry("warning", _AT + "序号 {item} 的{status_col}由上一轮（{previous}）的“{before}”改为“{status}”，"
                                         "{column}却与上一轮已采纳的完全相同",
                                         "请在{column}中写明本期的新进展；情况没有变化的，请把{status_col}改回“{before}”。"),
    "text-too-long": Entry("warning", _AT + "有 {length} 字，超过 Excel 一个单元格能容纳的 {limit} 字；全文已记入台账，"
                           "总台账和汇总表中只显示前面部分", "请精简到 {limit} 字以内后重新报送。"),
    "missing-status": Entry("error", _AT + "没有填写{column}", "请从下拉列表中选择：{statuses}。"),
    "bad-status": Entry("error", _AT + "{column}“{value}”不在可选范围内", "只能填：{statuses}。"),
    "bad-status:invisible": Entry("error", _AT + "{column}“{value}”不在可选范围内（该格还含有看不见的字符 {invisible}）",
                                  "请清空该格后从下拉列表中重新选择：{statuses}。"),
    "missing-progress": Entry("error", _AT + "{column}只写了“{value}”", "请写明本期实际完成的工作和数据。",
                              blank=_AT + "{column}没有填写"),
    "missing-progress:invisible": Entry("error", _AT + "{column}只有看不见的字符（{invisible}），等于没有填写",
                                        "请清空该格后写明本期实际完成的工作和数据。"),
    "missing-problems": Entry("error", _AT + "{status_col}为“{status}”，“{column}”却只写了“{value}”", "请在“{column}”中说明原因。",
                              blank=_AT + "{status_col}为“{status}”，“{column}”却没有填写"),
    "missing-completion-date": Entry("error", _AT + "{status_col}为“{status}”，但没有填写“{column}”", "请填写{column}，如 {year}-03-31。"),
    "bad-date": Entry("error", _AT + "{column}“{value}”不是可识别的日期", "请写成 {year}-03-31 或 {year}年3月31日。"),
    "bad-date:invisible": Entry("error", _AT + "{column}“{value}”不是可识别的日期（该格还含有看不见的字符 {invisible}）",
                                "请清空该格后写成 {year}-03-31 或 {year}年3月31日。"),
    "date-out-of-range": Entry("error", _AT + "{column}“{value}”（{day}）不在 {year}年1月1日 至截止日期 {due} 之间", "请核对。"),
    "vague-date": Entry("warning", _AT + "{column}“{value}”不是具体日期，按 {day} 记录", "如有准确日期请填写。"),
    "missing-signoff": Entry("warning", "“{file}”：表格下方的“{column}”没有填写", "请提醒该单位补全（报送须经单位主要负责人审阅）。"),
    # -- the master ----------------------------------------------------------------------
    "master-conflict": Entry("warning", "总台账中“{column}”（键 {item}）已被手工改过（现为“{value:.40}”），未覆盖；应为：{new:.60}",
                             "如应恢复，请在总台账中清空该格后重新运行收集。", for_unit=False),
    "master-conflict:corrected": Entry("warning", "总台账中“{column}”（键 {item}）已被手工改为“{value:.40}”，已作为督查室的更正记下，"
                                       "未用{unit}新报送的内容覆盖；新报送的是：{new:.60}",
                                       "如要采用新报送的内容，请在总台账中把该格改成它。", for_unit=False),
    "master-conflict:after-correction": Entry("warning", "总台账中“{column}”（键 {item}）有督查室的更正“{value:.40}”，{unit}此后又报送了新的内容，"
                                              "仍以更正为准；新报送的是：{new:.60}",
                                              "如要采用新报送的内容，请在总台账中把该格改成它。", for_unit=False),
    # master.xlsx edited by hand so that some new report cannot be written into it (collect's merge)
    "master-column-missing": Entry("warning", "总台账 master.xlsx 第{row}行表头中没有“{column}”列（可能被改名或删除了），"
                                   "{count} 行新的“{column}”已存入台账库，但没有写进总台账",
                                   "请把该列的表头改回“{column}”（删掉了就在报送内容各列的右边加一列，表头写“{column}”），"
                                   "保存后重新运行 duban collect，会自动补写。", for_unit=False),
    "master-column-duplicate": Entry("warning", "总台账 master.xlsx 第{row}行有 {count} 列都叫“{column}”（{value} 列），"
                                     "分不清哪一列是各单位报送的内容：这一列本次没有写入（新内容已存入台账库），其中的改动也没有记为更正",
                                     "请把你自己加的那一列改个名字（例如“{column}（督查室）”），保存后重新运行 duban collect。",
                                     for_unit=False),
    "master-column-duplicate:settled": Entry("warning", "总台账 master.xlsx 第{row}行有不止一列叫“{column}”：{value} 列是 duban 写入的"
                                             "报送内容，{others} 列当作你自己加的列，原样保留、不会写入",
                                             "为免混淆，请把 {others} 列改个名字；改名之前 duban import 不能重写总台账。",
                                             for_unit=False),
    "master-column-refilled": Entry("warning", "总台账 master.xlsx 的“{column}”列原来写入的内容现在全是空的（像是删掉后重新加的列），"
                                    "已按台账库重新写入各单位报送的{column}，没有当作督查室的更正",
                                    "如果确实要清空某些单位的{column}，请在重新写入后逐格清空，duban 会记为更正。", for_unit=False),
    "master-row-missing": Entry("warning", "总台账 master.xlsx 中找不到第{number}项“{title:.20}”的行（键 {item}；"
                                "这一行可能被删除了，或它的“键”被改动了），{unit}新报送的内容已存入台账库，但没有写进总台账",
                                "请从 .duban/backups 中的上一版总台账把这一行整行复制回来（“键”一格不能改），"
                                "或删除 master.xlsx 让 duban 按台账库重建（重建的总台账没有你自己加的格式和列），然后重新运行 duban collect。",
                                for_unit=False),
}


@dataclass(frozen=True)
class Finding:
    key: str  # a CATALOG key: the code, or code:variant
    row: int | None = None
    column: str | None = None
    value: str | None = None
    unit: str | None = None
    item: str | None = None
    facts: dict = field(default_factory=dict, hash=False)  # further named fields the message uses

    @property
    def code(self) -> str:
        return self.key.split(":")[0]

    @property
    def entry(self) -> Entry:
        return CATALOG.get(self.key) or CATALOG.get(self.code) or _UNKNOWN

    @property
    def severity(self) -> str:
        return self.entry.severity

    @property
    def message(self) -> str:
        # Findings stored before the catalog existed kept their sentence; shown as they were.
        return self.facts.get("message") or render(self.entry, self.fields())

    @property
    def for_unit(self) -> bool:
        return self.entry.for_unit

    def fields(self) -> dict:
        return {**self.facts, "code": self.code, **{k: getattr(self, k) for k in WHERE}}

    def to_json(self) -> dict:
        """The FINDING shape of CLI.md (every key present, in that order)."""
        return {"code": self.code, "severity": self.severity, "unit": self.unit, "item": self.item,
                "row": self.row, "column": self.column, "value": self.value, "message": self.message}


_UNKNOWN = Entry("error", "{code}")  # a key from a newer duban's ledger: shown by its code


def finding(key: str, **fields) -> Finding:
    """A finding of catalog entry `key`; fields other than unit/item/row/column/value are facts."""
    if key not in CATALOG:
        raise KeyError(f"no catalog entry for finding {key!r}")
    where = {k: fields.pop(k) for k in WHERE if k in fields}
    if where.get("value") is not None:
        where["value"] = _storable(str(where["value"]))
    return Finding(key, facts={k: _plain(v) for k, v in fields.items()}, **where)


def _plain(v):
    """Facts are stored as JSON: lists become 、-joined text, the rest stays as it is."""
    return "、".join(map(str, v)) if isinstance(v, list | tuple) else _storable(v) if isinstance(v, str) else v


def _storable(text: str) -> str:
    """Text the ledger, a workbook and JSON can hold: a file name Python could not decode
    (surrogates) is shown readably instead of stopping whatever stores it."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return readable_name(text)
    return text


class _Blanks(dict):
    def __missing__(self, name):
        return ""


class _Formatter(string.Formatter):
    def format_field(self, value, format_spec: str):
        """{title:.20} cuts a text to 20 characters with … when it had more."""
        if isinstance(value, str) and format_spec[1:].isdigit() and format_spec.startswith("."):
            return shorten(value, int(format_spec[1:]))
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def render(entry: Entry, fields: dict) -> str:
    """The entry's Chinese message for these fields; a missing field shows as nothing."""
    values = _Blanks({k: "" if v is None else v for k, v in fields.items()})
    values["at"] = _at(values)
    template = entry.blank if entry.blank and not values.get("value") else entry.template
    what = _FORMATTER.vformat(template, (), values)
    hint = _FORMATTER.vformat(entry.hint, (), values) if entry.hint else ""
    return f"{what}；{hint}" if hint else f"{what}。"


def _at(values: dict) -> str:
    """Where in a returned file: “file”第N行“column”列, each part when known."""
    at = f"“{values['file']}”" if values.get("file") else ""
    if values.get("row") not in ("", None):
        at += f"第{values['row']}行"
    if values.get("column"):
        at += f"“{values['column']}”列"
    return at
