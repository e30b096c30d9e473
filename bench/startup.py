"""bench/startup: how long `duban --help` takes (goal <= 0.3 s), against bare `python -c pass`.

Heavy libraries (openpyxl, XlsxWriter, calamine, pandas) are imported inside the commands,
so asking for help or mistyping an option stays instant.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.common import best_of

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    help_time = best_of(lambda: subprocess.run([sys.executable, str(ROOT / "cli.py"), "--help"],
                                               check=True, capture_output=True), repeat=5)
    bare = best_of(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat=5)
    print("startup: duban --help")
    print(f"  duban --help {help_time:6.3f} s   bare python {bare:6.3f} s   difference {help_time - bare:6.3f} s   (goal <= 0.3 s)")
