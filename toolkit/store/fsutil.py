"""Files written so that a crash leaves the old version or the new one, never half of one;
and what the machine refuses (a full disk, a read-only folder, no permission, a path too
long) told as one Chinese sentence that names the path and says what to do."""

from __future__ import annotations

import errno
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


class CannotWrite(DubanError):
    """The machine refused to write (or reach) a path: disk full, read-only, no permission,
    path too long. Nothing could be done: exit code 3."""

    exit_code = 3


# What to do when an output file the clerk may put anywhere cannot be written (summary -o, status --html).
ELSEWHERE = "请用 {option} 把它写到可写、有空间的位置（例如 {option} D:\\{name}），或腾出磁盘空间、取得写权限后重新运行"

NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def cannot_write(path, e: OSError, todo: str = "") -> CannotWrite:
    """The Chinese sentence for `e`, an OSError met writing or reaching `path`."""
    where = f"“{short_path(path)}”" if path else ("所在的文件夹" if e.errno == errno.ENAMETOOLONG else "文件")
    if e.errno in NO_SPACE:
        what = f"磁盘空间不足，无法写入{where}"
        todo = todo or "请删除不用的文件腾出空间（或把工作区移到空间足够的磁盘）后重新运行"
    elif e.errno == errno.EROFS:
        what = f"{where}所在的磁盘或共享文件夹是只读的，无法写入"
        todo = todo or "请把工作区复制到可写的位置（或请管理员取消只读）后重新运行"
    elif e.errno in (errno.EACCES, errno.EPERM):
        what = f"没有写入{where}的权限"
        todo = todo or "请让管理员给这个文件夹写权限，或把工作区复制到自己可写的位置后重新运行"
    elif e.errno == errno.ENAMETOOLONG:
        what = f"路径太长（超过了系统允许的长度），无法使用{where}"
        todo = "请把工作区或文件夹移到路径较短的位置（例如 D:\\督办 或 ~/督办）后重新运行"
    else:
        what = f"无法读写{where}（系统提示：{e.strerror or type(e).__name__}）"
        todo = todo or "请检查磁盘和文件夹后重新运行"
    return CannotWrite(f"{what}；{todo}（duban 写文件先写临时文件再替换，已有的文件和记录不受影响）。")


def short_path(path, keep: int = 160) -> str:
    """A path as a message shows it: a very long one keeps its start and its end."""
    text = str(path)
    return text if len(text) <= keep else f"{text[:30]}…{text[-(keep - 31):]}"


def os_error_in(e: BaseException) -> OSError | None:
    """The OSError behind `e`: itself, or one a library wrapped (XlsxWriter's FileCreateError
    carries it as its argument; others chain it)."""
    seen = 0
    while e is not None and seen < 5:
        if isinstance(e, OSError):
            return e
        inner = next((a for a in getattr(e, "args", ()) if isinstance(a, OSError)), None)
        e = inner or e.__cause__ or e.__context__
        seen += 1
    return None


@contextmanager
def writing(path: Path | None, todo: str = ""):
    """Run the block that writes `path`; what the machine refuses there becomes CannotWrite
    (naming `path`, else the path the error names)."""
    try:
        yield
    except DubanError:
        raise
    except Exception as e:  # noqa: BLE001 - only an OSError behind it is translated
        err = os_error_in(e)
        if err is None or isinstance(err, FileNotFoundError | IsADirectoryError | NotADirectoryError):
            raise
        raise cannot_write(path or getattr(err, "filename", None), err, todo) from e


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(target: Path, todo: str = ""):
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename.
    A full disk, a read-only folder … is CannotWrite naming `target` (and `todo`, what to do,
    where the caller knows better); the old file stays."""
    target = Path(target)
    with writing(target, todo):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a shared office folder needs the usual mode
    try:
        with writing(target, todo):
            yield Path(tmp)
            with open(tmp, "rb") as f:  # a full disk may tell only now
                os.fsync(f.fileno())
        faults.point(f"before-replace:{target.name}")
        try:
            os.replace(tmp, target)
        except PermissionError as e:  # Windows: Excel or WPS holds the file open
            raise FileBusy(f"文件“{target.name}”正被其他程序（例如 Excel 或 WPS）打开，无法写入；请关闭它后重新运行（已完成的部分不会丢失）。") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_text(target: Path, text: str, todo: str = "") -> None:
    with atomic_path(target, todo) as tmp:
        tmp.write_text(text, encoding="utf-8")


def backup(path: Path, backups_dir: Path, stamp: str) -> Path | None:
    """Copy `path` into `backups_dir` as name-stamp.ext before it is replaced."""
    if not path.exists():
        return None
    dest = backups_dir / f"{path.stem}-{stamp}{path.suffix}"
    with writing(dest):
        backups_dir.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, dest)
        except BaseException:  # a full disk: no half a backup left to be taken for the whole one
            dest.unlink(missing_ok=True)
            raise
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
