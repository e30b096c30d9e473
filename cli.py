"""Run duban from a checkout: `python cli.py …` is the same as the installed `duban` command."""
import sys

from toolkit.cli import main

if __name__ == "__main__":
    sys.exit(main())
