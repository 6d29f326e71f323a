"""Write an `Initiative` back out as a page in the seed format (docs/FORMAT.md).

The store only ever holds pages in that one format, so a page posted as JSON goes through
the same parser as every other page and a restart reads it exactly like a seed.
"""

from __future__ import annotations

from engine.models import Initiative


def format_score(score: float) -> str:
    """Danish decimal comma, one decimal, as on the published pages (`2,2`)."""
    return f"{score:.1f}".replace(".", ",")


def render_page(item: Initiative) -> str:
    headline = item.headline_score if item.headline_score is not None else item.evidence_score
    lines: list[str] = [item.municipality.strip(), ""]
    if headline is not None:
        lines += [format_score(headline), "Evidenstest", ""]
    lines += [item.title.strip(), ""]
    lines += [f" • {group.strip()}" for group in item.target_groups]
    if item.target_groups:
        lines.append("")
    for section in item.sections:
        lines += [section.name.strip(), ""]
        if section.text.strip():
            lines += [section.text.strip(), ""]
    for test in item.tests:
        lines += [format_score(test.score), test.label.strip(), "", test.name.strip(), ""]
        lines += [f" • {a.level.label}: {a.text.strip()}" for a in test.answers]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
