"""Benchmarks: `python -m bench [--quick]` measures and writes docs/BENCHMARKS.md.

Every figure is measured here, on this machine, in one run; nothing is copied in by hand.
"""
