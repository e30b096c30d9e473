"""Files written so that a crash leaves the old version or the new one, never half of one."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import DubanError
from . import faults


class FileBusy(DubanError):
    """A file duban must replace is held open by another program."""

    exit_code = 3

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a shared office folder needs the usual mode
    try:
        yield Path(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        faults.point(f"before-replace:{target.name}")
        try:
            os.replace(tmp, target)
        except PermissionError as e:  # Windows: Excel or WPS holds the file open
            raise FileBusy(f"文件“{target.name}”正被其他程序（例如 Excel 或 WPS）打开，无法写入；请关闭它后重新运行（已完成的部分不会丢失）。") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def backup(path: Path, backups_dir: Path, stamp: str) -> Path | None:
    """Copy `path` into `backups_dir` as name-stamp.ext before it is replaced."""
    if not path.exists():
        return None
    backups_dir.mkdir(parents=True, exist_ok=True)
    dest = backups_dir / f"{path.stem}-{stamp}{path.suffix}"
    shutil.copy2(path, dest)
    return dest


MAX_NAME = 120  # characters in a file name; Windows paths must stay short
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_file_name(*parts: str, suffix: str = ".xlsx") -> str:
    """A Windows-safe file name from its parts, shortened from the first part when too long."""
    cleaned = [_UNSAFE.sub("", p).strip(" .") for p in parts if p]
    name = "-".join(cleaned)
    overflow = len(name) + len(suffix) - MAX_NAME
    if overflow > 0 and cleaned:
        cleaned[0] = cleaned[0][: max(4, len(cleaned[0]) - overflow)]
        name = "-".join(cleaned)[: MAX_NAME - len(suffix)]
    return (name or "报送表") + suffix


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
