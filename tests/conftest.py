"""Shared test helpers: fixture paths and running the real CLI in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
IMPORT = FIXTURES / "import"


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
