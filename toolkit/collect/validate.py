"""Judge a returned table row by row: statuses, texts, dates, tampering, rows that do not belong.

Findings are data; an error on a row keeps that row out of the master, a warning does not.
Nothing here writes anything.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..core import schema
from ..core.assign import UnitRow
from ..core.dates import format_cn, parse_date
from ..core.findings import Finding, error, warning
from ..core.schema import READ_ONLY
from ..core.signing import Metadata, row_hash
from ..core.text import cell_text, fold, shorten
from ..store.workspace import Config, Round
from .extract import ReturnedRow, ReturnedTable
from .roundrows import RoundRows, row_identity

READ_ONLY_IDS = [cid for cid, _, _ in READ_ONLY]
_TRAILING = re.compile(r"[。.，,；;！!、\s]+$")


@dataclass
class Judgement:
    accepted: list[tuple[UnitRow, dict[str, str]]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rejected_rows: int = 0
    late: bool = False


def normalise_status(value) -> str:
    """已完成。 / ＿已完成 / 已 完 成 → 已完成: spaces, full-width forms and end punctuation go."""
    text = cell_text(value)
    # A status is a few words, picked from a list: the same texts again and again, cached
    # (long texts are not, so a hostile file cannot fill the cache with them).
    return _status(text) if len(text) <= 64 else _normalise_status(text)


def _normalise_status(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _TRAILING.sub("", "".join(text.split()))


_status = lru_cache(maxsize=1024)(_normalise_status)


def judge(table: ReturnedTable, unit: str, rnd: Round, rows: RoundRows, meta: Metadata | None, cfg: Config,
          last_saved: dt.datetime | None, file_name: str) -> Judgement:
    j = Judgement()
    ctx = _Context(unit, rnd, cfg, file_name, table.sheet)
    expected = rows.by_unit.get(unit, [])
    matched = _match_rows(table, expected, rows, ctx, j)
    signed = dict(meta.rows) if meta else {}
    for row, exp in matched:
        row_findings = _tampering(row, exp, signed, ctx) or _fields(row, exp, ctx)
        j.findings.extend(row_findings)
        if any(f.severity == "error" for f in row_findings):
            j.rejected_rows += 1
        else:
            j.accepted.append((exp, _clean_fields(row, cfg)))
    seen = {exp.key for _, exp in matched}
    for exp in expected:
        if exp.key not in seen:
            j.rejected_rows += 1
            j.findings.append(ctx.error("missing-item", exp, None, None, None,
                                        f"表中缺少序号 {exp.number}“{shorten(exp.title)}”这一行；请在督查室发出的原表中填报该事项，不要删除行。"))
    j.late = _late(last_saved, rnd)
    if j.late:
        j.findings.append(warning("late", f"文件“{file_name}”最后保存于 {last_saved:%Y-%m-%d %H:%M}，晚于截止日期 {format_cn(rnd.due)}，按迟报记录。",
                                  unit=unit, value=last_saved.isoformat(" ", "minutes")))
    j.findings.extend(_signoff(table, ctx))
    return j


@dataclass
class _Context:
    unit: str
    rnd: Round
    cfg: Config
    file_name: str
    sheet: str

    def where(self, exp: UnitRow | None, row: ReturnedRow | None, column: str | None, value) -> dict:
        return dict(unit=self.unit, item=exp.number if exp else (row.number if row else None),
                    row=row.row if row else None, column=column,
                    value=None if value is None else cell_text(value))

    def error(self, code, exp, row, column, value, message) -> Finding:
        return error(code, self._prefix(row, column) + message, **self.where(exp, row, column, value))

    def warning(self, code, exp, row, column, value, message) -> Finding:
        return warning(code, self._prefix(row, column) + message, **self.where(exp, row, column, value))

    def _prefix(self, row, column) -> str:
        at = f"“{self.file_name}”"
        if row is not None:
            at += f"第{row.row}行"
        if column:
            at += f"“{column}”列"
        return at + "："


def _match_rows(table: ReturnedTable, expected: list[UnitRow], rows: RoundRows, ctx: _Context, j: Judgement):
    """Pairs (returned row, expected row); rows of other units and typed-in rows are findings."""
    by_key = {e.key: e for e in expected}
    by_identity = None  # built when first needed: most files' rows all match by key
    pairs, used = [], set()
    for row in table.rows:
        if row.is_blank():
            continue
        exp = by_key.get(row.key) if row.key else None
        if exp is None and not (row.key and row.key in rows.owners_by_key):
            if by_identity is None:
                by_identity = {row_identity(e.number, e.title): e for e in expected}
            exp = by_identity.get(row_identity(row.number, row.title))
        if exp is not None and exp.key not in used:
            used.add(exp.key)
            pairs.append((row, exp))
            continue
        if exp is not None:
            j.rejected_rows += 1
            j.findings.append(ctx.error("duplicate-row", exp, row, None, None,
                                        f"序号 {exp.number} 重复填报，只采用第一行；请删除重复的行。"))
            continue
        owners = rows.owners(row.key, row.number, row.title) - {ctx.unit}
        if owners:
            j.rejected_rows += 1
            j.findings.append(ctx.error("foreign-item", None, row, None, row.title,
                                        f"序号 {row.number}“{shorten(row.title)}”不是本单位的事项（由“{'、'.join(sorted(owners))}”报送），未采用；请删除这一行。"))
        else:
            j.findings.append(ctx.warning("extra-row", None, row, None, row.title or row.number,
                                          "这一行不是督查室发出的事项（可能是自行添加的），未并入总台账，仅在报告中列出。"))
    return pairs


def _tampering(row: ReturnedRow, exp: UnitRow, signed: dict[str, str], ctx: _Context) -> list[Finding]:
    """Read-only text changed? Compared with the signed hash when every read-only column is
    there, else column by column with what duban would write now."""
    present = [cid for cid in READ_ONLY_IDS if cid in row.read_only]
    if len(present) == len(READ_ONLY_IDS) and exp.key in signed:
        if row_hash(*[row.read_only[c] for c in READ_ONLY_IDS]) == signed[exp.key]:
            return []  # the common case: what duban would write now is not needed
        expected_texts = dict(zip(READ_ONLY_IDS, exp.read_only()))
    else:
        expected_texts = dict(zip(READ_ONLY_IDS, exp.read_only()))
        if all(" ".join(row.read_only[c].split()) == " ".join(expected_texts[c].split()) for c in present):
            return []
    changed = [c for c in present if " ".join(row.read_only[c].split()) != " ".join(expected_texts[c].split())]
    headers = {cid: h for cid, h, _ in READ_ONLY}
    column = headers[changed[0]] if changed else None
    value = row.read_only.get(changed[0]) if changed else None
    return [ctx.error("tampered-plan", exp, row, column, value,
                      f"分解表内容（{'、'.join(headers[c] for c in changed) or '锁定的列'}）被改动，这一行未采用；请在督查室发出的原表中填写，不要修改灰色格子。")]


def _fields(row: ReturnedRow, exp: UnitRow, ctx: _Context) -> list[Finding]:
    """The checks of each report role; findings name its column by the header units see."""
    cfg, out = ctx.cfg, []
    status_col, progress_col, problems_col = (cfg.header(r) for r in (schema.STATUS, schema.PROGRESS, schema.PROBLEMS))
    status = normalise_status(row.fields.get(schema.STATUS))
    progress = cell_text(row.fields.get(schema.PROGRESS))
    problems = cell_text(row.fields.get(schema.PROBLEMS))
    if schema.STATUS in row.fields:
        if not status:
            out.append(ctx.error("missing-status", exp, row, status_col, None, f"没有填写{status_col}；请从下拉列表中选择：{'、'.join(cfg.statuses)}。"))
        elif status not in cfg.statuses:
            out.append(ctx.error("bad-status", exp, row, status_col, row.fields.get(schema.STATUS),
                                 f"{status_col}“{cell_text(row.fields.get(schema.STATUS))}”不在可选范围内；只能填：{'、'.join(cfg.statuses)}。"))
    if schema.PROGRESS in row.fields and _is_placeholder(progress):
        out.append(ctx.error("missing-progress", exp, row, progress_col, progress or None,
                             progress_col + (f"只写了“{progress}”" if progress else "没有填写") + "；请写明本期实际完成的工作和数据。"))
    if status in cfg.problem_statuses and schema.PROBLEMS in row.fields and _is_placeholder(problems):
        out.append(ctx.error("missing-problems", exp, row, problems_col, problems or None,
                             f"{status_col}为“{status}”，必须在“{problems_col}”中说明原因。"))
    out.extend(_completion_date(row, exp, status, ctx))
    return out


def _completion_date(row: ReturnedRow, exp: UnitRow, status: str, ctx: _Context) -> list[Finding]:
    if schema.COMPLETED_ON not in row.fields:
        return []
    raw = row.fields.get(schema.COMPLETED_ON)
    text = cell_text(raw)
    col = ctx.cfg.header(schema.COMPLETED_ON)
    if not text:
        if status == ctx.cfg.done_status:
            return [ctx.error("missing-completion-date", exp, row, col, None,
                              f"{ctx.cfg.header(schema.STATUS)}为“{status}”，请填写{col}，如 {ctx.rnd.due.year}-03-31。")]
        return []
    year = ctx.cfg.year or ctx.rnd.due.year
    parsed = parse_date(raw, year=year)
    if parsed is None:
        return [ctx.error("bad-date", exp, row, col, raw,
                          f"{col}“{text}”不是可识别的日期；请写成 {year}-03-31 或 {year}年3月31日。")]
    if parsed.day > ctx.rnd.due or parsed.day < dt.date(year, 1, 1):
        return [ctx.error("date-out-of-range", exp, row, col, raw,
                          f"{col} {format_cn(parsed.day)} 不在 {year}年1月1日 至截止日期 {format_cn(ctx.rnd.due)} 之间；请核对。")]
    if parsed.vague:
        return [ctx.warning("vague-date", exp, row, col, raw,
                            f"{col}“{text}”不是具体日期，按 {format_cn(parsed.day)} 记录；如有准确日期请填写。")]
    return []


def _clean_fields(row: ReturnedRow, cfg: Config) -> dict[str, str]:
    """The accepted values as stored, by role: texts stripped, status normalised, dates as ISO days."""
    out = {}
    for name, raw in row.fields.items():
        if name == schema.STATUS:
            out[name] = normalise_status(raw)
        elif name == schema.COMPLETED_ON and cell_text(raw):
            parsed = parse_date(raw, year=cfg.year)
            out[name] = parsed.day.isoformat() if parsed else cell_text(raw)
        else:
            out[name] = cell_text(raw)
    return out


# NFKC (in fold) turns no character but white space into white space only, and merges at
# most 4 characters into one (the longest canonical decomposition, as ᾂ = α + 3 marks;
# checked over all of Unicode 14). So a text with more than 4 × the longest placeholder's
# length of characters other than white space folds to a longer text than any placeholder,
# and not to nothing: no need to fold it, which is slow on Chinese with full-width commas.
_NEVER_PLACEHOLDER = 4 * max(map(len, schema.PLACEHOLDERS))


def _is_placeholder(text: str) -> bool:
    if len("".join(text.split())) > _NEVER_PLACEHOLDER:
        return False
    folded = fold(text)  # once: fold is pure
    return folded in schema.PLACEHOLDERS or not folded


def _late(last_saved: dt.datetime | None, rnd: Round) -> bool:
    return last_saved is not None and last_saved.date() > rnd.due


def _signoff(table: ReturnedTable, ctx: _Context) -> list[Finding]:
    missing = [ctx.cfg.header(r) for r in ctx.cfg.signoff_fields if r in schema.REQUIRED_SIGNOFF and not table.signoff.get(r)]
    return [warning("missing-signoff", f"“{ctx.file_name}”：表格下方的“{h}”没有填写；请提醒该单位补全（报送须经单位主要负责人审阅）。",
                    unit=ctx.unit, column=h) for h in missing]

