"""Run the benchmarks: python -m bench [generate] …"""

import sys

from bench import collect, generate, startup, summary

BENCHES = {"startup": startup.main, "generate": generate.main, "collect": collect.main, "summary": summary.main}

if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if a in BENCHES] or list(BENCHES)
    for name in names:
        BENCHES[name]()
