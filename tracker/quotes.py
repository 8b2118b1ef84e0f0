"""Text → quotations (direct, partial, indirect) with cue and speaker-mention spans. Pure.

Contract: ``find_quotes(text) -> list[Quote]``. Every span is an offset pair into
``text`` exactly as given; ``text[q.start:q.end] == q.text``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quote:
    start: int  # content span: the quoted words, without the quote marks
    end: int
    text: str
    kind: str  # "direct" | "partial" | "indirect"
    speaker: str | None  # canonical name of the person within the article, None if unknown
    mention: str | None = None  # the speaker mention as written ("he", "the Kremlin assistant")
    mention_start: int | None = None
    mention_end: int | None = None
    cue: str | None = None  # the reporting verb ("said", "stressed", "according to")
    cue_start: int | None = None
    cue_end: int | None = None
    role: str | None = None  # role/title seen for the speaker ("Kremlin aide")
