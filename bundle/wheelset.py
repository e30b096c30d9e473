"""What a folder of wheels lacks for one kind of PC.

`pip download --platform win_amd64` and `pip install --dry-run --platform win_amd64` choose the
right wheel files, but evaluate environment markers for the machine they run on: a dependency
marked `; sys_platform == "win32"` (pandas' tzdata, click's colorama in some versions) is left
out of a bundle built on Linux, and the dry run does not miss it either. So the bundle follows
every wheel's Requires-Dist itself, with each target's markers and wheel tags.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging import tags
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

PYTHON = (3, 11)


@dataclass(frozen=True)
class Target:
    label: str
    pip_platforms: tuple[str, ...]  # pip download's --platform values, best first
    markers: dict                    # the marker variables that differ from the build machine
    platforms: tuple[str, ...]       # every platform tag a wheel may carry to fit

    def environment(self) -> dict:
        version = ".".join(map(str, PYTHON))
        return {**default_environment(), "implementation_name": "cpython", "platform_python_implementation": "CPython",
                "python_version": version, "python_full_version": f"{version}.0", **self.markers}

    def supported(self) -> set[tags.Tag]:
        return set(tags.cpython_tags(PYTHON, platforms=self.platforms)) | set(
            tags.compatible_tags(PYTHON, interpreter="cp" + "".join(map(str, PYTHON)), platforms=self.platforms))


# manylinux_2_28 down to manylinux_2_5 and the legacy names of 2_17/2_12/2_5: glibc 2.28 runs them all.
_LINUX = tuple(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)) + (
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64")
TARGETS = (
    Target("Windows x64", ("win_amd64",),
           {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
           ("win_amd64",)),
    Target("Linux x64", ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"),
           {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
           _LINUX[:-1]),
    Target("macOS arm64", ("macosx_11_0_arm64",),
           {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix", "platform_machine": "arm64"},
           tuple(tags.mac_platforms((11, 0), "arm64"))),
)


@dataclass(frozen=True)
class Wheel:
    path: Path
    name: str
    version: Version
    tags: frozenset

    def requires(self) -> list[Requirement]:
        with zipfile.ZipFile(self.path) as zf:
            meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
            headers = HeaderParser().parsestr(zf.read(meta).decode("utf-8"))
        return [Requirement(r) for r in headers.get_all("Requires-Dist") or []]


def wheels_in(folder: Path) -> list[Wheel]:
    out = []
    for path in sorted(folder.glob("*.whl")):
        name, version, _build, wheel_tags = parse_wheel_filename(path.name)
        out.append(Wheel(path, name, version, frozenset(wheel_tags)))
    return out


def missing(folder: Path, target: Target, root: str = "duban") -> list[str]:
    """Requirements that no wheel in `folder` meets on `target`, following the dependencies of
    the wheel each one would install (the newest that fits, as pip takes it), from `root`."""
    supported = target.supported()
    fitting: dict[str, list[Wheel]] = {}
    for wheel in wheels_in(folder):
        if wheel.tags & supported:
            fitting.setdefault(wheel.name, []).append(wheel)
    env = target.environment()
    lacking: list[str] = []
    seen: set[tuple[str, frozenset]] = set()
    todo = [Requirement(root)]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        key = (name, frozenset(req.extras))
        candidates = [w for w in fitting.get(name, []) if req.specifier.contains(w.version, prereleases=True)]
        if not candidates:
            lacking.append(f"{req.name}{'[' + ','.join(sorted(req.extras)) + ']' if req.extras else ''}{req.specifier}")
            continue
        if key in seen:
            continue
        seen.add(key)
        best = max(candidates, key=lambda w: w.version)
        for dep in best.requires():
            extras = req.extras or {""}
            if dep.marker is None or any(dep.marker.evaluate({**env, "extra": e}) for e in extras):
                todo.append(dep)
    return sorted(set(lacking))
