"""Where duban's own files are: templates/ (mail bodies, the dashboard page) and sample_workbooks/
(the bundled breakdown tables) sit inside the toolkit package as package data, so a checkout
(`python cli.py`), an editable install and an installed wheel (the offline bundle for Windows)
all find them beside the code, with no copy of the checkout on the PC."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
TEMPLATES = PACKAGE / "templates"
SAMPLE_WORKBOOKS = PACKAGE / "sample_workbooks"
