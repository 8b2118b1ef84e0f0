"""Text → quotations (direct, partial, indirect) with cue and speaker-mention spans. Pure.

Contract: ``find_quotes(text) -> list[Quote]`` sorted by start. Every span is an offset pair into
``text`` exactly as given; ``text[q.start:q.end] == q.text``, and the same holds for the mention
(``mention_start:mention_end``) and cue (``cue_start:cue_end``) sub-spans. ``speaker`` is the
canonical name of the person (or organisation) within the article, or None when the article does
not support one — the mention as written is kept either way. ``find_quotes_with_warnings(text)``
also returns one human-readable warning per quote mark that could not be paired; a stray mark
costs at most its own quotation.

Kinds:
* direct — a quotation in marks standing as a sentence or after a speech tag / colon;
* partial — a quoted fragment inside a reported sentence (``relations are developing “with
  dynamism”``). One- or two-word fragments (scare quotes: the “pressing” priority) count only
  when a reporting verb with a subject comes before them in the same sentence; quoted titles
  (the film “Oppenheimer”), names written in title case (the “Power of Siberia 2” pipeline)
  and terms (what Moscow calls a “special military operation”) never count;
* indirect — reported speech without marks: ``X said (that) CLAUSE``, ``CLAUSE, X said``,
  ``according to X``. The span is the reported clause, without "that" or the final period.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from tracker.resolve import (
    _PARTICLES,
    OBJECT_PRONOUNS,
    SUBORDINATORS,
    Mention,
    Resolver,
    Token,
    _rules,
    dotted,
    hidden_spans,
    mention_after,
    mention_before,
    tokenize,
    verb_at,
)
from tracker.text import MarkPair, pair_quote_marks, span_index


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
    closed: bool = True  # False when the opening mark never closed (see the warnings)


# Verbs after which the reported clause may follow without "that" ("He said military ties …").
_BARE_CLAUSE_VERBS = frozenset(
    """said says say added adds noted notes stressed stresses warned warns argued argues insisted
    insists claimed believes believed thinks thought considers considered predicted predicts
    explained explains suggested suggests acknowledged admitted conceded agreed recalled wrote
    writes reiterated emphasised emphasized underlined confirmed estimated""".split()
)
# Words before a quoted fragment that make it a title or a name, not a quotation.
_TITLE_CUES = frozenset(
    """book film movie novel song album show series documentary play musical opera poem painting
    exhibition magazine newspaper column headline slogan hashtag campaign programme program
    operation exercise titled entitled called named dubbed nicknamed so-called term word phrase
    label brand motto banner sign placard""".split()
)
_CLAUSE_STARTERS_NOT = frozenset("of in on at to for with by from about into over than as".split())
# An indirect clause mostly made of a quotation still counts when it has this many words of
# its own outside the marks, pronouns not counted ("told the Bundestag the government “will
# not raise taxes”" does; "said he “will not resign”" stays the partial quotation alone).
_MIN_OWN_WORDS = 2
# Characters looked at before a quotation for its tag (keeps 1 MB single lines linear).
_WINDOW = 400
# Tokens of a sentence searched for an indirect-speech verb (news sentences are shorter).
_MAX_CLAUSE_TOKENS = 80
# A quote with no cue continues the latest speaker when it spoke within this many paragraphs.
CONTINUATION_PARAGRAPHS = 2


@dataclass
class _Cand:
    start: int
    end: int
    kind: str
    mention: Mention | None = None
    cue: tuple[int, int] | None = None
    closed: bool = True
    anchor: int = 0
    continuation: bool = False
    speaker: str | None = None
    role: str | None = None
    # a name and verb after the quotation that open the next sentence ("“…” Senator Jim
    # Calder said he would …"): the speaker when the quotation continues nobody known
    next_tag: tuple[Mention, tuple[int, int]] | None = None


# ---------------------------------------------------------------------------------------------
# speech tags


def _is_tag(text: str, pos: int) -> bool:
    """True when a speech tag starts at ``pos`` ("he said", "stressed the Kremlin assistant")."""
    toks = tokenize(text, pos, min(len(text), pos + 120))
    if not toks:
        return False
    k = 0
    while k < len(toks) and toks[k].text in ",\u2014\u2013-":
        k += 1
    if k >= len(toks):
        return False
    if verb_at(toks, k) and toks[k].text.islower():
        return True
    return _tag_mention_verb(text, toks, k) is not None


def _tag_mention_verb(text: str, toks: list[Token], k: int) -> tuple[Mention, int, int] | None:
    """``MENTION VERB`` starting at token ``k``: (mention, verb index, verb length)."""
    links = _link_words()
    linked = False  # past a link ("sources familiar with the talks"): lowercase words continue
    for v in range(k + 1, min(len(toks), k + 26)):
        n = verb_at(toks, v)
        if n:
            m = mention_before(text, toks, v, floor=k)
            if m is not None and m.start == toks[k].start:
                return m, v, n
            return None
        if toks[v].text == "." and dotted(toks[v - 1]):
            continue  # "Dr. Amina Yusuf", "John F. Kennedy", "Martin Luther King Jr."
        if toks[v].text in '.;!?"\u201c\u201d':
            return None
        if toks[v].is_word and (toks[v].low in _np_words() or toks[v].low in _PARTICLES):
            continue  # "the prime minister, Keir Starmer, said", "a senior EU official said"
        if toks[v].is_word and (linked or toks[v].low in links) and toks[v].low not in _CLAUSE_OPENERS:
            linked = True  # "one of the sources said", "an official at the ministry said"
            continue
        if toks[v].is_word and toks[v].text.islower() and v - k > 1 and toks[v - 1].text != ",":
            # a lowercase word that is not a verb ends a short mention, unless inside an appositive
            if not _in_appositive(toks, k, v):
                return None
    return None


# Lowercase words, and "According" opening a sentence: enough to see whether any cue is present.
_LOWER_WORDS = re.compile(r"According|[a-z]+")


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    """First words of every reporting verb, plus "according"."""
    return _rules().verbish | {"according", "According"}


@lru_cache(maxsize=1)
def _link_words() -> frozenset[str]:
    """Words of the links between a speaker's head and a phrase after it ("familiar with")."""
    return frozenset(w for link in _rules().links for w in link)


# Words that open a clause: past them, a run of lowercase words is no longer a speaker's phrase.
_CLAUSE_OPENERS = frozenset("that who which whose whom where when while because if and but".split())


@lru_cache(maxsize=1)
def _np_words() -> frozenset[str]:
    """Lowercase words that can sit inside a speaker's noun phrase (roles, titles, modifiers)."""
    from tracker.resolve import _ADJ_OK

    r = _rules()
    return r.roles | r.titles | r.modifiers | r.org_words | _ADJ_OK


def _in_appositive(toks: list[Token], k: int, v: int) -> bool:
    return any(t.text == "," for t in toks[k:v])


def _verb_first(toks: list[Token]) -> tuple[int, int]:
    """(index, length) of a lowercase reporting verb opening a tag after a closing mark
    ("…,” said X", "…” — said X"), past commas and dashes; length 0 when none opens it."""
    k = 0
    while k < len(toks) and toks[k].text in ",\u2014\u2013-":
        k += 1
    if k >= len(toks) or not toks[k].text.islower():
        return k, 0
    return k, verb_at(toks, k)


def _after_tag(text: str, toks: list[Token]) -> tuple[Mention, tuple[int, int]] | None:
    """Speech tag right after a closing mark: ``, X said`` / ``said X`` / ``according to X``."""
    k, n = _verb_first(toks)
    if k >= len(toks):
        return None
    if n:
        m = mention_after(text, toks, k + n)
        if m is not None:
            return m, (toks[k].start, toks[k + n - 1].end)
        return None
    if toks[k].low == "according" and k + 1 < len(toks) and toks[k + 1].low == "to":
        m = mention_after(text, toks, k + 2)
        if m is not None:
            return m, (toks[k].start, toks[k + 1].end)
        return None
    found = _tag_mention_verb(text, toks, k)
    if found is not None:
        m, v, n = found
        return m, (toks[v].start, toks[v + n - 1].end)
    return None


def _unparsed_tag(toks: list[Token]) -> tuple[int, int] | None:
    """The cue of a tag right after a closing mark whose speaker could not be read ("“…,” said
    @vitalik on X", "“…,” said one"): the quotation has a speaker of its own, unknown, and
    must not continue the previous one."""
    k, n = _verb_first(toks)
    return (toks[k].start, toks[k + n - 1].end) if n else None


def _headline_label(text: str, p: MarkPair) -> bool:
    """A short quotation opening a headline before a colon ("‘Unacceptable’: outrage as …",
    "“We will not be bullied”: mayor hits back"): a label, not a quotation with a speaker. A
    quoted sentence ("“We lost.”: …") keeps its final punctuation and is not one."""
    words = text[p.start : p.end].split()
    return len(words) <= _MAX_NAME_WORDS and text[p.end - 1] not in ".,;!?\u2026"


def _opens_clause_after(toks: list[Token], tag: tuple[Mention, tuple[int, int]]) -> bool:
    """True when a reported clause follows the tag found after a quotation ("Officials later
    said the talks would resume"): after a quotation closed by a full stop, that is the next
    sentence's reporting verb, not the quotation's tag ("“It is over.” Smith said on Monday."
    still is one)."""
    m, cue = tag
    end = max(cue[1], m.end)
    k = next((i for i, t in enumerate(toks) if t.start >= end), len(toks))
    k = _past_time(toks, k)
    if k < len(toks) and toks[k - 1].low in _RECIPIENT_VERBS:
        j = _after_recipient(toks, k)  # "Smith told reporters." is a tag; "… told reporters the …" not
        if j is None:
            return False
        k = j
    if k >= len(toks) or not toks[k].is_word:
        return False
    return toks[k].low == "that" or (toks[k].low not in _CLAUSE_STARTERS_NOT and _reads_as_clause(toks, k))


def _before_tag(text: str, toks: list[Token]) -> tuple[Mention | None, tuple[int, int] | None, str]:
    """Speech tag before an opening mark. Returns (mention, cue span, how) with how one of
    "colon", "comma", "verb", "that" or "" (no tag; the quotation is mid-sentence or opens it)."""
    if not toks:
        return None, None, ""
    last = toks[-1]
    end = len(toks) - (1 if last.text in ":,\u2014\u2013" else 0)
    how = {":": "colon", ",": "comma"}.get(last.text, "verb")
    if last.text in "\u2014\u2013":
        how = "comma"
    # nearest reporting verb before the mark
    for v in range(end - 1, max(-1, end - 14), -1):
        n = verb_at(toks, v)
        if not n:
            continue
        cue = (toks[v].start, toks[v + n - 1].end)
        tail = toks[v + n : end]
        m = mention_before(text, toks, v)
        if m is not None and toks[v].low in _CALLING and _what_subject(toks, m) and tail:
            continue  # "described what Kyiv calls “…” as “…”": the tag is the verb before
        if m is None and tail:
            m = mention_after(text, toks, v + n)
        if tail and tail[-1].low == "that" or any(t.low == "that" for t in tail[:1]):
            return m, cue, "that"
        if tail and m is not None and m.end < tail[0].start and how == "verb":
            how = "mid"  # "said in a letter to “…”": a fragment, not a direct quote
        return m, cue, how
    if how == "colon" and end <= 8:
        # "Xi Jinping:“…”", "Quote from Putin: “…”"
        from tracker.resolve import _make_mention, _phrase_tokens

        lo, hi = _phrase_tokens(toks, 0, end)
        m = _make_mention(text, toks, lo, hi)
        if m is not None and m.kind in ("name", "descriptor"):
            return m, None, "colon"
        return None, None, "colon"
    return None, None, "" if end == len(toks) else how


# Verbs of naming: "Macron called the attack “an act of pure barbarism”" quotes the subject's
# words when something stands between the verb and the mark ("a film called “Heat”" does not).
_CALLING = frozenset("called calls described describes branded brands labelled labeled dubbed termed".split())


# Small words a title-case name keeps lowercase ("Power of Siberia", "Belt and Road").
_NAME_JOINERS = frozenset("of the and for in on to a an at by with de la von van der".split())
# A quoted name is short; a longer title-case fragment is more likely a headline-style quote.
_MAX_NAME_WORDS = 6
# "what X calls a “…”" names a term of X's, not X's speech, up to this many words.
_MAX_TERM_WORDS = 3


def _is_name(words: list[str]) -> bool:
    """True for a quoted fragment written as a name: every word capitalised but small joiners,
    nothing a sentence ends with ("Power of Siberia 2", "Belt and Road", "Dune")."""
    if not words or len(words) > _MAX_NAME_WORDS or words[-1][-1:] in ".!?,;:\u2026":
        return False
    caps = 0
    for i, w in enumerate(words):
        core = w.strip("()\"'\u2018\u2019")
        if not core:
            return False
        if core[0].isupper():
            caps += 1
        elif core[0].isdigit() and i > 0:
            continue
        elif i == 0 or core.lower() not in _NAME_JOINERS:
            return False
    return caps > 0


def _names_a_term(before: list[Token], mention: Mention | None, cue: tuple[int, int] | None) -> bool:
    """``what X calls (a) “…”``: a naming verb whose object is "what" before its subject."""
    if cue is None or mention is None:
        return False
    i = next((k for k, t in enumerate(before) if t.start == cue[0]), None)
    if i is None or before[i].low not in _CALLING and before[i].low not in ("terms", "termed"):
        return False
    if any(t.low not in ("a", "an", "the", "its", "their", "his", "her") for t in before[i + 1 :]):
        return False  # "described what Kyiv calls “…” as “…”": the later mark is not the term
    return _what_subject(before, mention)


def _what_subject(toks: list[Token], mention: Mention) -> bool:
    """True when ``mention`` is the subject of a "what X calls" relative clause."""
    j = next((k for k, t in enumerate(toks) if t.start == mention.start), None)
    return j is not None and j > 0 and toks[j - 1].low == "what"


def _calling(text: str, toks: list[Token]) -> tuple[Mention, tuple[int, int]] | None:
    """``X called Y “…”`` / ``X described Y as “…”`` with a subject mention for X."""
    for v in range(len(toks) - 2, 0, -1):
        if toks[v].low in _CALLING and toks[v].text.islower():
            m = mention_before(text, toks, v)
            if m is not None and _what_subject(toks, m):
                continue  # "described what Kyiv calls “…” as “…”": a term of Kyiv's, the tag is before
            if m is not None and m.kind in ("name", "pronoun", "descriptor", "group"):
                return m, (toks[v].start, toks[v].end)  # "Unions called the offer “…”" too
            return None
    return None


# Participial openers ("Speaking to reporters …, X said:", "Asked whether …, X said"): a
# circumstance of the speech, never the reported clause.
_OPENER_PARTICIPLES = frozenset(
    "asked pressed questioned quizzed challenged interviewed invited told".split()
)


def _is_opener(tok: Token) -> bool:
    """A sentence opening with a participle: "Speaking …", "Writing in …", "Asked whether …"."""
    return tok.is_cap and tok.is_word and (tok.low.endswith("ing") or tok.low in _OPENER_PARTICIPLES)


def _sentence_subject(text: str, toks: list[Token]) -> Mention | None:
    """The subject opening a sentence, the speaker of a later "…, adding: “…”" / "saying".

    The first lowercase word that is not part of a noun phrase must follow a mention that starts
    the sentence ("Labour leader Keir Starmer accused him of …"); anything else gives None.
    """
    np = _np_words()
    for v in range(1, min(len(toks), 26)):
        t = toks[v]
        if t.text == "," or not t.is_word:
            return None  # an appositive or a clause: not the simple subject this looks for
        if t.is_cap or t.low in np or t.low in _PARTICLES or t.text == "." and v > 0 and dotted(toks[v - 1]):
            continue
        m = mention_before(text, toks, v)
        if m is not None and m.start == toks[0].start and m.kind in ("name", "pronoun", "descriptor"):
            return m
        return None
    return None


def _colon_subject(text: str, toks: list[Token]) -> Mention | None:
    """The subject opening a sentence that introduces a quotation with a colon but no reporting
    verb ("The manager, Paul Cook, was more cautious:", "She was blunt:"): the first mention
    ending before a lowercase word that starts where the sentence does, or after a participial
    opener ("Asked about the result, Guardiola was philosophical:")."""
    if _is_opener(toks[0]):
        comma = next((j for j, t in enumerate(toks[:40]) if t.text == ","), None)
        if comma is None:
            return None
        toks = toks[comma + 1 :]
        if len(toks) < 2:
            return None
    for v in range(1, min(len(toks) - 1, 26)):
        t = toks[v]
        if not t.is_word or not t.text.islower():
            continue
        m = mention_before(text, toks, v)
        if m is not None and m.start == toks[0].start and m.kind in ("name", "pronoun", "descriptor"):
            return m
    return None


def _subject_verb(text: str, toks: list[Token]) -> tuple[Mention, tuple[int, int]] | None:
    """The first reporting verb in ``toks`` that has a subject mention."""
    for v in range(len(toks)):
        n = verb_at(toks, v)
        if n:
            m = mention_before(text, toks, v)
            if m is not None:
                return m, (toks[v].start, toks[v + n - 1].end)
    return None


# Auxiliaries of a passive reporting verb ("it was announced by the company that …").
_PASSIVE_AUXILIARIES = frozenset("was were is are been be".split())
# Determiners a second reporting clause's subject may open with ("…, but his family said …").
_SUBJECT_OPENERS = frozenset("the a an his her its their our".split())
# Words joining a second reporting clause to the first ("…, and residents said …").
_COORDINATORS = frozenset("and but while whereas".split())


def _next_reporting_clause(text: str, toks: list[Token], k: int) -> int | None:
    """Index of the comma before a second reporting clause after token ``k`` ("Police said A,
    and local residents said B", "…, but the ministry said …"), or None."""
    lim = min(len(toks), k + _MAX_CLAUSE_TOKENS) - 2
    if lim <= k or text.find(",", toks[k].start, toks[lim].end) < 0:
        return None  # the usual case: no comma in the clause, one C-level scan
    tag_only = _rules().tag_only
    for j in range(k, lim):
        if toks[j].text != ",":
            continue
        i = j + 1
        if toks[i].low in _COORDINATORS:
            i += 1
        if i >= len(toks) or not (
            toks[i].is_cap or toks[i].low in _np_words() or toks[i].low in _SUBJECT_OPENERS
        ):
            continue
        found = _tag_mention_verb(text, toks, i)
        if found is not None and toks[found[1]].low not in tag_only and found[0].kind != "pronoun":
            return j
    return None


def _participle_cue(toks: list[Token], i: int) -> bool:
    """A reporting verb's participle at token ``i`` ("adding", "saying", "warning")."""
    return toks[i].low.endswith("ing") and bool(verb_at(toks, i))


def _participle_comma(text: str, toks: list[Token], k: int) -> int | None:
    """Index of the comma before ", adding (that) CLAUSE" after token ``k`` ("The minister
    said inflation had peaked, adding that rate cuts were possible"): a second reported
    clause of the same subject, or None. "…, adding to the pressure" reports nothing."""
    lim = min(len(toks), k + _MAX_CLAUSE_TOKENS) - 2
    if lim <= k or text.find("ing", toks[k].start, toks[lim].end) < 0:
        return None  # the usual case: no participle at all, one C-level scan
    for j in range(k, lim):
        if toks[j].text == "," and _participle_cue(toks, j + 1):
            i = j + 2
            if toks[i].low == "that":
                return j
            if toks[i].low not in _NOT_CLAUSE_OPENERS and _reads_as_clause(toks, i):
                return j
    return None


def _according_comma(text: str, toks: list[Token], k: int) -> int | None:
    """Index of the comma before a closing ", according to SOURCE." after token ``k``: the
    writer's attribution of the whole sentence ("The bank conceded that …, according to a
    letter seen by the BBC"), never part of the reported clause. One inside the clause
    ("prices, according to official data, rose") is left alone."""
    if k >= len(toks) or text.find("according to", toks[k].start, toks[-1].end) < 0:
        return None  # the usual case, one C-level scan
    for j in range(k, len(toks) - 2):
        if toks[j].text == "," and toks[j + 1].low == "according" and toks[j + 2].low == "to":
            return None if any(t.text in ",;" for t in toks[j + 3 :]) else j
    return None


_QUOTE_MARK_TOKENS = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e,")


def _tag_subject(text: str, toks: list[Token], v: int) -> Mention | None:
    """The speaker of the tag after a quotation opening the sentence, before token ``v``
    ("“…,” said Claire Dubois, the trade minister, adding …", "“…,” she said, adding …")."""
    j = 0
    while j < v and toks[j].text in _QUOTE_MARK_TOKENS:
        j += 1
    if j == 0 or j >= v:
        return None
    n = verb_at(toks, j)
    if n and toks[j].text.islower():
        return mention_after(text, toks, j + n)
    found = _tag_mention_verb(text, toks, j)
    return found[0] if found is not None and found[1] < v else None


# Auxiliaries and modals: after "said X" they make X the subject of the reported clause.
_AUXILIARIES = frozenset(
    "would will could should can may might must is was were are has had have did does do".split()
)


def _subject_of_next_clause(toks: list[Token], end: int) -> bool:
    """True when the token after offset ``end`` is an auxiliary ("… said the party would …")."""
    nxt = next((t for t in toks if t.start >= end), None)
    return nxt is not None and nxt.low in _AUXILIARIES and nxt.text.islower()


# Verbs that take the person spoken to before the reported clause ("told reporters the …").
_RECIPIENT_VERBS = frozenset(
    "tell tells told assure assures assured inform informs informed warn warns warned".split()
)
# Words that can open a reported clause right after a recipient: determiners and pronouns.
_CLAUSE_OPENING = frozenset(
    "the a an his her its their our this these those he she it they we i there".split()
)
# A bare object this short with no finite verb is a noun phrase, not a reported clause
# ("Collins acknowledged the uncertainty", "He confirmed the appointment").
_MAX_BARE_OBJECT_WORDS = 6
# Common irregular past forms that make a short clause finite ("He said prices rose").
_IRREGULAR_PAST = frozenset(
    """rose fell grew went came made took gave saw knew felt left kept held told found got
    became began ran won lost paid sold spent built meant stood sent brought bought led met
    put set cut hit shut let broke chose drove fought flew forgot froze hid hung lay rode
    sank shook spoke stole struck swore threw tore understood wore wrote""".split()
)
# Words after which an -s or -ed word is a noun or an adjective ("the charges", "a planned …").
_NOUN_OPENERS = frozenset("the a an his her its their our this that these those no any some".split())


# Endings in -s of adjectives and nouns, never of a verb ("dangerous", "business", "crisis",
# "status", "politics"): "admitted dangerous driving" is an object, not a clause.
_NOT_VERB_ENDINGS = ("ous", "ss", "is", "us", "ics")
# Prepositions after a plural noun object ("warned doctors against …", "urged talks with …").
_PREPOSITIONS_AFTER = frozenset("against of about over with for from into".split())
# Reporting verbs that take the person warned or told as their object ("warned investors
# against …", "reminded voters of …"), unlike "said".
_OBJECT_VERBS = frozenset(
    "warned warns warn cautioned cautions urged urges told tells advised advises reminded reminds".split()
)


def _reads_as_clause(toks: list[Token], k: int) -> bool:
    """True when the words from token ``k`` to the sentence end can be a reported clause: long
    enough, an infinitive, or holding a word that looks finite (auxiliary, -ed, irregular past,
    an -s verb after a subject). "the uncertainty" and "the charges" are objects, not clauses."""
    # words, not tokens: "the richest 1% had grown" has a symbol among them
    words: list[Token] = []
    for t in toks[k : k + 4 * _MAX_BARE_OBJECT_WORDS + 4]:
        if t.text in ";.":
            break
        if t.is_word:
            words.append(t)
    # "warned investors against panic selling after the crash": a plural object and its
    # preposition are no clause however long; only a finite-looking word makes one
    # (after a verb that takes a person as object: "said members of the union want …" is
    # one), and a later plural in it is a noun too ("… against 'cherry-picking' patients")
    pp_object = (
        k > 0
        and toks[k - 1].low in _OBJECT_VERBS
        and len(words) > 1
        and words[0].low.endswith("s")
        and words[1].low in _PREPOSITIONS_AFTER
    )
    if not pp_object:
        words = words[: _MAX_BARE_OBJECT_WORDS + 1]
        if len(words) > _MAX_BARE_OBJECT_WORDS:
            return True
    prev = ""
    for t in words:
        low = t.low
        if low in _AUXILIARIES or low == "to" or low in _IRREGULAR_PAST or "'" in low or "’" in low:
            return True
        if (
            t.text.islower()
            and prev not in _NOUN_OPENERS
            and low.endswith(("ed",) if pp_object else ("ed", "s"))
            and not low.endswith(_NOT_VERB_ENDINGS)
            and len(low) > 3
        ):
            return True
        prev = low
    return False


# Words that open a participle's object or adjunct, never a reported clause ("adding to the
# turmoil", "warning of risks", "noting in a statement").
_NOT_CLAUSE_OPENERS = frozenset("to of in on at for with from by about into over as".split())
# Pronouns that stand for the person told ("told him the …").
_OBJECT_PRONOUNS = frozenset("him her them us me".split())
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Bare time adverbs right after a verb ("said Monday", "said yesterday"), never the clause.
_TIME_WORDS = _WEEKDAYS | frozenset("yesterday today tonight".split())
# Words after "last"/"this" that make a time adjunct ("said last week the plan …").
_PERIOD_WORDS = _WEEKDAYS | frozenset("week month year night weekend".split())
# Parts of a day after a weekday ("said on Friday evening she …").
_DAY_PARTS = frozenset("morning afternoon evening night".split())


def _past_time(toks: list[Token], k: int) -> int:
    """Index after a time adjunct starting at token ``k`` ("Monday", "on Friday", "last week",
    "on Tuesday evening"), when a word follows it; else ``k``. The day is never the clause."""
    n = len(toks)
    j = k
    if j < n and toks[j].low in _TIME_WORDS:
        j += 1
    elif j + 1 < n and toks[j].low == "on" and toks[j + 1].low in _WEEKDAYS:
        j += 2
    elif j + 1 < n and toks[j].low in ("last", "this") and toks[j + 1].low in _PERIOD_WORDS:
        j += 2
    else:
        return k
    if j < n and toks[j - 1].low in _WEEKDAYS and toks[j].low in _DAY_PARTS:
        j += 1
    if j >= n or not toks[j].is_word or toks[j].low in _AUXILIARIES:
        return k  # "said this year would be difficult": the time is the clause's subject
    return j


# Words of a recipient phrase ("the German Bundestag", "state television", "a news conference").
_MAX_RECIPIENT = 5


@lru_cache(maxsize=1)
def _audiences() -> frozenset[str]:
    from tracker.rules import lines

    return frozenset(w.lower() for w in lines("audiences.txt"))


def _after_recipient(toks: list[Token], k: int) -> int | None:
    """Index of the reported clause after a recipient starting at token ``k`` ("reporters",
    "the Bundestag", "state television", optionally "on Tuesday"), or None when the words
    after the verb don't read as recipient + clause."""
    from tracker.resolve import _ADJ_OK

    mods = _rules().modifiers
    audiences = _audiences()
    n = len(toks)
    if k + 1 < n and toks[k].low in _OBJECT_PRONOUNS and toks[k + 1].low in _CLAUSE_OPENING:
        return k + 1  # "told him the city needed more help", "assured them they would …"
    i = k + 1 if k < n and toks[k].low in ("the", "a", "an", "his", "her", "their", "its", "our") else k
    first = i
    lowercase_head = False
    while i < n and i - first < _MAX_RECIPIENT and toks[i].is_word:
        t = toks[i]
        if t.low in _CLAUSE_OPENING:
            break
        if t.low == "of" and i > first and toks[i - 1].is_cap and i + 1 < n and toks[i + 1].is_cap:
            i += 1  # "the House of Commons"
            continue
        if t.is_cap:
            lowercase_head = False
        elif t.low in audiences:
            lowercase_head = True
        elif not (t.low in mods or t.low in _ADJ_OK or t.low in ("news", "press", "state")):
            break
        i += 1
    if i == first:
        return None
    if i + 1 < n and toks[i].low == "on" and toks[i + 1].low in _WEEKDAYS:
        i += 2  # "told reporters on Tuesday the …"
    if i >= n or not toks[i].is_word:
        return None
    t = toks[i]
    if t.low in _CLAUSE_OPENING or (lowercase_head and t.is_cap):
        return i
    return None


# ---------------------------------------------------------------------------------------------
# extraction


class _Extractor:
    def __init__(self, text: str) -> None:
        self.text = text
        pairs, warnings = pair_quote_marks(text, is_tag=_is_tag)
        self.pairs = pairs
        self.warnings = warnings
        hidden = hidden_spans(text, [(p.open, p.close, p.start, p.end) for p in pairs])
        # a hidden span starting at an opening mark is a nickname's ("Dwayne “The Rock” Johnson")
        self.nicknames = {a for a, _ in hidden}
        self.resolver = Resolver(text, hidden)
        self.sentences = self.resolver.sentences
        self.paras = self.resolver.paras

    def _sentence_of(self, pos: int) -> int:
        return max(0, span_index(self.sentences, pos))

    def _outside(self, a: int, b: int) -> list[Token]:
        """Tokens in [a, b) outside every quotation, quote marks included."""
        return self.resolver.window(a, b)

    def direct(self) -> list[_Cand]:
        out: list[_Cand] = []
        text = self.text
        prev_close = -1
        for idx, p in enumerate(self.pairs):
            if self.resolver.in_caption(p.start):
                continue
            if p.open in self.nicknames:
                continue  # "Dwayne “The Rock” Johnson": a nickname, part of the name around it
            s = self._sentence_of(p.open)
            s_start = self.sentences[s][0] if self.sentences else 0
            para = span_index(self.paras, p.open)
            para_end = self.paras[para][1] if para >= 0 else len(text)
            # a speech tag sits right before the mark; the window keeps long lines linear
            lo = max(s_start, prev_close + 1, self.paras[para][0] if para >= 0 else 0, p.open - _WINDOW)
            before = self._outside(lo, p.open)
            if before and before[-1].text in ".!?\u2026":
                before = []  # "… said Viktor Orban.“Brussels …": a new sentence typed without a space
            elif before and before[-1].text in "([":
                before = []  # "(“We were surprised,” she added.)": a bracketed sentence of its own
            close_at = p.close if p.close is not None else p.end
            close_para = span_index(self.paras, close_at)
            para_end = self.paras[close_para][1] if close_para >= 0 else len(text)
            nxt_open = self.pairs[idx + 1].open if idx + 1 < len(self.pairs) else len(text)
            after = self._outside(close_at + 1, min(para_end, nxt_open, close_at + 400))
            prev_close = close_at
            c = _Cand(p.start, p.end, "direct", closed=p.close is not None, anchor=p.start)
            b_m, b_cue, how = _before_tag(text, before)
            tag = _after_tag(text, after) if p.close is not None or after else None
            next_tag = None
            if tag is not None and text[p.end - 1] == "." and _opens_clause_after(after, tag):
                next_tag, tag = tag, None  # "… over.” Officials later said the talks would …"
            if how in ("colon", "comma", "verb") and (b_m is not None or b_cue is not None):
                c.mention, c.cue = b_m, b_cue
                if how == "verb" and before and not verb_at(before, len(before) - 1):
                    c.kind = "partial"
            elif how in ("that", "mid"):
                c.kind = "partial"
                # a tag right after the closing mark is the stronger signal ("It was noted that
                # “…,” Ushakov added")
                # — but not ", according to a letter" after "The bank conceded that … “…”": the
                # writer's source for the sentence; the subject before is the fragment's speaker
                if (
                    tag is not None
                    and b_m is not None
                    and b_m.kind != "group"
                    and text.startswith("according", tag[1][0])
                ):
                    tag = None
                c.mention, c.cue = tag if tag is not None else (b_m, b_cue)
            elif tag is not None:
                c.mention, c.cue = tag
                if before and how != "colon":
                    c.kind = "partial"
            elif before and how not in ("colon",):
                c.kind = "partial"
            if c.mention is None and c.cue is not None and text[c.cue[0] : c.cue[1]].endswith("ing"):
                # "X accused him of …, adding: “…”": the participle's subject opens the sentence
                c.mention = _sentence_subject(text, self._outside(s_start, p.open))
            if (
                c.mention is None
                and how == "colon"
                and len(before) > 2
                and (c.cue is None or _is_opener(before[0]))
            ):
                # "The manager, Paul Cook, was more cautious: “…”": the clause's subject
                c.mention = _colon_subject(text, before)
                if c.mention is not None and c.cue is not None and c.cue[0] < c.mention.start:
                    c.cue = None  # "Asked about …, Guardiola was philosophical:": not his cue
            if c.mention is None and c.kind == "direct" and how == "" and not before:
                cue = _unparsed_tag(after) if p.close is not None else None
                if cue is not None:
                    c.cue = cue  # "“…,” said 7up": a tag names a speaker not read; never the last one
                else:
                    c.continuation = True
                    c.next_tag = next_tag
            if c.kind == "partial" and not self._keep_partial(p, before, c):
                continue
            if (
                not before
                and c.mention is None
                and after
                and after[0].text == ":"
                and para >= 0
                and self.paras[para][0] == p.open
                and _headline_label(text, p)
            ):
                continue  # "‘Unacceptable’: outrage as rail fares rise again": a headline's label
            if c.mention is not None:
                c.anchor = c.mention.start
            out.append(c)
        return out

    def _keep_partial(self, p: MarkPair, before: list[Token], c: _Cand) -> bool:
        """Scare quotes and titles are not quotations; a fragment needs a speaker tied to it."""
        if before and before[-1].low in _TITLE_CUES:
            return False
        words = self.text[p.start : p.end].split()
        if _is_name(words):
            return False  # the “Power of Siberia 2” pipeline, the “Belt and Road” initiative
        if len(words) <= _MAX_TERM_WORDS and _names_a_term(before, c.mention, c.cue):
            return False  # what Moscow calls a “special military operation”
        if c.mention is None:
            # a reporting verb with a subject elsewhere in the sentence ties the fragment to it
            s = self._sentence_of(p.open)
            a, b = self.sentences[s]
            window = self._outside(max(a, p.open - _WINDOW), p.open)
            found = _subject_verb(self.text, window)
            if found is None and len(words) >= 3:  # "called it a “masterpiece”" is a label
                found = _calling(self.text, window)
            if found is None or len(words) <= _MAX_TERM_WORDS and _names_a_term(window, *found):
                return False
            c.mention, c.cue = found
            return True
        if len(words) <= 2:
            # only a verb before the fragment with its own subject makes it a quotation
            return c.cue is not None and c.cue[0] < p.open and c.mention.start < p.open
        return True

    def indirect(self) -> list[_Cand]:
        out: list[_Cand] = []
        text = self.text
        cue_words = _cue_words()
        pair_starts = [p.start for p in self.pairs]
        for s, (a, b) in enumerate(self.sentences):
            # Most sentences hold no reporting verb at all: one C-level scan rules them out.
            if cue_words.isdisjoint(_LOWER_WORDS.findall(text, a, b)):
                continue
            if self.resolver.in_caption(a):
                continue
            toks = self.resolver.sentence_tokens(s)
            while toks:
                # the first form that yields a clause of its own wins; "X said Monday." gives the
                # said-that form no clause, and the tail-tag form ("CLAUSE, X said Monday.")
                # applies
                c = span = None
                for find in (
                    self._said_that,
                    self._passive_by,
                    self._tail_tag,
                    self._according_to,
                    self._participle,
                ):
                    c = find(toks, a, b)
                    span = self._trim_clause(c.start, c.end) if c is not None else None
                    if span is not None:
                        break
                if c is None or span is None:
                    break
                cut = c.end
                c.start, c.end = span
                if self._own_words(c, pair_starts):
                    out.append(c)
                if find != self._said_that or cut >= toks[-1].end:
                    break
                i = bisect.bisect_left([t.start for t in toks], cut)
                if i + 1 < len(toks) and toks[i].text == "," and _participle_cue(toks, i + 1):
                    # "X said A, adding that B": B is X's too, read by the participle form
                    part = self._participle(toks, a, b)
                    span = self._trim_clause(part.start, part.end) if part is not None else None
                    if part is not None and span is not None:
                        part.start, part.end = span
                        if self._own_words(part, pair_starts):
                            out.append(part)
                    break
                # "Police said A, and residents said B": the said-that clause stopped at a
                # second reporting clause, read next
                i = bisect.bisect_right([t.start for t in toks], cut)
                while i < len(toks) and (toks[i].text == "," or toks[i].low in _COORDINATORS):
                    i += 1
                toks = toks[i:]
        return out

    def _own_words(self, c: _Cand, pair_starts: list[int]) -> bool:
        """False for a clause that is mostly a quotation with too few words of the writer's own,
        or that opens with a quote mark (the quotation is the statement)."""
        quoted = 0
        k = max(0, bisect.bisect_left(pair_starts, c.start) - 1)
        while k < len(self.pairs) and self.pairs[k].start < c.end:
            p = self.pairs[k]
            quoted += max(0, min(p.end, c.end) - max(p.start, c.start))
            k += 1
        if quoted * 2 > c.end - c.start and len(self._words_outside(c.start, c.end)) < _MIN_OWN_WORDS:
            return False
        return self.text[c.start] not in "\"\u201c\u201d\u00ab'\u2018"

    def _words_outside(self, a: int, b: int) -> list[Token]:
        """Words in [a, b) outside quotations, pronouns left out ("he “will …”" has none)."""
        pronouns = _rules().pronouns
        return [t for t in self._outside(a, b) if t.is_word and t.low not in pronouns]

    def _trim_clause(self, start: int, end: int) -> tuple[int, int] | None:
        text = self.text
        while start < end and text[start] in " \t\n,:;":
            start += 1
        while end > start and text[end - 1] in " \t\n.,;:!?":
            end -= 1
        return (start, end) if end - start >= 8 else None

    def _said_that(self, toks: list[Token], a: int = 0, b: int = 0) -> _Cand | None:
        """``X said (that) CLAUSE`` with X at the start of the clause."""
        text = self.text
        n = len(toks)
        starts = [t.start for t in toks[: _MAX_CLAUSE_TOKENS + 30]]
        cue_words = _cue_words()
        tag_only = _rules().tag_only
        pronouns = _rules().pronouns
        for v in range(1, min(n, _MAX_CLAUSE_TOKENS)):
            if toks[v].low not in cue_words:
                continue  # the set test spares a call for nearly every token
            vl = verb_at(toks, v)
            if not vl or toks[v].low in tag_only:
                continue
            relative = v >= 2 and toks[v - 1].text == "who"
            if relative:
                # "Senator Jane Roe, who said it would pass", "some Democrats who said …": the
                # speaker is the noun phrase the relative clause hangs on
                m = mention_before(text, toks, v - 2 if toks[v - 2].text == "," else v - 1)
                if m is not None and m.kind == "pronoun":
                    m = None
            else:
                m = mention_before(text, toks, v)
            if m is None:
                continue
            first = bisect.bisect_left(starts, m.start)
            at_start = (
                relative
                or first == 0
                or toks[first - 1].text in ",:\u2014"
                or m.text in ("He", "She", "They")
                # "The Fed held rates steady, and Chair Jerome Powell said the bank …"
                or (first >= 2 and toks[first - 1].low in _COORDINATORS and toks[first - 2].text == ",")
            )
            # "… after the company warned that …": the subject of a subordinate clause
            subordinate = not at_start and toks[first - 1].low in SUBORDINATORS
            if not (at_start or subordinate):
                continue
            k = v + vl
            start: int | None = None
            for j in range(k, min(n, k + 9)):
                if toks[j].text in ',.;"\u201c\u201d':
                    break
                if toks[j].low in pronouns or toks[j].low in _AUXILIARIES:
                    break  # "said he was at home that night": the clause began, "that" is its own
                if toks[j].low == "that":
                    start = toks[j].end
                    break
            if start is None and k < n and toks[v].low in _BARE_CLAUSE_VERBS:
                k = _past_time(toks, k)  # "said Monday the talks …", "said on Friday she …"
                t = toks[k]
                if t.is_word and t.low not in _CLAUSE_STARTERS_NOT and _reads_as_clause(toks, k):
                    start = t.start
            if start is None and toks[v].low in _RECIPIENT_VERBS:
                j = _after_recipient(toks, k)  # "told the Bundestag the government …"
                if j is not None:
                    start = toks[j].start
            if start is None:
                if relative:
                    continue  # "An official, who asked not to be named, said …": read on
                return None  # the tail-tag form may still apply
            end = toks[-1].end
            second = _next_reporting_clause(text, toks, bisect.bisect_left(starts, start))
            if second is None:
                second = _participle_comma(text, toks, bisect.bisect_left(starts, start))
            if second is None:
                second = _according_comma(text, toks, bisect.bisect_left(starts, start))
            if second is not None:
                end = toks[second].start  # "Police said A, and local residents said B"
            if relative and toks[v - 2].text == ",":
                # "The minister, who said A, added that B": the relative clause ends at its comma
                end = next((t.start for t in toks[v:] if t.start > start and t.text == ","), end)
            if subordinate and first == 1:
                # "After the company warned that profits would fall, shares slid": the main
                # clause after the comma is the writer's, not the company's
                end = next((t.start for t in toks[v:] if t.start > start and t.text == ","), end)
            cue = (toks[v].start, toks[v + vl - 1].end)
            return _Cand(start, end, "indirect", m, cue, anchor=m.start)
        return None

    def _passive_by(self, toks: list[Token], a: int = 0, b: int = 0) -> _Cand | None:
        """``it was announced by X that CLAUSE``: a passive reporting verb with its agent."""
        text = self.text
        if not toks or text.find(" by ", toks[0].start, toks[-1].end) < 0:
            return None  # the usual case, ruled out by one C-level scan
        for i in range(2, min(len(toks) - 1, _MAX_CLAUSE_TOKENS)):
            if toks[i].low != "by" or toks[i - 2].low not in _PASSIVE_AUXILIARIES:
                continue
            if not verb_at(toks, i - 1) or toks[i - 1].low in _rules().tag_only:
                continue
            m = mention_after(text, toks, i + 1)
            if m is None:
                return None
            j = next((k for k in range(i + 1, min(len(toks), i + 16)) if toks[k].start >= m.end), None)
            j = _past_time(toks, j) if j is not None else None  # "by the Kremlin on Monday that"
            if j is None or toks[j].low != "that":
                return None  # "was confirmed by Enel on Tuesday.": no reported clause
            cue = (toks[i - 1].start, toks[i - 1].end)
            return _Cand(toks[j].end, toks[-1].end, "indirect", m, cue, anchor=m.start)
        return None

    def _tail_tag(self, toks: list[Token], a: int, b: int) -> _Cand | None:
        """``CLAUSE, X said [adjuncts].`` or ``CLAUSE, said X.``"""
        text = self.text
        if toks and _is_opener(toks[0]):
            return None  # "Speaking to reporters on Tuesday, the prime minister said: “…”"
        for c_i in range(len(toks) - 2, max(1, len(toks) - _MAX_CLAUSE_TOKENS), -1):
            if toks[c_i].text != ",":
                continue
            prev = text[toks[c_i].start - 1] if toks[c_i].start > 0 else " "
            if prev in "\"\u201d\u201c\u00bb'\u2019":
                return None  # a direct quotation's tag
            found = _after_tag(text, toks[c_i + 1 :])
            if found is None:
                continue
            m, cue = found
            if text[cue[0] : cue[1]].lower().endswith("ing"):
                continue  # "…, saying it would …": a participle opens a clause (_participle)
            if cue[0] == toks[c_i + 1].start and m.kind == "pronoun":
                continue
            if text[toks[c_i + 1].start : cue[0]].strip() and m.start > cue[0]:
                continue
            if m.start > cue[0] and _subject_of_next_clause(toks, m.end):
                continue  # "The chief whip, Simon Hart, said the party would unite": not inverted
            rest = text[max(cue[1], m.end) : b].lstrip()
            if rest[:1] in (":", '"', "\u201c", "'", "\u2018"):
                return None  # "…, X said: “…”": the direct quotation owns the cue
            return _Cand(toks[0].start, toks[c_i].start, "indirect", m, cue, anchor=m.start)
        return None

    def _participle(self, toks: list[Token], a: int, b: int) -> _Cand | None:
        """``SUBJECT … , saying (that) CLAUSE``: the sentence's subject reports the clause after
        a participle ("The chancellor, Jeremy Hunt, has cut national insurance, saying it
        would put £450 a year back …"). Only a subject opening the sentence is taken."""
        text = self.text
        cue_words = _cue_words()
        for v in range(2, len(toks) - 1):
            t = toks[v]
            if t.low not in cue_words or not t.low.endswith("ing") or toks[v - 1].text != ",":
                continue
            if _is_opener(toks[0]):
                return None
            m = mention_after(text, toks, 0)
            if m is None:
                m = _tag_subject(text, toks, v)  # "“…,” said Claire Dubois, …, adding that …"
            if m is None or m.kind not in ("name", "descriptor", "pronoun"):
                return None
            i = next((x for x, tok in enumerate(toks) if tok.start >= m.end), len(toks))
            if m.kind == "descriptor" and i < v and toks[i].text == ",":
                # "The chancellor, Jeremy Hunt, has cut …": the appositive names the subject
                close = next((x for x in range(i + 1, min(v, i + 7)) if toks[x].text == ","), None)
                named = mention_before(text, toks, close + 1) if close is not None else None
                if named is not None and named.kind == "name":
                    m = named
            k = v + 1
            if toks[k].low == "that":
                k += 1
            if (
                k >= len(toks)
                or not toks[k].is_word
                or toks[k].low in _NOT_CLAUSE_OPENERS
                or not _reads_as_clause(toks, k)
            ):
                return None  # "…, adding to the turmoil": an object, not a reported clause
            return _Cand(toks[k].start, toks[-1].end, "indirect", m, (t.start, t.end), anchor=m.start)
        return None

    def _according_to(self, toks: list[Token], a: int, b: int) -> _Cand | None:
        text = self.text
        for i in range(len(toks) - 2):
            if toks[i].low == "according" and toks[i + 1].low == "to":
                j = next((k for k in range(i + 2, len(toks)) if toks[k].text == ","), None)
                # "According to the Ministry of Defence, the drills ended": what follows the
                # comma is the clause, not an appositive of the source
                m = mention_after(text, toks[:j] if i == 0 and j is not None else toks, i + 2)
                if m is None and i + 2 < len(toks) and toks[i + 2].low in OBJECT_PRONOUNS:
                    t = toks[i + 2]  # "According to him, imports amounted to …"
                    m = Mention(t.start, t.end, t.text, "pronoun", words=(t.low,))
                if m is None:
                    return None
                cue = (toks[i].start, toks[i + 1].end)
                if i == 0:
                    if j is None:
                        return None
                    return _Cand(toks[j].end, toks[-1].end, "indirect", m, cue, anchor=m.start)
                if toks[i - 1].text == ",":
                    return _Cand(toks[0].start, toks[i - 1].start, "indirect", m, cue, anchor=m.start)
                return None
        return None

    # -- resolution --------------------------------------------------------------------------

    def _note_subjects(self) -> None:
        """Sentence subjects feed pronoun salience: a name opening a clause, or followed by a verb."""
        r = self.resolver
        seen: set[int] = set()
        for m, ent in r.name_mentions:
            s = self._sentence_of(m.start)
            if s in seen:
                continue
            toks = r.sentence_tokens(s)
            starts = [t.start for t in toks] if len(toks) < 500 else [t.start for t in toks[:500]]
            i = bisect.bisect_left(starts, m.start)
            j = bisect.bisect_left(starts, m.end)
            if i >= len(starts):
                continue
            opens = i == 0 or toks[i - 1].text in ",:\u2014"
            verb_follows = (
                j < len(toks)
                and toks[j].is_word
                and toks[j].text.islower()
                and toks[j].low not in _CLAUSE_STARTERS_NOT
                and toks[j].low != "and"
            )
            if opens or verb_follows:
                seen.add(s)
                r.note(m.start, ent.canonical, 1)

    def resolve(self, cands: list[_Cand]) -> None:
        r = self.resolver
        self._note_subjects()
        last: _Cand | None = None
        for c in sorted(cands, key=lambda c: c.anchor):
            if c.mention is not None and c.mention.kind != "name" and c.cue is not None:
                if _aside_follows(self.text, max(c.cue[1], c.mention.end)):
                    c.mention = replace(c.mention, anonymous=True)
            if c.mention is not None:
                c.speaker, c.role = r.resolve(c.mention)
                r.note(c.mention.start, c.speaker, 2)
            elif c.continuation:
                c.speaker, c.role = self._continue(c, last)
                if c.speaker is None and c.next_tag is not None and c.next_tag[0].kind == "name":
                    # "“I’m not going anywhere,” the senator said. “…” Senator Jim Calder said he
                    # would run again.": nobody known continues; the person speaking next does
                    c.mention = c.next_tag[0]
                    c.speaker, c.role = r.resolve(c.mention)
            if c.kind != "indirect" and (c.speaker is not None or c.mention is not None):
                last = c

    def _continue(self, c: _Cand, last: _Cand | None) -> tuple[str | None, str | None]:
        """A quotation without a cue: the previous quotation's speaker when nobody else became
        a subject since (an unnamed "a Downing Street source" included: the continuation stays
        unresolved, with the same mention), else the latest speaker or subject within two
        paragraphs."""
        found = self.resolver.latest(c.start)
        if last is not None and last.start < c.start:
            since = max(last.end, last.mention.end if last.mention is not None else 0)
            gap = span_index(self.paras, c.start) - span_index(self.paras, last.start)
            near = gap <= CONTINUATION_PARAGRAPHS
            if near and (found is None or found[0] < since):
                c.mention = last.mention
                return last.speaker, last.role
        if found is None:
            return None, None
        pos, ent = found
        if span_index(self.paras, c.start) - span_index(self.paras, pos) > CONTINUATION_PARAGRAPHS:
            return None, None
        return ent.canonical, (ent.roles[0] if ent.roles else None)


# Characters after a speech tag searched for an anonymity aside (", speaking on condition of
# anonymity because …"): the aside comes straight after the tag in wire copy.
_ASIDE_WINDOW = 120
_ASIDE_END_RE = re.compile(r"[.;:!?\n]")  # the aside is read up to the end of its clause


def _aside_follows(text: str, pos: int) -> bool:
    """True when the tag ending at ``pos`` is followed by an aside keeping the speaker unnamed:
    "a senior official said, speaking on condition of anonymity" (speaker_links.txt =aside)."""
    after = text[pos : pos + _ASIDE_WINDOW]
    stripped = after.lstrip()
    if not stripped.startswith(","):
        return False
    segment = _ASIDE_END_RE.split(stripped[1:], maxsplit=1)[0].lower()
    return any(a in segment for a in _rules().asides)


def _to_quote(text: str, c: _Cand) -> Quote:
    m, cue = c.mention, c.cue
    return Quote(
        c.start,
        c.end,
        text[c.start : c.end],
        c.kind,
        c.speaker,
        mention=text[m.start : m.end] if m is not None else None,
        mention_start=m.start if m is not None else None,
        mention_end=m.end if m is not None else None,
        cue=text[cue[0] : cue[1]] if cue is not None else None,
        cue_start=cue[0] if cue is not None else None,
        cue_end=cue[1] if cue is not None else None,
        role=c.role,
        closed=c.closed,
    )


# ---------------------------------------------------------------------------------------------
# broadcast transcripts

# A transcript turn: an upper-case speaker label opening a line, an optional stage note in
# brackets, a colon, then what was said ("KUENSSBERG: Will the strikes …", "WES STREETING
# (voice-over): …"). Each label word is written in capitals ("DR.", "O'BRIEN", "J.").
_LABEL_WORD = r"(?:[A-Z][A-Z'’\-]*[A-Z]\.?|[A-Z]\.)"
_TURN_RE = re.compile(
    rf"^[ \t]*(?P<label>{_LABEL_WORD}(?:[ \t]+{_LABEL_WORD}){{0,3}})"
    r"(?:[ \t]*[(\[][^)\]\n]{1,40}[)\]])?[ \t]*:[ \t]+(?P<body>\S[^\n]*)",
    re.MULTILINE,
)
# Turns needed, by at least two labels, before lines are read as a transcript: one labelled
# line is a dateline ("NEW DELHI: The government …") or a note.
TRANSCRIPT_MIN_TURNS = 2


@lru_cache(maxsize=1)
def _transcript_labels() -> tuple[frozenset[str], frozenset[str]]:
    """(labels that name no speaker, labels of unnamed speakers) from transcript_labels.txt."""
    from tracker.rules import lines

    never, unnamed = set(), set()
    for line in lines("transcript_labels.txt"):
        label = line.replace("=unnamed", "").strip().lower()
        (unnamed if "=unnamed" in line else never).add(label)
    return frozenset(never), frozenset(unnamed)


def _label_key(label: str) -> str:
    return " ".join(label.lower().split())


def _written_form(text: str, word: str) -> str:
    """How the article writes a label word outside capitals ("KUENSSBERG" -> "Kuenssberg" as in
    "Laura Kuenssberg asked"), else the word in title case."""
    bare = word.rstrip(".")
    for m in re.finditer(rf"(?<![\w'’-]){re.escape(bare)}(?![\w'’-])", text, re.IGNORECASE):
        if not m.group(0).isupper():
            return m.group(0)
    return bare.title()


def transcript_turns(text: str) -> list[tuple[int, int, Mention]]:
    """(start, end, speaker mention) of each turn of a broadcast transcript in ``text``; none
    when the text is not a transcript. Pure: spans index ``text``."""
    never, unnamed = _transcript_labels()
    found = [m for m in _TURN_RE.finditer(text) if _label_key(m.group("label")) not in never]
    if len(found) < TRANSCRIPT_MIN_TURNS or len({_label_key(m.group("label")) for m in found}) < 2:
        return []
    titles = _rules().titles
    out = []
    for m in found:
        label = m.group("label")
        a, b = m.span("label")
        words = tuple(w.lower().rstrip(".") for w in label.split())
        if _label_key(label) in unnamed:
            mention = Mention(a, b, label, "descriptor", head=words[-1], words=words, anonymous=True)
        else:
            name = tuple(_written_form(text, w) for w in label.split() if w.lower().rstrip(".") not in titles)
            if not name:
                continue
            mention = Mention(a, b, label, "name", name=name, words=words)
        out.append((m.start("body"), m.start("body") + len(m.group("body").rstrip()), mention))
    return out


def find_quotes_with_warnings(text: str) -> tuple[list[Quote], list[str]]:
    """Quotations in ``text`` sorted by start, and warnings for marks that could not be paired."""
    if not text.strip():
        return [], []
    ex = _Extractor(text)
    direct = ex.direct()
    indirect = ex.indirect()
    # An indirect clause that starts where a quotation does is the same statement.
    starts = {c.start for c in direct}
    indirect = [c for c in indirect if c.start not in starts]
    cands = direct + indirect
    turns = transcript_turns(text) if ":" in text else []
    if turns:
        # A transcript turn is one speaker's words: what the other readers found inside it
        # (a quotation the speaker repeats, "he said that …") is part of that turn.
        cands = [c for c in cands if not any(a <= c.start and c.end <= b for a, b, _ in turns)]
        cands += [_Cand(a, b, "direct", mention=m, anchor=a) for a, b, m in turns]
    ex.resolve(cands)
    quotes = sorted((_to_quote(text, c) for c in cands), key=lambda q: (q.start, q.end))
    return quotes, ex.warnings


def find_quotes(text: str) -> list[Quote]:
    """Quotations in ``text`` (direct, partial, indirect) with speakers resolved; sorted by start."""
    return find_quotes_with_warnings(text)[0]
