"""collect: a folder of returned files → identified, judged, merged, reported. One command.

read (reader, extract) → identify → validate → merge (ledger, master, archive) → report.
Every file ends with an outcome; nothing a unit sent is lost: each file is archived by its
SHA-256 before it is merged, and every accepted row is in the ledger.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core import schema, state
from ..core.assign import unit_rows
from ..core.errors import ConfigError
from ..core.findings import Finding, finding
from ..core.rounds import Round, known
from ..core.text import readable_name, unique_names
from ..store import faults
from ..store.corrections import corrected, record_edits
from ..store.fsutil import short_path
from ..store.ledger import Ledger, now
from ..store.master import MasterView, read_master
from ..store.report import CorrectionContext, write_report
from ..store.tables import FORMAT_NAMES
from ..store.units import read_units
from ..store.workspace import Workspace
from .background import Background
from .extract import find_table, headers_for
from .identify import Identity, by_content, by_metadata
from .merge import NotAsRead, archive, update_master
from .reader import MAX_FILE_BYTES, MAX_ROWS, Returned, Unreadable, is_ignored, load, open_plain, read_returned
from .roundrows import RoundRows
from .sandbox import Workers
from .validate import Previous, judge

STANDING = ("accepted", "partial")
PROBLEM_OUTCOMES = ("partial", "rejected", "unidentified", "unreadable")


@dataclass
class FileResult:
    path: Path
    name: str  # relative to the collected folder
    outcome: str
    sha256: str | None = None
    unit: str | None = None
    round: str | None = None
    late: bool = False
    identified_by: str = ""
    saved_at: dt.datetime | None = None
    arrived: float = 0.0  # the file's mtime in the folder: its place in the arrival order of one run
    depends: dict | None = None  # what the outcome rested on besides the bytes (ledger.judged_with)
    archived: Path | None = None
    findings: list[Finding] = field(default_factory=list)
    accepted: list[tuple[str, dict]] = field(default_factory=list)  # (row key, fields): small to pickle

    def to_json(self) -> dict:
        return {"path": self.name, "unit": self.unit, "round": self.round, "outcome": self.outcome,
                "late": self.late, "findings": [f.to_json() for f in self.findings]}


@dataclass
class CollectResult:
    round: str
    files: list[FileResult]
    missing_units: list[str]
    late_units: list[str]
    expected_units: list[str]
    dry_run: bool = False
    master_cells_written: int = 0
    report_path: Path | None = None
    report_rebuilt: bool = False  # nothing new came, and report.xlsx was written again from the ledger
    conflicts: list[Finding] = field(default_factory=list)
    heading: str = ""  # the round as the clerk knows it: 第六次报送（截止 2023-01-03）

    @property
    def nothing_new(self) -> bool:
        return all(f.outcome in ("unchanged", "ignored") for f in self.files)

    @property
    def exit_code(self) -> int:
        bad = any(f.outcome in PROBLEM_OUTCOMES for f in self.files)
        return 1 if bad or self.missing_units else 0

    def to_json(self) -> dict:
        return {"round": self.round, "files": [f.to_json() for f in self.files],
                "missing_units": self.missing_units, "late_units": self.late_units}


class _Run:
    """One collect run's context: the workspace's items, rows per round, units, secret."""

    def __init__(self, ws: Workspace, ledger: Ledger, round_arg: str | None, archive: bool = True,
                 prefer: frozenset[str] = frozenset(), accept: frozenset[str] = frozenset()):
        self.ws, self.cfg = ws, ws.config()
        self.round_arg = round_arg
        # The clerk's word, by file name in the folder: --prefer settles which of a unit's files
        # counts; --accept lets an unsigned copy displace a signed report (so does --prefer).
        self.prefer, self.accept = prefer, accept | prefer
        self.now, self.started = dt.datetime.now(), now()
        self._earliest: dict[str, dt.datetime] = {}
        self.archive = archive  # False for --dry-run: nothing is written but the report
        self.items = ledger.items_or_stop()  # the ledger itself stays in the parent: workers get this
        former = ledger.former_headers()
        # Each role's columns by its header now, its default one and those it had before.
        self.report_headers = headers_for(self.cfg.header_roles(self.cfg.report_fields, former))
        self.signoff_headers = headers_for(self.cfg.header_roles(self.cfg.signoff_fields, former))
        self.units = read_units(ws.units_path)
        self.secret = ws.secret()
        self.default_round = ws.round(round_arg, self.cfg).name
        self._rows: dict[str, RoundRows] = {}
        # What an outcome may rest on besides a file's bytes; a file judged under other values
        # is judged again (ledger.judged_with).
        self.context = {"round_asked": round_arg,
                        "units": _fingerprint(sorted((u.name, sorted(u.aliases)) for u in self.units)),
                        "items": ledger.items_version()}
        # Every accepted answer so far, as sent and as corrected: what generate pre-filled
        # each round's workbooks with (stale and unfilled returns are told by it).
        self._answers = [(rep["round"], rep["unit"], rep["key"], rep["fields"], rep.get("corrected"))
                         for rep in corrected(ledger.current_reports(), ledger.corrections())]
        self._previous: dict[str, dict[str, dict[str, Previous]]] = {}

    def plausible(self, saved: dt.datetime | None, round_name: str) -> bool:
        """A saved time a PC with a right clock could have written: not in the future, not
        before the round's workbooks were generated (nor before the workspace's year began:
        the earlier of the two, so a round generated late still takes files saved in it)."""
        if round_name not in self._earliest:
            due = self.round(round_name).due
            start = dt.datetime(min(self.cfg.year or due.year, due.year), 1, 1)
            generated = self.ws.generated_at(round_name)
            self._earliest[round_name] = min(start, generated) if generated else start
        return saved is not None and self._earliest[round_name] <= saved <= self.now + dt.timedelta(days=1)

    def round(self, name: str) -> Round:
        return known(self.cfg.rounds, name)

    def previous(self, round_name: str, unit: str) -> dict[str, Previous]:
        """row key → the unit's last accepted answer from a round before `round_name`."""
        if round_name not in self._previous:
            latest: dict[tuple[str, str], tuple] = {}
            for rnd, who, key, fields, fixes in self._answers:  # oldest round first: later ones win
                if rnd < round_name:
                    latest[(who, key)] = (rnd, fields, fixes)
            by_unit: dict[str, dict[str, Previous]] = {}
            for (who, key), (rnd, fields, fixes) in latest.items():
                sent = {**fields, **{f: c["sent"] for f, c in (fixes or {}).items()}}
                answers = (fields, sent) if fixes else (fields,)
                by_unit.setdefault(who, {})[key] = Previous(answers, self.round(rnd).label)
            self._previous[round_name] = by_unit
        return self._previous[round_name].get(unit, {})

    def rows(self, round_name: str) -> RoundRows:
        if round_name not in self._rows:
            self._rows[round_name] = RoundRows(unit_rows(self.items, self.cfg, self.round(round_name).due))
        return self._rows[round_name]


def collect(ws: Workspace, folder: Path, round_name: str | None = None, dry_run: bool = False,
            progress: Callable[[int, int, str], None] | None = None, wait: float = 0.0,
            prefer: list[str] = (), accept: list[str] = ()) -> CollectResult:
    """Collect every file under `folder` into the workspace (or only report, with dry_run).
    `prefer`, `accept`: files of the folder (by name) the clerk has chosen (see _Run)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"找不到文件夹“{readable_name(str(folder))}”；请写明存放退回文件的文件夹。")
    _refuse_workspace(ws, folder)
    with ws.lock("collect", wait=wait), Workers(_file_job) as workers:
        entries = _scan(folder, ws)
        names = _shown_names(folder, entries)
        chosen = {option: _named_files(folder, names, given, option) for option, given in
                  (("--prefer", prefer), ("--accept", accept))}
        # The master is read on the other core while the run is set up and the files are read.
        seen = None if dry_run else Background(read_master, ws.master_path, ws.config())
        try:
            with Ledger(ws.ledger_path) as ledger:
                run = _Run(ws, ledger, round_name, archive=not dry_run, prefer=chosen["--prefer"],
                           accept=chosen["--accept"])
                run.rows(run.default_round)  # built once here, shared by the workers
                judged = ledger.judged_files()
                results = _read_all(run, _known(judged), entries, names, progress, workers)
                _name_unchanged(results, judged, run.default_round)
                _supersede(run, ledger, results, judged)
                result = _finish(run, ledger, results, dry_run, seen, judged)
        finally:
            if seen is not None:
                seen.cancel()
    return result


_OWN = ("rounds", ".duban", "output")  # the workspace's own folders: never returned files


def _refuse_workspace(ws: Workspace, folder: Path) -> None:
    """The workspace itself, or a folder of duban's own in it, is no folder of returned
    files: its outbox holds the blank workbooks sent out, which would be judged as empty
    submissions (and correction mails drafted to units that sent nothing)."""
    top = folder.resolve()
    if top == ws.root or any(top.is_relative_to(ws.root / d) for d in _OWN):
        raise ConfigError(f"“{readable_name(str(folder))}”是工作区本身或其中 duban 自己的文件夹（里面是生成的空白报送表和存档，"
                          "不是单位退回的文件），没有收集；请收集存放退回文件的文件夹，例如 duban collect 收到的文件 -w 工作区。")


def _scan(folder: Path, ws: Workspace) -> list[tuple[Path, str | None, str]]:
    """Every file under `folder`, in the folder's order, as (path, why it is set aside or
    None, about what). Links are never followed (a link to .duban/secret or /etc/passwd
    would be read and archived; one to a file in the folder adds nothing, since that file
    is collected itself), nor is the folder left another way (a Windows junction) or
    entered twice. Pipes and devices are set aside unread (reading one never ends). When
    the folder holds the workspace, the workspace's own folders and files are set aside
    whole: its outbox holds the blank workbooks sent out."""
    top = folder.resolve()
    own = {ws.root / d for d in _OWN} | {ws.master_path, ws.units_path, ws.config_path}
    out: list[tuple[Path, str | None, str]] = []
    seen = {top}
    stack = [(folder, top)]
    while stack:
        here, real = stack.pop()
        try:
            with os.scandir(here) as listing:
                found = list(listing)
        except OSError as e:
            out.append((here, "too-deep" if e.errno == errno.ENAMETOOLONG else "unlisted", e.strerror or type(e).__name__))
            continue
        for entry in found:
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    target = Path(os.path.realpath(path))
                    inside = target.is_relative_to(top)
                    out.append((path, "link-in" if inside else "link-out",
                                target.relative_to(top).as_posix() if inside else os.readlink(path)))
                elif real / entry.name in own:
                    out.append((path, "workspace", ws.root.name))
                elif entry.is_dir(follow_symlinks=False):
                    inner = Path(os.path.realpath(path))
                    if not inner.is_relative_to(top) or inner in seen:  # a junction out of the folder, or a loop
                        out.append((path, "link-out", str(inner)))
                    else:
                        seen.add(inner)
                        stack.append((path, inner))
                elif entry.is_file(follow_symlinks=False):
                    out.append((path, None, ""))
                else:
                    out.append((path, "special", ""))
            except OSError as e:
                out.append((path, "unlisted", e.strerror or type(e).__name__))
    return sorted(out, key=lambda e: e[0])


def _set_aside(path: Path, name: str, why: str, about: str) -> FileResult:
    """A file not read: a link, a pipe, the workspace's own; a folder that could not be listed."""
    # A folder that could not be listed: nothing recorded, so the next collect looks again.
    if why == "too-deep":  # a path past the system's limit
        return FileResult(path, short_path(name + "/"), "unreadable", findings=[finding("cannot-open:deep-folder", file=short_path(name + "/"))])
    if why == "unlisted":
        return FileResult(path, short_path(name + "/"), "unreadable",
                          findings=[finding("cannot-open:folder", file=short_path(name + "/"), value=about)])
    about = readable_name(about)
    found = (finding("ignored:link-in", file=name, value=about) if why == "link-in"
             else finding("ignored:link-out", file=name, value=about) if why == "link-out"
             else finding("ignored:workspace", file=name, value=about) if why == "workspace"
             else finding("ignored:special", file=name))
    return FileResult(path, name, "ignored", findings=[found])


def _shown_names(folder: Path, entries: list[tuple[Path, str | None, str]]) -> list[str]:
    """Each entry's name relative to the folder as the clerk can read it (a GBK name
    decoded, controls escaped), distinct: the names key the results, the ledger and --prefer."""
    raw = [path.relative_to(folder).as_posix() for path, _, _ in entries]
    return unique_names([readable_name(r) for r in raw], raw)


def _named_files(folder: Path, names: list[str], given, option: str) -> frozenset[str]:
    """The files of the folder the clerk named (as named in the folder: a/b.xlsx, or b.xlsx
    where only one file has that name, or a path to it); a name that fits none is a usage error.
    `names`: the folder's, as shown (_shown_names)."""
    out = set()
    for text in given:
        wanted = str(text).replace("\\", "/").strip()
        try:
            wanted = Path(text).resolve().relative_to(folder.resolve()).as_posix()
        except (ValueError, OSError):
            pass
        wanted = readable_name(wanted)
        matches = [n for n in names if n == wanted] or [n for n in names if n.rsplit("/", 1)[-1] == wanted]
        if not matches:
            raise ConfigError(f"{option} 指定的文件“{text}”不在文件夹“{folder}”中；请写该文件夹里的文件名"
                              "（在子文件夹里的写成 子文件夹/文件名）。")
        if len(matches) > 1:
            raise ConfigError(f"{option} 指定的“{text}”在文件夹里有 {len(matches)} 个同名文件（{'、'.join(matches)}）；"
                              f"请连子文件夹一起写，如 {option} \"{matches[0]}\"。")
        out.add(matches[0])
    return frozenset(out)


def _known(judged: dict[str, list[dict]]) -> dict[str, list[dict] | None]:
    """For the workers, each file collected before: None when an outcome of it rests on its
    bytes alone (it stays unchanged), else what each of its outcomes rested on."""
    return {sha: None if any(j["depends"] is None for j in js) else [j["depends"] for j in js]
            for sha, js in judged.items()}


def _still_stands(prior: list[dict] | None, run: _Run, name: str) -> bool:
    """A file collected before stays unchanged unless the clerk names it (--prefer, --accept)
    or what its outcome rested on is no longer so (the round asked, units.xlsx, the items,
    the name it has now)."""
    if name in run.accept:
        return False
    if prior is None:
        return True
    return any(all(name in v if k == "names" else k == "held" or run.context.get(k) == v for k, v in d.items())
               for d in prior)


def _fingerprint(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _read_all(run: _Run, known: dict[str, list[dict] | None], entries: list[tuple[Path, str | None, str]],
              shown: list[str], progress, workers: Workers) -> list[FileResult]:
    """Set aside what is not a returned file; the rest go to sandboxed workers, which hash,
    read and judge them, and are archived as they come back; then files of one content are
    settled in the folder's order."""
    results: list[FileResult] = []
    to_read: list[int] = []
    paths = [path for path, _, _ in entries]
    for i, (path, why, about) in enumerate(entries):
        name = shown[i]
        if why is not None:
            results.append(_set_aside(path, name, why, about))
        elif is_ignored(path):
            results.append(FileResult(path, name, "ignored", findings=[finding("ignored", file=name)]))
        else:
            results.append(FileResult(path, name, ""))
            to_read.append(i)
    names = {str(paths[i]): results[i].name for i in to_read}
    done = len(paths) - len(to_read)
    for n, (t, outcome) in enumerate(workers.read([paths[i] for i in to_read], (run, names, known)), start=1):
        i = to_read[t]
        if n == 2:
            faults.point("reading")  # crash tests: killed with files half read
        if progress:
            progress(done + n, len(paths), results[i].name)
        if isinstance(outcome, Unreadable):  # the worker was killed: crashed, out of memory, too slow
            outcome = _killed_worker(run, paths[i], results[i].name, outcome)
        outcome.path = paths[i]  # sent back without it: the parent has it
        if run.archive and outcome.sha256 and outcome.outcome != "unchanged":
            # Archived here, as each file comes back, while the workers read on: creating
            # files costs kernel time, which the parent, otherwise waiting, has to spare
            # (measured: slower when the workers archive).
            try:
                outcome.archived = archive(run.ws, paths[i], outcome.round or run.default_round, outcome.sha256)
            except OSError as e:  # moved away, or a link put in its place, since it was read: the next collect takes it
                outcome = _cannot_open(run, paths[i], results[i].name, e)
            except NotAsRead:  # replaced or changed since it was read: the next collect takes it
                outcome = FileResult(paths[i], results[i].name, "unreadable", round=run.default_round,
                                     findings=[finding("cannot-open:changed", file=results[i].name)])
        results[i] = outcome
    _same_content(results)
    return results


def _file_job(context, path: Path) -> FileResult:
    """One file, in a worker: hash it (a file collected before goes no further), read,
    identify and judge it. The parent archives it."""
    run, names, known = context
    name = names[str(path)]
    try:
        data, stat = load(path)
    except Unreadable as e:
        if e.code != "empty-file":  # far too large: not read, hashed nor archived; told every run
            return FileResult(path, name, "unreadable", round=run.default_round, findings=[e.finding])
        sha, failure = hashlib.sha256(b"").hexdigest(), e  # archived as it is
    except OSError as e:
        return _cannot_open(run, path, name, e)
    else:
        sha, failure = hashlib.sha256(data).hexdigest(), None
    if sha in known and _still_stands(known[sha], run, name):
        return _unchanged(name, sha)
    if failure is None:
        try:
            result = _judge(run, read_returned(path, sha, (data, stat)), name)
        except Unreadable as e:
            failure = e
    if failure is not None:
        result = _unreadable(run, path, name, sha, failure)
    result.arrived = stat.st_mtime if failure is None else 0.0
    return result


def _killed_worker(run: _Run, path: Path, name: str, e: Unreadable) -> FileResult:
    """The file a worker died on (crash, memory, time), hashed here: not when it is far
    too large (grown since), since here no time limit holds."""
    try:
        with open_plain(path) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        return _cannot_open(run, path, name, err)
    if len(data) > MAX_FILE_BYTES:
        return FileResult(path, name, "unreadable", round=run.default_round,
                          findings=[finding("too-large", file=name, value=MAX_FILE_BYTES // 1048576)])
    return _unreadable(run, path, name, hashlib.sha256(data).hexdigest(), e)


def _unreadable(run: _Run, path: Path, name: str, sha: str, e: Unreadable) -> FileResult:
    return FileResult(path, name, "unreadable", sha, round=run.default_round, findings=[e.finding])


def _cannot_open(run: _Run, path: Path, name: str, e: OSError) -> FileResult:
    """Not even readable from disk (held by another program, no permission): nothing is
    recorded, so the next collect tries it again."""
    found = (finding("cannot-open:moved", file=name) if isinstance(e, FileNotFoundError)
             else finding("cannot-open:busy", file=name) if isinstance(e, PermissionError)
             else finding("cannot-open:too-long", file=short_path(name)) if e.errno == errno.ENAMETOOLONG
             else finding("cannot-open:changed", file=name) if e.errno == errno.ELOOP  # a link put in its place
             else finding("cannot-open", file=name, value=e.strerror or type(e).__name__))
    return FileResult(path, name, "unreadable", round=run.default_round, findings=[found])


def _unchanged(name: str, sha: str, same_as: str | None = None) -> FileResult:
    """A file collected before, or (`same_as`) a copy of another file of this run."""
    found = finding("unchanged:copy", file=name, value=same_as) if same_as else finding("unchanged", file=name)
    return FileResult(None, name, "unchanged", sha, findings=[found])


def _name_unchanged(results: list[FileResult], judged: dict[str, list[dict]], default_round: str) -> None:
    """A file collected before, or a copy of one in this run, is the unit's and round's the
    ledger (or the copied file) says: the worker that found it known did not read it. Of
    several judgements, the one of the round being collected, else the latest with a unit."""
    of_this_run = {r.sha256: r for r in results if r.sha256 and r.outcome != "unchanged"}
    for r in results:
        if r.outcome != "unchanged" or not r.sha256:
            continue
        same = of_this_run.get(r.sha256)
        if same is not None:
            r.unit, r.round = same.unit, same.round
            continue
        told = sorted((j for j in judged.get(r.sha256, []) if j["unit"]),
                      key=lambda j: (j["round"] == default_round, j["received_at"]))
        if told:
            r.unit, r.round = told[-1]["unit"], told[-1]["round"] or None


def _same_content(results: list[FileResult]) -> None:
    """Of several files with one content in the folder, the first in the folder's order is
    collected; the others are unchanged copies of it (their archive is the same file)."""
    first: dict[str, str] = {}
    for i, r in enumerate(results):
        if not r.sha256 or r.outcome == "unchanged":
            continue
        if r.sha256 in first:
            results[i] = _unchanged(r.name, r.sha256, first[r.sha256])
            results[i].path = r.path
        else:
            first[r.sha256] = r.name


def _judge(run: _Run, returned: Returned, name: str) -> FileResult:
    cfg = run.cfg
    table = find_table(returned, run.report_headers, run.signoff_headers)
    if returned.metadata is not None:
        identity = by_metadata(returned, cfg.workspace_id, run.secret, run.round_arg,
                               lambda rnd: run.rows(rnd).by_unit if rnd else {})
    else:
        identity = by_content(returned, table, run.default_round, run.rows(run.default_round), run.units)
    result = FileResult(returned.path, name, identity.outcome or "", returned.sha256, identity.unit,
                        identity.round or run.default_round, identified_by=identity.by,
                        saved_at=returned.last_saved, findings=list(identity.findings))
    if returned.extension_lies:
        result.findings.append(finding("extension-mismatch", file=name, value=returned.path.suffix,
                                       format=FORMAT_NAMES.get(returned.kind, returned.kind)))
    if returned.truncated:
        result.findings.append(finding("too-many-rows", file=name, value=MAX_ROWS))
    result.depends = _depends(run, returned, identity, name)
    if returned.saved_at_ignored is not None:
        result.findings.append(finding("saved-time-unknown", file=name, value=returned.saved_at_ignored))
    if identity.outcome:
        return result
    if table is None:
        result.outcome = "rejected"
        result.findings.append(finding("no-table", file=name, unit=identity.unit, progress_col=cfg.header(schema.PROGRESS),
                                       status_col=cfg.header(schema.STATUS)))
        return result
    _apply_judgement(run, result, returned, table, identity)
    if identity.named_other and result.outcome in STANDING:
        other, where = identity.named_other
        if name in run.accept:
            result.findings.append(finding("chosen-by-clerk:accept", file=name, unit=identity.unit))
        else:  # whose it is, the clerk decides
            result.outcome = "rejected"
            result.findings.append(finding("unsigned-copy:name", file=name, unit=identity.unit, value=other, where=where))
            result.depends = {**result.depends, "held": True}
    return result


def _depends(run: _Run, returned: Returned, identity: Identity, name: str) -> dict | None:
    """What the file's outcome rests on besides its bytes: a file judged again when these
    differ is one whose advice (--round …, a unit's name in the file name) can be followed."""
    keys = {f.key for f in identity.findings}
    if returned.metadata is not None:
        if "wrong-round" in keys:
            return {"round_asked": run.round_arg}
        return {"items": run.context["items"]} if "unknown-unit" in keys else None
    if "unidentified:no-table" in keys:
        return None
    # By content: whose file and which round rest on the round asked for, the units, the items
    # and the file's name.
    return {"round_asked": run.round_arg, "units": run.context["units"], "items": run.context["items"], "names": [name]}


def _apply_judgement(run: _Run, result: FileResult, returned: Returned, table, identity: Identity) -> None:
    # A saved time from a PC with a wrong clock says nothing about lateness: the file's own
    # time in the folder, when that is plausible, does.
    saved = next((t for t in (returned.last_saved, returned.mtime) if run.plausible(t, identity.round)), None)
    j = judge(table, identity.unit, run.round(identity.round), run.rows(identity.round),
              returned.metadata if identity.by == "metadata" else None, run.cfg, saved, result.name,
              run.previous(identity.round, identity.unit))
    result.findings.extend(j.findings)
    result.accepted, result.late = [(row.key, fields) for row, fields in j.accepted], j.late
    if j.unfilled or (not j.accepted and j.rejected_rows):
        result.outcome = "rejected"
    else:
        result.outcome = "partial" if j.rejected_rows else "accepted"


def _supersede(run: _Run, ledger: Ledger, results: list[FileResult], judged: dict[str, list[dict]]) -> None:
    """Per unit and round one file counts, among this run's files and the one merged before:
    the one the clerk prefers, else the newest by saved time, or by arrival where a saved
    time is implausible (a PC clock in 2032, or reset to 2000). An unsigned copy does not
    displace a signed report unless the clerk accepts it: it is held (rejected, and judged
    again when --accept names it)."""
    groups: dict[tuple[str, str], list[FileResult]] = {}
    for r in results:
        if r.outcome in STANDING:
            groups.setdefault((r.round, r.unit), []).append(r)
    by_round = {rnd: ledger.standing(rnd) for rnd, _ in groups}
    for (rnd, unit), group in groups.items():
        standing = by_round[rnd].get(unit)
        if standing and any(r.sha256 == standing["sha256"] for r in group):
            standing = None  # judged again in this run: it is in the group itself
        cands = [_Candidate(r.name, r.saved_at, r.identified_by == "metadata",
                            (min([j["received_at"] for j in judged.get(r.sha256, [])] + [run.started]), r.arrived), r)
                 for r in group]
        if standing:
            saved = dt.datetime.fromisoformat(standing["saved_at"]) if standing["saved_at"] else None
            cands.append(_Candidate(standing["file_name"], saved, standing["identified_by"] == "metadata",
                                    (standing["received_at"], 0.0)))
        if len(cands) > 1:
            _choose(run, rnd, unit, cands)


@dataclass
class _Candidate:
    name: str
    saved_at: dt.datetime | None
    signed: bool
    arrival: tuple[str, float]  # first received (ledger), then the mtime in the folder
    result: FileResult | None = None  # None: the file merged in an earlier run

    def by_time(self) -> tuple:
        saved = self.saved_at or dt.datetime.min
        # A file of this run wins a tie with the one merged before (stored to the second).
        return saved.replace(microsecond=0), self.result is not None, saved, self.name

    def by_arrival(self) -> tuple:
        return self.arrival, self.name


def _choose(run: _Run, rnd: str, unit: str, cands: list[_Candidate]) -> None:
    doubtful = [c for c in cands if not run.plausible(c.saved_at, rnd)]
    order = _Candidate.by_arrival if doubtful else _Candidate.by_time
    rest = list(cands)
    while True:
        winner = max(rest, key=lambda c: (c.result is not None and c.name in run.prefer, order(c)))
        signed = next((c for c in rest if c.signed), None)
        if winner.result is None or winner.signed or signed is None:
            break
        if winner.name in run.accept:
            winner.result.findings.append(finding("chosen-by-clerk:accept", file=winner.name, unit=unit))
            break
        held = winner.result  # an unsigned copy over a signed report: the clerk decides
        held.outcome = "rejected"
        held.findings.append(finding("unsigned-copy", file=winner.name, unit=unit, value=signed.name))
        held.depends = {**(held.depends or {}), "held": True}
        rest.remove(winner)
    if winner.result is not None and winner.name in run.prefer:
        winner.result.findings.append(finding("chosen-by-clerk", file=winner.name, unit=unit))
    news = [c.result for c in rest if c.result is not None]
    for c in doubtful:
        for r in [c.result] if c.result is not None else news:
            r.findings.append(finding("saved-time-implausible", file=c.name, unit=unit,
                                      value=c.saved_at.isoformat(" ", "minutes") if c.saved_at else "（无）",
                                      chosen=winner.name))
    for c in rest:
        if c is not winner and c.result is not None:
            c.result.outcome = "superseded"
            c.result.findings.append(finding("superseded", unit=unit, value=winner.name, file=c.name))


def _finish(run: _Run, ledger: Ledger, results: list[FileResult], dry_run: bool,
            seen: Background | None, judged: dict[str, list[dict]]) -> CollectResult:
    rnd = run.default_round
    expected = list(run.rows(rnd).by_unit)
    result = CollectResult(rnd, results, [], [], expected, dry_run=dry_run, heading=known(run.cfg.rounds, rnd).heading)
    if not dry_run:
        _record_edits(run, ledger, seen)
        _record(run, ledger, results, judged)
    winners = [r for r in results if r.outcome in STANDING and r.round == rnd]
    _standing_units(ledger, result, winners if dry_run else [])
    # The report needs nothing from the master: it is written beside the master update, from
    # the findings as the ledger now holds them (a dry run stores none: this run's, then).
    report, report_path = None, run.ws.round_dir(rnd) / "report.xlsx"
    if not result.nothing_new:
        stored = None if dry_run else ledger.findings({r.round for r in results if r.round})
        report = Background(write_report, report_path, run.cfg, result, stored, _correction_context(run, ledger))
    elif not dry_run and _report_stale(ledger, rnd, report_path):
        # Nothing new, but the report is missing or behind the ledger (the last run was killed
        # before writing it, or could not replace it while Excel held it open): the round's
        # files as the ledger holds them.
        report = Background(write_report, report_path, run.cfg, _as_recorded(ledger, result), None,
                            _correction_context(run, ledger))
        result.report_rebuilt = True
    try:
        if not dry_run:
            # Also with nothing new: a run killed after the ledger and before the master is
            # repaired here, since the master is brought in line with the ledger every time.
            result.master_cells_written, result.conflicts = update_master(
                run.ws, ledger, run.items, run.cfg, _seen_master(seen))
    finally:
        if report is not None:
            result.report_path = report.result()
            if not dry_run:
                ledger.set_meta(f"report:{rnd}", ledger.round_digest(rnd))  # what the report now shows
    if not dry_run and (result.master_cells_written or any(r.archived for r in results)):
        # With the master: the newest backup is the ledger as this master was written from.
        ledger.backup(run.ws.backups_dir, dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    return result


def _correction_context(run: _Run, ledger: Ledger) -> CorrectionContext:
    """Item titles, units.xlsx, and when each of the round's files was first received (the day
    its resend deadline counts from; a file of a dry run, not recorded, counts from today)."""
    rows = run.rows(run.default_round).by_unit
    return CorrectionContext(titles={unit: {r.number: r.title for r in rs} for unit, rs in rows.items()},
                             units=run.units,
                             received={s["sha256"]: dt.date.fromisoformat(s["received_at"][:10])
                                       for s in ledger.submissions(run.default_round)})


def _report_stale(ledger: Ledger, rnd: str, path: Path) -> bool:
    """The round has files in the ledger, and its report.xlsx is gone or was written before the
    ledger last changed for the round."""
    digest = ledger.round_digest(rnd)
    return bool(digest) and (not path.exists() or ledger.meta(f"report:{rnd}") != digest)


def _as_recorded(ledger: Ledger, result: CollectResult) -> CollectResult:
    """`result`'s round with every file the ledger recorded for it, for report.xlsx."""
    files = [FileResult(None, s["file_name"], s["outcome"], sha256=s["sha256"], unit=s["unit"] or None,
                        round=result.round, late=s["late"], identified_by=s["identified_by"],
                        saved_at=dt.datetime.fromisoformat(s["saved_at"]) if s["saved_at"] else None,
                        archived=Path(s["archived"]), findings=s["findings"])
             for s in ledger.round_files(result.round)]
    return CollectResult(result.round, files, result.missing_units, result.late_units, result.expected_units)


def _record_edits(run: _Run, ledger: Ledger, seen: Background | None) -> None:
    """The clerk's edits in the master, recorded as corrections of the answers they were made
    on, before this run's reports are: an edit of last round's answer stays last round's.
    A broken master stops the run here, before the ledger changes."""
    record_edits(run.ws, ledger, run.cfg, run.items, _seen_master(seen))


def _seen_master(seen: Background | None) -> MasterView | None:
    """The master as read early on; None when that failed (no master yet, a broken one):
    update_master then reads it itself and tells what is wrong."""
    try:
        return seen.result() if seen is not None else None
    except Exception:  # noqa: BLE001 - told again, properly, when read in line
        return None


def _standing_units(ledger: Ledger, result: CollectResult, extra: list[FileResult]) -> None:
    standing = ledger.standing(result.round)
    standing.update({r.unit: {"late": r.late, "file_name": r.name} for r in extra})  # --dry-run's winners
    states = state.unit_states(result.expected_units, standing)
    result.missing_units, result.late_units = state.missing_units(states), state.late_units(states)


def _record(run: _Run, ledger: Ledger, results: list[FileResult], judged: dict[str, list[dict]]) -> None:
    """Record every archived file and every accepted row in the ledger, in one transaction.
    A file judged again keeps when it was first received; its earlier judgement under
    another round (unidentified, wrong-round …) gives way to the new one."""
    received = now()
    archived = {r.name: r.archived for r in results if r.archived}  # each file was archived as it was read
    faults.point("after-archive")
    submissions, reports = [], []
    with ledger.transaction():
        standing = {rnd: ledger.standing(rnd) for rnd in {r.round for r in results if r.outcome in STANDING}}
        for r in results:
            if r.name not in archived:
                continue
            prior = judged.get(r.sha256, [])
            for j in prior:
                if j["round"] != (r.round or "") and j["depends"] is not None:
                    ledger.forget_judgement(r.sha256, j["round"])
            if r.outcome in STANDING:
                old = standing[r.round].get(r.unit)
                if old and old["sha256"] != r.sha256:
                    ledger.set_outcome(old["sha256"], r.round, "superseded")
                reports += [(key, r.unit, r.round, fields, r.sha256) for key, fields in r.accepted]
            submissions.append(_submission(r, os.path.relpath(archived[r.name], run.ws.root),
                                           min([j["received_at"] for j in prior] + [received]), _depends_now(r, prior)))
        ledger.add_submissions(submissions)
        ledger.add_reports(reports)
    faults.point("after-ledger")


def _depends_now(r: FileResult, prior: list[dict]) -> dict | None:
    """What to store of r.depends: nothing for a file that counts or counted (accepted,
    partial, superseded: judged again only when the clerk names it); the names a file was
    judged under the same values before are kept, so two copies in the folder are not
    judged again by turns."""
    if r.outcome in (*STANDING, "superseded") or not r.depends:
        return None
    same = [j["depends"] for j in prior if j["round"] == (r.round or "") and j["depends"]
            and {k: v for k, v in j["depends"].items() if k != "names"} == {k: v for k, v in r.depends.items() if k != "names"}]
    if same and "names" in r.depends:
        return {**r.depends, "names": sorted(set(same[0].get("names", [])) | set(r.depends["names"]))}
    return r.depends


def _submission(r: FileResult, archived: str, received: str, depends: dict | None = None) -> dict:
    return {"sha256": r.sha256, "round": r.round or "", "unit": r.unit or "", "file_name": r.name,
            "archived": archived, "received_at": received,
            "saved_at": r.saved_at.isoformat(timespec="seconds") if r.saved_at else None,
            "outcome": r.outcome, "late": int(r.late), "identified_by": r.identified_by,
            "findings": r.findings, "depends": depends}
