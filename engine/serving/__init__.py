"""What requests read: one immutable snapshot of the corpus with its search and
recommendations, built beside the live one and swapped in whole.

Two layers (pyproject.toml): `snapshots` makes, loads and swaps snapshots; `state` above it
keeps what a serving engine needs around them (the marker of what is on disk, the pause
after a failed reload, the start-up that tries again, the answers of an empty corpus).
"""
