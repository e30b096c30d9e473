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
from ..core.findings import Finding, finding
from ..core.schema import READ_ONLY
from ..core.signing import Metadata, row_hash
from ..core.text import EXCEL_CELL_LIMIT, cell_text, excel_length, fold, invisible_chars, strip_invisible
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
    unfilled: bool = False  # no row answered, nothing signed: not a submission


@dataclass(frozen=True)
class Previous:
    """What a unit's row was sent with (generate pre-fills the last accepted answer) and the
    round it was accepted in: `answers` holds it as the unit sent it and as the office
    corrected it (either may be what the workbook showed)."""

    answers: tuple[dict[str, str], ...]
    round_label: str


def seen(value) -> str:
    """A cell's text as the eye sees it: format characters (U+200B, U+FEFF …) removed."""
    return strip_invisible(cell_text(value))


def normalise_status(value) -> str:
    """已完成。 / ＿已完成 / 已 完 成 → 已完成: spaces, full-width forms, end punctuation and
    invisible format characters go."""
    text = seen(value)
    # A status is a few words, picked from a list: the same texts again and again, cached
    # (long texts are not, so a hostile file cannot fill the cache with them).
    return _status(text) if len(text) <= 64 else _normalise_status(text)


def _normalise_status(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _TRAILING.sub("", "".join(text.split()))


_status = lru_cache(maxsize=1024)(_normalise_status)


def judge(table: ReturnedTable, unit: str, rnd: Round, rows: RoundRows, meta: Metadata | None, cfg: Config,
          last_saved: dt.datetime | None, file_name: str, previous: dict[str, Previous] | None = None) -> Judgement:
    """`previous`: row key → the row's last accepted answer before this round (see Previous)."""
    j = Judgement()
    previous = previous or {}
    ctx = _Context(unit, rnd, cfg, file_name, table.sheet)
    expected = rows.by_unit.get(unit, [])
    if table.others:
        j.findings.append(finding("copied-sheet", file=file_name, unit=unit, sheet=table.sheet, other=table.others))
    matched = _match_rows(table, expected, rows, ctx, j)
    if matched and _unfilled(table, matched, previous):
        j.unfilled, j.rejected_rows = True, len(expected)
        j.findings = [f for f in j.findings if f.code == "copied-sheet"]
        j.findings.append(finding("unfilled", file=file_name, unit=unit))
        return j
    signed = dict(meta.rows) if meta else {}
    unsure = _keys_out_of_order(matched, expected, meta)
    for role, first, last in table.merges:
        j.findings.append(finding("merged-cells", file=file_name, unit=unit, row=first, last=last,
                                  count=last - first + 1, column=cfg.header(role)))
    for row, exp in matched:
        row_findings = (_tampering(row, exp, signed, ctx)
                        or ([ctx.finding("key-order", exp, row)] if exp.key in unsure else [])
                        or _fields(row, exp, ctx) + _stale(row, exp, previous.get(exp.key), ctx))
        j.findings.extend(row_findings)
        if any(f.severity == "error" for f in row_findings):
            j.rejected_rows += 1
        else:
            j.accepted.append((exp, _clean_fields(row, cfg)))
    found = {exp.key for _, exp in matched}
    for exp in expected:
        if exp.key not in found:
            j.rejected_rows += 1
            j.findings.append(ctx.finding("missing-item", exp, None, title=exp.title))
    j.late = _late(last_saved, rnd)
    if j.late:
        j.findings.append(finding("late", file=file_name, unit=unit, value=last_saved.isoformat(" ", "minutes"),
                                  due=format_cn(rnd.due)))
    j.findings.extend(_signoff(table, ctx))
    return j


@dataclass
class _Context:
    unit: str
    rnd: Round
    cfg: Config
    file_name: str
    sheet: str

    def finding(self, key: str, exp: UnitRow | None, row: ReturnedRow | None, value=None, **fields) -> Finding:
        """A finding about `row` (as returned) or `exp` (the row expected), in this file; it
        keeps the item's title, which correction lists show beside the number."""
        if exp is not None:
            fields.setdefault("item_title", exp.title)
        return finding(key, file=self.file_name, unit=self.unit,
                       item=exp.number if exp else (row.number if row else None),
                       row=row.row if row else None, value=None if value is None else cell_text(value), **fields)


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
            j.findings.append(ctx.finding("duplicate-row", exp, row))
            continue
        owners = rows.owners(row.key, row.number, row.title) - {ctx.unit}
        if owners:
            j.rejected_rows += 1
            j.findings.append(ctx.finding("foreign-item", None, row, row.title, owners=sorted(owners)))
        else:
            j.findings.append(ctx.finding("extra-row", None, row, row.title or row.number))
    return pairs


def _tampering(row: ReturnedRow, exp: UnitRow, signed: dict[str, str], ctx: _Context) -> list[Finding]:
    """Read-only text changed? Compared with the signed hash (a column the file has not reads
    as empty, as it was signed where duban left it out), else column by column with what duban
    writes now or wrote in an earlier layout (a workbook generated before an upgrade)."""
    signed_hash = signed.get(exp.key)
    if signed_hash and row_hash(*[row.read_only.get(c, "") for c in READ_ONLY_IDS]) == signed_hash:
        return []  # the common case: what duban would write now is not needed
    present = [cid for cid in READ_ONLY_IDS if cid in row.read_only]
    changed = [c for c in present if not exp.holds(c, row.read_only[c])]
    # Every column there and the hash differs, yet each text is one duban writes: a cell set to
    # what a later import says, still a change to a locked cell.
    if not changed and not (signed_hash and len(present) == len(READ_ONLY_IDS)):
        return []
    headers = {cid: h for cid, h, _ in READ_ONLY}
    column = headers[changed[0]] if changed else None
    value = row.read_only[changed[0]] if changed else None
    return [ctx.finding("tampered-plan", exp, row, value, column=column,
                        columns="、".join(headers[c] for c in changed) or "锁定的列")]


def _keys_out_of_order(matched: list[tuple[ReturnedRow, UnitRow]], expected: list[UnitRow],
                       meta: Metadata | None) -> set[str]:
    """Keys of rows whose hidden key nothing but its place can confirm, and whose place
    disagrees with it. A row's key is confirmed by the read-only texts beside it when they
    single out its item among the unit's rows (the tampering check holds them to it); where
    the grey columns were deleted (or those left, 完成时限 and 牵头单位, are alike for several
    rows), only the order is left: such rows, read in the sheet's order, must carry their
    keys in the signed order (the metadata's, else the table's). Two swapped keys break it."""
    if len(expected) < 2:
        return set()
    unconfirmed = []
    for row, exp in matched:
        present = [cid for cid in READ_ONLY_IDS if cid in row.read_only]
        if len(present) == len(READ_ONLY_IDS):
            continue  # every read-only text is there: the signed hash or the texts tell
        mine = _texts(exp.read_only(), present)
        if sum(1 for e in expected if _texts(e.read_only(), present) == mine) > 1:
            unconfirmed.append(exp.key)
    if len(unconfirmed) < 2:
        return set()
    order = [k for k, _ in meta.rows] if meta else [e.key for e in expected]
    place = {k: i for i, k in enumerate(order)}
    ordered = sorted(unconfirmed, key=lambda k: place.get(k, len(place)))
    return {k for k, o in zip(unconfirmed, ordered) if k != o}


def _texts(read_only: list[str], present: list[str]) -> tuple[str, ...]:
    by_id = dict(zip(READ_ONLY_IDS, read_only))
    return tuple(" ".join(by_id[c].split()) for c in present)


def _unfilled(table: ReturnedTable, matched: list[tuple[ReturnedRow, UnitRow]], previous: dict[str, Previous]) -> bool:
    """Nothing changed from what was sent: no row's answers differ from what the row was
    sent with (empty, or last round's pre-filled answer), and nothing signed under the table."""
    if any(seen(v) for v in table.signoff.values()):
        return False
    for row, exp in matched:
        sent = previous.get(exp.key)
        candidates = sent.answers if sent else ({},)
        if not any(all(fold(seen(v)) == fold(seen(was.get(role, ""))) for role, v in row.fields.items())
                   for was in candidates):
            return False
    return True


def _stale(row: ReturnedRow, exp: UnitRow, before: Previous | None, ctx: _Context) -> list[Finding]:
    """进展情况 the same as the last accepted round's (white space, full-width forms and
    invisible characters aside): last round's pre-filled answer sent back, not updated; with
    a better status than it had then, the status alone was changed (one finding saying so)."""
    if before is None or schema.PROGRESS not in row.fields:
        return []
    now = fold(seen(row.fields.get(schema.PROGRESS)))
    same = [was for was in before.answers if now and now == fold(seen(was.get(schema.PROGRESS, "")))]
    if not same:
        return []
    column = ctx.cfg.header(schema.PROGRESS)
    status = normalise_status(row.fields.get(schema.STATUS))
    # Better than the answer as accepted and as the office corrected it: a status the office
    # itself raised is no news from the unit.
    was = [normalise_status(answer.get(schema.STATUS)) for answer in same]
    if all(_better(status, w, ctx.cfg.statuses) for w in was):
        return [ctx.finding("better-status-same-progress", exp, row, column=column, previous=before.round_label,
                            status_col=ctx.cfg.header(schema.STATUS), status=status, before=was[0])]
    return [ctx.finding("stale-progress", exp, row, column=column, previous=before.round_label)]


def _better(status: str, before: str, statuses: list[str]) -> bool:
    """`status` comes before `before` in duban.toml's statuses (best first); both listed."""
    return status in statuses and before in statuses and statuses.index(status) < statuses.index(before)


def _fields(row: ReturnedRow, exp: UnitRow, ctx: _Context) -> list[Finding]:
    """The checks of each report role, on the text as the eye sees it (format characters
    removed; named in the message where they matter); findings name its column by the header
    units see."""
    cfg, out = ctx.cfg, []
    status_col, progress_col, problems_col = (cfg.header(r) for r in (schema.STATUS, schema.PROGRESS, schema.PROBLEMS))
    status = normalise_status(row.fields.get(schema.STATUS))
    progress = seen(row.fields.get(schema.PROGRESS))
    problems = seen(row.fields.get(schema.PROBLEMS))
    if schema.STATUS in row.fields:
        raw = cell_text(row.fields.get(schema.STATUS))
        if not status:
            out.append(ctx.finding("missing-status", exp, row, column=status_col, statuses=cfg.statuses))
        elif status not in cfg.statuses and invisible_chars(raw):
            out.append(ctx.finding("bad-status:invisible", exp, row, strip_invisible(raw), column=status_col,
                                   statuses=cfg.statuses, invisible=invisible_chars(raw)))
        elif status not in cfg.statuses:
            out.append(ctx.finding("bad-status", exp, row, row.fields.get(schema.STATUS), column=status_col,
                                   statuses=cfg.statuses))
    if schema.PROGRESS in row.fields and _is_placeholder(progress):
        hidden = invisible_chars(cell_text(row.fields.get(schema.PROGRESS)))
        if hidden and not progress:
            out.append(ctx.finding("missing-progress:invisible", exp, row, column=progress_col, invisible=hidden))
        else:
            out.append(ctx.finding("missing-progress", exp, row, progress or None, column=progress_col))
    if status in cfg.problem_statuses and schema.PROBLEMS in row.fields and _is_placeholder(problems):
        out.append(ctx.finding("missing-problems", exp, row, problems or None, column=problems_col, status=status,
                               status_col=status_col))
    out.extend(_completion_date(row, exp, status, ctx))
    out.extend(_status_and_text(row, exp, status, progress, ctx))
    for role, value in row.fields.items():
        if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT // 2 and excel_length(value) > EXCEL_CELL_LIMIT:
            out.append(ctx.finding("text-too-long", exp, row, column=cfg.header(role), length=len(value),
                                   limit=EXCEL_CELL_LIMIT))
    return out


def _status_and_text(row: ReturnedRow, exp: UnitRow, status: str, progress: str, ctx: _Context) -> list[Finding]:
    """The status against what the text says as a whole (core.wording): a warning, the row is
    merged. 已完成 over a text about work going on (unless the row's target is to start or carry
    on work); 未按进度完成/暂缓实施 over one about work done. The finding's value is the sentence
    that says so."""
    cfg = ctx.cfg
    if schema.PROGRESS not in row.fields or not progress:
        return []
    column, status_col = cfg.header(schema.PROGRESS), cfg.header(schema.STATUS)
    wording = cfg.wording
    if (status == cfg.done_status and not wording.plan_wants_work_going(exp.targets or exp.plan)
            and (said := wording.says_under_way(progress))):
        return [ctx.finding("done-but-under-way", exp, row, said, column=column, status_col=status_col, status=status)]
    if status in cfg.problem_statuses and (said := wording.says_done(progress)):
        return [ctx.finding("behind-but-done", exp, row, said, column=column, status_col=status_col, status=status,
                            done=cfg.done_status, date_col=cfg.header(schema.COMPLETED_ON))]
    return []


def _completion_date(row: ReturnedRow, exp: UnitRow, status: str, ctx: _Context) -> list[Finding]:
    if schema.COMPLETED_ON not in row.fields:
        return []
    raw = row.fields.get(schema.COMPLETED_ON)
    text = seen(raw)
    hidden = invisible_chars(raw) if isinstance(raw, str) else ""
    raw = text if hidden else raw
    col = ctx.cfg.header(schema.COMPLETED_ON)
    if not text:
        if status == ctx.cfg.done_status:
            return [ctx.finding("missing-completion-date", exp, row, column=col, status=status,
                                status_col=ctx.cfg.header(schema.STATUS), year=ctx.rnd.due.year)]
        return []
    year = ctx.cfg.year or ctx.rnd.due.year
    parsed = parse_date(raw, year=year)
    if parsed is None and hidden:
        return [ctx.finding("bad-date:invisible", exp, row, raw, column=col, year=year, invisible=hidden)]
    if parsed is None:
        return [ctx.finding("bad-date", exp, row, raw, column=col, year=year)]
    # A day of the work's year after the due date is a completion still to come (a warning);
    # one outside the year is a slip of the pen (an error).
    last = dt.date(max(year, ctx.rnd.due.year), 12, 31)
    if parsed.day > last or parsed.day < dt.date(year, 1, 1):
        return [ctx.finding("date-out-of-range", exp, row, raw, column=col, year=year,
                            day=format_cn(parsed.day), due=format_cn(ctx.rnd.due))]
    out = []
    if parsed.day > ctx.rnd.due:
        out.append(ctx.finding("completed-after-due", exp, row, raw, column=col, day=format_cn(parsed.day),
                               due=format_cn(ctx.rnd.due), status_col=ctx.cfg.header(schema.STATUS)))
    if parsed.vague:
        out.append(ctx.finding("vague-date", exp, row, raw, column=col, day=format_cn(parsed.day)))
    return out


def _clean_fields(row: ReturnedRow, cfg: Config) -> dict[str, str]:
    """The accepted values as stored, by role: texts stripped, status normalised, dates as ISO days."""
    out = {}
    for name, raw in row.fields.items():
        if name == schema.STATUS:
            out[name] = normalise_status(raw)
        elif name == schema.COMPLETED_ON and seen(raw):
            parsed = parse_date(seen(raw) if isinstance(raw, str) else raw, year=cfg.year)
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
    missing = [ctx.cfg.header(r) for r in ctx.cfg.signoff_fields
               if r in schema.REQUIRED_SIGNOFF and not strip_invisible(table.signoff.get(r, ""))]
    return [finding("missing-signoff", file=ctx.file_name, unit=ctx.unit, column=h) for h in missing]

