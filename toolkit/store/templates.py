"""Where templates are found: the workspace's own templates/ folder first, then duban's.

An office changes a mail body, the dashboard or the bulletin by copying duban's file into the
workspace's templates/ folder and editing the copy; duban's own stays as it shipped.
"""

from __future__ import annotations

from pathlib import Path

from .packagedata import TEMPLATES

__all__ = ["TEMPLATES", "template_dirs", "find_template"]


def template_dirs(workspace_root: Path) -> list[Path]:
    """The folders searched, the workspace's first."""
    return [Path(workspace_root) / "templates", TEMPLATES]


def find_template(workspace_root: Path, name: str) -> Path | None:
    """The template file `name` that wins, or None when neither folder has it."""
    return next((d / name for d in template_dirs(workspace_root) if (d / name).is_file()), None)
