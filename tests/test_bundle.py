"""duban's wheel carries its own files (issue 17): installed from the wheel, away from the checkout,
duban finds its templates and samples, and a workspace's own templates/ still wins.

The wheel is built here offline (--no-build-isolation, with the .venv's setuptools) and installed
with --no-deps into a folder that alone is on the child's sys.path before site-packages; the
dependencies come from the test's own environment. The whole offline bundle (every dependency,
three platforms, installed with the network cut off) is `make bundle-check`'s, not make test's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

from bundle.build import build_wheel
from toolkit.store.packagedata import SAMPLE_WORKBOOKS, TEMPLATES
from toolkit.store.samples import SAMPLES

SETUPTOOLS_NEEDED = Version("77")  # pyproject.toml's build-system (PEP 639 license)


def child_env(site: Path) -> dict:
    """The child sees the installed wheel, not the checkout: PYTHONPATH is that folder alone (the
    test's own PYTHONPATH names the checkout), and pip's machine-wide find-links stay out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return {**env, "PYTHONPATH": str(site), "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    have = Version(version("setuptools"))
    if have < SETUPTOOLS_NEEDED:
        pytest.fail(f"this environment's setuptools {have} cannot build duban's wheel (needs >= {SETUPTOOLS_NEEDED}): "
                    "run `make test` once, or `.venv/bin/pip install -e '.[test]'`")
    return build_wheel(tmp_path_factory.mktemp("wheel"), isolated=False)


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(target),
                    str(wheel)], check=True, env=child_env(target))
    return target


def test_wheel_carries_every_template_and_sample_but_not_the_build_script(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = [p for p in TEMPLATES.rglob("*")  # every template; the script that builds one stays behind
                 if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith("build_")]
    assert {"mail_round.txt", "dashboard.html"} <= {p.name for p in templates}
    for path in templates:
        assert f"toolkit/templates/{path.relative_to(TEMPLATES).as_posix()}" in names
    for rel in [*SAMPLES.values(), "heshan-2022/completion.json"]:
        assert f"toolkit/sample_workbooks/{rel}" in names
    assert not [n for n in names if n.endswith("build_samples.py")]
    assert not [n for n in names if n.endswith("build_bulletin_template.py")] and any(n.endswith("bulletin.docx") for n in names)


def test_installed_wheel_finds_its_own_templates_and_samples(site, tmp_path):
    workspace = tmp_path / "工作区"
    (workspace / "templates").mkdir(parents=True)
    (workspace / "templates" / "mail_round.txt").write_text("{{ 单位 }}：本工作区自己的通知", encoding="utf-8")
    script = """
import json, sys
from pathlib import Path
import toolkit
from toolkit.mail.message import template_environment
from toolkit.store.samples import SAMPLES, sample_path
env = template_environment(Path(sys.argv[1]))
print(json.dumps({"toolkit": toolkit.__file__, "samples": [str(sample_path(n)) for n in SAMPLES],
                  "mail_round": env.get_template("mail_round.txt").filename,
                  "mail_reminder": env.get_template("mail_reminder.txt").filename,
                  "dashboard": env.get_template("dashboard.html").filename}))
"""
    # -P: the child's working directory (here tmp_path) is not put on sys.path either
    proc = subprocess.run([sys.executable, "-P", "-c", script, str(workspace)], cwd=tmp_path, env=child_env(site),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    installed = site / "toolkit"
    assert Path(found["toolkit"]).parent == installed
    assert [Path(p) for p in found["samples"]] == [installed / "sample_workbooks" / rel for rel in SAMPLES.values()]
    assert all(Path(p).is_file() for p in found["samples"])
    assert Path(found["mail_round"]) == workspace / "templates" / "mail_round.txt"  # the workspace's own copy wins
    assert Path(found["mail_reminder"]) == installed / "templates" / "mail_reminder.txt"
    assert Path(found["dashboard"]) == installed / "templates" / "dashboard.html"
    assert not str(SAMPLE_WORKBOOKS).startswith(str(site))  # the test itself reads the checkout


def test_installed_duban_builds_a_workspace_from_its_bundled_sample(site, tmp_path):
    run = [sys.executable, "-P", "-c", "import sys; from toolkit.cli import main; sys.exit(main())"]
    proc = subprocess.run([*run, "init", "样例", "--sample", "zhanjiang-2022", "--json"], cwd=tmp_path,
                          env=child_env(site), capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert (tmp_path / "样例" / "duban.toml").is_file()
    assert (tmp_path / "样例" / "master.xlsx").is_file()
