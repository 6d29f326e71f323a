"""Read one published initiative page (see `docs/FORMAT.md`) into an `Initiative`.

The format is regular but not strict, so the parser is a small line-oriented state machine
that knows the traps: header variants, empty sections, a lone `Evidenstest` page heading
before the first test block, answer bullets without a level prefix, `Se alle svar` button
leftovers, CRLF and tabs, and a trailing `Dokumenter`. Anything that is not such a page is
rejected with a `PageFormatError` naming the source and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.domain.models import (
    MAX_ANSWERS_PER_PAGE,
    MAX_SCORE,
    Answer,
    Initiative,
    Level,
    Section,
    Test,
)
from engine.domain.text import normalise_newlines, parse_decimal, slugify
from engine.shared.errors import PageFormatError

SECTION_HEADERS: dict[str, str] = {
    "kommunens beskrivelse af indsatsen": "Kommunens beskrivelse af indsatsen",
    "beskrivelse": "Kommunens beskrivelse af indsatsen",
    "erfaringer og resultater": "Erfaringer og resultater",
    "krav til organisering": "Krav til organisering",
    "gode råd": "Gode råd",
    "ledelsens anbefaling": "Ledelsens anbefaling",
}
SECTION_ORDER: tuple[str, ...] = tuple(dict.fromkeys(SECTION_HEADERS.values()))
TEST_LABELS: dict[str, str] = {
    "evidenstest": "Evidenstest",
    "god praksis test": "God praksis test",
    "test vedr. uddannelse": "Test vedr. uddannelse",
}
_NOISE = {"se alle svar", "se færre svar"}
_BULLET = re.compile(r"^\s*[•·▪◦]\s*(.*)$")
_LEVEL_PREFIX = re.compile(r"^(ja|delvist|nej)\s*:\s*", re.IGNORECASE)
# What a municipality's name looks like: the first line of a page, and a record's field.
MUNICIPALITY = re.compile(r"^[A-ZÆØÅ][\wÆØÅæøå .'-]{0,59}$")
_HTML = re.compile(r"<\s*(!doctype|html|head|body|div|title)\b", re.IGNORECASE)


def parse_at(page: bytes | str, source: str, expected_id: str | None = None) -> Initiative:
    """A page is a page only at its address: its id (from municipality and title) must be
    the one expected, or it is a page error like any other."""
    item = parse_bytes(page.encode("utf-8") if isinstance(page, str) else page, source)
    if expected_id is not None and item.id != expected_id:
        raise PageFormatError(source, other_id(item.id, expected_id))
    return item


def other_id(found: str, expected_id: str) -> str:
    """Why a page at an address that is not its own is refused."""
    return (
        f"siden giver id '{found}', ikke '{expected_id[:120]}'. Id'et følger af "
        "kommune og titel: ret dem, eller opret siden som en ny indsats."
    )


def parse_bytes(data: bytes, source: str) -> Initiative:
    """Decode strictly as UTF-8 first, so a wrongly encoded file is named, not mangled."""
    if b"\x00" in data:
        raise PageFormatError(source, "binær fil (indeholder NUL-bytes), ikke en tekstside")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PageFormatError(
            source,
            f"ikke gyldig UTF-8 (byte 0x{data[exc.start]:02x} ved position {exc.start}); "
            "gem siden som UTF-8 og prøv igen",
        ) from None
    return parse_page(text, source)


def parse_page(text: str, source: str) -> Initiative:
    return _Parser(text, source).parse()


def page_id(municipality: str, title: str) -> str:
    """A page's id follows from its municipality and title, never from a file name."""
    return f"{slugify(municipality, 40)}-{slugify(title, 80)}"


def infer_level(text: str) -> Level | None:
    """The answer level of a bullet without prefix follows from its quantifier."""
    low = text.lower()
    if re.search(r"færre end \d+ ud af", low) or re.search(r"\b(har|er) ikke\b", low):
        return Level.NEJ
    if re.search(r"mindst 9 ud af 10", low):
        return Level.JA
    if re.search(r"mindst \d ud af 10", low):
        return Level.DELVIST
    return None


@dataclass
class _TestDraft:
    label: str
    score: float
    line: int
    name: str = ""
    answers: list[tuple[int, str]] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = normalise_newlines(text).split("\n")
        last = self.next_content_backwards()
        if last is not None and self.text_at(last).lower() == "dokumenter":
            self.lines = self.lines[:last]  # the web page's closing 'Dokumenter' link list

    # -- helpers ---------------------------------------------------------------------------
    def fail(self, reason: str, line: int | None = None) -> PageFormatError:
        where = f"linje {line + 1}: " if line is not None else ""
        return PageFormatError(self.source, where + reason)

    def next_content(self, start: int) -> int | None:
        """Index of the next non-blank, non-noise line at or after `start`."""
        for i in range(start, len(self.lines)):
            stripped = self.lines[i].strip()
            if stripped and stripped.lower() not in _NOISE:
                return i
        return None

    def next_content_backwards(self) -> int | None:
        for i in range(len(self.lines) - 1, -1, -1):
            if self.lines[i].strip():
                return i
        return None

    def text_at(self, i: int) -> str:
        return self.lines[i].strip()

    def is_label(self, i: int | None) -> bool:
        return i is not None and self.text_at(i).lower() in TEST_LABELS

    def is_score(self, i: int | None) -> bool:
        return i is not None and parse_decimal(self.text_at(i)) is not None

    def is_test_start(self, i: int) -> bool:
        return self.is_score(i) and self.is_label(self.next_content(i + 1))

    def is_page_heading(self, i: int) -> bool:
        return self.is_label(i) and self.is_score(self.next_content(i + 1))

    def is_structural(self, i: int) -> bool:
        stripped = self.text_at(i).lower()
        return (
            stripped in SECTION_HEADERS
            or stripped in TEST_LABELS
            or self.is_score(i)
            or _BULLET.match(self.lines[i]) is not None
        )

    # -- the page --------------------------------------------------------------------------
    def parse(self) -> Initiative:
        head = "\n".join(self.lines[:40])
        if _HTML.search(head):
            raise self.fail("ligner en HTML-side (en gemt fejlside?), ikke en indsatsside")
        first = self.next_content(0)
        if first is None:
            raise self.fail("filen er tom")
        municipality = self.text_at(first)
        if self.is_structural(first) or not MUNICIPALITY.match(municipality):
            raise self.fail(
                f"ingen kommune: første linje skal være kommunens navn, men er "
                f"{municipality[:60]!r}",
                first,
            )
        i = self.next_content(first + 1)
        headline: float | None = None
        if i is not None and self.is_score(i):
            headline = self.score(i)
            i = self.next_content(i + 1)
            if i is not None and self.is_label(i):
                i = self.next_content(i + 1)
        if i is None or self.is_structural(i):
            found = "filens slutning" if i is None else repr(self.text_at(i)[:60])
            raise self.fail(
                f"ingen titel: efter kommune og score skal indsatsens titel stå, men der er "
                f"{found}",
                i,
            )
        title = self.text_at(i)
        i += 1
        groups: list[str] = []
        nxt = self.next_content(i)
        while nxt is not None and (bullet := _BULLET.match(self.lines[nxt])):
            groups.append(bullet.group(1).strip())
            i = nxt + 1
            nxt = self.next_content(i)
        sections, tests = self.body(i)
        has_header = any(
            self.text_at(j).lower() in SECTION_HEADERS for j in range(i, len(self.lines))
        )
        if not has_header and not tests:
            raise self.fail(
                "ingen afsnitsoverskrifter (fx 'Kommunens beskrivelse af indsatsen') og ingen "
                "testblokke: dette er ikke en indsatsside"
            )
        return Initiative(
            id=page_id(municipality, title),
            municipality=municipality,
            title=title,
            target_groups=tuple(groups),
            sections=tuple(sections),
            tests=tuple(tests),
            source=self.source,
            headline_score=headline,
        )

    def score(self, i: int) -> float:
        value = parse_decimal(self.text_at(i))
        assert value is not None
        if not 0.0 <= value <= MAX_SCORE:
            raise self.fail(f"scoren {self.text_at(i)} ligger uden for skalaen 0–5", i)
        return value

    def body(self, start: int) -> tuple[list[Section], list[Test]]:
        sections: list[tuple[str, list[str]]] = []
        tests: list[_TestDraft] = []
        i = start
        while i < len(self.lines):
            raw = self.lines[i]
            stripped = raw.strip()
            low = stripped.lower()
            if low in _NOISE:
                i += 1
                continue
            if stripped and self.is_test_start(i):
                label_line = self.next_content(i + 1)
                assert label_line is not None
                tests.append(
                    _TestDraft(TEST_LABELS[self.text_at(label_line).lower()], self.score(i), i)
                )
                i = label_line + 1
                continue
            if stripped and self.is_page_heading(i):
                i += 1
                continue
            if tests:
                self.test_line(tests[-1], i, raw)
            elif low in SECTION_HEADERS:
                sections.append((SECTION_HEADERS[low], []))
            elif stripped or sections:
                if not sections:
                    sections.append((SECTION_ORDER[0], []))
                sections[-1][1].append(stripped)
            i += 1
        answers = [line for t in tests for line, _ in t.answers]
        if len(answers) > MAX_ANSWERS_PER_PAGE:
            raise self.fail(
                f"siden har {len(answers)} svar i tjeklisterne; højst {MAX_ANSWERS_PER_PAGE} er "
                "tilladt (offentliggjorte sider har omkring 30). Del siden op, eller fjern svar",
                answers[MAX_ANSWERS_PER_PAGE],
            )
        return [Section(name, _paragraphs(body)) for name, body in sections], [
            self.finish_test(t) for t in tests
        ]

    def test_line(self, test: _TestDraft, i: int, raw: str) -> None:
        stripped = raw.strip()
        if not stripped:
            return
        bullet = _BULLET.match(raw)
        if bullet:
            test.answers.append((i, bullet.group(1).strip()))
        elif not test.name and not test.answers:
            test.name = stripped
        elif test.answers:
            line, text = test.answers[-1]
            test.answers[-1] = (line, f"{text} {stripped}")
        else:
            test.name = f"{test.name} {stripped}"

    def finish_test(self, draft: _TestDraft) -> Test:
        answers = []
        for line, text in draft.answers:
            match = _LEVEL_PREFIX.match(text)
            if match:
                level, inferred = Level(match.group(1).lower()), False
                text = text[match.end() :].strip()
            else:
                found = infer_level(text)
                if found is None:
                    raise self.fail(
                        f"svaret {text[:60]!r} har hverken 'Ja:', 'Delvist:' eller 'Nej:' foran, "
                        "og ordlyden afgør ikke niveauet; tilføj et af dem",
                        line,
                    )
                level, inferred = found, True
            if not text:
                raise self.fail("tomt svarpunkt", line)
            answers.append(Answer(level=level, text=text, level_inferred=inferred))
        return Test(
            label=draft.label,
            name=draft.name or draft.label,
            score=draft.score,
            answers=tuple(answers),
        )


def _paragraphs(lines: list[str]) -> str:
    """Blank lines separate paragraphs; lines inside one keep their line breaks (lists)."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)
