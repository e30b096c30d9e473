"""Run the benchmarks: python -m bench [generate] …"""

import sys

from bench import generate

BENCHES = {"generate": generate.main}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHES)
    for name in names:
        BENCHES[name]()
