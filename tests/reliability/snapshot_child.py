"""Child process for the snapshot crash tests: one page write, SIGKILLed at step N.

    python -m tests.reliability.snapshot_child DATA_DIR KILL_AT

Opens the engine on DATA_DIR (built before, by a run with KILL_AT 0), then counts every
file-system step (as `crash_child.py` does) of one write, `add_page` of the page
`snapshot_page()`, and kills itself with SIGKILL just before step KILL_AT: while the page
file is written, while the next snapshot is built beside the live one, while `CURRENT` is
swapped, or while old versions are collected. KILL_AT 0 runs to the end and prints the
number of steps the write took as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.reliability.harness import SEEDS, page


def snapshot_page() -> tuple[str, str]:
    return page("under-bygning", extra="Skrevet, mens et øjebliksbillede blev bygget ved siden af.")


def main() -> None:
    from engine.facade.engine import Engine
    from engine.shared.settings import Settings
    from tests.fakes import FakeEmbedder
    from tests.reliability import crash_child

    data_dir, kill_at = Path(sys.argv[1]), int(sys.argv[2])
    engine = Engine.open(Settings(data_dir=data_dir, seeds_dir=SEEDS), FakeEmbedder())
    if kill_at < 0:  # only build the data directory
        print(json.dumps({"version": engine.index_version}))
        return
    crash_child.install(kill_at)
    engine.add_page(snapshot_page()[0])
    print(json.dumps({"steps": crash_child.STEPS, "version": engine.index_version}))


if __name__ == "__main__":
    main()
