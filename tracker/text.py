"""Shared text helpers: paragraph and sentence bounds, quote-mark pairing, ``normalise()``. Pure.

Contract:

* ``paragraph_spans(text)`` and ``sentence_spans(text)`` return ``(start, end)`` offset pairs into
  ``text`` exactly as given, trimmed of surrounding whitespace, in order and never overlapping.
* ``pair_quote_marks(text)`` returns the quotations delimited by quote marks (double marks,
  guillemets and, outside those, single marks) and human-readable warnings for marks it could not
  pair. It never raises: a stray or unclosed mark costs at most that quotation.
* ``normalise(s)`` is for matching only (lowercase, straight quotes, collapsed spaces); offsets
  are never taken from its output.

Everything here is linear in the length of the text: no regex that can backtrack on long runs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# ---------------------------------------------------------------------------------------------
# normalise


_QUOTE_TRANSLATION = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2039": "'",
        "\u203a": "'",
        "\u00a0": " ",
    }
)
_SPACES = re.compile(r"\s+")


def normalise(s: str) -> str:
    """Lowercase, straighten quote marks and collapse whitespace: a key for matching, not for spans."""
    return _SPACES.sub(" ", s.translate(_QUOTE_TRANSLATION)).strip().lower()


# ---------------------------------------------------------------------------------------------
# paragraphs and sentences

# A blank line (possibly holding spaces) separates paragraphs. Texts without any blank line but
# with newlines (wire copy pasted one paragraph a line) use single newlines instead.
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NEWLINE = re.compile(r"\n\s*")

# Sentence ends: terminal punctuation, any closing quote or bracket, then whitespace. Whether the
# next character starts a sentence and whether the word before is an abbreviation is decided in
# code, so the pattern itself cannot backtrack.
_SENTENCE_END = re.compile(
    r"""
    (?P<stop>[.!?\u2026]+)              # terminal punctuation, possibly repeated ("?!", "...")
    (?P<close>["'\u201d\u2019\u201c\u00bb)\]]*)   # closers, incl. a mis-typed left curly mark
    (?P<space>\s+)
    """,
    re.VERBOSE,
)

# Lowercased words that end in a period without ending a sentence (news-style abbreviations).
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof st jr sr gen col lt sgt capt cmdr adm gov sen rep rev fr no nos vs etc
    inc corp ltd co bros dept est approx jan feb mar apr jun jul aug sep sept oct nov dec
    u.s u.k u.n e.u a.m p.m i.e e.g mt ft ave blvd hon pres messrs mme mlle det insp supt
    """.split()
)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs as trimmed ``(start, end)`` spans, split at blank lines (or newlines if none)."""
    return list(_paragraph_spans_cached(text))


@lru_cache(maxsize=4)
def _paragraph_spans_cached(text: str) -> tuple[tuple[int, int], ...]:
    blank = _BLANK_LINE.search(text) is not None
    splitter = _BLANK_LINE if blank else _NEWLINE
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in splitter.finditer(text):
        _add_paragraph(text, pos, m.start(), spans, blank)
        pos = m.end()
    _add_paragraph(text, pos, len(text), spans, blank)
    return tuple(spans)


# A first line this short without terminal punctuation, followed by a single newline, is a
# headline even when the body below is separated by blank lines (copy pasted from a web page).
_MAX_HEADLINE = 150
_LINE_ENDS = ".!?\u2026,;:\u2014\u2013-"


def _add_paragraph(text: str, start: int, end: int, spans: list[tuple[int, int]], blank: bool) -> None:
    """Append the trimmed paragraph ``text[start:end]``; in blank-line copy, a single newline
    still ends a headline (the first line, when the paragraph has just one more line), an
    all-caps kicker ("WORLD NEWS") or the line before a wire dateline, which always opens a
    paragraph."""
    span = _trimmed(text, start, end)
    if not span:
        return
    start, end = span
    if blank:
        nl = text.find("\n", start, end)
        while nl != -1:
            line = _trimmed(text, start, nl)
            nxt = nl + 1
            while nxt < end and text[nxt].isspace():
                nxt += 1
            # hard-wrapped copy has more lines after the first: no headline there
            first = not spans and text.find("\n", nxt, end) == -1
            if line and _line_ends_paragraph(text, line[0], line[1], nxt, first):
                spans.append(line)
                start = nxt
            nl = text.find("\n", nl + 1, end)
    span = _trimmed(text, start, end)
    if span:
        spans.append(span)


def _line_ends_paragraph(text: str, a: int, b: int, nxt: int, first: bool) -> bool:
    if nxt >= len(text) or not _starts_sentence(text[nxt]):
        return False
    if dateline_end(text, nxt) > nxt:
        return True
    line = text[a:b]
    if line.isupper() and b - a <= 60:
        return True  # a kicker: "EXCLUSIVE", "UKRAINE CRISIS"
    if not first or b - a > _MAX_HEADLINE:
        return False
    last = text[b - 2] if text[b - 1] in "'\"\u2019\u201d" and b - a > 1 else text[b - 1]
    return last not in _LINE_ENDS  # "Putin says ties with China 'at their best'"


def _is_abbreviation(text: str, stop_at: int, para_start: int) -> bool:
    """True when the word ending at ``stop_at`` (the period) is an abbreviation or an initial."""
    i = stop_at
    while i > para_start and not text[i - 1].isspace() and text[i - 1] not in '("“‘«':
        i -= 1
    word = text[i:stop_at].lower()
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    # Initials: "A.", "A.Yu.", "J.R.R." — a single letter before the final period.
    last = word.rsplit(".", 1)[-1]
    return len(last) <= 2 and last[:1].isalpha() and last[:1].upper() == text[stop_at - len(last)]


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in "\"“‘«„'([—–-•◾▪●*"


@lru_cache(maxsize=4)
def _sentence_spans_cached(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        pos = p_start
        for m in _SENTENCE_END.finditer(text, p_start, p_end):
            nxt = m.end()
            if nxt >= p_end:
                break
            if not _starts_sentence(text[nxt]):
                continue
            if m.group("stop") == "." and not m.group("close") and _is_abbreviation(text, m.start(), pos):
                continue
            span = _trimmed(text, pos, m.start("space"))
            if span:
                spans.append(span)
            pos = m.end()
        span = _trimmed(text, pos, p_end)
        if span:
            spans.append(span)
    return tuple(spans)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences as trimmed ``(start, end)`` spans; a paragraph break always ends a sentence.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus any closing quote or bracket) followed by
    whitespace and a character that can start a sentence, unless the word is a known abbreviation
    ("Mr.", "U.S.") or an initial ("A.Yu."). The end offset includes the terminal punctuation.
    """
    return list(_sentence_spans_cached(text))


def sentence_bounds(text: str, start: int, end: int, body_start: int = 0) -> tuple[int, int]:
    """Offsets of the sentence(s) holding ``text[start:end]``, never reaching into the
    date line before ``body_start`` (it is blanked, so offsets stay those of ``text``)."""
    masked = text if body_start <= 0 else " " * body_start + text[body_start:]
    spans = sentence_spans(masked)
    i, j = span_index(spans, start), span_index(spans, max(end - 1, start))
    lo = spans[i][0] if i >= 0 else body_start
    hi = spans[j][1] if j >= 0 else len(text)
    return min(lo, start), max(hi, end)


def span_index(spans: list[tuple[int, int]], pos: int) -> int:
    """Index of the span containing ``pos`` (or the last span starting before it; -1 if none)."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][0] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


# ---------------------------------------------------------------------------------------------
# datelines and bylines

# Wire datelines opening a paragraph: "WASHINGTON (Reuters) - ", "MOSCOW, March 3 (Reuters) - ",
# "BEIJING, Oct 2 (Xinhua) -- ", "KYIV, Ukraine (AP) — ", "LONDON — ", and the colon of South
# Asian and Gulf papers ("NEW DELHI: "), and TASS's "MOSCOW, January 15. /TASS/. ". An
# all-capitals place, optional region and date, optional agency in brackets, then a dash,
# a colon or the agency between slashes. Every part is bounded, so a match
# costs at most a few hundred steps wherever it is tried.
_DATELINE = re.compile(
    r"""
    [A-Z][A-Z.'\-]{1,25}(?:[ ][A-Z][A-Z.'\-]{1,25}){0,3}          # WASHINGTON, NEW YORK
    (?:,[ ][A-Z][A-Za-z.]{1,20}(?:[ ][A-Z][A-Za-z.]{1,20})?)?      # , Ukraine / , Calif.
    (?:,?[ ][A-Z][a-z]{2,8}\.?[ ]\d{1,2})?                          # , March 3 / Oct 2
    (?:[ ]?\([A-Z][^()\n]{0,40}\))?                                # (Reuters)
    (?:[ ]*(?:-{1,2}|\u2014|\u2013|:)[ ]+|\.[ ]/[A-Za-z-]{2,12}/\.?[ ]+)   # - / : / ". /TASS/. "
    """,
    re.VERBOSE,
)
# "By John Smith", "By Jane Doe and Li Wei", "By John Smith, Reuters": a byline paragraph.
_BYLINE = re.compile(r"By[ ][A-Z][\w.'\-]{0,30}(?:[ ,]{1,2}(?:and[ ])?[A-Z][\w.'\-]{0,30}){0,7}[ ]*$")


def dateline_end(text: str, start: int) -> int:
    """End of a wire dateline opening the paragraph at ``start`` (``start`` itself if none).

    A colon after capitals is a dateline ("NEW DELHI: …") unless the capitals are a label:
    "READ MORE:", "UPDATE:", "NOTE:" (rules/transcript_labels.txt, the labels that name no one)."""
    m = _DATELINE.match(text, start)
    if m is None:
        return start
    head = text[start : m.end()].rstrip()
    if head.endswith(":") and " ".join(head[:-1].lower().split()) in _labels_not_places():
        return start
    return m.end()


@lru_cache(maxsize=1)
def _labels_not_places() -> frozenset[str]:
    from tracker.rules import lines

    return frozenset(ln.strip().lower() for ln in lines("transcript_labels.txt") if "=" not in ln)


def is_byline(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` (a paragraph) is a byline ("By John Smith")."""
    return end - start <= 160 and _BYLINE.match(text[start:end]) is not None


# ---------------------------------------------------------------------------------------------
# quote-mark pairing


@dataclass(frozen=True)
class MarkPair:
    """A quotation delimited by marks. ``start``/``end`` is the content, marks excluded.

    ``close`` is None when the opening mark never closed (the content then ends with its sentence).
    ``level`` is 1 for double marks and guillemets, 2 for single marks found outside them.
    """

    open: int
    close: int | None
    start: int
    end: int
    level: int


_DOUBLE_OPENERS = "\u201c\u201e\u201f"  # “ „ ‟
_DOUBLE_CLOSERS = "\u201d"  # ”
_GUILLEMETS = "\u00ab\u00bb"  # « »
_DOUBLE_MARKS = re.compile('["\u201c\u201d\u201e\u201f\u00ab\u00bb]')
_SINGLE_MARKS = re.compile("['\u2018\u2019\u2039\u203a]")
_CLOSING_PUNCT = ",.;:!?)]}\u2026"
_OPENING_CONTEXT = "([{:\u2014\u2013-/"  # characters after which a mark opens even without a space

# Given text and the offset just after a mark that looks like an opener, True when what follows
# is a speech tag ("he said", "stressed the assistant"), i.e. the mark was a mistyped closer.
TagCheck = Callable[[str, int], bool]


def _line_col(text: str, pos: int) -> str:
    context = text[max(0, pos - 25) : pos + 25].replace("\n", " ")
    return f"offset {pos}: …{context}…"


class _Pairer:
    """One left-to-right pass over the double marks; paragraphs bound every quotation."""

    def __init__(self, text: str, is_tag: TagCheck | None) -> None:
        self.text = text
        self.is_tag = is_tag
        self.paras = paragraph_spans(text)
        self.sentences = sentence_spans(text)
        self.pairs: list[MarkPair] = []
        self.warnings: list[str] = []
        self.open_at: int | None = None
        self.open_guillemet = False
        self.para = -1  # paragraph index of the current open quotation

    def _prev(self, i: int) -> str:
        return self.text[i - 1] if i > 0 else " "

    def _next(self, i: int) -> str:
        return self.text[i + 1] if i + 1 < len(self.text) else " "

    def _can_open(self, i: int) -> bool:
        nxt = self._next(i)
        if nxt.isspace():
            # "“ Hello" (copied text with a space after the mark) still opens when the mark
            # stands alone and a word follows.
            j = i + 1
            n = len(self.text)
            while j < n and self.text[j] in " \t":
                j += 1
            return self._prev(i).isspace() and j < n and self.text[j].isalnum()
        return nxt not in _CLOSING_PUNCT and nxt not in '"\u201d\u00bb'

    def _glued_before(self, i: int) -> bool:
        prev = self._prev(i)
        return not prev.isspace() and prev not in _OPENING_CONTEXT and prev not in '"“‘«„'

    def _close_unclosed(self, reason: str, limit: int | None = None) -> None:
        """End an open quotation at its sentence end (never past ``limit``, the next mark)."""
        assert self.open_at is not None
        o = self.open_at
        p_end = self.paras[self.para][1] if self.para >= 0 else len(self.text)
        if limit is not None:
            p_end = min(p_end, limit)
        s = span_index(self.sentences, o)
        end = self.sentences[s][1] if s >= 0 and self.sentences[s][1] > o + 1 else p_end
        end = min(end, p_end)
        # A sentence that is itself "“A. “B" would give an empty quote: keep at least the words.
        start = o + 1
        span = _trimmed(self.text, start, end)
        if span:
            self.pairs.append(MarkPair(o, None, span[0], span[1], 1))
        self.warnings.append(f"unclosed quote mark at {_line_col(self.text, o)}; {reason}")
        self.open_at = None

    def _open(self, i: int, para: int) -> None:
        self.open_at = i
        self.open_guillemet = self.text[i] in _GUILLEMETS
        self.para = para

    def _close(self, i: int) -> None:
        assert self.open_at is not None
        span = _trimmed(self.text, self.open_at + 1, i)
        if span:
            self.pairs.append(MarkPair(self.open_at, i, span[0], span[1], 1))
        self.open_at = None

    def run(self) -> tuple[list[MarkPair], list[str]]:
        text = self.text
        paras = self.paras
        for m in _DOUBLE_MARKS.finditer(text):
            i = m.start()
            ch = text[i]
            para = span_index(paras, i)
            if self.open_at is not None and para != self.para:
                self._cross_paragraphs(i, para)
                if self.open_at is not None and para == self.para and i == paras[para][0]:
                    continue  # the mark re-opening a continued quotation
            if self.open_at is None:
                self._when_closed(i, ch, para)
            else:
                self._when_open(i, ch, para)
        if self.open_at is not None:
            self._close_unclosed("the quotation ends with its sentence")
        self.pairs.sort(key=lambda p: p.open)
        return self.pairs, self.warnings

    def _cross_paragraphs(self, i: int, para: int) -> None:
        """An open quotation reaches the end of its paragraph before the mark at ``i``."""
        text = self.text
        while self.open_at is not None and self.para < para:
            nxt = self.para + 1
            first = self.paras[nxt][0]
            # News convention: a quotation running over paragraphs leaves each paragraph open
            # and re-opens the next one with a mark.
            if first == i and text[i] in '"\u201c\u201e\u00ab' and self._can_open(i):
                self.para = nxt
                if nxt == para:
                    return
                continue
            self._close_unclosed("the quotation ends with its sentence")

    def _when_closed(self, i: int, ch: str, para: int) -> None:
        if ch == "\u00bb" or ch in _DOUBLE_CLOSERS:
            # A right mark used as an opener ("”Hello,” he said") — only when it clearly opens.
            if not self._glued_before(i) and self._can_open(i):
                self._open(i, para)
            else:
                self.warnings.append(f"stray closing quote mark at {_line_col(self.text, i)}")
            return
        if self._can_open(i):
            self._open(i, para)
        else:
            self.warnings.append(f"stray quote mark at {_line_col(self.text, i)}")

    def _when_open(self, i: int, ch: str, para: int) -> None:
        if self.open_guillemet != (ch in _GUILLEMETS):
            return  # “…” nested inside «…» (or the reverse) belongs to the outer quotation
        if ch == "\u00bb" or ch in _DOUBLE_CLOSERS:
            self._close(i)
            return
        if ch == "\u00ab":
            # «…«…»…» nesting is rare; treat a second « as the start of a new quotation.
            self._close_unclosed("a new quotation opens before it closes", limit=i)
            self._open(i, para)
            return
        # A straight mark or a left curly mark while a quotation is open.
        if not self._can_open(i) or self._glued_before(i):
            self._close(i)
            return
        # Looks like an opener. Copied text often closes with a left mark: "useful, “he said".
        j = i - 1
        while j >= 0 and self.text[j] in " \t":
            j -= 1
        after_punct = j >= 0 and self.text[j] in ",.!?\u2026\u2014\u2013-;"
        if after_punct and self.is_tag is not None and self.is_tag(self.text, i + 1):
            self._close(i)
            return
        self._close_unclosed("a new quotation opens before it closes", limit=i)
        self._open(i, para)


def _pair_singles(text: str, taken: list[MarkPair]) -> list[MarkPair]:
    """Single-mark quotations (‘…’, '…', ‹…›) outside any double-mark quotation.

    Apostrophes share these glyphs, so a single mark opens only at the start of a word and closes
    only at the end of one ("don’t" and "Biden’s" are never closers), within one paragraph, or
    over paragraphs when each re-opens with a mark and the quotation opens with a capital.
    """
    out: list[MarkPair] = []
    blocked = [(p.open, (p.close if p.close is not None else p.end)) for p in taken]
    paras = paragraph_spans(text)
    n = len(text)
    open_at: int | None = None
    open_para = -1
    b = 0
    for m in _SINGLE_MARKS.finditer(text):
        i = m.start()
        while b < len(blocked) and blocked[b][1] < i:
            b += 1
        if b < len(blocked) and blocked[b][0] <= i <= blocked[b][1]:
            continue
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i + 1 < n else " "
        para = span_index(paras, i)
        ch = text[i]
        opens = ch in "'\u2018\u2039" and (prev.isspace() or prev in _OPENING_CONTEXT) and nxt.isalnum()
        if open_at is not None and para != open_para:
            if opens and para == open_para + 1 and i == paras[para][0] and text[open_at + 1].isupper():
                # a quotation running over paragraphs re-opens each one with a mark, as with
                # double marks ("'I know this has been hard.\n\n'But we have done …,' she said")
                open_para = para
                continue
            open_at = None
        closes = (
            ch in "'\u2019\u203a"
            and not prev.isspace()
            and not nxt.isalnum()
            and (nxt.isspace() or nxt in _CLOSING_PUNCT or i + 1 == n)
        )
        if open_at is not None and closes:
            content = text[open_at + 1 : i]
            # Straight single marks are mostly apostrophes: demand a phrase, not a word.
            if text[open_at] != "'" or " " in content:
                span = _trimmed(text, open_at + 1, i)
                if span:
                    out.append(MarkPair(open_at, i, span[0], span[1], 2))
            open_at = None
        elif opens and open_at is None:
            open_at, open_para = i, para
    return out


def pair_quote_marks(text: str, is_tag: TagCheck | None = None) -> tuple[list[MarkPair], list[str]]:
    """Pair quote marks into quotations, tolerating the broken typography of copied text.

    Double marks (", “ ”, „, «») are paired first, per paragraph, with the convention that a
    quotation running over paragraphs re-opens each paragraph with a mark. A left mark used as a
    closer (``useful, “he said``) is recognised by context, with ``is_tag`` confirming a speech tag
    when the context alone is ambiguous. An opening mark that never closes ends at the end of its
    sentence; every mark that could not be paired produces one warning. Single marks are paired
    afterwards, outside the double-mark quotations. Result is sorted by the opening mark.
    """
    pairs, warnings = _Pairer(text, is_tag).run()
    singles = _pair_singles(text, pairs)
    if singles:
        pairs = sorted(_unnested(text, pairs, singles) + singles, key=lambda p: p.open)
    return pairs, warnings


def _unnested(text: str, doubles: list[MarkPair], singles: list[MarkPair]) -> list[MarkPair]:
    """``doubles`` without those inside a single-mark quotation that opens a sentence with a
    capital ('When he told me "it's finished", I didn't believe him,' said Hale): British copy
    nests double marks inside single ones, and the inner words belong to the outer quotation.
    A single pair opening on a digit or lowercase ('90s … fans') is more likely apostrophes."""
    outer = [(p.open, p.close) for p in singles if p.close is not None and text[p.start].isupper()]
    if not outer:
        return doubles
    opens = [a for a, _ in outer]  # single pairs never overlap: the one opening last before counts
    out = []
    for d in doubles:
        k = bisect.bisect_left(opens, d.open) - 1
        if k < 0 or outer[k][1] < (d.close if d.close is not None else d.end):
            out.append(d)
    return out
