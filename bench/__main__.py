"""Run the benchmarks: python -m bench [startup|generate|collect|cli|summary] …; python -m bench ab OTHER_CHECKOUT [N] [PAIRS]."""

import sys

from bench import ab, cli, collect, generate, startup, summary

BENCHES = {"startup": startup.main, "generate": generate.main, "collect": collect.main, "cli": cli.main,
           "summary": summary.main}

if __name__ == "__main__":
    if sys.argv[1:2] == ["ab"]:  # not part of a full run: it needs another checkout to compare with
        ab.main()
        sys.exit()
    names = [a for a in sys.argv[1:] if a in BENCHES] or list(BENCHES)
    for name in names:
        BENCHES[name]()
