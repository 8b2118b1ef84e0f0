"""Text → figures (claims) with value, unit, scale, hedge, metric and period. Pure.

Contract: ``find_claims(text, published) -> list[Claim]`` sorted by ``start``;
``text[c.start:c.end] == c.surface`` and every sub-span (value, unit, hedge, metric) indexes
the same text.  Values are in base units (scale and unit factor applied); ``low``/``high``
is the interval implied by the hedge, or by the rounding of the written digits when there is
none (``None`` = unbounded).  Dates, years, ordinals and numbers inside names are never
claims.  Never raises on any ``str``; runs in linear time (no nested unbounded repeats).

Word lists live in ``tracker/rules`` (units.toml, hedges.toml, scale_words.txt,
number_words.txt, count_nouns.txt, periods.toml, entities.toml, metrics.toml, ratios.toml,
indices.txt); see the README there for where they came from and for the hedge intervals.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from tracker.rules import lines as _lines
from tracker.rules import load_toml as _toml
from tracker.rules import read as _read
from tracker.text import dateline_end, sentence_spans


@dataclass(frozen=True)
class Claim:
    start: int
    end: int
    surface: str  # the figure as written, hedge included: "nearly $ 108 billion"
    value: float | None  # in base units, scale applied (108e9 for "$108 billion")
    low: float | None  # interval implied by value + hedge
    high: float | None
    unit: str | None  # canonical unit: USD, EUR, RUB, CNY, m3, t, bbl, bbl/d, %, pp, h, d, ...
    kind: str | None  # money | volume | mass | percent | duration | count | ...
    hedge: str | None  # canonical hedge: "nearly", "up to", "about", "more than", ...
    metric: str | None = None  # normalised metric phrase ("bilateral trade")
    entities: tuple[str, ...] = ()
    period: str | None = None  # label: "2022", "2023-01..2023-11"
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    is_target: bool = False
    speaker: str | None = None  # filled by the pipeline from the quote that contains it
    # Sub-spans into the same text (None when absent) and what was written.
    value_start: int | None = None
    value_end: int | None = None
    unit_start: int | None = None
    unit_end: int | None = None
    hedge_start: int | None = None
    hedge_end: int | None = None
    metric_start: int | None = None  # raw phrase the metric was normalised from
    metric_end: int | None = None
    scale: float = 1.0  # multiplier of the scale word ("billion" → 1e9)
    surface_unit: str | None = None  # unit as written ("cubic meters", "workers")


# Two significant figures round by at most 5% (leading digit ≥ 1, half-step 0.5 of 10):
# wire copy rounds to two or three figures, so "about"/"nearly" of 5% covers the rounding
# an editor would still call the same number ("nearly $108 billion" for $107.8 billion).
ABOUT_TOLERANCE = 0.05
NEAR_TOLERANCE = 0.05
# A plain figure's interval is its rounding half-step, but trailing zeros are ambiguous
# ("50 billion" might be 48 or 52), so the half-step is capped at this share of the value.
ROUNDING_CAP = 0.05
MAX_NUMBER_CHARS = 40  # longer digit runs are IDs or noise, not figures
# Characters either side of a figure (and its metric phrase) where its entities are
# looked for: "Russia's exports to China rose to $5 billion" names both within 40.
ENTITY_WINDOW = 40
# How far back "the two countries" looks for the two countries it means: the previous
# paragraph or two of wire copy (a short Reuters paragraph is 200-400 characters).
PAIR_REF_WINDOW = 800
CUE_WINDOW = 160  # look-back for a target cue: a long clause ("plans to ... by 2030 reach")
HEDGE_WINDOW = 24  # longest hedge ("slightly more than") plus spacing; bounds the backward search
_SP = r"[^\S\n]"  # horizontal whitespace (incl. no-break and thin spaces)


# ---------------------------------------------------------------------------------------
# Rules, loaded once.


def _pairs(name: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in _read(name).splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            out[parts[0].lower()] = float(parts[1])
    return out


def _alt(words: list[str] | set[str]) -> str:
    """Alternation, longest first so "cubic meters" wins over "cubic meter"."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _phrases(phrases: list[str] | set[str]) -> str:
    """Alternation of multi-word phrases, longest first, any run of spaces between words."""
    return "|".join(
        _SP.join(map(re.escape, p.split())) for p in sorted(set(phrases), key=lambda p: (-len(p), p))
    )


@dataclass(frozen=True)
class _Unit:
    canonical: str
    kind: str
    factor: float


_UNITS = _toml("units.toml")
_PREFIX: dict[str, _Unit] = {}
_SUFFIX: dict[str, _Unit] = {}
_SUFFIX_CS: dict[str, _Unit] = {}
for _u in _UNITS["unit"]:
    _def = _Unit(_u["canonical"], _u["kind"], float(_u["factor"]))
    for _s in _u.get("prefix", []):
        _PREFIX[_s.lower()] = _def
    for _s in _u.get("suffix", []):
        _SUFFIX.setdefault(_s.lower(), _def)
    for _s in _u.get("suffix_cs", []) + _u.get("glued_cs", []):
        _SUFFIX_CS[_s] = _def
# Letters that are a unit only glued to the number ("38.7C", "5p"); spaced they are labels.
# Words before a bare number that give it their unit ("a magnitude 6.1 quake").
_UNIT_BEFORE: dict[str, _Unit] = {
    _s.lower(): _Unit(_u["canonical"], _u["kind"], float(_u["factor"]))
    for _u in _UNITS["unit"]
    for _s in _u.get("before", [])
}
_GLUED_CS = frozenset(_s for _u in _UNITS["unit"] for _s in _u.get("glued_cs", []))
_PER: dict[str, str] = {k.lower(): v for k, v in _UNITS["per"].items()}
_PER_CURRENCY: dict[str, str] = {k.lower(): v for k, v in _UNITS["per_currency"].items()}
# A currency a money figure is the price of, named as its metric ("The pound fell to $1.27").
_CURRENCY_SUBJECTS: dict[str, str] = _PER_CURRENCY | {
    k.lower(): v for k, v in _UNITS["currency_subjects"].items()
}

_RESOLUTIONS = _toml("resolutions.toml")
_RESOLUTION_LINES = frozenset(float(n) for n in _RESOLUTIONS["lines"])
_VIDEO_CUE_RE = re.compile(rf"(?<![\w])(?:{_alt(_RESOLUTIONS['cues'])})(?![\w])", re.IGNORECASE)
# How far either side of "1080p" a video word makes it a resolution: the clause around it
# ("streams films at 1080p", "a 1080p webcam"), not the whole paragraph.
RESOLUTION_WINDOW = 60

_RATIOS = _toml("ratios.toml")
_RATIO = next(
    _Unit(u["canonical"], u["kind"], float(u["factor"])) for u in _UNITS["unit"] if u["kind"] == "ratio"
)

_SCALES = _pairs("scale_words.txt")
# A free-standing "m" is metres and "b"/"k" are letters; glued to a number they are scales.
ATTACHED_ONLY = frozenset({"m", "b", "k"})
_NUMBER_WORDS = _pairs("number_words.txt")
_FRACTIONS = frozenset(
    {"half", "halves", "third", "thirds", "quarter", "quarters", "fifth", "fifths", "tenth", "tenths"}
)
_COUNT_NOUNS = frozenset(_lines("count_nouns.txt"))

_HEDGES = _toml("hedges.toml")
_HEDGE_BEFORE: dict[str, tuple[str, str]] = {}
_HEDGE_AFTER: dict[str, tuple[str, str]] = {}
for _key, _h in _HEDGES.items():
    _canon = _h.get("canonical", _key)
    for _s in _h.get("before", []):
        _HEDGE_BEFORE[_s.lower()] = (_canon, _h["interval"])
    for _s in _h.get("after", []):
        _HEDGE_AFTER[_s.lower()] = (_canon, _h["interval"])

_PERIODS = _toml("periods.toml")
_MONTHS: dict[str, int] = _PERIODS["months"]
_ORDINALS: dict[str, int] = _PERIODS["ordinals"]
_METRICS = _toml("metrics.toml")
_SYNONYMS: dict[str, str] = _METRICS["synonyms"]
_VERBS: dict[str, str] = _METRICS["verbs"]
_BOUNDARY = frozenset(_METRICS["boundaries"]["words"])
_ENTITY_OF: dict[str, str] = {}
_ENTITIES = _toml("entities.toml")
_COUNTRIES = frozenset(_ENTITIES["country"])
_PAIR_REFS = _lines("pair_references.txt")
_COMPANIES = frozenset(_ENTITIES["company"])
_OWNER_RE = re.compile(r"['’]s[^\S\n]+\Z")
for _group in _ENTITIES.values():
    for _canon, _surfaces in _group.items():
        for _s in _surfaces:
            _ENTITY_OF[_s] = _canon

# ---------------------------------------------------------------------------------------
# Regexes, compiled once.

_MONTH_TITLE = _alt([m.title() for m in _MONTHS] + [m.title() + "." for m in _MONTHS if len(m) <= 4])
_WORDNUM = _alt([w for w in _NUMBER_WORDS if w not in _FRACTIONS] + ["hundred"])
_FRAC = _alt(list(_FRACTIONS))

# Scanning is split for speed: digits with a charset-prefixed regex (sre skips non-digits in C),
# number words by str.find on an ASCII-lowered copy, then an anchored match at each candidate.
_DIGITS_RE = re.compile(
    r"""(?=[0-9]|\.[0-9])
        (?:[0-9]{1,3}(?P<sep>[,.\u00a0\u202f\u2009 ])[0-9]{3}(?:(?P=sep)[0-9]{3})*(?![0-9])(?:[.,][0-9]+)?
      | [0-9]+(?:[.,][0-9]+)?
      | \.[0-9]+)""",
    re.VERBOSE,
)
_WORDS_RE = re.compile(
    rf"""(?:an?[ ](?=(?:dozen|hundred|half|quarter|third)\b))?(?:{_WORDNUM}|{_FRAC})
        (?:(?:[ -]|[ ]and[ ](?:an?[ ])?)(?:{_WORDNUM}|{_FRAC}))*(?!\w)
      | an?(?=[ ](?:thousand|million|billion|trillion)\b)""",
    re.VERBOSE | re.IGNORECASE,
)
# "tenfold", "threefold": the number word glued to its unit ("fold", units.toml)
_FOLD_WORD_RE = re.compile(rf"(?:{_WORDNUM})(?=fold(?!\w))", re.IGNORECASE)
_VAGUE_RE = re.compile(
    r"""(?P<vague>(?:dozens|scores|hundreds|thousands|millions|billions|trillions|tens)
        (?:[ ]of[ ](?:thousands|millions|billions))?)[ ]of(?=[ ])""",
    re.VERBOSE | re.IGNORECASE,
)
_WORD_KEYS = tuple(sorted({w for w in _NUMBER_WORDS} | {"hundred"}))
_A_KEYS = (
    "a dozen",
    "a hundred",
    "a half",
    "a quarter",
    "a third",
    "a thousand",
    "a million",
    "a billion",
    "a trillion",
    "an ",
)
_VAGUE_KEYS = (
    "dozens of",
    "scores of",
    "hundreds of",
    "thousands of",
    "millions of",
    "billions of",
    "trillions of",
    "tens of",
)
_PUNCT = ".,;:!?\"'()[]“”‘’«»"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SCALE_RE = re.compile(
    rf"""(?P<sp>{_SP}*|-)(?P<a>(?:a|an|of{_SP}+a){_SP}+)?(?P<scale>{_alt(list(_SCALES))})(?![A-Za-z])""",
    re.VERBOSE | re.IGNORECASE,
)
_UNIT_RE = re.compile(
    rf"""(?P<sp>{_SP}{{0,2}}|-)
    (?P<unit>(?i:{_alt(list(_SUFFIX))})|{_alt(list(_SUFFIX_CS))})(?![A-Za-z0-9²³])""",
    re.VERBOSE,
)
_PREFIX_RE = re.compile(rf"""(?<![A-Za-z])(?P<cur>{_alt(list(_PREFIX))}){_SP}?\Z""", re.IGNORECASE)
_PER_RE = re.compile(
    rf"""{_SP}*(?:per|a|an|/|each){_SP}*(?P<per>{_alt(list(_PER))})(?![A-Za-z])""", re.IGNORECASE
)
# An exchange rate's second currency: "per dollar", "to the dollar", "against the euro".
_RATE_PER_RE = re.compile(
    rf"""{_SP}*(?:per|to{_SP}+the|against{_SP}+the|a|/){_SP}*(?P<per>{_alt(list(_PER_CURRENCY))})(?![A-Za-z])""",
    re.IGNORECASE,
)
# The currency a bare rate is of, named earlier in its sentence ("The rouble weakened past
# 100 per dollar"): the singular names of rules/units.toml's per_currency table.
_RATE_BASE_RE = re.compile(
    rf"""(?<![A-Za-z])(?P<cur>{_alt(list(_PER_CURRENCY))})(?![A-Za-z])""", re.IGNORECASE
)
# "past" after a determiner is an adjective ("the past 12 months"), not "more than".
_PAST_AS_ADJECTIVE_RE = re.compile(
    r"(?<![A-Za-z])(?:the|this|these|its|their|his|her|our|my|your|in|over|for|during)\s+\Z", re.IGNORECASE
)
# Characters searched back from a bare rate for its currency, within the sentence.
RATE_BASE_WINDOW = 100
_COUNT_RE = re.compile(
    rf"""(?P<adj>(?:{_SP}+[a-z][a-z'-]*){{0,2}}?){_SP}+(?P<noun>{_alt(list(_COUNT_NOUNS))})(?![A-Za-z-])"""
)
# The same in a title-case headline, where every noun has a capital ("Storm Kills 12 People").
_COUNT_RE_HEADLINE = re.compile(_COUNT_RE.pattern, re.IGNORECASE)
_PLURAL_RE = re.compile(rf"""{_SP}+(?P<noun>[a-z]{{3,}}s)(?![A-Za-z'’-])""")
_HEDGE_LAST = frozenset(h.split()[-1] for h in _HEDGE_BEFORE)
_HEDGE_BEFORE_RE = re.compile(rf"""(?<![\w])(?P<hedge>{_alt(list(_HEDGE_BEFORE))}){_SP}*\Z""", re.IGNORECASE)
_HEDGE_AFTER_RE = re.compile(rf"""{_SP}*(?P<hedge>{_alt(list(_HEDGE_AFTER))})(?![A-Za-z])""", re.IGNORECASE)
_RANGE_RE = re.compile(
    rf"""(?P<sep>{_SP}*(?:-|–|—){_SP}*|{_SP}+(?:to|and|or){_SP}+)
    (?P<cur>(?:{_alt(list(_PREFIX))}){_SP}?)?(?=[0-9]|(?:{_WORDNUM})\b)""",
    re.VERBOSE | re.IGNORECASE,
)
# "estimates range from 50,000 to 70,000", "anywhere from $3bn to $5bn": a range, not a change.
_RANGE_FROM_RE = re.compile(
    rf"""(?<![\w])(?:range|ranges|ranged|ranging|anywhere|vary|varies|varied|varying|spanning)
    {_SP}+from{_SP}+\Z""",
    re.VERBOSE | re.IGNORECASE,
)
_BETWEEN_RE = re.compile(rf"""(?<![\w])(?P<w>between|from){_SP}+\Z""", re.IGNORECASE)
_CAP_WORD_BEFORE_RE = re.compile(rf"""(?P<w>[A-Za-z][\w&'’.-]*){_SP}+\Z""")
_REF_BEFORE_RE = re.compile(
    rf"""(?:(?<![\w])(?:no|nos|nr|number|page|pages|p|pp|pg|chapter|article|art|section|sec|para|
    paragraph|clause|item|fig|figure|table|vol|rule|step|phase|stage|grade|category|model|version|
    room|gate|platform|seat|flight|route|highway|lane|line|tel|phone|fax|ext|code)\.?|[#№]){_SP}*\Z""",
    re.VERBOSE | re.IGNORECASE,
)
_DATE_BEFORE_RE = re.compile(
    rf"""(?:(?<![\w])(?:{_MONTH_TITLE}){_SP}*(?:[0-9]{{1,2}}(?:st|nd|rd|th)?,?{_SP}*)?)\Z"""
)
_DATE_AFTER_RE = re.compile(
    rf"""\A(?:{_SP}*[-–—]{_SP}*[0-9]{{1,2}})?(?:st|nd|rd|th)?{_SP}*(?:of{_SP}+)?(?:{_MONTH_TITLE})(?![a-z])"""
)
_NOT_FIGURE_AFTER_RE = re.compile(
    rf"""\A(?:st|nd|rd|th)(?![a-z])            # ordinal
    | \A{_SP}*(?:%|per{_SP}?cent){_SP}+(?:confidence|credible|prediction|uncertainty)
      {_SP}+(?:interval|level|bound)         # "a 95% confidence interval": a setting, not a finding
    | \A{_SP}*%{_SP}+CI(?![A-Za-z])
    | \A:[0-9]{{2}}                          # time of day
    | \A{_SP}*(?:a\.m\.|p\.m\.|am|pm|o'clock|GMT|UTC|CET|MSK|EST|EDT|BST)(?![A-Za-z])
    | \A/[0-9]                               # 2022/23, 12/03
    | \A[-–][0-9]+(?![0-9]|(?:bn|m|k)(?![A-Za-z]))(?=[A-Za-z])(?P<model>)  # 737-800s, not "30-40cm"
    """,
    re.VERBOSE,
)
# Capitalised words after which a number is a figure, not part of a name ("Some 500").
_CAP_OK = frozenset(
    {
        "a",
        "an",
        "in",
        "by",
        "to",
        "from",
        "of",
        "at",
        "on",
        "for",
        "with",
        "and",
        "or",
        "only",
        "just",
        "the",
        "total",
        "between",
        "another",
        "all",
        "additional",
        "extra",
        "than",
        "those",
        "these",
        "its",
        "their",
        "our",
        "his",
        "her",
        "reached",
        "exports",
        "imports",
        "output",
        "ci",  # "(95% CI 50% to 71%)": the interval's bounds follow its label
        "magnitude",  # "Magnitude 6.1 quake hits …"
    }
    | {h.split()[-1] for h in _HEDGE_BEFORE}
)
_WORD_RE = re.compile(
    r"""[A-Za-z](?:[\w'’&]|\.(?=\w))*(?:-[A-Za-z0-9][\w'’]*)*|[^\w\s]|(?P<numadj>[0-9][0-9.]*-[A-Za-z]+)"""
)
_CAP_RE = re.compile(r"[A-Z][A-Za-z0-9+]*")
_ENTITY_FIRST: dict[str, list[str]] = {}
for _s in sorted(_ENTITY_OF, key=len, reverse=True):
    _first = _CAP_RE.match(_s)
    if _first:
        _ENTITY_FIRST.setdefault(_first.group(0), []).append(_s)

_ORD = "first|second|third|fourth|1st|2nd|3rd|4th"
_NUMW = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_YEAR = r"(?:19|20)[0-9]{2}(?![0-9,.]?[0-9])"
_PERIOD_RE = re.compile(
    rf"""
      (?P<rel>\b(?:last|this|next|current|previous|coming)[ ](?P<relunit>year|month|quarter)\b
        (?![ ]of[ ]{_YEAR}))
    | (?P<nto>\b(?:(?P<nn>[0-9]{{1,2}}|{_NUMW})[ ](?P<nunit>months|weeks)|(?P<nyear>year))
        [ ](?:to|ended|ending|through)[ ](?:the[ ]end[ ]of[ ])?
        (?P<nm>(?-i:{_MONTH_TITLE}))(?![a-z])(?:[ ][0-9]{{1,2}}(?:st|nd|rd|th)?(?![0-9]))?
        (?:,?[ ](?P<ny>{_YEAR}))?)
    | (?P<firstn>\b(?:first|past|last)[ ](?P<n>[0-9]{{1,2}}|{_NUMW})[ ]months
        (?:[ ]of[ ](?:(?P<fny>{_YEAR})|(?P<fnrel>this|last)[ ]year))?)
    | (?P<quarter>(?:\bQ(?P<qn>[1-4])|\b(?P<qw>{_ORD}|final|last)[ -]quarter)
        (?:,?[ ](?:of[ ])?(?:(?P<qy>{_YEAR})|(?P<qrel>this|last)[ ]year
          |(?:the[ ])?(?:FY[ ]?|fiscal[ ](?:year[ ])?)(?P<qfy>{_YEAR}|[0-9]{{2}}\b)))?)
    | (?P<half>(?:\bH(?P<hn>[12])|\b(?P<hw>first|second|final|last)[ -]half)
        (?:,?[ ](?:of[ ])?(?:(?P<hy>{_YEAR})|(?P<hrel>this|last)[ ]year))?)
    | (?P<ago>\ba[ ]year[ ](?:earlier|before|ago)|\bthe[ ](?:previous|prior|preceding)[ ]year|\byear[ ]ago)
    | (?P<step>\bthe[ ](?P<stepw>previous|prior|preceding)[ ](?P<stepu>quarter|month)\b
        |\ba[ ](?P<stepu2>quarter|month)[ ](?:earlier|before))
    | (?P<yrange>\b(?:between[ ](?P<yb1>{_YEAR})[ ]and|from[ ](?P<yb2>{_YEAR})[ ](?:to|until|through))
        [ ](?P<ye>{_YEAR}))
    | (?P<mrange>\b(?:between[ ](?P<mb1>(?-i:{_MONTH_TITLE}))[ ]and[ ](?P<mb2>(?-i:{_MONTH_TITLE}))
        |(?P<m1>(?-i:{_MONTH_TITLE}))[ ]?(?:-|–|—|to|through)[ ]?(?P<m2>(?-i:{_MONTH_TITLE})))
        (?:,?[ ](?:of[ ])?(?P<mry>{_YEAR}))?)
    | (?P<month>(?:\b(?P<mrel>last|this|next)[ ])?(?P<mm>(?-i:{_MONTH_TITLE}))(?![a-z])
        (?:,?[ ](?:of[ ])?(?P<my>{_YEAR}))?)
    | (?P<fy>\b(?:FY|fiscal[ ]year[ ]?|fiscal[ ])(?P<fyy>{_YEAR}|[0-9]{{2}}\b))
    | (?P<by>\bby[ ](?:the[ ]end[ ]of[ ])?(?P<byy>{_YEAR}))
    | (?P<split>\b(?P<sy>(?:19|20)[0-9]{{2}})[-–/](?P<sy2>[0-9]{{2}})(?![0-9]))
    | (?P<year>\b{_YEAR})
    """,
    re.VERBOSE | re.IGNORECASE,
)
_CUES = frozenset(c.lower() for c in _PERIODS["targets"]["cues"])
_CUE_FIRST = frozenset(c.split()[0] for c in _CUES)
_PAIR_REF_RE = re.compile(
    rf"""(?<![\w])(?:{_phrases(_PAIR_REFS)})(?![\w])""",
    re.IGNORECASE,
)
_ANAPHORA_RE = re.compile(r"""\s*(?:This|That|It|The figure|That figure|This figure|Which)\b""")


# ---------------------------------------------------------------------------------------
# Numbers.


@dataclass(frozen=True)
class _Num:
    value: float
    half_step: float  # half a unit of the last significant digit, before scale
    start: int
    end: int
    is_plain_int: bool  # digits only, no separator or decimal: could be a year


_DECIMAL_COMMA_RE = re.compile(r"[0-9],[0-9]{1,2}(?![0-9])")
_THOUSANDS_COMMA_RE = re.compile(r"[0-9],[0-9]{3}(?![0-9])")
_AMBIGUOUS_RE = re.compile(r"^[0-9]{1,3}\.[0-9]{3}(?![0-9])|,(?![0-9]{3})")
_TAIL_RE = re.compile(r"[.,][0-9]+\Z")
_NOT_DIGIT_RE = re.compile(r"[^0-9]")


def _euro_style(text: str) -> bool:
    """True when the text writes decimals with commas ("3,5 %") and never "1,234"."""
    if "," not in text:
        return False
    return bool(_DECIMAL_COMMA_RE.search(text)) and not _THOUSANDS_COMMA_RE.search(text)


def _half_step(digits: str, value: float) -> float:
    if "." in digits:
        step = 10.0 ** -len(digits.split(".")[1])
    else:
        stripped = digits.rstrip("0")
        step = 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0
    return min(step / 2, abs(value) * ROUNDING_CAP) if value else step / 2


def _parse_digits(m: re.Match[str], euro: bool) -> _Num | None:
    raw = m.group(0)
    start = m.start()
    if len(raw) > MAX_NUMBER_CHARS:
        return None
    if raw.isdigit():  # the common case: no separator, no decimal
        value = float(raw)
        return _Num(value, _half_step(raw, value), start, start + len(raw), True)
    sep = m.group("sep")
    body, tail = raw, ""
    t = _TAIL_RE.search(raw)
    if sep and t and raw[t.start()] != sep:
        body, tail = raw[: t.start()], raw[t.start() + 1 :]
    if sep == "." and not euro and body.count(".") == 1:
        # "1.234" is a decimal in English copy; only "1.234.567" or a text that writes
        # "3,5" shows dots as thousands separators.
        body, tail, sep = body, "", None
        raw = body
    if sep:
        digits = _NOT_DIGIT_RE.sub("", body) + ("." + tail if tail else "")
    elif "," in raw:
        if euro:
            digits = raw.replace(",", ".")
        else:
            raw = raw.split(",")[0]  # "12,5" in English copy is a list, not a decimal
            digits = raw
    else:
        digits = raw
    try:
        value = float(digits)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    plain = sep is None and "," not in raw and "." not in raw
    return _Num(value, _half_step(digits, value), start, start + len(raw), plain)


def _parse_words(words: str, start: int, end: int) -> _Num | None:
    tokens = [t for t in re.split(r"[ -]+", words.lower()) if t]
    total = 0.0
    cur = 0.0
    pending_and = False
    have_number = False
    for tok in tokens:
        if tok in ("a", "an"):
            continue
        if tok == "and":
            pending_and = True
            continue
        if tok == "hundred":
            cur = (cur or 1.0) * 100
        elif tok == "dozen":
            cur = (cur or 1.0) * 12
        elif tok in _FRACTIONS:
            frac = _NUMBER_WORDS[tok]
            if pending_and or not cur:
                total += cur + frac if pending_and else frac
                cur = 0.0 if pending_and else cur
            else:
                cur *= frac  # "two-thirds", "three quarters"
        else:
            cur += _NUMBER_WORDS.get(tok, 0.0)
        have_number = True
        pending_and = False
    if not have_number:
        value = 1.0  # "a million"
    else:
        value = total + cur
    if value <= 0:
        return None
    digits = f"{value:g}"
    return _Num(value, _half_step(digits, value), start, end, False)


# ---------------------------------------------------------------------------------------
# Quantities: number + scale + unit.


@dataclass
class _Term:
    num: _Num
    scale: float = 1.0
    scale_end: int = -1
    unit: _Unit | None = None
    unit_start: int = -1
    unit_end: int = -1
    unit_surface: str | None = None
    prefix_start: int = -1  # currency sign before the number
    end: int = 0


_NEXT_TOKEN_RE = re.compile(
    r"""(?:[^\S\n]{0,2}|-)(?P<tok>[^\s0-9,;:!?()\[\]"“”‘’'-][^\s,;:!?()\[\]"“”‘’'-]*)"""
)
_UNIT_FIRST = frozenset(
    {u.split()[0].split("-")[0].lower() for u in _SUFFIX} | {u.split()[0].lower() for u in _SUFFIX_CS}
)
_SCALE_FIRST = frozenset(_SCALES) | {"a", "an", "of"}


def _next_token(text: str, pos: int) -> str:
    """The next word after ``pos`` (lowercased, trailing full stop dropped): a cheap gate
    that spares the long unit and scale alternations after most numbers."""
    t = _NEXT_TOKEN_RE.match(text, pos)
    if not t:
        return ""
    tok = t.group("tok").lower()
    if tok in _UNIT_FIRST or tok in _SCALE_FIRST:
        return tok
    # "hours." or a missing space after the full stop ("4.5 hours.I'm adding")
    return tok.split(".", 1)[0] or tok


def _unit_at(text: str, pos: int) -> re.Match[str] | None:
    tok = _next_token(text, pos)
    if not tok or (tok not in _UNIT_FIRST and not _UNIT_PREFIX_OK.match(tok)):
        return None
    return _UNIT_RE.match(text, pos)


# Tokens glued to a unit symbol ("%)", "m3-a-day") still reach the full regex.
_UNIT_PREFIX_OK = re.compile(r"[%°º³²]|m[3³]|km[2²]|b/d|bbl|bcm|mb/d|kb/d")


def _bare_rate(text: str, term: _Term) -> None:
    """A bare number quoted against a currency is an exchange rate of the currency named
    before it in the sentence: "The rouble weakened past 100 per dollar" -> RUB/USD."""
    r = _RATE_PER_RE.match(text, term.end)
    if r is None:
        return
    lo = max(0, term.num.start - RATE_BASE_WINDOW)
    stop = max(text.rfind(". ", lo, term.num.start), text.rfind("\n", lo, term.num.start))
    bases = list(_RATE_BASE_RE.finditer(text, stop + 1 if stop >= 0 else lo, term.num.start))
    per = _PER_CURRENCY[r.group("per").lower()]
    base = _PER_CURRENCY[bases[-1].group("cur").lower()] if bases else None
    if base is None or base == per:
        return
    term.unit = _Unit(f"{base}/{per}", "money", 1.0)
    term.unit_start, term.unit_end = r.start("per"), r.end("per")
    term.unit_surface = r.group("per")
    term.end = r.end()


def _read_after(text: str, term: _Term, has_prefix: bool) -> None:
    """Scale word then unit after the number; fills term in place."""
    pos = term.num.end
    term.end = pos
    if not has_prefix:
        u = _unit_at(text, pos)
        if u and not (u.group("sp") == "-" and not u.group("unit")[0].isalpha()):
            _set_unit(term, u)
            return
    s = _SCALE_RE.match(text, pos) if _next_token(text, pos) in _SCALE_FIRST else None
    if s:
        word = s.group("scale").lower()
        attached_ok = not s.group("sp") and not s.group("a")
        if_a_ok = not s.group("a") or term.num.value < 1
        if (word not in ATTACHED_ONLY or attached_ok) and if_a_ok:
            term.scale = _SCALES[word]
            term.scale_end = s.end()
            term.end = s.end()
            pos = s.end()
            s2 = _SCALE_RE.match(text, pos)  # "hundred thousand"
            if s2 and s2.group("sp") and not s2.group("a") and s2.group("scale").lower() not in ATTACHED_ONLY:
                term.scale *= _SCALES[s2.group("scale").lower()]
                term.scale_end = term.end = pos = s2.end()
    if not has_prefix:
        u = _unit_at(text, pos) if pos != term.num.end else None
        hyphenated = term.scale_end > 0 and text[term.num.end : term.num.end + 1] == "-"
        if u and (u.group("sp") != "-" or (hyphenated and u.group("unit")[0].isalpha())):
            _set_unit(term, u)
        elif term.num.value < 1 and term.scale == 1 and (o := _fraction_link(text, term.num, pos)):
            u = _UNIT_RE.match(text, o.end())  # "two-thirds of a percentage point", "half an hour"
            if u and u.group("sp") == "":
                _set_unit(term, u)
        elif term.scale == 1 and (t := _multiplier(text, term.num)):
            term.unit = _RATIO
            term.unit_start, term.unit_end = t.span("unit")
            term.unit_surface = t.group("unit")
            term.end = t.end("unit")


_TIMES_RE = re.compile(rf"{_SP}+(?P<unit>times)(?![\w-])(?P<after>(?:{_SP}+[\w'’-]+){{0,2}})", re.IGNORECASE)
_TIMES_AFTER = frozenset(w.lower() for w in _RATIOS["times"]["after"])
_TIMES_AFTER_THE = frozenset(w.lower() for w in _RATIOS["times"]["after_the"])
_TIMES_BEFORE_RE = re.compile(
    rf"""(?<![\w])(?:{_alt(_RATIOS["times"]["before"])})(?:{_SP}+(?:{_alt(list(_HEDGE_BEFORE))}))?{_SP}+\Z""",
    re.IGNORECASE,
)


def _multiplier(text: str, num: _Num) -> re.Match[str] | None:
    """ "1.5 times", "three times higher", "grew 3 times": "times" as a multiplier, not a
    count of occasions ("met 40 times"); the conditions are in rules/ratios.toml."""
    if "times" not in text[num.end : num.end + 8].lower():
        return None  # a cheap gate: most numbers are not followed by "times"
    t = _TIMES_RE.match(text, num.end)
    if t is None:
        return None
    if num.value != int(num.value):
        return t  # occasions are counted in whole numbers
    after = t.group("after").lower().split()
    if after and (
        after[0] in _TIMES_AFTER
        or " ".join(after[:2]) in _TIMES_AFTER
        or (after[0] == "the" and len(after) > 1 and after[1] in _TIMES_AFTER_THE)
    ):
        return t
    return t if _TIMES_BEFORE_RE.search(text, max(0, num.start - 40), num.start) else None


def _set_unit(term: _Term, u: re.Match[str]) -> None:
    surf = u.group("unit")
    unit = _SUFFIX_CS.get(surf) if surf in _SUFFIX_CS else _SUFFIX.get(surf.lower())
    if unit is None or (surf in _GLUED_CS and u.group("sp")):
        return
    term.unit = unit
    term.unit_start, term.unit_end = u.span("unit")
    term.unit_surface = surf
    term.end = u.end()


_CAP_PLURAL_RE = re.compile(rf"""{_SP}+(?P<noun>[A-Z][a-z]{{2,}}s)(?![A-Za-z'’-])""")


# An acronym's plural ("72 MPs", "40 MEPs", "3,000 EVs"): counted things.
_ACRONYM_PLURAL_RE = re.compile(rf"""{_SP}+(?P<noun>[A-Z]{{2,5}}s)(?![A-Za-z'’-])""")


def _people_of(text: str, pos: int) -> re.Match[str] | None:
    """A plural demonym from the gazetteer ("100,000 Ukrainians"): a count of people; or an
    acronym's plural ("72 MPs")."""
    c = _CAP_PLURAL_RE.match(text, pos)
    if c and c.group("noun") in _ENTITY_OF and c.group("noun")[:-1] in _ENTITY_OF:
        return c
    return _ACRONYM_PLURAL_RE.match(text, pos)


# One modifier before a plural noun ("300 polling stations", "40 rural hospitals"); the
# modifier is a lower-case word that is no function word, adverb, plural or unit.
_PLURAL_ADJ_RE = re.compile(
    rf"""{_SP}+(?P<adj>[a-z][a-z-]{{2,}}(?<![sy])){_SP}+(?P<noun>[a-z]{{3,}}s)(?![A-Za-z'’-])"""
)


def _plural_after_modifier(text: str, pos: int) -> re.Match[str] | None:
    c = _PLURAL_ADJ_RE.match(text, pos)
    if c is None:
        return None
    adj, noun = c.group("adj"), c.group("noun")
    if adj in _NOT_ADJECTIVES or adj in _BOUNDARY or adj in _NOT_COUNTS or adj in _SUFFIX or adj in _SCALES:
        return None
    if noun in _BOUNDARY or noun in _NOT_COUNTS or noun in _SUFFIX:
        return None
    return c


def _read_count(text: str, term: _Term) -> None:
    pos = term.end
    ahead = [w.strip(_PUNCT) for w in text[pos : pos + 60].split()[:3]]
    c = _COUNT_RE.match(text, pos) if any(w in _COUNT_NOUNS for w in ahead) else None
    if c is None and _count_noun_in_headline(text, term.num.start, term.num.end, ahead):
        c = _COUNT_RE_HEADLINE.match(text, pos)
    if c and not any(w in _NOT_ADJECTIVES for w in c.group("adj").split()):
        noun = c.group("noun")
    elif (total := term.num.value * term.scale) == int(total) and total >= 2:
        # Any plural noun counts ("12 pipelines", "9.5 million spectators"), but not a verb
        # ("2231 remains").
        c = _PLURAL_RE.match(text, pos) or _people_of(text, pos)
        if not c or c.group("noun") in _BOUNDARY or c.group("noun") in _NOT_COUNTS:
            c = _plural_after_modifier(text, pos)
            if c is None:
                return
        noun = c.group("noun")
    else:
        return
    term.unit = _Unit("count", "count", 1.0)
    term.unit_start, term.unit_end = c.span("noun")
    term.unit_surface = noun
    term.end = c.end()


# Words that cannot sit between a number and its counted noun ("5 of the workers" is fine
# as a count only when read whole, so "of"/"the" end the adjective run).
_NOT_ADJECTIVES = frozenset(
    {
        "of",
        "the",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "from",
        "were",
        "was",
        "are",
        "is",
        "have",
        "has",
        "had",
        "per",
        "a",
        "an",
        "than",
        "that",
        "which",
        "who",
        "more",
        "less",
    }
)
_OF_A_RE = re.compile(rf"{_SP}+of{_SP}+(?:an?{_SP}+)?")
_HALF_A_RE = re.compile(rf"{_SP}+an?{_SP}+")


def _fraction_link(text: str, num: _Num, pos: int) -> re.Match[str] | None:
    """The words between a fraction and its unit: "of a" ("a third of a point"), or "a"
    after "half" ("half a percentage point", "half an hour")."""
    o = _OF_A_RE.match(text, pos)
    if o is None and text[num.start : num.end].lower().endswith("half"):
        o = _HALF_A_RE.match(text, pos)
    return o


# A fraction before "of" is a share ("a quarter of the budget" = 25%) unless it is part of
# a period ("the first half of the year", "a quarter of a century") or names a part
# ("the other half of"). Hand-written from wire copy on budgets, polls and trade.
_SHARE_OF_RE = re.compile(
    rf"""{_SP}+of{_SP}+(?!(?:an?|the{_SP}+(?:year|month|decade|century|season|period|game|match|day|week)s?\b)
    (?:{_SP}|\b)|(?:19|20)[0-9]{{2}}\b|(?-i:{_MONTH_TITLE})\b)""",
    re.VERBOSE | re.IGNORECASE,
)
_NOT_SHARE_BEFORE_RE = re.compile(
    rf"""(?<![\w])(?:the|this|that|first|second|third|fourth|last|latter|former|other|each|every|final
    |next|previous|back|front|top|bottom|upper|lower|northern|southern|eastern|western|in|by){_SP}+\Z""",
    re.VERBOSE | re.IGNORECASE,
)
_HALF_THE_RE = re.compile(
    rf"{_SP}+(?:the|its|their|his|her|our){_SP}+(?!(?:year|month|time|day|week|season|century|decade)s?\b)"
)
_SHARE = _Unit("%", "percent", 100.0)  # a share written as a fraction, in per cent
# Scaled numbers with no unit ("the population fell by 2 million") count people or things;
# only spelled scale words count ("100m" alone is a distance as often as a number).
_COUNT = _Unit("count", "count", 1.0)
BARE_COUNT_MIN_SCALE = 1e3
# "a 45-year-old", "he is 71 years old": an age, not a figure.
_AGE_AFTER_RE = re.compile(rf"(?:-|{_SP}+)olds?(?![A-Za-z])")
# "a 40-year high", "the 10-year Treasury yield", "a 30-year mortgage": the span frames a
# record or names a bond's tenor; it measures nothing the story reports.
_FRAME_AFTER_RE = re.compile(
    rf"""{_SP}+(?:high|highs|low|lows|peak|record|best|worst|yield|yields|bond|bonds|note|notes|gilt|gilts
    |treasury|treasuries|bund|bunds|bill|bills|mortgage|mortgages|fixed)(?![A-Za-z])""",
    re.VERBOSE | re.IGNORECASE,
)
# "the fastest pace in 20 years", "the first time in a decade": a record's frame, not a span.
_SUPERLATIVE_IN_RE = re.compile(
    rf"""(?<![\w])(?:highest|lowest|fastest|slowest|biggest|largest|smallest|strongest|weakest|worst|best
    |sharpest|steepest|deepest|greatest|longest|shortest|hottest|coldest|wettest|driest|warmest|first{_SP}+time
    |most|least)(?:{_SP}+[\w-]+){{0,3}}?{_SP}+in
    (?:{_SP}+(?:more{_SP}+than|over|almost|nearly|about|at{_SP}+least|just|some))?{_SP}+\Z""",
    re.VERBOSE | re.IGNORECASE,
)


_SHARE_VERBS = frozenset(_RATIOS["share"]["verbs"])
_SHARE_VERB_RE = re.compile(rf"{_SP}+(?P<verb>[a-z]+)(?![\w'’-])")


def _is_share(text: str, num: _Num, start: int) -> bool:
    """A fraction before "of" that states a share ("two-thirds of the funds", "half the staff"),
    or one whose whole is left out before a verb of saying ("Three-quarters said …")."""
    share = (
        _SHARE_OF_RE.match(text, num.end)
        or (text[num.start : num.end].lower() == "half" and _HALF_THE_RE.match(text, num.end))
        or (
            text[num.start].isalpha()
            and (v := _SHARE_VERB_RE.match(text, num.end)) is not None
            and v.group("verb") in _SHARE_VERBS
        )
    )
    return bool(share) and not _NOT_SHARE_BEFORE_RE.search(text, max(0, start - 12), start)


def _bare_count(text: str, term: _Term) -> None:
    """ "2 million" with no unit after a spelled scale word: a count (unit "count", no noun)."""
    if term.unit is None and term.scale >= BARE_COUNT_MIN_SCALE and term.scale_end > 0:
        word = text[term.num.end : term.scale_end].split()[-1].lower().lstrip("-")
        if word not in ATTACHED_ONLY:
            term.unit = _COUNT


_NOT_COUNTS = frozenset(_lines("not_count_nouns.txt"))
_COUNT_VERBS = _lines("count_verbs.txt")
_COUNT_VERB_RE = re.compile(
    rf"""{_SP}+(?:{_phrases(_COUNT_VERBS)})
    (?![\w-])""",
    re.VERBOSE | re.IGNORECASE,
)
_COUNT_VERB_INITIALS = frozenset(v[0] for v in _COUNT_VERBS)  # a cheap gate before the regex
# "people over 65 were hospitalised", "children under 5 died": an age bracket, not a count.
_AGE_BRACKET_RE = re.compile(rf"[a-z]{_SP}+(?:aged|over|under|above|below){_SP}+\Z")
OLDEST_AGE = 120  # a bracket bound above any human age is a count ("over 200 were killed")


_PART_OF_RE = re.compile(
    rf"{_SP}+of{_SP}+(?:the|its|their|his|her|our){_SP}+(?=[0-9]|(?:{_WORDNUM})\b)", re.I
)


def _may_count(term: _Term) -> bool:
    """A whole unscaled number of at least 2: what a count without its own noun can be."""
    num = term.num
    return num.value == int(num.value) and num.value >= 2 and term.scale == 1


def _part_count(text: str, term: _Term, euro: bool) -> None:
    """ "411 of the 650 seats": a part of a counted whole counts the same things."""
    num = term.num
    if not _may_count(term):
        return
    if not text.startswith(" of ", num.end) or not (o := _PART_OF_RE.match(text, num.end)):
        return
    whole = _number_at(text, o.end(), euro)
    if whole is None or whole.value <= num.value:
        return
    of = _Term(whole, end=whole.end)
    _read_count(text, of)
    if of.unit is not None:
        term.unit = _COUNT


def _elided_count(text: str, term: _Term) -> None:
    """ "More than 2,000 were evacuated": a count of people whose noun is left out, before a
    verb from rules/count_verbs.txt; no counted noun is recorded."""
    num = term.num
    if not _may_count(term):
        return
    if text[num.end + 1 : num.end + 2].lower() not in _COUNT_VERB_INITIALS or not _COUNT_VERB_RE.match(
        text, num.end
    ):
        return
    if num.value <= OLDEST_AGE and _AGE_BRACKET_RE.search(text, max(0, num.start - 16), num.start):
        return
    term.unit = _COUNT


# A toll or tally before a bare number makes it a count ("The death toll rose to 50", "the
# death toll from the earthquake rose above 11,000", "the number of dead reached 300").
_TOLL_BEFORE_RE = re.compile(
    rf"""(?P<toll>\b(?:death|casualty|fatality)[ -]tolls?|\btolls?|\bnumber{_SP}+of{_SP}+(?:the{_SP}+)?
    (?:dead|deaths|victims|casualties|fatalities|injured|missing|displaced|arrests|cases|infections))
    (?![\w-])[^.;:!?\n]{{0,80}}?
    \b(?:rose|climbed|jumped|reached|hit|topped|passed|surpassed|exceeded|stood|was|is|stands|now|rises)
    (?:{_SP}+(?:to|at|above|over|past|beyond|more{_SP}+than|nearly|almost|about|around|some))*{_SP}+\Z""",
    re.VERBOSE | re.IGNORECASE,
)


def _toll_count(text: str, term: _Term) -> None:
    """A bare number that a death toll or a tally reached is a count ("The death toll rose to 50")."""
    if _may_count(term) and _TOLL_BEFORE_RE.search(text, max(0, term.num.start - 160), term.num.start):
        term.unit = _COUNT


# Anonymous sources counted in an attribution ("Three sources close to the talks said", "two
# people familiar with the matter", "two officials said"): the count says who speaks.
_SOURCE_NOUNS = frozenset("sources people persons officials diplomats insiders executives bankers".split())
_SOURCE_AFTER_RE = re.compile(
    rf"""{_SP}*,?{_SP}*(?:familiar{_SP}+with|close{_SP}+to|with{_SP}+(?:direct{_SP}+)?knowledge{_SP}+of|
    briefed{_SP}+on|who{_SP}+(?:spoke|asked|declined|requested|were{_SP}+not{_SP}+authori[sz]ed)|
    speaking{_SP}+on|said|told|say|says)\b""",
    re.VERBOSE | re.IGNORECASE,
)


# A small count after a determiner names things already introduced ("the two leaders").
_DETERMINER_BEFORE_RE = re.compile(
    rf"\b(?:the|these|those|both|all|its|their|our|his|her|my|your){_SP}+\Z", re.IGNORECASE
)


_REF_WORDS = frozenset(
    "no nos nr number page pages p pp pg chapter article art section sec para paragraph clause item fig "
    "figure table vol rule step phase stage grade category model version room gate platform seat flight "
    "route highway lane line tel phone fax ext code".split()
)


_SPLIT_YEAR_BEFORE_RE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}[-–/]\Z")
_RANK_BEFORE_RE = re.compile(
    rf"""(?:(?<![\w])(?:the|its|their|our|his|her)|[a-z]['’]s){_SP}+top(?:-|{_SP}+)\Z""", re.IGNORECASE
)


def _excluded(text: str, num: _Num, has_prefix: bool) -> bool:
    """Context that makes a number a date, ordinal, reference or part of a name."""
    s, e = num.start, num.end
    before = text[max(0, s - 24) : s]
    after = text[e : e + 32]
    if (nf := _NOT_FIGURE_AFTER_RE.match(after)) and (
        nf.group("model") is None or not _unit_at(text, e + nf.end())  # "60-70mph" is a range
    ):
        return True
    if has_prefix:
        return False
    if before.endswith("-") and len(before) > 1 and before[-2].isalpha():
        return True  # COVID-19, Su-35
    if e - s == 2 and before[-1:] in ("-", "–", "/") and _SPLIT_YEAR_BEFORE_RE.search(before):
        return True  # the "20" of "the 2019-20 figures": the second year of a season
    if _DATE_AFTER_RE.match(after):
        return True
    if _RANK_BEFORE_RE.search(before):
        return True  # "the top 10 economies", "Russia's top five partners": a rank
    words = before.split()
    if not words:
        return False
    # The backward searches below are long alternations; the previous word gates them.
    last = words[-1]
    if (last[0].isupper() or last[0].isdigit()) and _DATE_BEFORE_RE.search(before):
        return True
    if (last.rstrip(".").lower() in _REF_WORDS or last[-1] in "#№") and _REF_BEFORE_RE.search(before):
        return True
    w = _CAP_WORD_BEFORE_RE.search(before) if last[0].isupper() else None
    if w and w.group("w")[-2:].lower() in ("'s", "’s") and _unit_or_scale_after(text, e):
        return False  # a possessive owns the figure: "the Fed's 2% target", "Russia's 5% growth"
    if w and w.group("w")[0].isupper() and w.group("w").lower() not in _CAP_OK:
        # A capitalised word right before a number names it (Boeing 737, Power of Siberia 2,
        # Resolution 2231) unless it is a hedge or function word ("Some 500 workers"), or the
        # line is a title-case headline and a unit follows ("Exports May Rise 5% as ...").
        if w.group("w").lower() in _HEADLINE_COUNT_VERBS and _count_noun_in_headline(text, s, e):
            return False  # "Storm Kills 12 People in Coastal Towns"
        return not (_in_headline(text, s, e) and _unit_or_scale_after(text, e))
    return False


_HEADLINE_COUNT_VERBS = frozenset(_lines("headline_count_verbs.txt"))


def _count_noun_in_headline(text: str, s: int, e: int, ahead: list[str] | None = None) -> bool:
    """A counted noun, capitalised, among the words after a number on a title-case headline
    ("Storm Kills 12 People in Coastal Towns")."""
    if ahead is None:
        ahead = [w.strip(_PUNCT) for w in text[e : e + 60].split()[:3]]
    return any(w[:1].isupper() and w.lower() in _COUNT_NOUNS for w in ahead) and _in_headline(text, s, e)


# A headline is one short line; a longer one is body text whatever its capitals.
HEADLINE_MAX_CHARS = 200
_MINOR_WORDS = frozenset(_lines("headline_minor_words.txt"))
_HEADLINE_WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*")


def _in_headline(text: str, s: int, e: int) -> bool:
    """True when the number at text[s:e] stands on a short line written in title case."""
    lo = text.rfind("\n", max(0, s - HEADLINE_MAX_CHARS), s) + 1
    if lo == 0 and s > HEADLINE_MAX_CHARS:
        return False
    hi = text.find("\n", e, e + HEADLINE_MAX_CHARS + 1)
    if hi < 0:
        if len(text) - e > HEADLINE_MAX_CHARS:
            return False
        hi = len(text)
    if hi - lo > HEADLINE_MAX_CHARS:
        return False
    words = [w for w in _HEADLINE_WORD_RE.findall(text, lo, hi) if w.lower() not in _MINOR_WORDS]
    return len(words) >= 3 and all(w[0].isupper() for w in words)


def _unit_or_scale_after(text: str, e: int) -> bool:
    if _unit_at(text, e):
        return True
    return _next_token(text, e) in _SCALES and _SCALE_RE.match(text, e) is not None


def _number_at(text: str, pos: int, euro: bool) -> _Num | None:
    """The number written at ``pos`` (digits or words), if any."""
    d = _DIGITS_RE.match(text, pos)
    if d:
        return _parse_digits(d, euro)
    w = _WORDS_RE.match(text, pos)
    if w is None and "fold" in text[pos : pos + 16]:
        w = _FOLD_WORD_RE.match(text, pos)
    if w:
        return _parse_words(w.group(0), w.start(), w.end())
    return None


def _prefix_before(text: str, start: int) -> tuple[_Unit, int, int] | None:
    base = max(0, start - 8)
    p = _PREFIX_RE.search(text[base:start])
    if not p:
        return None
    return _PREFIX[p.group("cur").lower()], base + p.start("cur"), base + p.end("cur")


_VAGUE_BOUNDS = {
    "dozens": (24, 144),
    "scores": (40, 200),
    "tens": (20, 100),
    "hundreds": (200, 1e3),
    "thousands": (2e3, 1e6),
    "millions": (2e6, 1e9),
    "billions": (2e9, 1e12),
    "trillions": (2e12, 1e15),
}


def _interval(value: float, half: float, interval: str | None) -> tuple[float | None, float | None]:
    if interval == "below":
        return value * (1 - NEAR_TOLERANCE), value
    if interval == "above":
        return value, value * (1 + NEAR_TOLERANCE)
    if interval == "approx":
        d = max(abs(value) * ABOUT_TOLERANCE, half)
        return value - d, value + d
    if interval == "max":
        return None, value
    if interval == "min":
        return value, None
    if interval == "exact":
        return value, value
    return value - half, value + half


@dataclass
class _Raw:
    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    unit: str
    kind: str
    hedge: str | None
    value_span: tuple[int, int]
    unit_span: tuple[int, int]
    hedge_span: tuple[int, int] | None
    scale: float
    surface_unit: str


_PERIOD_WORDS_BEFORE_RE = re.compile(
    rf"""(?<![\w])(?:first|past|last|next|previous|coming|following|recent|final|initial){_SP}+\Z""",
    re.IGNORECASE,
)


def _lower(text: str) -> str:
    """Lowercased copy with the same offsets (str.lower can lengthen a few non-ASCII letters)."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


def _word_candidates(low: str) -> list[tuple[int, str]]:
    """Start offsets of number words and vague amounts, found with str.find (fast in C)."""
    found: list[tuple[int, str]] = []
    # A number word followed by punctuation has no unit after it, so whole tokens suffice.
    present = set(low.replace("-", " ").replace("(", " ").replace("“", " ").replace('"', " ").split())
    if "fold" in low:  # "tenfold", "threefold": the number word is glued to its unit
        present |= {w[: w.find("fold")] for w in present if "fold" in w}
    for keys, kind in ((_WORD_KEYS, "w"), (_A_KEYS, "w"), (_VAGUE_KEYS, "v")):
        for key in keys:
            if key.split()[-1 if kind == "w" else 0] not in present:
                continue
            i = low.find(key)
            while i >= 0:
                if i == 0 or not (low[i - 1].isalnum() or low[i - 1] == "-"):
                    found.append((i, kind))
                i = low.find(key, i + 1)
    return found


# "the three months to September", "the 12 months ended March 31": a period, not a duration.
_PERIOD_AFTER_RE = re.compile(
    r"[^\S\n]+(?:to|ended|ending|through|until)[^\S\n]+(?:the[^\S\n]+end[^\S\n]+of[^\S\n]+)?[A-Z0-9]"
)


_CHANGE_BEFORE_RE = re.compile(
    r"""(?<![\w])(?:rose|fell|gained|lost|added|shed|climbed|dropped|jumped|declined|increased|decreased|grew
    |slipped|slid|rallied|tumbled|sank|soared|surged|plunged|eased|edged|up|down|by)[^\S\n]+\Z""",
    re.VERBOSE | re.IGNORECASE,
)


def _scan(text: str, low: str) -> list[_Raw]:
    digit_matches = list(_DIGITS_RE.finditer(text))
    # Only "1.234" and "3,5" are ambiguous; scan the whole text for its style only then.
    euro = any(_AMBIGUOUS_RE.search(m.group(0)) for m in digit_matches) and _euro_style(text)
    cands: list[tuple[int, str]] = [(m.start(), "d") for m in digit_matches]
    cands += _word_candidates(low)
    cands.sort()
    out: list[_Raw] = []
    last_end = 0
    points_end = -1  # end of the last move in index points ("rose 300 points")
    for pos, kind in cands:
        if pos < last_end:
            continue
        raw: _Raw | None = None
        if kind == "v":
            v = _VAGUE_RE.match(text, pos)
            raw = _vague(text, v) if v else None
        elif kind == "d":
            prev = text[pos - 1] if pos else " "
            glued = prev.isalpha() and _PREFIX_RE.search(text, max(0, pos - 8), pos) is not None
            if glued or not (prev.isalnum() or prev in "_.,:/"):  # "RMB5.2 billion", not "G20"
                raw = _quantity(text, pos, euro, last_end, points_end)
        else:
            raw = _quantity(text, pos, euro, last_end)
        if raw:
            out.append(raw)
            last_end = raw.end
            if raw.unit == "pt":
                points_end = raw.end
    return out


def _vague(text: str, m: re.Match[str]) -> _Raw | None:
    words = m.group("vague").lower().split()
    low, high = _VAGUE_BOUNDS[words[0]]
    if len(words) == 3:
        low, high = low * _SCALES[words[2]], high * _SCALES[words[2]]
    term = _Term(_Num(0.0, 0.0, m.start(), m.end(), False), end=m.end())
    u = _UNIT_RE.match(text, m.end())
    if u and u.group("sp") != "-":
        _set_unit(term, u)
    else:
        _read_count(text, term)
    if term.unit is None or term.unit.kind == "count":
        return None  # "dozens of people", "tens of thousands of protesters": no figure to check
    f = term.unit.factor
    return _Raw(
        m.start(),
        term.end,
        None,
        low * f,
        high * f,
        term.unit.canonical,
        term.unit.kind,
        "vague",
        m.span("vague"),
        (term.unit_start, term.unit_end),
        m.span("vague"),
        1.0,
        term.unit_surface or "",
    )


def _is_resolution(text: str, term: _Term) -> bool:
    """ "1080p" next to a video word is a resolution, not £10.80."""
    return (
        term.unit_surface == "p"
        and term.num.is_plain_int
        and term.num.value in _RESOLUTION_LINES
        and _VIDEO_CUE_RE.search(
            text, max(0, term.num.start - RESOLUTION_WINDOW), term.end + RESOLUTION_WINDOW
        )
        is not None
    )


_SHARE_LINK_RE = re.compile(
    rf"""{_SP}+(?:{_phrases(_RATIOS["share"]["links"])})
    {_SP}+(?=[0-9]|(?:{_WORDNUM})\b)""",
    re.IGNORECASE | re.VERBOSE,
)
_SHARE_NOT_BEFORE_RE = re.compile(
    rf"""(?<![\w])(?:{_alt(_RATIOS["share"]["not_before"])}){_SP}+\Z""", re.IGNORECASE
)


def _one_in(text: str, num: _Num, euro: bool) -> _Num | None:
    """ "one in five", "nine out of 10": the share as a fraction spanning both numbers."""
    after = text[num.end : num.end + 5].lower()
    if not (after.startswith((" in ", " out")) and num.value == int(num.value) and num.value >= 1):
        return None
    link = _SHARE_LINK_RE.match(text, num.end)
    whole = _number_at(text, link.end(), euro) if link else None
    if whole is None or whole.value != int(whole.value) or whole.value <= num.value:
        return None
    if whole.is_plain_int and 1800 <= whole.value <= 2100 and whole.end - whole.start == 4:
        return None  # "one in 2020": a year
    if _unit_at(text, whole.end) or _SCALE_RE.match(text, whole.end):
        return None  # "one in five years", "one in 10 million": a span, or a scaled count
    if _SHARE_NOT_BEFORE_RE.search(text, max(0, num.start - 12), num.start):
        return None  # "no one in 10 Downing Street"
    share = num.value / whole.value
    return _Num(share, share * ROUNDING_CAP, num.start, whole.end, False)


# A minus sign glued to a temperature or a percentage ("-5C", "(-0.3%)"), not a range's dash
# ("5-10%", after a digit) nor a name's ("COVID-19"); the word "minus" only before a
# temperature ("minus 12C"), since "RPI minus 1%" is a formula.
_SIGN_BEFORE_RE = re.compile(
    rf"""(?:(?<![\w.,%)\-–−])(?P<sign>[-−–])|(?<![\w])minus{_SP}+)\Z""", re.IGNORECASE
)
_SIGNED_KINDS = frozenset({"temperature", "percent"})
# A lead or a gap in points is in percentage points ("Trump leads Harris by 2 points",
# "Labour's lead narrowed to 12 points", "five points ahead"); an index moves in index points.
_LEAD_BEFORE_RE = re.compile(
    r"(?<![\w])(?:leads?|led|leading|trails?|trailed|trailing|margin|gap|deficit|advantage)"
    r"(?:[^\S\n]+(?:narrowed|widened|shrank|grew|fell|rose|was|is|of|by|to|at|over|\w+['’]s)){0,3}[^\S\n]+\Z",
    re.IGNORECASE,
)
_LEAD_AFTER_RE = re.compile(
    r"(?:[^\S\n]+(?:ahead|behind|clear)|[^\S\n]*-?[^\S\n]*(?:rate[^\S\n]+)?(?:cut|cuts|hike|hikes))(?![\w])",
    re.IGNORECASE,
)
# "Harris leads Trump by 2 points" in poll copy (a percentage or a poll named near it); "City
# lead Arsenal by 5 points" in a league table stays in points.
_LEAD_NAME_BEFORE_RE = re.compile(
    r"(?<![\w])(?:leads?|led|trails?|trailed)[^\S\n]+[A-Z][\w'’.-]*[^\S\n]+by[^\S\n]+\Z"
)
# "dropped 6 points to 38%": a move in points to a percentage is in percentage points.
_TO_PERCENT_AFTER_RE = re.compile(
    r"[^\S\n]+(?:to|from)[^\S\n]+[0-9]+(?:\.[0-9]+)?[^\S\n]?(?:%|per[^\S\n]?cent)"
)
_POLL_CUE_RE = re.compile(r"%|\b(?:polls?|polling|survey|voters)\b", re.IGNORECASE)


_PER_WHOLE_RE = re.compile(rf"{_SP}+per{_SP}+", re.IGNORECASE)


def _per_whole(text: str, pos: int, euro: bool) -> tuple[int, int] | None:
    """ "per 100,000 people", "per 1,000 live births", "per million": the round whole a count
    is a rate of, and where its phrase ends."""
    p = _PER_WHOLE_RE.match(text, pos)
    if p is None:
        return None
    whole = _number_at(text, p.end(), euro)
    if whole is None:
        s = _SCALE_RE.match(text, p.end())  # "per million"
        if not s or s.group("sp") or s.group("a") or s.group("scale").lower() in ATTACHED_ONLY:
            return None
        n, end = _SCALES[s.group("scale").lower()], s.end()
    else:
        t = _Term(whole)
        _read_after(text, t, False)
        if t.unit is None:
            _read_count(text, t)
        elif t.unit.kind != "count":
            return None  # "$300 per 1,000 cubic metres" is a price (units.toml [per])
        n, end = whole.value * t.scale, t.end
    if n < 10 or n != int(n) or str(int(n)).rstrip("0") != "1":
        return None  # a rate is given per a power of ten
    return int(n), end


_UNIT_BEFORE_RE = re.compile(
    rf"(?<![\w-])(?P<w>{_alt(list(_UNIT_BEFORE))})(?:{_SP}+)?\Z",
    re.IGNORECASE,
)
# "passed by 311 votes to 293", "a majority of 18": the other side of a tally, or its margin.
_TALLY_BEFORE_RE = re.compile(
    rf"""(?:[0-9]{_SP}+(?:votes|seats|ballots){_SP}+(?:to|against)
    |(?<![\w])majority{_SP}+of(?:{_SP}+(?:just|only))?){_SP}+\Z""",
    re.VERBOSE | re.IGNORECASE,
)
# "The Dow rose 300 points, or 0.8%, to 38,950": the level an index moved to, after its move
# in points in the same clause.
_LEVEL_AFTER_RE = re.compile(rf"(?:[^.;:!?\n]|\.(?=[0-9])){{0,40}}(?<![\w])(?:to|at){_SP}+\Z", re.IGNORECASE)
_POINTS = _SUFFIX["points"]
_INDEX_NAME_RE = re.compile(rf"(?<![\w&/])(?:{_alt(_lines('indices.txt'))})(?![\w&/])")
_TO_LEVEL_RE = re.compile(rf"(?<![\w])(?:to|at){_SP}+\Z")
INDEX_LEVEL_WINDOW = 100  # "The S&P 500 closed at 5,870.62": the index named before in the clause


# A plural subject whose number changes or reaches a bare number counts the things it names
# ("US jobless claims fell by 4,000 to 217,000", "Mortgage approvals rose to 65,600").
_COUNT_SUBJECT_RE = re.compile(
    rf"""(?<![\w'’-])(?P<noun>[A-Za-z][a-z]{{2,}}s){_SP}+(?:(?:have|has|had){_SP}+)?
    (?:rose|fell|increased|decreased|climbed|dropped|jumped|declined|slipped|grew|reached|hit|totalled
    |totaled|numbered|risen|fallen|surged|slumped)
    (?:{_SP}+by(?:{_SP}+(?:about|around|some|nearly|almost))?{_SP}+[0-9][0-9,]*
      |(?:{_SP}+by)?{_SP}+[0-9][0-9.,]*(?:%|{_SP}?per{_SP}?cent),?)?
    (?:{_SP}+(?:to|by))?(?:{_SP}+(?:about|around|some|nearly|almost|a{_SP}+record))?{_SP}+\Z""",
    re.VERBOSE,
)


# Plural subjects whose bare number is a level or a score, not a count of them.
_LEVEL_SUBJECTS = frozenset(
    "bonds gilts treasuries futures equities markets indices indexes currencies commodities "
    "temperatures levels readings scores ratings odds".split()
)


def _subject_count(text: str, term: _Term) -> None:
    num = term.num
    if not _may_count(term) or num.value < 100 or (num.is_plain_int and 1800 <= num.value <= 2100):
        return
    c = _COUNT_SUBJECT_RE.search(text, max(0, num.start - 60), num.start)
    if c is None:
        return
    noun = c.group("noun").lower()
    if (
        noun in _LEVEL_SUBJECTS
        or noun in _MEASURED_HEADS
        or noun in _NOT_COUNTS
        or noun in _BOUNDARY
        or noun in _SUFFIX
    ):
        return  # "prices rose to 105", "shares fell to 245": a level, not a count
    term.unit = _COUNT


def _index_level(text: str, num: _Num) -> bool:
    """A bare number an index moved or closed at: "The S&P 500 closed at 5,870.62", "the
    Nasdaq added 1.2% to 18,680.12" (rules/indices.txt)."""
    if num.value < 100 or (num.is_plain_int and 1800 <= num.value <= 2100):
        return False
    if not _TO_LEVEL_RE.search(text, max(0, num.start - 6), num.start):
        return False
    lo = max(0, num.start - INDEX_LEVEL_WINDOW)
    names = list(_INDEX_NAME_RE.finditer(text, lo, num.start))
    return bool(names) and not _SENTENCE_BREAK_RE.search(text, names[-1].end(), num.start)


_SENTENCE_BREAK_RE = re.compile(r"[.;!?](?![0-9])|\n")


def _quantity(text: str, pos: int, euro: bool, last_end: int, points_end: int = -1) -> _Raw | None:
    num = _number_at(text, pos, euro)
    if num is None:
        return None
    pre = _prefix_before(text, num.start)
    if pre and pre[1] < last_end:
        pre = None
    if _excluded(text, num, pre is not None):
        return None
    share = _one_in(text, num, euro) if pre is None else None
    if share:
        num = share
        term = _Term(num, unit=_SHARE, end=num.end)
    else:
        term = _Term(num)
    if pre:
        term.unit, term.unit_start, term.unit_end = pre
        term.unit_surface = text[pre[1] : pre[2]]
        term.prefix_start = pre[1]
    if not share:
        _read_after(text, term, pre is not None)
    start = term.prefix_start if pre else num.start
    hedge: tuple[str, str] | None = None
    hedge_span: tuple[int, int] | None = None
    value_end = num.end
    low_v = high_v = None
    last = term
    r = (
        _RANGE_RE.match(text, term.end)
        if not share and (term.unit is None or term.unit.kind != "count")
        else None
    )
    if r:
        num2 = _number_at(text, r.end(), euro)
        if num2 is not None:
            term2 = _Term(num2)
            has_pre2 = bool(r.group("cur")) or pre is not None
            sep = r.group("sep").strip().lower()
            if r.group("cur"):
                cur = r.group("cur").strip()
                term2.unit = _PREFIX[cur.lower()]
                term2.unit_start, term2.unit_end = r.start("cur"), r.start("cur") + len(cur)
                term2.unit_surface = cur
            elif pre:
                term2.unit, term2.unit_start, term2.unit_end = term.unit, term.unit_start, term.unit_end
                term2.unit_surface = term.unit_surface
            _read_after(text, term2, has_pre2)
            if term2.unit is None and term.unit is None:
                _read_count(text, term2)
                _bare_count(text, term2)
            before = text[max(0, start - 12) : start]
            bw = _BETWEEN_RE.search(before)
            compatible = (
                (
                    term.unit is None
                    or term2.unit is None
                    or (term.unit.canonical == term2.unit.canonical and term.unit.factor == term2.unit.factor)
                )
                and not (term.scale != 1 and term2.scale == 1 and term2.unit is None)
                # "rose 2 cents to $85.10", "fell 5% to 10%": a change, then a level
                and not (sep == "to" and _CHANGE_BEFORE_RE.search(text[max(0, start - 16) : start]))
                # "grew by a quarter to 1.1 million": a share written in words is a change
                and not (num.value < 1 and text[num.start : num.start + 1].isalpha())
                # "grew in 2022 to $172 billion": a year, then a level; and a range runs upwards
                and not (num.is_plain_int and 1800 <= num.value <= 2100 and term.scale == 1 and not pre)
                and num.value * (term.scale if term.scale != 1 else term2.scale) <= num2.value * term2.scale
            )
            if (
                compatible
                and (term.unit or term2.unit)
                and not _DATE_AFTER_RE.match(text[num.end : num.end + 24])
            ):
                if term.scale == 1 and term.scale_end < 0:
                    term.scale = term2.scale
                if term.unit is None:
                    term.unit, term.unit_start, term.unit_end = term2.unit, term2.unit_start, term2.unit_end
                    term.unit_surface = term2.unit_surface
                if (
                    bw
                    and bw.group("w").lower() == "from"
                    and not _RANGE_FROM_RE.search(text, max(0, start - 32), start)
                ):
                    pass  # "from 5 to 6 million": a change, two figures; the first borrows the unit
                elif sep != "and" or bw:
                    f = term.unit.factor if term.unit else 1.0
                    low_v = num.value * term.scale * f
                    high_v = num2.value * term2.scale * f
                    if low_v <= high_v:
                        last = term2
                        value_end = num2.end
                        if bw:
                            start = max(0, start - 12) + bw.start()
                            hedge_span = (start, start + len(bw.group("w")))
                        hedge = ("range", "range")
                    else:
                        low_v = high_v = None
    bare_word = text[num.start : num.end].lower()
    if bare_word in _FRACTIONS and term.unit is not None and term.unit_start <= num.end + 1:
        return None  # "the third year", "fifth day": an ordinal before its noun
    if term.unit is None and last is term:
        if num.value < 1 and term.scale == 1:
            if not _is_share(text, num, start):
                return None  # a bare "third" or "half" is an ordinal, not a figure
            term.unit = _SHARE
        else:
            _read_count(text, term)
            _bare_count(text, term)
            if term.unit is None:
                _elided_count(text, term)
            if term.unit is None:
                _part_count(text, term, euro)
            if term.unit is None:
                _bare_rate(text, term)
            if term.unit is None:
                _toll_count(text, term)
            if (
                term.unit is None
                and _may_count(term)
                and _TALLY_BEFORE_RE.search(text, max(0, num.start - 30), num.start)
            ):
                term.unit = _COUNT
            if term.unit is None:
                _subject_count(text, term)
            if term.unit is None and (b := _UNIT_BEFORE_RE.search(text, max(0, num.start - 12), num.start)):
                term.unit = _UNIT_BEFORE[b.group("w").lower()]
            if term.unit is None and (
                (
                    0 <= points_end <= num.start
                    and _LEVEL_AFTER_RE.match(text, points_end, num.start)
                    and not (num.is_plain_int and 1800 <= num.value <= 2100)
                )
                or _index_level(text, num)
            ):
                term.unit = _POINTS
    if (
        last is term
        and (term.unit is None or term.unit.kind == "count")
        and "per" in text[term.end : term.end + 6].lower()
        and (w := _per_whole(text, term.end, euro))
    ):
        # "412 cases per 100,000 people": a rate; the denominator is no count of its own
        term.unit = _Unit(f"count/{w[0]}", "count", 1.0)
        term.end = w[1]
    unit = term.unit
    if unit is None or _is_resolution(text, term):
        return None
    if (
        unit.kind == "count"
        and num.value <= 10
        and _DETERMINER_BEFORE_RE.search(text, max(0, start - 8), start)
    ):
        return None  # "the two countries", "these three projects": a reference, not a figure
    if (
        unit.kind == "count"
        and term.unit_surface
        and term.unit_surface.lower() in _SOURCE_NOUNS
        and _SOURCE_AFTER_RE.match(text, term.end)
    ):
        return None  # "Two people familiar with the matter said": who speaks, not a figure
    end = max(last.end, term.end) if last is not term else term.end
    if last is not term and last.unit is not None and last.unit_end > term.unit_end and pre is None:
        term.unit_start, term.unit_end, term.unit_surface = last.unit_start, last.unit_end, last.unit_surface
    # Years and periods are not figures: "2022 elections", "the first 11 months".
    is_year = num.is_plain_int and len(text[num.start : num.end]) == 4 and 1800 <= num.value <= 2100
    if is_year and pre is None and term.scale == 1 and unit.kind in ("count", "duration"):
        return None
    if unit.kind == "duration" and (
        _PERIOD_WORDS_BEFORE_RE.search(text[max(0, start - 20) : start]) or _PERIOD_AFTER_RE.match(text, end)
    ):
        return None
    if unit.kind == "duration" and (
        (text[end - 1 : end].isalpha() and text[end - 1] != "s" and _FRAME_AFTER_RE.match(text, end))
        or _SUPERLATIVE_IN_RE.search(text, max(0, start - 60), start)
    ):
        return None  # "a 40-year high", "10-year yield", "the fastest pace in 20 years"
    if unit.kind == "duration" and _AGE_AFTER_RE.match(text, end):
        return None  # "a 45-year-old engineer", "71 years old"
    if (
        unit.kind == "duration"
        and text[num.start : num.end].lower() in ("one", "a")
        and text[num.end : end].strip().lower() == "day"
    ):
        return None  # "one day" is an idiom more often than a duration
    sign = 1.0
    value_start = num.start
    if unit.kind in _SIGNED_KINDS and pre is None and low_v is None and start == num.start:
        m = _SIGN_BEFORE_RE.search(text, max(0, start - 8), start)
        if m and (m.group("sign") or unit.kind == "temperature"):
            sign = -1.0  # "-5C", "minus 12C", "growth of -0.3%": below zero
            start = value_start = m.start()
    canonical = unit.canonical
    if canonical == "pt" and (
        _LEAD_BEFORE_RE.search(text, max(0, start - 40), start)
        or _LEAD_AFTER_RE.match(text, end)
        or _TO_PERCENT_AFTER_RE.match(text, end)
        or (
            _LEAD_NAME_BEFORE_RE.search(text, max(0, start - 40), start)
            and _POLL_CUE_RE.search(text, max(0, start - 200), end + 200)
        )
    ):
        canonical = "pp"  # "leads Harris by 2 points", "12 points ahead": a poll lead, not an index move
    if unit.kind == "money" and "/" not in canonical:
        p = _PER_RE.match(text, end)
        if p:
            canonical = f"{canonical}/{_PER[p.group('per').lower()]}"
            end = p.end()
        elif (r := _RATE_PER_RE.match(text, end)) and _PER_CURRENCY[r.group("per").lower()] != canonical:
            canonical = f"{canonical}/{_PER_CURRENCY[r.group('per').lower()]}"  # "100 roubles per dollar"
            end = r.end()
    if hedge is None:
        window = text[max(0, start - HEDGE_WINDOW) : start]
        tail = window.split()[-1:] or [""]
        gate = tail[0].lower() in _HEDGE_LAST or window.endswith("~")
        hb = _HEDGE_BEFORE_RE.search(window) if gate else None
        if hb and unit.kind == "duration" and hb.group("hedge").lower() in ("over", "under", "past"):
            hb = None  # "over ten years" is a span of time, not "more than"
        if hb and hb.group("hedge").lower() == "past" and _PAST_AS_ADJECTIVE_RE.search(window, 0, hb.start()):
            hb = None  # "the past 100 days", "its past 12 results": an adjective, not a hedge
        if hb:
            hedge = _HEDGE_BEFORE[hb.group("hedge").lower()]
            base = max(0, start - HEDGE_WINDOW)
            hedge_span = (base + hb.start("hedge"), base + hb.end("hedge"))
            start = hedge_span[0]
        else:
            ha = _HEDGE_AFTER_RE.match(text, end)
            if ha:
                hedge = _HEDGE_AFTER[ha.group("hedge").lower()]
                hedge_span = ha.span("hedge")
                end = ha.end()
    factor = unit.factor * term.scale
    if low_v is not None and high_v is not None:
        value = (low_v + high_v) / 2
        low, high = low_v, high_v
    else:
        value = sign * num.value * factor
        low, high = _interval(value, num.half_step * factor, hedge[1] if hedge else None)
        if low is not None and high is not None and low > high:
            low, high = high, low  # a tolerance taken off a value below zero
    return _Raw(
        start,
        end,
        value,
        low,
        high,
        canonical,
        unit.kind,
        hedge[0] if hedge else None,
        (value_start, value_end),
        (term.unit_start, term.unit_end),
        hedge_span,
        term.scale,
        term.unit_surface or "",
    )


# ---------------------------------------------------------------------------------------
# Context: sentences, periods, targets, metric and entities.


@dataclass(frozen=True)
class _Period:
    start: int
    end: int
    label: str
    first: dt.date | None
    last: dt.date | None
    target: bool
    relative: bool = False  # "a year earlier": belongs only to the figure just before it


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _label(y1: int, m1: int, y2: int, m2: int) -> _Period:
    if y1 == y2 and m1 == 1 and m2 == 12:
        label = f"{y1}"
    elif (y1, m1) == (y2, m2):
        label = f"{y1}-{m1:02d}"
    else:
        label = f"{y1}-{m1:02d}..{y2}-{m2:02d}"
    return _Period(0, 0, label, dt.date(y1, m1, 1), _month_end(y2, m2), False)


def _year_of(explicit: str | None, rel: str | None, published: dt.date | None, last_month: int) -> int | None:
    """Year of a month span: written, "this/last year", or the latest one ended by publication."""
    if explicit:
        return int(explicit)
    if published is None:
        return None
    if rel:
        return published.year - (rel.lower() == "last")
    return published.year if last_month <= published.month else published.year - 1


# "in May", "since May", "the end of May": a preposition before "May" makes it the month; a
# subject before it makes it the modal verb ("prices may rise", "Exports May Fall").
_MAY_MONTH_BEFORE_RE = re.compile(
    rf"""(?<![\w])(?:in|since|from|to|until|till|through|during|for|of|by|between|and|early|late|mid)
    (?:{_SP}+|-)\Z""",
    re.VERBOSE | re.IGNORECASE,
)


def _month_may(m: re.Match[str]) -> bool:
    """True when the "May" that ``m`` matched is the month: after a preposition and not a
    possessive ("in May's cabinet" is Theresa May's)."""
    text, pos = m.string, m.start("mm")
    if text.startswith(("'s", "’s"), m.end("mm")):
        return False
    return _MAY_MONTH_BEFORE_RE.search(text, max(0, pos - 12), pos) is not None


# Words that make a month named without a year the coming one, when it is later in the year
# than the publication ("investors see a 60% chance of a cut in August", "is expected to
# rise in September"); without them a month is the latest one ended ("exports rose in August").
_FUTURE_CUE_RE = re.compile(
    r"(?<![\w'’])(?:will|'ll|expected|expects|expect|expecting|forecast|forecasts|projected|due|"
    r"scheduled|plans?|planned|planning|set\s+to|chance|likely|probability|odds|next|upcoming|"
    r"aims?\s+to|hopes?\s+to|intends?\s+to|is\s+to|are\s+to)(?![\w'’])",
    re.IGNORECASE,
)
# Cues sure enough of the future to move a month already past this year into the next.
_SURE_FUTURE = frozenset({"will", "'ll", "next", "upcoming"})
# Characters before a period searched for such a cue, within its sentence.
FUTURE_CUE_WINDOW = 120


def _clause_before(text: str, pos: int) -> str:
    """The text of the sentence before ``pos``, at most FUTURE_CUE_WINDOW characters."""
    lo = max(0, pos - FUTURE_CUE_WINDOW)
    stop = max(text.rfind(". ", lo, pos), text.rfind("\n", lo, pos))
    return text[(stop + 1 if stop >= 0 else lo) : pos]


def _num_word(s: str) -> int:
    return int(s) if s.isdigit() else int(_NUMBER_WORDS.get(s.lower(), 0))


def _resolve(m: re.Match[str], published: dt.date | None) -> _Period | None:
    g = m.groupdict()
    p: _Period | None = None
    target = False
    if g["rel"]:
        if published is None:
            return None
        which = m.group(0).split()[0].lower()
        shift = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(which, 0)
        target = shift > 0
        unit = g["relunit"].lower()
        y, mo = published.year, published.month
        if unit == "year":
            p = _label(y + shift, 1, y + shift, 12)
        elif unit == "month":
            k = y * 12 + mo - 1 + shift
            p = _label(k // 12, k % 12 + 1, k // 12, k % 12 + 1)
        else:
            k = y * 4 + (mo - 1) // 3 + shift
            p = _label(k // 4, (k % 4) * 3 + 1, k // 4, (k % 4) * 3 + 3)
    elif g["ago"] or g["step"]:
        return None  # relative to another period: resolved by _periods
    elif g["nto"]:  # "the nine months to September": n months ending with that month
        # "the year to March" is twelve months; "the 52 weeks to February 24" is in weeks
        # (a retailer's year), counted here in whole months.
        n = 12 if g["nyear"] else _num_word(g["nn"])
        if g["nunit"] and g["nunit"].lower() == "weeks":
            n = round(n / WEEKS_PER_MONTH)
        m2 = _MONTHS[g["nm"].lower().rstrip(".")]
        y = _year_of(g["ny"], None, published, m2)
        if not 1 <= n <= 24 or y is None:
            return None
        k = y * 12 + m2 - n
        p = _label(k // 12, k % 12 + 1, y, m2)
    elif g["firstn"]:
        n = _num_word(g["n"])
        if not 1 <= n <= 12 or not m.group(0).lower().startswith("first"):
            return None
        y = _year_of(g["fny"], g["fnrel"], published, n)
        p = _label(y, 1, y, n) if y else None
    elif g["yrange"]:  # "between 2010 and 2020", "from 2019 to 2023": the span of a change
        y1, y2 = int(g["yb1"] or g["yb2"]), int(g["ye"])
        p = _label(y1, 1, y2, 12) if y1 < y2 else None
    elif g["quarter"] and g["qfy"]:
        # "Q2 FY25", "the third quarter of fiscal 2024": a fiscal quarter, whose months depend
        # on where the company's year starts, so it is labelled and not dated
        q = int(g["qn"]) if g["qn"] else _ORDINALS.get(g["qw"].lower(), 4)
        yy = g["qfy"]
        p = _Period(0, 0, f"FY{int(yy) if len(yy) == 4 else 2000 + int(yy)}-Q{q}", None, None, False)
    elif g["quarter"]:
        q = int(g["qn"]) if g["qn"] else _ORDINALS.get(g["qw"].lower(), 4)  # "final quarter"
        y = _year_of(g["qy"], g["qrel"], published, q * 3)
        p = _label(y, q * 3 - 2, y, q * 3) if y else None
    elif g["half"]:
        h = int(g["hn"]) if g["hn"] else _ORDINALS.get(g["hw"].lower(), 2)  # "last half of 2023"
        y = _year_of(g["hy"], g["hrel"], published, h * 6)
        p = _label(y, h * 6 - 5, y, h * 6) if y else None
    elif g["mrange"]:
        m1, m2 = (g["m1"], g["m2"]) if g["m1"] else (g["mb1"], g["mb2"])
        a, b = _MONTHS[m1.lower().rstrip(".")], _MONTHS[m2.lower().rstrip(".")]
        y = _year_of(g["mry"], None, published, b)
        p = _label(y, a, y, b) if y and a <= b else None
    elif g["month"]:
        mo = _MONTHS[g["mm"].lower().rstrip(".")]
        if g["mm"] == "May" and not (g["my"] or g["mrel"] or _month_may(m)):
            return None  # the modal verb
        if g["mrel"] and published is not None and not g["my"]:
            rel = g["mrel"].lower()
            y = published.year
            if rel == "last":
                y = published.year if mo < published.month else published.year - 1
            elif rel == "next":
                y = published.year if mo > published.month else published.year + 1
                target = True
        elif (
            not g["my"]
            and published is not None
            and (cue := _FUTURE_CUE_RE.search(_clause_before(m.string, m.start())))
            and (mo > published.month or (mo < published.month and cue.group(0).lower() in _SURE_FUTURE))
        ):
            # "a cut in August" said in June: this August; "output will rise in March" said in
            # June: next March
            y, target = published.year + (mo < published.month), True
        else:
            y = _year_of(g["my"], None, published, mo)
        p = _label(y, mo, y, mo) if y else None
    elif g["fy"]:
        yy = g["fyy"]
        year = int(yy) if len(yy) == 4 else 2000 + int(yy)
        p = _Period(0, 0, f"FY{year}", None, None, False)
    elif g["by"]:
        y = int(g["byy"])
        p = _label(y, 1, y, 12)
        target = True
    elif g["split"]:
        # "2022-23", "the 2022/23 season": a fiscal year or season across two calendar years.
        # Where it starts (April, July, August) depends on who counts, so it has no dates and
        # is never grouped with a calendar year.
        y = int(g["sy"])
        if (y + 1) % 100 != int(g["sy2"]):
            return None
        p = _Period(0, 0, f"{y}/{g['sy2']}", None, None, False)
    elif g["year"]:
        y = int(g["year"])
        p = _label(y, 1, y, 12)
    if p is None:
        return None
    if published is not None and p.first is not None and p.first > published:
        target = True  # a period that has not begun yet can only hold a forecast
    return _Period(m.start(), m.end(), p.label, p.first, p.last, target)


_PERIOD_KEYS = (
    "a year ",
    "year ago",
    "the previous year",
    "the prior year",
    "the preceding year",
    "the previous quarter",
    "the prior quarter",
    "the preceding quarter",
    "the previous month",
    "the prior month",
    "the preceding month",
    "a quarter ",
    "a month ",
    "between ",
    "from ",
    "last ",
    "this ",
    "next ",
    "current ",
    "previous ",
    "coming ",
    "first ",
    "final ",
    "second ",
    "third ",
    "fourth ",
    "1st ",
    "2nd ",
    "3rd ",
    "4th ",
    "q1",
    "q2",
    "q3",
    "q4",
    "h1",
    "h2",
    "fy",
    "fiscal",
    "by ",
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)  # the first letters of every alternative of _PERIOD_RE, so it is only tried where it can match
_TRAILING_FIND_RE = re.compile(r" (?:(?P<n>months|weeks)|year) (?:to|ended|ending|through) ")
WEEKS_PER_MONTH = 52 / 12  # "13 weeks" is a quarter, "52 weeks" a year
_EVENT_VERBS = ("founded", "established", "born", "built", "created", "signed", "launched", "opened", "since")
_YEAR_FIND_RE = re.compile(r"[12][09][0-9][0-9]")


# "1990 levels", "2019 level": a year that names the baseline a figure is measured against.
_BASELINE_AFTER_RE = re.compile(rf"{_SP}+levels?(?![\w])", re.IGNORECASE)
_BASELINE_BEFORE_RE = re.compile(rf"(?<![\w])levels?{_SP}+(?:of|in){_SP}+\Z", re.IGNORECASE)


def _periods(
    text: str,
    low: str,
    lo: int,
    hi: int,
    published: dt.date | None,
    claims: list[_Raw],
    unresolved: list[tuple[int, int]],
) -> list[_Period]:
    """Periods in text[lo:hi]; spans of period phrases that name no period of the figures (a
    baseline year, "the fourth quarter" with no article date) are added to ``unresolved``,
    so they are never read as a metric either."""
    starts = {m.start() for m in _YEAR_FIND_RE.finditer(text, lo, hi)}
    for key in _PERIOD_KEYS:
        i = low.find(key, lo, hi)
        while i >= 0:
            starts.add(i)
            i = low.find(key, i + 1, hi)
    for t in _TRAILING_FIND_RE.finditer(low, lo, hi):
        i = t.start()
        if t.group("n"):  # the alternative starts at the number before "months"/"weeks"
            starts.add(max(lo, low.rfind(" ", lo, i) + 1))
        else:  # "the year to March": it starts at "year"
            starts.add(i + 1)
    out = []
    end = -1
    for pos in sorted(starts):
        if pos < end or (pos and text[pos - 1].isalnum()):
            continue
        m = _PERIOD_RE.match(text, pos, hi)
        if not m or any(c.start <= m.start() < c.end for c in claims):
            continue
        if any(v in low[max(lo, pos - 18) : pos] for v in _EVENT_VERBS):
            continue  # "founded in 1998" dates an event, not the figure
        if m.group("year") and (
            _BASELINE_AFTER_RE.match(text, m.end())
            or _BASELINE_BEFORE_RE.search(text, max(lo, pos - 16), pos)
        ):
            unresolved.append((m.start(), m.end()))
            continue  # "cut emissions by 55% from 1990 levels": a baseline, not the figure's year
        end = m.end()
        if m.group("ago"):
            p = _year_before(m, out[-1] if out else None, published)
        elif m.group("step"):
            p = _step_before(m, out[-1] if out else None, published)
        else:
            p = _resolve(m, published)
        if p is not None:
            out.append(p)
        else:
            unresolved.append((m.start(), m.end()))
    return out


def _just_after(raw: _Raw, p: _Period, raws: list[_Raw]) -> bool:
    """True when period ``p`` follows ``raw`` with no other figure in between."""
    return p.start >= raw.end and not any(raw.end <= r.start < p.start for r in raws)


# A comparison word between a change and a relative period makes that period the baseline,
# not the change's own: "up 26.3% from a year earlier" is growth in the sentence's year.
_BASELINE_GAP_RE = re.compile(
    rf"""{_SP}*,?{_SP}*(?:from|on|than|over|versus|vs\.?|compared{_SP}+(?:with|to)|against){_SP}+\Z""",
    re.IGNORECASE,
)


def _unresolved_own(text: str, raw: _Raw, unresolved: list[tuple[int, int]]) -> bool:
    """True when a period that could not be dated is written right after ``raw`` ("$240
    billion last year" with no article date): the figure's period is unknown, not the one
    another figure in the sentence has ("… the $200 billion target set for 2024")."""
    return any(_attached(text, raw, a) for a, _b in unresolved)


def _relative_period_of(text: str, raw: _Raw, p: _Period, raws: list[_Raw]) -> bool:
    """True when relative period ``p`` ("a year earlier") is ``raw``'s own: written right
    after it ("15.5 bcm a year earlier"), not as the base of a comparison."""
    return _just_after(raw, p, raws) and not _BASELINE_GAP_RE.match(text, raw.end, p.start)


# A period written right after a figure, with at most a preposition between ("$180bn in 2023",
# "$200bn for 2024", "5% in the first quarter"), belongs to that figure.
_ATTACHED_GAP_RE = re.compile(
    rf"""{_SP}*,?{_SP}*(?:(?:in|for|during|over|through|throughout|of|across){_SP}+)?(?:the{_SP}+)?\Z""",
    re.IGNORECASE,
)


def _attached(text: str, raw: _Raw, start: int) -> bool:
    """True when a period starting at ``start`` is written right after ``raw``."""
    return 0 <= start - raw.end <= 24 and _ATTACHED_GAP_RE.match(text, raw.end, start) is not None


def _owners(text: str, periods: list[_Period], raws: list[_Raw]) -> dict[int, _Raw]:
    """Period start → the figure that period is written right after, for those that have one."""
    out: dict[int, _Raw] = {}
    k = 0
    for p in periods:  # both lists are in text order
        while k < len(raws) and raws[k].end <= p.start:
            k += 1
        r = raws[k - 1] if k else None
        if r is not None and _attached(text, r, p.start):
            out[p.start] = r
    return out


def _distance(raw: _Raw, p: _Period) -> tuple[int, int]:
    return (max(p.start - raw.end, raw.start - p.end, 0), -p.start)


# A verb of saying or forecasting between a figure and the next one opens a clause about
# something else, whose period is its own.
_NEW_CLAUSE_RE = re.compile(
    r"\b(?:said|says|added|expects|expected|forecasts?|predicted|predicts|warned|projected|sees|saw)\b"
)


def _period_of(text: str, raw: _Raw, usable: list[_Period], owners: dict[int, _Raw]) -> _Period | None:
    """The period a figure is for: one written right after it; else the nearest, unless that
    one is written right after another figure and a free period follows this one ("trade
    reached $240bn in 2023, surpassing a target of $200bn set for 2024")."""
    own = [p for p in usable if owners.get(p.start) is raw]
    if own:
        return min(own, key=lambda p: _distance(raw, p))
    nearest = min(usable, key=lambda p: _distance(raw, p))
    if nearest.start not in owners:
        return nearest
    free_after = [p for p in usable if p.start not in owners and p.start >= raw.end]
    if free_after:
        return min(free_after, key=lambda p: _distance(raw, p))
    owner = owners[nearest.start]
    if owner.start >= raw.end and _NEW_CLAUSE_RE.search(text, raw.end, owner.start):
        return None  # "raised rates to 6.5% and said inflation would average 4.5% in fiscal 2025"
    return nearest


def _year_before(m: re.Match[str], base: _Period | None, published: dt.date | None) -> _Period | None:
    """ "a year earlier" / "the previous year": the period before the sentence's last one
    ("22.7 bcm in 2023, up from 15.5 bcm a year earlier" → 2022)."""
    if base is None or base.first is None or base.last is None:
        return None  # "a year ago" of an unnamed period: guessing it would invent a comparison
    f, la = base.first, base.last
    p = _label(f.year - 1, f.month, la.year - 1, la.month)
    return _Period(m.start(), m.end(), p.label, p.first, p.last, False, relative=True)


def _step_before(m: re.Match[str], base: _Period | None, published: dt.date | None) -> _Period | None:
    """ "the previous quarter" / "a month earlier": the quarter or month before the sentence's
    last period when that one is a quarter or a month ("4.2% in the three months to August,
    from 4.0% in the previous quarter" → March–May); with none before, "the previous
    quarter" is the one before the current quarter of the article date, as "last quarter"."""
    months = 3 if (m.group("stepu") or m.group("stepu2")).lower() == "quarter" else 1
    if base is not None and base.first is not None and base.last is not None:
        f, la = base.first, base.last
        k1, k2 = f.year * 12 + f.month - 1, la.year * 12 + la.month - 1
        if k2 - k1 + 1 != months:
            return None  # "the previous quarter" after a year: which one is not said
        k1, k2 = k1 - months, k2 - months
    elif m.group("stepw") and published is not None:
        k2 = published.year * 12 + published.month - 1
        k2 = k2 - k2 % months - 1 if months == 3 else k2 - 1
        k1 = k2 - months + 1
    else:
        return None  # "a quarter earlier" than an unnamed period
    p = _label(k1 // 12, k1 % 12 + 1, k2 // 12, k2 % 12 + 1)
    return _Period(m.start(), m.end(), p.label, p.first, p.last, False, relative=base is not None)


def _entity_spans(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Gazetteer names in text[lo:hi]: capitalised tokens looked up by their first word."""
    out: list[tuple[int, int, str]] = []
    end = -1
    for m in _CAP_RE.finditer(text, lo, hi):
        pos = m.start()
        if pos < end or (pos and (text[pos - 1].isalnum() or text[pos - 1] == "_")):
            continue
        for surface in _ENTITY_FIRST.get(m.group(0), ()):
            stop = pos + len(surface)
            if (
                stop <= hi
                and text.startswith(surface, pos)
                and not (stop < len(text) and _is_word(text[stop]))
            ):
                out.append((pos, stop, _ENTITY_OF[surface]))
                end = stop
                break
    return out


def _owners_dropped(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Entity spans without a country that only says whose company follows ("Russia's
    Gazprom"): the company is the party, and outlets that name it bare ("Gazprom supplied")
    must give the same entities."""
    out = []
    for k, (a, b, name) in enumerate(found):
        nxt = found[k + 1] if k + 1 < len(found) else None
        if (
            name in _COUNTRIES
            and nxt is not None
            and nxt[2] in _COMPANIES
            and _OWNER_RE.search(text, a, nxt[0])
            and nxt[0] - b <= 4
        ):
            continue
        out.append((a, b, name))
    return out


def _pair_referent(text: str, start: int) -> tuple[str, ...]:
    """The two countries "the two countries" at ``start`` means: the last two distinct
    countries named in the PAIR_REF_WINDOW before it, or () when fewer are named."""
    seen: list[str] = []
    for _a, _b, name in reversed(_entity_spans(text, max(0, start - PAIR_REF_WINDOW), start)):
        if name in _COUNTRIES and name not in seen:
            seen.append(name)
            if len(seen) == 2:
                return tuple(sorted(seen))
    return ()


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _is_entity_word(w: str) -> bool:
    parts = [p for p in re.split(r"[-–]", w.rstrip("'’s")) if p]
    return bool(parts) and all(p in _ENTITY_OF or p.rstrip("'’s") in _ENTITY_OF for p in parts)


_IRREGULAR_PLURALS = {"children": "child", "women": "woman", "men": "man", "teeth": "tooth", "mice": "mouse"}


def _singular(word: str) -> str:
    if word in ("gas", "news", "series", "species", "economics", "politics", "gdp"):
        return word
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word.endswith(("'s", "’s")):
        return word[:-2]  # "the country's exports": the possessor, not a plural
    if word.endswith(("sses", "shes", "ches", "xes")) and len(word) > 5:
        return word[:-2]  # "losses", "businesses"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _normalise_metric(words: list[str]) -> str | None:
    words = [w.lower().strip("'’") for w in words if w and not _is_entity_word(w)]
    phrase = " ".join(words[-5:]).strip(" -")
    if not phrase:
        return None
    phrase = _SYNONYMS.get(phrase, phrase)
    phrase = " ".join(_singular(p) for p in phrase.split())
    return _SYNONYMS.get(phrase, phrase)


_PREPS = frozenset({"between", "with", "to", "from", "via", "through", "in", "into", "for", "by", "on"})
_OBJECT_RE = re.compile(rf"{_SP}*(?:of|in|worth{_SP}+of){_SP}+")


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(s <= a and b <= e for s, e in spans)


def _metric_left(
    text: str, lo: int, start: int, skip: list[tuple[int, int]], stripped: bool = False
) -> tuple[list[str], int, int]:
    """Noun phrase before the figure, after a connector ("bilateral trade of", "exports rose");
    ``stripped`` when the figure's own hedge is that connector ("value topped $3 trillion")."""
    base = max(lo, start - 160)
    toks = [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(text, base, start)]
    for _ in range(4):  # "hit a record", "rose 5% to", "is expected to reach"
        if toks and toks[-1][0][0].isdigit():
            toks = toks[:-1]  # "hit a 40-year high of": the span frames the record
            if toks and toks[-1][0].lower() in ("a", "an", "the", "its", "their"):
                toks = toks[:-1]
        low = [t[0].lower() for t in toks]
        for n in (3, 2, 1):
            if len(low) >= n and " ".join(low[-n:]) in _CONNECTORS:
                toks = toks[:-n]
                if toks and toks[-1][0].lower() in _PERFECT_AUX:  # "had stood at", "has reached"
                    toks = toks[:-1]
                stripped = True
                break
        else:
            break
    rel = next(reversed(list(_RELATIVE_RE.finditer(text, base, start))), None)
    if rel is not None and toks and toks[-1][2] <= rel.end() and toks[-1][1] > rel.start():
        # "Services revenue, which includes the App Store, hit a record $25 billion": the
        # relative clause right before the connector is not the metric, the noun before it is.
        toks = [t for t in toks if t[2] <= rel.start()]
    if not stripped:
        # No connector: only "its dividend 4%", "the index 2%" — a short noun after a determiner.
        # Or a policy verb's object: "cut emissions 68% by 2030", "raised rates 25bp".
        if (
            len(toks) < 2
            or (toks[-2][0].lower() not in _DETERMINERS and toks[-2][0].lower() not in _POLICY_VERBS)
            or toks[-1][0].lower() in _BOUNDARY
        ):
            return [], -1, -1
    chunk: list[tuple[str, int, int]] = []
    seen_skip = False
    i = len(toks)
    while i > 0:
        i -= 1
        tok = toks[i]
        w = tok[0]
        lw = w.lower()
        name = w[0].isupper() and tok[1] > lo and lw not in _SYNONYMS  # "XYZ Corp" mid-sentence
        if _inside(skip, tok[1], tok[2]) or _is_entity_word(w) or name:
            seen_skip = True
            chunk.insert(0, (w, tok[1], tok[2], True))  # type: ignore[arg-type]
            continue
        ignorable = all(len(c) == 4 for c in chunk)
        if lw == "and" or lw in _PREPS or lw in ("the", "during", "of"):
            if seen_skip and ignorable:
                chunk = []
                continue
            j = i - 1 if lw == "the" else i
            if chunk and j > 0 and toks[j][0].lower() in _ROUTE_PREPS and _head_word(toks[j - 1], skip):
                # "Trade between the two countries", "gas flows through the pipeline": the
                # metric is the head before the route or parties, not their name.
                chunk, seen_skip, i = [], False, j
                continue
            prep = toks[j][0].lower() if j > 0 else ""
            if prep in ("of", "on", "at", "in", "for") and any(len(c) == 3 for c in chunk):
                head = toks[j - 1]
                if head[0].lower() in _MEASURED_HEADS and not _inside(skip, head[1], head[2]):
                    if lw == "the" and prep in ("at", "in", "for"):
                        # "Sales at the watchmaker", "Shares in the miner", "Prices at the
                        # pump": the place or company is no kind of thing, the head is measured
                        return [head[0]], head[1], head[2]
                    # "Sales of electric cars", "imports of Russian coal", "the yield on the
                    # 10-year note": what is measured of the thing, said last as in "electric
                    # car sales", "coal imports", "10-year note yield".
                    words = [c[0] for c in chunk if len(c) == 3] + [head[0]]
                    return words, head[1], chunk[-1][2]
            break
        if not chunk and lw in _ADVERBS:
            continue  # "market cap briefly hit": the adverb is no part of the metric
        if lw == "per" and len(chunk) == 1 and chunk[0][0].lower() in _PER_HEADS:
            chunk.insert(0, tok)  # "Emissions per head", "GDP per capita"
            continue
        if (not w[0].isalpha() and not _TERM_MODIFIER_RE.fullmatch(w)) or (
            lw in _BOUNDARY and not (i and f"{toks[i - 1][0].lower()} {lw}" in _SYNONYMS)
        ):
            break  # a boundary word, unless it heads a listed metric ("market value")
        chunk.insert(0, tok)
        if len(chunk) >= 6:
            break
    words = [c[0] for c in chunk if len(c) == 3]
    if not words:
        return [], -1, -1
    return words, chunk[0][1], chunk[-1][2]


_CONNECTORS = frozenset(_METRICS["connectors"]["words"])
# A non-restrictive relative clause between a metric and its verb ("Core inflation, which
# excludes food and energy, was 3.8%").
_RELATIVE_RE = re.compile(r",[ \t]*(?:which|who)\b[^,;.!?\n]{1,150},")
# A term written as a compound modifier inside a metric ("the 10-year note", "30-year mortgages").
_TERM_MODIFIER_RE = re.compile(r"\d+-(?:year|month|week|day)")
_MEASURED_HEADS = frozenset(_METRICS["measured_heads"]["words"])
_ADVERBS = frozenset(_METRICS["adverbs"]["words"])
_PER_HEADS = frozenset(
    {
        "head",
        "capita",
        "person",
        "household",
        "adult",
        "child",
        "resident",
        "pupil",
        "student",
        "patient",
        "worker",
    }
)
# Auxiliaries of the perfect tenses, stripped only right before a connector: alone they are
# possession ("The bank has 110 million customers").
_PERFECT_AUX = frozenset({"has", "have", "had"})
_ROUTE_PREPS = frozenset({"between", "through", "via", "across", "along", "among"})


def _head_word(tok: tuple[str, int, int], skip: list[tuple[int, int]]) -> bool:
    w = tok[0]
    return w[0].isalpha() and w.lower() not in _BOUNDARY and not _inside(skip, tok[1], tok[2])


# Words that may sit between two figures of one metric ("fell 47% year-on-year to 425.6 billion
# roubles ($5.2 billion)").
_GAP_WORDS = frozenset(
    {w for c in _CONNECTORS for w in c.split()}
    | {
        "and",
        "or",
        "from",
        "up",
        "down",
        "compared",
        "with",
        "against",
        "versus",
        "year-on-year",
        "y/y",
        "yoy",
        "on-year",
        "month-on-month",
        "quarter-on-quarter",
        "a",
        "an",
        "about",
        "while",
    }
)
_DETERMINERS = frozenset({"its", "their", "the", "his", "her", "our", "this", "that"})
_POLICY_VERBS = frozenset(
    "cut cuts raised raise raises lowered lower hiked hike reduce reduced slash slashed lift lifted boost "
    "boosted increase increased double doubled halve halved triple tripled".split()
)


# Verbs after the noun of a figure's "of" phrase ("A third of hospitals reported staff
# shortages"): the clause's verb, not part of what is measured (rules/ratios.toml [share]).
_CLAUSE_VERBS = _SHARE_VERBS | frozenset(_RATIOS["share"]["clause_only"])


def _metric_right(
    text: str, end: int, hi: int, skip: list[tuple[int, int]], money: bool
) -> tuple[list[str], int, int]:
    """What follows "of"/"in" after the figure ("50 bcm of gas", "$5 billion in new debt")."""
    o = _OBJECT_RE.match(text, end, hi)
    if not o or (not money and o.group(0).strip() == "in"):
        return [], -1, -1  # "in" names a metric only after money ("$5 billion in loans")
    stop = min(hi, o.end() + 80)
    words: list[tuple[str, int, int]] = []
    for m in _WORD_RE.finditer(text, o.end(), stop):
        w = m.group(0)
        lw = w.lower()
        if _inside(skip, m.start(), m.end()) or _is_entity_word(w):
            if words or m.start() > o.end() + 40:
                break
            continue  # "of Russian coal": the entity is kept apart
        if not words and lw in ("the", "a", "an", "its", "their", "new", "fresh", "additional"):
            continue
        if not w[0].isalpha() or lw in _RIGHT_STOP or len(words) >= 4 or (words and lw in _CLAUSE_VERBS):
            break
        words.append((w, m.start(), m.end()))
    if not words:
        return [], -1, -1
    return [w[0] for w in words], words[0][1], words[-1][2]


_RIGHT_STOP = _PREPS | {
    "and",
    "or",
    "but",
    "that",
    "which",
    "who",
    "is",
    "are",
    "was",
    "were",
    "will",
    "would",
    "has",
    "have",
    "had",
    "a",
    "an",
    "the",
    "per",
    "last",
    "this",
    "next",
    "from",
    "at",
    "as",
    "than",
    "year",
    "month",
    "day",
    "week",
    "annually",
    # verbs and pronouns that end a noun phrase after "of" ("half of the exports go to China")
    "go",
    "goes",
    "went",
    "come",
    "comes",
    "came",
    "said",
    "say",
    "says",
    "told",
    "live",
    "lives",
    "remain",
    "remains",
    "remained",
    "they",
    "it",
    "he",
    "she",
    "we",
    # modals and verbs of change after the noun ("150mm of rain could fall", "20cm of snow
    # fell overnight"): the phrase is the noun before them
    "could",
    "should",
    "might",
    "may",
    "can",
    "must",
    "fell",
    "fall",
    "falls",
    "rose",
    "rise",
    "rises",
    "hit",
    "hits",
    "closed",
    "worth",  # "2.5 tonnes of cocaine worth £200m"
    # prepositions of place and time after the noun ("58% of patients within four hours",
    # "15% of their body weight over 68 weeks")
    "within",
    "over",
    "under",
    "among",
    "across",
    "during",
    "since",
    "after",
    "before",
    "aged",
}


def _verb_at(text: str, lo: int, start: int) -> re.Match[str] | None:
    """The last of the three words before ``start`` that names a measured act ("borrowed")."""
    toks = list(_WORD_RE.finditer(text, max(lo, start - 40), start))[-3:]
    for t in reversed(toks):
        if t.group(0).lower() in _VERBS:
            return t
    return None


def _verb_before(text: str, lo: int, start: int) -> str | None:
    t = _verb_at(text, lo, start)
    return _VERBS[t.group(0).lower()] if t else None


# A figure compared with the one before it: "…, up from X", "…, compared with X".
_COMPARE_BEFORE_RE = re.compile(
    r",\s*(?:(?:up|down|rising|falling|increasing|decreasing|rose|fell)\s+)?"
    r"(?:from|compared\s+(?:with|to)|against|versus|vs\.?)\s*\Z",
    re.IGNORECASE,
)


def _metric(
    text: str,
    raw: _Raw,
    lo: int,
    hi: int,
    prev: tuple[_Raw, str | None] | None,
    skip: list[tuple[int, int]],
) -> tuple[str | None, int | None, int | None]:
    """What the figure measures, and the span of the phrase naming it (None when the metric
    comes from the previous figure)."""
    if (
        raw.kind == "count"
        and not raw.surface_unit
        and (t := _TOLL_BEFORE_RE.search(text, max(lo, raw.start - 160), raw.start))
    ):
        # "The death toll from the earthquake that struck Turkey rose above 11,000": the toll
        toll = " ".join(t.group("toll").lower().replace("-", " ").split())
        return _normalise_metric(toll.split()), t.start("toll"), t.end("toll")
    metric, ms, me = _metric_phrase(text, raw, lo, hi, prev, skip)
    if metric is None:
        return metric, ms, me
    words = metric.split()
    if words[-1] not in _GOALS:
        return metric, ms, me
    if len(words) > 1:  # "export target": a target for exports
        return " ".join(words[:-1]), ms, me
    if prev is not None and prev[1] and prev[1] not in _GOALS and prev[0].unit == raw.unit:
        return prev[1], None, None  # "trade reached $240bn, surpassing a target of $200bn"
    return metric, ms, me


_GOALS = frozenset(_METRICS["goals"]["words"])


# Past forms that end in neither -ed nor a connector, from casualty, court and election copy.
_IRREGULAR_PAST = frozenset(
    "heard won sold took made built found paid sent saw gave drew led beat shot struck caught brought "
    "bought fought held kept met ran told wrote sank spent stole swept threw hurt fled freed blew broke "
    "flew drove froze began tore wore hung dug spun burst".split()
)


_PARTICLES = frozenset({"out", "up", "off", "down", "away", "back", "over"})


def _is_past_verb(word: str) -> bool:
    lw = word.lower()
    return lw in _IRREGULAR_PAST or (len(lw) >= 5 and lw.endswith("ed") and lw not in _SYNONYMS)


def _has_past_verb(words: list[str]) -> bool:
    """A verb in the phrase before a figure ("Police arrested more than 300 protesters",
    "The storm knocked out power to 150,000 customers"), so the phrase names the act, not what
    is measured; an -ed word first before a noun is an adjective ("Registered voters rose to
    40 million")."""
    for i, w in enumerate(words):
        if not _is_past_verb(w):
            continue
        adjective = i == 0 and len(words) > 1 and words[1].lower() not in _PARTICLES
        if w.lower() in _IRREGULAR_PAST or not adjective:
            return True
    return False


def _only_gap(text: str, g0: int, start: int, skip: list[tuple[int, int]]) -> bool:
    """Only connectors between two figures ("rose 5% to $10 billion"), once the periods and
    entities between them are set aside ("5% in 2022 to $10bn")."""
    gap_text = list(text[g0:start].lower())
    for a, b in skip:
        for k in range(max(a, g0), min(b, start)):
            gap_text[k - g0] = " "
    gap = "".join(gap_text).replace(",", " ").replace("(", " ").split()
    return all(w in _GAP_WORDS for w in gap)


# "values the group at A$4.2bn", "valuing the company at about £18bn": a valuation of the
# object; "the deal is valued at $5bn" (no object between) keeps its subject as the metric.
_VALUING_RE = re.compile(
    rf"""(?<![\w])(?P<verb>values|valued|valuing|value)(?:{_SP}+[\w'’&.-]+){{1,5}}?{_SP}+at{_SP}+\Z""",
    re.IGNORECASE,
)


_POSSESSIVE_OBJECT_RE = re.compile(rf"{_SP}*of{_SP}+(?:its|their|his|her){_SP}+", re.IGNORECASE)


def _metric_phrase(
    text: str,
    raw: _Raw,
    lo: int,
    hi: int,
    prev: tuple[_Raw, str | None] | None,
    skip: list[tuple[int, int]],
) -> tuple[str | None, int | None, int | None]:
    if raw.kind == "money" and (v := _VALUING_RE.search(text, max(lo, raw.start - 60), raw.start)):
        return "valuation", v.start("verb"), v.end("verb")  # "valuing the company at about £18bn"
    # The left phrase never reaches back over the previous figure ("rose 2 cents to $85.10").
    hedge_verb = raw.hedge_span is not None and (
        text[raw.hedge_span[0] : raw.hedge_span[1]].lower() in _CONNECTORS
    )
    lwords, ls, le = _metric_left(text, max(lo, prev[0].end) if prev else lo, raw.start, skip, hedge_verb)
    rwords, rs, re_ = (
        _metric_right(text, raw.end, hi, skip, raw.kind == "money") if raw.kind != "count" else ([], -1, -1)
    )
    if lwords and _has_past_verb(lwords):
        # "The earthquake killed more than 2,000 people", "The country installed 217 GW of
        # solar capacity": the act and its subject are no metric; but the subject of a verb of
        # change is measured ("The rupee weakened to 84.1 against the dollar")
        verb = lwords[-1]
        subject = lwords[:-1] if _is_past_verb(verb) else []
        keep = raw.kind != "count" and not rwords and bool(subject) and not _has_past_verb(subject)
        if keep and verb.lower() in _VERBS:
            lwords = [*subject, _VERBS[verb.lower()]]  # "solar farms produced 10.2 GW": production
        elif keep:
            le = len(text[:ls] + text[ls:le].rsplit(verb, 1)[0].rstrip())
            lwords = subject
        else:
            lwords = []
    if raw.kind == "count" and not lwords:
        if not raw.surface_unit:  # "fell by 2 million": nothing named
            if (
                prev is not None
                and prev[1]
                and (
                    _only_gap(text, prev[0].end, raw.start, skip)
                    or (
                        prev[0].kind == "count"
                        and _COMPARE_BEFORE_RE.search(text, max(prev[0].end, raw.start - 40), raw.start)
                    )
                )
            ):
                # "by 311 votes to 293", "offences rose 4% to 50,500", "412 per 100,000 …,
                # compared with 380 per 100,000": the same things counted
                return prev[1], None, None
            return None, None, None
        su = raw.surface_unit
        noun = su[:-1].lower() if su[:-1].isupper() else _singular(su.lower())  # "MPs" → "mp"
        return noun, raw.unit_span[0], raw.unit_span[1]
    if (
        prev is not None
        and prev[1]
        and _COMPARE_BEFORE_RE.search(text, max(prev[0].end, raw.start - 40), raw.start)
    ):
        return prev[1], None, None  # "1.6 million bpd ..., up from 1.2 million bpd": the same metric
    if not lwords and not rwords and prev is not None and _only_gap(text, prev[0].end, raw.start, skip):
        return prev[1], None, None  # "rose 5% to $10 billion": same metric
    if rwords:
        verb = _verb_before(text, lo, raw.start)
        metric = _normalise_metric(rwords + ([verb] if verb else []))
        if lwords:
            left = _normalise_metric(lwords)
            if left and metric and left not in metric:
                # "The glacier has lost almost a third of its volume": its volume, the glacier's
                owned = _POSSESSIVE_OBJECT_RE.match(text, raw.end, rs) is not None
                metric = f"{left} {metric}" if owned else f"{metric} {left}"
        return metric, rs, re_
    if lwords:
        return _normalise_metric(lwords), ls, le
    # "The Treasury borrowed £13.7bn in May": no noun names it, the act does.
    t = _verb_at(text, max(lo, prev[0].end) if prev else lo, raw.start)
    if t and raw.kind == "money":
        return _VERBS[t.group(0).lower()], t.start(), t.end()
    if raw.kind == "money" and (n := _MONEY_HEAD_RE.match(text, raw.end, hi)):
        mod = n.group("mod")
        words = [mod, n.group("noun")] if mod and mod not in _BOUNDARY else [n.group("noun")]
        return _normalise_metric(words), n.start("mod") if mod else n.start("noun"), n.end("noun")
    if raw.kind == "percent" and (n := _NOUN_AFTER_RE.match(text, raw.end, hi)):
        noun = n.group("noun")
        share = " in " in text[raw.value_span[0] : raw.value_span[1]] or " out " in text[raw.start : raw.end]
        if share and not n.group("cmp") and noun not in _BOUNDARY and noun not in _NOT_COUNTS:
            return _singular(noun), n.start("noun"), n.end("noun")  # "one in four adults"
        if noun in _ATTRIBUTIVE_HEADS:
            # "a 45% turnout", "a 10% stake", "a 23% higher risk of stroke" (as "the risk of death")
            of, _, oe = _metric_right(text, n.end(), hi, skip, False)
            return _normalise_metric([*of, noun]), n.start("noun"), oe if of else n.end("noun")
    return None, None, None


# The noun right after a percentage that measures it when the sentence names nothing else
# ("on a 45% turnout", "a 10% stake", "a 23% higher risk"), and the noun after a share "one
# in four adults".
_NOUN_AFTER_RE = re.compile(
    rf"(?:{_SP}+(?P<cmp>higher|lower|greater|smaller|bigger|larger|increased|reduced))?"
    rf"{_SP}+(?P<noun>[a-z]{{3,}})(?![\w'’-])"
)
_MONEY_HEAD_RE = re.compile(
    rf"(?:{_SP}+(?P<mod>[a-z][a-z-]{{2,}}))?{_SP}+(?P<noun>{_alt(_METRICS['money_heads']['words'])})(?![\w-])"
)
_ATTRIBUTIVE_HEADS = _MEASURED_HEADS | frozenset({"stake", "stakes", "majority", "discount", "turnout"})


# Metrics that flow from one party to another: China's exports to Russia and Russia's
# exports to China share a metric and both parties, so the destination is recorded too.
_FLOW_RE = re.compile(r"\b(?:export|import|deliver|supp|ship|sent|flow|transit|sale)", re.IGNORECASE)
DESTINATION_MARK = "to:"


def _with_destination(
    text: str, names: tuple[str, ...], found: list[tuple[int, int, str]], lo: int, hi: int
) -> tuple[str, ...]:
    """Add "to:<party>" for a flow: the party after "to"/"into", or the one not after "from"."""
    dest: set[str] = set()
    origin: set[str] = set()
    for a, b, name in found:
        if a < lo or b > hi:
            continue
        before = text[max(0, a - 6) : a].lower()
        if before.endswith(("to ", "into ")):
            dest.add(name)
        elif before.endswith("from "):
            origin.add(name)
    if not dest and origin and len(names) == 2:
        dest = set(names) - origin
    if len(dest) != 1 or dest == set(names):
        return names
    return tuple(sorted({*names, DESTINATION_MARK + dest.pop()}))


# A figure naming a target or a forecast by the noun right after it: "the $200 billion target
# set for 2024", "the Fed's 2% inflation goal", "a 1.5% growth forecast" (a word or two
# between, no verb).
_TARGET_NOUN_AFTER_RE = re.compile(
    r"(?:[ \t]+(?!(?:and|or|but|as|while|with|was|were|is|are|be|been|to|of|in|on|at|for|than|from"
    r"|after|before|despite|because|since|when|if)\b)[a-z][a-z'-]*){0,2}?"
    r"[ \t]+(?:target|goal|objective|ambition|forecast|projection)s?\b"
)


def _cue_before(low: str, lo: int, start: int) -> bool:
    """A target/forecast cue ("plans to", "expected to", "will") earlier in the sentence.

    Only the last CUE_WINDOW characters are read: a cue further back belongs to another
    clause, and an unbounded look-back made long figure-dense sentences quadratic.
    """
    window = low[max(lo, start - CUE_WINDOW) : start]
    window = window[window.rfind(";") + 1 :]  # a cue past a semicolon is another clause's
    words = [w.strip(_PUNCT) for w in window.split()]
    for i, w in enumerate(words):
        if w in _CUE_FIRST:
            for n in (3, 2, 1):
                if " ".join(words[i : i + n]) in _CUES:
                    return True
    return False


def find_claims(text: str, published: dt.date | None = None) -> list[Claim]:
    """Figures in ``text`` as claims sorted by start; see the module docstring."""
    if not text:
        return []
    low = _lower(text)
    raws = _scan(text, low)
    if not raws:
        return []
    out: list[Claim] = []
    sentences = sentence_spans(text)
    i = 0
    prev_period: tuple[_Period | None, bool] = (None, False)
    for lo, hi in sentences:
        mine = []
        while i < len(raws) and raws[i].start < hi:
            mine.append(raws[i])
            i += 1
        if not mine:
            continue
        # A wire dateline ("MOSCOW, Jan 3 (Interfax) - ") dates the story, not its figures, and
        # its capitals are not names: the sentence proper starts after it.
        if lo == 0 or text[lo - 1] == "\n":
            lo = min(dateline_end(text, lo), mine[0].start)
        unresolved: list[tuple[int, int]] = []
        periods = _periods(text, low, lo, hi, published, mine, unresolved)
        found = _owners_dropped(text, _entity_spans(text, lo, hi))
        entities = tuple(sorted({e[2] for e in found}))
        skip = [(a, b) for a, b, _ in found] + [(p.start, p.end) for p in periods] + unresolved
        inherit = not periods and _ANAPHORA_RE.match(text, lo, hi) is not None
        owners = _owners(text, periods, mine) if periods else {}
        prev: tuple[_Raw, str | None] | None = None
        prev_near: tuple[str, ...] = entities
        for raw in mine:
            period: _Period | None = None
            usable = [p for p in periods if not p.relative or _relative_period_of(text, raw, p, mine)]
            if usable and not _unresolved_own(text, raw, unresolved):
                period = _period_of(text, raw, usable, owners)
            target = (
                _cue_before(low, lo, raw.start)
                or _TARGET_NOUN_AFTER_RE.match(low, raw.end, hi) is not None
                or (period is not None and period.target)
                or any(p.target and p.end <= raw.start for p in periods)
            )
            if inherit:
                period, target = prev_period[0], prev_period[1] or target
            metric, ms, me = _metric(text, raw, lo, hi, prev, skip)
            shares_prev = prev is not None and ms is None and metric is not None and metric == prev[1]
            prev = (raw, metric)
            # Entities of this figure's clause: around its metric phrase and the figure,
            # not the whole sentence ("... $190 billion in 2022, as ties deepened after
            # the invasion of Ukraine" is not about Ukraine). The sentence's entities
            # are the fallback when none stands near.
            win_lo = (ms if ms is not None and ms < raw.start else raw.start) - ENTITY_WINDOW
            win_hi = raw.end + ENTITY_WINDOW
            near = tuple(sorted({name for a, b, name in found if a >= win_lo and b <= win_hi}))
            if metric and _FLOW_RE.search(metric):
                near = _with_destination(text, near, found, win_lo, win_hi)
            if shares_prev:  # "rose 30% in 2022 to $172 billion": the same metric, the same parties
                near = prev_near
            if not _COUNTRIES.intersection(near or entities):
                # "Trade between the two neighbours had stood at $190 billion": the parties
                # are the two countries named before.
                ref = _PAIR_REF_RE.search(text, max(lo, win_lo), min(hi, win_hi))
                if ref and (pair := _pair_referent(text, ref.start())):
                    near = tuple(sorted({*near, *pair}))
            prev_near = near or entities
            prev_period = (period, target)
            hs, he = raw.hedge_span or (None, None)
            unit = raw.unit
            if (
                raw.kind == "money"
                and metric
                and (head := metric.split()[-1]) in _CURRENCY_SUBJECTS
                and "/" not in unit
            ):
                pair = _CURRENCY_SUBJECTS[head]  # "Sterling fell 0.3% to $1.2680": a dollar price of a pound
                unit = f"{unit}/{pair}" if pair != unit else unit
            out.append(
                Claim(
                    start=raw.start,
                    end=raw.end,
                    surface=text[raw.start : raw.end],
                    value=raw.value,
                    low=raw.low,
                    high=raw.high,
                    unit=unit,
                    kind=raw.kind,
                    hedge=raw.hedge,
                    metric=metric,
                    entities=near or entities,
                    period=period.label if period else None,
                    period_start=period.first if period else None,
                    period_end=period.last if period else None,
                    is_target=target,
                    value_start=raw.value_span[0],
                    value_end=raw.value_span[1],
                    unit_start=raw.unit_span[0] if raw.unit_span[0] >= 0 else None,
                    unit_end=raw.unit_span[1] if raw.unit_span[0] >= 0 else None,
                    hedge_start=hs,
                    hedge_end=he,
                    metric_start=ms,
                    metric_end=me,
                    scale=raw.scale,
                    surface_unit=raw.surface_unit or None,
                )
            )
    return out
