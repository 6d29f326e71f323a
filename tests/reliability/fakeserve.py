"""`python -m tests.reliability.fakeserve --port N [--workers N] [--no-access-log]`: the
server `indsats serve` runs (its protocol limits and log redaction), with the fake embedder
app of `fakeapp.py`, so reliability tests exercise the production defaults."""

from __future__ import annotations

import argparse

from api import server
from engine.shared.settings import Settings

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args()
    server.run(
        "tests.reliability.fakeapp:create",
        Settings(),
        port=args.port,
        workers=args.workers,
        access_log=not args.no_access_log,
        graceful_seconds=5,
    )
