"""Link repeated quotes and figures across articles; flag figures that cannot all be true.

Contract: library functions take a ``session`` and never commit (the caller owns the
transaction). ``link_articles(session, article_ids)`` is incremental: ingest queues each
stored article (``link_queue``) and links the queue in batches (``link_queued``);
``rebuild(session)`` recomputes every group and re-syncs flags, keeping editors'
decisions; ``review(session, flag_id, action, note, by)`` records a decision. The query
functions at the end feed the CLI.

Quotes
    Blocking: each quote's content words (casefolded, stop words dropped, cut to a
    :data:`STEM`-letter prefix so "allowed"/"allow" agree) form bigrams; their 63-bit
    hashes are winnowed (the minimum of every window of :data:`WINNOW` bigrams), stored in
    ``link_keys`` and looked up for each new quote. Winnowing guarantees that two quotes
    sharing a run of ``WINNOW + 1`` content words share a key, whatever else differs, so
    fragments and trimmed quotes are found. Each key is posted once per quote group (a
    repeat posts only the keys its group lacks), and a key posted by more than
    :data:`MAX_POSTING` groups is a stock phrase and is ignored. Only quotes sharing enough
    keys (:func:`min_shared_keys`) are scored.
    Scoring (rapidfuzz on punctuation-free, casefolded text): ``ratio`` ≥
    :data:`VARIANT_CUTOFF` is a variant (punctuation, trims at the edges, translation
    wobble); a quote of at least :data:`FRAGMENT_MIN_WORDS` words that is less than
    :data:`FRAGMENT_LEN_RATIO` of the other's length and scores ``partial_ratio`` ≥
    :data:`FRAGMENT_CUTOFF` (or is a verbatim excerpt) is a fragment; a variant may change
    at most :data:`MAX_WORD_CHANGES` content words (or :data:`MAX_WORD_CHANGE_SHARE`).
    Quotes attributed to two different known speakers link only when near-verbatim
    (:data:`OTHER_SPEAKER_CUTOFF`). Links are
    transitive (union-find): a quote linking two groups merges them.

Figures
    A claim is grouped when it has a value, a metric and a period. Blocking key: unit,
    normalised entities, period start and end, target-or-actual — so different periods,
    targets vs actuals and different units (USD vs RUB) never share a group. Inside a block,
    metrics match with rapidfuzz ``token_sort_ratio`` ≥ :data:`METRIC_CUTOFF` against the
    group's metric. Unit variants (tons/tonnes, bcm/cubic metres) were already normalised
    to one canonical unit and base value by the claims extractor.

    Interval of a claim: ``[low, high]`` from the extractor (value + hedge; ``None`` =
    unbounded), widened by half a step of the last written digit ("$190 billion" covers
    189.5–190.5 billion) and by :data:`ROUNDING_REL` of the value for conversions. Two
    claims from different articles conflict when their intervals do not overlap. A group
    with at least one conflicting pair is a conflict and gets a flag; otherwise it is
    consistent (or single). Severity = ``|a - b| / max(|a|, |b|)`` for the most distant
    conflicting pair.

Flags
    Statuses: ``open`` (new, or reopened), ``confirmed`` (an editor says it is a real
    inconsistency), ``dismissed`` (an editor says it is not). Every decision is appended
    to ``flag_reviews`` (who, when, note, evidence hash) and never overwritten. Each flag
    stores an evidence hash over its claims and their intervals: re-linking keeps the
    editor's decision while the evidence is the same; when it changes (a new figure joins
    the group) a decided flag reopens with an automatic review saying why. A group that
    stops conflicting deletes its flag if nobody reviewed it, else the flag is dismissed by
    ``tracker`` with the reason recorded.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import itertools
import math
import re
import time
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq
from sqlalchemy import bindparam, case, delete, false, func, literal, null, or_, select, union_all, update
from sqlalchemy.orm import Session

from tracker.db import insert_rows
from tracker.models import (
    Article,
    Claim,
    ClaimGroup,
    ClaimGroupMember,
    Flag,
    FlagClaim,
    FlagReview,
    LinkKey,
    LinkQueue,
    LinkStockKey,
    Person,
    PersonAlias,
    Quote,
    QuoteGroup,
    QuoteGroupMember,
    QuoteGroupSpeaker,
    Source,
    utcnow,
)
from tracker.rules import load_toml
from tracker.text import sentence_bounds

# --------------------------------------------------------------------------- cut-offs
# Measured on tests/cases/link_quote_pairs.json (50 labelled pairs: verbatim, trimmed,
# re-punctuated, translated twice, fragments; hard negatives = same speaker, same topic,
# different statement). See test_quote_pair_cutoffs for the measured precision/recall.
# Variants (wobble, punctuation, trims) score 86-100 on ratio; a template sentence with a
# different list ("cooperation in energy, agriculture..." vs "...in trade, investment...")
# scores 82, so 85 sits between them.
VARIANT_CUTOFF = 85.0
# Otherwise identical words with more than one differing number ("300 billion by 2030" vs
# "250 billion by 2025") are a different statement; one differing number is a misquote of
# the same one ("grew by 26%" vs "grew by 29%"), linked, its figure flagged separately.
MAX_NUMBER_CHANGES = 1
# ...and a variant changes few content words: the labelled true variants change 0-3 (one
# word translated differently changes two stems), while one statement poured into another
# with the same frame ("The customs reform in the north opens the door to investment as the
# energy market recovers" / "...in the Far East... as the fishing market recovers", ratio
# 93) changes 5 of 14. Long quotes may change a quarter of their words.
MAX_WORD_CHANGES = 3
MAX_WORD_CHANGE_SHARE = 0.25
# Fragments align at 94-100 with partial_ratio; same-topic negatives of 6+ words reach 76.
FRAGMENT_CUTOFF = 90.0
# Below 6 words a fragment ("trade is growing") aligns inside too many unrelated quotes.
FRAGMENT_MIN_WORDS = 6
# A shorter quote under 90% of the other's length is treated as a possible fragment.
FRAGMENT_LEN_RATIO = 0.9
# Two different known speakers: only the same words nearly verbatim (misattribution) link.
OTHER_SPEAKER_CUTOFF = 97.0
# Metric phrases (token_sort_ratio; token_set_ratio when the shorter phrase has 2+ words,
# so "crude oil export" = "oil export" = 100): word order variants 100, "gas delivery" /
# "gas deliveries" 84.6; "oil export"/"oil import" and "lng export"/"oil export" 80,
# "bilateral trade"/"foreign trade" 50 must not match. "gdp"/"gdp growth" are kept apart
# by the one-word rule (and by their units). Pairs in tests/test_link.py.
METRIC_CUTOFF = 84.0
# "nearly $108 billion" is at most 3% below 108: wire copy uses "nearly" for the next round
# figure up ("nearly $108 billion" for $107.8bn, "nearly 185" for 183-184), and the issue's
# own example, "$104 billion" vs "nearly $108 billion" (3.7% apart), must conflict.
NEAR_TOLERANCE = 0.03
# "about X": ±3%, or the last written digit if wider ("about $1 trillion").
ABOUT_TOLERANCE = 0.03
# Relative slack for float noise; written-unit conversions ("38 bcm" vs "1.34 tcf") are
# covered by the half step of the last written digit. Kept tiny: "$104 billion" vs "nearly
# $108 billion" are only 0.05% apart at their edges.
ROUNDING_REL = 0.001

# Blocking parameters. STEM 5: "allowed"/"allowing"/"allow" agree; WINNOW 4: a shared run
# of 5 content words guarantees a common key while storing ~40% of the bigrams.
STEM = 5
WINNOW = 4
# Keys posted by more groups than this are stock phrases ("vladimir putin", "united states")
# and would turn blocks into all-pairs comparisons.
MAX_POSTING = 200
# Two quotes that both have at least this many keys are compared only when they share
# MULTI_KEY_SHARED keys. Long quotes that are the same statement share most of theirs (a
# changed word moves 2-3 of 6-9 keys); one shared bigram between long quotes is chance,
# and those chance candidates grow with the database (bench_link: 7 per quote at 30k,
# 24 at 100k; with two shared keys 0.004 and 0.01). The hand-written pairs have 1-4 keys
# and one true pair shares one of three, so short quotes still need only one.
MULTI_KEY_MIN = 4
MULTI_KEY_SHARED = 2
# ...and at least this share of the smaller one's keys. Two statements that merely share a
# stock phrase below MAX_POSTING ("will continue to grow") share 2-3 keys of 8-12; on the
# synthetic corpus every linked pair with 4+ keys shared at least half of the smaller set
# (variants with a changed word 0.5-0.8, fragments 0.8-1), and those chance candidates were
# ~60 per quote at 4k quotes, the bulk of link_article's cost.
MULTI_KEY_SHARE = 0.4
# A quote joins the group of its best match only. Another group it also matches is merged
# in only when that match is near-verbatim (not a fragment): a fragment or a loose variant
# matching two quotations must not chain them into one.
MERGE_CUTOFF = 95.0
# A fragment (partial_ratio >= 90) keeps nearly all of its words; below half of them found
# in the longer quote, partial_ratio is not worth computing.
FRAGMENT_MIN_SHARED_WORDS = 0.5
_HASH_MASK = (1 << 63) - 1

# Function words dropped before shingling (English; quotes in other languages keep every
# word, which only makes blocking stricter).
STOPWORDS = frozenset(
    """a an the and or but if then than that this these those there here of to in on at by for
    with from as into onto about over under up down out off is are was were be been being am
    do does did done have has had having will would shall should can could may might must it
    its it's we our us you your i me my he him his she her they them their what which who whom
    whose when where why how not no nor so too very just also all any each both some such own
    same other more most much many only s t""".split()
)

_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
_NUMBER = re.compile(r"\d[\d,\u00a0 ]*(?:\.\d+)?")


# --------------------------------------------------------------------------- results


@dataclass
class LinkResult:
    """What one linking run changed."""

    quotes: int = 0  # quotes examined
    quotes_linked: int = 0  # quotes that joined an existing group
    quote_groups: int = 0  # quote groups created or changed
    claims: int = 0  # claims examined
    claims_grouped: int = 0  # claims that joined an existing group
    claim_groups: int = 0  # claim groups created or changed
    flags_new: int = 0
    flags_reopened: int = 0
    flags_cleared: int = 0
    seconds: float = 0.0

    def add(self, other: LinkResult) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def summary(self) -> str:
        return (
            f"quotes: {self.quotes} examined, {self.quotes_linked} linked to earlier appearances; "
            f"claims: {self.claims} examined, {self.claims_grouped} grouped with other figures; "
            f"flags: {self.flags_new} new, {self.flags_reopened} reopened, {self.flags_cleared} cleared "
            f"({self.seconds:.2f}s)"
        )


class LinkError(Exception):
    """A linking or review request that cannot be carried out; the message is for the user."""


# --------------------------------------------------------------------------- quote text


def normalise_quote(text: str) -> str:
    """Casefolded words separated by single spaces: punctuation, quote marks and case vanish."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return " ".join(_WORD.findall(t.replace("'", "")))


def content_tokens(norm: str) -> list[str]:
    return [w[:STEM] for w in norm.split() if w not in STOPWORDS and len(w) > 1]


def _h63(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") & _HASH_MASK


def quote_keys(norm: str) -> set[int]:
    """Winnowed hashes of content-word bigrams (a lone content word if there is only one),
    plus the first and the last bigram.

    Winnowing alone guarantees a shared key only for a shared run of WINNOW + 1 content
    words, and outlets trim a quotation at its edges: Peskov's "Our trade is growing rapidly
    and is diversifying" (four content words) quoted whole by TASS and cut after
    "diversifying" elsewhere shared no key. The edge bigrams make any trim at one end share
    the other end's key, whatever its length."""
    toks = content_tokens(norm)
    if len(toks) < 2:
        return {_h63(toks[0])} if toks else set()
    hashes = [_h63(f"{a} {b}") for a, b in zip(toks, toks[1:], strict=False)]
    edges = {hashes[0], hashes[-1]}
    if len(hashes) <= WINNOW:
        return {min(hashes)} | edges
    return {min(hashes[i : i + WINNOW]) for i in range(len(hashes) - WINNOW + 1)} | edges


def quote_similarity(a: str, b: str) -> tuple[float, str | None]:
    """(score, relation) of two normalised quotes; relation None = not the same quotation."""
    if not a or not b:
        return 0.0, None
    if a == b:
        return 100.0, "verbatim"
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    na, nb = set(_DIGITS.findall(a)), set(_DIGITS.findall(b))
    if na and nb and len(na ^ nb) > 2 * MAX_NUMBER_CHANGES:
        return 0.0, None
    fragment_sized = (
        len(short) < FRAGMENT_LEN_RATIO * len(long_) and short.count(" ") + 1 >= FRAGMENT_MIN_WORDS
    )
    if fragment_sized and short in long_:  # a verbatim excerpt, whatever ratio says
        return 100.0, "fragment"
    # ratio <= 200·len(short)/(len(a)+len(b)): skip it when lengths alone rule a variant out.
    r = 0.0
    if 200.0 * len(short) / (len(a) + len(b)) >= VARIANT_CUTOFF:
        r = fuzz.ratio(a, b, score_cutoff=VARIANT_CUTOFF)
        if r >= VARIANT_CUTOFF and _few_word_changes(a, b):
            return r, "variant"
    if fragment_sized:
        words = short.split()
        found = set(long_.split())
        if sum(w in found for w in words) >= FRAGMENT_MIN_SHARED_WORDS * len(words):
            p = fuzz.partial_ratio(short, long_, score_cutoff=FRAGMENT_CUTOFF)
            if p >= FRAGMENT_CUTOFF:
                return p, "fragment"
    return r, None


def _few_word_changes(a: str, b: str) -> bool:
    """At most MAX_WORD_CHANGES content words (or MAX_WORD_CHANGE_SHARE of them) differ, and
    no named place or party was swapped for another ("Officials from Russia and China met"
    is not "Officials from Russia and Germany met", whatever ratio says; translation wobble
    never swaps countries) or turned round ("exports from Russia to India" is not "from
    India to Russia"; "Russia and China" and "China and Russia" stay one quotation).
    Dropping a name at the edge is a trim, not a swap."""
    ta, tb = set(content_tokens(a)), set(content_tokens(b))
    only_a, only_b = ta - tb, tb - ta
    names = _entity_stems()
    if only_a & names and only_b & names:
        return False
    da, db = _directions(a, names), _directions(b, names)
    if any(da[n] != db[n] for n in da.keys() & db.keys()):
        return False  # "from Russia to India" is not "from India to Russia"
    return len(only_a) + len(only_b) <= max(MAX_WORD_CHANGES, MAX_WORD_CHANGE_SHARE * len(ta | tb))


# Words that give a named place or party a direction ("exports from Russia to India").
DIRECTIONAL = frozenset("from to into towards toward against".split())


def _directions(norm: str, names: frozenset[str]) -> dict[str, set[str]]:
    """Named places/parties preceded by a directional word, with those words:
    "from russia to india" -> {russi: {from}, india: {to}} ("russia and india" -> {})."""
    words = norm.split()
    out: dict[str, set[str]] = {}
    for prev, w in zip(words, words[1:], strict=False):
        if prev in DIRECTIONAL and (stem := w[:STEM]) in names:
            out.setdefault(stem, set()).add(prev)
    return out


@functools.lru_cache(maxsize=1)
def _entity_stems() -> frozenset[str]:
    """Content-token forms of the one-word names in rules/entities.toml (countries, regions,
    organisations, companies, projects), as :func:`content_tokens` cuts them."""
    data = load_toml("entities.toml")
    out = set()
    for group in data.values():
        for canonical, surfaces in group.items():
            for name in (canonical, *surfaces):
                norm = normalise_quote(name)
                if " " not in norm:
                    out.update(content_tokens(norm))
    return frozenset(out)


def min_shared_keys(n_a: int, n_b: int) -> int:
    """Keys two quotes with n_a and n_b keys must share to be compared at all."""
    m = min(n_a, n_b)
    return max(MULTI_KEY_SHARED, math.ceil(MULTI_KEY_SHARE * m)) if m >= MULTI_KEY_MIN else 1


def _blocking_lists(keys: Iterable[int], postings: Any) -> list[tuple[int, Any]]:
    """The (key, posting list) pairs a quote's candidates are read from: every key's list
    except stock phrases (over MAX_POSTING).

    Blocking on a quote's rare keys alone (those held by at most 50 groups, when it had
    two) cut bench_link's 1M-quote rebuild from 462 s to 344 s but lost planted repeats
    (recall 0.994 -> 0.958): a changed word brings new keys that look rare while the keys
    shared with the original are common. Recall won."""
    return [(k, p) for k in keys if (p := postings.get(k)) and len(p) <= MAX_POSTING]


def _passing(nk: int, lists: Sequence[Sequence[int]], n_keys: Any, few: Any = None) -> list[int]:
    """Candidates of a quote with ``nk`` keys among the quotes in its keys' posting lists
    (``lists``, one per key; an item appears once per list): those sharing
    :func:`min_shared_keys` of its keys.

    ``few``: the items with fewer than MULTI_KEY_MIN keys (or None: read from ``n_keys``).
    Below that, one shared key is enough; above it, at least two are. Most items share a
    single key, so items found in two lists or more are picked out with C-level set
    operations before anything is counted (counting every item in Python was half of a
    1M-quote rebuild).
    """
    if nk < MULTI_KEY_MIN:  # min_shared_keys is 1 whatever the other quote's key count
        return list(set(itertools.chain.from_iterable(lists)))
    seen: set[int] = set()
    multi: set[int] = set()
    for p in lists:
        s = set(p)
        multi |= seen & s
        seen |= s
    once = seen - multi
    if few is None:
        out = [i for i in once if (n_keys[i] or 0) < MULTI_KEY_MIN]
    else:
        out = list(once & few)
    if multi:
        need = _need_table(nk)
        top = len(need) - 1
        shared = Counter(itertools.chain.from_iterable(lists))
        out.extend(i for i in multi if shared[i] >= need[min(n_keys[i] or 0, top)])
    return out


@functools.lru_cache(maxsize=256)
def _need_table(n_a: int) -> tuple[int, ...]:
    """min_shared_keys(n_a, n_b) for n_b = 0..n_a (and every larger n_b, as n_a)."""
    return tuple(min_shared_keys(n_a, n_b) for n_b in range(n_a + 1))


def speaker_key(name: str | None) -> str | None:
    """Last word of a speaker's name, casefolded: "Putin" and "Vladimir Putin" agree even when
    people resolution kept them apart; "Wang Yi" and "Wang Wenbin" do not."""
    words = _WORD.findall(name.casefold()) if name else []
    return words[-1] if words else None


def _speakers_clash(p1: str | None, p2: str | None) -> bool:
    return p1 is not None and p2 is not None and p1 != p2


def _could_match(norm: str, texts: list[str]) -> list[str]:
    """The texts :func:`quote_similarity` can relate to ``norm``, found in one C pass.

    A relation needs ``ratio`` >= VARIANT_CUTOFF, or (a fragment) ``partial_ratio`` >=
    FRAGMENT_CUTOFF with the length and word-count conditions; rapidfuzz's ``process.extract``
    scores the whole list with the same scorers and cut-offs, so the texts dropped here are
    exactly ones quote_similarity would reject, and the rest go through it unchanged.
    """
    keep = {
        i
        for _, _, i in process.extract(
            norm, texts, scorer=fuzz.ratio, score_cutoff=VARIANT_CUTOFF, limit=None
        )
    }
    # Fragment-sized pairs: the shorter text is under FRAGMENT_LEN_RATIO of the longer one
    # and has FRAGMENT_MIN_WORDS words (empty texts never qualify).
    n = len(norm)
    norm_ok = norm.count(" ") + 1 >= FRAGMENT_MIN_WORDS
    frag = [
        i
        for i, t in enumerate(texts)
        if i not in keep
        and (
            (norm_ok and n < FRAGMENT_LEN_RATIO * len(t))
            or (len(t) < FRAGMENT_LEN_RATIO * n and t.count(" ") + 1 >= FRAGMENT_MIN_WORDS)
        )
    ]
    if frag:
        # partial_ratio is the costly scorer. It is the best ``ratio`` of the shorter text
        # against a window of the longer one no longer than itself, so a score >= c (as a
        # fraction) needs a common subsequence of at least c/(2-c) of the shorter text's
        # length (equality at a window of c/(2-c) of its length matched in full). The
        # bit-parallel LCS drops nearly every candidate before partial_ratio, exactly.
        c = FRAGMENT_CUTOFF / 100
        share = c / (2 - c) - 1e-9
        ftexts = [texts[i] for i in frag]
        floor = share * min(n, min(len(t) for t in ftexts))
        lcs = process.extract(norm, ftexts, scorer=LCSseq.similarity, score_cutoff=floor, limit=None)
        close = [frag[j] for _, sim, j in lcs if sim >= share * min(n, len(ftexts[j]))]
        if close:
            found = process.extract(
                norm,
                [texts[i] for i in close],
                scorer=fuzz.partial_ratio,
                score_cutoff=FRAGMENT_CUTOFF,
                limit=None,
            )
            keep.update(close[j] for _, _, j in found)
    return [texts[i] for i in sorted(keep)]


# quote_similarity of (new quote, candidate) texts already scored in a linking step:
# None where they are not the same quotation.
Scores = dict[tuple[str, str], tuple[float, str] | None]


def _related(norm: str, texts: list[str]) -> list[tuple[str, tuple[float, str] | None]]:
    """(text, (score, relation) or None) for each of ``texts`` against ``norm``."""
    keep = set(_could_match(norm, texts)) if len(texts) > 2 else set(texts)
    out: list[tuple[str, tuple[float, str] | None]] = []
    for other in texts:
        hit = None
        if other in keep:
            score, rel = quote_similarity(norm, other)
            if rel is not None:
                hit = (score, rel)
        out.append((other, hit))
    return out


def _best_match(
    norm: str, person: str | None, cands: Iterable[tuple[int, str, str | None]], scores: Scores | None = None
) -> list[tuple[int, float, str]]:
    """Matches (quote id, score, relation) among candidates (id, normalised text, speaker key).

    Each distinct text is scored once: repeats of a popular quotation are mostly verbatim,
    so a new quote's candidates hold the same few wordings many times over. ``scores``
    carries the pairs scored for earlier quotes of the same text: in a 2,048-article
    linking step of the benchmark corpus, 55% of (quote, candidate) pairs come again.
    """
    by_text: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    for qid, other, other_person in cands:
        by_text[other].append((qid, other_person))
    texts = list(by_text)
    if scores is None:
        judged: Iterable[tuple[str, tuple[float, str] | None]] = _related(norm, texts)
    else:
        fresh = [t for t in texts if (norm, t) not in scores]
        if fresh:
            for other, hit in _related(norm, fresh):
                scores[norm, other] = hit
        judged = ((t, scores[norm, t]) for t in texts)
    out = []
    for other, hit in judged:
        if hit is None:
            continue
        score, rel = hit
        for qid, other_person in by_text[other]:
            if _speakers_clash(person, other_person) and (score < OTHER_SPEAKER_CUTOFF or rel == "fragment"):
                continue
            out.append((qid, score, rel))
    out.sort(key=lambda m: (-m[1], m[0]))
    return out


# --------------------------------------------------------------------------- claim intervals


# The columns linking reads from claims: rows, not ORM objects, so a rebuild of a
# million claims stays light.
CLAIM_COLS = (
    Claim.id,
    Claim.article_id,
    Claim.surface,
    Claim.value,
    Claim.low,
    Claim.high,
    Claim.unit,
    Claim.hedge,
    Claim.metric,
    Claim.entities,
    Claim.period,
    Claim.period_start,
    Claim.period_end,
    Claim.is_target,
)


class ClaimRow(NamedTuple):
    """A claim as linking reads it (the CLAIM_COLS, in order). A plain named tuple: SQLAlchemy
    rows answer attribute access by name lookup, which was most of judging a group."""

    id: int
    article_id: int
    surface: str
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    hedge: str | None
    metric: str | None
    entities: str | None
    period: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    is_target: bool


def _as_claims(result: Iterable[Any]) -> list[ClaimRow]:
    """ClaimRows of result rows that start with the CLAIM_COLS."""
    width = len(CLAIM_COLS)
    return [ClaimRow._make(r[:width]) for r in result]


def entities_key(entities: str | None) -> str:
    if not entities:
        return ""
    return "; ".join(sorted({e.strip().casefold() for e in entities.split(";") if e.strip()}))


def effective_entities(claims: Sequence[Any]) -> dict[int, str]:
    """Normalised entities of each claim of ONE article, filling gaps from its neighbours.

    "Bilateral trade reached $190 billion" names no country; in an article whose other
    figures are about China and Russia it is about them too. A claim without entities takes
    the most common entity set of the article's claims with the same metric, else of all
    its claims; with none at all it stays empty (and groups only with other empty ones).
    """
    own = {c.id: entities_key(c.entities) for c in claims}
    by_metric: dict[str, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    for c in claims:
        if own[c.id]:
            by_metric[c.metric or ""][own[c.id]] += 1
            overall[own[c.id]] += 1
    out = {}
    for c in claims:
        e = own[c.id]
        if not e:
            pool = by_metric.get(c.metric or "") or overall
            e = min(pool, key=lambda k: (-pool[k], k)) if pool else ""
        out[c.id] = e
    return out


def claim_block(unit: str | None, entities: str, start: Any, end: Any, is_target: bool) -> int:
    return _h63(f"{unit or ''}|{entities}|{start}|{end}|{int(bool(is_target))}")


def groupable(c: Any) -> bool:
    return bool(c.value is not None and c.metric and c.period_start and c.period_end)


def rounding_step(surface: str, value: float | None) -> float:
    """Size of the last written digit in base units: "$190 billion" → 1e9, "$107.8 billion" → 1e8."""
    if value is None:
        return 0.0
    m = _NUMBER.search(surface or "")
    if not m:
        return 0.0
    tok = re.sub(r"[,\u00a0 ]", "", m.group())
    try:
        num = float(tok)
    except ValueError:
        return 0.0
    if num == 0:
        return 0.0
    decimals = len(tok.split(".")[1]) if "." in tok else 0
    return abs(value / num) * 10.0**-decimals


def _hedge_kinds() -> dict[str, str]:
    """Canonical hedge → interval kind (below, above, approx, max, min, exact) from rules/hedges.toml."""
    data = load_toml("hedges.toml")
    return {spec.get("canonical", name): spec.get("interval", "") for name, spec in data.items()}


_HEDGE_KIND: dict[str, str] | None = None


def interval(c: Any) -> tuple[float, float]:
    """The interval a figure allows (see :func:`_interval`)."""
    return _interval(c.surface, c.value, c.low, c.high, c.hedge)


@functools.lru_cache(maxsize=65_536)
def _interval(
    surface: str, value: float | None, low: float | None, high: float | None, hedge: str | None
) -> tuple[float, float]:
    """The interval a figure allows, in base units: value + hedge + the last written digit.

    Our own reading, not the extractor's low/high, whose 5% hedge tolerance would let
    "$104 billion" agree with "nearly $108 billion": "nearly X" = [X - NEAR_TOLERANCE·X, X],
    "about X" = X ± ABOUT_TOLERANCE·X, "up to X" / "more than X" are open on one side, a
    plain figure is X ± half its last written digit. Everything is widened by
    ROUNDING_REL·X for unit conversions. An unknown hedge falls back to low/high.
    """
    global _HEDGE_KIND
    if _HEDGE_KIND is None:
        _HEDGE_KIND = _hedge_kinds()
    v = float(value or 0.0)
    half = rounding_step(surface, value) / 2
    kind = _HEDGE_KIND.get(hedge, "?") if hedge else "exact"
    inf = float("inf")
    # A hedged figure's tolerance already covers rounding of the written digits.
    if kind == "below":
        lo, hi = v - NEAR_TOLERANCE * abs(v), v
    elif kind == "above":
        lo, hi = v, v + NEAR_TOLERANCE * abs(v)
    elif kind == "approx":
        d = max(ABOUT_TOLERANCE * abs(v), half)
        lo, hi = v - d, v + d
    elif kind == "max":
        lo, hi = -inf, v
    elif kind == "min":
        lo, hi = v, inf
    elif kind == "exact":
        lo, hi = v - half, v + half
    else:
        lo = low if low is not None else (-inf if high is not None else v)
        hi = high if high is not None else (inf if low is not None else v)
    slack = ROUNDING_REL * abs(v)
    return lo - slack, hi + slack


def relative_gap(a: float, b: float) -> float:
    m = max(abs(a), abs(b))
    return abs(a - b) / m if m else 0.0


@dataclass
class Judgement:
    verdict: str  # single | consistent | conflict
    severity: float = 0.0
    in_conflict: set[int] = field(default_factory=set)
    worst: tuple[int, int] | None = None  # claim ids of the most distant conflicting pair


# Up to this many claims a group is judged by comparing every pair; above it, in O(n log n)
# (:func:`_judge_sorted`, same answer): a much-reported figure gathers hundreds of claims,
# and comparing every pair was the largest part of linking a batch at 40k articles.
PAIRWISE_MAX = 12


def judge(claims: Sequence[Any]) -> Judgement:
    """Verdict on claims of one group: conflict if two from different articles cannot both hold.

    The worst pair is the first most distant one in the order of ``claims``, pair by pair
    (i < j), however the group is judged."""
    if len(claims) < 2:
        return Judgement("single")
    rows = [_judge_row(c) for c in claims]
    if len(rows) > PAIRWISE_MAX and all(0 <= v and lo <= v <= hi for _, _, v, lo, hi in rows):
        return _judge_sorted(rows)
    j = Judgement("consistent")
    # Every pair in order, the cheap interval test first: most pairs agree.
    for i, (aid, aart, aval, alo, ahi) in enumerate(rows):
        for bid, bart, bval, blo, bhi in rows[i + 1 :]:
            if (ahi < blo or bhi < alo) and aart != bart:
                j.verdict = "conflict"
                j.in_conflict.update((aid, bid))
                sev = relative_gap(aval, bval)
                if j.worst is None or sev > j.severity:
                    j.severity, j.worst = sev, (aid, bid)
    return j


# (value, index) of the two extreme values among some rows, from two different articles.
_Two = tuple[tuple[float, int] | None, tuple[float, int] | None]
# A claim as judging reads it: (id, article id, value, interval low, interval high).
_JudgeRow = tuple[int, int, float, float, float]


def _extremes(rows: Sequence[_JudgeRow], order: Sequence[int], sign: float) -> list[_Two]:
    """out[m]: the two smallest (sign=1) or largest (sign=-1) values among rows[order[:m]],
    from different articles; equal values go to the lower index."""
    out: list[_Two] = [(None, None)]
    best: tuple[float, int] | None = None
    second: tuple[float, int] | None = None
    for k in order:
        cand = (sign * rows[k][2], k)
        art = rows[k][1]
        if best is None or cand < best:
            if best is not None and rows[best[1]][1] != art:
                second = best
            best = cand
        elif rows[best[1]][1] != art and (second is None or cand < second):
            second = cand
        out.append((best, second))
    return out


def _judge_sorted(rows: Sequence[_JudgeRow]) -> Judgement:
    """:func:`judge` of rows (id, article, value, lo, hi) whose values are non-negative and
    inside their own intervals, in O(n log n), with the pairwise judge's answer.

    A claim conflicts when another article's interval ends below its start or starts above
    its end. Its most distant partner below has the smallest value among the intervals ending
    below its start (every such value is smaller than its own, and the relative gap grows as
    the partner's value falls); above, the largest value among intervals starting above its
    end. Sweeps by interval end and by start keep the two extreme values from different
    articles. The pairwise judge names the first most distant pair (i < j): i is the first
    claim with a partner that distant, j its first such partner, found by one pass."""
    n = len(rows)
    by_end = sorted(range(n), key=lambda k: rows[k][4])
    ends = [rows[k][4] for k in by_end]
    low = _extremes(rows, by_end, 1.0)
    by_start = sorted(range(n), key=lambda k: rows[k][3])
    starts = [rows[k][3] for k in by_start]
    high = _extremes(rows, by_start[::-1], -1.0)  # high[m]: among the m latest starts
    j = Judgement("consistent")
    best_sev, first = -1.0, -1
    for i, (cid, art, v, lo, hi) in enumerate(rows):
        partners = (
            low[bisect.bisect_left(ends, lo)],  # intervals ending below lo
            high[n - bisect.bisect_right(starts, hi)],  # intervals starting above hi
        )
        for two in partners:
            p = two[0] if two[0] is not None and rows[two[0][1]][1] != art else two[1]
            if p is None:
                continue
            j.verdict = "conflict"
            j.in_conflict.update((cid, rows[p[1]][0]))
            sev = relative_gap(v, rows[p[1]][2])
            if sev > best_sev:
                best_sev, first = sev, i
    if first < 0:
        return j
    # The first claim reaching the greatest distance, and its first partner at that distance.
    _, art, v, lo, hi = rows[first]
    for k in range(first + 1, n):
        _, art2, v2, lo2, hi2 = rows[k]
        if art2 != art and (hi2 < lo or lo2 > hi) and relative_gap(v, v2) == best_sev:
            j.severity, j.worst = best_sev, (rows[first][0], rows[k][0])
            return j
    raise AssertionError("the most distant partner comes after the first claim reaching it")


def _evidence_part(c: Any) -> int:
    text = f"{c.id}:{c.value!r}:{c.low!r}:{c.high!r}:{c.unit}:{c.hedge}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


_EVIDENCE_MOD = 1 << 256


def evidence_hash(claims: Sequence[Any], start: str | None = None) -> str:
    """Hash of claims' ids, values, bounds, units and hedges: the sum of each claim's SHA-256
    modulo 2**256 (64 hex digits), so the order does not matter and a claim joining a group
    updates its hash (``start``: the hash of the claims already in it) without the others."""
    total = int(start, 16) if start else 0
    total += sum(_evidence_part(c) for c in claims)
    return f"{total % _EVIDENCE_MOD:064x}"


# --------------------------------------------------------------------------- incremental


def link_article(session: Session, article_id: int) -> LinkResult:
    """Link one stored article's quotes and claims (see :func:`link_articles`)."""
    return link_articles(session, [article_id])


# A quote's normalised words and blocking keys, by quote text: what ingest's workers work
# out beside the extraction (:func:`prepare_quote`), so the writer need not.
Prepared = dict[str, tuple[str, frozenset[int]]]


def prepare_quote(text: str) -> tuple[str, frozenset[int]]:
    """(normalised words, blocking keys) of a quote text: a pure function of the text."""
    norm = normalise_quote(text)
    return norm, frozenset(quote_keys(norm))


def link_articles(
    session: Session, article_ids: Sequence[int], prepared: Prepared | None = None
) -> LinkResult:
    """Link newly stored articles' quotes and claims; flag conflicts their figures create.

    Articles are linked in id order, as one-by-one calls would, in one pass: a batch costs
    a few statements, not a few per article. Cost grows with the articles' quotes and
    claims and the blocks they touch, not with the database: a claim group's judgement is
    kept up to date as figures join (:func:`_judge_added`). Linking an article twice
    changes nothing. ``prepared``: :func:`prepare_quote` of quote texts, worked out
    elsewhere (texts missing from it are prepared here).
    """
    t0 = time.perf_counter()
    res = LinkResult()
    ids = sorted(set(article_ids))
    if ids:
        with _collector_paused():
            _link_quotes(session, ids, res, prepared or {})
            _link_claims(session, ids, res)
            session.flush()
    res.seconds = time.perf_counter() - t0
    return res


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is linked. A step builds large maps of
    keys, postings and scores that live until it ends; the collector kept re-walking them,
    and found almost nothing to free: 2,048-article steps of the benchmark corpus leave
    160-290 unreachable objects between them. Ingest with 2 jobs spent 1.5 s of its 24 s
    of linking per 10k articles in collections, all but 0.06 s of its collection time.
    Reference counting still frees everything else; the collector resumes after the step."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# PostgreSQL advisory-lock key that serialises linking across concurrent ingesters and
# `tracker link` runs (an arbitrary constant: the bytes of "tracker!").
LINK_LOCK_KEY = 0x747261636B657221


def link_queued(
    session: Session, limit: int | None = None, prepared: Prepared | None = None
) -> tuple[LinkResult, int]:
    """Link up to ``limit`` queued articles (oldest first) and take them off the queue.

    Returns (what changed, articles linked). Runs inside the caller's transaction, so the
    links and the queue rows they replace commit together. Concurrent linkers take turns:
    SQLite's BEGIN IMMEDIATE serialises writers already; on PostgreSQL linking reads group
    members and writes group sizes and flags, and two linkers at once under READ COMMITTED
    overwrote each other's sizes (tests/reliability/test_concurrency.py), so it holds a
    transaction-scoped advisory lock and reads the queue only once it has it.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text  # (local: "text" names quote texts all over this module)

        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LINK_LOCK_KEY})
    stmt = select(LinkQueue.article_id).order_by(LinkQueue.article_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    ids = list(session.scalars(stmt))
    if not ids:
        return LinkResult(), 0
    from tracker.search import index_articles

    index_articles(session, ids)  # SQLite's full-text index, a batch at a time
    res = link_articles(session, ids, prepared)
    for chunk in _chunks(ids, 500):
        session.execute(delete(LinkQueue).where(LinkQueue.article_id.in_(chunk)))
    return res, len(ids)


class _NewGroup:
    """A quote group created by this call, inserted once the article's quotes are decided.

    Ordered after every stored group and among themselves by creation, as their ids will be.
    """

    __slots__ = ("seq", "id")

    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.id: int | None = None


def _order(h: int | _NewGroup) -> tuple[int, int]:
    return (1, h.seq) if isinstance(h, _NewGroup) else (0, h)


_STMTS: dict[str, Any] = {}


def _stmt(name: str) -> Any:
    """Statements of incremental linking, built once (construction cost more than running them)."""
    if not _STMTS:
        keys = bindparam("keys", expanding=True)
        ids = bindparam("ids", expanding=True)
        _STMTS["new_quotes"] = (
            select(Quote.id, Quote.text, Quote.person_id, Person.name, Article.published, Quote.article_id)
            .join(Article, Article.id == Quote.article_id)
            .outerjoin(Person, Person.id == Quote.person_id)
            .outerjoin(QuoteGroupMember, QuoteGroupMember.quote_id == Quote.id)
            .where(
                Quote.article_id.in_(bindparam("aids", expanding=True)), QuoteGroupMember.quote_id.is_(None)
            )
        )
        # Postings of the keys, stock keys (LinkStockKey) excepted: those come back once with
        # item NULL, so a posting list read is never longer than MAX_POSTING.
        stock = select(LinkStockKey.key).where(LinkStockKey.kind == "q", LinkStockKey.key.in_(keys))
        _STMTS["postings"] = union_all(
            select(LinkKey.key, LinkKey.item_id, QuoteGroupMember.group_id, QuoteGroupMember.n_keys)
            .join(QuoteGroupMember, QuoteGroupMember.quote_id == LinkKey.item_id)
            .where(LinkKey.kind == "q", LinkKey.key.in_(keys), LinkKey.key.not_in(stock)),
            select(LinkStockKey.key, null(), null(), null()).where(
                LinkStockKey.kind == "q", LinkStockKey.key.in_(keys)
            ),
        )
        _STMTS["known"] = (
            select(
                QuoteGroupMember.quote_id,
                QuoteGroupMember.norm,
                case((QuoteGroupMember.norm.is_(None), Quote.text)),
                Person.name,
                QuoteGroupMember.group_id,
            )
            .join(Quote, Quote.id == QuoteGroupMember.quote_id)
            .outerjoin(Person, Person.id == Quote.person_id)
            .where(QuoteGroupMember.quote_id.in_(ids))
        )
        _STMTS["members_of"] = (
            select(QuoteGroupMember.group_id, Quote.id, Quote.text, Quote.person_id, Article.published)
            .join(Quote, Quote.id == QuoteGroupMember.quote_id)
            .join(Article, Article.id == Quote.article_id)
            .where(QuoteGroupMember.group_id.in_(ids))
            .order_by(Quote.id)
        )
        _STMTS["group_state"] = (
            select(
                QuoteGroup.id,
                QuoteGroup.size,
                QuoteGroup.first_published,
                QuoteGroup.person_id,
                Quote.id,
                Quote.text,
                Article.published,
            )
            .outerjoin(Quote, Quote.id == QuoteGroup.quote_id)
            .outerjoin(Article, Article.id == Quote.article_id)
            .where(QuoteGroup.id.in_(ids))
        )
        _STMTS["speakers_of"] = select(
            QuoteGroupSpeaker.group_id,
            QuoteGroupSpeaker.person_id,
            QuoteGroupSpeaker.quotes,
            QuoteGroupSpeaker.first_quote_id,
        ).where(QuoteGroupSpeaker.group_id.in_(ids))
        qg = QuoteGroup.__table__
        _STMTS["group_update"] = (
            update(qg)
            .where(qg.c.id == bindparam("b_id"))
            .values(
                quote_id=bindparam("b_quote"),
                person_id=bindparam("b_person"),
                size=bindparam("b_size"),
                first_published=bindparam("b_first"),
                updated_at=bindparam("b_at"),
            )
        )
    return _STMTS[name]


def _link_quotes(session: Session, article_ids: Sequence[int], res: LinkResult, prepared: Prepared) -> None:
    # Core rows through the connection, fetched at once: the hot reads of linking.
    conn = session.connection()
    rows = []
    for chunk in _chunks(article_ids, 500):
        rows.extend(conn.execute(_stmt("new_quotes"), {"aids": list(chunk)}).all())
    if not rows:
        return
    rows.sort(key=lambda r: (r[5], r[0]))  # article by article, as when linked one by one
    published_of = {r[0]: r[4] for r in rows}
    person_of = {r[0]: r[2] for r in rows}
    text_of = {r[0]: r[1] for r in rows}
    article_of = {r[0]: r[5] for r in rows}
    ready = {qid: prepared.get(text) or prepare_quote(text) for qid, text, *_ in rows}
    news = [(qid, ready[qid][0], speaker_key(name)) for qid, _, _, name, *_ in rows]
    keys = {qid: ready[qid][1] for qid, _, _ in news}
    all_keys = sorted(set().union(*keys.values()))
    postings: dict[int, list[int]] = defaultdict(list)
    group_of: dict[int, int | _NewGroup] = {}
    n_keys: dict[int, int | None] = {}
    # A key held by more than MAX_POSTING groups is a stock phrase: ignored (and listed in
    # link_stock_keys once it gets there, so its postings are not read again).
    stock: set[int] = set()
    for chunk in _chunks(all_keys, 500):
        for key, item, gid, nk in conn.execute(_stmt("postings"), {"keys": list(chunk)}).all():
            if item is None:
                stock.add(key)
            else:
                postings[key].append(item)
                group_of[item] = gid
                n_keys[item] = nk
    missing = sorted(i for i, n in n_keys.items() if n is None)
    for chunk in _chunks(missing, 500):  # rows linked before key counts were stored
        n_keys.update(
            session.execute(
                select(LinkKey.item_id, func.count())
                .where(LinkKey.kind == "q", LinkKey.item_id.in_(chunk))
                .group_by(LinkKey.item_id)
            ).all()
        )
    # Groups are decided in memory and written at the end: a stored group's id, or a
    # _NewGroup; `merged` redirects a group merged away to the one that kept its members.
    merged: dict[int | _NewGroup, int | _NewGroup] = {}

    def alive(h: int | _NewGroup) -> int | _NewGroup:
        while h in merged:
            h = merged[h]
        return h

    # This batch's quotes, by key, as the loop below decides them: a quote's candidates are
    # the stored ones found before the loop plus the batch's earlier quotes.
    batch: dict[int, list[int]] = defaultdict(list)

    # The keys each new quote is blocked on (as _blocking_lists chooses them), kept for the
    # batch part too: a key no stored quote holds yet may be in the batch.
    selected = {
        qid: [k for k in keys[qid] if k not in stock and len(postings.get(k, ())) <= MAX_POSTING]
        for qid, _norm, _p in news
    }

    # Items with fewer than MULTI_KEY_MIN keys, for _passing's set operations (this batch's
    # quotes join as they are linked).
    few = {i for i, n in n_keys.items() if (n or 0) < MULTI_KEY_MIN}

    def passing(qid: int, lists: dict[int, list[int]]) -> list[int]:
        """Quotes in ``lists`` sharing enough of qid's selected keys to be compared."""
        return _passing(
            len(keys[qid]), [items for k in selected[qid] if (items := lists.get(k))], n_keys, few
        )

    stored_cands = {qid: passing(qid, postings) for qid, _norm, _p in news}
    cand_ids = set().union(*stored_cands.values())
    known: dict[int, tuple[str, str | None]] = {}
    for chunk in _chunks(sorted(cand_ids), 500):
        for qid, norm, text, name, gid in conn.execute(_stmt("known"), {"ids": list(chunk)}).all():
            known[qid] = (norm if norm is not None else normalise_quote(text), speaker_key(name))
            group_of[qid] = gid

    scores: Scores = {}
    new_groups: list[_NewGroup] = []
    grown: set[int] = set()
    remerged: set[int] = set()  # stored groups that took in another stored group's members
    member_rows: list[dict[str, Any]] = []
    key_rows: list[dict[str, Any]] = []
    # A key turns stock once its postings pass MAX_POSTING, checked after each article as
    # when articles are linked one by one: a batch's later articles no longer use it, so
    # the batch size never changes the links (and long batches cost less per article).
    stock_now = set(stock)
    article_keys: set[int] = set()
    current_article = None

    def close_article() -> None:
        for k in article_keys:
            if k not in stock_now and len(postings.get(k, ())) + len(batch.get(k, ())) > MAX_POSTING:
                stock_now.add(k)
        article_keys.clear()

    for qid, norm, person in news:
        if article_of[qid] != current_article:
            close_article()
            current_article = article_of[qid]
        res.quotes += 1
        nk = len(keys[qid])
        from_stored = stored_cands[qid]
        if len(stock_now) > len(stock) and any(k in stock_now for k in selected[qid]):
            selected[qid] = [k for k in selected[qid] if k not in stock_now]
            from_stored = passing(qid, postings)  # fewer keys: a subset of those prefetched
        cands = [i for i in from_stored if i in known] + passing(qid, batch)
        matches = _best_match(norm, person, ((i, known[i][0], known[i][1]) for i in cands), scores)
        member: dict[str, Any] = {
            "quote_id": qid,
            "matched_quote_id": None,
            "score": None,
            "relation": "first",
            "norm": norm,
            "n_keys": nk,
        }
        if matches:
            best = matches[0]
            h = alive(group_of[best[0]])
            for i, score, rel in matches[1:]:
                other = alive(group_of[i])
                if other != h and _tight(score, rel):
                    keep, drop = sorted((h, other), key=_order)
                    if not isinstance(drop, _NewGroup):
                        # Both stored (a new group always sorts after a stored one).
                        _merge_quote_groups(session, keep, drop)  # type: ignore[arg-type]
                        grown.discard(drop)
                        remerged.add(keep)  # type: ignore[arg-type]
                    merged[drop] = keep
                    h = keep
            member["matched_quote_id"], member["score"], member["relation"] = best
            if not isinstance(h, _NewGroup):
                grown.add(h)
            res.quotes_linked += 1
        else:
            h = _NewGroup(len(new_groups))
            new_groups.append(h)
        member_rows.append(member)
        group_of[qid] = h
        known[qid] = (norm, person)
        n_keys[qid] = nk
        if nk < MULTI_KEY_MIN:
            few.add(qid)
        # A group needs each key posted once: a repeat adds only the keys its group lacks,
        # so a quotation repeated a thousand times is one posting, not a stock phrase.
        article_keys.update(keys[qid])
        for k in keys[qid]:
            if k in stock_now:
                continue
            if matches and any(alive(group_of[i]) == h for i in (*postings.get(k, ()), *batch.get(k, ()))):
                continue
            batch[k].append(qid)
            key_rows.append({"kind": "q", "key": k, "item_id": qid})
    # New groups still alive hold only this article's quotes: their summary is known here.
    live = [g for g in new_groups if g not in merged]
    if live:
        groups_members: dict[_NewGroup, list[tuple[int, str, int | None, dt.date | None]]] = defaultdict(list)
        for qid, _n, _p in news:
            h = alive(group_of[qid])
            if isinstance(h, _NewGroup):
                groups_members[h].append((qid, text_of[qid], person_of[qid], published_of[qid]))
        now = utcnow()
        group_rows = [_group_summary(groups_members[g], now) for g in live]
        speaker_rows = []
        for g, gid in zip(live, _insert_ids(session, QuoteGroup, group_rows), strict=True):
            g.id = gid
            speaker_rows.extend(_speaker_rows(gid, _speaker_counts(groups_members[g])))
        if speaker_rows:
            insert_rows(session.connection(), QuoteGroupSpeaker.__table__, speaker_rows)
    for m, (qid, _n, _p) in zip(member_rows, news, strict=True):
        h = alive(group_of[qid])
        m["group_id"] = h.id if isinstance(h, _NewGroup) else h
    insert_rows(conn, QuoteGroupMember.__table__, member_rows)
    if key_rows:
        insert_rows(conn, LinkKey.__table__, key_rows)
    close_article()
    crossed = [{"kind": "q", "key": k} for k in sorted(stock_now - stock)]
    if crossed:
        insert_rows(conn, LinkStockKey.__table__, crossed)
    # A stored group that gained members is updated from them alone; one a merge changed
    # (rare) is recomputed from all its members.
    full = {alive(g) for g in remerged}
    joined: dict[int, list[tuple[int, str, int | None, dt.date | None]]] = defaultdict(list)
    for qid, _n, _p in news:
        h = alive(group_of[qid])
        if not isinstance(h, _NewGroup) and h not in full:
            joined[h].append((qid, text_of[qid], person_of[qid], published_of[qid]))
    full.update(_grow_quote_groups(session, joined))
    _refresh_quote_groups(session, sorted(full))  # type: ignore[arg-type]
    res.quote_groups += len(live) + len(grown)


def _merge_quote_groups(session: Session, keep: int, drop: int) -> None:
    session.flush()
    session.execute(update(QuoteGroupMember).where(QuoteGroupMember.group_id == drop).values(group_id=keep))
    session.execute(delete(QuoteGroupSpeaker).where(QuoteGroupSpeaker.group_id == drop))
    session.execute(delete(QuoteGroup).where(QuoteGroup.id == drop))


def _refresh_quote_groups(session: Session, gids: Sequence[int]) -> None:
    """Recompute size, speaker, first appearance and representative wording of groups, and
    their speaker counts, from all their members (groups a merge changed)."""
    if not gids:
        return
    rows: dict[int, list[tuple[int, str, int | None, dt.date | None]]] = defaultdict(list)
    for chunk in _chunks(list(gids), 500):
        for gid, qid, text, person, pub in session.execute(_stmt("members_of"), {"ids": list(chunk)}):
            rows[gid].append((qid, text, person, pub))
        session.execute(delete(QuoteGroupSpeaker).where(QuoteGroupSpeaker.group_id.in_(chunk)))
    now = utcnow()
    updates = []
    speakers = []
    for gid in gids:
        if not rows[gid]:
            session.execute(delete(QuoteGroup).where(QuoteGroup.id == gid))
            continue
        v = _group_summary(rows[gid])
        updates.append(_group_update(gid, v, now))
        speakers.extend(_speaker_rows(gid, _speaker_counts(rows[gid])))
    if updates:
        session.connection().execute(_stmt("group_update"), updates)
    if speakers:
        insert_rows(session.connection(), QuoteGroupSpeaker.__table__, speakers)


def _grow_quote_groups(
    session: Session, new: dict[int, list[tuple[int, str, int | None, dt.date | None]]]
) -> list[int]:
    """Update stored groups for their ``new`` members alone (group id -> member rows).

    Size, first appearance and representative wording follow from the stored summary and
    the new rows, the speaker from the speaker counts (updated here). Reading every member
    again made a quotation repeated in every article cost more with each one. Returns the
    groups whose summary cannot be updated so (their representative appearance is gone):
    those need :func:`_refresh_quote_groups`.
    """
    if not new:
        return []
    gids = sorted(new)
    current: dict[int, tuple[Any, ...]] = {}
    for chunk in _chunks(gids, 500):
        for gid, size, first, person, qid, text, pub in session.execute(
            _stmt("group_state"), {"ids": list(chunk)}
        ):
            current[gid] = (size, first, person, (qid, text, None, pub) if qid is not None else None)
    counts = {gid: _speaker_counts(rows) for gid, rows in new.items()}
    upserts = [r for gid in gids for r in _speaker_rows(gid, counts[gid])]
    leaders: dict[int, tuple[int, int, int]] = {}
    if upserts:
        session.connection().execute(_speaker_upsert(session), upserts)
        for chunk in _chunks([gid for gid in gids if counts[gid]], 500):
            for gid, person, n, first in session.execute(_stmt("speakers_of"), {"ids": list(chunk)}):
                if gid not in leaders or _speaker_rank(n, first) < _speaker_rank(*leaders[gid][1:]):
                    leaders[gid] = (person, n, first)
    now = utcnow()
    updates, stale = [], []
    for gid in gids:
        state = current.get(gid)
        if state is None or state[3] is None:
            stale.append(gid)
            continue
        size, first, person, rep = state
        rows = new[gid]
        dates = [d for d in (first, *(r[3] for r in rows)) if d is not None]
        v = {
            "quote_id": min((rep, *rows), key=_rep_rank)[0],
            # No new member names a speaker: the counts, and so the speaker, are as they were.
            "person_id": leaders[gid][0] if gid in leaders else person,
            "size": size + len(rows),
            "first_published": min(dates) if dates else None,
        }
        updates.append(_group_update(gid, v, now))
    if updates:
        session.connection().execute(_stmt("group_update"), updates)
    return stale


def _group_update(gid: int, v: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "b_id": gid,
        "b_quote": v["quote_id"],
        "b_person": v["person_id"],
        "b_size": v["size"],
        "b_first": v["first_published"],
        "b_at": now,
    }


_FAR = dt.date.max
# A group member as summaries read it: (quote id, text, person id, published).
MemberRow = tuple[int, str, int | None, dt.date | None]


def _rep_rank(r: tuple[int, str, int | None, dt.date | None]) -> tuple[int, dt.date, int]:
    """The most complete wording stands for a group; ties go to the earliest appearance."""
    return (-len(r[1]), r[3] or _FAR, r[0])


def _speaker_rank(n: int, first: int) -> tuple[int, int]:
    """A group's speaker is the one most appearances name; ties go to the earliest named."""
    return (-n, first)


def _speaker_counts(rows: Iterable[MemberRow]) -> dict[int, tuple[int, int]]:
    """person id -> (appearances naming them, earliest such quote id) among member rows."""
    out: dict[int, tuple[int, int]] = {}
    for qid, _text, person, _pub in rows:
        if person is not None:
            n, first = out.get(person, (0, qid))
            out[person] = (n + 1, min(first, qid))
    return out


def _speaker_rows(gid: int, counts: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {"group_id": gid, "person_id": p, "quotes": n, "first_quote_id": first}
        for p, (n, first) in counts.items()
    ]


def _speaker_upsert(session: Session) -> Any:
    """Add appearances to a group's speaker counts (an insert for a speaker new to it)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    t = QuoteGroupSpeaker.__table__
    ins = dialect_insert(t)
    return ins.on_conflict_do_update(
        index_elements=["group_id", "person_id"],
        set_={
            "quotes": t.c.quotes + ins.excluded.quotes,
            "first_quote_id": case(
                (ins.excluded.first_quote_id < t.c.first_quote_id, ins.excluded.first_quote_id),
                else_=t.c.first_quote_id,
            ),
        },
    )


def move_speaker(session: Session, old: int, new: int) -> None:
    """Count person ``old``'s appearances in quote groups as ``new``'s (``tracker people
    merge``; the caller moves the quotes) and choose those groups' speakers again."""
    rows = session.execute(
        select(QuoteGroupSpeaker.group_id, QuoteGroupSpeaker.quotes, QuoteGroupSpeaker.first_quote_id).where(
            QuoteGroupSpeaker.person_id == old
        )
    ).all()
    if not rows:
        return
    session.execute(delete(QuoteGroupSpeaker).where(QuoteGroupSpeaker.person_id == old))
    session.connection().execute(
        _speaker_upsert(session),
        [{"group_id": gid, "person_id": new, "quotes": n, "first_quote_id": first} for gid, n, first in rows],
    )
    gids = sorted(gid for gid, _n, _f in rows)
    leaders: dict[int, tuple[int, int, int]] = {}
    for chunk in _chunks(gids, 500):
        for gid, person, n, first in session.execute(_stmt("speakers_of"), {"ids": list(chunk)}):
            if gid not in leaders or _speaker_rank(n, first) < _speaker_rank(*leaders[gid][1:]):
                leaders[gid] = (person, n, first)
    session.connection().execute(
        update(QuoteGroup.__table__)
        .where(QuoteGroup.__table__.c.id == bindparam("b_id"))
        .values(person_id=bindparam("b_person")),
        [{"b_id": gid, "b_person": leaders[gid][0]} for gid in gids],
    )


def _group_summary(
    rows: Sequence[tuple[int, str, int | None, dt.date | None]], now: dt.datetime | None = None
) -> dict[str, Any]:
    """A group's columns from its members (id, text, person, published); with ``now``, a new
    group's row (its updated_at given, one stamp for the statement: a computed default
    would make the insert take SQLAlchemy's per-row path)."""
    counts = _speaker_counts(rows)
    dates = [r[3] for r in rows if r[3] is not None]
    out = {
        "quote_id": min(rows, key=_rep_rank)[0],
        "person_id": min(counts, key=lambda p: _speaker_rank(*counts[p])) if counts else None,
        "size": len(rows),
        "first_published": min(dates) if dates else None,
    }
    if now is not None:
        out["updated_at"] = now
    return out


# A flag brought in line, with its claims before and now (claim id -> in conflict).
FlagSync = tuple[Flag, dict[int, bool], dict[int, bool]]


def _judge_row(c: Any) -> _JudgeRow:
    """A claim as judging reads it: (id, article id, value, interval low, interval high)."""
    return (c.id, c.article_id, c.value or 0.0, *_interval(c.surface, c.value, c.low, c.high, c.hedge))


def _regular(row: _JudgeRow) -> bool:
    """A figure :func:`_judge_added` can judge: non-negative and inside its own interval (a
    conflicting partner's distance then grows as its value moves away)."""
    _, _, v, lo, hi = row
    return 0.0 <= v and lo <= v <= hi


def _bound(x: float) -> float | None:
    """An interval end as stored: NULL for an unbounded side."""
    return None if math.isinf(x) else x


_CLAIM_STMTS: dict[str, Any] = {}


def _claim_stmt(name: str) -> Any:
    """Queries of :func:`_judge_added`, built once: a group's members nearest in value among
    those a new figure conflicts with, and those it puts in conflict."""
    if not _CLAIM_STMTS:
        m = ClaimGroupMember.__table__.c
        g, lo, hi, art = bindparam("g"), bindparam("lo"), bindparam("hi"), bindparam("art")
        # Members whose interval ends below lo: their values are below lo too (a judged
        # member holds its value), so the index range on (group_id, value) bounds the scan.
        _CLAIM_STMTS["below"] = (
            select(m.claim_id, m.value)
            .where(m.group_id == g, m.value < lo, m.hi < lo, m.article_id != art)
            .order_by(m.value, m.claim_id)
            .limit(1)
        )
        _CLAIM_STMTS["above"] = (
            select(m.claim_id, m.value)
            .where(m.group_id == g, m.value > hi, m.lo > hi, m.article_id != art)
            .order_by(m.value.desc(), m.claim_id)
            .limit(1)
        )
        # Members a figure puts in conflict: non-conflicting ones whose interval ends below
        # its own or starts above it. Two index ranges, on (group_id, in_conflict, hi) and
        # (group_id, in_conflict, lo), read just those members (each turns at most once):
        # one range over the group's non-conflicting members read them all, again for every
        # figure in conflict, and they grow with the group (1M bench articles: 15% of the ingest writer).
        calm_member = (m.group_id == g, m.in_conflict == false(), m.article_id != art)
        _CLAIM_STMTS["flips"] = union_all(
            select(m.claim_id).where(*calm_member, m.hi < lo),
            select(m.claim_id).where(*calm_member, m.lo > hi),
        ).order_by("claim_id")
        _CLAIM_STMTS["members"] = select(m.claim_id, m.in_conflict).where(m.group_id == g)
        cols = (m.value, m.claim_id, m.article_id, m.lo, m.hi)
        ends = [
            select(*cols, literal(side).label("side")).where(m.group_id == g).order_by(*order).limit(ENDS)
            for side, order in ((0, (m.value, m.claim_id)), (1, (m.value.desc(), m.claim_id)))
        ]
        calm = (
            select(*cols, literal(2).label("side"))
            .where(m.group_id == g, m.in_conflict == false())
            .order_by(m.claim_id)
            .limit(CALM_READ + 1)
        )
        _CLAIM_STMTS["ends"] = union_all(*(select(e.subquery()) for e in ends))
        _CLAIM_STMTS["ends_calm"] = union_all(*(select(e.subquery()) for e in (*ends, calm)))
        _CLAIM_STMTS["flip"] = (
            update(ClaimGroupMember.__table__)
            .where(m.claim_id == bindparam("b_claim"))
            .values(in_conflict=True)
        )
        _CLAIM_STMTS["record"] = (
            update(ClaimGroupMember.__table__)
            .where(m.claim_id == bindparam("b_claim"))
            .values(
                article_id=bindparam("b_article"),
                value=bindparam("b_value"),
                lo=bindparam("b_lo"),
                hi=bindparam("b_hi"),
                in_conflict=bindparam("b_conflict"),
            )
        )
    return _CLAIM_STMTS[name]


@dataclass
class _Added:
    """What :func:`_judge_added` decided for a group: its members' rows to insert, stored
    members now in conflict, and the judgement of the whole group."""

    rows: list[dict[str, Any]]
    flips: list[int]
    judgement: Judgement
    conflicting: int


# The members at each end of a group's values read for all the groups of a batch at once
# (:func:`_ends`): most new figures find their partner among them, or find that none exists.
ENDS = 4

# A stored member as the ends list it: (value, id, article, lo, hi), lo/hi None = unbounded.
_End = tuple[float, int, int, float | None, float | None]


# A group's non-conflicting members are read with its ends when there are at most this
# many, so the figures that put them in conflict need no statement of their own.
CALM_READ = 32

# What :func:`_ends` reads of a group: its lowest and highest members, and its members not
# in conflict (all of them, or an empty list when there are more than CALM_READ).
_GroupEnds = tuple[list[_End], list[_End], list[_End]]

# PostgreSQL: every group of a batch in one statement (a statement per group is a round
# trip each; SQLite runs in-process, where one small cached statement per group is cheapest).
_PG_ENDS = f"""
SELECT g.id, e.value, e.claim_id, e.article_id, e.lo, e.hi, e.side
FROM unnest(CAST(:ids AS integer[]), CAST(:calm AS boolean[])) AS g(id, calm) CROSS JOIN LATERAL (
  (SELECT value, claim_id, article_id, lo, hi, 0 AS side FROM claim_group_members
   WHERE group_id = g.id ORDER BY value, claim_id LIMIT {ENDS})
  UNION ALL
  (SELECT value, claim_id, article_id, lo, hi, 1 FROM claim_group_members
   WHERE group_id = g.id ORDER BY value DESC, claim_id LIMIT {ENDS})
  UNION ALL
  (SELECT value, claim_id, article_id, lo, hi, 2 FROM claim_group_members
   WHERE g.calm AND group_id = g.id AND in_conflict = false ORDER BY claim_id LIMIT {CALM_READ + 1})
) AS e"""


def _ends(conn: Any, groups: Sequence[ClaimGroup]) -> dict[int, _GroupEnds]:
    """The ENDS lowest and ENDS highest members of each group (by value, then id), in that
    order, and its non-conflicting members when it has at most CALM_READ of them: index
    ranges on (group_id, value, claim_id), (group_id, value DESC, claim_id) and (group_id,
    in_conflict, ...). The groups' recorded counts tell which have so few non-conflicting
    members; the others' are not read. In the 1M-article bench database, where groups
    hold about 100 such members, reading 33 of them to throw away cost 0.27 ms a group
    against 0.07 ms for the ends alone."""
    got: dict[int, list[list[_End]]] = {g.id: [[], [], []] for g in groups}
    few = {g.id: g.size - (g.conflicting or 0) <= CALM_READ for g in groups}
    if conn.dialect.name == "postgresql":
        from sqlalchemy import text

        for chunk in _chunks(list(got), 500):
            params = {"ids": list(chunk), "calm": [few[gid] for gid in chunk]}
            for gid, value, cid, art, lo, hi, side in conn.execute(text(_PG_ENDS), params):
                got[gid][side].append((value, cid, art, lo, hi))
    else:
        plain, with_calm = _claim_stmt("ends"), _claim_stmt("ends_calm")
        for gid in got:
            stmt = with_calm if few[gid] else plain
            for value, cid, art, lo, hi, side in conn.execute(stmt, {"g": gid}).all():
                got[gid][side].append((value, cid, art, lo, hi))
    out: dict[int, _GroupEnds] = {}
    for gid, (low, high, calm) in got.items():
        low.sort(key=lambda e: (e[0], e[1]))
        high.sort(key=lambda e: (-e[0], e[1]))
        out[gid] = (low, high, calm if len(calm) <= CALM_READ else [])
    return out


def _judge_added(
    conn: Any,
    group: ClaimGroup,
    added: Sequence[tuple[Any, float]],
    ends: _GroupEnds | None,
) -> _Added:
    """Judge a group as :func:`judge` would judge all its claims, reading only the members
    the ``added`` claims (row, metric score; in id order) conflict with.

    Pairs among the stored members are judged already (``group.conflicting``, ``severity``,
    ``worst_a``/``worst_b``); only pairs with an added claim are new. An added claim's most
    distant partner is the lowest value among intervals ending below its own, or the
    highest among those starting above it. ``ends`` holds the group's lowest and highest
    members (:func:`_ends`; None for a group created by this batch, with nothing stored):
    the partner is usually among them, or they show there is none, as a member's value
    lies in its interval; otherwise one indexed query finds it. Members an added claim
    puts in conflict are among the group's non-conflicting ones: read with the ends when
    they are few, else queried, and only while there are any. Every figure involved must
    be :func:`_regular` (the caller checks)."""
    conflicting = group.conflicting or 0
    calm = group.size - conflicting if ends is not None else 0  # stored members not in conflict
    severity = group.severity or 0.0
    worst = (group.worst_a, group.worst_b) if group.worst_a is not None else None
    flips: list[int] = []
    flipped: set[int] = set()
    mine: list[list[Any]] = []  # the added claims so far: [id, article, value, lo, hi, in conflict]
    rows: list[dict[str, Any]] = []
    inf = math.inf
    for c, score in added:
        cid, art, v, lo, hi = _judge_row(c)
        below: tuple[float, int] | None = None  # (value, id) of the lowest partner below
        above: tuple[float, int] | None = None  # (-value, id) of the highest partner above
        if ends is not None and lo > -inf:
            below = _end_partner(conn, group, ends[0], lo, art, "below")
        if ends is not None and hi < inf:
            above = _end_partner(conn, group, ends[1], hi, art, "above")
        for b in mine:
            if b[1] == art:
                continue
            if b[4] < lo and (below is None or (b[2], b[0]) < below):
                below = (b[2], b[0])
            if b[3] > hi and (above is None or (-b[2], b[0]) < above):
                above = (-b[2], b[0])
        hit = below is not None or above is not None
        if hit:
            conflicting += 1
            if calm:
                assert ends is not None
                if len(ends[2]) == calm + len(flipped):  # every calm member was read
                    found = [
                        e[1]
                        for e in ends[2]
                        if e[2] != art
                        and ((e[4] is not None and e[4] < lo) or (e[3] is not None and e[3] > hi))
                    ]
                else:
                    params = {"g": group.id, "lo": _bound(lo), "hi": _bound(hi), "art": art}
                    found = list(conn.execute(_claim_stmt("flips"), params).scalars())
                for i in found:
                    if i not in flipped:
                        flipped.add(i)
                        flips.append(i)
                        conflicting += 1
                        calm -= 1
            for b in mine:
                if not b[5] and b[1] != art and (b[4] < lo or b[3] > hi):
                    b[5] = True
                    conflicting += 1
            for value, pid in (p for p in (below, above) if p is not None):
                sev = relative_gap(v, abs(value))
                pair = (min(cid, pid), max(cid, pid))
                if worst is None or sev > severity or (sev == severity and pair < worst):
                    severity, worst = sev, pair
        mine.append([cid, art, v, lo, hi, hit])
        rows.append({"claim_id": cid, "group_id": group.id, "metric_score": score})
    for row, b in zip(rows, mine, strict=True):
        row.update(article_id=b[1], value=b[2], lo=_bound(b[3]), hi=_bound(b[4]), in_conflict=b[5])
    size = group.size + len(added)
    if conflicting:
        j = Judgement("conflict", severity, worst=worst)
    else:
        j = Judgement("consistent" if size > 1 else "single")
    return _Added(rows, flips, j, conflicting)


def _end_partner(
    conn: Any, group: ClaimGroup, end: list[_End], bound: float, art: int, side: str
) -> tuple[float, int] | None:
    """The stored member farthest from a figure among those whose interval ends below its
    low ``bound`` (side "below": the lowest value, as (value, id)) or starts above its high
    one ("above": the highest, as (-value, id)); the first of equals by id. ``end`` is the
    group's ENDS members on that side, nearest the end first."""
    below = side == "below"
    for value, cid, other, lo, hi in end:
        if (value >= bound) if below else (value <= bound):
            return None  # values from here on lie in intervals reaching the figure's own
        if other != art and ((hi is not None and hi < bound) if below else (lo is not None and lo > bound)):
            return (value, cid) if below else (-value, cid)
    if len(end) < ENDS or len(end) >= group.size:
        return None  # the whole group was read
    key = "lo" if below else "hi"
    r = conn.execute(_claim_stmt(side), {"g": group.id, key: bound, "art": art}).first()
    if r is None:
        return None
    return (r[1], r[0]) if below else (-r[1], r[0])


def _link_claims(session: Session, article_ids: Sequence[int], res: LinkResult) -> None:
    rows: list[ClaimRow] = []
    grouped: set[int] = set()  # claims already in a group
    conn = session.connection()
    for chunk in _chunks(article_ids, 500):
        part = conn.execute(
            select(*CLAIM_COLS, ClaimGroupMember.claim_id)
            .outerjoin(ClaimGroupMember, ClaimGroupMember.claim_id == Claim.id)
            .where(Claim.article_id.in_(chunk))
        ).all()
        rows.extend(_as_claims(part))
        grouped.update(r[-1] for r in part if r[-1] is not None)
    rows.sort(key=lambda c: c.id)
    by_article: dict[int, list[Any]] = defaultdict(list)
    for c in rows:
        by_article[c.article_id].append(c)
    ents: dict[int, str] = {}
    for claims in by_article.values():  # entities are filled in within one article
        ents.update(effective_entities(claims))
    new = [c for c in rows if c.id not in grouped and groupable(c)]
    if not new:
        return
    blocks = {c.id: claim_block(c.unit, ents[c.id], c.period_start, c.period_end, c.is_target) for c in new}
    by_block: dict[int, list[ClaimGroup]] = defaultdict(list)
    for chunk in _chunks(sorted(set(blocks.values())), 500):
        stmt = select(ClaimGroup).where(ClaimGroup.block.in_(chunk)).order_by(ClaimGroup.id)
        for g in session.scalars(stmt):
            by_block[g.block].append(g)
    joined: list[tuple[ClaimRow, ClaimGroup, float]] = []
    created: list[ClaimGroup] = []
    for c in new:
        res.claims += 1
        block = blocks[c.id]
        group, score = _best_group(c.metric or "", by_block[block])
        if group is None:
            group = ClaimGroup(
                block=block,
                metric=c.metric,
                unit=c.unit,
                entities=ents[c.id] or None,
                period=c.period,
                period_start=c.period_start,
                period_end=c.period_end,
                is_target=bool(c.is_target),
                size=0,
                verdict="single",
            )
            session.add(group)
            by_block[block].append(group)
            created.append(group)
            score = 100.0
        else:
            res.claims_grouped += 1
        joined.append((c, group, score))
    session.flush()  # new groups get their ids
    added: dict[int, list[tuple[ClaimRow, float]]] = defaultdict(list)
    group_of: dict[int, ClaimGroup] = {}
    for c, g, score in joined:
        added[g.id].append((c, score))
        group_of[g.id] = g
    fresh = {g.id for g in created}
    groups = [group_of[gid] for gid in sorted(group_of)]
    # A group whose judgement is recorded takes its new claims by _judge_added; the others
    # (linked before it was recorded, or holding a figure it cannot judge) are judged from
    # all their claims, and recorded if they can be.
    quick = [
        g
        for g in groups
        if (g.id in fresh or g.conflicting is not None)
        and all(_regular(_judge_row(c)) for c, _ in added[g.id])
    ]
    quick_ids = {g.id for g in quick}
    full = [g for g in groups if g.id not in quick_ids]
    flags: dict[int, Flag] = {}
    for chunk in _chunks([g.id for g in groups], 500):
        for f in session.scalars(select(Flag).where(Flag.group_id.in_(chunk))):
            flags[f.group_id] = f  # type: ignore[index]

    ends = _ends(conn, [g for g in quick if g.id not in fresh])
    decided: dict[int, _Added] = {g.id: _judge_added(conn, g, added[g.id], ends.get(g.id)) for g in quick}
    member_rows = [r for a in decided.values() for r in a.rows]
    for g in full:
        for c, score in added[g.id]:
            _, art, v, lo, hi = _judge_row(c)
            member_rows.append(
                {
                    "claim_id": c.id,
                    "group_id": g.id,
                    "metric_score": score,
                    "article_id": art,
                    "value": v,
                    "lo": _bound(lo),
                    "hi": _bound(hi),
                    "in_conflict": None,
                }
            )
    insert_rows(conn, ClaimGroupMember.__table__, member_rows)
    flips = [{"b_claim": i} for a in decided.values() for i in a.flips]
    if flips:
        conn.execute(_claim_stmt("flip"), flips)

    # Groups judged from all their claims, as before their judgement was recorded.
    members: dict[int, list[Any]] = defaultdict(list)
    flagged: dict[int, dict[int, bool]] = defaultdict(dict)
    for chunk in _chunks([g.id for g in full], 500):
        part = conn.execute(
            select(*CLAIM_COLS, ClaimGroupMember.group_id)
            .join(ClaimGroupMember, ClaimGroupMember.claim_id == Claim.id)
            .where(ClaimGroupMember.group_id.in_(chunk))
            .order_by(Claim.id)
        ).all()
        for row, claim in zip(part, _as_claims(part), strict=True):
            members[row[-1]].append(claim)
    full_flags = sorted(flags[g.id].id for g in full if g.id in flags)
    for chunk in _chunks(full_flags, 500):
        for fid, cid, conflicting in session.execute(
            select(FlagClaim.flag_id, FlagClaim.claim_id, FlagClaim.in_conflict).where(
                FlagClaim.flag_id.in_(chunk)
            )
        ):
            flagged[fid][cid] = conflicting
    judged = {g.id: judge(members[g.id]) for g in full}
    record: list[dict[str, Any]] = []
    for g in full:
        j, cs = judged[g.id], members[g.id]
        g.size = len(cs)
        g.evidence = evidence_hash(cs)
        judge_rows = [_judge_row(c) for c in cs]
        if all(_regular(r) for r in judge_rows):
            g.conflicting = len(j.in_conflict)
            record.extend(
                {
                    "b_claim": cid,
                    "b_article": art,
                    "b_value": v,
                    "b_lo": _bound(lo),
                    "b_hi": _bound(hi),
                    "b_conflict": cid in j.in_conflict,
                }
                for cid, art, v, lo, hi in judge_rows
            )
        else:
            g.conflicting = None
        g.severity = j.severity if j.verdict == "conflict" else None
        g.worst_a, g.worst_b = j.worst if j.worst else (None, None)
    if record:
        conn.execute(_claim_stmt("record"), record)
    for g in quick:
        a = decided[g.id]
        j = a.judgement
        g.size += len(added[g.id])
        g.conflicting = a.conflicting
        g.evidence = evidence_hash([c for c, _ in added[g.id]], g.evidence)
        g.severity = j.severity if j.verdict == "conflict" else None
        g.worst_a, g.worst_b = j.worst if j.worst else (None, None)
    for g in groups:
        g.verdict = decided[g.id].judgement.verdict if g.id in decided else judged[g.id].verdict

    # What explanations need, read once for the whole batch.
    worst = sorted({i for g in groups if g.worst_a is not None for i in (g.worst_a, g.worst_b)})
    meta: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(worst, 500):
        meta.update(_claim_meta(session, chunk))
    # Flags are brought in line group by group; their claims are written for the whole
    # batch at once, once new flags have their ids (one flush, not one per flag).
    pending: list[FlagSync] = []
    for g in groups:
        flag = flags.get(g.id)
        if g.id in decided:
            a = decided[g.id]
            news = [c for c, _ in added[g.id]]
            now = {r["claim_id"]: bool(r["in_conflict"]) for r in a.rows}
            now.update(dict.fromkeys(a.flips, True))
            if flag is None and a.judgement.verdict == "conflict" and g.id not in fresh:
                # A new flag sets out every figure of the group: read once, when it appears.
                stored = conn.execute(_claim_stmt("members"), {"g": g.id}).all()
                before: dict[int, bool] = {}
                now = {cid: bool(inc) for cid, inc in stored} | now
            else:
                before = dict.fromkeys(a.flips, False)
            synced = _sync_group(
                session,
                g,
                flag,
                res,
                a.judgement,
                a.conflicting,
                meta,
                before,
                now,
                lambda news=news: _evidence_change_text(set(), news),
            )
        else:
            j, cs = judged[g.id], members[g.id]
            before = flagged.get(flag.id, {}) if flag is not None else {}
            synced = _sync_group(
                session,
                g,
                flag,
                res,
                j,
                len(j.in_conflict),
                meta,
                before,
                {c.id: c.id in j.in_conflict for c in cs},
                lambda before=before, cs=cs: _evidence_change_text(set(before), cs),
            )
        if synced is not None:
            pending.append(synced)
    session.flush()
    _write_flag_claims(session, pending)
    res.claim_groups += len(groups)


def _write_flag_claims(
    session: Session, pending: Sequence[tuple[Flag, dict[int, bool], dict[int, bool]]]
) -> None:
    """Write the difference between each flag's claims ``before`` and ``now`` (claim id ->
    in conflict): a group gains a few figures per batch, so most rows stay as they are."""
    table = FlagClaim.__table__
    gone, changed, added = [], [], []
    for flag, before, now in pending:
        gone.extend({"b_flag": flag.id, "b_claim": cid} for cid in before if cid not in now)
        for cid, v in now.items():
            if cid not in before:
                added.append({"flag_id": flag.id, "claim_id": cid, "in_conflict": v})
            elif before[cid] != v:
                changed.append({"b_flag": flag.id, "b_claim": cid, "b_conflict": v})
    conn = session.connection()
    if gone:
        conn.execute(
            delete(table).where(
                table.c.flag_id == bindparam("b_flag"), table.c.claim_id == bindparam("b_claim")
            ),
            gone,
        )
    if changed:
        conn.execute(
            update(table)
            .where(table.c.flag_id == bindparam("b_flag"), table.c.claim_id == bindparam("b_claim"))
            .values(in_conflict=bindparam("b_conflict")),
            changed,
        )
    if added:
        insert_rows(conn, table, added)


def metric_similarity(a: str, b: str) -> float:
    if a == b:
        return 100.0
    score = fuzz.token_sort_ratio(a, b)
    if min(len(a.split()), len(b.split())) >= 2:
        score = max(score, fuzz.token_set_ratio(a, b))
    return score


def _best_group(
    metric: str, groups: Sequence[Any], metrics: Sequence[str] | None = None
) -> tuple[Any, float]:
    """The group whose metric is most similar to ``metric`` (:func:`metric_similarity` >=
    METRIC_CUTOFF; the earliest of equals), and its score; (None, 0.0) if none is.

    ``metrics``: the groups' metrics in the same order, if the caller keeps them. Each
    scorer runs over the whole block in one rapidfuzz call with the cut-off, and only the
    few groups that pass are compared here: a crowded block (one pair of countries and a
    year holds dozens of metrics in a million claims) made the per-group Python loop the
    largest part of a rebuild.
    """
    if not groups:
        return None, 0.0
    if metrics is None:
        metrics = [g.metric for g in groups]
    score: dict[int, float] = {
        i: s
        for _, s, i in process.extract(
            metric, metrics, scorer=fuzz.token_sort_ratio, score_cutoff=METRIC_CUTOFF, limit=None
        )
    }
    if len(metric.split()) >= 2:
        for _, s, i in process.extract(
            metric, metrics, scorer=fuzz.token_set_ratio, score_cutoff=METRIC_CUTOFF, limit=None
        ):
            if s > score.get(i, 0.0) and len(metrics[i].split()) >= 2:
                score[i] = s
    if not score:
        return None, 0.0
    i = min(score, key=lambda i: (-score[i], i))
    return groups[i], score[i]


def _sync_group(
    session: Session,
    group: ClaimGroup,
    flag: Flag | None,
    res: LinkResult,
    j: Judgement,
    conflicting: int,
    meta: dict[int, dict[str, Any]],
    before: dict[int, bool],
    now: dict[int, bool],
    why: Any,
) -> FlagSync | None:
    """Bring a judged group's flag in line, keeping editors' decisions on unchanged evidence
    (``group.evidence``, set by the caller).

    ``j`` is the group's judgement (its verdict, severity and worst pair), ``conflicting``
    the number of its claims in conflict, ``meta`` the explanation's facts for the worst
    pair (:func:`_claim_meta`). ``before`` and ``now`` are the flag's claims (claim id -> in
    conflict) as stored and as they must be: every claim, or only those that changed when
    the flag has the others. ``why()`` says how the evidence changed. Returns the flag with
    ``before`` and ``now``, for :func:`_write_flag_claims` (None: no flag to write). A new
    flag is added to the session, not flushed."""
    if j.verdict != "conflict":
        if flag is not None:
            _clear_flag(session, flag, "the figures no longer conflict (re-link)")
            res.flags_cleared += 1
        return None
    assert j.worst is not None and group.evidence is not None
    evidence = group.evidence
    explanation = _explanation(
        group.metric,
        group.entities,
        group.period,
        bool(group.is_target),
        j.worst,
        j.severity,
        conflicting,
        meta,
    )
    if flag is None:
        flag = Flag(
            group_id=group.id,
            status="open",
            metric=group.metric,
            period=group.period,
            severity=j.severity,
            explanation=explanation,
            evidence=evidence,
        )
        session.add(flag)
        res.flags_new += 1
    else:
        if flag.evidence != evidence and flag.status != "open":
            session.add(
                FlagReview(
                    flag_id=flag.id,
                    action="auto-reopen",
                    status_before=flag.status,
                    status_after="open",
                    note=f"reopened: the evidence changed ({why()})",
                    by="tracker",
                    evidence=evidence,
                )
            )
            flag.status = "open"
            res.flags_reopened += 1
        flag.group_id = group.id
        flag.metric = group.metric
        flag.period = group.period
        flag.severity = j.severity
        flag.explanation = explanation
        if flag.evidence != evidence:
            flag.evidence = evidence
            flag.updated_at = utcnow()
    return flag, before, now


def _evidence_change_text(before: set[int], claims: Sequence[Any]) -> str:
    now = {c.id for c in claims}
    parts = []
    added = [c for c in claims if c.id not in before]
    if added:
        parts.append("new figure " + ", ".join(f"{c.surface!r} (claim {c.id})" for c in added))
    removed = before - now
    if removed:
        parts.append("figure(s) removed: claim " + ", ".join(str(i) for i in sorted(removed)))
    if not parts:
        parts.append("a figure's value, unit or hedge was re-extracted")
    return "; ".join(parts)


def _clear_flag(session: Session, flag: Flag, why: str) -> None:
    reviewed = session.scalar(select(func.count()).where(FlagReview.flag_id == flag.id))
    if not reviewed:
        session.delete(flag)
        session.flush()
        return
    if flag.status != "dismissed":
        session.add(
            FlagReview(
                flag_id=flag.id,
                action="auto-dismiss",
                status_before=flag.status,
                status_after="dismissed",
                note=why,
                by="tracker",
                evidence=flag.evidence,
            )
        )
        flag.status = "dismissed"
    flag.group_id = None
    flag.updated_at = utcnow()


# --------------------------------------------------------------------------- explanations


def _fmt_date(d: dt.date | None) -> str:
    return d.isoformat() if d else "undated"


def _explanation(
    metric: str,
    entities: str | None,
    period: str | None,
    is_target: bool,
    worst: tuple[int, int],
    severity: float,
    conflicting: int,
    meta: dict[int, dict[str, Any]],
) -> str:
    """A conflict in one line: the most distant pair (claim ids, with their :func:`_claim_meta`),
    how far apart, and how many of the group's ``conflicting`` figures are not shown."""
    who = []
    for cid in worst:
        m = meta[cid]
        speaker = f", quoting {m['speaker']}" if m["speaker"] else ""
        who.append(f"“{m['surface']}” ({m['outlet'] or m['article']}, {_fmt_date(m['date'])}{speaker})")
    scope = metric + (f" ({entities.title()})" if entities else "")
    kind = "target" if is_target else "figure"
    more = conflicting - 2
    tail = f"; {more} more conflicting figure{'s' if more != 1 else ''}" if more > 0 else ""
    return (
        f"{scope}, {period}: {who[0]} vs {who[1]} cannot both be true "
        f"— the {kind}s differ by {severity:.1%}{tail}."
    )


def _claim_meta(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Claim.id, Claim.surface, Article.location, Article.published, Source.name, Person.name)
        .join(Article, Article.id == Claim.article_id)
        .outerjoin(Source, Source.id == Article.source_id)
        .outerjoin(Person, Person.id == Claim.person_id)
        .where(Claim.id.in_(ids))
    )
    return {
        cid: {"surface": surface, "article": loc, "date": pub, "outlet": src, "speaker": who}
        for cid, surface, loc, pub, src, who in rows
    }


# --------------------------------------------------------------------------- rebuild


def rebuild(session: Session) -> LinkResult:
    """Recompute every quote and claim group from scratch; flags keep decisions on unchanged evidence."""
    t0 = time.perf_counter()
    res = LinkResult()
    session.flush()
    # Quotes are grouped in a second process while this one regroups the claims and
    # writes them: the two are independent, and each is a long CPU-bound pass.
    quotes = _start_quotes(session)
    _rebuild_claims(session, res)
    _finish_quotes(session, quotes, res)
    from tracker.search import index_missing

    index_missing(session)  # queued articles' quotes: searchable once linked
    session.execute(delete(LinkQueue))  # every stored article is linked now
    session.flush()
    # Rows were rewritten with Core statements: objects the caller holds must reload.
    session.expire_all()
    res.seconds = time.perf_counter() - t0
    return res


def _chunks(items: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]], chunk: int = 20_000) -> None:
    # tracker.db.insert_rows a chunk at a time (the ORM bulk path cost ~3x more per row).
    conn = session.connection()
    for part in _chunks(rows, chunk):
        insert_rows(conn, model.__table__, part)


def _insert_ids(session: Session, model: Any, rows: list[dict[str, Any]], chunk: int = 5_000) -> list[int]:
    """Insert rows into ``model``'s table and return their ids in row order, a chunk at a
    time (tracker.db.insert_rows: the ORM's bulk insert spent more time on its own
    bookkeeping than SQLite spent inserting)."""
    conn = session.connection()
    ids: list[int] = []
    for part in _chunks(rows, chunk):
        ids.extend(insert_rows(conn, model.__table__, part, ids=True))
    return ids


# (key, quote) pairs in each part of link_quotes_in_memory's posted keys.
EMIT_PAIRS = 250_000


def link_quotes_in_memory(
    quotes: Sequence[tuple[int, str, str | None]],
    emit: Any,
) -> tuple[list[int], dict[int, tuple[int, float, str]], list[int], list[str]]:
    """Group quotes (id, text, speaker name) given oldest first, as one-by-one linking would.

    Returns (root of each quote, by index; best earlier match by index; number of keys by
    index; normalised text by index). The keys each quote posts (those its group lacked)
    are final once the quote is placed: they go to ``emit`` as (keys, quote ids) arrays,
    EMIT_PAIRS at a time, so the caller can store them while grouping goes on.
    Cost per quote: its keys' posting lists (capped at MAX_POSTING) plus rapidfuzz on the
    few quotes sharing enough keys (:func:`min_shared_keys`), so the whole run stays
    near-linear in the number of quotes.
    """
    parent = list(range(len(quotes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    postings: dict[int, list[int]] = defaultdict(list)
    norms: list[str] = []
    persons: list[str | None] = []
    n_keys: list[int] = []
    few: set[int] = set()  # quotes with fewer than MULTI_KEY_MIN keys (see _passing)
    matches: dict[int, tuple[int, float, str]] = {}
    posted_keys, posted_ids = array("q"), array("q")
    for idx, (qid, text, person) in enumerate(quotes):
        norm = normalise_quote(text)
        norms.append(norm)
        person = speaker_key(person)
        persons.append(person)
        keys = quote_keys(norm)
        n_keys.append(len(keys))
        lists = _blocking_lists(keys, postings)
        cands = _passing(len(keys), [p for _k, p in lists], n_keys, few)
        if len(keys) < MULTI_KEY_MIN:
            few.add(idx)
        root = idx
        best = _best_match(norm, person, ((i, norms[i], persons[i]) for i in cands)) if cands else []
        if best:
            matches[idx] = best[0]
            root = find(best[0][0])
            for i, score, rel in best[1:]:
                r = find(i)
                if r != root and _tight(score, rel):
                    parent[max(r, root)] = min(r, root)
                    root = min(r, root)
            parent[idx] = root
        # Each key is posted once per group (see _link_quotes).
        # (Only the lists it was blocked on are checked; a common key may be posted twice.)
        held = {k for k, p in lists if any(find(i) == root for i in p)} if best else set()
        # A list past MAX_POSTING is a stock phrase, never read again: it stops growing.
        mine = [k for k in keys if k not in held and len(postings.get(k, ())) <= MAX_POSTING]
        for k in mine:
            postings[k].append(idx)
            posted_keys.append(k)
            posted_ids.append(qid)
        if len(posted_keys) >= EMIT_PAIRS or idx == len(quotes) - 1:
            emit((posted_keys, posted_ids))
            posted_keys, posted_ids = array("q"), array("q")
    return [find(i) for i in range(len(quotes))], matches, n_keys, norms


def _tight(score: float, relation: str) -> bool:
    """A match close enough to merge two existing groups (see MERGE_CUTOFF)."""
    return relation != "fragment" and score >= MERGE_CUTOFF


# Below this many quotes a rebuild groups them in this process: a fork costs more.
BACKGROUND_MIN_QUOTES = 20_000


class _Background:
    """``fn(*args, emit)`` computed in a forked child process, or here when fork is
    unavailable (Windows) or the input is small. ``fn`` may hand over parts of its output
    early through ``emit(part)``; :meth:`result` passes each part to ``on_part`` and
    returns ``fn``'s value.

    The child inherits its input with the fork (nothing is pickled on the way in) and
    sends parts and the result through a pipe, which a thread here drains as they come,
    so the child never waits for the caller. The child never touches the database: the
    caller's connection stays with the caller, and the child leaves through ``os._exit``,
    which runs no finalizers that could close it. If the child dies (killed, out of
    memory; the pipe then ends), ``on_restart`` undoes the parts already taken and the
    work is redone here rather than lost.
    """

    def __init__(self, fn: Any, *args: Any, background: bool = True) -> None:
        import multiprocessing
        import queue
        import threading

        self.fn, self.args = fn, args
        self.proc: Any = None
        if background and "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            reader, writer = ctx.Pipe(duplex=False)
            self.proc = ctx.Process(target=_background_child, args=(writer, fn, args), daemon=True)
            self.proc.start()
            writer.close()  # the child holds the only writer: its death ends the pipe
            self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
            self.drain = threading.Thread(target=_drain, args=(reader, self.inbox), daemon=True)
            self.drain.start()

    def result(self, on_part: Any, on_restart: Any = None) -> Any:
        if self.proc is None:
            return self.fn(*self.args, on_part)
        while True:
            kind, value = self.inbox.get()
            if kind == "part":
                on_part(value)
                continue
            self.drain.join()
            self.proc.join()
            if kind == "died":
                if on_restart is not None:
                    on_restart()
                return self.fn(*self.args, on_part)
            if kind == "error":
                raise RuntimeError(f"linking in a background process failed:\n{value}")
            return value


def _drain(conn: Any, inbox: Any) -> None:
    try:
        while True:
            msg = conn.recv()
            inbox.put(msg)
            if msg[0] != "part":
                return
    except (EOFError, OSError):
        inbox.put(("died", None))
    finally:
        conn.close()


def _background_child(conn: Any, fn: Any, args: tuple[Any, ...]) -> None:
    import traceback

    try:
        conn.send(("done", fn(*args, lambda part: conn.send(("part", part)))))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    conn.close()


@dataclass
class _QuotesJob:
    rows: list[Any]
    grouping: _Background | None


def _start_quotes(session: Session) -> _QuotesJob:
    """Read every quote, clear the quote groups and start grouping in the background."""
    rows = session.execute(
        select(Quote.id, Quote.text, Quote.person_id, Article.published, Person.name)
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Person, Person.id == Quote.person_id)
        .order_by(Article.published.asc().nulls_last(), Quote.article_id, Quote.id)
    ).all()
    session.execute(delete(LinkKey).where(LinkKey.kind == "q"))
    session.execute(delete(LinkStockKey).where(LinkStockKey.kind == "q"))
    session.execute(delete(QuoteGroupMember))
    session.execute(delete(QuoteGroupSpeaker))
    session.execute(update(QuoteGroup).values(quote_id=None))
    session.execute(delete(QuoteGroup))
    if not rows:
        return _QuotesJob(rows, None)
    grouping = _Background(
        link_quotes_in_memory,
        [(r[0], r[1], r[4]) for r in rows],
        background=len(rows) >= BACKGROUND_MIN_QUOTES,
    )
    return _QuotesJob(rows, grouping)


def _finish_quotes(session: Session, job: _QuotesJob, res: LinkResult) -> None:
    """Write the quote groups the background pass decided."""
    rows = job.rows
    if job.grouping is None:
        return
    held: Counter[int] = Counter()  # groups posting each key

    def store_keys(part: tuple[Sequence[int], Sequence[int]]) -> None:
        keys, ids = part
        held.update(keys)
        _bulk_insert(
            session, LinkKey, [{"kind": "q", "key": k, "item_id": i} for k, i in zip(keys, ids, strict=True)]
        )

    def start_over() -> None:
        held.clear()
        session.execute(delete(LinkKey).where(LinkKey.kind == "q"))

    roots, matches, n_keys, norms = job.grouping.result(store_keys, start_over)
    members: dict[int, list[int]] = defaultdict(list)
    for idx, root in enumerate(roots):
        members[root].append(idx)
    group_rows = []
    counts = []
    order = sorted(members)
    now = utcnow()
    for root in order:
        group = [tuple(rows[i][:4]) for i in members[root]]
        group_rows.append(_group_summary(group, now))  # type: ignore[arg-type]
        counts.append(_speaker_counts(group))  # type: ignore[arg-type]
    gids = _insert_ids(session, QuoteGroup, group_rows)
    gid_of_root = dict(zip(order, gids, strict=True))
    _bulk_insert(
        session,
        QuoteGroupSpeaker,
        [r for gid, c in zip(gids, counts, strict=True) for r in _speaker_rows(gid, c)],
    )
    member_rows = []
    for idx, root in enumerate(roots):
        m = matches.get(idx)
        member_rows.append(
            {
                "quote_id": rows[idx][0],
                "group_id": gid_of_root[root],
                "matched_quote_id": rows[m[0]][0] if m else None,
                "score": m[1] if m else None,
                "relation": m[2] if m else "first",
                "norm": norms[idx],
                "n_keys": n_keys[idx],
            }
        )
    _bulk_insert(session, QuoteGroupMember, member_rows)
    _bulk_insert(session, LinkStockKey, [{"kind": "q", "key": k} for k, n in held.items() if n > MAX_POSTING])
    res.quotes = len(rows)
    res.quotes_linked = len(matches)
    res.quote_groups = len(order)


def _rebuild_claims(session: Session, res: LinkResult) -> None:
    claims = _as_claims(
        session.execute(
            select(*CLAIM_COLS)
            .join(Article, Article.id == Claim.article_id)
            .order_by(Article.published.asc().nulls_last(), Claim.article_id, Claim.id)
        )
    )
    # Old flags and the claims they held, to carry decisions over to the new groups.
    old_flag_of_claim: dict[int, int] = {}
    old_claims_of_flag: dict[int, set[int]] = defaultdict(set)
    for cid, fid in session.execute(
        select(FlagClaim.claim_id, FlagClaim.flag_id).order_by(FlagClaim.flag_id)
    ):
        old_flag_of_claim[cid] = fid
        old_claims_of_flag[fid].add(cid)
    session.execute(delete(ClaimGroupMember))
    session.execute(update(Flag).values(group_id=None))
    session.execute(delete(ClaimGroup))
    by_article: dict[int, list[Any]] = defaultdict(list)
    for c in claims:
        by_article[c.article_id].append(c)
    ents: dict[int, str] = {}
    for cs in by_article.values():
        ents.update(effective_entities(cs))
    claims = [c for c in claims if groupable(c)]
    # Group in memory, in publication order, exactly as one-by-one linking would.
    by_block: dict[int, list[_MemGroup]] = defaultdict(list)
    metrics_by_block: dict[int, list[str]] = defaultdict(list)
    groups: list[_MemGroup] = []
    for c in claims:
        block = claim_block(c.unit, ents[c.id], c.period_start, c.period_end, c.is_target)
        g, score = _best_group(c.metric or "", by_block[block], metrics_by_block[block])
        if g is None:
            g = _MemGroup(block, c, ents[c.id])
            by_block[block].append(g)
            metrics_by_block[block].append(g.metric)
            groups.append(g)
            score = 100.0
        else:
            res.claims_grouped += 1
        g.claims.append(c)
        g.scores.append(score)
    res.claims = len(claims)
    # Judged in claim id order, as incremental linking judges them (the worst pair of equals).
    verdicts = []
    member_rows = []
    rows = []
    for g in groups:
        cs = sorted(g.claims, key=lambda c: c.id)
        v = judge(cs)
        judge_rows = [_judge_row(c) for c in cs]
        verdicts.append(v)
        score_of = {c.id: sc for c, sc in zip(g.claims, g.scores, strict=True)}
        member_rows.append(
            [
                {
                    "claim_id": cid,
                    "metric_score": score_of[cid],
                    "article_id": art,
                    "value": val,
                    "lo": _bound(lo),
                    "hi": _bound(hi),
                    "in_conflict": cid in v.in_conflict,
                }
                for cid, art, val, lo, hi in judge_rows
            ]
        )
        rows.append(
            {
                "block": g.block,
                "metric": g.metric,
                "unit": g.first.unit,
                "entities": g.entities or None,
                "period": g.first.period,
                "period_start": g.first.period_start,
                "period_end": g.first.period_end,
                "is_target": bool(g.first.is_target),
                "size": len(g.claims),
                "verdict": v.verdict,
                "conflicting": len(v.in_conflict) if all(_regular(r) for r in judge_rows) else None,
                "severity": v.severity if v.verdict == "conflict" else None,
                "worst_a": v.worst[0] if v.worst else None,
                "worst_b": v.worst[1] if v.worst else None,
                "evidence": evidence_hash(cs),
            }
        )
    gids = _insert_ids(session, ClaimGroup, rows)
    for gid, ms in zip(gids, member_rows, strict=True):
        for m in ms:
            m["group_id"] = gid
    _bulk_insert(session, ClaimGroupMember, [m for ms in member_rows for m in ms])
    conflicting = [
        (g, gid, v, row["evidence"])
        for g, gid, v, row in zip(groups, gids, verdicts, rows, strict=True)
        if v.verdict == "conflict"
    ]
    _rebuild_flags(session, conflicting, old_flag_of_claim, old_claims_of_flag, res)
    res.claim_groups = len(groups)


def _rebuild_flags(
    session: Session,
    conflicting: Sequence[tuple[_MemGroup, int, Judgement, str]],
    old_flag_of_claim: dict[int, int],
    old_claims_of_flag: dict[int, set[int]],
    res: LinkResult,
) -> None:
    """Bring flags in line with the rebuilt groups using set-based statements.

    The same decisions as :func:`_sync_group` and :func:`_clear_flag`, one conflicting
    group at a time in memory, but written with a handful of bulk inserts and executemany
    updates instead of ORM work per flag (which dominated rebuild time at 30k claims).
    """
    ft = Flag.__table__
    old = {
        fid: (status, evidence)
        for fid, status, evidence in session.execute(select(Flag.id, Flag.status, Flag.evidence))
    }
    reviewed = set(session.scalars(select(FlagReview.flag_id).distinct()))
    meta: dict[int, dict[str, Any]] = {}
    worst = sorted({i for _, _, v, _ in conflicting if v.worst for i in v.worst})
    for part in _chunks(worst, 5_000):
        meta.update(_claim_meta(session, part))
    now = utcnow()
    kept: set[int] = set()
    new_rows: list[dict[str, Any]] = []
    new_members: list[list[tuple[int, bool]]] = []
    updates: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    claim_rows: list[dict[str, Any]] = []
    for g, gid, j, evidence in conflicting:
        cs = sorted(g.claims, key=lambda c: c.id)
        overlap = Counter(old_flag_of_claim[c.id] for c in cs if c.id in old_flag_of_claim)
        fid = next((f for f in sorted(overlap, key=lambda f: (-overlap[f], f)) if f not in kept), None)
        period = g.first.period
        assert j.worst is not None
        text = _explanation(
            g.metric,
            g.entities or None,
            period,
            bool(g.first.is_target),
            j.worst,
            j.severity,
            len(j.in_conflict),
            meta,
        )
        members = [(c.id, c.id in j.in_conflict) for c in cs]
        if fid is None:
            new_rows.append(
                {
                    "group_id": gid,
                    "status": "open",
                    "metric": g.metric,
                    "period": period,
                    "severity": j.severity,
                    "explanation": text,
                    "evidence": evidence,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            new_members.append(members)
            res.flags_new += 1
            continue
        kept.add(fid)
        status, old_evidence = old[fid]
        if old_evidence != evidence and status != "open":
            why = _evidence_change_text(old_claims_of_flag.get(fid, set()), cs)
            reviews.append(
                {
                    "flag_id": fid,
                    "action": "auto-reopen",
                    "status_before": status,
                    "status_after": "open",
                    "note": f"reopened: the evidence changed ({why})",
                    "by": "tracker",
                    "evidence": evidence,
                    "at": now,
                }
            )
            status = "open"
            res.flags_reopened += 1
        updates.append(
            {
                "b_id": fid,
                "b_group": gid,
                "b_status": status,
                "b_metric": g.metric,
                "b_period": period,
                "b_severity": j.severity,
                "b_explanation": text,
                "b_evidence": evidence,
                "b_changed": old_evidence != evidence,
            }
        )
        claim_rows.extend({"flag_id": fid, "claim_id": c, "in_conflict": inc} for c, inc in members)
    fids = _insert_ids(session, Flag, new_rows)
    for fid, members in zip(fids, new_members, strict=True):
        claim_rows.extend({"flag_id": fid, "claim_id": c, "in_conflict": inc} for c, inc in members)
    conn = session.connection()
    for changed in (True, False):
        rows = [u for u in updates if u["b_changed"] is changed]
        if not rows:
            continue
        values: dict[str, Any] = {
            "group_id": bindparam("b_group"),
            "status": bindparam("b_status"),
            "metric": bindparam("b_metric"),
            "period": bindparam("b_period"),
            "severity": bindparam("b_severity"),
            "explanation": bindparam("b_explanation"),
            "evidence": bindparam("b_evidence"),
        }
        if changed:
            values["updated_at"] = now
        conn.execute(update(ft).where(ft.c.id == bindparam("b_id")).values(**values), rows)
    # Flags that no longer match a conflicting group: deleted if nobody reviewed them,
    # else dismissed by tracker with the reason recorded (as _clear_flag does).
    gone = sorted(f for f in set(old_flag_of_claim.values()) - kept if old[f][0] != "dismissed")
    drop = [f for f in gone if f not in reviewed]
    dismiss = [f for f in gone if f in reviewed]
    for f in dismiss:
        reviews.append(
            {
                "flag_id": f,
                "action": "auto-dismiss",
                "status_before": old[f][0],
                "status_after": "dismissed",
                "note": "the figures no longer conflict (rebuild)",
                "by": "tracker",
                "evidence": old[f][1],
                "at": now,
            }
        )
    for part in _chunks(dismiss, 5_000):
        conn.execute(update(ft).where(ft.c.id.in_(part)).values(status="dismissed", updated_at=now))
    for part in _chunks(sorted(kept) + drop, 5_000):
        conn.execute(delete(FlagClaim.__table__).where(FlagClaim.__table__.c.flag_id.in_(part)))
    for part in _chunks(drop, 5_000):
        conn.execute(delete(ft).where(ft.c.id.in_(part)))
    res.flags_cleared += len(gone)
    _bulk_insert(session, FlagReview, reviews)
    _bulk_insert(session, FlagClaim, claim_rows)


class _MemGroup:
    """A claim group while a rebuild computes it (attributes as _best_group reads them)."""

    __slots__ = ("block", "metric", "first", "entities", "claims", "scores")

    def __init__(self, block: int, first: Any, entities: str) -> None:
        self.block = block
        self.entities = entities
        self.metric = first.metric
        self.first = first
        self.claims: list[Any] = []
        self.scores: list[float] = []


# --------------------------------------------------------------------------- review

ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "open"}
STATUSES = ("open", "confirmed", "dismissed")


def review(session: Session, flag_id: int, action: str, note: str | None, by: str) -> Flag:
    """Record an editor's decision on a flag (appended to flag_reviews, never overwritten)."""
    if action not in ACTIONS:
        raise LinkError(f"unknown action {action!r}: use confirm, dismiss or reopen")
    flag = session.get(Flag, flag_id)
    if flag is None:
        raise LinkError(f"no flag {flag_id}")
    if not by.strip():
        raise LinkError("a review needs a name (--by)")
    before = flag.status
    flag.status = ACTIONS[action]
    flag.updated_at = utcnow()
    session.add(
        FlagReview(
            flag_id=flag.id,
            action=action,
            status_before=before,
            status_after=flag.status,
            note=note,
            by=by,
            evidence=flag.evidence,
        )
    )
    session.flush()
    return flag


# --------------------------------------------------------------------------- queries


def _sentence(text: str, start: int, end: int, body_start: int = 0) -> str:
    lo, hi = sentence_bounds(text, start, end, body_start)
    return text[lo:hi]


def _claim_rows(session: Session, claim_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(
            Claim,
            Article.location,
            Article.published,
            Article.text,
            Article.body_start,
            Source.name,
            Person.name,
        )
        .join(Article, Article.id == Claim.article_id)
        .outerjoin(Source, Source.id == Article.source_id)
        .outerjoin(Person, Person.id == Claim.person_id)
        .where(Claim.id.in_(claim_ids))
    )
    out = {}
    for c, loc, pub, text, body_start, src, who in rows:
        out[c.id] = {
            "claim": c.id,
            "article": loc,
            "outlet": src,
            "date": pub,
            "surface": c.surface,
            "value": c.value,
            "unit": c.unit,
            "hedge": c.hedge,
            "low": c.low,
            "high": c.high,
            "period": c.period,
            "speaker": who,
            "start": c.start_char,
            "end": c.end_char,
            "sentence": _sentence(text, c.start_char, c.end_char, body_start),
        }
    return out


def flag_record(session: Session, flag: Flag, in_conflict_only: bool = False) -> dict[str, Any]:
    links = session.execute(
        select(FlagClaim.claim_id, FlagClaim.in_conflict).where(FlagClaim.flag_id == flag.id)
    ).all()
    ids = [cid for cid, inc in links if inc or not in_conflict_only]
    info = _claim_rows(session, ids)
    conflict = dict(links)
    claims = sorted(info.values(), key=lambda r: (r["date"] or dt.date.max, r["claim"]))
    for r in claims:
        r["in_conflict"] = bool(conflict.get(r["claim"]))
    return {
        "id": flag.id,
        "status": flag.status,
        "metric": flag.metric,
        "period": flag.period,
        "severity": round(flag.severity, 4),
        "explanation": flag.explanation,
        "claims": claims,
    }


def conflicts(
    session: Session,
    *,
    status: str | None = "open",
    metric: str | None = None,
    since: dt.date | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Flags, most severe first, each with its evidence (every figure of the group).

    ``since`` keeps flags holding a figure from an article published on or after that day.
    ``metric`` is a case-insensitive substring of the flag's metric.
    """
    stmt = select(Flag)
    if status and status != "all":
        stmt = stmt.where(Flag.status == status)
    if metric:
        stmt = stmt.where(func.lower(Flag.metric).contains(metric.lower(), autoescape=True))
    if since:
        recent = (
            select(FlagClaim.flag_id)
            .join(Claim, Claim.id == FlagClaim.claim_id)
            .join(Article, Article.id == Claim.article_id)
            .where(Article.published >= since)
        )
        stmt = stmt.where(Flag.id.in_(recent))
    stmt = stmt.order_by(Flag.severity.desc(), Flag.id)
    if limit:
        stmt = stmt.limit(limit)
    return [flag_record(session, f) for f in session.scalars(stmt)]


def show_flag(session: Session, flag_id: int) -> dict[str, Any]:
    flag = session.get(Flag, flag_id)
    if flag is None:
        raise LinkError(f"no flag {flag_id}")
    rec = flag_record(session, flag)
    rec["created_at"] = flag.created_at
    rec["updated_at"] = flag.updated_at
    rec["history"] = [
        {
            "at": r.at,
            "action": r.action,
            "from": r.status_before,
            "to": r.status_after,
            "by": r.by,
            "note": r.note,
        }
        for r in session.scalars(
            select(FlagReview).where(FlagReview.flag_id == flag.id).order_by(FlagReview.id)
        )
    ]
    return rec


def show_quote(session: Session, quote_id: int) -> dict[str, Any]:
    """The quotation a quote belongs to, with every appearance and its sentence in context."""
    gid = session.scalar(select(QuoteGroupMember.group_id).where(QuoteGroupMember.quote_id == quote_id))
    if gid is None:
        if session.get(Quote, quote_id) is None:
            raise LinkError(f"no quote {quote_id}")
        rows = session.execute(_appearance_stmt().where(Quote.id == quote_id)).all()
    else:
        rows = session.execute(_appearance_stmt().where(QuoteGroupMember.group_id == gid)).all()
    apps = []
    for q, loc, pub, text, body_start, src, who, rel, score in rows:
        apps.append(
            {
                "quote": q.id,
                "date": pub,
                "outlet": src,
                "article": loc,
                "speaker": who,
                "kind": q.kind,
                "relation": rel or "first",
                "score": round(score, 1) if score is not None else None,
                "start": q.start_char,
                "end": q.end_char,
                "text": q.text,
                "context": _sentence(text, q.start_char, q.end_char, body_start),
            }
        )
    apps.sort(key=lambda a: (a["date"] or dt.date.max, a["quote"]))
    group = session.get(QuoteGroup, gid) if gid is not None else None
    speaker = session.get(Person, group.person_id).name if group and group.person_id else apps[0]["speaker"]
    rep = next((a for a in apps if group and a["quote"] == group.quote_id), apps[0])
    return {"group": gid, "speaker": speaker, "quote": rep["text"], "appearances": apps}


def _appearance_stmt() -> Any:
    return (
        select(
            Quote,
            Article.location,
            Article.published,
            Article.text,
            Article.body_start,
            Source.name,
            Person.name,
            QuoteGroupMember.relation,
            QuoteGroupMember.score,
        )
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Source, Source.id == Article.source_id)
        .outerjoin(Person, Person.id == Quote.person_id)
        .outerjoin(QuoteGroupMember, QuoteGroupMember.quote_id == Quote.id)
    )


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def distinct_quotes(
    session: Session,
    *,
    speaker: str | None = None,
    since: dt.date | None = None,
    source: str | None = None,
    limit: int | None = 50,
) -> list[dict[str, Any]]:
    """Each distinct quotation once: appearances, outlets, first appearance; most repeated first.

    ``speaker`` matches a name or alias (partial, case-insensitive); ``since`` keeps
    quotations with an appearance on or after that day; ``source`` one in that outlet.
    """
    stmt = select(QuoteGroup).where(QuoteGroup.quote_id.is_not(None))
    if speaker:
        ids = select(PersonAlias.person_id).where(
            or_(
                PersonAlias.alias.ilike(f"%{_escape_like(speaker)}%", escape="\\"),
            )
        )
        names = select(Person.id).where(Person.name.ilike(f"%{_escape_like(speaker)}%", escape="\\"))
        stmt = stmt.where(or_(QuoteGroup.person_id.in_(ids), QuoteGroup.person_id.in_(names)))
    if since or source:
        sub = (
            select(QuoteGroupMember.group_id)
            .join(Quote, Quote.id == QuoteGroupMember.quote_id)
            .join(Article, Article.id == Quote.article_id)
        )
        if since:
            sub = sub.where(Article.published >= since)
        if source:
            sub = sub.join(Source, Source.id == Article.source_id).where(
                Source.name.ilike(f"%{_escape_like(source)}%", escape="\\")
            )
        stmt = stmt.where(QuoteGroup.id.in_(sub))
    stmt = stmt.order_by(QuoteGroup.size.desc(), QuoteGroup.first_published.asc().nulls_last(), QuoteGroup.id)
    if limit:
        stmt = stmt.limit(limit)
    groups = session.scalars(stmt).all()
    if not groups:
        return []
    gids = [g.id for g in groups]
    apps: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for gid, qid, pub, src, loc in session.execute(
        select(QuoteGroupMember.group_id, Quote.id, Article.published, Source.name, Article.location)
        .join(Quote, Quote.id == QuoteGroupMember.quote_id)
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Source, Source.id == Article.source_id)
        .where(QuoteGroupMember.group_id.in_(gids))
    ):
        apps[gid].append((pub or dt.date.max, qid, src, loc, pub))
    texts = dict(
        session.execute(select(Quote.id, Quote.text).where(Quote.id.in_([g.quote_id for g in groups]))).all()
    )
    people = dict(
        session.execute(
            select(Person.id, Person.name).where(Person.id.in_({g.person_id for g in groups if g.person_id}))
        ).all()
    )
    out = []
    for g in groups:
        first = min(apps[g.id])
        out.append(
            {
                "id": g.quote_id,
                "speaker": people.get(g.person_id) if g.person_id else None,
                "quote": texts.get(g.quote_id),
                "appearances": len(apps[g.id]),
                "outlets": len({a[2] or a[3] for a in apps[g.id]}),
                "first_date": first[4],
                "first_outlet": first[2],
                "first_article": first[3],
            }
        )
    return out
