"""Page texts for the write tests, derived from the real seeds."""

from __future__ import annotations

from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
COACHING_SEED = SEEDS / "000_e2e46fb973fdfa75.txt"
COACHING_ID = "hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"
NEW_TITLE = "Jobrettet coaching for nyledige i Hedensted"
NEW_ID = "hedensted-jobrettet-coaching-for-nyledige-i-hedensted"


def seed_text() -> str:
    return COACHING_SEED.read_text(encoding="utf-8")


def new_page(extra: str = "") -> str:
    """A page no seed has: the coaching seed with another title (and optional extra text)."""
    text = seed_text().replace("Jobrettet coaching til afklaring af jobmuligheder", NEW_TITLE, 1)
    if extra:
        text = text.replace(
            "Erfaringer og resultater\n", f"Erfaringer og resultater\n\n{extra}\n", 1
        )
    return text
