"""Signed metadata of a generated workbook: who it is for, and what its read-only text was.

A workbook carries its workspace id, round, unit, template version and, per row, the item key
and a hash of the row's read-only text, all signed with HMAC-SHA256 under the workspace's
secret (.duban/secret). collect recomputes the signature to tell a file it generated from a
forged or edited one, and the row hashes to tell which plan text a unit changed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

TEMPLATE_VERSION = "1"
META_SHEET = "_duban"  # very hidden in every generated workbook


# What json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) builds on
# every call; made once (an encoder keeps no state between encode calls), same output.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass
class Metadata:
    workspace_id: str
    round: str
    unit: str
    template_version: str = TEMPLATE_VERSION
    generated_at: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)  # (item key, hash of read-only text)
    signature: str = ""

    def payload(self) -> bytes:
        """The canonical bytes the signature covers (everything but the signature itself)."""
        body = {"workspace_id": self.workspace_id, "round": self.round, "unit": self.unit,
                "template_version": self.template_version, "generated_at": self.generated_at,
                "rows": [list(r) for r in self.rows]}
        return _CANONICAL.encode(body).encode("utf-8")

    def sign(self, secret: bytes) -> None:
        self.signature = hmac.new(secret, self.payload(), hashlib.sha256).hexdigest()

    def verify(self, secret: bytes) -> bool:
        expected = hmac.new(secret, self.payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature or "")


def row_hash(*texts: str) -> str:
    """A short hash of a row's read-only cells, as a unit's spreadsheet program shows them."""
    joined = "\x1f".join([" ".join((t or "").split()) for t in texts])
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def to_cells(meta: Metadata) -> list[list[str]]:
    """Metadata as rows of text cells for the hidden sheet: name/value pairs, then the rows."""
    head = [["duban", "metadata"], ["workspace_id", meta.workspace_id], ["round", meta.round],
            ["unit", meta.unit], ["template_version", meta.template_version],
            ["generated_at", meta.generated_at], ["signature", meta.signature], ["rows", str(len(meta.rows))]]
    return head + [[key, digest] for key, digest in meta.rows]


def from_cells(cells: list[list]) -> Metadata | None:
    """Metadata back from the hidden sheet's cells (None when the sheet is not duban's)."""
    # Only the rows read below are turned into text: _pair is pure, so the others need not be.
    if not cells or _pair(cells[0]) != ["duban", "metadata"]:
        return None
    head = dict(map(_pair, cells[1:8]))  # _pair gives two items: dict() takes them as key, value
    try:
        count = int(float(head.get("rows", "0")))
    except ValueError:
        return None
    return Metadata(workspace_id=head.get("workspace_id", ""), round=head.get("round", ""), unit=head.get("unit", ""),
                    template_version=head.get("template_version", ""), generated_at=head.get("generated_at", ""),
                    rows=list(map(tuple, map(_pair, cells[8:8 + count]))), signature=head.get("signature", ""))


def _pair(r: list) -> list[str]:
    """A row's first two cells as text, "" for empty or missing ones."""
    if len(r) >= 2:  # the usual row: the same as the general form below, without its lists
        a, b = r[0], r[1]
        return ["" if a is None else str(a), "" if b is None else str(b)]
    return [("" if v is None else str(v)) for v in r[:2]] + [""] * (2 - len(r[:2]))
