"""The house's layers (DESIGN.md, "Layers"): imports point down, no stage imports another, no circles.

Every import inside toolkit is read from the source, at module level and inside functions alike:
a function-local import is still a dependency, so it may not dodge a circle either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"
STAGES = ("importing", "generate", "collect", "mail", "summary", "bulletin")
# Lower numbers sit lower; a module may import its own folder or anything below it.
RANK = {"core": 0, "store": 1, **{s: 2 for s in STAGES}, "views": 3}
TOP = 4  # toolkit/cli.py, demo.py, simulate.py: they drive the stages


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The toolkit modules `name` imports (a package's `from x import y` counts y when y is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "toolkit"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "toolkit":
                continue
            subs = {f"{target}.{a.name}" for a in node.names} & known
            out |= subs or {target}
    return {m for m in out if m in known and m != name}


def rank(name: str) -> tuple[int, str]:
    parts = name.split(".")
    if len(parts) >= 3 or (len(parts) == 2 and parts[1] in RANK):
        return RANK.get(parts[1], TOP), parts[1]
    return TOP, parts[-1]


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def test_the_folders_show_the_layers():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(RANK)
    loose = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert loose == {"cli", "demo", "simulate"}


def test_imports_point_down_and_no_stage_imports_another():
    wrong = []
    for name, deps in graph().items():
        mine, my_folder = rank(name)
        for dep in deps:
            theirs, their_folder = rank(dep)
            if theirs > mine or (theirs == mine and mine < TOP and their_folder != my_folder):
                wrong.append(f"{name} -> {dep}")
    assert sorted(wrong) == []


def test_no_circles():
    g = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(g[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(path[path.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize("name", sorted(m for m in modules() if m.startswith("toolkit.core.")))
def test_core_does_no_io(name):
    """core/ is pure rules: it opens no files, databases or processes."""
    tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in getattr(n, "names", [])} | {
        (n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not used & {"open", "read_text", "write_text", "read_bytes", "write_bytes", "unlink", "mkdir", "environ"}
    assert not imported & {"sqlite3", "subprocess", "shutil", "tempfile", "socket", "multiprocessing", "os"}
