"""The ledger (台账库): .duban/ledger.sqlite, the workspace's memory and audit trail.

Holds the items as last imported (with their stable keys) and every import; later stages add
what units sent. master.xlsx is a readable view written from it. The schema lives here only.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import ConfigError
from ..core.model import Item

SCHEMA_VERSION = 1
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
    findings TEXT NOT NULL,        -- JSON list of findings
    PRIMARY KEY (sha256, round)
);
CREATE TABLE IF NOT EXISTS reports (  -- each accepted row of each file
    item_key TEXT NOT NULL,        -- the item's or sub-row's key
    unit TEXT NOT NULL,
    round TEXT NOT NULL,
    fields TEXT NOT NULL,          -- JSON: 完成状态, 进展情况 … as accepted
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
    header TEXT NOT NULL,
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


class Ledger:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
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

    def record_import(self, source: str, sha256: str, items: int, findings: list[dict]) -> None:
        self.db.execute("INSERT INTO imports (at, source, sha256, items, findings) VALUES (?, ?, ?, ?, ?)",
                        (now(), source, sha256, items, json.dumps(findings, ensure_ascii=False)))

    def keys_with_reports(self) -> set[str]:
        return {k for (k,) in self.db.execute("SELECT DISTINCT item_key FROM reports")}

    # -- submissions and reports (collect) -----------------------------------------------
    def known_files(self) -> frozenset[str]:
        """The SHA-256 of every file collected before, whatever became of it."""
        return frozenset(sha for (sha,) in self.db.execute("SELECT DISTINCT sha256 FROM submissions"))

    def add_submission(self, sub: dict) -> None:
        self.add_submissions([sub])

    def add_submissions(self, subs: list[dict]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO submissions VALUES (:sha256, :round, :unit, :file_name, :archived, :saved_at,"
            " :received_at, :outcome, :late, :identified_by, :findings)", subs)

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
            "SELECT sha256, unit, file_name, saved_at, outcome, late, findings FROM submissions"
            " WHERE round = ? AND outcome IN ('accepted', 'partial') ORDER BY saved_at", (round_name,))
        return {unit: {"sha256": sha, "unit": unit, "file_name": name, "saved_at": saved, "outcome": outcome,
                       "late": bool(late), "findings": json.loads(findings)}
                for sha, unit, name, saved, outcome, late, findings in rows}

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
        """Every file of the round with a unit, oldest first (by its own last-saved time)."""
        rows = self.db.execute(
            "SELECT sha256, unit, file_name, saved_at, received_at, outcome, findings FROM submissions"
            " WHERE round = ? AND unit != '' ORDER BY COALESCE(saved_at, ''), received_at", (round_name,))
        return [{"sha256": sha, "unit": unit, "file_name": name, "saved_at": saved, "received_at": received,
                 "outcome": outcome, "findings": json.loads(findings)}
                for sha, unit, name, saved, received, outcome, findings in rows]

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


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
