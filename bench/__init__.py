"""Benchmarks: `python -m bench [name]`. Each reports times and ratios against a baseline
measured in the same run, never absolute goals asserted in tests."""
