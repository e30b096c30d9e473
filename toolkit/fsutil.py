"""Files written so that a crash leaves the old version or the new one, never half of one."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import faults
from .errors import DubanError


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
