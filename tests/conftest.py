"""Shared test helpers: fixture paths and running the real CLI in-process."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from toolkit.cli import cli
from toolkit.store.office import find_soffice

FIXTURES = Path(__file__).parent / "fixtures"
# LibreOffice tests skip on a machine without it; CI installs it and sets DUBAN_REQUIRE_OFFICE,
# so there they run (and fail if LibreOffice went missing) instead of skipping quietly.
needs_office = pytest.mark.skipif(
    find_soffice() is None and not os.environ.get("DUBAN_REQUIRE_OFFICE"),
    reason="LibreOffice not installed (CI installs it and sets DUBAN_REQUIRE_OFFICE)")
IMPORT = FIXTURES / "import"

# Hypothesis fails an example that takes over 200 ms by default: a wall-clock assertion, which
# a loaded machine breaks. The properties are about answers, not speed.
settings.register_profile("duban", deadline=None)
settings.load_profile("duban")


@pytest.fixture
def run():
    """run('import', path, '-w', ws) → (exit_code, output); JSON is parsed when --json is given."""

    def _run(*args):
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
        out = result.output
        if "--json" in args and result.exit_code in (0, 1):
            return result.exit_code, json.loads(result.stdout)
        return result.exit_code, out

    return _run


@pytest.fixture(scope="session")
def heshan_mixed(tmp_path_factory):
    """The Heshan year-end round of tests/test_state.py (every status, sub-row units that send
    nothing, a partly accepted file): (workspace, run, root). Built once per worker for the
    modules that look at it (test_state, test_dashboard's browser test): their tests share the
    xdist group "test_state", so make test's --dist loadgroup runs them on one worker."""
    from test_state import MISTYPED, SILENT, cli_run, heshan_round

    root = tmp_path_factory.mktemp("mixed")
    return heshan_round(cli_run, root, skip=SILENT, mistype=MISTYPED), cli_run, root
