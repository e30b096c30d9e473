"""The ledger (台账库): .duban/ledger.sqlite, the workspace's memory and audit trail.

Holds the items as last imported (with their stable keys) and every import; later stages add
what units sent. master.xlsx is a readable view written from it. The schema lives here only.

It is backed up with the master (`backup`: .duban/backups/ledger-<time>.sqlite, one file each,
kept like the master's backups), and checked whenever it is opened: a damaged or truncated file
stops the command with one sentence naming the newest intact backup and what to do
(LedgerBroken, exit 3), before anything is written.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing, contextmanager
from pathlib import Path

from ..core import schema
from ..core.config import Config
from ..core.errors import ConfigError, DubanError
from ..core.findings import Finding
from ..core.model import Item
from .fsutil import CannotWrite, atomic_path, cannot_write, writing
from .workspace import Workspace

# 2: reports' fields and master_cells keyed by role (progress, status …), no longer by the header
# units saw, so that renaming a header in duban.toml changes nothing stored; each file's findings
# in their own table (by catalog key and fields), no longer as JSON in submissions.
SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,          -- order in the table; items no longer in it keep their last
    active INTEGER NOT NULL,       -- 0: gone from the latest import but kept (it has reports)
    data TEXT NOT NULL             -- the Item as JSON
);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    items INTEGER NOT NULL,
    findings TEXT NOT NULL         -- JSON list of findings
);
CREATE TABLE IF NOT EXISTS submissions (  -- every returned file, whatever became of it
    sha256 TEXT NOT NULL,
    round TEXT NOT NULL,           -- '' when it could not be told
    unit TEXT NOT NULL,            -- '' when it could not be told
    file_name TEXT NOT NULL,       -- the name it arrived under
    archived TEXT NOT NULL,        -- rounds/R/received/<sha256>.<ext>, relative to the workspace
    saved_at TEXT,                 -- the workbook's own last-saved time, else the file's mtime
    received_at TEXT NOT NULL,
    outcome TEXT NOT NULL,         -- accepted | partial | rejected | superseded | unidentified | unreadable
    late INTEGER NOT NULL,
    identified_by TEXT NOT NULL,   -- metadata | content | ''
    findings TEXT NOT NULL,        -- '[]': the findings table holds them (JSON here in older ledgers)
    PRIMARY KEY (sha256, round)
);
CREATE TABLE IF NOT EXISTS findings (  -- what collect found in each file: report.xlsx and mails show these
    sha256 TEXT NOT NULL,          -- the submission's file
    round TEXT NOT NULL,
    seq INTEGER NOT NULL,          -- order within the file
    key TEXT NOT NULL,             -- the findings catalog's key: code, or code:variant
    unit TEXT, item TEXT, row INTEGER, col TEXT, value TEXT,
    facts TEXT NOT NULL,           -- JSON: the further named fields the message is composed from
    PRIMARY KEY (sha256, round, seq)
);
-- What a file's outcome depended on besides its bytes (the --round asked, units.xlsx, the
-- items, the names it arrived under, a hold the clerk may lift): collect judges the file again
-- when the workspace or the command differs. Files whose outcome rests on their bytes alone
-- (accepted, unreadable …) have no row here and stay unchanged.
CREATE TABLE IF NOT EXISTS judged_with (
    sha256 TEXT NOT NULL,
    round TEXT NOT NULL,
    depends TEXT NOT NULL,         -- JSON: {"round_asked": …, "round": …, "units": …, "items": …, "names": […], "held": true}
    PRIMARY KEY (sha256, round)
);
CREATE TABLE IF NOT EXISTS reports (  -- each accepted row of each file
    item_key TEXT NOT NULL,        -- the item's or sub-row's key
    unit TEXT NOT NULL,
    round TEXT NOT NULL,
    fields TEXT NOT NULL,          -- JSON by role: status, progress … as accepted
    file_sha256 TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (item_key, unit, round, file_sha256)
);
-- The reports that count: those of files still accepted (not superseded by a newer one).
CREATE VIEW IF NOT EXISTS current_reports AS
    SELECT r.item_key, r.unit, r.round, r.fields, r.file_sha256, r.at, s.saved_at, s.file_name
    FROM reports r JOIN submissions s ON s.sha256 = r.file_sha256 AND s.round = r.round
    WHERE s.outcome IN ('accepted', 'partial');
CREATE TABLE IF NOT EXISTS master_cells (  -- what duban last wrote into master.xlsx
    item_key TEXT NOT NULL,
    header TEXT NOT NULL,          -- the report role, or a source column (报送轮次, 报送单位文件)
    value TEXT NOT NULL,
    PRIMARY KEY (item_key, header)
);
-- The office's corrections of unit answers: the clerk's edits in master.xlsx, read back by
-- store.corrections. The unit's own answer stays in reports; the latest row per target counts.
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    item_key TEXT NOT NULL,
    unit TEXT NOT NULL,            -- whose answer is corrected
    round TEXT NOT NULL,
    field TEXT NOT NULL,           -- as the reports' fields JSON names it
    file_sha256 TEXT NOT NULL,     -- the file whose answer it corrects
    old_value TEXT NOT NULL,       -- what the answer said before: the unit's text or an earlier correction
    new_value TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_log (  -- every message duban mail sent or tried to send
    id INTEGER PRIMARY KEY,
    round TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,            -- notice | reminder | correction
    sha256 TEXT NOT NULL,          -- what it is about: the attached workbook, or the file to correct
    recipients TEXT NOT NULL,      -- JSON list of addresses
    message_id TEXT NOT NULL,
    at TEXT NOT NULL,
    result TEXT NOT NULL,          -- sent | failed
    error TEXT NOT NULL            -- why it failed, or the refused addresses; '' when none
);
"""


class LedgerBroken(DubanError):
    """.duban/ledger.sqlite is damaged: nothing can be done until it is restored."""

    exit_code = 3


class Ledger:
    """Opened once per command: `with Ledger(path) as ledger:` closes it however the block ends."""

    def __init__(self, path: Path, cfg: Config | None = None, readonly: bool = False):
        """Open (or create) the ledger; one written by an older duban is migrated first, its
        header-keyed answers mapped to roles by `cfg`, else by the workspace's duban.toml.
        `readonly`: for commands that only read (status, summary): opened so that it reads
        in a workspace that cannot be written (a read-only share or disk, no permission),
        never changing a byte; a ledger that needs creating or migrating is opened as usual."""
        self.path = path
        self.readonly = bool(readonly and self._open_read_only(path))
        if self.readonly:
            return
        with _told(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None)
            try:
                # Every page read once (a 50 MB ledger: 0.04 s): a file cut short reads as zeros
                # where it ends and would otherwise pass until a query reached them.
                problem = self.db.execute("PRAGMA quick_check(1)").fetchone()[0]
                if problem != "ok":
                    raise sqlite3.DatabaseError(problem.splitlines()[-1])
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(SCHEMA)
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            except sqlite3.DatabaseError as e:
                self.db.close()
                if type(e) is not sqlite3.DatabaseError:  # locked, read-only, disk full …: not damage
                    raise
                raise broken(path, str(e)) from e
        if self._version() < SCHEMA_VERSION:
            with _told(path):
                self._migrate(path, cfg or _workspace_config(path))

    def _open_read_only(self, path: Path) -> bool:
        """Open the ledger read-only; False when it cannot be read that way as it is (none
        yet, an older version, not a ledger): the caller opens it as usual. SQLite reads a
        WAL ledger read-only only where it may create its -shm file; in a folder it cannot
        write, the ledger is read as an immutable file, which is exact when no -wal file holds
        transactions not yet written back (a process killed): that case is told."""
        if not path.is_file():
            return False
        uri = path.resolve().as_uri() + "?mode=ro"
        for attempt in (uri, uri + "&immutable=1"):
            db = sqlite3.connect(attempt, uri=True, isolation_level=None)
            try:
                db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
            except sqlite3.OperationalError as e:
                db.close()
                if e.sqlite_errorcode & 0xFF != SQLITE_CANTOPEN:
                    return False
                wal = path.with_name(path.name + "-wal")
                if wal.exists() and wal.stat().st_size:
                    raise CannotWrite(f"台账库“{path}”还有没写回的部分（{wal.name}，上次运行可能被中断），在不能写入的工作区里读不全；"
                                      "请在可写的位置运行一次 duban summary（它会把这部分写回台账库），再回到这里查看。") from e
                continue
            except sqlite3.DatabaseError:
                db.close()
                return False
            self.db = db
            if self._version() < SCHEMA_VERSION:
                db.close()
                return False
            problem = db.execute("PRAGMA quick_check(1)").fetchone()[0]  # as a writable opening checks
            if problem != "ok":
                db.close()
                raise broken(path, problem.splitlines()[-1])
            return True
        return False

    def backup(self, backups_dir: Path, stamp: str) -> Path:
        """A copy of the ledger as it is now into `backups_dir` as ledger-<stamp>.sqlite: through
        SQLite's backup API (whole and consistent), as one self-contained file."""
        dest = backups_dir / f"{self.path.stem}-{stamp}{self.path.suffix}"
        while dest.exists():
            # Two backups within one second (an import, then a collect) both stay: the later one
            # takes the next second's name, so names still sort by when they were made.
            when = dt.datetime.strptime(_stamp(dest), "%Y%m%d-%H%M%S") + dt.timedelta(seconds=1)
            dest = backups_dir / f"{self.path.stem}-{when:%Y%m%d-%H%M%S}{self.path.suffix}"
        with atomic_path(dest) as tmp:
            with closing(sqlite3.connect(tmp)) as copy:
                self.db.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # no -wal file beside it
        return dest

    def _version(self) -> int:
        return int(self.meta("schema_version", "0") or 0)

    def _migrate(self, path: Path, cfg: Config) -> None:
        """Version 1 → 2: answers and master cells by role, findings in their table. A copy of the old file is kept in
        .duban/backups first; re-running changes nothing (the version is checked again inside
        the transaction, so of two processes only one converts)."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backups = path.parent / "backups"
        backups.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(backups / f"{path.stem}-v{self._version()}-{stamp}{path.suffix}")) as copy:
            self.db.backup(copy)
        roles = cfg.header_roles(cfg.report_fields)
        with self.transaction():
            if self._version() >= SCHEMA_VERSION:
                return
            rows = self.db.execute("SELECT rowid, fields FROM reports").fetchall()
            self.db.executemany("UPDATE reports SET fields = ? WHERE rowid = ?",
                                [(_dumps(_by_role(json.loads(f), roles)), rowid) for rowid, f in rows])
            cells = self.db.execute("SELECT rowid, header FROM master_cells").fetchall()
            self.db.executemany("UPDATE OR REPLACE master_cells SET header = ? WHERE rowid = ?",
                                [(roles.get(h, h), rowid) for rowid, h in cells if roles.get(h, h) != h])
            self._move_findings_out_of_submissions()
            self.note_headers(cfg)  # the workbooks already sent out carry these headers
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    def former_headers(self) -> dict[str, list[str]]:
        """role → every header the role's column has had in the workbooks sent out."""
        return json.loads(self.meta("report_headers", "{}") or "{}")

    def note_headers(self, cfg: Config) -> None:
        """Remember the headers of workbooks about to go out: collect still reads them after
        the clerk renames a column in duban.toml."""
        seen = self.former_headers()
        for role in cfg.report_fields + cfg.signoff_fields:
            known = seen.setdefault(role, [])
            if cfg.header(role) not in known:
                known.append(cfg.header(role))
        if seen != self.former_headers():
            self.set_meta("report_headers", _dumps(seen))

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()
        if exc_type is sqlite3.DatabaseError:  # damage found by a query (not: locked, disk full …)
            raise broken(self.path, str(exc)) from exc
        if isinstance(exc, sqlite3.OperationalError):
            told = _environment_error(self.path, exc)
            if told is not None:
                raise told from exc

    def close(self) -> None:
        if not self.readonly:
            # Transactions folded back into the ledger file now, even while a read-only opening
            # (status, summary) keeps it open: that one cannot, and a reader in a folder it may
            # not write takes the ledger file alone as whole (see _open_read_only).
            try:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # busy or closed: the next writer folds them back
        self.db.close()

    def _move_findings_out_of_submissions(self) -> None:
        """A ledger of an older duban kept each file's findings as JSON in submissions: they
        move to the findings table with the message they were stored with (no fields to
        compose it from again)."""
        rows = self.db.execute("SELECT sha256, round, findings FROM submissions WHERE findings != '[]'").fetchall()
        self._store_findings([(sha, rnd, [_legacy_finding(f) for f in json.loads(found)]) for sha, rnd, found in rows])
        self.db.execute("UPDATE submissions SET findings = '[]'")

    @contextmanager
    def transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.db.in_transaction:  # SQLite has already rolled back after a full disk
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def items(self, active_only: bool = True) -> list[Item]:
        sql = "SELECT data FROM items" + (" WHERE active = 1" if active_only else "") + " ORDER BY active DESC, seq"
        return [Item.from_dict(json.loads(d)) for (d,) in self.db.execute(sql)]

    def items_or_stop(self) -> list[Item]:
        """The active items; a clear error when there are none (nothing imported, or the
        ledger file was lost), since every later stage works on them."""
        items = self.items()
        if not items:
            saved = newest_backup(self.path)
            if saved is not None:  # the ledger was lost: its backup has the items and every report
                raise ConfigError(f"工作区里还没有任何事项：台账库 .duban/{self.path.name} 是空的（丢失后新建的）；请把备份 "
                                  f".duban/backups/{saved.name} 复制为 .duban/{self.path.name} 后重新运行（已收集的报送都在其中）；"
                                  "如果分解表确实还没导入，请先运行 duban import 分解表文件。")
            raise ConfigError("工作区里还没有任何事项（分解表尚未导入，或 .duban/ledger.sqlite 丢失）；请先运行 duban import 分解表文件。")
        return items

    def inactive_items(self) -> list[Item]:
        return [Item.from_dict(json.loads(d)) for (d,) in self.db.execute("SELECT data FROM items WHERE active = 0 ORDER BY seq")]

    def replace_items(self, items: list[Item], keep: list[Item]) -> None:
        """The latest import's items become the active ones; `keep` stay as inactive."""
        self.db.execute("DELETE FROM items")
        rows = [(it.key, i, 1, json.dumps(it.to_dict(), ensure_ascii=False)) for i, it in enumerate(items)]
        rows += [(it.key, len(items) + i, 0, json.dumps(it.to_dict(), ensure_ascii=False)) for i, it in enumerate(keep)]
        self.db.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", rows)

    def items_version(self) -> str:
        """Which import the items are from: it changes with every import (the items change only
        then), and costs one query where hashing the items cost a collect 4% of its time."""
        row = self.db.execute("SELECT max(rowid) FROM imports").fetchone()
        return str(row[0] or 0)

    def record_import(self, source: str, sha256: str, items: int, findings: list[dict]) -> None:
        self.db.execute("INSERT INTO imports (at, source, sha256, items, findings) VALUES (?, ?, ?, ?, ?)",
                        (now(), source, sha256, items, json.dumps(findings, ensure_ascii=False)))

    def keys_with_reports(self) -> set[str]:
        return {k for (k,) in self.db.execute("SELECT DISTINCT item_key FROM reports")}

    # -- submissions and reports (collect) -----------------------------------------------
    def known_files(self) -> frozenset[str]:
        """The SHA-256 of every file collected before, whatever became of it."""
        return frozenset(sha for (sha,) in self.db.execute("SELECT DISTINCT sha256 FROM submissions"))

    def judged_files(self) -> dict[str, list[dict]]:
        """sha256 → each judgement of that file: its round, unit ('' when not told), outcome,
        when it was received, and what the outcome depended on besides its bytes (None: on its
        bytes alone)."""
        out: dict[str, list[dict]] = {}
        rows = self.db.execute("SELECT s.sha256, s.round, s.unit, s.outcome, s.received_at, j.depends FROM submissions s"
                               " LEFT JOIN judged_with j ON j.sha256 = s.sha256 AND j.round = s.round")
        for sha, rnd, unit, outcome, received, depends in rows:
            out.setdefault(sha, []).append({"round": rnd, "unit": unit, "outcome": outcome, "received_at": received,
                                            "depends": json.loads(depends) if depends else None})
        return out

    def forget_judgement(self, sha256: str, round_name: str) -> None:
        """A judgement made again under another round: the earlier one (its submission row and
        findings) goes; the archived file stays."""
        for table in ("submissions", "findings", "judged_with"):
            self.db.execute(f"DELETE FROM {table} WHERE sha256 = ? AND round = ?", (sha256, round_name))

    def add_submission(self, sub: dict) -> None:
        self.add_submissions([sub])

    def add_submissions(self, subs: list[dict]) -> None:
        """subs: dicts of the submissions columns, with "findings" a list of Finding."""
        self.db.executemany(
            "INSERT OR REPLACE INTO submissions VALUES (:sha256, :round, :unit, :file_name, :archived, :saved_at,"
            " :received_at, :outcome, :late, :identified_by, '[]')", subs)
        self._store_findings([(sub["sha256"], sub["round"], sub["findings"]) for sub in subs])
        self.db.executemany("DELETE FROM judged_with WHERE sha256 = ? AND round = ?",
                            [(sub["sha256"], sub["round"]) for sub in subs])
        self.db.executemany("INSERT INTO judged_with VALUES (?, ?, ?)",
                            [(sub["sha256"], sub["round"], _dumps(sub["depends"])) for sub in subs if sub.get("depends")])

    def _store_findings(self, files: list[tuple[str, str, list[Finding]]]) -> None:
        """(sha256, round, findings) of each file: its stored findings replaced by these."""
        self.db.executemany("DELETE FROM findings WHERE sha256 = ? AND round = ?", [(sha, rnd) for sha, rnd, _ in files])
        self.db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(sha, rnd, i, f.key, f.unit, f.item, f.row, f.column, f.value,
                              json.dumps(f.facts, ensure_ascii=False))
                             for sha, rnd, found in files for i, f in enumerate(found)])

    def findings(self, rounds: Iterable[str]) -> dict[tuple[str, str], list[Finding]]:
        """(sha256, round) → the findings stored for that file, in the order found."""
        out: dict[tuple[str, str], list[Finding]] = {}
        for rnd in set(rounds):
            rows = self.db.execute("SELECT sha256, key, row, col, value, unit, item, facts FROM findings WHERE round = ?"
                                   " ORDER BY sha256, seq", (rnd,))
            for sha, key, row, col, value, unit, item, facts in rows:
                out.setdefault((sha, rnd), []).append(Finding(key, row, col, value, unit, item, json.loads(facts)))
        return out

    def round_files(self, round_name: str) -> list[dict]:
        """Every file recorded for the round, identified or not, oldest first, with its findings:
        what report.xlsx is rendered from when no new file came."""
        rows = self.db.execute(
            "SELECT sha256, unit, file_name, archived, saved_at, outcome, late, identified_by FROM submissions"
            " WHERE round = ? ORDER BY COALESCE(saved_at, ''), received_at, file_name", (round_name,))
        found = self.findings([round_name])
        return [{"sha256": sha, "unit": unit, "file_name": name, "archived": archived, "saved_at": saved, "outcome": outcome,
                 "late": bool(late), "identified_by": by, "findings": found.get((sha, round_name), [])}
                for sha, unit, name, archived, saved, outcome, late, by in rows]

    def round_digest(self, round_name: str) -> str:
        """A fingerprint of what the ledger holds on the round's files (outcomes, findings): it
        changes whenever report.xlsx would; '' when no file was recorded for the round."""
        rows = self.db.execute("SELECT sha256, unit, outcome, late FROM submissions WHERE round = ? ORDER BY sha256",
                               (round_name,)).fetchall()
        if not rows:
            return ""
        findings = self.db.execute("SELECT count(*) FROM findings WHERE round = ?", (round_name,)).fetchone()[0]
        return hashlib.sha256(_dumps([rows, findings]).encode("utf-8")).hexdigest()

    def add_reports(self, rows: list[tuple[str, str, str, dict, str]]) -> None:
        """rows of (item key, unit, round, fields, file sha256)."""
        at = now()
        self.db.executemany("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?)",
                            [(k, u, r, json.dumps(f, ensure_ascii=False), sha, at) for k, u, r, f, sha in rows])

    def set_outcome(self, sha256: str, round_name: str, outcome: str) -> None:
        self.db.execute("UPDATE submissions SET outcome = ? WHERE sha256 = ? AND round = ?", (outcome, sha256, round_name))

    def standing(self, round_name: str) -> dict[str, dict]:
        """unit → its standing submission for the round (accepted or partial)."""
        rows = self.db.execute(
            "SELECT sha256, unit, file_name, saved_at, outcome, late, identified_by, received_at FROM submissions"
            " WHERE round = ? AND outcome IN ('accepted', 'partial') ORDER BY saved_at", (round_name,))
        return {unit: {"sha256": sha, "unit": unit, "file_name": name, "saved_at": saved, "outcome": outcome,
                       "late": bool(late), "identified_by": by, "received_at": received}
                for sha, unit, name, saved, outcome, late, by, received in rows}

    def current_reports(self, round_name: str | None = None, before: str | None = None) -> list[dict]:
        """The reports that count, oldest round first: of `round_name`, of the rounds
        `before` one, or of every round. The unit's answers as sent: store.corrections
        applies the office's corrections."""
        sql = "SELECT item_key, unit, round, fields, file_name, file_sha256, saved_at FROM current_reports"
        args: tuple = ()
        if round_name:
            sql, args = sql + " WHERE round = ?", (round_name,)
        elif before:
            sql, args = sql + " WHERE round < ?", (before,)
        return [{"key": k, "unit": u, "round": r, "fields": json.loads(f), "file": name, "sha256": sha, "saved_at": saved}
                for k, u, r, f, name, sha, saved in self.db.execute(sql + " ORDER BY round, at", args)]

    def master_cells(self) -> dict[tuple[str, str], str]:
        return {(k, h): v for k, h, v in self.db.execute("SELECT item_key, header, value FROM master_cells")}

    def set_master_cells(self, cells: dict[tuple[str, str], str]) -> None:
        with self.transaction():  # one transaction, not one per row (autocommit)
            self._set_master_cells(cells)

    def _set_master_cells(self, cells: dict[tuple[str, str], str]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO master_cells VALUES (?, ?, ?)",
                            [(k, h, v) for (k, h), v in cells.items()])

    def corrections(self) -> dict[tuple[str, str, str, str], dict]:
        """(item key, unit, round, field) → the latest correction of that answer."""
        rows = self.db.execute(
            "SELECT item_key, unit, round, field, file_sha256, old_value, new_value, at FROM corrections ORDER BY id")
        return {(k, u, r, f): {"key": k, "unit": u, "round": r, "field": f, "sha256": sha, "old": old, "new": new, "at": at}
                for k, u, r, f, sha, old, new, at in rows}

    def record_corrections(self, edits: list[dict], cells: dict[tuple[str, str], str]) -> int:
        """Record `edits` (key, unit, round, field, sha256, old, new) as corrections, skipping any that
        the latest correction of its answer already says, and `cells` as written into the
        master, in one transaction; returns how many corrections were new."""
        latest = self.corrections()
        fresh = [e for e in edits if latest.get((e["key"], e["unit"], e["round"], e["field"]), {}).get("new") != e["new"]]
        with self.transaction():
            self.db.executemany(
                "INSERT INTO corrections (item_key, unit, round, field, file_sha256, old_value, new_value, at)"
                " VALUES (:key, :unit, :round, :field, :sha256, :old, :new, :at)", [{**e, "at": now()} for e in fresh])
            self._set_master_cells(cells)
        return len(fresh)

    # -- mail -----------------------------------------------------------------------------
    def submissions(self, round_name: str) -> list[dict]:
        """Every file of the round with a unit, oldest first (by its own last-saved time), with
        its findings (Finding objects)."""
        rows = self.db.execute(
            "SELECT sha256, unit, file_name, saved_at, received_at, outcome FROM submissions"
            " WHERE round = ? AND unit != '' ORDER BY COALESCE(saved_at, ''), received_at", (round_name,))
        found = self.findings([round_name])
        return [{"sha256": sha, "unit": unit, "file_name": name, "saved_at": saved, "received_at": received,
                 "outcome": outcome, "findings": found.get((sha, round_name), [])}
                for sha, unit, name, saved, received, outcome in rows]

    def record_mail(self, entry: dict) -> None:
        """entry: round, unit, kind, sha256, recipients (list), message_id, result, error."""
        self.db.execute(
            "INSERT INTO mail_log (round, unit, kind, sha256, recipients, message_id, at, result, error)"
            " VALUES (:round, :unit, :kind, :sha256, :recipients, :message_id, :at, :result, :error)",
            {**entry, "recipients": json.dumps(entry["recipients"], ensure_ascii=False), "at": now()})

    def mails_sent(self, round_name: str, kind: str, since: str = "") -> set[tuple[str, str]]:
        """(unit, sha256) of the messages of this kind sent for the round (at or after `since`)."""
        rows = self.db.execute("SELECT unit, sha256 FROM mail_log WHERE round = ? AND kind = ? AND result = 'sent'"
                               " AND at >= ?", (round_name, kind, since))
        return {(unit, sha) for unit, sha in rows}

    def meta(self, name: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else default

    def set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))


def newest_backup(path: Path) -> Path | None:
    """The newest backup of the ledger at `path` that is whole, or None."""
    found = sorted((path.parent / "backups").glob(f"{path.stem}-*{path.suffix}"), key=_stamp, reverse=True)
    for candidate in found:
        try:
            with closing(sqlite3.connect(f"{candidate.resolve().as_uri()}?mode=ro", uri=True)) as db:
                if db.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok" and db.execute(
                        "SELECT count(*) FROM items").fetchone()[0]:
                    return candidate
        except sqlite3.DatabaseError:
            continue
    return None


def _stamp(path: Path) -> str:
    """When a backup was made, by the time in its name (a copied folder's files all get new
    modification times)."""
    m = re.search(r"\d{8}-\d{6}", path.name)
    return m.group(0) if m else ""


def broken(path: Path, reason: str) -> LedgerBroken:
    """The ledger at `path` is damaged: one sentence saying how to get it back."""
    name, reason = path.name, reason.strip()[:60]
    aside = f"请先把 .duban 中的 {name}（连同旁边的 {name}-wal、{name}-shm，如有）改名留存"
    saved = newest_backup(path)
    if saved is not None:
        return LedgerBroken(f"台账库 .duban/{name} 已损坏（{reason}）；{aside}，再把最近的备份 .duban/backups/{saved.name} "
                            f"复制为 .duban/{name}，然后对收到文件的文件夹重新运行 duban collect，补上这份备份之后收集的文件"
                            "（已收集过的不会重复）。")
    return LedgerBroken(f"台账库 .duban/{name} 已损坏（{reason}），.duban/backups 中也没有完好的备份；{aside}，再运行 "
                        "duban import 分解表文件 重建事项，然后对收到文件的文件夹重新运行 duban collect（总台账中已有的报送内容会保留）。")


# SQLite's primary result codes for what the machine refused (an extended code's low byte).
SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 8, 10, 13, 14


def _environment_error(path: Path, e: sqlite3.OperationalError) -> CannotWrite | None:
    """The Chinese sentence for a refusal SQLite met on the ledger at `path`; None for others."""
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF
    if code == SQLITE_FULL:
        return cannot_write(path, OSError(errno.ENOSPC, "disk full"))
    if code == SQLITE_READONLY:
        return cannot_write(path, OSError(errno.EROFS, "read-only"))
    if code == SQLITE_IOERR:
        return CannotWrite(f"读写台账库“{path}”时出错（磁盘已满，或磁盘、网络共享出了故障）；请腾出磁盘空间、检查磁盘后重新运行"
                           "（台账库每次写入都是整批生效或整批不生效，已有的记录不受影响）。")
    if code == SQLITE_CANTOPEN:
        return CannotWrite(f"无法打开台账库“{path}”（所在的文件夹只读、没有写权限，或路径太长）；"
                           "请把工作区复制到可写的位置（或取得写权限）后重新运行；只是查看的话，duban status 在只读的工作区里也能用。")
    return None


@contextmanager
def _told(path: Path):
    """Opening the ledger: what the machine refused, as one sentence."""
    try:
        with writing(path):
            yield
    except sqlite3.OperationalError as e:
        told = _environment_error(path, e)
        if told is None:
            raise
        raise told from e


def _legacy_finding(f: dict) -> Finding:
    """A finding as an older duban stored it (CLI.md's JSON): its message kept as it was."""
    return Finding(f["code"], f.get("row"), f.get("column"), f.get("value"), f.get("unit"), f.get("item"),
                   {"message": f.get("message") or ""})


def _workspace_config(path: Path) -> Config:
    """The settings of the workspace whose .duban/ holds the ledger at `path` (defaults when
    the ledger stands alone)."""
    ws = Workspace(path.parent.parent)
    return ws.config() if ws.exists() else Config()


def _by_role(fields: dict, roles: dict[str, str]) -> dict:
    """An answer keyed by header (ledger version 1) keyed by role; a key already a role, or a
    column of the workspace's own, stays."""
    return {roles.get(name) or schema.report_role(name): value for name, value in fields.items()}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
